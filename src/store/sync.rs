//! What the hub sync needs from the local store: the outbox (journal rows the hub has neither
//! accepted nor rejected), the pull cursor, and rebuilding items from accepted events plus the
//! still-pending ones. Each call is one transaction.

use super::projection::{load_by_id, save};
use super::{Store, StoreError, corrupt, journal};
use crate::domain::station::STATION_ITEM;
use crate::domain::{Event, EventId, Incident, IncidentId};
use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};
use std::collections::{BTreeSet, HashMap};

/// An item's events split into accepted (with hub sequence) and pending.
type Split = (Vec<(i64, Event)>, Vec<Event>);

const CURSOR_KEY: &str = "pull_cursor";

/// A rejection the officer must be told about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub event: EventId,
    pub reference: String,
    pub message: String,
}

/// What applying one pulled page did.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Pulled {
    /// Events new to this store.
    pub new_events: usize,
    /// Items as they are now, after rebuilding.
    pub changed: Vec<Incident>,
    /// Station events new to this store (mode switches, notes, samples).
    pub station_events: usize,
}

/// The item as the hub's accepted events make it, followed by the local events still waiting,
/// each applied only if the lifecycle allows it after the accepted ones. Returns the item (if any
/// event starts it) and the pending events that no longer apply.
pub fn reconcile(accepted: &[Event], pending: &[Event]) -> (Option<Incident>, Vec<EventId>) {
    let mut incident: Option<Incident> = None;
    let mut dropped = Vec::new();
    for (event, is_pending) in accepted
        .iter()
        .map(|e| (e, false))
        .chain(pending.iter().map(|e| (e, true)))
    {
        let ok = match &mut incident {
            None => match Incident::from_received(event) {
                Ok(i) => {
                    incident = Some(i);
                    true
                }
                Err(_) => false,
            },
            Some(i) => i.apply(event).is_ok(),
        };
        if !ok && is_pending {
            dropped.push(event.id);
        }
    }
    (incident, dropped)
}

impl Store {
    /// Local events not yet accepted or rejected by the hub, oldest first.
    pub fn outbox(&self, limit: usize) -> Result<Vec<Event>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT pos, body FROM journal WHERE hub_seq IS NULL AND rejected IS NULL ORDER BY pos LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })?;
        rows.map(|row| {
            let (pos, body) = row?;
            serde_json::from_str(&body).map_err(|e| corrupt(format!("journal row {pos}"), e))
        })
        .collect()
    }

    /// How many local events wait for the hub.
    pub fn outbox_len(&self) -> Result<i64, StoreError> {
        Ok(self.conn.query_row(
            "SELECT COUNT(*) FROM journal WHERE hub_seq IS NULL AND rejected IS NULL",
            [],
            |r| r.get(0),
        )?)
    }

    /// The hub sequence number up to which this store has pulled.
    pub fn pull_cursor(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT value FROM sync_state WHERE key = ?1",
                [CURSOR_KEY],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(0))
    }

    /// Records the hub's answers to a push: accepted (or duplicate) events get their sequence
    /// number; rejected ones leave the outbox, their items are rebuilt without them, and a notice
    /// is kept for the officer. Returns the notices and the rebuilt items.
    pub fn settle_push(
        &mut self,
        accepted: &[(EventId, i64)],
        rejected: &[(EventId, String)],
    ) -> Result<(Vec<Notice>, Vec<Incident>), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        for (id, seq) in accepted {
            tx.execute(
                "UPDATE journal SET hub_seq = ?2 WHERE id = ?1 AND hub_seq IS NULL",
                params![id.to_string(), seq],
            )?;
        }
        let mut touched = BTreeSet::new();
        let mut notices = Vec::new();
        for (id, reason) in rejected {
            let incident: Option<String> = tx
                .query_row(
                    "UPDATE journal SET rejected = ?2 WHERE id = ?1 AND hub_seq IS NULL RETURNING incident_id",
                    params![id.to_string(), reason],
                    |r| r.get(0),
                )
                .optional()?;
            let Some(incident) = incident.and_then(|i| IncidentId::parse(&i)) else {
                continue;
            };
            touched.insert(incident);
            if incident == STATION_ITEM {
                notices.push(Notice {
                    event: *id,
                    reference: "指挥室".into(),
                    message: reason.clone(),
                });
                continue;
            }
            let reference = load_by_id(&tx, incident)?
                .map(|i| i.reference)
                .unwrap_or_else(|| incident.to_string());
            notices.push(Notice {
                event: *id,
                reference,
                message: reason.clone(),
            });
        }
        let changed = rebuild_items(&tx, &touched)?;
        tx.commit()?;
        Ok((notices, changed))
    }

    /// Applies one pulled page and advances the cursor, in one transaction: new events are
    /// appended with their sequence numbers, known ones get theirs, touched items are rebuilt.
    pub fn apply_pulled(
        &mut self,
        events: &[(i64, Event)],
        cursor: i64,
    ) -> Result<Pulled, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut touched = BTreeSet::new();
        let mut fresh = BTreeSet::new();
        let mut new_events = 0;
        let mut station_events = 0;
        let mut states: HashMap<IncidentId, Incident> = HashMap::new();
        for (seq, event) in events {
            let known: Option<i64> = tx
                .query_row(
                    "SELECT pos FROM journal WHERE id = ?1",
                    [event.id.to_string()],
                    |r| r.get(0),
                )
                .optional()?;
            match known {
                Some(pos) => {
                    tx.execute(
                        "UPDATE journal SET hub_seq = ?2, rejected = NULL WHERE pos = ?1 AND (hub_seq IS NULL OR hub_seq < 0)",
                        params![pos, seq],
                    )?;
                }
                None => {
                    if event.incident == STATION_ITEM {
                        station_events += 1;
                    }
                    fresh.insert(event.incident);
                    move_responders(&tx, &mut states, event)?;
                    let pos = journal::append(&tx, event)?;
                    tx.execute(
                        "UPDATE journal SET hub_seq = ?2 WHERE pos = ?1",
                        params![pos, seq],
                    )?;
                    new_events += 1;
                }
            }
            touched.insert(event.incident);
        }
        let mut changed = rebuild_items(&tx, &touched)?;
        changed.retain(|i| fresh.contains(&i.id));
        tx.execute(
            "INSERT INTO sync_state (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = MAX(value, excluded.value)",
            params![CURSOR_KEY, cursor],
        )?;
        tx.commit()?;
        Ok(Pulled {
            new_events,
            changed,
            station_events,
        })
    }
}

