//! `fenliu loadtest --store postgres://… --hubs N [--kill-one]`: the city setup. N hub
//! processes (children of this binary) on the one PostgreSQL database; consoles and intake
//! workers are spread over them and move to the next process when theirs is away. With
//! `--kill-one` the last process is killed halfway through: nothing may be lost or doubled.
//! The last line is the single hub's: `intake_per_s=X p50_ms=A p99_ms=B lost=L duplicated=D`.

use super::args::LoadtestArgs;
use super::loadtest::{HubProcess, Shared, lock, record, spawn_hub};
use crate::protocol::{IntakeRequest, SyncPage};
use color_eyre::eyre::{Result, eyre};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const MAX_HUBS: usize = 8;
const WORKERS: usize = 48;
/// Tries of one intake, over the processes in turn, before it counts as failed.
const TRIES: usize = 6;

/// Runs the load over `args.hubs` processes on the database at `store`.
pub(super) fn run(
    args: &LoadtestArgs,
    store: &str,
    tokens: Vec<String>,
    intake_token: String,
    rate: Option<f64>,
    tag: &str,
) -> Result<()> {
    if args.hubs == 0 || args.hubs > MAX_HUBS {
        return Err(eyre!("--hubs must be 1 to {MAX_HUBS}"));
    }
    if args.kill_one && args.hubs < 2 {
        return Err(eyre!("--kill-one needs --hubs 2 or more"));
    }
    let mut hubs = Vec::new();
    let mut urls = Vec::new();
    for _ in 0..args.hubs {
        let (hub, url) = spawn_hub("--store", std::ffi::OsStr::new(store))?;
        hubs.push(hub);
        urls.push(url);
    }
    outln!(
        "hubs {} ({} stations) on one PostgreSQL",
        urls.join(" "),
        args.stations
    );
    let victim = if args.kill_one { hubs.pop() } else { None };
    let runtime = tokio::runtime::Runtime::new()?;
    let result = runtime.block_on(drive(
        urls,
        tokens,
        intake_token,
        rate,
        args.duration,
        format!("g{tag}"),
        victim,
    ));
    drop(hubs);
    result
}

