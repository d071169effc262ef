//! `fenliu hub …` and `fenliu sync …` as real processes: administration, a served hub stopped by
//! SIGTERM, and a console syncing through its config file.

use assert_cmd::Command;
use predicates::prelude::*;
use std::io::BufRead;
use std::path::Path;
use std::process::Stdio;

fn fenliu(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("fenliu").expect("binary built");
    cmd.env_remove("FENLIU_CONFIG")
        .env_remove("FENLIU_HUB_URL")
        .env_remove("FENLIU_HUB_TOKEN")
        .env_remove("FENLIU_HUB_DIR")
        .env("FENLIU_DATA_DIR", dir.join("data"))
        .env("XDG_CONFIG_HOME", dir.join("xdg"))
        .env("HOME", dir);
    cmd
}

fn last_line(dir: &Path, args: &[&str]) -> String {
    let out = fenliu(dir).args(args).assert().success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    text.lines().last().expect("output").trim().to_string()
}

/// Adds station dn (大宁路街道, prefix DN) to the hub in `hub`; its token.
fn add_dn(dir: &Path, hub: &str) -> String {
    last_line(
        dir,
        &[
            "hub",
            "station",
            "add",
            "--hub-dir",
            hub,
            "--id",
            "dn",
            "--name",
            "大宁路街道",
            "--prefix",
            "DN",
        ],
    )
}

