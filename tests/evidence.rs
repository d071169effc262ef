//! Evidence that holds and failures told plainly, with the real binary: tampering caught and
//! named, phones masked, read-only copies verified, a full disk, bad config, killed writers.

mod hubkit;

use assert_cmd::Command;
use fenliu::hub::HubConfig;
use hubkit::TestHub;
use predicates::prelude::*;
use rusqlite::Connection;
use serde_json::Value;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// `fenliu` on `data` with no user config (or the given one).
fn fenliu(data: &Path, config: Option<&Path>) -> Command {
    let mut cmd = Command::cargo_bin("fenliu").expect("binary built");
    cmd.env_remove("FENLIU_CONFIG")
        .env_remove("FENLIU_OPERATOR")
        .env_remove("FENLIU_HUB_URL")
        .env_remove("FENLIU_HUB_TOKEN")
        .env("FENLIU_DATA_DIR", data)
        .env("XDG_CONFIG_HOME", data.join("no-xdg"))
        .env("HOME", data);
    if let Some(c) = config {
        cmd.arg("--config").arg(c);
    }
    cmd
}

fn ok(data: &Path, config: Option<&Path>, args: &[&str]) -> String {
    let out = fenliu(data, config).args(args).assert().success();
    String::from_utf8_lossy(&out.get_output().stdout).into_owned()
}

fn new_item(data: &Path, config: Option<&Path>, text: &str) -> String {
    ok(
        data,
        config,
        &[
            "incident",
            "new",
            "--source",
            "12345",
            "--text",
            text,
            "--phone",
            "13812341116",
        ],
    )
    .lines()
    .last()
    .expect("a reference")
    .trim()
    .to_string()
}

