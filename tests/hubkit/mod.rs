//! Fixtures for the hub's tests: stores, intakes and events at fixed times, and a hub served on
//! an ephemeral loopback port that stops when dropped.
#![allow(dead_code)]

pub mod console;
pub mod pg;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use fenliu::domain::{
    Actor, Class, DispatchMode, Event, EventId, EventKind, IncidentId, Priority, Source,
    TriageDecision,
};
use fenliu::hub::store::{HubStore, HubStoreError, NewIntake, Push, SqliteHubStore, StationRecord};
use fenliu::hub::{HubConfig, RunningHub, admin};
use fenliu::protocol::{IntakeRequest, PushOutcome};
use std::collections::HashMap;
use std::sync::Arc;

/// The address a `fenliu hub serve` child prints on the first line of its stdout.
pub fn listening_url(child: &mut std::process::Child) -> String {
    use std::io::BufRead;
    let stdout = child.stdout.take().expect("the hub's stdout");
    let mut line = String::new();
    std::io::BufReader::new(stdout)
        .read_line(&mut line)
        .expect("the hub says where it listens");
    line.split_whitespace()
        .find(|w| w.starts_with("http://"))
        .expect("an address on the hub's first line")
        .to_string()
}

/// 2026-11-22 13:00 UTC.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 13, 0, 0)
        .single()
        .expect("fixture time")
}

pub fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).expect("fixture day")
}

pub fn station(id: &str, prefix: &str) -> StationRecord {
    StationRecord {
        id: id.into(),
        name: format!("{id} 街道"),
        prefix: prefix.into(),
    }
}

pub fn intake_request(source_ref: &str) -> IntakeRequest {
    IntakeRequest {
        source: Source::Police110,
        source_ref: source_ref.into(),
        text: "楼上装修至深夜".into(),
        address: Some("广中路123弄".into()),
        grid: None,
        community: None,
        phone: Some("13812341116".into()),
        priority: None,
        station: None,
        received_at: None,
    }
}

pub fn new_intake(
    station_id: &str,
    prefix: &str,
    source_ref: &str,
    triage: Option<TriageDecision>,
) -> NewIntake {
    NewIntake {
        request: intake_request(source_ref),
        station: station(station_id, prefix),
        day: day(),
        triage,
        actor: Actor {
            operator: "c110".into(),
            station: station_id.into(),
            device: "hub".into(),
        },
        now: now(),
        drill: false,
    }
}

pub fn decision() -> TriageDecision {
    TriageDecision {
        class: Class::NonPolice,
        category: Some("E1".into()),
        category_name: Some("环境 › 噪声".into()),
        departments: vec!["城管执法".into()],
        mode: DispatchMode::Immediate,
        priority: Priority::Normal,
        confidence: 0.9,
        completion_limit_secs: None,
        evidence: vec![],
        summary: "装修噪声".into(),
        list_version: "test".into(),
        overridden_by: None,
    }
}

/// A claim of `incident` by workstation `device` of `station`, one second after [`now`].
pub fn claim_event(incident: IncidentId, station: &str, device: &str) -> Event {
    claim_at(
        incident,
        station,
        device,
        now() + chrono::TimeDelta::seconds(1),
    )
}

/// A claim made now by the wall clock (for items the hub took in just now).
pub fn claim_live(incident: IncidentId, station: &str, device: &str) -> Event {
    claim_at(incident, station, device, Utc::now())
}

fn claim_at(incident: IncidentId, station: &str, device: &str, at: DateTime<Utc>) -> Event {
    Event {
        id: EventId::v7_at(at),
        incident,
        actor: Actor {
            operator: format!("{device}-值班员"),
            station: station.into(),
            device: device.into(),
        },
        occurred_at: at,
        recorded_at: at,
        kind: EventKind::Claimed,
    }
}

/// Pushes `events` of `station` to the store, the hub's clock ten minutes after [`now`].
pub fn push(
    store: &dyn HubStore,
    station: &str,
    events: Vec<Event>,
) -> Result<Vec<PushOutcome>, HubStoreError> {
    store.push(Push {
        station: station.into(),
        events,
        now: now() + chrono::TimeDelta::minutes(10),
        head: None,
    })
}

/// An item a workstation of `station` created itself, numbered `reference`, at `at`.
pub fn received_event(station: &str, reference: &str, at: DateTime<Utc>) -> Event {
    let id = IncidentId::v7_at(at);
    Event {
        id: EventId::v7_at(at),
        incident: id,
        actor: Actor {
            operator: "值班员".into(),
            station: station.into(),
            device: "ws1".into(),
        },
        occurred_at: at,
        recorded_at: at,
        kind: EventKind::Received(fenliu::domain::Received {
            reference: reference.into(),
            station: station.into(),
            source: Source::Resident,
            source_ref: None,
            text: "群众来访".into(),
            address: None,
            grid: None,
            community: None,
            phone: None,
            priority: Priority::Normal,
            drill: false,
            repeat_of: None,
        }),
    }
}

