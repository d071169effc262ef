//! A hub restored from an earlier copy, and a hub replaced by another one: the console notices,
//! says so, offers its station's events again and pulls everything anew.

mod hubkit;

use chrono::Utc;
use fenliu::domain::{Actor, EventKind};
use fenliu::hub::HubConfig;
use fenliu::store::{Stamp, Store};
use fenliu::sync::{Client, Engine, Settings};
use hubkit::TestHub;

fn stamp() -> Stamp {
    let now = Utc::now();
    Stamp {
        actor: Actor {
            operator: "值班员1".into(),
            station: "dn".into(),
            device: "1".into(),
        },
        occurred_at: now,
        recorded_at: now,
    }
}

fn walk_in(store: &mut Store) -> String {
    let s = stamp();
    let EventKind::Received(received) = hubkit::received_event("dn", "", s.occurred_at).kind else {
        unreachable!("a received event")
    };
    let day = s.occurred_at.date_naive();
    store
        .create_incident(received, "DN1", day, vec![], &s)
        .expect("create")
        .reference
}

fn engine(hub: &TestHub, dir: &std::path::Path) -> Engine {
    let settings = Settings {
        url: hub.url.clone(),
        token: hub.token("dn").to_string(),
        workstation: "1".into(),
        ca_file: None,
    };
    let client = Client::new(&settings).expect("client");
    Engine::new(client, Store::open_dir(dir).expect("store")).0
}

/// Replaces the hub's database with `copy` and starts it again.
async fn restore(hub: &mut TestHub, copy: &std::path::Path) {
    hub.stop().await;
    let db = hub.dir.path().join("hub.db");
    for tail in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{tail}", db.display()));
    }
    std::fs::copy(copy, &db).expect("restore the copy");
    hub.restart(HubConfig::default()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_console_notices_a_restored_hub_and_recovers() {
    let mut hub = TestHub::start(HubConfig::default()).await;
    let console = tempfile::tempdir().expect("dir");
    let mut store = Store::open_dir(console.path()).expect("store");
    let sync = engine(&hub, console.path());
    hub.intake_g1("110-1").await;
    assert_eq!(sync.once().await.expect("sync").hub_warning, None);
    let copy = tempfile::tempdir().expect("dir");
    let copy = copy.path().join("copy.db");
    rusqlite::Connection::open(hub.dir.path().join("hub.db"))
        .expect("db")
        .execute("VACUUM INTO ?1", [copy.to_str().expect("path")])
        .expect("an online copy");
    for n in 2..=4 {
        hub.intake_g1(&format!("110-{n}")).await;
    }
    let own = walk_in(&mut store);
    let item = store.incident(&own).expect("read").expect("known").id;
    store
        .record(&own, vec![EventKind::Claimed], &stamp())
        .expect("claim");
    let counts = sync.once().await.expect("sync");
    assert_eq!((counts.pushed, counts.hub_warning), (2, None));
    restore(&mut hub, &copy).await;
    let fresh = hub.intake_g1("110-5").await;
    let counts = sync.once().await.expect("sync after the restore");
    let warning = counts.hub_warning.expect("the console says so");
    assert!(warning.contains("旧备份"), "{warning}");
    let (s, view) = hub
        .get(&format!("/v1/incidents/{item}"), hub.token("dn"))
        .await;
    assert_eq!(
        s, 200,
        "the walk-in the restored hub lacked was offered again: {view}"
    );
    assert_eq!(view["events"].as_array().map(Vec::len), Some(2));
    // The restored hub numbered its new item like one it lost (DN-…-0002): the console keeps
    // both, the newcomer under the reference and the start of its id.
    let (fresh_ref, fresh_id) = (
        fresh["ref"].as_str().expect("ref"),
        fresh["id"].as_str().expect("id"),
    );
    assert!(fresh_ref.ends_with("-0002"), "{fresh_ref}");
    let pulled = store
        .incident(&format!("{fresh_ref}/{}", &fresh_id[..8]))
        .expect("read")
        .expect("the item taken in after the restore reached the console");
    assert_eq!(pulled.id.to_string(), fresh_id);
    assert_eq!(pulled.reference, fresh_ref);
    let lost = store
        .incident(fresh_ref)
        .expect("read")
        .expect("still here");
    assert_ne!(
        lost.id.to_string(),
        fresh_id,
        "the item the hub lost stays on the console"
    );
    let known = store.known_hub().expect("read").expect("known hub");
    assert_eq!(known.warning.as_deref(), Some(warning.as_str()));
    let again = sync.once().await.expect("sync");
    assert_eq!(again.hub_warning, None, "told once, then back to normal");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_console_notices_another_hub() {
    let mut hub = TestHub::start(HubConfig::default()).await;
    let console = tempfile::tempdir().expect("dir");
    let mut store = Store::open_dir(console.path()).expect("store");
    let sync = engine(&hub, console.path());
    walk_in(&mut store);
    sync.once().await.expect("sync");
    let other = tempfile::tempdir().expect("dir");
    {
        let fresh = fenliu::hub::store::SqliteHubStore::open_dir(other.path()).expect("store");
        let token =
            fenliu::hub::admin::add_station(&fresh, &hubkit::station("dn", "DN")).expect("station");
        hub.stations.insert("dn".into(), token);
    }
    restore(&mut hub, &other.path().join("hub.db")).await;
    let sync = engine(&hub, console.path());
    let counts = sync.once().await.expect("sync with the other hub");
    assert!(
        counts.hub_warning.is_some_and(|w| w.contains("枢纽已换")),
        "another identity is told"
    );
    let (_, page) = hub.get("/v1/sync?after=0", hub.token("dn")).await;
    assert_eq!(
        page["events"].as_array().map(Vec::len),
        Some(1),
        "the other hub got the station's item"
    );
}