/// `audit verify` fails and its message contains `what`.
fn caught(data: &Path, config: Option<&Path>, what: &str) {
    fenliu(data, config)
        .args(["audit", "verify"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(what));
}

fn db(data: &Path) -> Connection {
    Connection::open(data.join("fenliu.db")).expect("opens the file directly")
}

/// A station with three items, two of them acted on.
fn station() -> (TempDir, PathBuf, Vec<String>) {
    let tmp = TempDir::new().expect("tempdir");
    let data = tmp.path().join("data");
    // Night mode off: at night a work order would also be held until the morning (one more event).
    let day = tmp.path().join("daytime.toml");
    std::fs::write(&day, "[night]\nstart = \"00:00\"\nend = \"00:00\"\n").expect("config");
    let refs: Vec<String> = ["楼上装修噪音", "路灯不亮", "小区门口占道经营"]
        .iter()
        .map(|t| new_item(&data, Some(&day), t))
        .collect();
    ok(&data, None, &["incident", "claim", &refs[0]]);
    ok(&data, None, &["incident", "claim", &refs[1]]);
    ok(&data, None, &["incident", "to-police", &refs[1]]);
    (tmp, data, refs)
}

#[test]
fn an_altered_projection_is_caught_and_rebuilt_from_the_journal() {
    let (_tmp, data, refs) = station();
    ok(&data, None, &["audit", "verify"]);
    let tampers: [(&str, String, &str); 3] = [
        (
            "text",
            format!(
                "UPDATE incidents SET body = json_set(body, '$.text', '无事') WHERE ref = '{}'",
                refs[0]
            ),
            "projection's text",
        ),
        (
            "status",
            format!(
                "UPDATE incidents SET status = 'closed', body = json_set(body, '$.status', 'closed') WHERE ref = '{}'",
                refs[1]
            ),
            "projection's status",
        ),
        (
            "deleted row",
            format!("DELETE FROM incidents WHERE ref = '{}'", refs[2]),
            "missing from the projection",
        ),
    ];
    for (what, sql, says) in tampers {
        db(&data).execute_batch(&sql).expect(what);
        caught(&data, None, says);
        let rebuilt = ok(&data, None, &["audit", "rebuild"]);
        assert_eq!(rebuilt.trim(), "rebuilt 3 items from the journal", "{what}");
        ok(&data, None, &["audit", "verify"]);
    }
    let shown = ok(&data, None, &["incident", "show", &refs[0], "--json"]);
    let item: Value = serde_json::from_str(&shown).expect("json");
    assert_eq!(item["text"], "楼上装修噪音");
}

#[test]
fn hub_answers_are_written_once() {
    let (_tmp, data, _refs) = station();
    let conn = db(&data);
    conn.execute("UPDATE journal SET hub_seq = 7 WHERE pos = 1", [])
        .expect("the first acceptance is allowed");
    let again = conn.execute("UPDATE journal SET hub_seq = 8 WHERE pos = 1", []);
    assert!(
        again
            .expect_err("a second sequence number is refused")
            .to_string()
            .contains("written once")
    );
    let rejected = conn.execute("UPDATE journal SET rejected = 'x' WHERE pos = 1", []);
    assert!(rejected.is_err(), "no rejection after acceptance");
    conn.execute("UPDATE journal SET rejected = 'x' WHERE pos = 2", [])
        .expect("a first rejection");
    assert!(
        conn.execute("UPDATE journal SET rejected = NULL WHERE pos = 2", [])
            .is_err(),
        "a rejection is not withdrawn by hand"
    );
}

/// A station that syncs with `hub`: its config file and data directory.
fn synced(hub: &TestHub, tmp: &Path) -> (PathBuf, PathBuf) {
    workstation(hub, tmp, "1")
}

/// Workstation `n` of station dn syncing with `hub`, in `dir`: its config file and data directory.
fn workstation(hub: &TestHub, dir: &Path, n: &str) -> (PathBuf, PathBuf) {
    std::fs::create_dir_all(dir).expect("dir");
    let config = dir.join("fenliu.toml");
    std::fs::write(
        &config,
        format!(
            "[station]\nid = \"dn\"\nprefix = \"DN\"\n\n[hub]\nurl = \"{}\"\ntoken = \"{}\"\nworkstation = \"{n}\"\n",
            hub.url,
            hub.token("dn")
        ),
    )
    .expect("config");
    (config, dir.join("data"))
}

#[test]
fn each_journal_is_checked_against_its_own_heads_and_a_rebuilt_one_is_told() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let hub = rt.block_on(TestHub::start(HubConfig::default()));
    let tmp = TempDir::new().expect("tempdir");
    let (c1, d1) = workstation(&hub, &tmp.path().join("ws1"), "1");
    let (c2, d2) = workstation(&hub, &tmp.path().join("ws2"), "2");
    let (c1, c2) = (Some(c1.as_path()), Some(c2.as_path()));
    // Both record an item before either syncs: their journals hold the same events in
    // different orders, so the same positions hold different rows.
    let a = new_item(&d1, c1, "楼上装修噪音");
    ok(&d1, c1, &["incident", "claim", &a]);
    let b = new_item(&d2, c2, "路灯不亮");
    ok(&d2, c2, &["incident", "claim", &b]);
    ok(&d2, c2, &["sync", "--once"]);
    ok(&d1, c1, &["sync", "--once"]);
    ok(&d2, c2, &["sync", "--once"]);
    for (data, config) in [(&d1, c1), (&d2, c2)] {
        let verified = ok(data, config, &["audit", "verify"]);
        assert!(
            verified.contains("the journal holds every head it reported to the hub: 1"),
            "{verified}"
        );
        assert!(!verified.contains("another journal"), "{verified}");
    }
    let (c3, d3) = workstation(&hub, &tmp.path().join("ws1-again"), "1");
    let c3 = Some(c3.as_path());
    ok(&d3, c3, &["sync", "--rebuild"]);
    let verified = ok(&d3, c3, &["audit", "verify"]);
    assert!(
        verified.contains(
            "warning: the hub holds 1 heads of another journal of workstation 1 (one rebuilt with `sync --rebuild`, or rewritten from its first row): they were not checked"
        ),
        "{verified}"
    );
    rt.block_on(async move {
        let mut hub = hub;
        hub.stop().await;
    });
}

