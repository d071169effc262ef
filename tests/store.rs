//! The SQLite store on real temporary files.

mod common;

use chrono::{NaiveDate, TimeDelta};
use common::*;
use fenliu::domain::*;
use fenliu::store::{AuditOutcome, Stamp, Store, StoreError, migrations};
use rusqlite::Connection;
use tempfile::TempDir;

fn stamp(secs: i64) -> Stamp {
    Stamp {
        actor: actor(),
        occurred_at: at(secs),
        recorded_at: at(secs),
    }
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).expect("valid date")
}

fn draft(text: &str) -> Received {
    Received {
        reference: String::new(),
        station: "dn".into(),
        source: Source::Hotline12345,
        source_ref: None,
        text: text.into(),
        address: Some("广中路123弄".into()),
        grid: None,
        community: None,
        phone: Some("13812341116".into()),
        priority: Priority::Normal,
        drill: false,
        repeat_of: None,
    }
}

fn responder(id: &str) -> Responder {
    Responder {
        id: id.into(),
        name: format!("队员{id}"),
        unit: "网格中队".into(),
        grid: Some("3".into()),
        phone: None,
        status: DutyStatus::Available,
        incident: None,
    }
}

fn store_with_roster(dir: &TempDir) -> Store {
    let mut store = Store::open_dir(dir.path()).expect("store opens");
    store
        .add_responders(&[responder("g1"), responder("g2")])
        .expect("roster");
    store
}

fn new_item(store: &mut Store, text: &str) -> Incident {
    store
        .create_incident(draft(text), "DN", day(), vec![], &stamp(0))
        .expect("created")
}

#[test]
fn migrations_run_from_empty_and_are_idempotent() {
    let dir = TempDir::new().expect("tempdir");
    let store = Store::open_dir(dir.path()).expect("opens empty");
    assert_eq!(
        store.schema_version().expect("version"),
        migrations::MIGRATIONS.len() as i64
    );
    store.integrity_check().expect("sound file");
    drop(store);
    let again = Store::open_dir(dir.path()).expect("reopens");
    assert_eq!(again.event_count().expect("count"), 0);
    let conn = Connection::open(dir.path().join("fenliu.db")).expect("raw");
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .expect("pragma");
    assert_eq!(mode, "wal");
}

#[test]
fn a_database_from_a_newer_fenliu_is_refused() {
    let dir = TempDir::new().expect("tempdir");
    let path = dir.path().join("fenliu.db");
    let conn = Connection::open(&path).expect("raw");
    conn.pragma_update(None, "user_version", 999).expect("set");
    drop(conn);
    match Store::open(&path) {
        Err(StoreError::TooNew { found: 999, .. }) => {}
        Err(other) => panic!("wrong error: {other}"),
        Ok(_) => panic!("a newer schema was accepted"),
    }
}

#[test]
fn references_count_per_station_prefix_and_day() {
    let dir = TempDir::new().expect("tempdir");
    let mut store = Store::open_dir(dir.path()).expect("store");
    let a = new_item(&mut store, "一");
    let b = new_item(&mut store, "二");
    assert_eq!(a.reference, "DN-20261122-0001");
    assert_eq!(b.reference, "DN-20261122-0002");
    let next_day = day().succ_opt().expect("next day");
    let c = store
        .create_incident(draft("三"), "DN", next_day, vec![], &stamp(0))
        .expect("created");
    assert_eq!(c.reference, "DN-20261123-0001");
    let other = store
        .create_incident(draft("四"), "JA", day(), vec![], &stamp(0))
        .expect("created");
    assert_eq!(other.reference, "JA-20261122-0001");
}

