//! `fenliu hub audit verify --store postgres://…`: the chain check over a PostgreSQL hub, on one
//! connection of its own, without migrating or counting an epoch, so a copy can be checked as it is.

use super::super::HubStoreError;
use super::super::chain_check::{ChainCheck, ChainRow, ChainSource, check};
use super::redact;
use sqlx_core::connection::Connection;
use sqlx_core::query::query;
use sqlx_core::row::Row;
use sqlx_postgres::PgConnection;

/// One connection to the database, driven by a runtime of its own.
struct PgChain {
    runtime: tokio::runtime::Runtime,
    conn: PgConnection,
}

/// Checks the chain of the PostgreSQL hub at `url`, reading only.
pub fn verify_chain_at(url: &str) -> Result<ChainCheck, HubStoreError> {
    let open_err = |detail: String| HubStoreError::Open {
        path: redact(url),
        detail,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| open_err(e.to_string()))?;
    let conn = runtime
        .block_on(PgConnection::connect(url))
        .map_err(|e| open_err(e.to_string()))?;
    let mut source = PgChain { runtime, conn };
    let checked = check(&mut source);
    let PgChain { runtime, conn } = source;
    let _ = runtime.block_on(conn.close());
    checked
}

impl ChainSource for PgChain {
    fn has_chain(&mut self) -> Result<bool, HubStoreError> {
        let row = self
            .runtime
            .block_on(query("SELECT to_regclass('chain') IS NOT NULL").fetch_one(&mut self.conn))?;
        Ok(row.try_get(0)?)
    }

    fn links_after(&mut self, after: i64, limit: usize) -> Result<Vec<ChainRow>, HubStoreError> {
        let rows = self.runtime.block_on(
            query(
                "SELECT pos, kind, station, seq, body, hash FROM chain
                  WHERE pos > $1 ORDER BY pos LIMIT $2",
            )
            .bind(after)
            .bind(i64::try_from(limit).unwrap_or(i64::MAX))
            .fetch_all(&mut self.conn),
        )?;
        rows.iter()
            .map(|r| {
                Ok(ChainRow {
                    pos: r.try_get(0)?,
                    kind: r.try_get(1)?,
                    station: r.try_get(2)?,
                    seq: r.try_get(3)?,
                    body: r.try_get(4)?,
                    hash: r.try_get(5)?,
                })
            })
            .collect()
    }

    fn event(&mut self, seq: i64) -> Result<Option<(String, String)>, HubStoreError> {
        let row = self.runtime.block_on(
            query("SELECT station, body FROM events WHERE seq = $1")
                .bind(seq)
                .fetch_optional(&mut self.conn),
        )?;
        row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).transpose()
    }

    fn intake(
        &mut self,
        connector: &str,
        source: &str,
        source_ref: &str,
    ) -> Result<Option<String>, HubStoreError> {
        let row = self.runtime.block_on(
            query(
                "SELECT incident FROM intake_keys
                  WHERE connector = $1 AND source = $2 AND source_ref = $3",
            )
            .bind(connector)
            .bind(source)
            .bind(source_ref)
            .fetch_optional(&mut self.conn),
        )?;
        row.map(|r| Ok(r.try_get(0)?)).transpose()
    }

    fn first_unlinked_event(&mut self) -> Result<Option<i64>, HubStoreError> {
        let row = self.runtime.block_on(
            query(
                "SELECT e.seq FROM events e LEFT JOIN chain c ON c.seq = e.seq
                  WHERE c.pos IS NULL ORDER BY e.seq LIMIT 1",
            )
            .fetch_optional(&mut self.conn),
        )?;
        row.map(|r| Ok(r.try_get(0)?)).transpose()
    }

    fn intake_counts(&mut self) -> Result<(i64, i64), HubStoreError> {
        let row = self.runtime.block_on(
            query(
                "SELECT (SELECT COUNT(*) FROM intake_keys),
                        (SELECT COUNT(*) FROM chain WHERE kind = 'intake')",
            )
            .fetch_one(&mut self.conn),
        )?;
        Ok((row.try_get(0)?, row.try_get(1)?))
    }
}