#[test]
fn with_a_hub_rewriting_truncating_and_false_receipts_are_caught() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let hub = rt.block_on(TestHub::start(HubConfig::default()));
    let tmp = TempDir::new().expect("tempdir");
    let (config, data) = synced(&hub, tmp.path());
    let config = Some(config.as_path());
    let mut refs = Vec::new();
    for n in 0..12 {
        let r = new_item(&data, config, &format!("第{n}件 楼上噪音"));
        ok(&data, config, &["incident", "claim", &r]);
        refs.push(r);
    }
    ok(&data, config, &["sync", "--once"]);
    let verified = ok(&data, config, &["audit", "verify"]);
    assert!(
        verified.contains("the hub's copy agrees: 36 events"),
        "{verified}"
    );
    assert!(
        verified.contains("the journal holds every head it reported to the hub: 1"),
        "one push, one head: {verified}"
    );
    let pristine = std::fs::read(data.join("fenliu.db")).expect("copy");
    let restore = || {
        let _ = std::fs::remove_file(data.join("fenliu.db-wal"));
        let _ = std::fs::remove_file(data.join("fenliu.db-shm"));
        std::fs::write(data.join("fenliu.db"), &pristine).expect("restore");
    };

    let conn = db(&data);
    rehash_after_editing(&conn, 4, "无事发生");
    drop(conn);
    ok(&data, config, &["audit", "rebuild"]);
    fenliu(&data, config)
        .args(["audit", "verify"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "differs from the copy the hub accepted",
        ))
        .stderr(predicate::str::contains(
            "journal row 36 is not the one this journal reported to the hub (its hash differs): the journal up to row 36 was rewritten and re-hashed",
        ));
    restore();

    for n in [1usize, 20] {
        let conn = db(&data);
        conn.execute_batch(&format!(
            "DROP TRIGGER journal_no_delete;
             DELETE FROM journal WHERE pos > (SELECT MAX(pos) FROM journal) - {n};"
        ))
        .expect("truncate");
        drop(conn);
        ok(&data, config, &["audit", "rebuild"]);
        fenliu(&data, config)
            .args(["audit", "verify"])
            .assert()
            .code(1)
            .stderr(predicate::str::contains(
                "was accepted by the hub but is missing from this journal",
            ))
            .stderr(predicate::str::contains(format!(
                "this journal ends at row {}, but it reported row 36 to the hub: rows after {} were removed",
                36 - n,
                36 - n
            )));
        restore();
    }

    let fresh = new_item(&data, config, "新的一件");
    let conn = db(&data);
    conn.execute(
        "UPDATE journal SET hub_seq = 999999 WHERE hub_seq IS NULL",
        [],
    )
    .expect("marks the outbox as pushed");
    drop(conn);
    let pushed = ok(&data, config, &["sync", "--once"]);
    assert!(
        pushed.contains("pushed=0"),
        "nothing left to push: {pushed}"
    );
    fenliu(&data, config)
        .args(["audit", "verify"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "the hub holds no such event there",
        ));
    assert!(fresh.starts_with("DN1-"));
    rt.block_on(async move {
        let mut hub = hub;
        hub.stop().await;
    });
}

