//! The hub database's numbered migrations, run on open. Never edit one that has shipped.

use super::HubStoreError;
use rusqlite::Connection;

/// Each entry is one migration; its number is its index + 1.
pub const MIGRATIONS: &[&str] = &[
    // 1: principals, routing, the global event sequence, item projection, intake keys, police feed.
    r#"
    CREATE TABLE stations (
        id          TEXT PRIMARY KEY,
        name        TEXT NOT NULL,
        prefix      TEXT NOT NULL UNIQUE,
        token_hash  TEXT NOT NULL
    );
    CREATE TABLE connectors (
        id          TEXT PRIMARY KEY,
        role        TEXT NOT NULL,
        token_hash  TEXT NOT NULL
    );
    CREATE TABLE routes (
        kind     TEXT NOT NULL,
        key      TEXT NOT NULL,
        station  TEXT NOT NULL REFERENCES stations(id),
        PRIMARY KEY (kind, key)
    );
    CREATE TABLE events (
        seq       INTEGER PRIMARY KEY AUTOINCREMENT,
        id        TEXT NOT NULL UNIQUE,
        incident  TEXT NOT NULL,
        station   TEXT NOT NULL,
        kind      TEXT NOT NULL,
        body      TEXT NOT NULL
    );
    CREATE INDEX events_by_station ON events(station, seq);
    CREATE INDEX events_by_incident ON events(incident, seq);
    CREATE TABLE incidents (
        id       TEXT PRIMARY KEY,
        station  TEXT NOT NULL,
        ref      TEXT NOT NULL,
        status   TEXT NOT NULL,
        body     TEXT NOT NULL,
        UNIQUE (station, ref)
    );
    CREATE TABLE intakes (
        source      TEXT NOT NULL,
        source_ref  TEXT NOT NULL,
        incident    TEXT NOT NULL,
        PRIMARY KEY (source, source_ref)
    );
    CREATE TABLE ref_counters (
        prefix  TEXT NOT NULL,
        day     TEXT NOT NULL,
        last    INTEGER NOT NULL,
        PRIMARY KEY (prefix, day)
    );
    CREATE TABLE police_feed (
        seq       INTEGER PRIMARY KEY AUTOINCREMENT,
        incident  TEXT NOT NULL UNIQUE,
        acked_at  TEXT,
        acked_by  TEXT
    );
    "#,
    // 2: intake keys per connector (two connectors may reuse a source number); the hub's identity.
    r#"
    CREATE TABLE intake_keys (
        connector   TEXT NOT NULL,
        source      TEXT NOT NULL,
        source_ref  TEXT NOT NULL,
        incident    TEXT NOT NULL,
        PRIMARY KEY (connector, source, source_ref)
    );
    INSERT INTO intake_keys (connector, source, source_ref, incident)
        SELECT COALESCE((SELECT json_extract(e.body, '$.actor.operator') FROM events e
                         WHERE e.incident = i.incident AND e.kind = 'received' LIMIT 1), ''),
               i.source, i.source_ref, i.incident
        FROM intakes i;
    DROP TABLE intakes;
    CREATE TABLE hub_meta (
        key    TEXT PRIMARY KEY,
        value  TEXT NOT NULL
    );
    "#,
    // 3: the hub's own hash chain over accepted events, intakes and the heads consoles reported.
    r#"
    CREATE TABLE chain (
        pos      INTEGER PRIMARY KEY,
        kind     TEXT NOT NULL,
        station  TEXT NOT NULL,
        seq      INTEGER,
        body     TEXT NOT NULL,
        hash     TEXT NOT NULL
    );
    CREATE UNIQUE INDEX chain_by_event ON chain(seq) WHERE seq IS NOT NULL;
    CREATE INDEX chain_heads ON chain(station, pos) WHERE kind = 'head';
    "#,
    // 4: when each item was received, for the repeat-call links of intakes.
    r#"
    ALTER TABLE incidents ADD COLUMN received_at TEXT;
    UPDATE incidents SET received_at = json_extract(body, '$.received_at');
    CREATE INDEX incidents_by_received ON incidents(station, received_at);
    "#,
];

/// Brings the schema up to date in one transaction; refuses a newer database.
pub fn run(conn: &mut Connection) -> Result<(), HubStoreError> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let known = MIGRATIONS.len() as i64;
    if current > known {
        return Err(HubStoreError::TooNew {
            found: current,
            known,
        });
    }
    let tx = conn.transaction()?;
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (index + 1) as i64)?;
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intake_keys_of_a_first_schema_database_take_their_connector_from_the_received_event() {
        let mut conn = Connection::open_in_memory().expect("db");
        conn.execute_batch(MIGRATIONS[0]).expect("schema 1");
        conn.pragma_update(None, "user_version", 1)
            .expect("version");
        conn.execute_batch(
            r#"INSERT INTO events (id, incident, station, kind, body)
                   VALUES ('e1', 'i1', 'dn', 'received', '{"actor": {"operator": "c110"}}');
               INSERT INTO intakes (source, source_ref, incident) VALUES ('110', '110-1', 'i1');"#,
        )
        .expect("a first-schema intake");
        run(&mut conn).expect("migrate");
        let key: (String, String, String, String) = conn
            .query_row(
                "SELECT connector, source, source_ref, incident FROM intake_keys",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .expect("migrated key");
        assert_eq!(
            key,
            ("c110".into(), "110".into(), "110-1".into(), "i1".into())
        );
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("version");
        assert_eq!(version, MIGRATIONS.len() as i64);
    }
}
