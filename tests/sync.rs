//! Consoles syncing with a real hub over HTTP on 127.0.0.1.

mod hubkit;

use chrono::Utc;
use fenliu::config::Config;
use fenliu::domain::{Actor, EventKind, Priority, Received, Source, Status};
use fenliu::hub::HubConfig;
use fenliu::identity::Identity;
use fenliu::store::{Stamp, Store};
use fenliu::sync::{Client, Engine, Settings, SyncError};
use hubkit::TestHub;
use std::collections::HashSet;
use std::time::Duration;

struct Console {
    _dir: tempfile::TempDir,
    store: Store,
    engine: Engine,
    workstation: String,
}

impl Console {
    fn new(hub: &TestHub, station: &str, workstation: &str) -> Console {
        let dir = tempfile::tempdir().expect("tempdir");
        let settings = Settings {
            url: hub.url.clone(),
            token: hub.token(station).to_string(),
            workstation: workstation.into(),
            ca_file: None,
        };
        let client = Client::new(&settings).expect("client");
        let store = Store::open_dir(dir.path()).expect("store");
        let (engine, _) = Engine::new(client, Store::open_dir(dir.path()).expect("store"));
        Console {
            _dir: dir,
            store,
            engine,
            workstation: workstation.into(),
        }
    }

    /// This workstation's identity, built from its config as the console builds it.
    fn identity(&self) -> Identity {
        let mut config = Config::default();
        config.station.id = "dn".into();
        config.station.prefix = "DN".into();
        config.hub.url = Some("http://127.0.0.1:1".into());
        config.hub.workstation = Some(self.workstation.clone());
        Identity::new(
            &config,
            &format!("值班员{}", self.workstation),
            None,
            "console",
        )
    }

    fn stamp(&self) -> Stamp {
        let now = Utc::now();
        Stamp {
            actor: self.identity().actor(),
            occurred_at: now,
            recorded_at: now,
        }
    }

    /// Records a walk-in item as this workstation would, offline or not.
    fn create(&mut self, text: &str) -> String {
        let received = Received {
            reference: String::new(),
            station: "dn".into(),
            source: Source::WalkIn,
            source_ref: None,
            text: text.into(),
            address: None,
            grid: None,
            community: None,
            phone: None,
            priority: Priority::Normal,
            drill: false,
            repeat_of: None,
        };
        let prefix = self.identity().reference_prefix();
        let stamp = self.stamp();
        let day = stamp.occurred_at.date_naive();
        self.store
            .create_incident(received, &prefix, day, vec![], &stamp)
            .expect("create")
            .reference
    }

    fn claim(&mut self, reference: &str) {
        let stamp = self.stamp();
        self.store
            .record(reference, vec![EventKind::Claimed], &stamp)
            .expect("claim locally");
    }

    fn status_of(&self, reference: &str) -> Status {
        self.store
            .incident(reference)
            .expect("read")
            .expect("known")
            .status
    }

