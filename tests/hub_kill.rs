//! The hub process killed with SIGKILL again and again while connectors take items in and a
//! console claims them: every acknowledged intake survives exactly once, and the console drains
//! every event without a duplicate.

mod hubkit;

use fenliu::hub::store::{Role, SqliteHubStore};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const KILLS: usize = 20;
const WORKERS: usize = 4;
/// Intakes acknowledged between two kills.
const ACKS_PER_ROUND: usize = 30;

struct Hub(Child);

impl Drop for Hub {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(dir: &Path) -> (Hub, String) {
    let child = Command::new(env!("CARGO_BIN_EXE_fenliu"))
        .args(["hub", "serve", "--listen", "127.0.0.1:0", "--hub-dir"])
        .arg(dir)
        .env("FENLIU_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the hub");
    let mut hub = Hub(child);
    let url = hubkit::listening_url(&mut hub.0);
    (hub, url)
}

#[derive(Default)]
struct Ledger {
    /// source_ref → item id, for every intake the hub acknowledged.
    acked: HashMap<String, String>,
    /// Claims the hub acknowledged, by item.
    claimed: HashSet<String>,
    /// Sent but never answered: to send again.
    pending: Vec<String>,
    next: usize,
    created: usize,
    repeated: usize,
}

async fn intake(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    source_ref: &str,
) -> Option<(u16, String)> {
    let body = serde_json::json!({"source": "110", "source_ref": source_ref, "text": "噪音扰民", "grid": "g1"});
    let r = http
        .post(format!("{url}/v1/intake"))
        .bearer_auth(token)
        .json(&body)
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .ok()?;
    let status = r.status().as_u16();
    let body: serde_json::Value = r.json().await.ok()?;
    Some((status, body["id"].as_str()?.to_string()))
}

async fn claim(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    event: &fenliu::domain::Event,
) -> bool {
    let r = http
        .post(format!("{url}/v1/sync"))
        .bearer_auth(token)
        .json(&serde_json::json!({"events": [event]}))
        .timeout(Duration::from_secs(5))
        .send()
        .await;
    let Ok(r) = r else { return false };
    let Ok(body) = r.json::<serde_json::Value>().await else {
        return false;
    };
    matches!(
        body["results"][0]["outcome"].as_str(),
        Some("accepted" | "duplicate")
    )
}

/// One worker: takes in items and claims each, until the round has its acknowledgements.
async fn work(url: String, tokens: (String, String), ledger: Arc<Mutex<Ledger>>, round_end: usize) {
    let http = reqwest::Client::new();
    let (intake_token, station_token) = tokens;
    let mut claims: HashMap<String, fenliu::domain::Event> = HashMap::new();
    loop {
        let source_ref = {
            let mut l = ledger.lock().expect("ledger");
            if l.acked.len() >= round_end {
                break;
            }
            l.pending.pop().unwrap_or_else(|| {
                l.next += 1;
                format!("110-{}", l.next)
            })
        };
        let Some((status, id)) = intake(&http, &url, &intake_token, &source_ref).await else {
            ledger.lock().expect("ledger").pending.push(source_ref);
            break;
        };
        {
            let mut l = ledger.lock().expect("ledger");
            if status == 201 {
                l.created += 1;
            } else {
                l.repeated += 1;
            }
            if let Some(before) = l.acked.insert(source_ref.clone(), id.clone()) {
                assert_eq!(before, id, "{source_ref} kept its item");
            }
        }
        let incident = fenliu::domain::IncidentId::parse(&id).expect("id");
        let event = claims
            .entry(id.clone())
            .or_insert_with(|| hubkit::claim_live(incident, "dn", "ws1"))
            .clone();
        if claim(&http, &url, &station_token, &event).await {
            ledger.lock().expect("ledger").claimed.insert(id);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_acknowledged_intake_survives_20_sigkills_exactly_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (intake_token, station_token) = {
        let store = SqliteHubStore::open_dir(dir.path()).expect("store");
        let station =
            fenliu::hub::admin::add_station(&store, &hubkit::station("dn", "DN")).expect("dn");
        fenliu::hub::admin::add_route(&store, "dn", Some("g1"), None).expect("route");
        let intake = fenliu::hub::admin::add_connector(&store, "c110", Role::Intake).expect("c");
        (intake, station)
    };
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let started = Instant::now();
    for round in 1..=KILLS + 1 {
        let (hub, url) = start(dir.path());
        let round_end = round * ACKS_PER_ROUND;
        let workers: Vec<_> = (0..WORKERS)
            .map(|_| {
                let tokens = (intake_token.clone(), station_token.clone());
                tokio::spawn(work(url.clone(), tokens, ledger.clone(), round_end))
            })
            .collect();
        if round <= KILLS {
            let deadline = Instant::now() + Duration::from_secs(60);
            while ledger.lock().expect("ledger").acked.len() < round_end - ACKS_PER_ROUND / 2 {
                assert!(Instant::now() < deadline, "round {round} made no progress");
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            // SIGKILL in the middle of the round's traffic.
            drop(hub);
            for w in workers {
                w.await.expect("worker");
            }
        } else {
            for w in workers {
                w.await.expect("worker");
            }
            drain_and_check(&url, &station_token, &ledger).await;
            drop(hub);
        }
    }
    let l = ledger.lock().expect("ledger");
    eprintln!(
        "hub SIGKILLs survived: {KILLS}; intakes acknowledged: {} ({} new, {} repeats after a kill); lost 0, duplicated 0; {:?}",
        l.acked.len(),
        l.created,
        l.repeated,
        started.elapsed()
    );
}

async fn drain_and_check(url: &str, token: &str, ledger: &Arc<Mutex<Ledger>>) {
    let http = reqwest::Client::new();
    let mut after = 0i64;
    let mut events = Vec::new();
    loop {
        let page: serde_json::Value = http
            .get(format!("{url}/v1/sync?after={after}&limit=500"))
            .bearer_auth(token)
            .send()
            .await
            .expect("pull")
            .json()
            .await
            .expect("page");
        events.extend(page["events"].as_array().expect("events").iter().cloned());
        after = page["last_seq"].as_i64().expect("cursor");
        if !page["more"].as_bool().expect("more") {
            break;
        }
    }
    let ids: HashSet<&str> = events
        .iter()
        .map(|e| e["event"]["id"].as_str().expect("event id"))
        .collect();
    assert_eq!(ids.len(), events.len(), "no event twice");
    let mut received: HashMap<&str, usize> = HashMap::new();
    let mut claimed: HashMap<&str, usize> = HashMap::new();
    for e in &events {
        let incident = e["event"]["incident"].as_str().expect("incident");
        match e["event"]["kind"]["type"].as_str() {
            Some("received") => *received.entry(incident).or_default() += 1,
            Some("claimed") => *claimed.entry(incident).or_default() += 1,
            _ => {}
        }
    }
    let l = ledger.lock().expect("ledger");
    assert!(l.pending.is_empty(), "every intake was answered in the end");
    let acked: HashSet<&str> = l.acked.values().map(String::as_str).collect();
    assert_eq!(
        acked.len(),
        l.acked.len(),
        "each source number has its own item"
    );
    for id in &acked {
        assert_eq!(
            received.get(id),
            Some(&1),
            "item {id} is stored exactly once"
        );
    }
    assert_eq!(
        received.len(),
        acked.len(),
        "nothing that was not acknowledged"
    );
    assert!(claimed.values().all(|n| *n == 1), "no claim twice");
    for id in &l.claimed {
        assert!(
            claimed.contains_key(id.as_str()),
            "acknowledged claim of {id} kept"
        );
    }
}