impl Store {
    /// See [`Store::replay`].
    pub(super) fn replay_synced(&self) -> Result<HashMap<IncidentId, Incident>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT pos, body, hub_seq FROM journal WHERE rejected IS NULL ORDER BY pos",
        )?;
        let mut rows = stmt.query([])?;
        let mut by_item: HashMap<IncidentId, Split> = HashMap::new();
        while let Some(r) = rows.next()? {
            let pos: i64 = r.get(0)?;
            let body: String = r.get(1)?;
            let seq: Option<i64> = r.get(2)?;
            let event: Event = serde_json::from_str(&body)
                .map_err(|e| corrupt(format!("journal row {pos}"), e))?;
            if event.incident == STATION_ITEM {
                continue;
            }
            let entry = by_item.entry(event.incident).or_default();
            match seq {
                Some(seq) => entry.0.push((seq, event)),
                None => entry.1.push(event),
            }
        }
        let mut out = HashMap::new();
        for (id, (mut accepted, pending)) in by_item {
            accepted.sort_by_key(|(seq, _)| *seq);
            let accepted: Vec<Event> = accepted.into_iter().map(|(_, e)| e).collect();
            let (incident, dropped) = reconcile(&accepted, &pending);
            if accepted.is_empty() && !dropped.is_empty() {
                return Err(corrupt(
                    format!("item {id}"),
                    "a local event does not follow from the ones before it",
                ));
            }
            if let Some(i) = incident {
                out.insert(id, i);
            }
        }
        Ok(out)
    }
}

/// The events of `id` not rejected: those the hub accepted, in its order, and the pending ones,
/// in local order.
pub(super) fn split_of(
    conn: &rusqlite::Connection,
    id: IncidentId,
) -> Result<(Vec<Event>, Vec<Event>), StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT pos, body, hub_seq FROM journal WHERE incident_id = ?1 AND rejected IS NULL ORDER BY pos",
    )?;
    let rows = stmt.query_map([id.to_string()], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<i64>>(2)?,
        ))
    })?;
    let mut accepted = Vec::new();
    let mut pending = Vec::new();
    for row in rows {
        let (pos, body, seq) = row?;
        let event: Event =
            serde_json::from_str(&body).map_err(|e| corrupt(format!("journal row {pos}"), e))?;
        match seq {
            Some(seq) => accepted.push((seq, event)),
            None => pending.push(event),
        }
    }
    accepted.sort_by_key(|(seq, _)| *seq);
    Ok((accepted.into_iter().map(|(_, e)| e).collect(), pending))
}

/// Rebuilds each item from its accepted events (hub order) and pending ones (local order).
fn rebuild_items(
    tx: &Transaction<'_>,
    ids: &BTreeSet<IncidentId>,
) -> Result<Vec<Incident>, StoreError> {
    let mut out = Vec::new();
    for id in ids.iter().filter(|id| **id != STATION_ITEM) {
        let (accepted, pending) = split_of(tx, *id)?;
        match reconcile(&accepted, &pending) {
            (Some(incident), _) => {
                save(tx, &incident)?;
                out.push(incident);
            }
            // Every event that made the item was rejected: it no longer exists.
            (None, _) => {
                tx.execute("DELETE FROM incidents WHERE id = ?1", [id.to_string()])?;
            }
        }
    }
    Ok(out)
}

/// Moves the local roster as a pulled event says (another workstation's dispatch, arrival, close…),
/// following the item's state through the page.
fn move_responders(
    tx: &Transaction<'_>,
    states: &mut HashMap<IncidentId, Incident>,
    event: &Event,
) -> Result<(), StoreError> {
    if event.incident == STATION_ITEM {
        return Ok(());
    }
    if !states.contains_key(&event.incident)
        && let Some(current) = load_by_id(tx, event.incident)?
    {
        states.insert(event.incident, current);
    }
    match states.get_mut(&event.incident) {
        Some(before) => {
            for mv in crate::domain::responder::duty_moves(before, &event.kind) {
                super::roster::follow(tx, &mv)?;
            }
            let _ = before.apply(event);
        }
        None => {
            if let Ok(started) = Incident::from_received(event) {
                states.insert(event.incident, started);
            }
        }
    }
    Ok(())
}
