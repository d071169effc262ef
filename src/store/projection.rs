//! Recording actions (journal + projections in one transaction) and reading incidents back.

use super::{Stamp, Store, StoreError, corrupt, journal, refs, roster};
use crate::domain::responder::{check_dispatchable, duty_moves};
use crate::domain::station::STATION_ITEM;
use crate::domain::{Event, EventId, EventKind, Incident, IncidentId, Received, Status};
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};
use std::collections::HashMap;

impl Store {
    /// Records a new incident: takes the next reference for `prefix` on `day` (the station's local
    /// date), appends `received` and then `more` (e.g. its triage), all in one transaction.
    pub fn create_incident(
        &mut self,
        mut received: Received,
        prefix: &str,
        day: NaiveDate,
        more: Vec<EventKind>,
        stamp: &Stamp,
    ) -> Result<Incident, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        received.reference = refs::next_reference(&tx, prefix, day)?;
        let id = IncidentId::v7_at(stamp.recorded_at);
        let first = make_event(id, EventKind::Received(received), stamp);
        let mut incident = Incident::from_received(&first)?;
        journal::append(&tx, &first)?;
        for kind in more {
            incident = apply_one(&tx, incident, make_event(id, kind, stamp))?;
        }
        save(&tx, &incident)?;
        tx.commit()?;
        Ok(incident)
    }

    /// Records one action (one or more events) on the item `reference` in one transaction.
    /// An illegal action writes nothing and says why.
    pub fn record(
        &mut self,
        reference: &str,
        kinds: Vec<EventKind>,
        stamp: &Stamp,
    ) -> Result<Incident, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let incident =
            load_by_ref(&tx, reference)?.ok_or_else(|| StoreError::NotFound(reference.into()))?;
        record_in(tx, incident, kinds, stamp)
    }

    /// Records one action on the item with this id, as [`Store::record`] does by reference.
    pub fn record_on(
        &mut self,
        id: IncidentId,
        kinds: Vec<EventKind>,
        stamp: &Stamp,
    ) -> Result<Incident, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let incident = load_by_id(&tx, id)?.ok_or_else(|| StoreError::NotFound(id.to_string()))?;
        record_in(tx, incident, kinds, stamp)
    }

    /// The item with this id.
    pub fn incident_by_id(&self, id: IncidentId) -> Result<Option<Incident>, StoreError> {
        load_by_id(&self.conn, id)
    }

    /// Appends events made elsewhere (e.g. pulled from the hub); an event already in the journal
    /// is skipped. Returns the incidents that changed.
    pub fn append_events(&mut self, events: &[Event]) -> Result<Vec<Incident>, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut changed: HashMap<IncidentId, Incident> = HashMap::new();
        for event in events {
            if journal::holds(&tx, event.id)? {
                continue;
            }
            if event.incident == STATION_ITEM {
                crate::domain::station::check(event).map_err(|e| corrupt("station event", e))?;
                journal::append(&tx, event)?;
                continue;
            }
            let before = match changed.remove(&event.incident) {
                Some(i) => Some(i),
                None => load_by_id(&tx, event.incident)?,
            };
            let after = match before {
                None => {
                    let i = Incident::from_received(event)?;
                    journal::append(&tx, event)?;
                    i
                }
                Some(i) => apply_one(&tx, i, event.clone())?,
            };
            changed.insert(after.id, after);
        }
        for incident in changed.values() {
            save(&tx, incident)?;
        }
        tx.commit()?;
        Ok(changed.into_values().collect())
    }

    /// The item with this reference.
    pub fn incident(&self, reference: &str) -> Result<Option<Incident>, StoreError> {
        let body: Option<String> = self
            .conn
            .query_row(
                "SELECT body FROM incidents WHERE ref = ?1",
                [reference],
                |r| r.get(0),
            )
            .optional()?;
        body.map(|b| parse_projection(reference, &b)).transpose()
    }

    /// Items, oldest first, optionally only those with the given status.
    pub fn incidents(&self, status: Option<Status>) -> Result<Vec<Incident>, StoreError> {
        match status {
            Some(s) => self.query_incidents(
                "SELECT ref, body FROM incidents WHERE status = ?1 ORDER BY received_at, ref",
                [s.code()],
            ),
            None => self.query_incidents(
                "SELECT ref, body FROM incidents ORDER BY received_at, ref",
                [],
            ),
        }
    }

    /// Items received at or after `since`, oldest first (candidates for repeat-call links).
    pub fn incidents_received_since(
        &self,
        since: DateTime<Utc>,
    ) -> Result<Vec<Incident>, StoreError> {
        self.query_incidents(
            "SELECT ref, body FROM incidents WHERE received_at >= ?1 ORDER BY received_at, ref",
            [sortable(since)],
        )
    }

    fn query_incidents<P: rusqlite::Params>(
        &self,
        sql: &str,
        params: P,
    ) -> Result<Vec<Incident>, StoreError> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt.query_map(params, |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        rows.map(|row| {
            let (reference, body) = row?;
            parse_projection(&reference, &body)
        })
        .collect()
    }

    /// Folds the whole journal from scratch into incidents, without touching the projection:
    /// per item, the events the hub accepted (in hub order), then the local ones still pending;
    /// events the hub rejected are left out.
    pub fn replay(&self) -> Result<HashMap<IncidentId, Incident>, StoreError> {
        self.replay_synced()
    }

    /// Rebuilds the incident projection from the journal (repair after damage).
    pub fn rebuild_projection(&mut self) -> Result<usize, StoreError> {
        let all = self.replay()?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute("DELETE FROM incidents", [])?;
        for incident in all.values() {
            save(&tx, incident)?;
        }
        tx.commit()?;
        Ok(all.len())
    }
}

