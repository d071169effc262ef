//! The hub's own hash chain over what it accepted (each event and each intake, in the order the
//! writer recorded them) and what consoles told it (the heads of their journals). Each link's hash
//! covers the link before it and the link's canonical body; an event link holds the digest of the
//! event's stored bytes, so an edited, removed or added event row is caught against the chain.

use super::HubStoreError;
use crate::protocol::{ChainHead, ReportedHead};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Hash that stands before the first link.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The `hub_meta` key saying from which event sequence on the chain was kept as events came
/// (earlier ones were linked once, when the chain was introduced).
const SINCE_KEY: &str = "chain_since";

/// What one link records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "link", rename_all = "snake_case")]
pub enum Link {
    /// An accepted event: its sequence, station and the SHA-256 of its stored bytes.
    Event {
        seq: i64,
        station: String,
        digest: String,
    },
    /// An intake's key: which connector's number became which item.
    Intake {
        connector: String,
        source: String,
        source_ref: String,
        incident: String,
    },
    /// A console's journal head as its station reported it with a push.
    Head {
        station: String,
        #[serde(flatten)]
        head: ChainHead,
    },
}

impl Link {
    pub(super) fn kind(&self) -> &'static str {
        match self {
            Link::Event { .. } => "event",
            Link::Intake { .. } => "intake",
            Link::Head { .. } => "head",
        }
    }

    pub(super) fn seq(&self) -> Option<i64> {
        match self {
            Link::Event { seq, .. } => Some(*seq),
            _ => None,
        }
    }
}

/// SHA-256 of `bytes`, as hex.
pub fn digest(bytes: &str) -> String {
    hex::encode(Sha256::digest(bytes.as_bytes()))
}

/// The hash of a link: SHA-256 over the previous link's hash (hex text) and this link's body.
pub fn link_hash(prev: &str, body: &str) -> String {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(body.as_bytes());
    hex::encode(h.finalize())
}

/// Appends one link inside the caller's transaction; returns its position.
fn append(conn: &Connection, station: &str, link: &Link) -> Result<i64, HubStoreError> {
    let prev: String = conn
        .prepare_cached("SELECT hash FROM chain ORDER BY pos DESC LIMIT 1")?
        .query_row([], |r| r.get(0))
        .optional()?
        .unwrap_or_else(|| GENESIS.to_string());
    let body = serde_json::to_string(link)
        .map_err(|e| HubStoreError::Corrupt(format!("cannot encode a chain link: {e}")))?;
    let hash = link_hash(&prev, &body);
    conn.prepare_cached(
        "INSERT INTO chain (kind, station, seq, body, hash) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![link.kind(), station, link.seq(), body, hash])?;
    Ok(conn.last_insert_rowid())
}

/// Links an event just stored at `seq` with `body` as its bytes.
pub(super) fn link_event(
    conn: &Connection,
    seq: i64,
    station: &str,
    body: &str,
) -> Result<(), HubStoreError> {
    let link = Link::Event {
        seq,
        station: station.to_string(),
        digest: digest(body),
    };
    append(conn, station, &link).map(drop)
}

/// Links an intake's key.
pub(super) fn link_intake(
    conn: &Connection,
    station: &str,
    connector: &str,
    source: &str,
    source_ref: &str,
    incident: &str,
) -> Result<(), HubStoreError> {
    let link = Link::Intake {
        connector: connector.to_string(),
        source: source.to_string(),
        source_ref: source_ref.to_string(),
        incident: incident.to_string(),
    };
    append(conn, station, &link).map(drop)
}

/// Links the head a station reported, unless it is the one it reported last.
pub(super) fn link_head(
    conn: &Connection,
    station: &str,
    head: &ChainHead,
) -> Result<(), HubStoreError> {
    let last = reported_heads(conn, station, i64::MAX, 1, true)?;
    if last.first().is_some_and(|h| &h.head == head) {
        return Ok(());
    }
    let link = Link::Head {
        station: station.to_string(),
        head: head.clone(),
    };
    append(conn, station, &link).map(drop)
}

/// The heads `station` reported: after link `from` in chain order, or (`newest`) before it,
/// newest first.
pub(super) fn reported_heads(
    conn: &Connection,
    station: &str,
    from: i64,
    limit: usize,
    newest: bool,
) -> Result<Vec<ReportedHead>, HubStoreError> {
    let sql = if newest {
        "SELECT pos, body FROM chain WHERE kind = 'head' AND station = ?1 AND pos < ?2 ORDER BY pos DESC LIMIT ?3"
    } else {
        "SELECT pos, body FROM chain WHERE kind = 'head' AND station = ?1 AND pos > ?2 ORDER BY pos LIMIT ?3"
    };
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(params![station, from, limit as i64], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (link, body) = row?;
        out.push(head_of(link, &body)?);
    }
    Ok(out)
}

/// The head held by chain link `link` with `body`.
pub(super) fn head_of(link: i64, body: &str) -> Result<ReportedHead, HubStoreError> {
    match serde_json::from_str(body) {
        Ok(Link::Head { head, .. }) => Ok(ReportedHead { link, head }),
        _ => Err(HubStoreError::Corrupt(format!(
            "chain link {link} is not a readable head"
        ))),
    }
}

/// Links, once, everything recorded before the chain existed (events in sequence order, then
/// intake keys), so that the chain covers the whole database from then on.
pub(super) fn start(conn: &mut Connection) -> Result<(), HubStoreError> {
    let started: Option<String> = conn
        .query_row(
            "SELECT value FROM hub_meta WHERE key = ?1",
            [SINCE_KEY],
            |r| r.get(0),
        )
        .optional()?;
    if started.is_some() {
        return Ok(());
    }
    let tx = conn.transaction()?;
    let events: Vec<(i64, String, String)> = tx
        .prepare("SELECT seq, station, body FROM events ORDER BY seq")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let mut since = 0;
    for (seq, station, body) in &events {
        link_event(&tx, *seq, station, body)?;
        since = *seq;
    }
    let keys: Vec<(String, String, String, String, String)> = tx
        .prepare(
            "SELECT k.connector, k.source, k.source_ref, k.incident, COALESCE(i.station, '')
             FROM intake_keys k LEFT JOIN incidents i ON i.id = k.incident ORDER BY k.rowid",
        )?
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<Result<_, _>>()?;
    for (connector, source, source_ref, incident, station) in &keys {
        link_intake(&tx, station, connector, source, source_ref, incident)?;
    }
    tx.execute(
        "INSERT INTO hub_meta (key, value) VALUES (?1, ?2)",
        params![SINCE_KEY, since.to_string()],
    )?;
    tx.commit()?;
    Ok(())
}
