//! `fenliu loadtest` as a real process on loopback, kept small (two stations, one second, a fixed
//! rate): every intake reaches its station's console once, and the last line carries the figures
//! and the ceiling measured before and after the run.

use assert_cmd::Command;
use std::collections::HashMap;

#[test]
fn a_small_load_test_loses_nothing_and_prints_its_ceiling_around_the_run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = Command::cargo_bin("fenliu")
        .expect("binary built")
        .env_remove("FENLIU_CONFIG")
        .env_remove("FENLIU_HUB_URL")
        .env_remove("FENLIU_HUB_TOKEN")
        .env("FENLIU_DATA_DIR", dir.path().join("data"))
        .env("XDG_CONFIG_HOME", dir.path().join("xdg"))
        .env("HOME", dir.path())
        .args([
            "loadtest",
            "--stations",
            "2",
            "--duration",
            "1",
            "--rate",
            "40",
        ])
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    let last = text.lines().last().unwrap_or_default();
    let fields: Vec<(&str, f64)> = last
        .split(' ')
        .filter_map(|f| f.split_once('='))
        .filter_map(|(k, v)| Some((k, v.parse().ok()?)))
        .collect();
    let names: Vec<&str> = fields.iter().map(|(k, _)| *k).collect();
    assert_eq!(
        names,
        [
            "intake_per_s",
            "p50_ms",
            "p99_ms",
            "lost",
            "duplicated",
            "ceiling_per_s",
            "intake_share",
            "ceiling_before_per_s",
            "ceiling_after_per_s"
        ],
        "{last}"
    );
    let f: HashMap<&str, f64> = fields.into_iter().collect();
    assert!(f["intake_per_s"] > 0.0, "{last}");
    assert_eq!((f["lost"], f["duplicated"]), (0.0, 0.0), "{last}");
    assert!(
        f["ceiling_before_per_s"] > 0.0 && f["ceiling_after_per_s"] > 0.0,
        "{last}"
    );
    let mean = (f["ceiling_before_per_s"] + f["ceiling_after_per_s"]) / 2.0;
    assert!((f["ceiling_per_s"] - mean).abs() <= 1.0, "{last}");
    let share = f["intake_per_s"] / f["ceiling_per_s"];
    assert!((f["intake_share"] - share).abs() < 0.002, "{last}");
}
