//! One write transaction of the PostgreSQL backend, shared by every intake and push of a group.
//! It holds the hub's advisory lock from its start, so the sequence numbers and chain positions
//! it hands out follow every commit before it and precede every commit after it. The tip (last
//! sequence, chain position and hash) is read once under the lock and then kept in memory; new
//! rows wait in memory and are written with one statement per table.

use super::super::HubStoreError;
use super::super::chain::{GENESIS, Link, digest, link_hash};
use super::super::repeats::key_texts;
use super::CHANNEL;
use crate::domain::{Event, Incident};
use crate::protocol::IntakeResponse;
use sqlx_core::query::query;
use sqlx_core::row::Row;
use sqlx_postgres::{PgPool, Postgres};
use std::collections::HashMap;

/// The advisory lock every write holds (`fenliu` in ASCII).
const WRITE_LOCK: i64 = 0x66_65_6e_6c_69_75;
/// Reference counters remembered at most; past this they are read again.
const MAX_COUNTERS: usize = 4096;

pub(super) type Tx = sqlx_core::transaction::Transaction<'static, Postgres>;

/// Opens a write transaction and waits for the hub's write lock.
pub(super) async fn begin(pool: &PgPool) -> Result<Tx, HubStoreError> {
    let mut tx = pool.begin().await?;
    query::<Postgres>("SELECT pg_advisory_xact_lock($1)")
        .bind(WRITE_LOCK)
        .execute(&mut *tx)
        .await?;
    Ok(tx)
}

/// The end of the hub's history: last event sequence, last chain position and its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Tip {
    seq: i64,
    pos: i64,
    hash: String,
}

/// What this process remembers between its transactions. The reference counters it holds are
/// trusted only while the database's tip is the one this process left: any other writer moves
/// the tip, and then they are read again.
#[derive(Debug, Default)]
pub(super) struct Memory {
    tip: Option<Tip>,
    /// (prefix, day) → last number handed out.
    counters: HashMap<(String, String), i64>,
}

/// Rows waiting to be written, column by column.
#[derive(Default)]
struct Rows {
    events: [Vec<String>; 5],
    event_seqs: Vec<i64>,
    chain_pos: Vec<i64>,
    chain_seq: Vec<Option<i64>>,
    chain: [Vec<String>; 4],
    incidents: [Vec<String>; 6],
    keys: [Vec<String>; 4],
    repeats: [Vec<String>; 4],
}

/// One open write transaction.
pub(super) struct Batch {
    pub(super) tx: Tx,
    tip: Tip,
    counters: HashMap<(String, String), i64>,
    touched: Vec<(String, String)>,
    rows: Rows,
    /// Intakes taken in this transaction and not yet written: (connector, source, ref) → answer.
    keys: HashMap<(String, String, String), IntakeResponse>,
    /// Items those intakes made, not yet written.
    made: Vec<Incident>,
    last: Option<i64>,
}

impl Batch {
    /// Takes the lock and reads the tip; `memory`'s counters come along when no one else wrote.
    pub(super) async fn begin(pool: &PgPool, memory: &mut Memory) -> Result<Batch, HubStoreError> {
        let mut tx = begin(pool).await?;
        let r = query::<Postgres>(
            "SELECT (SELECT COALESCE(MAX(seq), 0) FROM events),
                    (SELECT pos FROM chain ORDER BY pos DESC LIMIT 1),
                    (SELECT hash FROM chain ORDER BY pos DESC LIMIT 1)",
        )
        .fetch_one(&mut *tx)
        .await?;
        let pos: Option<i64> = r.try_get(1)?;
        let hash: Option<String> = r.try_get(2)?;
        let tip = Tip {
            seq: r.try_get(0)?,
            pos: pos.unwrap_or(0),
            hash: hash.unwrap_or_else(|| GENESIS.to_string()),
        };
        let ours = memory.tip.take().is_some_and(|t| t == tip);
        let mut counters = std::mem::take(&mut memory.counters);
        if !ours || counters.len() > MAX_COUNTERS {
            counters.clear();
        }
        Ok(Batch {
            tx,
            tip,
            counters,
            touched: Vec::new(),
            rows: Rows::default(),
            keys: HashMap::new(),
            made: Vec::new(),
            last: None,
        })
    }

