//! `fenliu loadtest`: a real hub process on loopback, N consoles long-polling, an intake driver.
//! Latency is end to end: from sending an intake to a console of its station receiving it.
//! Around the intake run, before it and after it, the same process's ceiling: as many connections
//! asking `GET /healthz` as fast as it answers. The last line is `intake_per_s=X p50_ms=A p99_ms=B
//! lost=L duplicated=D ceiling_per_s=C intake_share=S ceiling_before_per_s=… ceiling_after_per_s=…`
//! (C the mean of the two, S = X / C, comparable across machines; the two halves show how far the
//! machine drifted during the run).

use super::args::LoadtestArgs;
use crate::hub::admin;
use crate::hub::store::{
    HubStore, PgHubStore, Role, SqliteHubStore, StationRecord, is_postgres_url,
};
use crate::protocol::{IntakeRequest, SyncPage};
use color_eyre::eyre::{Result, WrapErr, eyre};
use std::collections::{HashMap, HashSet};
use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const MAX_STATIONS: usize = 500;
const MAX_DURATION: u64 = 300;
const WORKERS: usize = 48;
/// Longest the ceiling is measured for.
const CEILING_SECS: u64 = 5;

/// What the consoles saw.
#[derive(Default)]
pub(super) struct Seen {
    /// source_ref → incident id, first sighting.
    pub(super) items: HashMap<String, String>,
    /// Event ids delivered, to catch a second delivery.
    events: HashSet<String>,
    pub(super) duplicated: u64,
    pub(super) latencies_ms: Vec<f64>,
}

pub(super) struct Shared {
    pub(super) sent: Mutex<HashMap<String, Instant>>,
    pub(super) seen: Mutex<Seen>,
    pub(super) accepted: AtomicU64,
    pub(super) repeated: AtomicU64,
    pub(super) failed: AtomicU64,
    pub(super) stop_consoles: AtomicBool,
    /// Start of this run's grid names (`g`, then the run's tag on a shared store).
    pub(super) grid: String,
}

impl Shared {
    /// A run's tallies, empty, for grids starting with `grid`.
    pub(super) fn new(grid: String) -> Arc<Shared> {
        Arc::new(Shared {
            sent: Mutex::new(HashMap::new()),
            seen: Mutex::new(Seen::default()),
            accepted: AtomicU64::new(0),
            repeated: AtomicU64::new(0),
            failed: AtomicU64::new(0),
            stop_consoles: AtomicBool::new(false),
            grid,
        })
    }