#[test]
fn a_row_the_hub_never_accepted_removed_and_the_chain_re_hashed_is_caught_by_the_heads() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let hub = rt.block_on(TestHub::start(HubConfig::default()));
    let tmp = TempDir::new().expect("tempdir");
    let (config, data) = synced(&hub, tmp.path());
    let config = Some(config.as_path());
    let taken = rt.block_on(hub.intake_g1("110-7"));
    let reference = taken["ref"].as_str().expect("ref").to_string();
    ok(&data, config, &["sync", "--once"]);
    let incident =
        fenliu::domain::IncidentId::parse(taken["id"].as_str().expect("id")).expect("an item id");
    let (status, body) = rt.block_on(hub.post(
        "/v1/sync",
        hub.token("dn"),
        &serde_json::json!({ "events": [hubkit::claim_live(incident, "dn", "9")] }),
    ));
    assert_eq!(status, 200, "workstation 9 claims it first: {body}");
    ok(&data, config, &["incident", "claim", &reference]);
    let later = new_item(&data, config, "路灯不亮");
    ok(&data, config, &["incident", "claim", &later]);
    let synced = ok(&data, config, &["sync", "--once"]);
    assert!(synced.contains("rejected=1"), "{synced}");
    ok(&data, config, &["audit", "verify"]);

    let conn = db(&data);
    let removed = conn
        .execute_batch(
            "DROP TRIGGER journal_no_delete; DELETE FROM journal WHERE rejected IS NOT NULL;",
        )
        .and_then(|()| conn.query_row("SELECT changes()", [], |r| r.get::<_, i64>(0)))
        .expect("remove the refused claim");
    assert_eq!(removed, 1);
    rehash_from(&conn, 1, |_| {});
    drop(conn);
    ok(&data, config, &["audit", "rebuild"]);
    fenliu(&data, config)
        .args(["audit", "verify"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("was rewritten and re-hashed"))
        .stderr(predicate::str::contains("the hub accepted").not())
        .stderr(predicate::str::contains("missing from this journal").not());
    rt.block_on(async move {
        let mut hub = hub;
        hub.stop().await;
    });
}

/// Edits the body of journal row `pos` and re-hashes the chain from there, as a careful
/// tamperer with the file would (dropping the append-only trigger first).
fn rehash_after_editing(conn: &Connection, pos: i64, text: &str) {
    rehash_from(conn, pos, |body| {
        let mut event: Value = serde_json::from_str(body).expect("event");
        event["kind"]["text"] = Value::String(text.into());
        *body = serde_json::to_string(&event).expect("json");
    });
}

/// Applies `edit` to the body of the first row at or after `pos` and re-hashes every row.
fn rehash_from(conn: &Connection, pos: i64, edit: impl Fn(&mut String)) {
    conn.execute_batch("DROP TRIGGER journal_no_rewrite;")
        .expect("drop trigger");
    let mut rows: Vec<(i64, String)> = conn
        .prepare("SELECT pos, body FROM journal ORDER BY pos")
        .expect("prepare")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("read");
    let mut prev = fenliu::store::GENESIS.to_string();
    let mut edited = false;
    for (p, body) in rows.iter_mut() {
        if *p >= pos && !edited {
            edit(body);
            edited = true;
        }
        let hash = fenliu::store::chain_hash(&prev, body);
        conn.execute(
            "UPDATE journal SET body = ?2, hash = ?3 WHERE pos = ?1",
            rusqlite::params![*p, body.as_str(), hash],
        )
        .expect("rewrite");
        prev = hash;
    }
}

#[test]
fn phones_are_masked_unless_revealed_and_the_reveal_is_recorded() {
    let (_tmp, data, refs) = station();
    for args in [
        vec!["incident", "list", "--json"],
        vec!["incident", "list"],
        vec!["incident", "show", refs[0].as_str(), "--json"],
        vec!["incident", "show", refs[0].as_str()],
        vec!["audit", "log", refs[0].as_str()],
    ] {
        let out = ok(&data, None, &args);
        assert!(
            !out.contains("13812341116"),
            "{args:?} shows the phone:\n{out}"
        );
    }
    let shown = ok(&data, None, &["incident", "show", &refs[0], "--json"]);
    let item: Value = serde_json::from_str(&shown).expect("json");
    assert_eq!(item["phone"], "138****1116");
    let revealed = ok(
        &data,
        None,
        &[
            "--operator",
            "李值班",
            "incident",
            "show",
            &refs[0],
            "--json",
            "--reveal",
        ],
    );
    let item: Value = serde_json::from_str(&revealed).expect("json only");
    assert_eq!(item["phone"], "13812341116");
    let log = ok(&data, None, &["audit", "log", &refs[0]]);
    assert!(
        log.lines()
            .any(|l| l.contains("李值班") && l.contains("phone_revealed")),
        "{log}"
    );
}