/// A TCP connection to `addr` from loopback address 127.0.0.`from` (all of 127/8 is loopback).
pub async fn connect_from(from: u8, addr: std::net::SocketAddr) -> tokio::net::TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket
        .bind(std::net::SocketAddr::from(([127, 0, 0, from], 0)))
        .expect("bind a loopback source address");
    socket.connect(addr).await.expect("connect")
}

/// An HTTP client whose requests come from 127.0.0.`from`.
pub fn client_from(from: u8) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(std::net::IpAddr::from([127, 0, 0, from]))
        .build()
        .expect("client")
}

/// A hub on 127.0.0.1:0 with stations `dn` (grid g1, community c1) and `gz` (grid g2), and one
/// connector of each role.
pub struct TestHub {
    pub dir: tempfile::TempDir,
    pub hub: Option<RunningHub>,
    pub url: String,
    pub intake: String,
    pub police: String,
    pub district: String,
    pub stations: HashMap<String, String>,
    pub http: reqwest::Client,
}

impl TestHub {
    pub async fn start(config: HubConfig) -> TestHub {
        TestHub::start_capped(config, None).await
    }

    /// A hub whose database may grow to at most `max_pages` pages (a full disk beyond).
    pub async fn start_capped(config: HubConfig, max_pages: Option<u64>) -> TestHub {
        let dir = tempfile::tempdir().expect("tempdir");
        let store =
            SqliteHubStore::open_capped(&dir.path().join("hub.db"), max_pages).expect("hub store");
        let mut stations = HashMap::new();
        for (id, prefix) in [("dn", "DN"), ("gz", "GZ")] {
            let token = admin::add_station(&store, &station(id, prefix)).expect("station");
            stations.insert(id.to_string(), token);
        }
        admin::add_route(&store, "dn", Some("g1"), Some("c1")).expect("route");
        admin::add_route(&store, "gz", Some("g2"), None).expect("route");
        let intake =
            admin::add_connector(&store, "c110", fenliu::hub::store::Role::Intake).expect("c");
        let police =
            admin::add_connector(&store, "p110", fenliu::hub::store::Role::Police).expect("c");
        let district =
            admin::add_connector(&store, "qu", fenliu::hub::store::Role::District).expect("c");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let store: Arc<dyn HubStore> = Arc::new(store);
        let hub = RunningHub::start(listener, store, config).expect("start");
        TestHub {
            url: hub.url(),
            hub: Some(hub),
            dir,
            intake,
            police,
            district,
            stations,
            http: reqwest::Client::new(),
        }
    }

    /// Stops the hub gracefully (in-flight requests finish).
    pub async fn stop(&mut self) {
        if let Some(h) = self.hub.take() {
            h.stop().await.expect("graceful stop");
        }
    }

    /// Starts it again on the same address with the same database.
    pub async fn restart(&mut self, config: HubConfig) {
        self.stop().await;
        let store = SqliteHubStore::open_dir(self.dir.path()).expect("reopen");
        let addr = self.url.trim_start_matches("http://").to_string();
        let listener = tokio::net::TcpListener::bind(&addr).await.expect("rebind");
        let store: Arc<dyn HubStore> = Arc::new(store);
        self.hub = Some(RunningHub::start(listener, store, config).expect("start"));
    }

    pub fn token(&self, station: &str) -> &str {
        self.stations
            .get(station)
            .map(String::as_str)
            .expect("station token")
    }

    /// POSTs JSON with a bearer token; returns status and JSON body.
    pub async fn post(
        &self,
        path: &str,
        token: &str,
        body: &serde_json::Value,
    ) -> (u16, serde_json::Value) {
        let r = self
            .http
            .post(format!("{}{path}", self.url))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("request");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(serde_json::Value::Null))
    }

    /// GETs with a bearer token; returns status and JSON body.
    pub async fn get(&self, path: &str, token: &str) -> (u16, serde_json::Value) {
        let r = self
            .http
            .get(format!("{}{path}", self.url))
            .bearer_auth(token)
            .send()
            .await
            .expect("request");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(serde_json::Value::Null))
    }

    /// The hub's address.
    pub fn addr(&self) -> std::net::SocketAddr {
        self.url
            .trim_start_matches("http://")
            .parse()
            .expect("hub address")
    }

    /// Waits (bounded, 10 s) until `/metrics` shows `line`.
    pub async fn wait_for_metric(&self, line: &str) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let text = self
                .http
                .get(format!("{}/metrics", self.url))
                .bearer_auth(&self.district)
                .send()
                .await
                .expect("metrics")
                .text()
                .await
                .expect("text");
            if text.lines().any(|l| l == line) {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "metrics never showed {line}:\n{text}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }

    /// Takes in one item for grid g1 (station dn).
    pub async fn intake_g1(&self, source_ref: &str) -> serde_json::Value {
        let (status, body) = self
            .post(
                "/v1/intake",
                &self.intake,
                &serde_json::json!({"source": "110", "source_ref": source_ref, "text": "噪音扰民", "grid": "g1"}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        body
    }
}
