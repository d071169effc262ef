//! Evidence checks beyond the hash chain: the projection the console reads must be exactly what
//! the journal folds into, and the journal must agree with what the hub holds of it.

use super::projection::sortable;
use super::{Store, StoreError};
use crate::domain::{Event, Incident, IncidentId};
use std::collections::{HashMap, HashSet};

/// The first way in which the projection differs from the journal's replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProjectionDifference {
    /// An item the journal holds has no row in the projection.
    Missing { reference: String },
    /// A row in the projection for an item the journal does not hold.
    Extra { reference: String },
    /// A row whose content differs from the journal's: the first differing field.
    Differs {
        reference: String,
        field: String,
        stored: String,
        journal: String,
    },
}

impl std::fmt::Display for ProjectionDifference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProjectionDifference::Missing { reference } => write!(
                f,
                "item {reference} is in the journal but missing from the projection"
            ),
            ProjectionDifference::Extra { reference } => write!(
                f,
                "item {reference} is in the projection but not in the journal"
            ),
            ProjectionDifference::Differs {
                reference,
                field,
                stored,
                journal,
            } => write!(
                f,
                "item {reference}: the projection's {field} is {stored}, the journal says {journal}"
            ),
        }
    }
}

/// The first disagreement between the local journal and the hub's copy of this station's events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReceiptDifference {
    /// The hub accepted an event this journal no longer holds (removed or truncated).
    MissingHere { event_id: String, seq: i64 },
    /// The event's content here differs from what the hub accepted (rewritten and re-hashed).
    Altered { event_id: String, seq: i64 },
    /// A row claims a hub sequence number the hub never gave it (so it would never be pushed).
    FalseReceipt { event_id: String, seq: i64 },
}

impl std::fmt::Display for ReceiptDifference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReceiptDifference::MissingHere { event_id, seq } => write!(
                f,
                "event {event_id} (hub sequence {seq}) was accepted by the hub but is missing from this journal"
            ),
            ReceiptDifference::Altered { event_id, seq } => write!(
                f,
                "event {event_id} (hub sequence {seq}) differs from the copy the hub accepted"
            ),
            ReceiptDifference::FalseReceipt { event_id, seq } => write!(
                f,
                "event {event_id} is marked as accepted by the hub at sequence {seq}, but the hub holds no such event there"
            ),
        }
    }
}

/// The `sync_state` key of this journal's id, and the mark that keeps its value text.
const JOURNAL_KEY: &str = "journal_id";
const JOURNAL_MARK: &str = "j:";

/// A journal head this console reported to the hub that its journal no longer holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeadDifference {
    /// The journal ends before a row it reported: rows were removed from its end.
    Truncated { pos: i64, last: i64 },
    /// The row is there but its hash is not the one reported: the journal up to it was
    /// rewritten and re-hashed.
    Rehashed { pos: i64 },
}

impl std::fmt::Display for HeadDifference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HeadDifference::Truncated { pos, last } => write!(
                f,
                "this journal ends at row {last}, but it reported row {pos} to the hub: rows after {last} were removed"
            ),
            HeadDifference::Rehashed { pos } => write!(
                f,
                "journal row {pos} is not the one this journal reported to the hub (its hash differs): the journal up to row {pos} was rewritten and re-hashed"
            ),
        }
    }
}

