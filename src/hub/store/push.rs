//! Recording a station's pushed events: each is checked on its own (ownership, the hub's own
//! numbering, plausible times, the shared lifecycle) and either recorded or refused with a reason.
//! Another station's item is answered exactly like an item the hub does not have.

use super::HubStoreError;
use super::writer::{Fresh, insert_event, load_incident, save_incident};
use crate::domain::{Event, EventKind, Incident, IncidentId};
use crate::hub::times;
use crate::protocol::{ChainHead, PushOutcome, RejectCode};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

/// A batch of events from one station, checked against the hub's clock at `now`.
#[derive(Debug, Clone, PartialEq)]
pub struct Push {
    pub station: String,
    pub events: Vec<Event>,
    pub now: DateTime<Utc>,
    /// The console's journal head after these events, as it reported it.
    pub head: Option<ChainHead>,
}

pub(super) fn push_all(
    conn: &Connection,
    push: &Push,
    fresh: &mut Fresh,
) -> Result<Vec<PushOutcome>, HubStoreError> {
    let prefix: Option<String> = conn
        .prepare_cached("SELECT prefix FROM stations WHERE id = ?1")?
        .query_row([&push.station], |r| r.get(0))
        .optional()?;
    let ctx = Ctx {
        conn,
        station: &push.station,
        prefix: prefix.as_deref(),
        now: push.now,
    };
    let outcomes = push
        .events
        .iter()
        .map(|e| push_one(&ctx, e, fresh))
        .collect::<Result<_, _>>()?;
    if let Some(head) = &push.head {
        super::chain::link_head(conn, &push.station, head)?;
    }
    Ok(outcomes)
}

struct Ctx<'a> {
    conn: &'a Connection,
    station: &'a str,
    prefix: Option<&'a str>,
    now: DateTime<Utc>,
}

/// Whether `reference` is in the hub's own numbering for a station with `prefix`
/// (`{prefix}-YYYYMMDD-NNNN`): only the hub hands those out.
pub fn is_hub_numbering(prefix: &str, reference: &str) -> bool {
    let Some(rest) = reference
        .strip_prefix(prefix)
        .and_then(|r| r.strip_prefix('-'))
    else {
        return false;
    };
    let Some((day, number)) = rest.split_once('-') else {
        return false;
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    day.len() == 8 && digits(day) && digits(number)
}

fn push_one(ctx: &Ctx<'_>, event: &Event, fresh: &mut Fresh) -> Result<PushOutcome, HubStoreError> {
    let (conn, station) = (ctx.conn, ctx.station);
    let id = event.id;
    let reject = |code, reason: String| Ok(PushOutcome::Rejected { id, code, reason });
    let unknown = || {
        reject(
            RejectCode::UnknownIncident,
            "the hub has no such item for this station".into(),
        )
    };
    let known: Option<(i64, String)> = conn
        .prepare_cached("SELECT seq, station FROM events WHERE id = ?1")?
        .query_row([id.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    if let Some((seq, owner)) = known {
        if owner != station {
            return unknown();
        }
        return Ok(PushOutcome::Duplicate { id, seq });
    }
    if event.actor.station != station {
        return reject(
            RejectCode::NotYourStation,
            format!(
                "the event says station {}, but the token is station {station}'s",
                event.actor.station
            ),
        );
    }
    if event.kind.is_station() || event.incident == crate::domain::station::STATION_ITEM {
        if let Err(reason) = times::check_event(event, None, ctx.now) {
            return reject(RejectCode::ImplausibleTime, reason);
        }
        return super::station::push_station(conn, event, station, fresh);
    }
    let current = load_incident(conn, event.incident)?;
    let received = match &current {
        Some(i) if i.station == station => Some(i.received_at),
        _ => None,
    };
    if let Err(reason) = times::check_event(event, received, ctx.now) {
        return reject(RejectCode::ImplausibleTime, reason);
    }
    let (incident, new) = match (current, &event.kind) {
        (None, EventKind::Received(r)) => {
            if r.station != station {
                return reject(
                    RejectCode::NotYourStation,
                    format!(
                        "a station may only create its own items, not {}'s",
                        r.station
                    ),
                );
            }
            if ctx
                .prefix
                .is_some_and(|p| is_hub_numbering(p, &r.reference))
            {
                return reject(
                    RejectCode::ReservedReference,
                    format!(
                        "reference {} is in the hub's own numbering; a workstation numbers its items with its own prefix",
                        r.reference
                    ),
                );
            }
            let taken: Option<String> = conn
                .prepare_cached("SELECT id FROM incidents WHERE station = ?1 AND ref = ?2")?
                .query_row(params![station, r.reference], |r| r.get(0))
                .optional()?;
            if taken.is_some() {
                return reject(
                    RejectCode::DuplicateReference,
                    format!("reference {} is already used by another item", r.reference),
                );
            }
            match Incident::from_received(event) {
                Ok(i) => (i, true),
                Err(e) => return reject(RejectCode::IllegalTransition, e.to_string()),
            }
        }
        (None, _) => return unknown(),
        (Some(i), _) if i.station != station => return unknown(),
        (Some(mut i), _) => {
            if let Err(e) = i.apply(event) {
                if matches!(event.kind, EventKind::Claimed) && i.claimed_at.is_some() {
                    let by = claimer(conn, event.incident)?;
                    return reject(
                        RejectCode::AlreadyClaimed,
                        format!("{} 已被 {by} 签收", i.reference),
                    );
                }
                return reject(RejectCode::IllegalTransition, e.to_string());
            }
            (i, false)
        }
    };
    let seq = insert_event(conn, event, station, fresh)?;
    save_incident(conn, &incident, new)?;
    if matches!(event.kind, EventKind::TransferredToPolice { .. }) {
        conn.prepare_cached(
            "INSERT INTO police_feed (incident) VALUES (?1) ON CONFLICT (incident) DO NOTHING",
        )?
        .execute([event.incident.to_string()])?;
    }
    Ok(PushOutcome::Accepted { id, seq })
}

/// Who holds the claim, in words: `2 号工作站 (王磊)`.
fn claimer(conn: &Connection, incident: IncidentId) -> Result<String, HubStoreError> {
    let body: Option<String> = conn
        .prepare_cached(
            "SELECT body FROM events WHERE incident = ?1 AND kind = 'claimed' ORDER BY seq DESC LIMIT 1",
        )?
        .query_row([incident.to_string()], |r| r.get(0))
        .optional()?;
    let event: Option<Event> = body.and_then(|b| serde_json::from_str(&b).ok());
    Ok(match event {
        Some(e) => format!(
            "{} ({})",
            crate::command::words::workstation(&e.actor.device),
            e.actor.operator
        ),
        None => "另一工作站".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::is_hub_numbering;

    #[test]
    fn only_the_hubs_own_pattern_is_reserved() {
        assert!(is_hub_numbering("DN", "DN-20261122-0001"));
        assert!(is_hub_numbering("DN", "DN-20261122-12345"));
        assert!(
            !is_hub_numbering("DN", "DN1-20261122-0001"),
            "a workstation's"
        );
        assert!(!is_hub_numbering("DN", "GZ-20261122-0001"));
        assert!(!is_hub_numbering("DN", "DN-2026112-0001"));
        assert!(!is_hub_numbering("DN", "DN-20261122-"));
        assert!(!is_hub_numbering("DN", "DN-20261122-00a1"));
    }
}