/// A mount made for a test, undone when dropped.
struct Mount(PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

fn mount(args: &[&str], target: &Path) -> Option<Mount> {
    let status = std::process::Command::new("mount")
        .args(args)
        .arg(target)
        .stderr(std::process::Stdio::null())
        .status()
        .ok()?;
    status.success().then(|| Mount(target.to_path_buf()))
}

#[test]
fn a_read_only_copy_is_listed_and_verified_and_refuses_writes_plainly() {
    let (tmp, data, refs) = station();
    let before = std::fs::read(data.join("fenliu.db")).expect("file");
    let listed = ok(&data, None, &["incident", "list", "--json"]);
    ok(&data, None, &["audit", "verify"]);
    assert_eq!(
        std::fs::read(data.join("fenliu.db")).expect("file"),
        before,
        "reading wrote nothing to the database file"
    );
    assert_eq!(
        serde_json::from_str::<Value>(&listed)
            .expect("json")
            .as_array()
            .map(Vec::len),
        Some(3)
    );
    let ro = tmp.path().join("evidence");
    std::fs::create_dir_all(&ro).expect("mount point");
    let data_str = data.to_str().expect("utf-8");
    let Some(bind) = mount(&["--bind", data_str], &ro) else {
        println!("read-only mount not permitted here: the mode=ro path above was checked");
        return;
    };
    let Some(_ro) = mount(&["-o", "remount,ro,bind"], &ro) else {
        println!("read-only remount not permitted here");
        return;
    };
    let listed = ok(&ro, None, &["incident", "list", "--json"]);
    assert!(listed.contains(&refs[2]));
    let verified = ok(&ro, None, &["audit", "verify"]);
    assert_eq!(verified.trim(), "ok: 9 events");
    ok(&ro, None, &["audit", "log", &refs[0]]);
    fenliu(&ro, None)
        .args(["incident", "claim", &refs[2]])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("cannot be written")
                .and(predicate::str::contains("reading commands still work")),
        );
    drop(_ro);
    drop(bind);
}

#[test]
fn a_full_disk_says_so_and_loses_nothing_acknowledged() {
    let tmp = TempDir::new().expect("tempdir");
    let small = tmp.path().join("small");
    std::fs::create_dir_all(&small).expect("mount point");
    let Some(_disk) = mount(&["-t", "tmpfs", "-o", "size=600k", "tmpfs"], &small) else {
        println!("tmpfs mount not permitted here: full disk not simulated");
        return;
    };
    let data = small.join("data");
    let long = "楼上装修噪音扰民，已经持续很久，".repeat(20);
    let mut acknowledged = Vec::new();
    let mut refused = None;
    for n in 0..400 {
        let out = fenliu(&data, None)
            .args([
                "incident",
                "new",
                "--source",
                "12345",
                "--text",
                &format!("{n} {long}"),
                "--source-ref",
                &format!("full-{n}"),
            ])
            .output()
            .expect("runs");
        if out.status.success() {
            acknowledged.push(format!("full-{n}"));
        } else {
            refused = Some(String::from_utf8_lossy(&out.stderr).into_owned());
            break;
        }
    }
    let refused = refused.expect("the disk filled up");
    assert!(refused.contains("is full"), "{refused}");
    assert!(
        refused.contains("nothing recorded before is lost"),
        "{refused}"
    );
    assert!(!refused.contains("disk I/O error"), "{refused}");
    let listed: Value =
        serde_json::from_str(&ok(&data, None, &["incident", "list", "--json"])).expect("json");
    let kept: Vec<&str> = listed
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|i| i["source_ref"].as_str())
        .collect();
    for source_ref in &acknowledged {
        assert_eq!(
            kept.iter().filter(|k| *k == source_ref).count(),
            1,
            "{source_ref} acknowledged, kept once"
        );
    }
    ok(&data, None, &["audit", "verify"]);
    assert!(
        acknowledged.len() >= 5,
        "{} written first",
        acknowledged.len()
    );
}

