//! The hub's own hash chain: every accepted event and intake and every journal head a console
//! reported is a link, and `fenliu hub audit verify` names the first link a tamperer broke.

mod hubkit;

use assert_cmd::Command;
use fenliu::hub::admin;
use fenliu::hub::store::{HubStore, Link, Push, SqliteHubStore, link_hash};
use fenliu::protocol::{ChainHead, PushOutcome};
use hubkit::{claim_event, decision, new_intake, now, station};
use predicates::prelude::*;
use rusqlite::Connection;
use std::path::Path;

const HEAD: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const JOURNAL: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// A hub database with two stations, three intakes (two triaged), one claim pushed with a head
/// and the same head again (recorded once). Returns the claim's sequence number.
fn hub_with_history(dir: &Path) -> i64 {
    let store = SqliteHubStore::open_dir(dir).expect("hub store");
    admin::add_station(&store, &station("dn", "DN")).expect("station");
    admin::add_station(&store, &station("gz", "GZ")).expect("station");
    let first = store
        .intake(new_intake("dn", "DN", "110-1", Some(decision())))
        .expect("intake");
    store
        .intake(new_intake("dn", "DN", "110-2", None))
        .expect("intake");
    store
        .intake(new_intake("gz", "GZ", "110-3", Some(decision())))
        .expect("intake");
    let head = ChainHead {
        journal: JOURNAL.into(),
        workstation: "1".into(),
        pos: 3,
        hash: HEAD.into(),
    };
    let push = |events| {
        store.push(Push {
            station: "dn".into(),
            events,
            now: now() + chrono::TimeDelta::minutes(10),
            head: Some(head.clone()),
        })
    };
    let answer = push(vec![claim_event(first.response.id, "dn", "ws1")]).expect("push");
    let PushOutcome::Accepted { seq, .. } = answer[0] else {
        panic!("claim accepted: {answer:?}");
    };
    push(vec![]).expect("the same head again");
    let heads = store.reported_heads("dn", 0, 10).expect("heads");
    assert_eq!(heads.len(), 1, "a repeated head is linked once");
    assert_eq!(heads[0].head, head, "as it was reported");
    assert!(store.reported_heads("gz", 0, 10).expect("heads").is_empty());
    seq
}

fn verify(dir: &Path) -> assert_cmd::assert::Assert {
    Command::cargo_bin("fenliu")
        .expect("binary")
        .env_remove("FENLIU_HUB_DIR")
        .args(["hub", "audit", "verify", "--hub-dir"])
        .arg(dir)
        .assert()
}

fn broken(dir: &Path, says: &str) {
    verify(dir).code(1).stderr(predicate::str::contains(says));
}

/// Runs `sql` on a fresh copy of the pristine database and checks what verify says.
fn tampered(pristine: &Path, sql: &str, says: &str) {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::copy(pristine.join("hub.db"), tmp.path().join("hub.db")).expect("copy");
    Connection::open(tmp.path().join("hub.db"))
        .expect("open the file directly")
        .execute_batch(sql)
        .expect(sql);
    broken(tmp.path(), says);
}

#[test]
fn the_chain_covers_everything_and_names_the_first_broken_link() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let claim = hub_with_history(dir);
    // 3 intakes: 5 events and 3 keys; 1 claim; 1 head.
    verify(dir).success().stdout(predicate::str::contains(
        "ok: 10 links (6 events, 3 intakes, 1 reported heads)",
    ));
    let conn = Connection::open(dir.join("hub.db")).expect("open");
    let link_of_claim: i64 = conn
        .query_row("SELECT pos FROM chain WHERE seq = ?1", [claim], |r| {
            r.get(0)
        })
        .expect("the claim is linked");
    drop(conn);

    tampered(
        dir,
        &format!("UPDATE events SET body = replace(body, 'ws1', 'ws9') WHERE seq = {claim}"),
        &format!("chain link {link_of_claim}: event {claim} differs from what the chain recorded"),
    );
    tampered(
        dir,
        "DELETE FROM events WHERE seq = 2",
        "event 2 it records is missing from the hub's events",
    );
    tampered(
        dir,
        "DELETE FROM chain WHERE pos = 4",
        "chain link 4: it is missing",
    );
    tampered(
        dir,
        "INSERT INTO events (id, incident, station, kind, body) SELECT 'x', incident, station, kind, body FROM events WHERE seq = 1",
        "is not in the chain: it was added outside the hub",
    );
    tampered(
        dir,
        "DELETE FROM intake_keys WHERE source_ref = '110-2'",
        "the intake of 110 110-2 by c110 it records is missing or changed",
    );
    tampered(
        dir,
        "UPDATE chain SET body = replace(body, '\"pos\":3', '\"pos\":2') WHERE kind = 'head'",
        "its hash does not follow from its content",
    );

    // A careful tamperer edits the event, writes its new digest into its link and re-hashes
    // that link: the chain breaks at the next link.
    let copy = tempfile::tempdir().expect("tempdir");
    std::fs::copy(dir.join("hub.db"), copy.path().join("hub.db")).expect("copy");
    let conn = Connection::open(copy.path().join("hub.db")).expect("open");
    conn.execute(
        "UPDATE events SET body = replace(body, 'ws1', 'ws9') WHERE seq = ?1",
        [claim],
    )
    .expect("edit");
    let body: String = conn
        .query_row("SELECT body FROM events WHERE seq = ?1", [claim], |r| {
            r.get(0)
        })
        .expect("body");
    let prev: String = conn
        .query_row(
            "SELECT hash FROM chain WHERE pos = ?1",
            [link_of_claim - 1],
            |r| r.get(0),
        )
        .expect("previous link");
    let link = serde_json::to_string(&Link::Event {
        seq: claim,
        station: "dn".into(),
        digest: fenliu::hub::store::digest(&body),
    })
    .expect("link");
    conn.execute(
        "UPDATE chain SET body = ?2, hash = ?3 WHERE pos = ?1",
        rusqlite::params![link_of_claim, link, link_hash(&prev, &link)],
    )
    .expect("re-hash one link");
    drop(conn);
    broken(
        copy.path(),
        &format!(
            "chain link {}: its hash does not follow from its content and the link before it",
            link_of_claim + 1
        ),
    );
}

