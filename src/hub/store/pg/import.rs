//! Moving a district's SQLite hub into an empty PostgreSQL database: every table row for row,
//! with its sequence numbers, the hub's identity and epoch and its chain, in one transaction.

use super::super::HubStoreError;
use super::batch::begin;
use rusqlite::types::Value;
use sqlx_core::query::query;
use sqlx_core::row::Row;
use sqlx_core::sql_str::AssertSqlSafe;
use sqlx_postgres::{PgPool, Postgres};

#[derive(Clone, Copy)]
enum Col {
    Text,
    Int,
    /// RFC 3339 text in SQLite, a timestamp in PostgreSQL.
    Time,
}

use Col::{Int, Text, Time};

/// Each table with its columns, in an order that keeps references valid.
const TABLES: &[(&str, &[(&str, Col)])] = &[
    (
        "stations",
        &[
            ("id", Text),
            ("name", Text),
            ("prefix", Text),
            ("token_hash", Text),
        ],
    ),
    (
        "connectors",
        &[("id", Text), ("role", Text), ("token_hash", Text)],
    ),
    (
        "routes",
        &[("kind", Text), ("key", Text), ("station", Text)],
    ),
    (
        "events",
        &[
            ("seq", Int),
            ("id", Text),
            ("incident", Text),
            ("station", Text),
            ("kind", Text),
            ("body", Text),
        ],
    ),
    (
        "incidents",
        &[
            ("id", Text),
            ("station", Text),
            ("ref", Text),
            ("status", Text),
            ("body", Text),
            ("received_at", Time),
        ],
    ),
    (
        "ref_counters",
        &[("prefix", Text), ("day", Text), ("last", Int)],
    ),
    (
        "police_feed",
        &[
            ("seq", Int),
            ("incident", Text),
            ("acked_at", Text),
            ("acked_by", Text),
        ],
    ),
    (
        "intake_keys",
        &[
            ("connector", Text),
            ("source", Text),
            ("source_ref", Text),
            ("incident", Text),
        ],
    ),
    (
        "chain",
        &[
            ("pos", Int),
            ("kind", Text),
            ("station", Text),
            ("seq", Int),
            ("body", Text),
            ("hash", Text),
        ],
    ),
];

/// What was copied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Copied {
    pub stations: u64,
    pub items: u64,
    pub events: u64,
    pub chain_links: u64,
    pub last_seq: i64,
}

fn text(v: Value) -> Option<String> {
    match v {
        Value::Text(s) => Some(s),
        Value::Integer(i) => Some(i.to_string()),
        Value::Real(f) => Some(f.to_string()),
        Value::Null | Value::Blob(_) => None,
    }
}

fn int(v: &Value) -> Option<i64> {
    match v {
        Value::Integer(i) => Some(*i),
        Value::Text(s) => s.parse().ok(),
        _ => None,
    }
}

/// Copies the SQLite hub behind `src` into the empty database of `pool`.
pub(super) async fn import(
    pool: &PgPool,
    src: &rusqlite::Connection,
) -> Result<Copied, HubStoreError> {
    let mut tx = begin(pool).await?;
    let held: i64 = query::<Postgres>(
        "SELECT (SELECT COUNT(*) FROM stations) + (SELECT COUNT(*) FROM connectors)
              + (SELECT COUNT(*) FROM events)",
    )
    .fetch_one(&mut *tx)
    .await?
    .try_get(0)?;
    if held > 0 {
        return Err(HubStoreError::Exists(
            "a hub in this PostgreSQL database (move a district only into an empty one)".into(),
        ));
    }
    let mut copied = Copied::default();
    for (table, cols) in TABLES {
        let names: Vec<&str> = cols.iter().map(|(n, _)| *n).collect();
        let select = format!("SELECT {} FROM {table} ORDER BY 1", names.join(", "));
        let marks: Vec<String> = cols
            .iter()
            .enumerate()
            .map(|(i, (_, c))| match c {
                Time => format!("${}::TIMESTAMPTZ", i + 1),
                _ => format!("${}", i + 1),
            })
            .collect();
        let insert = format!(
            "INSERT INTO {table} ({}) VALUES ({})",
            names.join(", "),
            marks.join(", ")
        );
        let mut stmt = src.prepare(&select)?;
        let rows: Vec<Vec<Value>> = stmt
            .query_map([], |r| (0..cols.len()).map(|i| r.get(i)).collect())?
            .collect::<Result<_, _>>()?;
        for row in rows {
            let mut q = query::<Postgres>(AssertSqlSafe(insert.clone()));
            for ((_, col), v) in cols.iter().zip(row) {
                q = match col {
                    Int => q.bind(int(&v)),
                    Text | Time => q.bind(text(v)),
                };
            }
            q.execute(&mut *tx).await?;
            let n = &mut match *table {
                "stations" => &mut copied.stations,
                "incidents" => &mut copied.items,
                "events" => &mut copied.events,
                "chain" => &mut copied.chain_links,
                _ => continue,
            };
            **n += 1;
        }
    }
    let mut stmt = src.prepare("SELECT key, value FROM hub_meta")?;
    let meta: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (key, value) in meta {
        query::<Postgres>(
            "INSERT INTO hub_meta (key, value) VALUES ($1, $2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(&mut *tx)
        .await?;
    }
    // The items moved in have no repeat keys: a window reaching back before now reads them.
    query::<Postgres>("UPDATE repeat_keys_since SET since = now()")
        .execute(&mut *tx)
        .await?;
    copied.last_seq = query::<Postgres>("SELECT COALESCE(MAX(seq), 0) FROM events")
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
    tx.commit().await?;
    Ok(copied)
}
