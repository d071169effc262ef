//! `fenliu report` over a month of a busy street: 10,000 items and 100,000 events taken in
//! and read off in one pass, against a baseline that only walks the same events.

use std::hint::black_box;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use fenliu::config::Config;
use fenliu::domain::*;
use fenliu::report::{self, Params, Tally};

fn month() -> (Vec<Event>, DateTime<Utc>) {
    let start = Utc
        .with_ymd_and_hms(2026, 11, 1, 0, 0, 0)
        .single()
        .unwrap_or_default();
    let mut events = Vec::with_capacity(100_000);
    let mut seq = 0u128;
    let mut push = |events: &mut Vec<Event>, id, at: DateTime<Utc>, kind| {
        seq += 1;
        events.push(Event {
            id: EventId(uuid::Uuid::from_u128(seq)),
            incident: id,
            actor: Actor {
                operator: "王磊".into(),
                station: "dn".into(),
                device: "1".into(),
            },
            occurred_at: at,
            recorded_at: at,
            kind,
        });
    };
    for n in 0..10_000u128 {
        let id = IncidentId(uuid::Uuid::from_u128(n + 1));
        let at = start + TimeDelta::seconds((n as i64) * 250);
        let s = |secs| at + TimeDelta::seconds(secs);
        let responder = format!("g{}", n % 40);
        push(
            &mut events,
            id,
            at,
            EventKind::Received(Received {
                reference: format!("DN-{n:06}"),
                station: "dn".into(),
                source: if n % 3 == 0 {
                    Source::Police110
                } else {
                    Source::Hotline12345
                },
                source_ref: None,
                text: "楼上装修噪音".into(),
                address: None,
                grid: None,
                community: None,
                phone: None,
                priority: Priority::Normal,
                drill: false,
                repeat_of: None,
            }),
        );
        push(&mut events, id, at, EventKind::Claimed);
        push(
            &mut events,
            id,
            s(20),
            EventKind::PartyContacted { note: None },
        );
        push(
            &mut events,
            id,
            s(40),
            EventKind::Dispatched {
                responders: vec![responder.clone()],
                channel: Channel::Radio,
            },
        );
        push(
            &mut events,
            id,
            s(100),
            EventKind::Departed {
                responder: responder.clone(),
            },
        );
        push(
            &mut events,
            id,
            s(600 + (n as i64 % 900)),
            EventKind::Arrived { responder },
        );
        push(
            &mut events,
            id,
            s(3_600),
            EventKind::FeedbackGiven {
                result: FeedbackResult::Resolved,
                text: None,
            },
        );
        push(
            &mut events,
            id,
            s(3_700),
            EventKind::Verified { note: None },
        );
        push(&mut events, id, s(3_800), EventKind::Closed);
        push(
            &mut events,
            id,
            s(7_200),
            EventKind::CalledBack {
                satisfaction: Satisfaction::Satisfied,
                note: None,
            },
        );
    }
    (events, start)
}

fn figures(c: &mut Criterion) {
    let (events, start) = month();
    let config = Config::default();
    let params = Params {
        from: start,
        to: start + TimeDelta::days(30),
        station: None,
        policy: config.sla_policy(),
        targets: config.targets,
        tz: config.timezone.0,
        drills: true,
    };
    let mut group = c.benchmark_group("report");
    group.sample_size(20);
    group.throughput(Throughput::Elements(events.len() as u64));
    group.bench_function("baseline_walk", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for (pos, e) in events.iter().enumerate() {
                n += black_box(pos) + black_box(e).kind.name().len();
            }
            n
        })
    });
    group.bench_function("month_100k_events", |b| {
        b.iter(|| {
            let mut tally = Tally::default();
            for (pos, e) in events.iter().enumerate() {
                tally.add(pos as i64 + 1, e);
            }
            black_box(report::report(&tally, &params))
        })
    });
    group.finish();
}

criterion_group!(benches, figures);
criterion_main!(benches);
