//! The command line, run as a real process on a temporary data directory.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::path::Path;
use tempfile::TempDir;

/// `fenliu` with an isolated data directory and no user config.
fn fenliu(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("fenliu").expect("binary built");
    cmd.env_remove("FENLIU_CONFIG")
        .env_remove("FENLIU_OPERATOR")
        .env("FENLIU_DATA_DIR", dir.join("data"))
        .env("XDG_CONFIG_HOME", dir.join("xdg"))
        .env("HOME", dir);
    cmd
}

fn run_ok(dir: &Path, args: &[&str]) -> String {
    let out = fenliu(dir).args(args).assert().success();
    String::from_utf8_lossy(&out.get_output().stdout).into_owned()
}

fn new_item(dir: &Path, extra: &[&str]) -> String {
    let mut args = vec![
        "incident",
        "new",
        "--source",
        "12345",
        "--text",
        "楼上装修至深夜，噪音很大",
        "--phone",
        "13812341116",
    ];
    args.extend_from_slice(extra);
    let out = run_ok(dir, &args);
    out.lines().last().expect("a reference").trim().to_string()
}

fn show_json(dir: &Path, reference: &str) -> Value {
    let out = run_ok(dir, &["incident", "show", reference, "--json"]);
    serde_json::from_str(&out).expect("show --json prints JSON")
}

fn roster(dir: &Path) {
    run_ok(
        dir,
        &[
            "roster",
            "add",
            "--id",
            "g1",
            "--name",
            "王网格",
            "--unit",
            "网格中队",
            "--grid",
            "3",
        ],
    );
    run_ok(
        dir,
        &[
            "roster",
            "add",
            "--id",
            "p1",
            "--name",
            "李民警",
            "--unit",
            "派出所",
        ],
    );
}

#[test]
fn whole_lifecycle_from_the_command_line() {
    let tmp = TempDir::new().expect("tempdir");
    let dir = tmp.path();
    roster(dir);
    let r = new_item(dir, &["--address", "广中路123弄", "--source-ref", "GD-001"]);
    assert!(
        r.starts_with("ST-") && r.len() == "ST-20261122-0001".len(),
        "reference {r}"
    );
    let json = show_json(dir, &r);
    assert_eq!(json["ref"], r.as_str());
    assert_eq!(json["status"], "new");
    assert_eq!(json["source"], "12345");
    assert_eq!(json["text"], "楼上装修至深夜，噪音很大");
    let clocks = json["clocks"].as_array().expect("clocks");
    let names: Vec<&str> = clocks.iter().filter_map(|c| c["name"].as_str()).collect();
    assert_eq!(
        names,
        ["claim", "contact", "video", "depart", "arrive", "feedback"]
    );
    assert!(
        ["running", "warning", "breached"].contains(&clocks[0]["state"].as_str().unwrap_or(""))
    );
    assert_eq!(clocks[1]["state"], "pending");

    for (args, status) in [
        (vec!["claim", &r], "claimed"),
        (vec!["contact", &r, "--note", "已回电"], "claimed"),
        (vec!["video", &r], "claimed"),
        (
            vec![
                "dispatch",
                &r,
                "--responder",
                "g1",
                "p1",
                "--channel",
                "wechat",
            ],
            "dispatched",
        ),
        (vec!["depart", &r, "--responder", "g1"], "en_route"),
        (vec!["arrive", &r, "--responder", "g1"], "on_scene"),
        (
            vec!["feedback", &r, "--result", "resolved", "--text", "已劝停"],
            "awaiting_verification",
        ),
        (
            vec!["verify", &r, "--send-back", "--note", "未整改"],
            "claimed",
        ),
        (vec!["dispatch", &r, "--responder", "g1"], "dispatched"),
        (vec!["arrive", &r, "--responder", "g1"], "on_scene"),
        (
            vec!["feedback", &r, "--result", "handed-over"],
            "awaiting_verification",
        ),
        (vec!["verify", &r, "--ok"], "awaiting_verification"),
        (
            vec!["note", &r, "--text", "居委会跟进"],
            "awaiting_verification",
        ),
        (vec!["close", &r], "closed"),
        (vec!["callback", &r, "--satisfaction", "basic"], "closed"),
    ] {
        let mut full = vec!["incident"];
        full.extend(args.iter().copied());
        let out = run_ok(dir, &full);
        assert_eq!(out.trim(), format!("{r} {status}"), "{args:?}");
    }
    let json = show_json(dir, &r);
    assert_eq!(json["status"], "closed");
    assert_eq!(json["callback"]["satisfaction"], "basic");
    assert_eq!(json["clocks"][0]["state"], "met");

    let log = run_ok(dir, &["audit", "log", &r]);
    for word in [
        "received",
        "claimed",
        "sent_back",
        "closed",
        "called_back",
        "g1",
    ] {
        assert!(log.contains(word), "audit log lacks {word}:\n{log}");
    }
    let roster_json: Value =
        serde_json::from_str(&run_ok(dir, &["roster", "list", "--json"])).expect("json");
    assert!(
        roster_json
            .as_array()
            .expect("array")
            .iter()
            .all(|r| r["status"] == "available")
    );
    fenliu(dir)
        .args(["audit", "verify"])
        .assert()
        .success()
        .stdout(predicate::str::is_match(r"^ok: 16 events\n$").expect("regex"));
}