async fn drive(
    urls: Vec<String>,
    tokens: Vec<String>,
    intake_token: String,
    rate: Option<f64>,
    duration: u64,
    grid: String,
    victim: Option<HubProcess>,
) -> Result<()> {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()?;
    let urls: Arc<[String]> = urls.into();
    let shared = Shared::new(grid);
    let failovers = Arc::new(AtomicU64::new(0));
    let stations = tokens.len();
    let consoles: Vec<_> = tokens
        .into_iter()
        .enumerate()
        .map(|(i, token)| {
            let c = Console {
                http: http.clone(),
                urls: urls.clone(),
                at: i % urls.len(),
                token,
                failovers: failovers.clone(),
            };
            tokio::spawn(c.follow(shared.clone()))
        })
        .collect();
    let started = Instant::now();
    let end = started + Duration::from_secs(duration);
    let killer = victim.map(|mut hub| {
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(duration) / 2).await;
            let _ = hub.0.kill();
            let _ = hub.0.wait();
            // Reaped: nothing is left to stop, and its number may already be another's.
            std::mem::forget(hub);
            Instant::now()
        })
    });
    let next = Arc::new(AtomicU64::new(0));
    let gap = rate.map(|r| Duration::from_secs_f64(WORKERS as f64 / r));
    let workers: Vec<_> = (0..WORKERS)
        .map(|w| {
            let driver = Driver {
                http: http.clone(),
                urls: urls.clone(),
                at: w % urls.len(),
                token: intake_token.clone(),
                stations,
            };
            let (shared, next) = (shared.clone(), next.clone());
            tokio::spawn(async move {
                let mut driver = driver;
                let mut due = Instant::now() + gap.unwrap_or_default() * w as u32 / WORKERS as u32;
                while Instant::now() < end {
                    if let Some(gap) = gap {
                        tokio::time::sleep_until(due.into()).await;
                        due += gap;
                    }
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    driver.intake(n, &shared).await;
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
    shared.stop_consoles.store(true, Ordering::Relaxed);
    for c in consoles {
        c.abort();
    }
    let killed_at = match killer {
        Some(k) => Some(k.await?.duration_since(started).as_secs_f64()),
        None => None,
    };
    outln!(
        "hubs={} killed_at_s={} console_failovers={}",
        urls.len(),
        killed_at.map_or("-".into(), |t| format!("{t:.1}")),
        failovers.load(Ordering::Relaxed)
    );
    let t = shared.tally(accepted, elapsed);
    outln!(
        "intake_per_s={:.0} p50_ms={:.1} p99_ms={:.1} lost={} duplicated={}",
        accepted as f64 / elapsed,
        t.p50_ms,
        t.p99_ms,
        t.lost,
        t.duplicated
    );
    Ok(())
}

/// One station's console, long-polling one process and moving on when it is away.
struct Console {
    http: reqwest::Client,
    urls: Arc<[String]>,
    at: usize,
    token: String,
    failovers: Arc<AtomicU64>,
}

impl Console {
    async fn follow(mut self, shared: Arc<Shared>) {
        let mut after = 0i64;
        while !shared.stop_consoles.load(Ordering::Relaxed) {
            let answer = self
                .http
                .get(format!(
                    "{}/v1/sync?after={after}&wait=5",
                    self.urls[self.at]
                ))
                .bearer_auth(&self.token)
                .timeout(Duration::from_secs(20))
                .send()
                .await;
            let page: Option<SyncPage> = match answer {
                Ok(r) if r.status().is_success() => r.json().await.ok(),
                Ok(r) if r.status().is_client_error() => None,
                _ => {
                    self.at = (self.at + 1) % self.urls.len();
                    self.failovers.fetch_add(1, Ordering::Relaxed);
                    None
                }
            };
            match page {
                Some(page) => {
                    record(&shared, &page);
                    after = page.last_seq;
                }
                None => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }
}

/// One intake worker, sending to one process and moving on when it is away.
struct Driver {
    http: reqwest::Client,
    urls: Arc<[String]>,
    at: usize,
    token: String,
    stations: usize,
}

impl Driver {
    /// Sends intake `n`; a try whose answer was lost is sent again (to the next process), and
    /// the hub's "already taken" then is the answer to the lost try, not a repeat.
    async fn intake(&mut self, n: u64, shared: &Shared) {
        let source_ref = format!("lt-{n}");
        let body = IntakeRequest {
            source: crate::domain::Source::Police110,
            source_ref: source_ref.clone(),
            text: "压测: 楼上装修噪音".into(),
            address: None,
            grid: Some(format!("{}{}", shared.grid, n as usize % self.stations)),
            community: None,
            phone: None,
            priority: None,
            station: None,
            received_at: None,
        };
        lock(&shared.sent).insert(source_ref, Instant::now());
        for attempt in 0..TRIES {
            let sent = self
                .http
                .post(format!("{}/v1/intake", self.urls[self.at]))
                .bearer_auth(&self.token)
                .timeout(Duration::from_secs(10))
                .json(&body)
                .send()
                .await;
            match sent.map(|r| r.status().as_u16()) {
                Ok(201) => {
                    shared.accepted.fetch_add(1, Ordering::Relaxed);
                    return;
                }
                Ok(200) if attempt == 0 => {
                    shared.repeated.fetch_add(1, Ordering::Relaxed);
                    return;
                }
                Ok(200) => {
                    shared.accepted.fetch_add(1, Ordering::Relaxed);
                    return;
                }
                Ok(s) if s < 500 => break,
                _ => self.at = (self.at + 1) % self.urls.len(),
            }
        }
        shared.failed.fetch_add(1, Ordering::Relaxed);
    }
}
