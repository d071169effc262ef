//! Builders shared by the integration tests: events at fixed times, never the wall clock.
#![allow(dead_code)]

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use fenliu::domain::*;

/// A fixed moment every test counts from: 2026-11-22 13:00:00 UTC (21:00 in Shanghai).
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 13, 0, 0)
        .single()
        .expect("valid fixture time")
}

/// `t0` plus whole seconds.
pub fn at(secs: i64) -> DateTime<Utc> {
    t0() + TimeDelta::seconds(secs)
}

pub fn actor() -> Actor {
    Actor {
        operator: "王磊".into(),
        station: "dn".into(),
        device: "test".into(),
    }
}

/// A received event for a fresh incident at `t0`.
pub fn received(priority: Priority) -> Event {
    let id = IncidentId::v7_at(t0());
    event(
        id,
        0,
        EventKind::Received(Received {
            reference: "DN-20261122-0001".into(),
            station: "dn".into(),
            source: Source::Police110,
            source_ref: Some("110-8812".into()),
            text: "楼上装修至深夜".into(),
            address: Some("广中路123弄".into()),
            grid: Some("3".into()),
            community: None,
            phone: Some("13812341116".into()),
            priority,
            drill: false,
            repeat_of: None,
        }),
    )
}

/// An event of `kind` for `incident`, `secs` after `t0`.
pub fn event(incident: IncidentId, secs: i64, kind: EventKind) -> Event {
    Event {
        id: EventId::v7_at(at(secs)),
        incident,
        actor: actor(),
        occurred_at: at(secs),
        recorded_at: at(secs),
        kind,
    }
}

/// Applies `kinds` in order, one second apart after `start`, panicking on the first illegal one.
pub fn walk(incident: &mut Incident, start: i64, kinds: Vec<EventKind>) {
    for (n, kind) in kinds.into_iter().enumerate() {
        let e = event(incident.id, start + n as i64, kind.clone());
        if let Err(err) = incident.apply(&e) {
            panic!("{kind:?} refused: {err}");
        }
    }
}

pub fn dispatched(ids: &[&str]) -> EventKind {
    EventKind::Dispatched {
        responders: ids.iter().map(|s| s.to_string()).collect(),
        channel: Channel::Radio,
    }
}

pub fn feedback() -> EventKind {
    EventKind::FeedbackGiven {
        result: FeedbackResult::Resolved,
        text: None,
    }
}

pub fn verified() -> EventKind {
    EventKind::Verified { note: None }
}

/// A fresh incident at `t0`.
pub fn fresh(priority: Priority) -> Incident {
    Incident::from_received(&received(priority)).expect("received starts an incident")
}
