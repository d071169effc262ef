//! The district's figures at the hub over real HTTP on 127.0.0.1: two stations whose every
//! figure below is counted by hand, the same keys as `fenliu report --format json` per station,
//! a ranking of stations, and the district role alone may ask.

mod hubkit;

use assert_cmd::Command;
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use fenliu::domain::{Actor, Event, EventId, EventKind, IncidentId};
use fenliu::hub::HubConfig;
use hubkit::{TestHub, decision};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::sync::Arc;

/// The hub's clock stands still at 2026-11-22 13:00 UTC (21:00 Beijing).
struct Fixed(DateTime<Utc>);

impl fenliu::clock::Clock for Fixed {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 13, 0, 0)
        .single()
        .expect("time")
}

/// Every item was received at 12:00 UTC (20:00 Beijing).
fn received() -> DateTime<Utc> {
    t0() - TimeDelta::hours(1)
}

fn event(incident: IncidentId, station: &str, after_secs: i64, kind: EventKind) -> Event {
    let at = received() + TimeDelta::seconds(after_secs);
    Event {
        id: EventId::v7_at(at),
        incident,
        actor: Actor {
            operator: "值班员".into(),
            station: station.into(),
            device: "1".into(),
        },
        occurred_at: at,
        recorded_at: at,
        kind,
    }
}

