//! The hub over TLS on 127.0.0.1, with a district authority and a hub certificate made in the
//! test (by the `openssl` tool): a console that trusts the authority (`ca_file`) syncs, one that
//! does not is refused, and plain HTTP to the TLS port gets no answer.

mod hubkit;

use fenliu::hub::store::{Role, SqliteHubStore};
use fenliu::hub::{HubConfig, Listeners, RunningHub, admin};
use fenliu::store::Store;
use fenliu::sync::{Client, Engine, Settings};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the openssl tool makes the test's certificates");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A district CA and a hub certificate for 127.0.0.1 signed by it.
fn certificates(dir: &Path) {
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let mut ca = vec!["req", "-x509"];
    ca.extend(ec);
    ca.extend([
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "1",
        "-subj",
        "/CN=district-ca",
    ]);
    openssl(dir, &ca);
    let mut csr = vec!["req"];
    csr.extend(ec);
    csr.extend([
        "-keyout",
        "hub.key",
        "-out",
        "hub.csr",
        "-subj",
        "/CN=127.0.0.1",
    ]);
    openssl(dir, &csr);
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n",
    )
    .expect("extensions");
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "hub.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "hub.pem",
            "-days",
            "1",
            "-extfile",
            "ext.cnf",
        ],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_console_trusting_the_district_authority_syncs_over_tls() {
    let certs = tempfile::tempdir().expect("dir");
    certificates(certs.path());
    let hub_dir = tempfile::tempdir().expect("dir");
    let store = SqliteHubStore::open_dir(hub_dir.path()).expect("store");
    let token = admin::add_station(&store, &hubkit::station("dn", "DN")).expect("station");
    admin::add_route(&store, "dn", Some("g1"), None).expect("route");
    let intake = admin::add_connector(&store, "c110", Role::Intake).expect("connector");
    let main = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let tls =
        fenliu::hub::tls::acceptor(&certs.path().join("hub.pem"), &certs.path().join("hub.key"))
            .expect("the hub takes its certificate and key");
    let listeners = Listeners {
        main,
        tls: Some(tls),
        metrics: None,
    };
    let hub =
        RunningHub::start_on(listeners, Arc::new(store), HubConfig::default()).expect("start");
    let url = format!("https://{}", hub.addr);
    let settings = |ca: Option<&str>| Settings {
        url: url.clone(),
        token: token.clone(),
        workstation: "1".into(),
        ca_file: ca.map(|f| certs.path().join(f)),
    };
    let trusting = Client::new(&settings(Some("ca.pem"))).expect("client");
    let connector = reqwest::Client::builder()
        .add_root_certificate(
            reqwest::Certificate::from_pem(
                &std::fs::read(certs.path().join("ca.pem")).expect("ca"),
            )
            .expect("pem"),
        )
        .build()
        .expect("client");
    let r = connector
        .post(format!("{url}/v1/intake"))
        .bearer_auth(&intake)
        .json(&serde_json::json!({"source": "110", "source_ref": "110-1", "text": "噪音", "grid": "g1"}))
        .send()
        .await
        .expect("intake over TLS");
    assert_eq!(r.status().as_u16(), 201);
    let console = tempfile::tempdir().expect("dir");
    let (engine, _) = Engine::new(trusting, Store::open_dir(console.path()).expect("store"));
    let counts = engine.once().await.expect("sync over TLS");
    assert_eq!(counts.pulled, 1);
    let stranger = Client::new(&settings(None)).expect("client");
    let err = stranger
        .pull(0, 0, 1)
        .await
        .expect_err("an unknown authority is refused");
    assert!(
        matches!(err, fenliu::sync::SyncError::Unreachable { .. }),
        "refused before any request: {err}"
    );
    let plain = reqwest::Client::new()
        .get(format!("http://{}/healthz", hub.addr))
        .send()
        .await;
    assert!(
        plain.is_err(),
        "no plain HTTP answer on the TLS port: {plain:?}"
    );
    let missing = Client::new(&settings(Some("nope.pem")));
    assert!(missing.is_err_and(|e| e.to_string().contains("ca_file")));
    hub.stop().await.expect("stop");
}