    /// Writes what waits, announces the last sequence, commits and leaves the tip in `memory`.
    pub(super) async fn commit(
        mut self,
        memory: &mut Memory,
    ) -> Result<Option<i64>, HubStoreError> {
        self.flush().await?;
        if !self.touched.is_empty() {
            let mut cols: [Vec<String>; 2] = Default::default();
            let mut last = Vec::new();
            for key in &self.touched {
                cols[0].push(key.0.clone());
                cols[1].push(key.1.clone());
                last.push(self.counters.get(key).copied().unwrap_or(0));
            }
            let [prefix, day] = cols;
            query::<Postgres>(
                "INSERT INTO ref_counters (prefix, day, last)
                 SELECT * FROM UNNEST($1::TEXT[], $2::TEXT[], $3::BIGINT[])
                 ON CONFLICT (prefix, day) DO UPDATE SET last = GREATEST(ref_counters.last, excluded.last)",
            )
            .bind(prefix)
            .bind(day)
            .bind(last)
            .execute(&mut *self.tx)
            .await?;
        }
        if let Some(last) = self.last {
            query::<Postgres>("SELECT pg_notify($1, $2)")
                .bind(CHANNEL)
                .bind(last.to_string())
                .execute(&mut *self.tx)
                .await?;
        }
        self.tx.commit().await?;
        memory.tip = Some(self.tip);
        memory.counters = self.counters;
        Ok(self.last)
    }

    /// The last number the station's counter handed out for `day`.
    pub(super) async fn counter(&mut self, prefix: &str, day: &str) -> Result<i64, HubStoreError> {
        let key = (prefix.to_string(), day.to_string());
        if let Some(n) = self.counters.get(&key) {
            return Ok(*n);
        }
        let n: i64 = query::<Postgres>(
            "SELECT COALESCE((SELECT last FROM ref_counters WHERE prefix = $1 AND day = $2), 0)",
        )
        .bind(prefix)
        .bind(day)
        .fetch_one(&mut *self.tx)
        .await?
        .try_get(0)?;
        self.counters.insert(key, n);
        Ok(n)
    }

    /// Moves the station's counter for `day` to `number`.
    pub(super) fn set_counter(&mut self, prefix: &str, day: &str, number: i64) {
        let key = (prefix.to_string(), day.to_string());
        if !self.touched.contains(&key) {
            self.touched.push(key.clone());
        }
        self.counters.insert(key, number);
    }

    /// An intake of this transaction not yet written, by its source's key.
    pub(super) fn taken_in(&self, key: &(String, String, String)) -> Option<&IntakeResponse> {
        self.keys.get(key)
    }

    /// Whether an item made here and not yet written uses `reference` at `station`.
    pub(super) fn made_uses(&self, station: &str, reference: &str) -> bool {
        self.made
            .iter()
            .any(|i| i.station == station && i.reference == reference)
    }

    /// Items made here and not yet written for `station`, received at or after `since`.
    pub(super) fn made_since(
        &self,
        station: &str,
        since: chrono::DateTime<chrono::Utc>,
    ) -> impl Iterator<Item = &Incident> {
        self.made
            .iter()
            .filter(move |i| i.station == station && i.received_at >= since)
    }

    /// Records a new item of an intake with its source's key, to be written with the rest.
    pub(super) fn made(
        &mut self,
        incident: &Incident,
        key: (String, String, String),
        response: IntakeResponse,
    ) -> Result<(), HubStoreError> {
        let body = encode("an item", incident)?;
        let r = &mut self.rows;
        r.incidents[0].push(incident.id.to_string());
        r.incidents[1].push(incident.station.clone());
        r.incidents[2].push(incident.reference.clone());
        r.incidents[3].push(incident.status.code().to_string());
        r.incidents[4].push(body);
        r.incidents[5].push(incident.received_at.to_rfc3339());
        r.keys[0].push(key.0.clone());
        r.keys[1].push(key.1.clone());
        r.keys[2].push(key.2.clone());
        r.keys[3].push(incident.id.to_string());
        for key in key_texts(incident.phone.as_deref(), incident.address.as_deref()) {
            r.repeats[0].push(incident.station.clone());
            r.repeats[1].push(key);
            r.repeats[2].push(incident.received_at.to_rfc3339());
            r.repeats[3].push(incident.id.to_string());
        }
        self.made.push(incident.clone());
        self.keys.insert(key, response);
        Ok(())
    }

    /// Gives `event` the next sequence number and links it into the chain.
    pub(super) fn event(&mut self, event: &Event, station: &str) -> Result<i64, HubStoreError> {
        let body = encode("an event", event)?;
        self.tip.seq += 1;
        let seq = self.tip.seq;
        let link = Link::Event {
            seq,
            station: station.to_string(),
            digest: digest(&body),
        };
        let r = &mut self.rows;
        r.event_seqs.push(seq);
        r.events[0].push(event.id.to_string());
        r.events[1].push(event.incident.to_string());
        r.events[2].push(station.to_string());
        r.events[3].push(event.kind.name().to_string());
        r.events[4].push(body);
        self.link(station, &link)?;
        self.last = Some(seq);
        Ok(seq)
    }

