//! `fenliu demo`: a living command room on a fresh data directory.

use super::Ctx;
use super::roster::parse_csv;
use crate::clock::{Clock, ScaledClock};
use crate::demo::driver::{DemoStation, Driver};
use crate::demo::hub::DemoHub;
use crate::demo::responders::DEMO_ROSTER;
use crate::hub::store::StationRecord;
use crate::store::Store;
use chrono::{TimeDelta, Utc};
use color_eyre::eyre::{Result, WrapErr};
use std::path::PathBuf;
use std::sync::Arc;

/// How far back the feed starts, so the first screen already has work on it.
const BACKLOG: TimeDelta = TimeDelta::minutes(40);

/// Grids of the demo district, routed among its stations in turn.
const GRIDS: u32 = 12;

/// Street names of a demo district, after the console's own station.
const NEIGHBOURS: [(&str, &str); 5] = [
    ("gonghe", "共和新路街道"),
    ("linfen", "临汾路街道"),
    ("pengpu", "彭浦新村街道"),
    ("zhijiang", "芷江西路街道"),
    ("tianmu", "天目西路街道"),
];

/// The console's station first, then `stations - 1` neighbours (at most 6 in all).
fn district(config: &crate::config::Config, stations: u32) -> Vec<StationRecord> {
    let own = StationRecord {
        id: config.station.id.clone(),
        name: config.station.name.clone(),
        prefix: config.station.prefix.clone(),
    };
    let others = NEIGHBOURS
        .iter()
        .enumerate()
        .map(|(n, (id, name))| StationRecord {
            id: (*id).to_string(),
            name: (*name).to_string(),
            prefix: format!("S{}", n + 2),
        });
    std::iter::once(own)
        .chain(others)
        .take(stations.clamp(1, 6) as usize)
        .collect()
}

pub fn run(ctx: &Ctx, speed: f64, seed: u64, stations: u32, dir: Option<PathBuf>) -> Result<()> {
    let temp;
    let data_dir = match dir {
        Some(d) => d,
        None => {
            temp = tempfile::Builder::new()
                .prefix("fenliu-demo-")
                .tempdir()
                .wrap_err("cannot make a temporary directory for the demo; pass --dir DIR")?;
            temp.path().to_path_buf()
        }
    };
    let mut config = ctx.config.clone();
    if ctx.config_path.is_none() {
        config.station.id = "daning".into();
        config.station.name = "大宁路街道 综合信息指挥室".into();
        config.station.prefix = "DN".into();
    }
    let operator = if ctx.operator == crate::config::Config::default().operator {
        "王磊".to_string()
    } else {
        ctx.operator.clone()
    };
    if data_dir.join(crate::store::DB_FILE).exists() {
        return Err(color_eyre::eyre::eyre!(
            "{} already holds a station; the demo starts a fresh one: give a new or empty --dir",
            data_dir.display()
        ));
    }
    let mut store = Store::open_dir(&data_dir)
        .wrap_err_with(|| format!("cannot open the demo store in {}", data_dir.display()))?;
    let existing = store.responders()?;
    if existing.is_empty() {
        let roster = parse_csv(DEMO_ROSTER, "demo roster", &existing)?;
        store.add_responders(&roster)?;
    }
    drop(store);

    let clock: Arc<dyn Clock> = Arc::new(ScaledClock::new(Utc::now(), speed));
    let classifier = Arc::new(ctx.classifier()?);
    let station = DemoStation {
        id: config.station.id.clone(),
        prefix: config.station.prefix.clone(),
        tz: config.timezone.0,
        policy: config.sla_policy(),
        repeat_window: config.triage.repeat_window.0,
        night: config.night_window(),
    };
    let hub = Arc::new(
        DemoHub::start(
            &data_dir.join("hub"),
            &district(&config, stations),
            GRIDS,
            Arc::clone(&clock),
            Arc::clone(&classifier),
            config.timezone.0,
        )
        .wrap_err("cannot start the demo's district hub on loopback")?,
    );
    config.hub.url = Some(hub.url.clone());
    config.hub.workstation = Some("1".into());
    let link = crate::sync::Settings {
        url: hub.url.clone(),
        token: hub.station_token.clone(),
        workstation: "1".into(),
        ca_file: None,
    };
    let driver = Driver::spawn_from(
        data_dir.clone(),
        station,
        seed,
        Arc::clone(&clock),
        Arc::clone(&classifier),
        clock.now() - BACKLOG,
        Some(Arc::clone(&hub)),
    );
    let shown = crate::tui::run_with(
        &config,
        crate::tui::HubMode::Given(link),
        &data_dir,
        &operator,
        clock,
        classifier,
    );
    let played = driver.stop();
    if let Ok(hub) = Arc::try_unwrap(hub) {
        hub.stop();
    }
    shown?;
    let played = played.wrap_err("the demo feed stopped with an error")?;
    eprintln!(
        "demo over: {played} simulated actions; data in {}",
        data_dir.display()
    );
    Ok(())
}
