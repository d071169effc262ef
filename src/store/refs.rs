//! References shown to people: `{prefix}-{YYYYMMDD}-{NNNN}`, unique per station and day.

use super::StoreError;
use chrono::NaiveDate;
use rusqlite::{Transaction, params};

/// Formats a reference from its parts.
pub fn format_reference(prefix: &str, day: NaiveDate, number: u32) -> String {
    format!("{prefix}-{}-{number:04}", day.format("%Y%m%d"))
}

/// Takes the next number for `prefix` on `day` inside the caller's transaction, passing over any
/// reference an item already holds (items pulled from the hub after a rebuild, or written by
/// another machine with the same workstation number, were never counted here).
pub(super) fn next_reference(
    tx: &Transaction<'_>,
    prefix: &str,
    day: NaiveDate,
) -> Result<String, StoreError> {
    let day_key = day.format("%Y%m%d").to_string();
    loop {
        let number: u32 = tx.query_row(
            "INSERT INTO ref_counters (prefix, day, last) VALUES (?1, ?2, 1)
             ON CONFLICT (prefix, day) DO UPDATE SET last = last + 1
             RETURNING last",
            params![prefix, day_key],
            |r| r.get(0),
        )?;
        let reference = format_reference(prefix, day, number);
        let held: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM incidents WHERE ref = ?1)",
            [&reference],
            |r| r.get(0),
        )?;
        if !held {
            return Ok(reference);
        }
    }
}
