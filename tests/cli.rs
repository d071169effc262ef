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
        "王网格",
    ] {
        assert!(log.contains(word), "audit log lacks {word}:\n{log}");
    }
    assert!(
        !log.lines()
            .any(|l| l.contains("dispatched") && l.contains("g1")),
        "audit log names the responder, not the id:\n{log}"
    );
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
        .stdout(predicate::str::is_match(r"^ok: 17 events\n$").expect("regex"));
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
            "{r} 状态为「待签收」，不能到场"
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
        .stderr(predicate::str::contains("状态为「转警务」，不能签收"));
    fenliu(dir)
        .args(["incident", "claim", "ST-20000101-0001"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "没有编号为 ST-20000101-0001 的事项",
        ));
    fenliu(dir)
        .args(["audit", "verify"])
        .assert()
        .success()
        .stdout("ok: 4 events\n");
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
    let out = run_ok(
        dir,
        &[
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
        ],
    );
    let r = out.lines().last().unwrap_or_default().trim().to_string();
    assert!(
        r.ends_with("-20261122-0001"),
        "local date names the reference: {r}"
    );
    let json = show_json(dir, &r);
    assert_eq!(
        json["status"], "deferred",
        "held on arrival, with no key pressed"
    );
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
        .stderr(predicate::str::contains("现在不是夜间时段（22:00–08:00）"));
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
    .lines()
    .last()
    .unwrap_or_default()
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
        .query_row("SELECT id FROM journal WHERE pos = 3", [], |r| r.get(0))
        .expect("row");
    conn.execute_batch(
        "DROP TRIGGER journal_no_rewrite;
         UPDATE journal SET body = replace(body, 'claimed', 'claimed ') WHERE pos = 3;",
    )
    .expect("tamper");
    fenliu(dir)
        .args(["audit", "verify"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(id));
}

#[test]
fn triage_explains_itself_and_a_police_matter_stays_with_the_police() {
    let tmp = TempDir::new().expect("tempdir");
    let dir = tmp.path();
    let json: Value = serde_json::from_str(&run_ok(
        dir,
        &[
            "triage",
            "--json",
            "楼下烧烤店油烟太大，熏得家里窗户都不敢开",
        ],
    ))
    .expect("json");
    assert_eq!(json["class"], "nonpolice");
    assert!(json["evidence"].as_array().is_some_and(|e| !e.is_empty()));
    let json: Value = serde_json::from_str(&run_ok(
        dir,
        &["triage", "--json", "两个人在饭店门口打起来了，有人拿刀"],
    ))
    .expect("json");
    assert_eq!(json["class"], "police");
    assert_eq!(json["mode"], "P");
    let text = run_ok(dir, &["triage", "邻居吵架，双方没有动手"]);
    assert!(text.contains("negated"), "{text}");
}

#[test]
fn new_items_are_triaged_and_an_officer_can_reclassify() {
    let tmp = TempDir::new().expect("tempdir");
    let dir = tmp.path();
    let r = new_item(dir, &[]);
    let json = show_json(dir, &r);
    assert_eq!(json["triage"]["category"], "E1");
    assert_eq!(json["triage"]["overridden_by"], Value::Null);
    fenliu(dir)
        .args([
            "--operator",
            "李值班",
            "incident",
            "classify",
            &r,
            "--category",
            "D1",
            "--mode",
            "C",
        ])
        .assert()
        .success();
    let json = show_json(dir, &r);
    assert_eq!(json["triage"]["category"], "D1");
    assert_eq!(json["triage"]["mode"], "C");
    assert_eq!(json["triage"]["overridden_by"], "李值班");
    fenliu(dir)
        .args(["incident", "classify", &r, "--category", "Z9"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("权责清单中没有类别 Z9"));
    let log = run_ok(dir, &["audit", "log", &r]);
    assert!(log.contains("李值班 人工改判"), "{log}");
}

fn new_item_at(dir: &Path, at: &str, phone: &str, address: &str) -> (String, Value) {
    let out = run_ok(
        dir,
        &[
            "--at",
            at,
            "incident",
            "new",
            "--source",
            "12345",
            "--text",
            "楼道灯不亮",
            "--phone",
            phone,
            "--address",
            address,
        ],
    );
    let r = out.lines().last().expect("reference").trim().to_string();
    let json = show_json(dir, &r);
    (r, json)
}

#[test]
fn repeat_calls_link_within_the_window_and_not_after_it() {
    let base = chrono::Utc::now() - chrono::TimeDelta::days(3);
    let t = |secs: i64| (base + chrono::TimeDelta::seconds(secs)).to_rfc3339();
    let day = 24 * 3600;

    let tmp = TempDir::new().expect("tempdir");
    let dir = tmp.path();
    let (first, _) = new_item_at(dir, &t(0), "13812341116", "广中路123弄5号");
    let (_, by_phone) = new_item_at(dir, &t(day), "+86 138-1234-1116", "共和新路9号");
    assert_eq!(
        by_phone["repeat_of"],
        first.as_str(),
        "exactly at the window's edge"
    );

    let tmp = TempDir::new().expect("tempdir");
    let dir = tmp.path();
    new_item_at(dir, &t(0), "13812341116", "广中路123弄5号");
    let (_, late) = new_item_at(dir, &t(day + 1), "13812341116", "广中路123弄5号");
    assert_eq!(late["repeat_of"], Value::Null, "one second past the window");

    let tmp = TempDir::new().expect("tempdir");
    let dir = tmp.path();
    let (first, _) = new_item_at(dir, &t(0), "13900000000", "广中路１２３弄５号");
    let (r, by_address) = new_item_at(dir, &t(600), "13700000000", "广中路 123 弄 5 号");
    assert_eq!(
        by_address["repeat_of"],
        first.as_str(),
        "same address written differently"
    );
    let shown = run_ok(dir, &["incident", "show", &r]);
    assert!(shown.contains(&format!("repeat of: {first}")), "{shown}");
}

#[test]
fn rules_check_passes_the_embedded_list_and_names_bad_lines() {
    let tmp = TempDir::new().expect("tempdir");
    let dir = tmp.path();
    let out = run_ok(dir, &["rules", "check"]);
    assert!(out.starts_with("ok: (embedded list)"), "{out}");
    let bad = dir.join("bad.toml");
    let list = fenliu::triage::EMBEDDED_LIST.replacen("limit = \"", "limit = \"soon", 1);
    std::fs::write(&bad, &list).expect("write");
    let line = list
        .lines()
        .position(|l| l.contains("limit = \"soon"))
        .expect("edited line")
        + 1;
    fenliu(dir)
        .args(["rules", "check", bad.to_str().expect("path")])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!("bad.toml:{line}:")));
}