#[test]
fn verify_reads_without_writing_and_a_missing_database_is_named() {
    let tmp = tempfile::tempdir().expect("tempdir");
    hub_with_history(tmp.path());
    let before = std::fs::read(tmp.path().join("hub.db")).expect("read");
    verify(tmp.path()).success();
    assert_eq!(
        std::fs::read(tmp.path().join("hub.db")).expect("read"),
        before,
        "verify leaves the database as it was (no new epoch)"
    );
    let empty = tempfile::tempdir().expect("tempdir");
    broken(empty.path(), "there is no hub database here");
}

#[test]
fn a_database_from_before_the_chain_is_linked_once_when_the_hub_opens_it() {
    let tmp = tempfile::tempdir().expect("tempdir");
    hub_with_history(tmp.path());
    let conn = Connection::open(tmp.path().join("hub.db")).expect("open");
    conn.execute_batch(
        "DROP TABLE chain; DELETE FROM hub_meta WHERE key = 'chain_since';
         DROP INDEX incidents_by_received; ALTER TABLE incidents DROP COLUMN received_at;
         PRAGMA user_version = 2;",
    )
    .expect("back to the second schema");
    drop(conn);
    broken(tmp.path(), "has no chain yet");
    drop(SqliteHubStore::open_dir(tmp.path()).expect("the hub opens and links what it holds"));
    verify(tmp.path())
        .success()
        .stdout(predicate::str::contains(
            "ok: 9 links (6 events, 3 intakes, 0 reported heads)",
        ));
    let conn = Connection::open(tmp.path().join("hub.db")).expect("open");
    conn.execute_batch(
        "INSERT INTO events (id, incident, station, kind, body) SELECT 'y', incident, station, kind, body FROM events WHERE seq = 1",
    )
    .expect("an event added while the hub was stopped");
    drop(conn);
    drop(SqliteHubStore::open_dir(tmp.path()).expect("reopens"));
    broken(tmp.path(), "is not in the chain");
}

#[tokio::test]
async fn a_malformed_head_is_refused_by_field_and_a_push_without_one_is_taken() {
    let hub = hubkit::TestHub::start(fenliu::hub::HubConfig::default()).await;
    let good = serde_json::json!({"journal": JOURNAL, "workstation": "1", "pos": 4, "hash": HEAD});
    let with = |field: &str, value: serde_json::Value| {
        let mut head = good.clone();
        head[field] = value;
        head
    };
    for (head, field) in [
        (with("pos", 0.into()), "head.pos"),
        (with("hash", "ABC".into()), "head.hash"),
        (with("journal", HEAD.to_uppercase().into()), "head.journal"),
        (with("workstation", "".into()), "head.workstation"),
        (with("workstation", "1\n2".into()), "head.workstation"),
    ] {
        let (status, body) = hub
            .post(
                "/v1/sync",
                hub.token("dn"),
                &serde_json::json!({"events": [], "head": head}),
            )
            .await;
        assert_eq!(status, 400, "{body}");
        assert!(
            body["message"]
                .as_str()
                .expect("message")
                .starts_with(field),
            "{field}: {body}"
        );
    }
    let (status, body) = hub
        .post(
            "/v1/sync",
            hub.token("dn"),
            &serde_json::json!({"events": []}),
        )
        .await;
    assert_eq!(status, 200, "an older console's push: {body}");
    let (status, body) = hub
        .post(
            "/v1/sync",
            hub.token("dn"),
            &serde_json::json!({"events": [], "head": good}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, page) = hub.get("/v1/sync/heads?after=0", hub.token("dn")).await;
    assert_eq!(status, 200, "{page}");
    let mut reported = page["heads"][0].clone();
    assert!(reported["link"].as_i64().is_some(), "{page}");
    reported.as_object_mut().expect("object").remove("link");
    assert_eq!(reported, good);
    assert_eq!(page["more"], false);
    let (_, other) = hub.get("/v1/sync/heads", hub.token("gz")).await;
    assert_eq!(
        other["heads"],
        serde_json::json!([]),
        "another station's heads are its own"
    );
    let (status, _) = hub.get("/v1/sync/heads", &hub.district).await;
    assert_eq!(status, 403);
}