#[test]
fn an_action_writes_events_and_projection_together() {
    let dir = TempDir::new().expect("tempdir");
    let mut store = store_with_roster(&dir);
    let item = new_item(&mut store, "楼上漏水");
    store
        .record(&item.reference, vec![EventKind::Claimed], &stamp(10))
        .expect("claim");
    store
        .record(&item.reference, vec![dispatched(&["g1"])], &stamp(20))
        .expect("dispatch");
    let loaded = store
        .incident(&item.reference)
        .expect("read")
        .expect("exists");
    assert_eq!(loaded.status, Status::Dispatched);
    assert_eq!(store.events_of(item.id).expect("events").len(), 3);
    let g1 = store.responder("g1").expect("read").expect("exists");
    assert_eq!(g1.status, DutyStatus::Assigned);
    assert_eq!(g1.incident.as_deref(), Some(item.reference.as_str()));
    store
        .record(
            &item.reference,
            vec![EventKind::Arrived {
                responder: "g1".into(),
            }],
            &stamp(30),
        )
        .expect("arrive");
    assert_eq!(
        store.responder("g1").expect("read").map(|r| r.status),
        Some(DutyStatus::OnScene)
    );
    store
        .record(&item.reference, vec![feedback()], &stamp(40))
        .expect("feedback");
    let g1 = store.responder("g1").expect("read").expect("exists");
    assert_eq!(g1.status, DutyStatus::Available);
    assert_eq!(g1.incident, None);
}

#[test]
fn an_illegal_action_writes_nothing() {
    let dir = TempDir::new().expect("tempdir");
    let mut store = store_with_roster(&dir);
    let item = new_item(&mut store, "噪音");
    let before = store.event_count().expect("count");
    let err = store
        .record(
            &item.reference,
            vec![EventKind::Arrived {
                responder: "g1".into(),
            }],
            &stamp(5),
        )
        .expect_err("arrive before dispatch");
    assert!(err.to_string().contains("is new"), "{err}");
    let err = store
        .record(
            &item.reference,
            vec![EventKind::Claimed, dispatched(&["nobody"])],
            &stamp(5),
        )
        .expect_err("unknown responder");
    assert!(err.to_string().contains("nobody"), "{err}");
    assert_eq!(store.event_count().expect("count"), before);
    assert_eq!(
        store
            .incident(&item.reference)
            .expect("read")
            .map(|i| i.status),
        Some(Status::New),
        "the claim in the refused action was rolled back too"
    );
    store.set_duty("g2", DutyStatus::OffDuty).expect("off duty");
    store
        .record(&item.reference, vec![EventKind::Claimed], &stamp(6))
        .expect("claim");
    let err = store
        .record(&item.reference, vec![dispatched(&["g2"])], &stamp(7))
        .expect_err("off duty");
    assert!(err.to_string().contains("off duty"), "{err}");
    assert!(matches!(
        store.record("DN-20261122-9999", vec![EventKind::Claimed], &stamp(8)),
        Err(StoreError::NotFound(_))
    ));
}

#[test]
fn roster_import_is_all_or_nothing() {
    let dir = TempDir::new().expect("tempdir");
    let mut store = store_with_roster(&dir);
    let err = store
        .add_responders(&[responder("g3"), responder("g1")])
        .expect_err("g1 exists");
    assert!(matches!(err, StoreError::DuplicateResponder(ref id) if id == "g1"));
    assert!(store.responder("g3").expect("read").is_none());
}

#[test]
fn a_reader_sees_appends_made_through_another_connection() {
    let dir = TempDir::new().expect("tempdir");
    let reader = Store::open_dir(dir.path()).expect("reader");
    let mut writer = Store::open_dir(dir.path()).expect("writer");
    let version = reader.data_version().expect("version");
    assert!(reader.incidents(None).expect("list").is_empty());
    let item = new_item(&mut writer, "路灯不亮");
    assert_ne!(reader.data_version().expect("version"), version);
    let seen = reader.incidents(None).expect("list");
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].reference, item.reference);
}