    fn refs(&self) -> Vec<(String, Status)> {
        let mut all: Vec<_> = self
            .store
            .incidents(None)
            .expect("list")
            .into_iter()
            .map(|i| (i.reference, i.status))
            .collect();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_intake_reaches_the_console() {
    let hub = TestHub::start(HubConfig::default()).await;
    let mut c = Console::new(&hub, "dn", "1");
    let item = hub.intake_g1("110-1").await;
    let counts = c.engine.once().await.expect("sync");
    assert_eq!(counts.pulled, 1);
    let reference = item["ref"].as_str().expect("ref");
    assert_eq!(c.status_of(reference), Status::New);
    c.claim(reference);
    let counts = c.engine.once().await.expect("sync");
    assert_eq!(
        (counts.pushed, counts.pulled),
        (1, 0),
        "own events come back as known"
    );
    assert_eq!(c.store.outbox_len().expect("outbox"), 0);
    assert!(c.engine.subscribe().borrow().online);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_consoles_converge_and_the_late_claim_is_told() {
    let hub = TestHub::start(HubConfig::default()).await;
    let mut a = Console::new(&hub, "dn", "1");
    let mut b = Console::new(&hub, "dn", "2");
    let reference = hub.intake_g1("110-1").await["ref"]
        .as_str()
        .expect("ref")
        .to_string();
    a.engine.once().await.expect("sync a");
    b.engine.once().await.expect("sync b");
    let ra = a.create("来访: 邻里纠纷");
    let rb = b.create("来访: 噪音");
    assert_ne!(ra, rb, "offline references differ by workstation");
    a.claim(&reference);
    b.claim(&reference);
    a.engine.once().await.expect("sync a");
    let counts = b.engine.once().await.expect("sync b");
    assert_eq!(counts.rejected, 1);
    assert!(
        counts.notices[0]
            .message
            .contains("已被 1 号工作站 (值班员1) 签收"),
        "{:?}",
        counts.notices
    );
    a.engine.once().await.expect("sync a again");
    assert_eq!(a.refs(), b.refs());
    assert_eq!(a.refs().len(), 3);
    let claimed = b.store.incident(&reference).expect("read").expect("known");
    assert_eq!(
        claimed.claimed_by.as_deref(),
        Some("值班员1"),
        "b now shows a's claim"
    );
    assert_eq!(b.store.outbox_len().expect("outbox"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_workstations_dispatch_moves_the_local_roster() {
    use fenliu::domain::{Channel, DutyStatus, Responder};
    let hub = TestHub::start(HubConfig::default()).await;
    let mut a = Console::new(&hub, "dn", "1");
    let mut b = Console::new(&hub, "dn", "2");
    let g1 = Responder {
        id: "g1".into(),
        name: "王网格".into(),
        unit: "网格中队".into(),
        grid: None,
        phone: None,
        status: DutyStatus::Available,
        incident: None,
    };
    a.store
        .add_responders(std::slice::from_ref(&g1))
        .expect("roster a");
    b.store.add_responders(&[g1]).expect("roster b");
    let reference = hub.intake_g1("110-9").await["ref"]
        .as_str()
        .expect("ref")
        .to_string();
    a.engine.once().await.expect("sync a");
    b.engine.once().await.expect("sync b");
    let stamp = a.stamp();
    a.store
        .record(
            &reference,
            vec![
                EventKind::Claimed,
                EventKind::Dispatched {
                    responders: vec!["g1".into()],
                    channel: Channel::Radio,
                },
            ],
            &stamp,
        )
        .expect("dispatch at a");
    a.engine.once().await.expect("push a");
    b.engine.once().await.expect("pull b");
    let seen = b.store.responder("g1").expect("read").expect("known");
    assert_eq!(seen.status, DutyStatus::Assigned);
    assert_eq!(seen.incident.as_deref(), Some(reference.as_str()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_retried_after_a_lost_answer_is_a_duplicate() {
    let hub = TestHub::start(HubConfig::default()).await;
    let mut c = Console::new(&hub, "dn", "1");
    let reference = hub.intake_g1("110-1").await["ref"]
        .as_str()
        .expect("ref")
        .to_string();
    c.engine.once().await.expect("sync");
    c.claim(&reference);
    let outbox = c.store.outbox(10).expect("outbox");
    let settings = Settings {
        url: hub.url.clone(),
        token: hub.token("dn").into(),
        workstation: "1".into(),
        ca_file: None,
    };
    // The hub takes the push, but its answer never reaches the console.
    Client::new(&settings)
        .expect("client")
        .push(&outbox)
        .await
        .expect("push");
    let counts = c.engine.once().await.expect("retry");
    assert_eq!((counts.pushed, counts.duplicates), (0, 1));
    let (_, page) = hub.get("/v1/sync?after=0", hub.token("dn")).await;
    assert_eq!(
        page["events"].as_array().expect("events").len(),
        2,
        "one claim at the hub"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consoles_work_while_the_hub_is_down_and_drain_after() {
    let mut hub = TestHub::start(HubConfig::default()).await;
    let mut a = Console::new(&hub, "dn", "1");
    let mut b = Console::new(&hub, "dn", "2");
    for n in 0..3 {
        hub.intake_g1(&format!("110-{n}")).await;
    }
    a.engine.once().await.expect("sync a");
    b.engine.once().await.expect("sync b");
    hub.stop().await;
    let mut made = Vec::new();
    for n in 0..5 {
        made.push(a.create(&format!("a{n}")));
        made.push(b.create(&format!("b{n}")));
    }
    let intake_refs: Vec<String> = a
        .refs()
        .into_iter()
        .filter(|(r, _)| r.starts_with("DN-"))
        .map(|(r, _)| r)
        .collect();
    a.claim(&intake_refs[0]);
    b.claim(&intake_refs[1]);
    let err = a.engine.once().await.expect_err("hub is down");
    assert!(matches!(err, SyncError::Unreachable { .. }), "{err}");
    assert!(err.is_transient());
    assert!(!a.engine.subscribe().borrow().online);
    assert_eq!(a.store.outbox_len().expect("outbox"), 6);
    hub.restart(HubConfig::default()).await;
    a.engine.once().await.expect("drain a");
    b.engine.once().await.expect("drain b");
    a.engine.once().await.expect("catch up a");
    assert_eq!(a.refs(), b.refs());
    assert_eq!(a.refs().len(), 13);
    assert_eq!(a.store.outbox_len().expect("outbox"), 0);
    assert_eq!(b.store.outbox_len().expect("outbox"), 0);
    let (_, page) = hub.get("/v1/sync?after=0", hub.token("dn")).await;
    let ids: Vec<&str> = page["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["event"]["id"].as_str().expect("id"))
        .collect();
    let unique: HashSet<&str> = ids.iter().copied().collect();
    assert_eq!(ids.len(), 3 + 10 + 2, "nothing lost");
    assert_eq!(unique.len(), ids.len(), "nothing duplicated");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_background_task_long_polls_and_reports_status() {
    let hub = TestHub::start(HubConfig::default()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let settings = Settings {
        url: hub.url.clone(),
        token: hub.token("dn").into(),
        workstation: "1".into(),
        ca_file: None,
    };
    let store = Store::open_dir(dir.path()).expect("store");
    let handle = fenliu::sync::spawn(Client::new(&settings).expect("client"), store, 5);
    let reader = Store::open_dir(dir.path()).expect("reader");
    let reference = hub.intake_g1("110-1").await["ref"]
        .as_str()
        .expect("ref")
        .to_string();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while reader.incident(&reference).expect("read").is_none() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the item never arrived"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let status = handle.status.borrow().clone();
    assert!(status.online, "{status:?}");
    assert!(!status.skew_warning);
    handle.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rebuild_recovers_a_lost_store() {
    let hub = TestHub::start(HubConfig::default()).await;
    let mut a = Console::new(&hub, "dn", "1");
    hub.intake_g1("110-1").await;
    a.create("来访");
    a.engine.once().await.expect("sync");
    let fresh = Console::new(&hub, "dn", "1");
    let counts = fresh.engine.rebuild().await.expect("rebuild");
    assert_eq!(counts.pulled, 2);
    assert_eq!(fresh.refs(), a.refs());
    let again = fresh
        .engine
        .rebuild()
        .await
        .expect_err("not empty any more");
    assert!(again.to_string().contains("empty"), "{again}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hub_of_another_protocol_version_is_named_plainly() {
    let app = axum::Router::new().fallback(|| async {
        (
            [(fenliu::protocol::VERSION_HEADER, "1")],
            axum::Json(serde_json::json!({"events": []})),
        )
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let settings = Settings {
        url,
        token: "t".into(),
        workstation: "1".into(),
        ca_file: None,
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let (engine, _) = Engine::new(
        Client::new(&settings).expect("client"),
        Store::open_dir(dir.path()).expect("store"),
    );
    let err = engine.once().await.expect_err("version differs");
    assert!(matches!(err, SyncError::Version { .. }), "{err}");
    assert!(err.to_string().contains("protocol version 1"), "{err}");
    assert!(!err.is_transient());
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reference_taken_twice_is_refused_and_the_item_withdrawn() {
    let hub = TestHub::start(HubConfig::default()).await;
    let mut a = Console::new(&hub, "dn", "1");
    let mut b = Console::new(&hub, "dn", "1");
    let ra = a.create("来访 a");
    let rb = b.create("来访 b");
    assert_eq!(
        ra, rb,
        "two workstations misconfigured with the same number"
    );
    a.engine.once().await.expect("sync a");
    let counts = b.engine.once().await.expect("sync b");
    assert_eq!(counts.rejected, 1);
    assert!(
        counts.notices[0].message.contains("already used"),
        "{:?}",
        counts.notices
    );
    b.engine.once().await.expect("sync b again");
    assert_eq!(
        b.refs(),
        a.refs(),
        "b now holds a's item under that reference"
    );
}

/// Polls `check` every 20 ms until it holds, failing after `secs` seconds.
async fn eventually(secs: u64, what: &str, mut check: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while !check() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_background_task_rides_out_an_outage_and_drains() {
    let mut hub = TestHub::start(HubConfig::default()).await;
    let mut local = Console::new(&hub, "dn", "1");
    let dir_path = local._dir.path().to_path_buf();
    let settings = Settings {
        url: hub.url.clone(),
        token: hub.token("dn").into(),
        workstation: "1".into(),
        ca_file: None,
    };
    let store = Store::open_dir(&dir_path).expect("store");
    let handle = fenliu::sync::spawn(Client::new(&settings).expect("client"), store, 2);
    let status = handle.status.clone();
    eventually(10, "online", || status.borrow().online).await;
    hub.stop().await;
    let made: Vec<String> = (0..4)
        .map(|n| local.create(&format!("断网时来访 {n}")))
        .collect();
    handle.nudge();
    eventually(10, "offline", || !status.borrow().online).await;
    assert!(
        status
            .borrow()
            .last_error
            .as_deref()
            .unwrap_or("")
            .contains("cannot be reached")
    );
    hub.restart(HubConfig::default()).await;
    handle.nudge();
    eventually(15, "the outbox to drain", || {
        let s = status.borrow();
        s.online && s.outbox == 0
    })
    .await;
    assert_eq!(local.store.outbox_len().expect("outbox"), 0);
    let (_, page) = hub.get("/v1/sync?after=0", hub.token("dn")).await;
    let refs: Vec<&str> = page["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["event"]["kind"]["reference"].as_str())
        .collect();
    let mut expected: Vec<&str> = made.iter().map(String::as_str).collect();
    expected.sort();
    let mut got = refs.clone();
    got.sort();
    assert_eq!(got, expected, "each item once at the hub");
    handle.stop().await;
}

#[test]
fn a_store_from_before_sync_upgrades_with_its_events_in_the_outbox() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("fenliu.db");
    {
        let conn = rusqlite::Connection::open(&path).expect("open");
        conn.execute_batch(fenliu::store::migrations::MIGRATIONS[0])
            .expect("schema 1");
        conn.pragma_update(None, "user_version", 1)
            .expect("version 1");
    }
    let mut store = Store::open(&path).expect("upgrade");
    assert_eq!(
        store.schema_version().expect("version"),
        fenliu::store::migrations::MIGRATIONS.len() as i64
    );
    assert_eq!(store.pull_cursor().expect("cursor"), 0);
    let now = Utc::now();
    let stamp = Stamp {
        actor: Actor {
            operator: "王磊".into(),
            station: "dn".into(),
            device: "1".into(),
        },
        occurred_at: now,
        recorded_at: now,
    };
    let received = Received {
        reference: String::new(),
        station: "dn".into(),
        source: Source::WalkIn,
        source_ref: None,
        text: "来访".into(),
        address: None,
        grid: None,
        community: None,
        phone: None,
        priority: Priority::Normal,
        drill: false,
        repeat_of: None,
    };
    store
        .create_incident(received, "DN1", now.date_naive(), vec![], &stamp)
        .expect("create");
    assert_eq!(store.outbox_len().expect("outbox"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hub_clock_far_off_is_flagged() {
    let app = axum::Router::new().fallback(|| async {
        let page = fenliu::protocol::SyncPage {
            events: vec![],
            last_seq: 0,
            more: false,
            hub_time: Utc::now() + chrono::TimeDelta::seconds(42),
            hub: fenliu::protocol::HubIdentity {
                id: "hub".into(),
                epoch: 1,
            },
            hub_seq: 0,
        };
        (
            [(
                fenliu::protocol::VERSION_HEADER,
                fenliu::protocol::PROTOCOL_VERSION,
            )],
            axum::Json(page),
        )
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let settings = Settings {
        url,
        token: "t".into(),
        workstation: "1".into(),
        ca_file: None,
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let (engine, _) = Engine::new(
        Client::new(&settings).expect("client"),
        Store::open_dir(dir.path()).expect("store"),
    );
    engine.once().await.expect("sync");
    let status = engine.subscribe().borrow().clone();
    assert!(status.skew_warning, "{status:?}");
    let skew = status.skew_ms.expect("measured");
    assert!((41_000..=43_000).contains(&skew), "{skew}");
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_workstations_claim_at_once_100_times_one_wins_the_other_is_told() {
    let hub = TestHub::start(HubConfig::default()).await;
    let mut a = Console::new(&hub, "dn", "1");
    let mut b = Console::new(&hub, "dn", "2");
    for round in 0..100 {
        let reference = hub.intake_g1(&format!("110-{round}")).await["ref"]
            .as_str()
            .expect("ref")
            .to_string();
        let (ra, rb) = tokio::join!(a.engine.once(), b.engine.once());
        ra.expect("sync a");
        rb.expect("sync b");
        a.claim(&reference);
        b.claim(&reference);
        let (ca, cb) = tokio::join!(a.engine.once(), b.engine.once());
        let (ca, cb) = (ca.expect("push a"), cb.expect("push b"));
        assert_eq!(ca.pushed + cb.pushed, 1, "round {round}: one winner");
        assert_eq!(ca.rejected + cb.rejected, 1, "round {round}: one loser");
        let (winner, told) = if ca.pushed == 1 {
            ("1", &cb)
        } else {
            ("2", &ca)
        };
        assert!(
            told.notices[0]
                .message
                .contains(&format!("已被 {winner} 号工作站 (值班员{winner}) 签收")),
            "round {round}: {:?}",
            told.notices
        );
        let (ra, rb) = tokio::join!(a.engine.once(), b.engine.once());
        ra.expect("settle a");
        rb.expect("settle b");
        let ia = a.store.incident(&reference).expect("read").expect("known");
        let ib = b.store.incident(&reference).expect("read").expect("known");
        assert_eq!(
            ia.claimed_by, ib.claimed_by,
            "round {round}: both show the winner"
        );
    }
}

mod console_link {
    use super::hubkit::TestHub;
    use fenliu::command::Command;
    use fenliu::config::Config;
    use fenliu::domain::{Incident, Status};
    use fenliu::hub::HubConfig;
    use fenliu::identity::Identity;
    use fenliu::store::Store;
    use fenliu::triage::Classifier;
    use fenliu::tui::action::Action;
    use fenliu::tui::hub_link::HubLink;
    use fenliu::tui::store_thread::{self, Request, Writer};
    use std::sync::mpsc;
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    /// Waits for an action the link sends, skipping others, until a deadline.
    fn next_hub(rx: &mpsc::Receiver<Action>, want: impl Fn(&Action) -> bool) -> Action {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(a) if want(&a) => return a,
                Ok(_) => {}
                Err(e) => panic!("no such action from the hub link: {e}"),
            }
        }
    }

    /// A workstation of station `dn`: its store shared by the store thread and the sync link,
    /// as the console runs them, and the actions the screen receives.
    struct Workstation {
        _dir: tempfile::TempDir,
        requests: Option<mpsc::Sender<Request>>,
        screen: mpsc::Receiver<Action>,
        link: Option<HubLink>,
        thread: Option<std::thread::JoinHandle<()>>,
    }

    impl Workstation {
        fn start(hub: &TestHub, workstation: &str) -> Workstation {
            let dir = tempfile::tempdir().expect("tempdir");
            let mut config = Config::default();
            config.station.id = "dn".into();
            config.station.prefix = "DN".into();
            config.hub.url = Some(hub.url.clone());
            config.hub.token = Some(hub.token("dn").to_string());
            config.hub.workstation = Some(workstation.into());
            let identity = Identity::new(&config, &format!("值班员{workstation}"), None, "console");
            let store = Arc::new(Mutex::new(Store::open_dir(dir.path()).expect("store")));
            let (tx, screen) = mpsc::channel();
            let settings = fenliu::sync::settings(&config, None)
                .expect("settings")
                .expect("a hub is configured");
            let clock: Arc<dyn fenliu::clock::Clock> = Arc::new(fenliu::clock::SystemClock);
            let link = HubLink::start(
                &settings,
                Arc::clone(&clock),
                Arc::clone(&store),
                tx.clone(),
            )
            .expect("link starts");
            let writer = Writer {
                actor: identity.actor(),
                clock,
                intake: fenliu::intake::Intake {
                    classifier: Arc::new(Classifier::embedded().expect("list")),
                    prefix: identity.reference_prefix(),
                    tz: config.timezone.0,
                    repeat_window: config.triage.repeat_window.0,
                    night: config.night_window(),
                },
                policy: config.sla_policy(),
                war_policy: config.sla_policy_for(fenliu::domain::station::Mode::War),
                night: config.night_window(),
                lang: config.lang,
                reopen_on_dissatisfied: true,
                targets: config.targets,
                after_write: Some(link.nudger()),
            };
            let (requests, req_rx) = mpsc::channel();
            let thread = store_thread::spawn(store, writer, req_rx, tx);
            Workstation {
                _dir: dir,
                requests: Some(requests),
                screen,
                link: Some(link),
                thread: Some(thread),
            }
        }

        fn send(&self, request: Request) {
            if let Some(r) = &self.requests {
                r.send(request).expect("the store thread listens");
            }
        }

        /// Screen updates (snapshots and changes) that carry item `reference`, until one
        /// carries `until`; other actions are skipped.
        fn updates_until(
            &self,
            reference: &str,
            until: impl Fn(&Incident) -> bool,
        ) -> Vec<Incident> {
            let mut seen = Vec::new();
            loop {
                let items = match next_hub(&self.screen, |a| {
                    matches!(a, Action::Remote { .. } | Action::Snapshot { .. })
                }) {
                    Action::Remote { incidents, .. } | Action::Snapshot { incidents, .. } => {
                        incidents
                    }
                    _ => Vec::new(),
                };
                let done = items.iter().any(&until);
                seen.extend(items.into_iter().filter(|i| i.reference == reference));
                if done {
                    return seen;
                }
            }
        }

        fn stop(mut self) {
            drop(self.requests.take());
            if let Some(t) = self.thread.take() {
                let _ = t.join();
            }
            if let Some(link) = self.link.take() {
                link.stop();
            }
        }
    }

    #[test]
    fn one_claim_gives_one_screen_update_on_each_workstation() {
        let rt = tokio::runtime::Runtime::new().expect("runtime for the hub");
        let hub = rt.block_on(TestHub::start(HubConfig::default()));
        let a = Workstation::start(&hub, "1");
        let b = Workstation::start(&hub, "2");
        let reference = rt.block_on(hub.intake_g1("once-1"))["ref"]
            .as_str()
            .expect("ref")
            .to_string();
        let here = |i: &Incident| i.reference == reference;
        let id = a.updates_until(&reference, here)[0].id;
        b.updates_until(&reference, here);

        a.send(Request::Execute {
            id,
            command: Command::Claim,
        });
        let claimed = |i: &Incident| i.reference == reference && i.status == Status::Claimed;
        let mut on_a = a.updates_until(&reference, claimed);
        let mut on_b = b.updates_until(&reference, claimed);
        let sentinel = rt.block_on(hub.intake_g1("once-2"))["ref"]
            .as_str()
            .expect("ref")
            .to_string();
        let later = |i: &Incident| i.reference == sentinel;
        on_a.extend(a.updates_until(&reference, later));
        on_b.extend(b.updates_until(&reference, later));
        assert_eq!(on_a.len(), 1, "a's screen got the claim once: {on_a:?}");
        assert_eq!(on_b.len(), 1, "b's screen got the claim once: {on_b:?}");
        assert_eq!(on_b[0].claimed_by.as_deref(), Some("值班员1"));
        a.stop();
        b.stop();
    }

    #[test]
    fn the_console_link_shows_the_hub_brings_its_items_and_pushes_local_writes() {
        let rt = tokio::runtime::Runtime::new().expect("runtime for the hub");
        let hub = rt.block_on(TestHub::start(HubConfig::default()));
        let ws = Workstation::start(&hub, "1");
        next_hub(&ws.screen, |a| matches!(a, Action::Hub(h) if h.online));
        let intake = rt.block_on(hub.intake_g1("link-1"));
        let reference = intake["ref"].as_str().expect("ref").to_string();
        let items = ws.updates_until(&reference, |i| i.reference == reference);
        ws.send(Request::Execute {
            id: items[0].id,
            command: Command::Claim,
        });
        // The claim is recorded locally first; a status of the link sent before it may still be
        // on its way, so an empty outbox counts only once the store agrees.
        ws.updates_until(&reference, |i| {
            i.reference == reference && i.status == Status::Claimed
        });
        let dir = ws._dir.path().to_path_buf();
        let store = Store::open_dir(&dir).expect("store");
        loop {
            next_hub(
                &ws.screen,
                |a| matches!(a, Action::Hub(h) if h.online && h.outbox == 0),
            );
            if store.outbox_len().expect("outbox") == 0 {
                break;
            }
        }
        ws.stop();
        assert_eq!(
            store.outbox_len().expect("outbox"),
            0,
            "the claim was pushed"
        );
        let (status, page) = rt.block_on(hub.get("/v1/sync?after=0&wait=0", hub.token("dn")));
        assert_eq!(status, 200);
        let events = page["events"].as_array().cloned().unwrap_or_default();
        assert!(
            events
                .iter()
                .any(|e| e["event"]["kind"]["type"] == "claimed"),
            "the hub holds the claim: {events:?}"
        );
    }

    #[test]
    fn war_mode_switched_on_one_workstation_is_seen_on_another_and_tightens_the_limits() {
        use fenliu::command::StationCommand;
        use fenliu::domain::sla::{self, ClockName};
        use fenliu::domain::station::Mode;
        let rt = tokio::runtime::Runtime::new().expect("runtime for the hub");
        let hub = rt.block_on(TestHub::start(HubConfig::default()));
        let a = Workstation::start(&hub, "1");
        let b = Workstation::start(&hub, "2");
        let reference = rt.block_on(hub.intake_g1("war-1"))["ref"]
            .as_str()
            .expect("ref")
            .to_string();
        let item = b.updates_until(&reference, |i| i.reference == reference)[0].clone();
        let config = Config::default();
        let mut screen = fenliu::tui::app::App::new(
            fenliu::tui::settings(&config, "值班员2").expect("settings"),
            item.received_at,
        );
        screen.update(
            Action::Remote {
                incidents: vec![item.clone()],
                roster: None,
            },
            item.received_at,
        );
        let claim_limit = |app: &fenliu::tui::app::App| {
            sla::clock(&item, &app.settings.policy, ClockName::Claim, app.now)
        };
        assert_eq!(
            claim_limit(&screen).limit_secs,
            60,
            "normal: 1 minute to claim"
        );

        a.send(Request::Station(StationCommand::SwitchMode {
            mode: Mode::War,
            note: Some("防汛应急预案启动".into()),
        }));
        let is_war = |a: &Action| matches!(a, Action::Station(s) if s.mode() == Mode::War);
        next_hub(&a.screen, is_war);
        let Action::Station(state) = next_hub(&b.screen, is_war) else {
            unreachable!("next_hub returns what it was asked for")
        };
        let switch = state.modes.last().expect("a recorded switch");
        assert_eq!(
            switch.operator, "值班员1",
            "who switched it travels with it"
        );
        assert_eq!(switch.note.as_deref(), Some("防汛应急预案启动"));
        screen.update(Action::Station(state), item.received_at);
        assert!(screen.war);
        assert_eq!(
            claim_limit(&screen).limit_secs,
            30,
            "war: 30 seconds to claim"
        );
        assert_eq!(
            sla::clock(
                &item,
                &screen.settings.policy,
                ClockName::Arrive,
                item.received_at
            )
            .limit_secs,
            15 * 60
        );
        a.stop();
        b.stop();
        let (status, page) = rt.block_on(hub.get("/v1/sync?after=0&wait=0", hub.token("dn")));
        assert_eq!(status, 200);
        let events = page["events"].as_array().cloned().unwrap_or_default();
        let switches = events
            .iter()
            .filter(|e| e["event"]["kind"]["station"]["kind"] == "mode_switched")
            .count();
        assert_eq!(
            switches, 1,
            "the hub holds one switch for the station: {events:?}"
        );
    }

    #[test]
    fn the_ladder_worked_out_by_two_workstations_and_the_hub_is_one_event_per_level() {
        use fenliu::command::automatic;
        let rt = tokio::runtime::Runtime::new().expect("runtime for the hub");
        let hub = rt.block_on(TestHub::start(HubConfig::default()));
        let a = Workstation::start(&hub, "1");
        let b = Workstation::start(&hub, "2");
        let received = chrono::Utc::now() - chrono::TimeDelta::days(15);
        let (status, body) = rt.block_on(hub.post(
            "/v1/intake",
            &hub.intake,
            &serde_json::json!({"source": "12345", "source_ref": "ladder-1",
                "text": "小区门口共享单车乱停放，多次反映无人处理", "grid": "g1",
                "received_at": received}),
        ));
        assert_eq!(status, 201, "{body}");
        let reference = body["ref"].as_str().expect("ref").to_string();
        let climbed = |i: &Incident| i.reference == reference && i.escalation_level == 2;
        let on_a = a.updates_until(&reference, climbed);
        b.updates_until(&reference, climbed);

        let escalated_at_hub = || -> Vec<i64> {
            let (_, page) = rt.block_on(hub.get("/v1/sync?after=0&wait=0", hub.token("dn")));
            page["events"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .filter(|e| e["event"]["kind"]["type"] == "escalated")
                .map(|e| e["event"]["kind"]["level"].as_i64().unwrap_or(0))
                .collect()
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while escalated_at_hub().len() < 2 {
            assert!(
                Instant::now() < deadline,
                "the workstations never pushed the ladder"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        let mut item = on_a.last().expect("the item").clone();
        item.escalation_level = 0;
        let hubs_own = automatic::escalations(
            &item,
            &fenliu::domain::SlaPolicy::default(),
            chrono::Utc::now(),
        );
        assert_eq!(hubs_own.len(), 2, "levels 1 and 2 at 15 days");
        let (status, answer) = rt.block_on(hub.post(
            "/v1/sync",
            hub.token("dn"),
            &serde_json::json!({ "events": hubs_own }),
        ));
        assert_eq!(status, 200, "{answer}");
        let outcomes: Vec<_> = answer["results"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|r| r["outcome"].as_str().unwrap_or("").to_string())
            .collect();
        assert_eq!(
            outcomes,
            ["duplicate", "duplicate"],
            "already recorded: {answer}"
        );
        next_hub(
            &a.screen,
            |x| matches!(x, Action::Hub(h) if h.online && h.outbox == 0),
        );
        next_hub(
            &b.screen,
            |x| matches!(x, Action::Hub(h) if h.online && h.outbox == 0),
        );
        a.stop();
        b.stop();
        assert_eq!(escalated_at_hub(), [1, 2], "one event per level at the hub");
    }
}

/// The hub's own ladder records what no workstation did, and nothing twice.
#[test]
fn the_hubs_ladder_records_each_missing_step_once() {
    use fenliu::command::automatic;
    use fenliu::hub::store::{HubStore, Push, SqliteHubStore};
    use fenliu::protocol::PushOutcome;
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteHubStore::open_dir(dir.path()).expect("hub store");
    fenliu::hub::admin::add_station(&store, &hubkit::station("dn", "DN")).expect("station");
    let received = Utc::now() - chrono::TimeDelta::days(15);
    let first = hubkit::received_event("dn", "DN1-20261101-0001", received);
    let pushed = |events: Vec<fenliu::domain::Event>| {
        store
            .push(Push {
                station: "dn".into(),
                events,
                now: Utc::now(),
                head: None,
            })
            .expect("push")
    };
    assert!(matches!(
        pushed(vec![first.clone()])[0],
        PushOutcome::Accepted { .. }
    ));
    let item = fenliu::domain::Incident::from_received(&first).expect("item");
    let policy = fenliu::domain::SlaPolicy::default();
    let steps = automatic::escalations(&item, &policy, Utc::now());
    assert_eq!(steps.len(), 2);
    assert!(
        matches!(
            pushed(vec![steps[0].clone()])[0],
            PushOutcome::Accepted { .. }
        ),
        "a workstation recorded level 1"
    );
    let run =
        |s: &dyn HubStore| fenliu::hub::ladder::run_once(s, &policy, Utc::now()).expect("ladder");
    assert_eq!(run(&store), 1, "the hub records level 2 only");
    assert_eq!(run(&store), 0, "and nothing on a second run");
    assert!(
        matches!(pushed(steps.clone())[1], PushOutcome::Duplicate { .. }),
        "the workstation's level 2 is the hub's event"
    );
}