#[test]
fn exits_from_the_station() {
    let tmp = TempDir::new().expect("tempdir");
    let dir = tmp.path();
    for (action, extra, status) in [
        ("return", vec!["--reason", "not-our-area"], "returned"),
        ("to-police", vec!["--note", "有人持刀"], "to_police"),
        ("to-district", vec![], "to_district"),
    ] {
        let r = new_item(dir, &[]);
        let mut args = vec!["incident", action, r.as_str()];
        args.extend(extra);
        assert_eq!(run_ok(dir, &args).trim(), format!("{r} {status}"));
    }
    let list: Value = serde_json::from_str(&run_ok(
        dir,
        &["incident", "list", "--status", "to_police", "--json"],
    ))
    .expect("json");
    assert_eq!(list.as_array().map(Vec::len), Some(1));
}

#[test]
fn illegal_actions_are_refused_with_the_status_and_write_nothing() {
    let tmp = TempDir::new().expect("tempdir");
    let dir = tmp.path();
    roster(dir);
    let r = new_item(dir, &[]);
    fenliu(dir)
        .args(["incident", "arrive", &r, "--responder", "g1"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(format!(
            "{r} is new: cannot record arrival"
        )));
    run_ok(dir, &["incident", "claim", &r]);
    fenliu(dir)
        .args(["incident", "dispatch", &r, "--responder", "ghost"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("no responder with id ghost"));
    run_ok(dir, &["incident", "to-police", &r]);
    fenliu(dir)
        .args(["incident", "claim", &r])
        .assert()
        .failure()
        .stderr(predicate::str::contains("is to_police: cannot claim it"));
    fenliu(dir)
        .args(["incident", "claim", "ST-20000101-0001"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("no item with reference"));
    fenliu(dir)
        .args(["audit", "verify"])
        .assert()
        .success()
        .stdout("ok: 3 events\n");
}

#[test]
fn late_entry_with_at_keeps_the_stated_time() {
    let tmp = TempDir::new().expect("tempdir");
    let dir = tmp.path();
    let r = new_item(dir, &["--priority", "urgent"]);
    let received: String = show_json(dir, &r)["received_at"]
        .as_str()
        .expect("time")
        .to_string();
    let received = chrono::DateTime::parse_from_rfc3339(&received).expect("rfc3339");
    let stated = (received + chrono::TimeDelta::seconds(30)).to_rfc3339();
    run_ok(dir, &["--at", &stated, "incident", "claim", &r]);
    let json = show_json(dir, &r);
    let claimed = chrono::DateTime::parse_from_rfc3339(json["claimed_at"].as_str().expect("time"))
        .expect("rfc3339");
    assert_eq!(claimed, received + chrono::TimeDelta::seconds(30));
    fenliu(dir)
        .args(["--at", "yesterday", "incident", "claim", &r])
        .assert()
        .failure()
        .stderr(predicate::str::contains("RFC 3339"));
}

#[test]
fn defer_holds_only_at_night_until_the_window_ends() {
    let tmp = TempDir::new().expect("tempdir");
    let dir = tmp.path();
    let night = "2026-11-22T23:30:00+08:00";
    let r = String::from_utf8_lossy(
        &fenliu(dir)
            .args([
                "--at",
                night,
                "incident",
                "new",
                "--source",
                "12345",
                "--text",
                "路灯不亮",
                "--priority",
                "nonurgent",
            ])
            .assert()
            .success()
            .get_output()
            .stdout,
    )
    .trim()
    .to_string();
    assert!(
        r.ends_with("-20261122-0001"),
        "local date names the reference: {r}"
    );
    run_ok(dir, &["--at", night, "incident", "defer", &r]);
    let json = show_json(dir, &r);
    assert_eq!(json["status"], "deferred");
    let until =
        chrono::DateTime::parse_from_rfc3339(json["deferred_until"].as_str().expect("time"))
            .expect("rfc3339");
    assert_eq!(
        until,
        chrono::DateTime::parse_from_rfc3339("2026-11-23T08:00:00+08:00").expect("fixture")
    );
    let day_item = new_item(dir, &["--priority", "nonurgent"]);
    fenliu(dir)
        .args([
            "--at",
            "2026-11-22T10:00:00+08:00",
            "incident",
            "defer",
            &day_item,
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("not night time"));
}

#[test]
fn roster_import_reports_the_bad_line_and_imports_nothing() {
    let tmp = TempDir::new().expect("tempdir");
    let dir = tmp.path();
    let good = dir.join("good.csv");
    std::fs::write(
        &good,
        "id,name,unit,grid,phone\ng1,王网格,网格中队,3,13800000001\np1,李民警,派出所,,\n",
    )
    .expect("write");
    let bad = dir.join("bad.csv");
    std::fs::write(
        &bad,
        "id,name,unit,grid,phone\nc1,赵城管,城管中队,1,\nc2,,城管中队,1,\n",
    )
    .expect("write");
    fenliu(dir)
        .args(["roster", "import", bad.to_str().expect("utf-8 path")])
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("bad.csv:3").and(predicate::str::contains("`name` is empty")),
        );
    let out = run_ok(
        dir,
        &["roster", "import", good.to_str().expect("utf-8 path")],
    );
    assert!(out.contains("imported 2"));
    let list: Value =
        serde_json::from_str(&run_ok(dir, &["roster", "list", "--json"])).expect("json");
    let ids: Vec<&str> = list
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert_eq!(ids.len(), 2, "nothing from the bad file: {ids:?}");
    assert!(!ids.contains(&"c1"));
    fenliu(dir)
        .args(["roster", "import", good.to_str().expect("utf-8 path")])
        .assert()
        .failure()
        .stderr(predicate::str::contains("good.csv:2"));
}

#[test]
fn config_errors_name_file_line_and_key() {
    let tmp = TempDir::new().expect("tempdir");
    let dir = tmp.path();
    let cfg = dir.join("fenliu.toml");
    std::fs::write(
        &cfg,
        "[station]\nprefix = \"DN\"\n[sla]\narrive = \"twenty\"\n",
    )
    .expect("write");
    fenliu(dir)
        .args(["--config", cfg.to_str().expect("path"), "incident", "list"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("fenliu.toml:4: `sla.arrive`"));
    std::fs::write(&cfg, "[station]\nprefix = \"DN\"\nname = \"大宁路街道\"\n").expect("write");
    let r = String::from_utf8_lossy(
        &fenliu(dir)
            .env("FENLIU_CONFIG", &cfg)
            .args(["incident", "new", "--source", "grid", "--text", "井盖缺失"])
            .assert()
            .success()
            .get_output()
            .stdout,
    )
    .trim()
    .to_string();
    assert!(r.starts_with("DN-"), "prefix from config: {r}");
}

#[test]
fn tampering_makes_audit_verify_fail_and_name_the_event() {
    let tmp = TempDir::new().expect("tempdir");
    let dir = tmp.path();
    let r = new_item(dir, &[]);
    run_ok(dir, &["incident", "claim", &r]);
    run_ok(dir, &["incident", "note", &r, "--text", "原始记录"]);
    let conn = rusqlite::Connection::open(dir.join("data").join("fenliu.db")).expect("raw");
    let id: String = conn
        .query_row("SELECT id FROM journal WHERE pos = 2", [], |r| r.get(0))
        .expect("row");
    conn.execute_batch(
        "DROP TRIGGER journal_no_rewrite;
         UPDATE journal SET body = replace(body, 'claimed', 'claimed ') WHERE pos = 2;",
    )
    .expect("tamper");
    fenliu(dir)
        .args(["audit", "verify"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(id));
}
