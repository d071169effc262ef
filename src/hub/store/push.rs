//! Recording a station's pushed events: each is checked on its own (ownership, the hub's own
//! numbering, plausible times, the shared lifecycle) and either recorded or refused with a reason.
//! Another station's item is answered exactly like an item the hub does not have.

use super::HubStoreError;
use super::writer::{Fresh, insert_event, load_incident, save_incident};
use crate::domain::{Actor, Event, EventKind, IncidentId};
use crate::hub::decide::{
    ItemState, Verdict, decide_push, is_station_event, needs_claimer, needs_reference_check,
};
use crate::protocol::{ChainHead, PushOutcome};
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

fn push_one(ctx: &Ctx<'_>, event: &Event, fresh: &mut Fresh) -> Result<PushOutcome, HubStoreError> {
    let (conn, station) = (ctx.conn, ctx.station);
    let id = event.id;
    let state = gather(ctx, event)?;
    match decide_push(station, state, event, ctx.now) {
        Verdict::Duplicate { seq } => Ok(PushOutcome::Duplicate { id, seq }),
        Verdict::Reject { code, reason } => Ok(PushOutcome::Rejected { id, code, reason }),
        Verdict::Accept {
            incident,
            new,
            police,
        } => {
            let seq = insert_event(conn, event, station, fresh)?;
            if let Some(incident) = &incident {
                save_incident(conn, incident, new)?;
            }
            if police {
                conn.prepare_cached(
                    "INSERT INTO police_feed (incident) VALUES (?1) ON CONFLICT (incident) DO NOTHING",
                )?
                .execute([event.incident.to_string()])?;
            }
            Ok(PushOutcome::Accepted { id, seq })
        }
    }
}

/// What the decider needs to know about `event`'s item, read inside the writer's transaction.
fn gather(ctx: &Ctx<'_>, event: &Event) -> Result<ItemState, HubStoreError> {
    let conn = ctx.conn;
    let known: Option<(i64, String)> = conn
        .prepare_cached("SELECT seq, station FROM events WHERE id = ?1")?
        .query_row([event.id.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let mut state = ItemState {
        prefix: ctx.prefix.map(str::to_string),
        ..ItemState::default()
    };
    if known.is_some() {
        state.known = known;
        return Ok(state);
    }
    if is_station_event(event) {
        return Ok(state);
    }
    state.incident = load_incident(conn, event.incident)?;
    if let EventKind::Received(r) = &event.kind
        && needs_reference_check(event, state.incident.as_ref())
    {
        state.reference_taken = conn
            .prepare_cached("SELECT 1 FROM incidents WHERE station = ?1 AND ref = ?2")?
            .query_row(params![ctx.station, r.reference], |_| Ok(()))
            .optional()?
            .is_some();
    }
    if needs_claimer(event, state.incident.as_ref()) {
        state.claimed_by = claimer(conn, event.incident)?;
    }
    Ok(state)
}

/// The actor of the item's latest claim.
fn claimer(conn: &Connection, incident: IncidentId) -> Result<Option<Actor>, HubStoreError> {
    let body: Option<String> = conn
        .prepare_cached(
            "SELECT body FROM events WHERE incident = ?1 AND kind = 'claimed' ORDER BY seq DESC LIMIT 1",
        )?
        .query_row([incident.to_string()], |r| r.get(0))
        .optional()?;
    Ok(body
        .and_then(|b| serde_json::from_str::<Event>(&b).ok())
        .map(|e| e.actor))
}
