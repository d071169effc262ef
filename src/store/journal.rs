//! The append-only journal: each row's hash covers the previous row's hash and the event's
//! canonical bytes, so any change to a stored event breaks the chain from that row on.

use super::{Store, StoreError, corrupt};
use crate::domain::{Event, IncidentId};
use rusqlite::{Transaction, params};
use sha2::{Digest, Sha256};

/// Hash that stands before the first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An event as stored, with its place in the journal.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    /// Local position (1, 2, …).
    pub pos: i64,
    pub event: Event,
    /// Sequence number given by the hub once it accepted the event.
    pub hub_seq: Option<i64>,
}

/// What `audit verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditOutcome {
    /// Every row chains to the one before it.
    Intact { events: u64 },
    /// The first row that does not hold, and why.
    Broken {
        pos: i64,
        event_id: String,
        reason: String,
    },
}

/// The canonical bytes of an event: its JSON with fields in declaration order.
pub fn canonical_bytes(event: &Event) -> Result<String, StoreError> {
    Ok(serde_json::to_string(event)?)
}

/// SHA-256 over the previous hash (hex text) and the canonical bytes, as hex.
pub fn chain_hash(prev: &str, body: &str) -> String {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(body.as_bytes());
    hex::encode(h.finalize())
}

/// Appends one event inside the caller's transaction.
pub(super) fn append(tx: &Transaction<'_>, event: &Event) -> Result<i64, StoreError> {
    let prev: String = tx
        .query_row(
            "SELECT hash FROM journal ORDER BY pos DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(GENESIS.to_string()),
            other => Err(other),
        })?;
    let body = canonical_bytes(event)?;
    let hash = chain_hash(&prev, &body);
    tx.execute(
        "INSERT INTO journal (id, incident_id, kind, body, hash) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            event.id.to_string(),
            event.incident.to_string(),
            event.kind.name(),
            body,
            hash
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

/// Whether the journal already holds the event with this id.
pub(super) fn holds(
    conn: &rusqlite::Connection,
    id: crate::domain::EventId,
) -> Result<bool, StoreError> {
    use rusqlite::OptionalExtension;
    let pos: Option<i64> = conn
        .query_row(
            "SELECT pos FROM journal WHERE id = ?1",
            [id.to_string()],
            |r| r.get(0),
        )
        .optional()?;
    Ok(pos.is_some())
}

fn decode(pos: i64, body: &str) -> Result<Event, StoreError> {
    serde_json::from_str(body).map_err(|e| corrupt(format!("journal row {pos}"), e))
}

impl Store {
    /// Every event of one incident, in journal order.
    pub fn events_of(&self, incident: IncidentId) -> Result<Vec<StoredEvent>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT pos, body, hub_seq FROM journal WHERE incident_id = ?1 ORDER BY pos",
        )?;
        let rows = stmt.query_map([incident.to_string()], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<i64>>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (pos, body, hub_seq) = row?;
            out.push(StoredEvent {
                pos,
                event: decode(pos, &body)?,
                hub_seq,
            });
        }
        Ok(out)
    }

    /// Calls `each` for every event in journal order after position `after`, reading in pages.
    pub fn scan_events(
        &self,
        after: i64,
        mut each: impl FnMut(StoredEvent) -> Result<(), StoreError>,
    ) -> Result<i64, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT pos, body, hub_seq FROM journal WHERE pos > ?1 ORDER BY pos")?;
        let mut rows = stmt.query([after])?;
        let mut last = after;
        while let Some(r) = rows.next()? {
            let pos: i64 = r.get(0)?;
            let body: String = r.get(1)?;
            let hub_seq: Option<i64> = r.get(2)?;
            last = pos;
            each(StoredEvent {
                pos,
                event: decode(pos, &body)?,
                hub_seq,
            })?;
        }
        Ok(last)
    }

    /// Number of events in the journal.
    pub fn event_count(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT COUNT(*) FROM journal", [], |r| r.get(0))?)
    }

    /// Walks the whole journal and checks every link of the hash chain, and that every row's
    /// columns agree with its event.
    pub fn audit(&self) -> Result<AuditOutcome, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT pos, id, incident_id, kind, body, hash FROM journal ORDER BY pos")?;
        let mut rows = stmt.query([])?;
        let mut prev = GENESIS.to_string();
        let mut count = 0u64;
        while let Some(r) = rows.next()? {
            let pos: i64 = r.get(0)?;
            let id: String = r.get(1)?;
            let incident: String = r.get(2)?;
            let kind: String = r.get(3)?;
            let body: String = r.get(4)?;
            let hash: String = r.get(5)?;
            let broken = |reason: String| AuditOutcome::Broken {
                pos,
                event_id: id.clone(),
                reason,
            };
            if chain_hash(&prev, &body) != hash {
                return Ok(broken(
                    "its hash does not match its content and the row before it: the event or an earlier one was altered or removed".into(),
                ));
            }
            match serde_json::from_str::<Event>(&body) {
                Err(e) => return Ok(broken(format!("its content is not a readable event: {e}"))),
                Ok(event) => {
                    if event.id.to_string() != id
                        || event.incident.to_string() != incident
                        || event.kind.name() != kind
                    {
                        return Ok(broken(
                            "its id, item or kind columns disagree with its content".into(),
                        ));
                    }
                }
            }
            prev = hash;
            count += 1;
        }
        Ok(AuditOutcome::Intact { events: count })
    }
}
