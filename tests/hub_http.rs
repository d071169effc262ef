//! The hub over real HTTP on 127.0.0.1: intake idempotency, routing, every error status, page
//! boundaries, station isolation and concurrent claims.

mod hubkit;

use fenliu::hub::HubConfig;
use fenliu::hub::limit::RateLimit;
use fenliu::protocol::{PROTOCOL_VERSION, VERSION_HEADER};
use hubkit::{TestHub, claim_live};
use serde_json::json;
use std::sync::Arc;

fn id_of(body: &serde_json::Value) -> fenliu::domain::IncidentId {
    fenliu::domain::IncidentId::parse(body["id"].as_str().expect("id")).expect("uuid")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn intake_is_idempotent_and_routed() {
    let hub = TestHub::start(HubConfig::default()).await;
    let body = json!({"source": "110", "source_ref": "110-7", "text": "噪音", "grid": "g1"});
    let (s1, first) = hub.post("/v1/intake", &hub.intake, &body).await;
    assert_eq!(s1, 201, "{first}");
    assert_eq!(first["station"], "dn");
    assert!(first["ref"].as_str().expect("ref").starts_with("DN-"));
    let (s2, again) = hub.post("/v1/intake", &hub.intake, &body).await;
    assert_eq!((s2, &again), (200, &first));
    let by_community = json!({"source": "12345", "source_ref": "w-1", "text": "漏水", "grid": "g9", "community": "c1"});
    assert_eq!(
        hub.post("/v1/intake", &hub.intake, &by_community).await.1["station"],
        "dn"
    );
    let explicit = json!({"source": "12345", "source_ref": "w-2", "text": "漏水", "grid": "g1", "station": "gz"});
    assert_eq!(
        hub.post("/v1/intake", &hub.intake, &explicit).await.1["station"],
        "gz"
    );
    let (_, page) = hub.get("/v1/sync?after=0", hub.token("dn")).await;
    assert_eq!(
        page["events"].as_array().expect("events").len(),
        2,
        "{page}"
    );
    assert!(page["hub_time"].is_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_classifier_triages_intakes() {
    let config = HubConfig {
        classifier: Arc::new(|text: &str| text.contains("噪").then(hubkit::decision)),
        ..HubConfig::default()
    };
    let hub = TestHub::start(config).await;
    hub.intake_g1("110-1").await;
    let (_, page) = hub.get("/v1/sync?after=0", hub.token("dn")).await;
    let kinds: Vec<&str> = page["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["event"]["kind"]["type"].as_str().expect("type"))
        .collect();
    assert_eq!(kinds, ["received", "triaged"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_error_status_is_json_with_the_version_header() {
    let hub = TestHub::start(HubConfig::default()).await;
    let item = hub.intake_g1("110-1").await;
    let ok = json!({"source": "110", "source_ref": "x", "text": "t", "grid": "g1"});
    // 401: missing and bad tokens.
    let r = hub
        .http
        .post(format!("{}/v1/intake", hub.url))
        .json(&ok)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 401);
    assert_eq!(
        r.headers()
            .get(VERSION_HEADER)
            .and_then(|v| v.to_str().ok()),
        Some(PROTOCOL_VERSION)
    );
    let body: serde_json::Value = r.json().await.expect("json");
    assert_eq!(body["error"], "unauthorized");
    let forged = format!("{}00", &hub.token("dn")[..hub.token("dn").len() - 2]);
    assert_eq!(hub.get("/v1/sync", &forged).await.0, 401);
    assert_eq!(hub.get("/v1/sync", "nonsense").await.0, 401);
    // 403: wrong role; another station's item is unknown to it (404).
    let (s, body) = hub.post("/v1/intake", hub.token("dn"), &ok).await;
    assert_eq!((s, body["error"].as_str()), (403, Some("forbidden")));
    let path = format!("/v1/incidents/{}", item["id"].as_str().expect("id"));
    assert_eq!(hub.get(&path, hub.token("dn")).await.0, 200);
    let (s, body) = hub.get(&path, hub.token("gz")).await;
    assert_eq!((s, body["error"].as_str()), (404, Some("not_found")));
    // 400: malformed JSON, a missing field, a bad value, a bad query, each named.
    let r = hub
        .http
        .post(format!("{}/v1/intake", hub.url))
        .bearer_auth(&hub.intake)
        .body("{\"source\": ")
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 400);
    let (s, body) = hub
        .post(
            "/v1/intake",
            &hub.intake,
            &json!({"source": "110", "text": "t"}),
        )
        .await;
    assert_eq!(s, 400);
    assert!(
        body["message"]
            .as_str()
            .expect("msg")
            .contains("source_ref"),
        "{body}"
    );
    let (s, body) = hub
        .post(
            "/v1/intake",
            &hub.intake,
            &json!({"source": "999", "source_ref": "a", "text": "t"}),
        )
        .await;
    assert_eq!(s, 400);
    assert!(
        body["message"].as_str().expect("msg").starts_with("source"),
        "{body}"
    );
    let (s, body) = hub
        .post(
            "/v1/intake",
            &hub.intake,
            &json!({"source": "110", "source_ref": "a", "text": "  "}),
        )
        .await;
    assert_eq!(s, 400);
    assert!(
        body["message"].as_str().expect("msg").starts_with("text"),
        "{body}"
    );
    let (s, body) = hub.get("/v1/sync?after=abc", hub.token("dn")).await;
    assert_eq!(s, 400);
    assert!(
        body["message"].as_str().expect("msg").starts_with("after"),
        "{body}"
    );
    let (s, body) = hub
        .post("/v1/sync", hub.token("dn"), &json!({"events": [{"id": 5}]}))
        .await;
    assert_eq!(s, 400);
    assert!(
        body["message"]
            .as_str()
            .expect("msg")
            .starts_with("events[0].id"),
        "{body}"
    );
    // 413: over 1 MiB.
    let big = "x".repeat(1024 * 1024 + 10);
    let r = hub
        .http
        .post(format!("{}/v1/intake", hub.url))
        .bearer_auth(&hub.intake)
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 413);
    assert_eq!(
        r.json::<serde_json::Value>().await.expect("json")["error"],
        "too_large"
    );
    // 422: unroutable, saying why.
    let (s, body) = hub
        .post(
            "/v1/intake",
            &hub.intake,
            &json!({"source": "110", "source_ref": "u1", "text": "t", "grid": "g404"}),
        )
        .await;
    assert_eq!(s, 422);
    assert!(
        body["message"].as_str().expect("msg").contains("g404"),
        "{body}"
    );
    let (s, _) = hub
        .post(
            "/v1/intake",
            &hub.intake,
            &json!({"source": "110", "source_ref": "u2", "text": "t"}),
        )
        .await;
    assert_eq!(s, 422);
    let (s, _) = hub
        .post(
            "/v1/intake",
            &hub.intake,
            &json!({"source": "110", "source_ref": "u3", "text": "t", "station": "nowhere"}),
        )
        .await;
    assert_eq!(s, 422);
    // 404 for an unknown path, still JSON.
    assert_eq!(
        hub.get("/v2/anything", &hub.intake).await.1["error"],
        "not_found"
    );
    // Health, metrics and stats.
    assert_eq!(hub.get("/healthz", "").await.0, 200);
    let metrics = hub
        .http
        .get(format!("{}/metrics", hub.url))
        .bearer_auth(&hub.district)
        .send()
        .await
        .expect("send")
        .text()
        .await
        .expect("text");
    assert!(
        metrics.contains("fenliu_hub_intake_created_total 1"),
        "{metrics}"
    );
    let (s, stats) = hub.get("/v1/stats", &hub.district).await;
    assert_eq!(s, 200);
    assert_eq!(stats["stations"][0]["incidents"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flooding_client_gets_429() {
    let config = HubConfig {
        rate_limit: RateLimit {
            per_sec: 1.0,
            burst: 5.0,
        },
        ..HubConfig::default()
    };
    let hub = TestHub::start(config).await;
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(hub.get("/v1/sync", hub.token("dn")).await.0);
    }
    assert_eq!(&statuses[..5], &[200; 5]);
    assert!(statuses[5..].iter().all(|s| *s == 429), "{statuses:?}");
    let r = hub
        .http
        .get(format!("{}/v1/sync", hub.url))
        .bearer_auth(hub.token("dn"))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 429);
    assert!(r.headers().contains_key("retry-after"));
    let body: serde_json::Value = r.json().await.expect("json");
    assert_eq!(body["error"], "rate_limited");
    assert_eq!(
        hub.get("/v1/sync", hub.token("gz")).await.0,
        200,
        "others are not slowed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_pages_over_http_at_the_boundaries() {
    let hub = TestHub::start(HubConfig::default()).await;
    let limit: usize = 3;
    let mut made = 0;
    for total in [limit - 1, limit, limit + 1, 2 * limit] {
        while made < total {
            made += 1;
            hub.intake_g1(&format!("110-{made}")).await;
        }
        let (mut after, mut seen, mut pages) = (0i64, 0usize, 0usize);
        loop {
            let (s, page) = hub
                .get(
                    &format!("/v1/sync?after={after}&limit={limit}"),
                    hub.token("dn"),
                )
                .await;
            assert_eq!(s, 200);
            pages += 1;
            seen += page["events"].as_array().expect("events").len();
            after = page["last_seq"].as_i64().expect("last_seq");
            if !page["more"].as_bool().expect("more") {
                break;
            }
        }
        assert_eq!(
            (seen, pages),
            (total, total.div_ceil(limit)),
            "total {total}"
        );
        let (_, empty) = hub
            .get(
                &format!("/v1/sync?after={after}&limit={limit}"),
                hub.token("dn"),
            )
            .await;
        assert_eq!(
            empty["last_seq"].as_i64(),
            Some(after),
            "an empty page keeps the cursor"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_poll_wakes_on_commit_and_times_out_when_idle() {
    let hub = Arc::new(TestHub::start(HubConfig::default()).await);
    let started = std::time::Instant::now();
    let (_, idle) = hub.get("/v1/sync?after=0&wait=1", hub.token("dn")).await;
    assert!(idle["events"].as_array().expect("events").is_empty());
    assert!(started.elapsed() >= std::time::Duration::from_millis(900));
    let poller = {
        let hub = hub.clone();
        tokio::spawn(async move { hub.get("/v1/sync?after=0&wait=20", hub.token("dn")).await })
    };
    hub.intake_g1("110-1").await;
    let (_, page) = tokio::time::timeout(std::time::Duration::from_secs(5), poller)
        .await
        .expect("woken well before the wait ends")
        .expect("task");
    assert_eq!(page["events"].as_array().expect("events").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_station_can_neither_see_nor_change_an_item() {
    let hub = TestHub::start(HubConfig::default()).await;
    let item = hub.intake_g1("110-1").await;
    let (_, page) = hub.get("/v1/sync?after=0", hub.token("gz")).await;
    assert!(page["events"].as_array().expect("events").is_empty());
    let foreign = claim_live(id_of(&item), "gz", "gz-1");
    let (s, body) = hub
        .post("/v1/sync", hub.token("gz"), &json!({"events": [foreign]}))
        .await;
    assert_eq!(s, 200);
    assert_eq!(body["results"][0]["outcome"], "rejected");
    assert_eq!(
        body["results"][0]["code"], "unknown_incident",
        "another station's item is unknown to it"
    );
    let forged = claim_live(id_of(&item), "dn", "gz-1");
    let (_, body) = hub
        .post("/v1/sync", hub.token("gz"), &json!({"events": [forged]}))
        .await;
    assert_eq!(
        body["results"][0]["code"], "not_your_station",
        "a token cannot speak for another station"
    );
    let (_, page) = hub.get("/v1/sync?after=0", hub.token("dn")).await;
    assert_eq!(
        page["events"].as_array().expect("events").len(),
        1,
        "nothing was added"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_claim_wins_in_each_of_100_races() {
    let hub = Arc::new(TestHub::start(HubConfig::default()).await);
    for round in 0..100 {
        let item = id_of(&hub.intake_g1(&format!("110-{round}")).await);
        let racer = |device: &'static str| {
            let hub = hub.clone();
            let event = claim_live(item, "dn", device);
            tokio::spawn(async move {
                hub.post("/v1/sync", hub.token("dn"), &json!({"events": [event]}))
                    .await
            })
        };
        let (a, b) = (racer("ws1"), racer("ws2"));
        let (a, b) = (a.await.expect("task").1, b.await.expect("task").1);
        let outcomes = [&a["results"][0], &b["results"][0]];
        let winners = outcomes
            .iter()
            .filter(|o| o["outcome"] == "accepted")
            .count();
        assert_eq!(winners, 1, "round {round}: {a} {b}");
        let loser = outcomes
            .iter()
            .find(|o| o["outcome"] == "rejected")
            .expect("a loser");
        assert_eq!(loser["code"], "already_claimed");
        assert!(
            loser["reason"].as_str().expect("reason").contains("已被"),
            "{loser}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_push_is_a_duplicate_and_police_take_items_back() {
    let hub = TestHub::start(HubConfig::default()).await;
    let item = id_of(&hub.intake_g1("110-1").await);
    let mut to_police = claim_live(item, "dn", "ws1");
    to_police.kind = fenliu::domain::EventKind::TransferredToPolice { note: None };
    let batch = json!({"events": [to_police]});
    let (_, first) = hub.post("/v1/sync", hub.token("dn"), &batch).await;
    let (_, again) = hub.post("/v1/sync", hub.token("dn"), &batch).await;
    assert_eq!(first["results"][0]["outcome"], "accepted");
    assert_eq!(again["results"][0]["outcome"], "duplicate");
    assert_eq!(first["results"][0]["seq"], again["results"][0]["seq"]);
    let (s, feed) = hub.get("/v1/police/feed?after=0&wait=1", &hub.police).await;
    assert_eq!(s, 200);
    assert_eq!(feed["items"].as_array().expect("items").len(), 1);
    assert_eq!(
        feed["items"][0]["events"].as_array().expect("events").len(),
        2
    );
    assert_eq!(
        hub.post("/v1/police/ack", &hub.police, &json!({"id": item}))
            .await
            .0,
        200
    );
    let (_, feed) = hub.get("/v1/police/feed?after=0", &hub.police).await;
    assert_eq!(feed["items"][0]["acked"], true);
    assert_eq!(
        hub.post("/v1/police/ack", &hub.police, &json!({"id": uuid_zero()}))
            .await
            .0,
        404
    );
}

fn uuid_zero() -> String {
    "00000000-0000-0000-0000-000000000000".into()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_graceful_stop_answers_waiting_long_polls_at_once() {
    let mut hub = TestHub::start(HubConfig::default()).await;
    let poll = hub
        .http
        .get(format!("{}/v1/sync?after=0&wait=25", hub.url))
        .bearer_auth(hub.token("dn"))
        .send();
    let poller = tokio::spawn(poll);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let started = std::time::Instant::now();
    hub.stop().await;
    let answer = poller.await.expect("task").expect("answered, not cut off");
    assert_eq!(answer.status().as_u16(), 200);
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}