/// Timestamps in columns sort as text: fixed width, UTC.
pub(super) fn sortable(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

fn make_event(incident: IncidentId, kind: EventKind, stamp: &Stamp) -> Event {
    Event {
        id: EventId::v7_at(stamp.recorded_at),
        incident,
        actor: stamp.actor.clone(),
        occurred_at: stamp.occurred_at,
        recorded_at: stamp.recorded_at,
        kind,
    }
}

/// Checks the roster, applies, appends, and moves responders; returns the incident after.
fn apply_one(tx: &Transaction<'_>, before: Incident, event: Event) -> Result<Incident, StoreError> {
    let sent: &[String] = match &event.kind {
        EventKind::Dispatched { responders, .. } => responders,
        EventKind::Reassigned { to, .. } => std::slice::from_ref(to),
        _ => &[],
    };
    for id in sent {
        let responder =
            roster::load(tx, id)?.ok_or_else(|| crate::domain::RosterError::Unknown(id.clone()))?;
        check_dispatchable(&responder)?;
    }
    let mut after = before.clone();
    after.apply(&event)?;
    journal::append(tx, &event)?;
    for mv in duty_moves(&before, &event.kind) {
        roster::follow(tx, &mv)?;
    }
    Ok(after)
}

pub(super) fn save(tx: &Transaction<'_>, incident: &Incident) -> Result<(), StoreError> {
    let body = serde_json::to_string(incident)?;
    // A hub restored from an earlier copy may give a reference again to another item: that
    // item is kept under the reference and the start of its id, never refused.
    let owner: Option<String> = tx
        .query_row(
            "SELECT id FROM incidents WHERE ref = ?1",
            [&incident.reference],
            |r| r.get(0),
        )
        .optional()?;
    let id = incident.id.to_string();
    let reference = match owner {
        Some(other) if other != id => {
            format!("{}/{}", incident.reference, id.get(..8).unwrap_or(&id))
        }
        _ => incident.reference.clone(),
    };
    tx.execute(
        "INSERT INTO incidents (id, ref, status, received_at, updated_at, phone, address, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at,
             phone = excluded.phone, address = excluded.address, body = excluded.body",
        params![
            id,
            reference,
            incident.status.code(),
            sortable(incident.received_at),
            sortable(incident.updated_at),
            incident.phone,
            incident.address,
            body
        ],
    )?;
    Ok(())
}

fn load_by_ref(tx: &Transaction<'_>, reference: &str) -> Result<Option<Incident>, StoreError> {
    let body: Option<String> = tx
        .query_row(
            "SELECT body FROM incidents WHERE ref = ?1",
            [reference],
            |r| r.get(0),
        )
        .optional()?;
    body.map(|b| parse_projection(reference, &b)).transpose()
}

pub(super) fn load_by_id(
    tx: &rusqlite::Connection,
    id: IncidentId,
) -> Result<Option<Incident>, StoreError> {
    let body: Option<String> = tx
        .query_row(
            "SELECT body FROM incidents WHERE id = ?1",
            [id.to_string()],
            |r| r.get(0),
        )
        .optional()?;
    body.map(|b| parse_projection(&id.to_string(), &b))
        .transpose()
}

fn parse_projection(reference: &str, body: &str) -> Result<Incident, StoreError> {
    serde_json::from_str(body).map_err(|e| corrupt(format!("item {reference}"), e))
}

/// Appends `kinds` to `incident` and saves it, committing `tx`.
fn record_in(
    tx: Transaction<'_>,
    mut incident: Incident,
    kinds: Vec<EventKind>,
    stamp: &Stamp,
) -> Result<Incident, StoreError> {
    for kind in kinds {
        let event = make_event(incident.id, kind, stamp);
        incident = apply_one(&tx, incident, event)?;
    }
    save(&tx, &incident)?;
    tx.commit()?;
    Ok(incident)
}
