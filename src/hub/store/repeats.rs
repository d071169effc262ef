//! The writer's index of items by phone and by address, so that an intake finds its repeat-call
//! candidates (重复报警) without reading and decoding every item its station received in the window.
//!
//! The index only narrows: it names items that may match, and the writer loads those and lets the
//! shared planner decide. So an entry left behind by a job that was undone is harmless (its item
//! is simply not found), while every item of a station received at or after the station's floor
//! is always named.

use super::HubStoreError;
use crate::domain::{Event, EventKind, Incident, IncidentId};
use crate::triage::{normalize_address, normalize_phone};
use chrono::{DateTime, TimeDelta, Utc};
use rusqlite::{Connection, params};
use std::collections::HashMap;

/// How far below the first window asked for a station's index reaches, so that an intake a
/// little older than the last one (a connector's own `received_at`) is still answered from it.
const MARGIN: TimeDelta = TimeDelta::hours(1);

/// A normalised phone or address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Phone(String),
    Address(String),
}

/// Items by phone and address, per station.
#[derive(Default)]
pub(super) struct Repeats {
    stations: HashMap<String, Index>,
}

struct Index {
    /// Every item of the station received at or after this is named.
    floor: DateTime<Utc>,
    by_key: HashMap<Key, Vec<(DateTime<Utc>, IncidentId)>>,
}

fn keys(phone: Option<&str>, address: Option<&str>) -> Vec<Key> {
    let phone = phone.map(normalize_phone).filter(|p| !p.is_empty());
    let address = address.map(normalize_address).filter(|a| !a.is_empty());
    phone
        .map(Key::Phone)
        .into_iter()
        .chain(address.map(Key::Address))
        .collect()
}

/// The keys an item with `phone` and `address` is found by, as text (`p:…`, `a:…`), for a
/// backend that keeps them in a table.
pub(super) fn key_texts(phone: Option<&str>, address: Option<&str>) -> Vec<String> {
    keys(phone, address)
        .into_iter()
        .map(|k| match k {
            Key::Phone(p) => format!("p:{p}"),
            Key::Address(a) => format!("a:{a}"),
        })
        .collect()
}

impl Index {
    fn add(
        &mut self,
        phone: Option<&str>,
        address: Option<&str>,
        at: DateTime<Utc>,
        id: IncidentId,
    ) {
        if at < self.floor {
            return;
        }
        for key in keys(phone, address) {
            self.by_key.entry(key).or_default().push((at, id));
        }
    }

    /// Raises the floor when the window has moved well past it, dropping what fell below.
    fn advance(&mut self, since: DateTime<Utc>) {
        if since - self.floor <= MARGIN * 2 {
            return;
        }
        self.floor = since - MARGIN;
        let floor = self.floor;
        self.by_key.retain(|_, items| {
            items.retain(|(at, _)| *at >= floor);
            !items.is_empty()
        });
    }
}

impl Repeats {
    /// Notes the items that recorded events create (their `received` events).
    pub(super) fn note<'a>(&mut self, events: impl IntoIterator<Item = (&'a str, &'a Event)>) {
        for (station, event) in events {
            let EventKind::Received(r) = &event.kind else {
                continue;
            };
            if let Some(index) = self.stations.get_mut(station) {
                let (phone, address) = (r.phone.as_deref(), r.address.as_deref());
                index.add(phone, address, event.occurred_at, event.incident);
            }
        }
    }

    /// The station's items received at or after `since` that may share the phone or address,
    /// oldest first, read inside the writer's transaction.
    pub(super) fn candidates(
        &mut self,
        conn: &Connection,
        station: &str,
        phone: Option<&str>,
        address: Option<&str>,
        since: DateTime<Utc>,
    ) -> Result<Vec<Incident>, HubStoreError> {
        let wanted = keys(phone, address);
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        if !self.stations.contains_key(station) {
            let index = load(conn, station, since - MARGIN)?;
            self.stations.insert(station.to_string(), index);
        }
        let Some(index) = self.stations.get_mut(station) else {
            return Ok(Vec::new());
        };
        if since < index.floor {
            return super::writer::received_since(conn, station, since);
        }
        index.advance(since);
        let mut ids: Vec<(DateTime<Utc>, IncidentId)> = wanted
            .iter()
            .filter_map(|k| index.by_key.get(k))
            .flatten()
            .filter(|(at, _)| *at >= since - TimeDelta::seconds(1))
            .copied()
            .collect();
        ids.sort();
        ids.dedup_by_key(|(_, id)| *id);
        let mut out = Vec::with_capacity(ids.len());
        for (_, id) in ids {
            if let Some(item) = super::writer::load_incident(conn, id)? {
                out.push(item);
            }
        }
        out.sort_by_key(|i| i.received_at);
        Ok(out)
    }
}

/// The station's index from its items received at or after `floor`.
fn load(conn: &Connection, station: &str, floor: DateTime<Utc>) -> Result<Index, HubStoreError> {
    let mut index = Index {
        floor,
        by_key: HashMap::new(),
    };
    let from = super::writer::stored_time(floor - TimeDelta::seconds(1))?;
    let mut stmt = conn.prepare_cached(
        "SELECT id, received_at, json_extract(body, '$.phone'), json_extract(body, '$.address')
         FROM incidents WHERE station = ?1 AND received_at >= ?2",
    )?;
    let rows = stmt.query_map(params![station, from], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<String>>(2)?,
            r.get::<_, Option<String>>(3)?,
        ))
    })?;
    for row in rows {
        let (id, at, phone, address) = row?;
        let bad = || HubStoreError::Corrupt(format!("stored item {id}"));
        let incident = IncidentId::parse(&id).ok_or_else(bad)?;
        let at = at.parse::<DateTime<Utc>>().map_err(|_| bad())?;
        index.add(phone.as_deref(), address.as_deref(), at, incident);
    }
    Ok(index)
}