#[test]
fn broken_config_and_list_are_told_by_doctor_and_at_start() {
    let tmp = TempDir::new().expect("tempdir");
    let data = tmp.path().join("data");
    let write = |name: &str, text: &str| {
        let p = tmp.path().join(name);
        std::fs::write(&p, text).expect("write");
        p
    };
    for (text, says) in [
        ("[sla]\nclaim = \"1ns\"\n", "`sla.claim`"),
        ("[sla]\nclaim = \"500ms\"\n", "under a second"),
        ("[escalation]\nladder = []\n", "`escalation.ladder`"),
    ] {
        let config = write("bad.toml", text);
        fenliu(&data, Some(&config))
            .args(["doctor"])
            .assert()
            .code(1)
            .stderr(predicate::str::contains(says).and(predicate::str::contains("bad.toml:")));
    }
    write(
        "list.toml",
        "version = \"x\"\n[[category]]\ncode = \"E1\"\n",
    );
    let config = write(
        "list-config.toml",
        "[triage]\nresponsibilities = \"list.toml\"\n",
    );
    fenliu(&data, Some(&config))
        .args(["doctor"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("!!  rules").and(predicate::str::contains("list.toml")));
    let config = write("keys.toml", "[console.keys]\nclaim = \"d\"\n");
    fenliu(&data, Some(&config))
        .args(["doctor"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("!!  keys"));
    let good = ok(&data, None, &["doctor"]);
    assert!(
        good.contains("ok  rules") && good.contains("ok  keys"),
        "{good}"
    );
}

#[test]
fn killed_writers_lose_and_double_nothing_acknowledged() {
    let tmp = TempDir::new().expect("tempdir");
    let data = tmp.path().join("data");
    ok(&data, None, &["roster", "list"]);
    let bin = assert_cmd::cargo::cargo_bin("fenliu");
    let mut acknowledged = Vec::new();
    let mut kills = 0;
    let mut delay: u64 = 7;
    for n in 0..90 {
        let mut child = std::process::Command::new(&bin)
            .env("FENLIU_DATA_DIR", &data)
            .env("HOME", tmp.path())
            .env("XDG_CONFIG_HOME", tmp.path().join("no-xdg"))
            .env_remove("FENLIU_CONFIG")
            .args([
                "incident",
                "new",
                "--source",
                "110",
                "--text",
                "有人在楼道里吵架",
                "--source-ref",
                &format!("kill-{n}"),
            ])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn");
        if n % 3 != 0 {
            delay = (delay * 7 + 3) % 40 + 1;
            std::thread::sleep(std::time::Duration::from_millis(delay));
            if child.try_wait().expect("status").is_none() {
                let _ = child.kill();
                kills += 1;
            }
        }
        let out = child.wait_with_output().expect("wait");
        if out.status.success() && String::from_utf8_lossy(&out.stdout).contains("-0") {
            acknowledged.push(format!("kill-{n}"));
        }
    }
    let listed: Value =
        serde_json::from_str(&ok(&data, None, &["incident", "list", "--json"])).expect("json");
    let kept: Vec<String> = listed
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|i| i["source_ref"].as_str().map(String::from))
        .collect();
    for a in &acknowledged {
        assert_eq!(kept.iter().filter(|k| *k == a).count(), 1, "{a}");
    }
    let mut unique = kept.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), kept.len(), "no item twice");
    ok(&data, None, &["audit", "verify"]);
    println!(
        "kills={kills} acknowledged={} kept={}",
        acknowledged.len(),
        kept.len()
    );
    assert!(kills >= 50, "{kills} kills");
    assert!(
        acknowledged.len() >= 10,
        "{} acknowledged",
        acknowledged.len()
    );
}
