//! Hostile requests, generated: malformed JSON, wrong types, huge and deep bodies, invalid UTF-8,
//! control characters, unknown enum values, extreme numbers, wrong methods and paths, bad tokens.
//! Never a 5xx, the hub stays up, and what it stored is unchanged.

mod hubkit;

use fenliu::hub::HubConfig;
use fenliu::hub::limit::FailLimit;
use hubkit::TestHub;
use proptest::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

const PATHS: &[&str] = &[
    "/v1/intake",
    "/v1/sync",
    "/v1/sync?after=-1",
    "/v1/sync?after=99999999999999999999&wait=abc",
    "/v1/sync?limit=0&wait=-5",
    "/v1/incidents/not-a-uuid",
    "/v1/incidents/00000000-0000-0000-0000-000000000000",
    "/v1/incidents/%FF%FE",
    "/v1/police/feed?after=1e9",
    "/v1/police/ack",
    "/v1/stats",
    "/metrics",
    "/healthz",
    "/v1/../etc/passwd",
    "/v2/sync",
    "//v1//intake",
];

#[derive(Debug, Clone)]
enum Who {
    Nobody,
    Station,
    Intake,
    Police,
    Garbage(String),
}

fn who() -> impl Strategy<Value = Who> {
    prop_oneof![
        Just(Who::Nobody),
        Just(Who::Station),
        Just(Who::Intake),
        Just(Who::Police),
        "[ -~]{0,80}".prop_map(Who::Garbage),
        "fl1\\.[sc]\\.[a-z0-9.]{0,12}\\.[0-9a-f]{0,70}".prop_map(Who::Garbage),
    ]
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(serde_json::Value::from),
        Just(serde_json::json!(u64::MAX)),
        "\\PC{0,40}".prop_map(serde_json::Value::from),
        "[\\x00-\\x1f]{1,8}".prop_map(serde_json::Value::from),
        Just(serde_json::json!("999")),
        Just(serde_json::json!("9999-12-31T23:59:59Z")),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    Just("source".to_string()),
                    Just("source_ref".to_string()),
                    Just("text".to_string()),
                    Just("events".to_string()),
                    Just("id".to_string()),
                    Just("kind".to_string()),
                    Just("received_at".to_string()),
                    "[a-z_]{1,10}",
                ],
                inner,
                0..6
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(Vec::new()),
        prop::collection::vec(any::<u8>(), 0..300),
        json_value().prop_map(|v| serde_json::to_vec(&v).unwrap_or_default()),
        (1usize..50_000).prop_map(|n| "[".repeat(n).into_bytes()),
        Just(br#"{"source": "110", "source_ref": "x", "text": "t", "grid": "g1""#.to_vec()),
        Just(br#"{"source": "fax", "source_ref": "x", "text": "t"}"#.to_vec()),
        Just(br#"{"events": [{"id": "00000000-0000-0000-0000-000000000000", "kind": {"type": "teleported"}}]}"#.to_vec()),
        Just(b"{\"text\": \"\xff\xfe\xfd\"}".to_vec()),
        (1usize..3).prop_map(|n| vec![b'x'; n * 700_000]),
    ]
}

fn method() -> impl Strategy<Value = reqwest::Method> {
    prop_oneof![
        Just(reqwest::Method::GET),
        Just(reqwest::Method::POST),
        Just(reqwest::Method::PUT),
        Just(reqwest::Method::DELETE),
        Just(reqwest::Method::PATCH),
        Just(reqwest::Method::OPTIONS),
    ]
}

/// A body, shown by its length only (some are megabytes).
#[derive(Clone)]
struct Body(Vec<u8>);

impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} bytes", self.0.len())
    }
}

#[test]
fn hostile_requests_never_get_a_5xx_and_change_nothing() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let config = HubConfig {
        fail_limit: FailLimit {
            max: usize::MAX,
            window: Duration::from_secs(1),
        },
        ..HubConfig::default()
    };
    let hub = runtime.block_on(TestHub::start(config));
    runtime.block_on(hub.intake_g1("110-1"));
    let snapshot = || {
        runtime.block_on(async {
            let (_, dn) = hub.get("/v1/sync?after=0", hub.token("dn")).await;
            let (_, gz) = hub.get("/v1/sync?after=0", hub.token("gz")).await;
            let (_, stats) = hub.get("/v1/stats", &hub.district).await;
            (dn["events"].clone(), gz["events"].clone(), stats)
        })
    };
    let before = snapshot();
    let tried = AtomicUsize::new(0);
    let cut = AtomicUsize::new(0);
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 400,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let strategy = (
        method(),
        prop::sample::select(PATHS),
        who(),
        body().prop_map(Body),
    );
    runner
        .run(&strategy, |(method, path, who, body)| {
            let token = match &who {
                Who::Nobody => None,
                Who::Station => Some(hub.token("dn").to_string()),
                Who::Intake => Some(hub.intake.clone()),
                Who::Police => Some(hub.police.clone()),
                Who::Garbage(t) => Some(t.clone()),
            };
            let status = runtime.block_on(async {
                let mut r = hub
                    .http
                    .request(method.clone(), format!("{}{path}", hub.url))
                    .header("content-type", "application/json")
                    .body(body.0.clone());
                if let Some(t) = &token {
                    r = r.header("authorization", format!("Bearer {t}"));
                }
                match r.send().await {
                    Ok(answer) => Some(answer.status().as_u16()),
                    // A header value reqwest itself refuses never reaches the hub.
                    Err(e) if e.is_builder() => None,
                    // A body the hub will not read may be cut off while it is still being sent
                    // (the answer was early); the hub must still be up.
                    Err(e) if !body.0.is_empty() => {
                        let (health, _) = hub.get("/healthz", "").await;
                        assert_eq!(
                            health, 200,
                            "the hub is up after cutting off {method} {path}: {e}"
                        );
                        cut.fetch_add(1, Ordering::Relaxed);
                        None
                    }
                    Err(e) => panic!("the hub dropped {method} {path}: {e}"),
                }
            });
            tried.fetch_add(1, Ordering::Relaxed);
            if let Some(s) = status {
                prop_assert!(s < 500, "{method} {path} as {who:?} got {s}");
            }
            Ok(())
        })
        .expect("no hostile request gets a 5xx");
    let health = runtime.block_on(hub.get("/healthz", ""));
    assert_eq!(health.0, 200, "the hub is still up");
    assert_eq!(snapshot(), before, "stored data unchanged");
    assert!(tried.load(Ordering::Relaxed) >= 400);
    eprintln!(
        "hostile requests tried: {}, cut off while sending a body: {}",
        tried.load(Ordering::Relaxed),
        cut.load(Ordering::Relaxed)
    );
}
