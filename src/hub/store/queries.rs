//! Read queries of the SQLite backend that are more than a lookup: item histories, the police
//! feed and statistics.

use super::{HubStoreError, PolicePage, writer};
use crate::domain::{Event, IncidentId};
use crate::protocol::{PoliceItem, SeqEvent, StationStats, Stats};
use rusqlite::{Connection, params};

pub(super) fn parse_event(body: &str) -> Result<Event, HubStoreError> {
    serde_json::from_str(body).map_err(|e| HubStoreError::Corrupt(format!("stored event: {e}")))
}

pub(super) fn events_of(conn: &Connection, id: IncidentId) -> Result<Vec<SeqEvent>, HubStoreError> {
    let mut stmt =
        conn.prepare_cached("SELECT seq, body FROM events WHERE incident = ?1 ORDER BY seq")?;
    seq_events(stmt.query_map([id.to_string()], seq_and_body)?)
}

/// Every station's events after sequence `after`, at most `limit`, in sequence order.
pub fn all_events(
    conn: &Connection,
    after: i64,
    limit: usize,
) -> Result<Vec<SeqEvent>, HubStoreError> {
    let mut stmt =
        conn.prepare_cached("SELECT seq, body FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2")?;
    seq_events(stmt.query_map(params![after, limit as i64], seq_and_body)?)
}

fn seq_and_body(r: &rusqlite::Row<'_>) -> rusqlite::Result<(i64, String)> {
    Ok((r.get(0)?, r.get(1)?))
}

fn seq_events(
    rows: impl Iterator<Item = rusqlite::Result<(i64, String)>>,
) -> Result<Vec<SeqEvent>, HubStoreError> {
    let mut out = Vec::new();
    for row in rows {
        let (seq, body) = row?;
        out.push(SeqEvent {
            seq,
            event: parse_event(&body)?,
        });
    }
    Ok(out)
}

/// Items handed to the police after feed position `after`.
pub(super) fn police_feed(
    c: &Connection,
    after: i64,
    limit: usize,
) -> Result<PolicePage, HubStoreError> {
    let mut stmt = c.prepare_cached(
        "SELECT seq, incident, acked_at FROM police_feed WHERE seq > ?1 ORDER BY seq LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![after, (limit + 1) as i64], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<String>>(2)?,
        ))
    })?;
    let rows: Vec<_> = rows.collect::<Result<_, _>>()?;
    let more = rows.len() > limit;
    let mut items = Vec::new();
    for (seq, id, acked) in rows.into_iter().take(limit) {
        let id = IncidentId::parse(&id)
            .ok_or_else(|| HubStoreError::Corrupt(format!("police feed item {id}")))?;
        let incident = writer::load_incident(c, id)?
            .ok_or_else(|| HubStoreError::Corrupt(format!("police feed item {id}")))?;
        let events = events_of(c, id)?.into_iter().map(|e| e.event).collect();
        items.push(PoliceItem {
            seq,
            incident,
            events,
            acked: acked.is_some(),
        });
    }
    Ok(PolicePage { items, more })
}

/// Counts per station.
pub(super) fn stats(c: &Connection) -> Result<Stats, HubStoreError> {
    let mut stmt = c.prepare_cached(
        "SELECT s.id, i.status, COUNT(i.id) FROM stations s
         LEFT JOIN incidents i ON i.station = s.id GROUP BY s.id, i.status ORDER BY s.id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, Option<String>>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })?;
    let rows: Vec<_> = rows.collect::<Result<_, _>>()?;
    let (events, last_seq): (i64, Option<i64>) =
        c.query_row("SELECT COUNT(*), MAX(seq) FROM events", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    Ok(tally(rows, events, last_seq))
}

/// Statistics from (station, status, count) rows ordered by station (a station without items
/// has one row with no status), the number of events and the last sequence.
pub(super) fn tally(
    rows: Vec<(String, Option<String>, i64)>,
    events: i64,
    last_seq: Option<i64>,
) -> Stats {
    let mut stations: Vec<StationStats> = Vec::new();
    for (station, status, n) in rows {
        if stations.last().is_none_or(|s| s.station != station) {
            stations.push(StationStats {
                station: station.clone(),
                incidents: 0,
                open: 0,
                to_police: 0,
                closed: 0,
            });
        }
        let Some(s) = stations.last_mut() else {
            continue;
        };
        let Some(status) = status else { continue };
        let n = n.max(0) as u64;
        s.incidents += n;
        if writer::is_open(&status) {
            s.open += n;
        }
        match status.as_str() {
            "to_police" => s.to_police += n,
            "closed" => s.closed += n,
            _ => {}
        }
    }
    Stats {
        stations,
        events: events.max(0) as u64,
        last_seq: last_seq.unwrap_or(0),
    }
}