#[test]
fn writers_on_two_threads_never_lose_or_double_a_reference() {
    let dir = TempDir::new().expect("tempdir");
    Store::open_dir(dir.path()).expect("create");
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let path = dir.path().to_path_buf();
            std::thread::spawn(move || {
                let mut store = Store::open_dir(&path).expect("open");
                (0..25)
                    .map(|n| new_item(&mut store, &format!("第{n}条")).reference)
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut refs: Vec<String> = handles
        .into_iter()
        .flat_map(|h| h.join().expect("thread"))
        .collect();
    refs.sort();
    refs.dedup();
    assert_eq!(refs.len(), 50);
    let store = Store::open_dir(dir.path()).expect("open");
    assert_eq!(
        store.audit().expect("audit"),
        AuditOutcome::Intact { events: 50 }
    );
}

fn busy_store(dir: &TempDir) -> (Store, Vec<Incident>) {
    let mut store = store_with_roster(dir);
    let mut items = Vec::new();
    for n in 0..5 {
        let item = new_item(&mut store, &format!("事项{n}"));
        let r = &item.reference;
        store
            .record(r, vec![EventKind::Claimed], &stamp(10))
            .expect("claim");
        if n % 2 == 0 {
            store
                .record(r, vec![dispatched(&["g1"]), feedback()], &stamp(20))
                .expect("dispatch and feedback");
        }
        if n == 4 {
            store
                .record(r, vec![verified(), EventKind::Closed], &stamp(30))
                .expect("close");
        }
        items.push(item);
    }
    (store, items)
}

#[test]
fn replaying_the_journal_reproduces_the_projection_exactly() {
    let dir = TempDir::new().expect("tempdir");
    let (mut store, items) = busy_store(&dir);
    let replayed = store.replay().expect("replay");
    let projected = store.incidents(None).expect("list");
    assert_eq!(replayed.len(), items.len());
    for incident in &projected {
        assert_eq!(replayed.get(&incident.id), Some(incident));
    }
    assert_eq!(store.rebuild_projection().expect("rebuild"), items.len());
    assert_eq!(store.incidents(None).expect("list"), projected);
}

#[test]
fn appending_known_events_again_changes_nothing() {
    let dir = TempDir::new().expect("tempdir");
    let (mut store, items) = busy_store(&dir);
    let events: Vec<Event> = store
        .events_of(items[0].id)
        .expect("events")
        .into_iter()
        .map(|s| s.event)
        .collect();
    let count = store.event_count().expect("count");
    let changed = store.append_events(&events).expect("append");
    assert!(changed.is_empty());
    assert_eq!(store.event_count().expect("count"), count);

    let fresh_dir = TempDir::new().expect("tempdir");
    let mut other = store_with_roster(&fresh_dir);
    let changed = other.append_events(&events).expect("append");
    assert_eq!(changed.len(), 1);
    assert_eq!(
        other.incident(&items[0].reference).expect("read"),
        store.incident(&items[0].reference).expect("read")
    );
}

fn tamper(dir: &TempDir, sql: &str) {
    let conn = Connection::open(dir.path().join("fenliu.db")).expect("raw");
    conn.execute_batch(&format!(
        "DROP TRIGGER journal_no_rewrite; DROP TRIGGER journal_no_delete; {sql}"
    ))
    .expect("tamper");
}

fn broken_at(store: &Store) -> (i64, String) {
    match store.audit().expect("audit runs") {
        AuditOutcome::Broken { pos, event_id, .. } => (pos, event_id),
        AuditOutcome::Intact { events } => panic!("tampering not caught ({events} events)"),
    }
}

#[test]
fn the_journal_refuses_plain_updates_and_deletes() {
    let dir = TempDir::new().expect("tempdir");
    let (_store, _) = busy_store(&dir);
    let conn = Connection::open(dir.path().join("fenliu.db")).expect("raw");
    assert!(
        conn.execute("UPDATE journal SET body = '{}' WHERE pos = 2", [])
            .is_err()
    );
    assert!(
        conn.execute("DELETE FROM journal WHERE pos = 2", [])
            .is_err()
    );
}

#[test]
fn tampering_with_any_stored_event_is_caught_and_named() {
    let total = {
        let dir = TempDir::new().expect("tempdir");
        let (store, _) = busy_store(&dir);
        assert!(matches!(
            store.audit().expect("audit"),
            AuditOutcome::Intact { .. }
        ));
        store.event_count().expect("count")
    };
    for pos in 1..=total {
        let dir = TempDir::new().expect("tempdir");
        let (store, _) = busy_store(&dir);
        tamper(
            &dir,
            &format!("UPDATE journal SET body = replace(body, '王磊', '李四') WHERE pos = {pos}"),
        );
        let id: String = Connection::open(dir.path().join("fenliu.db"))
            .expect("raw")
            .query_row("SELECT id FROM journal WHERE pos = ?1", [pos], |r| r.get(0))
            .expect("row");
        assert_eq!(broken_at(&store), (pos, id), "edit of row {pos}");
    }
}

#[test]
fn rehashing_or_deleting_a_row_still_breaks_the_chain_after_it() {
    let dir = TempDir::new().expect("tempdir");
    let (store, _) = busy_store(&dir);
    tamper(&dir, "DELETE FROM journal WHERE pos = 3");
    assert_eq!(broken_at(&store).0, 4);

    let dir = TempDir::new().expect("tempdir");
    let (store, _) = busy_store(&dir);
    let conn = Connection::open(dir.path().join("fenliu.db")).expect("raw");
    let (prev, body): (String, String) = conn
        .query_row(
            "SELECT (SELECT hash FROM journal WHERE pos = 4), body FROM journal WHERE pos = 5",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("rows");
    let forged = body.replace("王磊", "李四");
    let new_hash = fenliu::store::chain_hash(&prev, &forged);
    tamper(
        &dir,
        &format!("UPDATE journal SET body = '{forged}', hash = '{new_hash}' WHERE pos = 5"),
    );
    assert_eq!(
        broken_at(&store).0,
        6,
        "a re-hashed row breaks its successor"
    );
}

#[test]
fn late_entry_keeps_both_times() {
    let dir = TempDir::new().expect("tempdir");
    let mut store = store_with_roster(&dir);
    let item = new_item(&mut store, "纠纷");
    let late = Stamp {
        actor: actor(),
        occurred_at: at(30),
        recorded_at: at(30) + TimeDelta::minutes(40),
    };
    store
        .record(&item.reference, vec![EventKind::Claimed], &late)
        .expect("claim");
    let events = store.events_of(item.id).expect("events");
    let claim = &events[1].event;
    assert_eq!(claim.occurred_at, at(30));
    assert_eq!(claim.recorded_at, at(30) + TimeDelta::minutes(40));
    let i = store
        .incident(&item.reference)
        .expect("read")
        .expect("exists");
    assert_eq!(i.claimed_at, Some(at(30)));
}

/// A store filled from the hub (a rebuild, or a second machine with the same workstation number)
/// holds references its own counter never handed out: a new item skips them instead of taking a
/// reference that already names another item.
#[test]
fn a_new_item_never_takes_a_reference_a_pulled_item_holds() {
    let dir = TempDir::new().expect("tempdir");
    let mut store = Store::open_dir(dir.path()).expect("store opens");
    let taken = |n: u32| fenliu::store::format_reference("DN", day(), n);
    let pulled: Vec<(i64, Event)> = (1..=2)
        .map(|n| {
            let mut received = draft("来自枢纽的事项");
            received.reference = taken(n);
            let event = Event {
                id: EventId::v7_at(at(i64::from(n))),
                incident: IncidentId::v7_at(at(i64::from(n))),
                actor: actor(),
                occurred_at: at(0),
                recorded_at: at(0),
                kind: EventKind::Received(received),
            };
            (i64::from(n), event)
        })
        .collect();
    store.apply_pulled(&pulled, 2).expect("pulled");
    let made = new_item(&mut store, "本机新建");
    assert_eq!(made.reference, taken(3), "{}", made.reference);
    assert_eq!(new_item(&mut store, "又一件").reference, taken(4));
}