    /// Appends one link to the hub's chain.
    pub(super) fn link(&mut self, station: &str, link: &Link) -> Result<(), HubStoreError> {
        let body = encode("a chain link", link)?;
        let hash = link_hash(&self.tip.hash, &body);
        self.tip.pos += 1;
        let r = &mut self.rows;
        r.chain_pos.push(self.tip.pos);
        r.chain_seq.push(link.seq());
        r.chain[0].push(link.kind().to_string());
        r.chain[1].push(station.to_string());
        r.chain[2].push(body);
        r.chain[3].push(hash.clone());
        self.tip.hash = hash;
        Ok(())
    }

    /// Writes the rows that wait, so that reads in this transaction see them.
    pub(super) async fn flush(&mut self) -> Result<(), HubStoreError> {
        let rows = std::mem::take(&mut self.rows);
        self.made.clear();
        self.keys.clear();
        let c = &mut *self.tx;
        if !rows.event_seqs.is_empty() {
            let [id, incident, station, kind, body] = rows.events;
            query::<Postgres>(
                "INSERT INTO events (seq, id, incident, station, kind, body)
                 SELECT * FROM UNNEST($1::BIGINT[], $2::TEXT[], $3::TEXT[], $4::TEXT[], $5::TEXT[], $6::TEXT[])",
            )
            .bind(rows.event_seqs)
            .bind(id)
            .bind(incident)
            .bind(station)
            .bind(kind)
            .bind(body)
            .execute(&mut *c)
            .await?;
        }
        if !rows.chain_pos.is_empty() {
            let [kind, station, body, hash] = rows.chain;
            query::<Postgres>(
                "INSERT INTO chain (pos, kind, station, seq, body, hash)
                 SELECT * FROM UNNEST($1::BIGINT[], $2::TEXT[], $3::TEXT[], $4::BIGINT[], $5::TEXT[], $6::TEXT[])",
            )
            .bind(rows.chain_pos)
            .bind(kind)
            .bind(station)
            .bind(rows.chain_seq)
            .bind(body)
            .bind(hash)
            .execute(&mut *c)
            .await?;
        }
        if !rows.incidents[0].is_empty() {
            let [id, station, reference, status, body, received] = rows.incidents;
            query::<Postgres>(
                "INSERT INTO incidents (id, station, ref, status, body, received_at)
                 SELECT i, s, r, st, b, at::TIMESTAMPTZ
                 FROM UNNEST($1::TEXT[], $2::TEXT[], $3::TEXT[], $4::TEXT[], $5::TEXT[], $6::TEXT[])
                   AS u(i, s, r, st, b, at)",
            )
            .bind(id)
            .bind(station)
            .bind(reference)
            .bind(status)
            .bind(body)
            .bind(received)
            .execute(&mut *c)
            .await?;
        }
        if !rows.repeats[0].is_empty() {
            insert_repeat_keys(c, rows.repeats).await?;
        }
        if !rows.keys[0].is_empty() {
            let [connector, source, source_ref, incident] = rows.keys;
            query::<Postgres>(
                "INSERT INTO intake_keys (connector, source, source_ref, incident)
                 SELECT * FROM UNNEST($1::TEXT[], $2::TEXT[], $3::TEXT[], $4::TEXT[])
                 ON CONFLICT DO NOTHING",
            )
            .bind(connector)
            .bind(source)
            .bind(source_ref)
            .bind(incident)
            .execute(&mut *c)
            .await?;
        }
        Ok(())
    }
}

/// Writes repeat-call keys, given column by column (station, key, received_at, item).
pub(super) async fn insert_repeat_keys(
    c: &mut sqlx_postgres::PgConnection,
    [station, key, received, incident]: [Vec<String>; 4],
) -> Result<(), HubStoreError> {
    query::<Postgres>(
        "INSERT INTO repeat_keys (station, key, received_at, incident)
         SELECT s, k, at::TIMESTAMPTZ, i
         FROM UNNEST($1::TEXT[], $2::TEXT[], $3::TEXT[], $4::TEXT[]) AS u(s, k, at, i)
         ON CONFLICT DO NOTHING",
    )
    .bind(station)
    .bind(key)
    .bind(received)
    .bind(incident)
    .execute(&mut *c)
    .await?;
    Ok(())
}

fn encode(what: &str, value: &impl serde::Serialize) -> Result<String, HubStoreError> {
    serde_json::to_string(value)
        .map_err(|e| HubStoreError::Corrupt(format!("cannot encode {what}: {e}")))
}