/// Takes in one 110 item for `grid`; returns its id.
async fn take_in(hub: &TestHub, grid: &str, source_ref: &str) -> IncidentId {
    let (status, body) = hub
        .post(
            "/v1/intake",
            &hub.intake,
            &json!({"source": "110", "source_ref": source_ref, "text": "楼上装修噪音", "grid": grid,
                    "received_at": received()}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    IncidentId::parse(body["id"].as_str().expect("id")).expect("an item id")
}

async fn push(hub: &TestHub, station: &str, events: Vec<Event>) {
    let (status, body) = hub
        .post("/v1/sync", hub.token(station), &json!({ "events": events }))
        .await;
    assert_eq!(status, 200, "{body}");
    for r in body["results"].as_array().expect("results") {
        assert_eq!(r["outcome"], "accepted", "{body}");
    }
}

/// dn: three 110 items triaged non-police; one claimed in 30 s (in time), one in 90 s (late, the
/// limit is 60 s), one handed to the police unclaimed. gz: one such item claimed in 20 s.
async fn district() -> TestHub {
    let config = HubConfig {
        clock: Arc::new(Fixed(t0())),
        classifier: Arc::new(|_| Some(decision())),
        ..HubConfig::default()
    };
    let hub = TestHub::start(config).await;
    let mut dn = Vec::new();
    for source_ref in ["a", "b", "c"] {
        dn.push(take_in(&hub, "g1", source_ref).await);
    }
    let gz = take_in(&hub, "g2", "d").await;
    push(
        &hub,
        "dn",
        vec![
            event(dn[0], "dn", 30, EventKind::Claimed),
            event(dn[1], "dn", 90, EventKind::Claimed),
            event(
                dn[2],
                "dn",
                120,
                EventKind::TransferredToPolice { note: None },
            ),
        ],
    )
    .await;
    push(&hub, "gz", vec![event(gz, "gz", 20, EventKind::Claimed)]).await;
    hub
}

fn rate(v: &Value) -> Option<f64> {
    v.as_f64()
}

/// The district report for Beijing's 22 November, over HTTP with the district's token.
async fn day_report(hub: &TestHub) -> Value {
    let (status, body) = hub
        .get("/v1/report?from=2026-11-22&to=2026-11-23", &hub.district)
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

#[tokio::test]
async fn the_district_report_counts_each_station_by_hand_and_ranks_them() {
    let mut hub = district().await;
    let report = day_report(&hub).await;
    assert_eq!(report["from"], "2026-11-21T16:00:00Z");
    assert_eq!(report["to"], "2026-11-22T16:00:00Z");
    let stations = report["stations"].as_array().expect("stations");
    assert_eq!(stations.len(), 2);
    let (dn, gz) = (&stations[0], &stations[1]);
    assert_eq!(dn["station"], "dn");
    assert_eq!(gz["station"], "gz");

    assert_eq!(dn["received"], 3);
    // Of three 110 items, two stayed non-police; one went to the police.
    let diversion = rate(&dn["diversion_rate"]).expect("a diversion rate");
    assert!((diversion - 2.0 / 3.0).abs() < 1e-9, "{diversion}");
    // Of two claims, one within 60 s.
    assert_eq!(rate(&dn["claim_on_time_rate"]), Some(0.5));
    // Two items are still due (the third left for the police), none closed.
    assert_eq!(rate(&dn["completion_rate"]), Some(0.0));
    assert_eq!(rate(&dn["repeat_call_rate"]), Some(0.0));
    assert!(dn["arrival_rate"].is_null(), "nothing dispatched");
    assert!(dn["satisfaction_rate"].is_null(), "no callbacks");
    assert_eq!(dn["per_hour"][20], 3, "received at 20:00 Beijing");
    assert_eq!(dn["previous"]["received"], 0);

    assert_eq!(gz["received"], 1);
    assert_eq!(rate(&gz["diversion_rate"]), Some(1.0));
    assert_eq!(rate(&gz["claim_on_time_rate"]), Some(1.0));
    assert_eq!(rate(&gz["completion_rate"]), Some(0.0));

    // gz meets the claim and repeat-call targets (2), dn only the repeat-call one (1).
    let ranking = report["ranking"].as_array().expect("ranking");
    let order: Vec<(&str, i64, i64)> = ranking
        .iter()
        .map(|r| {
            (
                r["station"].as_str().expect("station"),
                r["rank"].as_i64().expect("rank"),
                r["targets_met"].as_i64().expect("met"),
            )
        })
        .collect();
    assert_eq!(order, vec![("gz", 1, 2), ("dn", 2, 1)]);
    assert_eq!(ranking[1]["targets_missed"], 2, "claim and completion");
    assert_eq!(ranking[0]["targets_missed"], 1, "completion");
    assert_eq!(ranking[0]["name"], "gz 街道");

    let (status, body) = hub
        .get("/v1/report?from=2026-11-22&to=2026-11-23", hub.token("dn"))
        .await;
    assert_eq!(status, 403, "a station does not see the district: {body}");
    let (status, body) = hub
        .get("/v1/report?from=2026-11-23&to=2026-11-22", &hub.district)
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["message"]
            .as_str()
            .expect("message")
            .contains("to must be after from")
    );

    // The same figures from the hub's database directly, with the console report's keys.
    let dir = hub.dir.path().to_path_buf();
    let printed = hub_report(&dir, "json");
    let offline: Value = serde_json::from_str(&printed).expect("json");
    assert_eq!(offline["stations"], report["stations"]);
    assert_eq!(offline["ranking"], report["ranking"]);
    let console_keys = console_report_keys();
    for station in [dn, gz] {
        let keys: BTreeSet<String> = station
            .as_object()
            .expect("object")
            .keys()
            .cloned()
            .collect();
        assert_eq!(
            keys, console_keys,
            "the same keys as fenliu report --format json"
        );
    }
    for (format, line) in [
        (
            "table",
            "1     gz       1         2            1               0.0%             100.0%              —                  gz 街道",
        ),
        ("csv", "2,dn,3,1,2,0.0%,50.0%,—,dn 街道"),
        ("md", "| 1 | gz | 1 | 2 | 1 | 0.0% | 100.0% | — | gz 街道 |"),
    ] {
        let text = hub_report(&dir, format);
        assert!(text.contains(line), "{format}: {text}");
    }
    hub.stop().await;
}

fn hub_report(dir: &std::path::Path, format: &str) -> String {
    let out = Command::cargo_bin("fenliu")
        .expect("binary")
        .env_remove("FENLIU_HUB_DIR")
        .args([
            "hub",
            "report",
            "--from",
            "2026-11-22",
            "--to",
            "2026-11-23",
            "--format",
            format,
            "--hub-dir",
        ])
        .arg(dir)
        .assert()
        .success();
    String::from_utf8_lossy(&out.get_output().stdout).into_owned()
}

/// The top-level keys of `fenliu report --format json` on a console with one item.
fn console_report_keys() -> BTreeSet<String> {
    let tmp = tempfile::tempdir().expect("tempdir");
    let console = |args: &[&str]| {
        let out = Command::cargo_bin("fenliu")
            .expect("binary")
            .env_remove("FENLIU_CONFIG")
            .env_remove("FENLIU_HUB_URL")
            .env_remove("FENLIU_HUB_TOKEN")
            .env("FENLIU_DATA_DIR", tmp.path().join("data"))
            .env("XDG_CONFIG_HOME", tmp.path().join("xdg"))
            .env("HOME", tmp.path())
            .args(args)
            .assert()
            .success();
        String::from_utf8_lossy(&out.get_output().stdout).into_owned()
    };
    console(&[
        "incident",
        "new",
        "--source",
        "110",
        "--text",
        "楼上装修噪音",
    ]);
    let printed = console(&["report", "--format", "json"]);
    let value: Value = serde_json::from_str(&printed).expect("json");
    value.as_object().expect("object").keys().cloned().collect()
}