impl Store {
    /// The journal position and hash of an event's row, for reporting a head to the hub.
    pub fn journal_link(
        &self,
        event: crate::domain::EventId,
    ) -> Result<Option<(i64, String)>, StoreError> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .prepare_cached("SELECT pos, hash FROM journal WHERE id = ?1")?
            .query_row([event.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    /// Which journal this is, for the heads it reports: a random id made with its first
    /// reported head (`None` before that). A journal rebuilt from the hub is another one.
    pub fn journal_key(&self) -> Result<Option<String>, StoreError> {
        use rusqlite::OptionalExtension;
        let stored: Option<String> = self
            .conn
            .prepare_cached("SELECT value FROM sync_state WHERE key = ?1")?
            .query_row([JOURNAL_KEY], |r| r.get(0))
            .optional()?;
        Ok(stored.and_then(|v| v.strip_prefix(JOURNAL_MARK).map(str::to_string)))
    }

    /// The head to report after pushing `event`: journal id (made now if need be), position
    /// and row hash.
    pub fn head_after(
        &mut self,
        event: crate::domain::EventId,
    ) -> Result<Option<(String, i64, String)>, StoreError> {
        let Some((pos, hash)) = self.journal_link(event)? else {
            return Ok(None);
        };
        let key = match self.journal_key()? {
            Some(k) => k,
            None => {
                let mut bytes = [0u8; 32];
                rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
                let key = hex::encode(bytes);
                self.conn.execute(
                    "INSERT INTO sync_state (key, value) VALUES (?1, ?2)",
                    rusqlite::params![JOURNAL_KEY, format!("{JOURNAL_MARK}{key}")],
                )?;
                key
            }
        };
        Ok(Some((key, pos, hash)))
    }

    /// Compares the journal with the heads it reported to the hub (`(pos, hash)`): each row must
    /// still be there with the same hash. The lowest position that does not hold; `None` when all do.
    pub fn check_heads(
        &self,
        heads: &[(i64, String)],
    ) -> Result<Option<HeadDifference>, StoreError> {
        let mut sorted: Vec<&(i64, String)> = heads.iter().collect();
        sorted.sort();
        let last: i64 =
            self.conn
                .query_row("SELECT COALESCE(MAX(pos), 0) FROM journal", [], |r| {
                    r.get(0)
                })?;
        let mut stmt = self
            .conn
            .prepare_cached("SELECT hash FROM journal WHERE pos = ?1")?;
        for (pos, hash) in sorted {
            let here: Option<String> = {
                use rusqlite::OptionalExtension;
                stmt.query_row([pos], |r| r.get(0)).optional()?
            };
            match here {
                None if *pos > last => {
                    return Ok(Some(HeadDifference::Truncated { pos: *pos, last }));
                }
                Some(h) if &h == hash => {}
                _ => return Ok(Some(HeadDifference::Rehashed { pos: *pos })),
            }
        }
        Ok(None)
    }

    /// Compares the projection with a fresh replay of the journal; `None` when they agree.
    pub fn check_projection(&self) -> Result<Option<ProjectionDifference>, StoreError> {
        let journal = self.replay()?;
        let mut seen = HashSet::new();
        let mut stmt = self.conn.prepare(
            "SELECT id, ref, status, received_at, updated_at, phone, address, body FROM incidents ORDER BY received_at, ref",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let id: String = r.get(0)?;
            let reference: String = r.get(1)?;
            let replayed = IncidentId::parse(&id).and_then(|id| journal.get(&id));
            let Some(replayed) = replayed else {
                return Ok(Some(ProjectionDifference::Extra { reference }));
            };
            seen.insert(replayed.id);
            let columns = [
                (
                    "reference",
                    Some(reference.clone()),
                    Some(replayed.reference.clone()),
                ),
                (
                    "status",
                    r.get(2)?,
                    Some(replayed.status.code().to_string()),
                ),
                (
                    "received_at",
                    r.get(3)?,
                    Some(sortable(replayed.received_at)),
                ),
                ("updated_at", r.get(4)?, Some(sortable(replayed.updated_at))),
                ("phone", r.get(5)?, replayed.phone.clone()),
                ("address", r.get(6)?, replayed.address.clone()),
            ];
            for (field, stored, expected) in columns {
                if stored != expected {
                    return Ok(Some(differs(&replayed.reference, field, stored, expected)));
                }
            }
            let body: String = r.get(7)?;
            if let Some(d) = body_difference(&replayed.reference, &body, replayed)? {
                return Ok(Some(d));
            }
        }
        let mut missing: Vec<&Incident> =
            journal.values().filter(|i| !seen.contains(&i.id)).collect();
        missing.sort_by(|a, b| a.reference.cmp(&b.reference));
        Ok(missing.first().map(|i| ProjectionDifference::Missing {
            reference: i.reference.clone(),
        }))
    }

    /// Compares the journal with the hub's copy of this station's events (`(seq, event)` in hub
    /// order): every event the hub accepted must be here unchanged, and every row here that claims
    /// a hub sequence number must be the hub's event at that number. `None` when they agree.
    pub fn check_receipts(
        &self,
        hub: &[(i64, Event)],
    ) -> Result<Option<ReceiptDifference>, StoreError> {
        let mut here: HashMap<String, (Option<i64>, String)> = HashMap::new();
        let mut stmt = self.conn.prepare("SELECT id, hub_seq, body FROM journal")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            here.insert(r.get(0)?, (r.get(1)?, r.get(2)?));
        }
        let mut by_seq: HashMap<i64, String> = HashMap::new();
        for (seq, event) in hub {
            let id = event.id.to_string();
            by_seq.insert(*seq, id.clone());
            let Some((_, body)) = here.get(&id) else {
                return Ok(Some(ReceiptDifference::MissingHere {
                    event_id: id,
                    seq: *seq,
                }));
            };
            let local: Event = serde_json::from_str(body)
                .map_err(|e| super::corrupt(format!("journal event {id}"), e))?;
            if &local != event {
                return Ok(Some(ReceiptDifference::Altered {
                    event_id: id,
                    seq: *seq,
                }));
            }
        }
        let mut claimed: Vec<(i64, &String)> = here
            .iter()
            .filter_map(|(id, (seq, _))| seq.filter(|s| *s >= 0).map(|s| (s, id)))
            .collect();
        claimed.sort();
        for (seq, id) in claimed {
            if by_seq.get(&seq) != Some(id) {
                return Ok(Some(ReceiptDifference::FalseReceipt {
                    event_id: id.clone(),
                    seq,
                }));
            }
        }
        Ok(None)
    }
}

fn differs(
    reference: &str,
    field: &str,
    stored: Option<String>,
    journal: Option<String>,
) -> ProjectionDifference {
    let show = |v: Option<String>| v.map_or_else(|| "empty".to_string(), |v| format!("\"{v}\""));
    ProjectionDifference::Differs {
        reference: reference.to_string(),
        field: field.to_string(),
        stored: show(stored),
        journal: show(journal),
    }
}

/// The first top-level field in which the stored body differs from the replayed item.
fn body_difference(
    reference: &str,
    body: &str,
    replayed: &Incident,
) -> Result<Option<ProjectionDifference>, StoreError> {
    let stored: serde_json::Value = match serde_json::from_str(body) {
        Ok(v) => v,
        Err(_) => {
            return Ok(Some(differs(
                reference,
                "content",
                Some("unreadable".into()),
                Some("readable".into()),
            )));
        }
    };
    let expected: serde_json::Value = serde_json::from_str(&serde_json::to_string(replayed)?)?;
    let (Some(stored), Some(expected)) = (stored.as_object(), expected.as_object()) else {
        return Ok(Some(differs(reference, "content", None, None)));
    };
    for (key, want) in expected {
        let got = stored.get(key).unwrap_or(&serde_json::Value::Null);
        if got != want {
            return Ok(Some(differs(
                reference,
                key,
                Some(got.to_string().trim_matches('"').to_string()),
                Some(want.to_string().trim_matches('"').to_string()),
            )));
        }
    }
    if let Some(extra) = stored.keys().find(|k| !expected.contains_key(*k)) {
        return Ok(Some(differs(reference, extra, Some("set".into()), None)));
    }
    Ok(None)
}