#[test]
fn triage_eval_ends_with_the_metrics_line() {
    let tmp = TempDir::new().expect("tempdir");
    let dir = tmp.path();
    let corpus = dir.join("mini.tsv");
    std::fs::write(
        &corpus,
        "id\ttext\tclass\tcategory\tmode\n\
         a\t楼上半夜装修，电钻声吵得睡不着\tnonpolice\tE1\tB\n\
         b\t有人在小区门口持刀砍人\tpolice\tP2\tP\n",
    )
    .expect("write");
    let out = run_ok(dir, &["triage", "eval", corpus.to_str().expect("path")]);
    let last = out.lines().last().expect("a last line");
    let re = regex_lite(last);
    assert!(re, "last line: {last}");
    assert!(last.ends_with(" n=2"), "{last}");
}

/// A held-out set is measured without a line of it on the screen: a miss is printed by default,
/// never with `--figures-only`.
#[test]
fn triage_eval_figures_only_prints_no_line_of_the_corpus() {
    let tmp = TempDir::new().expect("tempdir");
    let dir = tmp.path();
    let corpus = dir.join("held.tsv");
    std::fs::write(
        &corpus,
        "id\ttext\tclass\tcategory\tmode\n\
         a\t楼上半夜装修，电钻声吵得睡不着\tpolice\tP2\tP\n\
         b\t有人在小区门口持刀砍人\tpolice\tP2\tP\n",
    )
    .expect("write");
    let path = corpus.to_str().expect("path");
    let full = run_ok(dir, &["triage", "eval", path]);
    assert!(
        full.contains("电钻声"),
        "the miss is shown by default: {full}"
    );
    let quiet = run_ok(dir, &["triage", "eval", "--figures-only", path]);
    assert_eq!(quiet.lines().count(), 1, "{quiet}");
    assert!(
        regex_lite(quiet.trim()) && !quiet.contains("电钻声"),
        "{quiet}"
    );
    assert_eq!(quiet.trim(), full.lines().last().unwrap_or_default());
}

/// `police_recall=R diversion=D category_accuracy=C mode_accuracy=M n=N` with three decimals.
fn regex_lite(line: &str) -> bool {
    let parts: Vec<&str> = line.split(' ').collect();
    let names = [
        "police_recall",
        "diversion",
        "category_accuracy",
        "mode_accuracy",
    ];
    parts.len() == 5
        && parts.iter().zip(names).all(|(p, name)| {
            p.strip_prefix(name)
                .and_then(|v| v.strip_prefix('='))
                .is_some_and(|v| {
                    v.len() == 5 && v.parse::<f64>().is_ok() && v.as_bytes()[1] == b'.'
                })
        })
        && parts[4].starts_with("n=")
}

#[test]
fn doctor_passes_a_healthy_station_and_flags_a_broken_journal() {
    let tmp = TempDir::new().expect("tempdir");
    let dir = tmp.path();
    let r = new_item(dir, &[]);
    run_ok(dir, &["incident", "claim", &r]);
    let out = run_ok(dir, &["doctor"]);
    assert!(out.contains("hash chain holds over 3 events"), "{out}");
    assert!(
        out.contains("no config file, running on defaults") && out.contains("config.toml"),
        "a first start says where config and data live: {out}"
    );
    assert!(out.ends_with("all checks passed\n"), "{out}");
    let conn = rusqlite::Connection::open(dir.join("data").join("fenliu.db")).expect("raw");
    conn.execute_batch(
        "DROP TRIGGER journal_no_rewrite;
         UPDATE journal SET body = replace(body, '装修', '装饰') WHERE pos = 1;",
    )
    .expect("tamper");
    fenliu(dir).args(["doctor"]).assert().code(1).stdout(
        predicate::str::contains("!!  journal").and(predicate::str::contains("1 problem(s)")),
    );
}