#[test]
fn administration_prints_tokens_once_and_keeps_routes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let hub = dir.path().join("hub");
    let hub = hub.to_str().expect("utf-8 path");
    let token = add_dn(dir.path(), hub);
    assert!(token.starts_with("fl1.s.dn."), "{token}");
    fenliu(dir.path())
        .args([
            "hub",
            "station",
            "add",
            "--hub-dir",
            hub,
            "--id",
            "dn",
            "--name",
            "x",
            "--prefix",
            "XX",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("already exists"));
    let rotated = last_line(
        dir.path(),
        &[
            "hub",
            "station",
            "rotate-token",
            "--hub-dir",
            hub,
            "--id",
            "dn",
        ],
    );
    assert!(rotated.starts_with("fl1.s.dn.") && rotated != token);
    let intake = last_line(
        dir.path(),
        &[
            "hub",
            "connector",
            "add",
            "--hub-dir",
            hub,
            "--id",
            "c110",
            "--role",
            "intake",
        ],
    );
    assert!(intake.starts_with("fl1.c.c110."), "{intake}");
    last_line(
        dir.path(),
        &[
            "hub",
            "route",
            "add",
            "--hub-dir",
            hub,
            "--grid",
            "g1",
            "--community",
            "c1",
            "--station",
            "dn",
        ],
    );
    fenliu(dir.path())
        .args(["hub", "route", "list", "--hub-dir", hub])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("grid\tg1\tdn")
                .and(predicate::str::contains("community\tc1\tdn")),
        );
    fenliu(dir.path())
        .args([
            "hub",
            "route",
            "add",
            "--hub-dir",
            hub,
            "--grid",
            "g2",
            "--station",
            "nowhere",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("station nowhere does not exist"));
    fenliu(dir.path())
        .args(["hub", "route", "list"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("--hub-dir"));
    let db = std::fs::read(dir.path().join("hub").join("hub.db")).expect("db");
    let secret = rotated.rsplit('.').next().expect("secret");
    assert!(
        !db.windows(secret.len()).any(|w| w == secret.as_bytes()),
        "only hashes are stored"
    );
}

/// The hub as a child process; killed if the test ends early, so no server outlives it.
struct Served(std::process::Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_served_hub_feeds_a_console_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().expect("tempdir");
    let hub = dir.path().join("hub");
    let hub = hub.to_str().expect("utf-8 path");
    let token = last_line(
        dir.path(),
        &[
            "hub",
            "station",
            "add",
            "--hub-dir",
            hub,
            "--id",
            "dn",
            "--name",
            "大宁",
            "--prefix",
            "DN",
        ],
    );
    let intake = last_line(
        dir.path(),
        &[
            "hub",
            "connector",
            "add",
            "--hub-dir",
            hub,
            "--id",
            "c110",
            "--role",
            "intake",
        ],
    );
    last_line(
        dir.path(),
        &[
            "hub",
            "route",
            "add",
            "--hub-dir",
            hub,
            "--grid",
            "g1",
            "--station",
            "dn",
        ],
    );
    let mut served = Served(
        std::process::Command::new(assert_cmd::cargo::cargo_bin("fenliu"))
            .args(["hub", "serve", "--listen", "127.0.0.1:0", "--hub-dir", hub])
            .arg("--log-file")
            .arg(dir.path().join("hub.log"))
            .env_remove("FENLIU_LOG")
            .stdout(Stdio::piped())
            .spawn()
            .expect("hub process"),
    );
    let child = &mut served.0;
    let mut stdout = std::io::BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    stdout.read_line(&mut first).expect("first line");
    let url = first.split_whitespace().last().expect("url").to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{first}");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let status = rt.block_on(async {
        reqwest::Client::new()
            .post(format!("{url}/v1/intake"))
            .bearer_auth(&intake)
            .json(&serde_json::json!({"source": "12345", "source_ref": "w-1", "text": "漏水", "grid": "g1"}))
            .send()
            .await
            .expect("intake")
            .status()
            .as_u16()
    });
    assert_eq!(status, 201);
    std::fs::write(dir.path().join("hub.token"), format!("{token}\n")).expect("token file");
    let config = dir.path().join("fenliu.toml");
    std::fs::write(
        &config,
        format!("[station]\nid = \"dn\"\nprefix = \"DN\"\n\n[hub]\nurl = \"{url}\"\ntoken_file = \"hub.token\"\nworkstation = \"2\"\n"),
    )
    .expect("config");
    let config = config.to_str().expect("utf-8 path");
    let counts = last_line(dir.path(), &["--config", config, "sync", "--once"]);
    assert_eq!(
        counts, "pushed=0 duplicates=0 rejected=0 pulled=2 outbox=0",
        "the intake and the hub's triage of it"
    );
    let reference = last_line(
        dir.path(),
        &[
            "--config", config, "incident", "new", "--source", "walkin", "--text", "来访",
        ],
    );
    assert!(reference.starts_with("DN2-"), "{reference}");
    let counts = last_line(dir.path(), &["--config", config, "sync", "--once"]);
    assert_eq!(
        counts, "pushed=2 duplicates=0 rejected=0 pulled=0 outbox=0",
        "the new item and its triage"
    );
    fenliu(dir.path())
        .args(["hub", "serve", "--listen", "127.0.0.1:0", "--hub-dir", hub])
        .assert()
        .failure()
        .stderr(predicate::str::contains("already serving"));
    fenliu(dir.path())
        .args(["--config", config, "doctor"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains(format!(
                "reachable, protocol {}",
                fenliu::protocol::PROTOCOL_VERSION
            ))
            .and(predicate::str::contains("ok  clock"))
            .and(predicate::str::contains("ok  hub identity")),
        );
    let env_only = dir.path().join("env-only.toml");
    std::fs::write(
        &env_only,
        "[station]\nid = \"dn\"\nprefix = \"DN\"\n\n[hub]\ntoken_file = \"hub.token\"\nworkstation = \"3\"\n",
    )
    .expect("config");
    let env_only = env_only.to_str().expect("utf-8 path");
    let third = |args: &[&str]| {
        let out = fenliu(dir.path())
            .env("FENLIU_DATA_DIR", dir.path().join("data3"))
            .env("FENLIU_HUB_URL", &url)
            .args(["--config", env_only])
            .args(args)
            .assert()
            .success();
        let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
        text.lines().last().expect("output").trim().to_string()
    };
    let counts = third(&["sync", "--once"]);
    assert!(counts.contains("rejected=0 pulled=4"), "{counts}");
    let made = third(&[
        "incident",
        "new",
        "--source",
        "walkin",
        "--text",
        "来访求助，说不清什么事",
    ]);
    let again = third(&[
        "incident",
        "new",
        "--source",
        "walkin",
        "--text",
        "来访求助",
    ]);
    assert!(
        made.starts_with("DN3-") && again.starts_with("DN3-") && made != again,
        "FENLIU_HUB_URL alone numbers by workstation: {made} {again}"
    );
    let counts = third(&["sync", "--once"]);
    assert_eq!(
        counts, "pushed=4 duplicates=0 rejected=0 pulled=0 outbox=0",
        "both items and their triage reach the hub, none refused (neither is a work order, which \
         at night would also be deferred to the morning)"
    );
    let doctor = fenliu(dir.path())
        .env("FENLIU_DATA_DIR", dir.path().join("data3"))
        .env("FENLIU_HUB_URL", &url)
        .args(["--config", env_only, "doctor"])
        .assert()
        .success();
    let said = String::from_utf8_lossy(&doctor.get_output().stdout).into_owned();
    assert!(
        said.contains("ok  references DN3-… (station DN, workstation 3)"),
        "{said}"
    );
    let before_hub = fenliu(dir.path())
        .env("FENLIU_DATA_DIR", dir.path().join("data4"))
        .args([
            "--config", env_only, "incident", "new", "--source", "walkin", "--text", "来访",
        ])
        .assert()
        .success();
    let alone = String::from_utf8_lossy(&before_hub.get_output().stdout).into_owned();
    assert!(
        alone.trim().ends_with("0001") && alone.contains("DN-"),
        "{alone}"
    );
    fenliu(dir.path())
        .env("FENLIU_DATA_DIR", dir.path().join("data4"))
        .env("FENLIU_HUB_URL", &url)
        .args(["--config", env_only, "doctor"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "!!  references 1 item(s) made here before syncing carry the hub's series DN-…",
        ));
    // An upload that stalls after its headers must not hold the stop up.
    let mut stalled =
        std::net::TcpStream::connect(url.trim_start_matches("http://")).expect("connect");
    std::io::Write::write_all(
        &mut stalled,
        format!("POST /v1/intake HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer {intake}\r\nContent-Length: 5000\r\n\r\n{{").as_bytes(),
    )
    .expect("stall");
    let pid = child.id().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(killed.success());
    let asked = std::time::Instant::now();
    let exit = child.wait().expect("exit");
    assert!(exit.success(), "graceful stop exits 0: {exit:?}");
    assert!(
        asked.elapsed() < std::time::Duration::from_secs(5),
        "stopped within 5 s despite the stalled upload: {:?}",
        asked.elapsed()
    );
    drop(stalled);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).expect("rest");
    assert!(rest.contains("stopped"), "{rest}");
    let log = std::fs::read_to_string(dir.path().join("hub.log")).expect("request log");
    let intake_line = log
        .lines()
        .find(|l| l.contains("route=/v1/intake"))
        .unwrap_or_else(|| panic!("a line for the intake: {log}"));
    for field in [
        "INFO",
        "request caller=c110",
        "method=POST",
        "status=201",
        " ms=",
    ] {
        assert!(intake_line.contains(field), "{field} in {intake_line}");
    }
    assert!(
        log.lines()
            .any(|l| l.contains("caller=dn") && l.contains("route=/v1/sync")),
        "{log}"
    );
    for secret in [intake.as_str(), token.as_str()] {
        assert!(!log.contains(secret), "no token in the log: {log}");
    }
    fenliu(dir.path())
        .args(["--config", config, "sync", "--once"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("cannot be reached"));
    fenliu(dir.path())
        .args(["--config", config, "doctor"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("!!  hub").and(predicate::str::contains("cannot sync")));
}

#[test]
fn sync_without_a_hub_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    fenliu(dir.path())
        .args(["sync", "--once"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("no hub configured"));
}

#[test]
fn a_drill_at_the_hub_reaches_the_station_marked_as_a_drill() {
    use fenliu::domain::EventKind;
    use fenliu::hub::store::{HubStore, SqliteHubStore};

    let dir = tempfile::tempdir().expect("tempdir");
    let hub_dir = dir.path().join("hub");
    let hub = hub_dir.to_str().expect("utf-8 path");
    add_dn(dir.path(), hub);
    let reference = last_line(
        dir.path(),
        &[
            "hub",
            "drill",
            "--hub-dir",
            hub,
            "--station",
            "dn",
            "--template",
            "dispute",
        ],
    );
    assert!(reference.starts_with("DN-"), "{reference}");
    fenliu(dir.path())
        .args([
            "hub",
            "drill",
            "--hub-dir",
            hub,
            "--station",
            "dn",
            "--template",
            "nosuch",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("没有名为 nosuch 的演练模板"));
    fenliu(dir.path())
        .args(["hub", "drill", "--hub-dir", hub, "--station", "gz"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("station gz is not known"));

    let store = SqliteHubStore::open_dir(&hub_dir).expect("hub store");
    let page = store.events_after("dn", 0, 100).expect("events");
    let received: Vec<_> = page
        .events
        .iter()
        .filter_map(|e| match &e.event.kind {
            EventKind::Received(r) => Some((r, &e.event.actor.operator)),
            _ => None,
        })
        .collect();
    assert_eq!(received.len(), 1, "one drill, nothing for the refused ones");
    let (r, operator) = received[0];
    assert!(r.drill, "marked as a drill");
    assert_eq!(r.reference, reference);
    assert_eq!(r.station, "dn");
    assert_eq!(operator.as_str(), "hub-drill");
}
