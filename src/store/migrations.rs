//! Numbered schema migrations, embedded in the binary and run on open.
//! `PRAGMA user_version` records how many have been applied.

use super::StoreError;
use rusqlite::Connection;

/// Each entry is one migration; its number is its index + 1. Never edit one that has shipped:
/// add a new one.
pub const MIGRATIONS: &[&str] = &[
    // 1: journal with hash chain, incident projection, roster, reference counters.
    r#"
    CREATE TABLE journal (
        pos          INTEGER PRIMARY KEY AUTOINCREMENT,
        id           TEXT NOT NULL UNIQUE,
        incident_id  TEXT NOT NULL,
        kind         TEXT NOT NULL,
        body         TEXT NOT NULL,
        hash         TEXT NOT NULL,
        hub_seq      INTEGER
    );
    CREATE INDEX journal_by_incident ON journal(incident_id, pos);
    CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
    BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
    CREATE TRIGGER journal_no_rewrite BEFORE UPDATE OF id, incident_id, kind, body, hash ON journal
    BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;

    CREATE TABLE incidents (
        id           TEXT PRIMARY KEY,
        ref          TEXT NOT NULL UNIQUE,
        status       TEXT NOT NULL,
        received_at  TEXT NOT NULL,
        updated_at   TEXT NOT NULL,
        phone        TEXT,
        address      TEXT,
        body         TEXT NOT NULL
    );
    CREATE INDEX incidents_by_status ON incidents(status);
    CREATE INDEX incidents_by_received ON incidents(received_at);

    CREATE TABLE responders (
        id        TEXT PRIMARY KEY,
        name      TEXT NOT NULL,
        unit      TEXT NOT NULL,
        grid      TEXT,
        phone     TEXT,
        status    TEXT NOT NULL DEFAULT 'available',
        incident  TEXT
    );

    CREATE TABLE ref_counters (
        prefix  TEXT NOT NULL,
        day     TEXT NOT NULL,
        last    INTEGER NOT NULL,
        PRIMARY KEY (prefix, day)
    );
    "#,
    // 2: hub sync: the outbox is the journal rows the hub has neither accepted nor rejected;
    // the pull cursor; notices of rejected events for the officer.
    r#"
    ALTER TABLE journal ADD COLUMN rejected TEXT;
    CREATE INDEX journal_outbox ON journal(pos) WHERE hub_seq IS NULL AND rejected IS NULL;
    CREATE TABLE sync_state (
        key    TEXT PRIMARY KEY,
        value  INTEGER NOT NULL
    );
    CREATE TABLE sync_notices (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id   TEXT NOT NULL UNIQUE,
        incident   TEXT NOT NULL,
        reference  TEXT NOT NULL,
        message    TEXT NOT NULL,
        seen       INTEGER NOT NULL DEFAULT 0
    );
    "#,
    // 3: rejections reach the officer as messages from the sync task, and stay recorded in the
    // journal's `rejected` column: the notices table is no longer written or read.
    r#"
    DROP TABLE sync_notices;
    "#,
    // 4: the hub's word on an event is written once per hub: a sequence number is set once and
    // never changed, except that a gone or restored hub's numbers are marked stale (negative)
    // and then replaced by the new hub's; a rejection is recorded once, before any acceptance,
    // and withdrawn only by a hub's acceptance arriving with its sequence number.
    r#"
    CREATE TRIGGER journal_hub_seq_once BEFORE UPDATE OF hub_seq ON journal
    WHEN OLD.hub_seq IS NOT NULL AND (NEW.hub_seq IS NULL OR NOT (
        NEW.hub_seq = OLD.hub_seq
        OR (OLD.hub_seq >= 0 AND NEW.hub_seq < 0)
        OR (OLD.hub_seq < 0 AND NEW.hub_seq >= 0)))
    BEGIN SELECT RAISE(ABORT, 'a hub sequence number is written once'); END;
    CREATE TRIGGER journal_rejected_once BEFORE UPDATE OF rejected ON journal
    WHEN (OLD.rejected IS NOT NULL AND NEW.rejected IS NOT NULL AND NEW.rejected <> OLD.rejected)
      OR (OLD.rejected IS NOT NULL AND NEW.rejected IS NULL
          AND NOT ((OLD.hub_seq IS NULL OR OLD.hub_seq < 0) AND COALESCE(NEW.hub_seq, -1) >= 0))
      OR (OLD.rejected IS NULL AND NEW.rejected IS NOT NULL AND OLD.hub_seq >= 0)
    BEGIN SELECT RAISE(ABORT, 'a rejection is written once, before the hub accepts'); END;
    "#,
    // 5: the hub this store syncs with (identity, epoch) and the last warning about it.
    r#"
    CREATE TABLE hub_identity (
        one        INTEGER PRIMARY KEY CHECK (one = 1),
        id         TEXT NOT NULL,
        epoch      INTEGER NOT NULL,
        warning    TEXT,
        warned_at  TEXT
    );
    "#,
];

/// Brings the schema up to date inside one transaction. A database from a newer fenliu is refused.
pub fn run(conn: &mut Connection) -> Result<usize, StoreError> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let known = MIGRATIONS.len() as i64;
    if current > known {
        return Err(StoreError::TooNew {
            found: current,
            known,
        });
    }
    let tx = conn.transaction()?;
    let mut applied = 0;
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (index + 1) as i64)?;
        applied += 1;
    }
    tx.commit()?;
    Ok(applied)
}