    /// Waits, up to 15 s, until the consoles have seen every accepted intake.
    pub(super) async fn drain(&self, accepted: u64) {
        let drain_until = Instant::now() + Duration::from_secs(15);
        while (lock(&self.seen).items.len() as u64) < accepted && Instant::now() < drain_until {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Prints the `accepted=…` line and gives the latency percentiles, lost and duplicated.
    pub(super) fn tally(&self, accepted: u64, elapsed: f64) -> Tally {
        let seen = lock(&self.seen);
        let mut lat = seen.latencies_ms.clone();
        lat.sort_by(|a, b| a.total_cmp(b));
        outln!(
            "accepted={accepted} failed={} seen={} elapsed_s={elapsed:.1}",
            self.failed.load(Ordering::Relaxed),
            seen.items.len()
        );
        Tally {
            p50_ms: percentile(&lat, 50.0),
            p99_ms: percentile(&lat, 99.0),
            lost: accepted.saturating_sub(seen.items.len() as u64),
            duplicated: seen.duplicated + self.repeated.load(Ordering::Relaxed),
        }
    }
}

/// What a run's consoles saw of its accepted intakes.
pub(super) struct Tally {
    pub(super) p50_ms: f64,
    pub(super) p99_ms: f64,
    pub(super) lost: u64,
    pub(super) duplicated: u64,
}

/// The p-th percentile (0..=100) of sorted values, nearest rank.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Stops the hub process we started when the load test ends, however it ends.
pub(super) struct HubProcess(pub(super) Child);

impl Drop for HubProcess {
    fn drop(&mut self) {
        let pid = self.0.id().to_string();
        let graceful = Command::new("kill").args(["-TERM", &pid]).status();
        if graceful.is_err() {
            let _ = self.0.kill();
        }
        let _ = self.0.wait();
    }
}

pub fn run(args: LoadtestArgs) -> Result<()> {
    if args.stations == 0 || args.stations > MAX_STATIONS {
        return Err(eyre!("--stations must be 1 to {MAX_STATIONS}"));
    }
    if args.duration == 0 || args.duration > MAX_DURATION {
        return Err(eyre!("--duration must be 1 to {MAX_DURATION} seconds"));
    }
    let rate: Option<f64> = match args.rate.as_str() {
        "max" => None,
        r => Some(
            r.parse::<f64>()
                .ok()
                .filter(|v| *v > 0.0)
                .ok_or_else(|| eyre!("--rate {r}: a number of intakes per second, or max"))?,
        ),
    };
    let dir = tempfile_dir()?;
    // Names of this run's own stations and connector, apart from any already in the store.
    let tag = match &args.store {
        Some(_) => format!("{:x}", rand::random::<u32>()),
        None => String::new(),
    };
    let (tokens, intake_token) = {
        let store: Box<dyn HubStore> = match &args.store {
            Some(url) if is_postgres_url(url) => Box::new(PgHubStore::open(url)?),
            Some(other) => return Err(eyre!("--store {other}: give a postgres:// URL")),
            None => Box::new(SqliteHubStore::open_dir(&dir)?),
        };
        let mut tokens = Vec::new();
        for n in 0..args.stations {
            let id = format!("st{tag}{n}");
            let record = StationRecord {
                id: id.clone(),
                name: format!("压测街道 {n}"),
                prefix: format!("LT{}{n}", tag.to_uppercase()),
            };
            tokens.push(admin::add_station(store.as_ref(), &record)?);
            admin::add_route(store.as_ref(), &id, Some(&format!("g{tag}{n}")), None)?;
        }
        (
            tokens,
            admin::add_connector(store.as_ref(), &format!("loadtest{tag}"), Role::Intake)?,
        )
    };
    let (where_flag, where_arg) = match &args.store {
        Some(url) => ("--store", std::ffi::OsString::from(url)),
        None => ("--hub-dir", dir.clone().into_os_string()),
    };
    if args.hubs > 1 || args.kill_one {
        let url = args
            .store
            .clone()
            .ok_or_else(|| eyre!("--hubs and --kill-one need --store postgres://…"))?;
        let _ = std::fs::remove_dir_all(&dir);
        return super::loadtest_city::run(&args, &url, tokens, intake_token, rate, &tag);
    }
    let (hub, url) = spawn_hub(where_flag, &where_arg)?;
    outln!(
        "hub {url} ({} stations) in {}",
        args.stations,
        dir.display()
    );
    let runtime = tokio::runtime::Runtime::new()?;
    let result = runtime.block_on(drive(
        url,
        tokens,
        intake_token,
        rate,
        args.duration,
        format!("g{tag}"),
    ));
    drop(hub);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// Starts `fenliu hub serve` on a free loopback port over `where_flag where_arg`; its address.
pub(super) fn spawn_hub(
    where_flag: &str,
    where_arg: &std::ffi::OsStr,
) -> Result<(HubProcess, String)> {
    let exe = std::env::current_exe().wrap_err("cannot find the fenliu binary")?;
    let mut child = Command::new(exe)
        .args([
            "hub",
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--rate-limit",
            "1000000",
            "--max-connections",
            "16000",
            "--max-per-address",
            "16000",
            where_flag,
        ])
        .arg(where_arg)
        .env("FENLIU_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .wrap_err("cannot start the hub process")?;
    let stdout = child.stdout.take().ok_or_else(|| eyre!("no hub output"))?;
    let hub = HubProcess(child);
    let mut first = String::new();
    std::io::BufReader::new(stdout).read_line(&mut first)?;
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .ok_or_else(|| eyre!("the hub did not say where it listens: {first:?}"))?
        .to_string();
    Ok((hub, url))
}

fn tempfile_dir() -> Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!(
        "fenliu-loadtest-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_millis()
    ));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

async fn drive(
    url: String,
    tokens: Vec<String>,
    intake_token: String,
    rate: Option<f64>,
    duration: u64,
    grid: String,
) -> Result<()> {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()?;
    let shared = Shared::new(grid);
    let stations = tokens.len();
    let consoles: Vec<_> = tokens
        .into_iter()
        .map(|token| tokio::spawn(console(http.clone(), url.clone(), token, shared.clone())))
        .collect();
    let span = Duration::from_secs(duration.min(CEILING_SECS)) / 2;
    let before = ceiling(&http, &url, span).await;
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let end = started + Duration::from_secs(duration);
    let per_worker_gap = rate.map(|r| Duration::from_secs_f64(WORKERS as f64 / r));
    let workers: Vec<_> = (0..WORKERS)
        .map(|w| {
            let (http, url, token, shared, next) = (
                http.clone(),
                url.clone(),
                intake_token.clone(),
                shared.clone(),
                next.clone(),
            );
            tokio::spawn(async move {
                let mut due =
                    Instant::now() + per_worker_gap.unwrap_or_default() * w as u32 / WORKERS as u32;
                while Instant::now() < end {
                    if let Some(gap) = per_worker_gap {
                        tokio::time::sleep_until(due.into()).await;
                        due += gap;
                    }
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    intake_one(&http, &url, &token, n, stations, &shared).await;
                }
            })
        })
        .collect();
    for w in workers {
        let _ = w.await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let accepted = shared.accepted.load(Ordering::Relaxed);
    shared.drain(accepted).await;
    let after = ceiling(&http, &url, span).await;
    let ceiling = (before + after) / 2.0;
    shared.stop_consoles.store(true, Ordering::Relaxed);
    for c in consoles {
        c.abort();
    }
    let t = shared.tally(accepted, elapsed);
    let intake_per_s = accepted as f64 / elapsed;
    let share = if ceiling > 0.0 {
        intake_per_s / ceiling
    } else {
        0.0
    };
    outln!(
        "intake_per_s={intake_per_s:.0} p50_ms={:.1} p99_ms={:.1} lost={} duplicated={} ceiling_per_s={ceiling:.0} intake_share={share:.3} ceiling_before_per_s={before:.0} ceiling_after_per_s={after:.0}",
        t.p50_ms,
        t.p99_ms,
        t.lost,
        t.duplicated
    );
    Ok(())
}

/// `GET /healthz` answered per second with as many connections as the intake driver used, for
/// `span`, while the consoles keep long-polling: what a request costs this process at the least.
async fn ceiling(http: &reqwest::Client, url: &str, span: Duration) -> f64 {
    let answered = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let end = started + span;
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let (http, url, answered) = (http.clone(), format!("{url}/healthz"), answered.clone());
            tokio::spawn(async move {
                while Instant::now() < end {
                    if let Ok(r) = http.get(&url).send().await
                        && r.status().is_success()
                        && r.bytes().await.is_ok()
                    {
                        answered.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    for w in workers {
        let _ = w.await;
    }
    answered.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
}

pub(super) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

async fn intake_one(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    n: u64,
    stations: usize,
    shared: &Shared,
) {
    let source_ref = format!("lt-{n}");
    let body = IntakeRequest {
        source: crate::domain::Source::Police110,
        source_ref: source_ref.clone(),
        text: "压测: 楼上装修噪音".into(),
        address: None,
        grid: Some(format!("{}{}", shared.grid, n as usize % stations)),
        community: None,
        phone: None,
        priority: None,
        station: None,
        received_at: None,
    };
    lock(&shared.sent).insert(source_ref, Instant::now());
    let sent = http
        .post(format!("{url}/v1/intake"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await;
    // The answer is read to its end, so that the connection is kept for the next intake.
    let status = match sent {
        Ok(r) => {
            let status = r.status().as_u16();
            r.bytes().await.ok().map(|_| status)
        }
        Err(_) => None,
    };
    match status {
        Some(201) => shared.accepted.fetch_add(1, Ordering::Relaxed),
        Some(200) => shared.repeated.fetch_add(1, Ordering::Relaxed),
        _ => shared.failed.fetch_add(1, Ordering::Relaxed),
    };
}

async fn console(http: reqwest::Client, url: String, token: String, shared: Arc<Shared>) {
    let mut after = 0i64;
    while !shared.stop_consoles.load(Ordering::Relaxed) {
        let answer = http
            .get(format!("{url}/v1/sync?after={after}&wait=5"))
            .bearer_auth(&token)
            .timeout(Duration::from_secs(20))
            .send()
            .await;
        let page: SyncPage = match answer {
            Ok(r) if r.status().is_success() => match r.json().await {
                Ok(p) => p,
                Err(_) => continue,
            },
            _ => {
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        record(&shared, &page);
        after = page.last_seq;
    }
}

/// Notes what a console's page brought: first sightings with their latency, and duplicates.
pub(super) fn record(shared: &Shared, page: &SyncPage) {
    let now = Instant::now();
    let sent = lock(&shared.sent);
    let mut seen = lock(&shared.seen);
    for e in &page.events {
        if !seen.events.insert(e.event.id.to_string()) {
            seen.duplicated += 1;
            continue;
        }
        if let crate::domain::EventKind::Received(r) = &e.event.kind {
            let Some(source_ref) = r.source_ref.clone() else {
                continue;
            };
            let incident = e.event.incident.to_string();
            match seen.items.get(&source_ref) {
                Some(known) if *known != incident => seen.duplicated += 1,
                Some(_) => {}
                None => {
                    if let Some(t) = sent.get(&source_ref) {
                        let ms = now.saturating_duration_since(*t).as_secs_f64() * 1000.0;
                        seen.latencies_ms.push(ms);
                    }
                    seen.items.insert(source_ref, incident);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn percentiles_by_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 50.0), 50.0);
        assert_eq!(percentile(&v, 99.0), 99.0);
        assert_eq!(percentile(&[7.0], 99.0), 7.0);
        assert_eq!(percentile(&[], 50.0), 0.0);
    }
}
