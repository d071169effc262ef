//! Moving a district's hub from its SQLite directory to PostgreSQL: `fenliu hub migrate`, then the
//! hub served from PostgreSQL on the same address, and the district's console carrying on; the moved
//! chain verifies on PostgreSQL as it did on SQLite, and an event altered there is named.

mod hubkit;

use assert_cmd::Command;
use fenliu::hub::store::{HubStore, PgHubStore};
use fenliu::hub::{HubConfig, RunningHub};
use fenliu::store::Store;
use hubkit::TestHub;
use hubkit::console::{engine, walk_in_claimed};
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_district_moved_to_postgres_serves_its_console_on() {
    let Some(admin) = hubkit::pg::url() else {
        return hubkit::pg::not_run("migration test (tests/hub_migrate.rs)");
    };
    let url = tokio::task::spawn_blocking(move || hubkit::pg::fresh_database(&admin))
        .await
        .expect("a database");
    let mut hub = TestHub::start(HubConfig::default()).await;
    let console = tempfile::tempdir().expect("dir");
    let mut store = Store::open_dir(console.path()).expect("store");
    let sync = engine(&hub.url, hub.token("dn"), console.path());
    let first = hub.intake_g1("110-1").await;
    let own = walk_in_claimed(&mut store);
    let counts = sync.once().await.expect("sync");
    assert_eq!((counts.pushed, counts.hub_warning), (2, None));
    hub.stop().await;

    let dir = hub.dir.path().to_str().expect("path").to_string();
    let out = Command::cargo_bin("fenliu")
        .expect("binary")
        .args(["hub", "migrate", "--from", &dir, "--to", &url])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .expect("run");
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        said.contains("moved 2 stations, 2 items, 3 events"),
        "{said}"
    );
    let report = |store: [&str; 2]| {
        let out = Command::cargo_bin("fenliu")
            .expect("binary")
            .args(["hub", store[0], store[1], "report", "--format", "json"])
            .args(["--from", "2020-01-01", "--to", "2100-01-01"])
            .timeout(std::time::Duration::from_secs(60))
            .output()
            .expect("run");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&out.stdout).expect("json")
    };
    let moved = report(["--store", &url]);
    assert_eq!(
        moved,
        report(["--hub-dir", &dir]),
        "the district report reads the same from PostgreSQL"
    );
    assert!(moved.to_string().contains("\"dn\""), "{moved}");
    let verified = |store: [&str; 2]| {
        Command::cargo_bin("fenliu")
            .expect("binary")
            .args(["hub", store[0], store[1], "audit", "verify"])
            .timeout(std::time::Duration::from_secs(60))
            .output()
            .expect("run")
    };
    let (on_pg, on_dir) = (verified(["--store", &url]), verified(["--hub-dir", &dir]));
    assert!(
        on_pg.status.success(),
        "{}",
        String::from_utf8_lossy(&on_pg.stderr)
    );
    let said = String::from_utf8_lossy(&on_pg.stdout).to_string();
    assert!(said.starts_with("ok: "), "{said}");
    assert_eq!(
        said,
        String::from_utf8_lossy(&on_dir.stdout),
        "the moved chain holds as it did"
    );
    let pg_url = url.clone();

    let listener = tokio::net::TcpListener::bind(hub.addr())
        .await
        .expect("the same address");
    let pg = tokio::task::spawn_blocking(move || PgHubStore::open(&url))
        .await
        .expect("open")
        .expect("the PostgreSQL hub");
    let store_pg: Arc<dyn HubStore> = Arc::new(pg);
    let running = RunningHub::start(listener, store_pg, HubConfig::default()).expect("serve");

    let again_body = serde_json::json!({"source": "110", "source_ref": "110-1", "text": "噪音扰民", "grid": "g1"});
    let (status, again) = hub.post("/v1/intake", &hub.intake, &again_body).await;
    assert_eq!(
        status, 200,
        "the connector's number is still known: {again}"
    );
    assert_eq!(again["ref"], first["ref"]);
    let second = hub.intake_g1("110-2").await;
    let second_ref = second["ref"].as_str().expect("ref").to_string();
    assert!(
        second_ref.ends_with("-0002"),
        "the counter carried on: {second_ref}"
    );

    let own_after = walk_in_claimed(&mut store);
    let counts = sync.once().await.expect("sync with the moved hub");
    assert_eq!(counts.hub_warning, None, "the same hub, no rebuild");
    assert_eq!((counts.pushed, counts.rejected), (2, 0));
    assert!(
        store.incident(&second_ref).expect("read").is_some(),
        "the intake taken in after the move reached the console"
    );
    let item = store.incident(&own).expect("read").expect("known").id;
    let (s, view) = hub
        .get(&format!("/v1/incidents/{item}"), hub.token("dn"))
        .await;
    assert_eq!(s, 200, "{view}");
    assert_eq!(view["events"].as_array().map(Vec::len), Some(2));
    assert_ne!(own, own_after);
    running.stop().await.expect("graceful stop");

    let (seq, out) = tokio::task::spawn_blocking(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let seq: i64 = runtime.block_on(async {
            use sqlx_core::connection::Connection;
            use sqlx_core::row::Row;
            let mut conn = sqlx_postgres::PgConnection::connect(&pg_url)
                .await
                .expect("connect");
            let row = sqlx_core::query::query(
                "UPDATE events SET body = body || ' '
                  WHERE seq = (SELECT MIN(seq) FROM events) RETURNING seq",
            )
            .fetch_one(&mut conn)
            .await
            .expect("alter the first event");
            row.get(0)
        });
        (seq, verified(["--store", &pg_url]))
    })
    .await
    .expect("tamper");
    assert_eq!(
        out.status.code(),
        Some(1),
        "an altered event breaks the chain"
    );
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains(&format!("event {seq} differs")), "{said}");
}
