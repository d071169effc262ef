//! The city setup: several hub processes on one PostgreSQL. A commit on any process wakes
//! long-polls on every other; a notification lost with the listener's connection is covered by
//! the re-check; two processes judging claims on one item let exactly one win; a console given
//! both addresses moves to the other when one process is killed, losing and doubling nothing.

mod hubkit;

use fenliu::hub::admin;
use fenliu::hub::store::{HubStore, PgHubStore, Role};
use fenliu::protocol::{PushOutcome, PushRequest, PushResponse, SyncPage};
use fenliu::store::Store;
use hubkit::{claim_live, new_intake, station};
use sqlx_core::connection::Connection;
use sqlx_core::query::query;
use sqlx_postgres::PgConnection;
use std::collections::HashSet;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const BOUND: Duration = Duration::from_secs(15);

/// A `fenliu hub serve --store URL` child process, killed when dropped.
struct Hub(Child, String);

impl Drop for Hub {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(store: &str) -> Hub {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fenliu"))
        .args(["hub", "serve", "--listen", "127.0.0.1:0", "--store", store])
        .env("FENLIU_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start a hub process");
    let url = hubkit::listening_url(&mut child);
    Hub(child, url)
}

/// Station `dn` (grid g1) and an intake connector in the database: their tokens.
fn setup(store: &dyn HubStore) -> (String, String) {
    let token = admin::add_station(store, &station("dn", "DN")).expect("station");
    admin::add_route(store, "dn", Some("g1"), None).expect("route");
    let intake = admin::add_connector(store, "c110", Role::Intake).expect("connector");
    (token, intake)
}

async fn intake(http: &reqwest::Client, url: &str, token: &str, source_ref: &str) -> String {
    let body = serde_json::json!({"source": "110", "source_ref": source_ref, "text": "噪音扰民", "grid": "g1"});
    let r = http
        .post(format!("{url}/v1/intake"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("intake sent");
    assert_eq!(r.status().as_u16(), 201, "intake {source_ref} taken in");
    let v: serde_json::Value = r.json().await.expect("json");
    v["id"].as_str().expect("id").to_string()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// Waits until `store`'s followers have seen sequence `seq`.
fn woken_to(store: &PgHubStore, seq: i64) -> bool {
    let mut rx = store.subscribe();
    runtime().block_on(async {
        tokio::time::timeout(BOUND, rx.wait_for(|s| *s >= seq))
            .await
            .is_ok_and(|r| r.is_ok())
    })
}

#[test]
fn a_commit_no_one_announced_is_found_by_the_recheck() {
    let Some(admin) = hubkit::pg::url() else {
        return hubkit::pg::not_run("city suite (tests/hub_pg_city.rs)");
    };
    let (store, url) = hubkit::pg::fresh_store(&admin);
    store
        .add_station(&station("dn", "DN"), "h")
        .expect("station");
    let before = *store.subscribe().borrow();
    // Another writer commits without NOTIFY: only the re-check can tell.
    runtime().block_on(async {
        let mut c = PgConnection::connect(&url).await.expect("connect");
        query("INSERT INTO events (seq, id, incident, station, kind, body) VALUES ($1, 'e', 'i', 'dn', 'claimed', '{}')")
            .bind(before + 1)
            .execute(&mut c)
            .await
            .expect("a silent commit");
    });
    assert!(
        woken_to(&store, before + 1),
        "the re-check found the commit"
    );
}

#[test]
fn a_listener_that_lost_its_connection_still_wakes() {
    let Some(admin) = hubkit::pg::url() else {
        return hubkit::pg::not_run("city suite (tests/hub_pg_city.rs)");
    };
    let (a, url) = hubkit::pg::fresh_store(&admin);
    let b = PgHubStore::open(&url).expect("a second process's store");
    a.add_station(&station("dn", "DN"), "h").expect("station");
    let dropped = runtime().block_on(async {
        let mut c = PgConnection::connect(&url).await.expect("connect");
        let n: i64 = sqlx_core::row::Row::try_get(
            &query(
                "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity
                 WHERE datname = current_database() AND query LIKE 'LISTEN%'",
            )
            .fetch_one(&mut c)
            .await
            .expect("drop the listeners"),
            0,
        )
        .expect("count");
        n
    });
    assert!(dropped >= 1, "the listeners' connections were dropped");
    let made = b
        .intake(new_intake("dn", "DN", "110-1", None))
        .expect("intake on the other process");
    assert!(made.created);
    let last = *b.subscribe().borrow();
    assert!(
        woken_to(&a, last),
        "a sees b's commit despite the lost listener"
    );
}

#[test]
fn two_processes_share_one_database() {
    let Some(admin) = hubkit::pg::url() else {
        return hubkit::pg::not_run("city suite (tests/hub_pg_city.rs)");
    };
    let (store, url) = hubkit::pg::fresh_store(&admin);
    let (station_token, intake_token) = setup(&store);
    drop(store);
    let (a, b) = (serve(&url), serve(&url));
    let http = reqwest::Client::new();
    runtime().block_on(async {
        // A console long-polling b sees an intake taken in on a, within the poll.
        let poll = {
            let (http, url, token) = (http.clone(), b.1.clone(), station_token.clone());
            tokio::spawn(async move {
                let started = Instant::now();
                let page: SyncPage = http
                    .get(format!("{url}/v1/sync?after=0&wait=20"))
                    .bearer_auth(token)
                    .send()
                    .await
                    .expect("poll")
                    .json()
                    .await
                    .expect("page");
                (page, started.elapsed())
            })
        };
        let item = intake(&http, &a.1, &intake_token, "110-1").await;
        let (page, took) = poll.await.expect("poll task");
        assert!(
            page.events
                .iter()
                .any(|e| e.event.incident.to_string() == item),
            "the poll on b brought a's intake"
        );
        assert!(took < Duration::from_secs(20), "woken, not timed out");
        // Claims of one item pushed at the same moment to both processes: one wins.
        for n in 2..6 {
            let item = intake(&http, &a.1, &intake_token, &format!("110-{n}")).await;
            let item = fenliu::domain::IncidentId::parse(&item).expect("id");
            let gate = Arc::new(tokio::sync::Barrier::new(2));
            let racers: Vec<_> = [(a.1.clone(), "ws1"), (b.1.clone(), "ws2")]
                .into_iter()
                .map(|(url, device)| {
                    let (http, token, gate) = (http.clone(), station_token.clone(), gate.clone());
                    tokio::spawn(async move {
                        let body = PushRequest {
                            events: vec![claim_live(item, "dn", device)],
                            head: None,
                        };
                        gate.wait().await;
                        let r: PushResponse = http
                            .post(format!("{url}/v1/sync"))
                            .bearer_auth(token)
                            .json(&body)
                            .send()
                            .await
                            .expect("push")
                            .json()
                            .await
                            .expect("answer");
                        r.results
                    })
                })
                .collect();
            let mut won = 0;
            for r in racers {
                let results = r.await.expect("racer");
                won += results
                    .iter()
                    .filter(|o| matches!(o, PushOutcome::Accepted { .. }))
                    .count();
            }
            assert_eq!(won, 1, "exactly one claim of item {n} wins");
        }
    });
}

#[test]
fn a_console_with_two_addresses_fails_over_when_one_process_dies() {
    let Some(admin) = hubkit::pg::url() else {
        return hubkit::pg::not_run("city suite (tests/hub_pg_city.rs)");
    };
    let (store, url) = hubkit::pg::fresh_store(&admin);
    let (station_token, intake_token) = setup(&store);
    drop(store);
    let (a, b) = (serve(&url), serve(&url));
    let b_url = b.1.clone();
    let console = tempfile::tempdir().expect("dir");
    let http = reqwest::Client::new();
    runtime().block_on(async {
        let sync =
            hubkit::console::engine(&format!("{}, {}", a.1, b.1), &station_token, console.path());
        let mut sent = Vec::new();
        for n in 0..5 {
            sent.push(intake(&http, &a.1, &intake_token, &format!("110-{n}")).await);
        }
        sync.once().await.expect("sync through a");
        assert_eq!(
            sync.subscribe().borrow().hub_url.as_deref(),
            Some(a.1.as_str())
        );
        drop(a);
        for n in 5..10 {
            sent.push(intake(&http, &b_url, &intake_token, &format!("110-{n}")).await);
        }
        let counts = sync.once().await.expect("sync fails over to b");
        assert_eq!(
            counts.hub_warning, None,
            "the same hub, through another process"
        );
        let status = sync.subscribe().borrow().clone();
        assert_eq!(
            status.hub_url.as_deref(),
            Some(b_url.as_str()),
            "says which it uses"
        );
        assert!(status.online);
    });
    drop(b);
    let store = Store::open_dir(console.path()).expect("console store");
    let items = store.incidents(None).expect("items");
    let ids: HashSet<String> = items.iter().map(|i| i.id.to_string()).collect();
    assert_eq!(items.len(), 10, "every item once");
    assert_eq!(ids.len(), 10, "none doubled");
}
