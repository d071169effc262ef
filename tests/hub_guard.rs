//! What no station, connector or stranger can do to the hub over HTTP on 127.0.0.1: block a
//! station's intake with a reference in the hub's own numbering, take over another connector's
//! source number, learn whether another station's item exists, plant implausible times, keep a
//! rotated token's long-poll, guess tokens without being slowed down, read `/metrics` without a
//! token, or pass without a line in the request log.

mod hubkit;

use chrono::{TimeDelta, Utc};
use fenliu::hub::HubConfig;
use fenliu::hub::reqlog::RequestLine;
use hubkit::{TestHub, claim_live, client_from, received_event};
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn id_of(body: &serde_json::Value) -> String {
    body["id"].as_str().expect("id").to_string()
}

fn today() -> String {
    Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y%m%d")
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_station_cannot_take_the_hubs_next_reference() {
    let hub = TestHub::start(HubConfig::default()).await;
    let squat = received_event("dn", &format!("DN-{}-0001", today()), Utc::now());
    let (s, body) = hub
        .post("/v1/sync", hub.token("dn"), &json!({"events": [squat]}))
        .await;
    assert_eq!(s, 200);
    assert_eq!(body["results"][0]["code"], "reserved_reference", "{body}");
    let own = received_event("dn", &format!("DN1-{}-0001", today()), Utc::now());
    let (_, body) = hub
        .post("/v1/sync", hub.token("dn"), &json!({"events": [own]}))
        .await;
    assert_eq!(
        body["results"][0]["outcome"], "accepted",
        "a workstation's own numbering is fine: {body}"
    );
    for n in 1..=3 {
        let item = hub.intake_g1(&format!("110-{n}")).await;
        assert_eq!(item["ref"], format!("DN-{}-{n:04}", today()));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_connectors_may_reuse_a_source_number() {
    let hub = TestHub::start(HubConfig::default()).await;
    let store = fenliu::hub::store::SqliteHubStore::open_dir(hub.dir.path()).expect("store");
    let second =
        fenliu::hub::admin::add_connector(&store, "c110b", fenliu::hub::store::Role::Intake)
            .expect("connector");
    drop(store);
    let first_report =
        json!({"source": "110", "source_ref": "110-9", "text": "噪音", "grid": "g1"});
    let other_report =
        json!({"source": "110", "source_ref": "110-9", "text": "漏水", "grid": "g2"});
    let (s1, a) = hub.post("/v1/intake", &hub.intake, &first_report).await;
    let (s2, b) = hub.post("/v1/intake", &second, &other_report).await;
    assert_eq!((s1, s2), (201, 201), "{a} {b}");
    assert_ne!(a["id"], b["id"]);
    assert_eq!(
        (a["station"].as_str(), b["station"].as_str()),
        (Some("dn"), Some("gz"))
    );
    let (s3, again) = hub.post("/v1/intake", &second, &other_report).await;
    assert_eq!(
        (s3, &again),
        (200, &b),
        "each connector's repeat is still idempotent"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_stations_item_is_answered_like_an_unknown_one_byte_for_byte() {
    let hub = TestHub::start(HubConfig::default()).await;
    let item = hub.intake_g1("110-1").await;
    let unknown = "0190f0f0-0000-7000-8000-000000000000";
    let raw = |path: String| {
        let http = hub.http.clone();
        let token = hub.token("gz").to_string();
        async move {
            let r = http
                .get(path)
                .bearer_auth(token)
                .send()
                .await
                .expect("send");
            (r.status().as_u16(), r.bytes().await.expect("body"))
        }
    };
    let existing = raw(format!("{}/v1/incidents/{}", hub.url, id_of(&item))).await;
    let missing = raw(format!("{}/v1/incidents/{unknown}", hub.url)).await;
    assert_eq!(existing.0, 404);
    assert_eq!(existing, missing);
    // Pushes: a claim of dn's item and of an unknown one, and a copy of an event of dn's.
    let claim = claim_live(
        fenliu::domain::IncidentId::parse(&id_of(&item)).expect("id"),
        "dn",
        "ws1",
    );
    let (_, accepted) = hub
        .post(
            "/v1/sync",
            hub.token("dn"),
            &json!({"events": [claim.clone()]}),
        )
        .await;
    assert_eq!(accepted["results"][0]["outcome"], "accepted");
    let mut on_existing = claim_live(claim.incident, "gz", "gz1");
    let mut on_missing = on_existing.clone();
    on_missing.incident = fenliu::domain::IncidentId::parse(unknown).expect("id");
    let mut stolen_id = on_missing.clone();
    stolen_id.id = claim.id;
    on_existing.id = on_missing.id;
    let mut answers = Vec::new();
    for e in [on_existing, on_missing, stolen_id] {
        let (s, mut body) = hub
            .post("/v1/sync", hub.token("gz"), &json!({"events": [e]}))
            .await;
        assert_eq!(s, 200);
        body["results"][0]["id"] = json!("ID");
        body["hub_time"] = json!("T");
        answers.push(serde_json::to_vec(&body["results"]).expect("bytes"));
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[1], answers[2]);
    let text = String::from_utf8_lossy(&answers[0]).to_string();
    assert!(text.contains("unknown_incident"), "{text}");
    assert!(!text.contains("DN-"), "no reference is named: {text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn implausible_times_are_refused_with_a_reason() {
    let hub = TestHub::start(HubConfig::default()).await;
    let two_hours_ago = Utc::now() - TimeDelta::hours(2);
    let (s, item) = hub
        .post(
            "/v1/intake",
            &hub.intake,
            &json!({"source": "110", "source_ref": "110-1", "text": "t", "grid": "g1",
                    "received_at": two_hours_ago.to_rfc3339()}),
        )
        .await;
    assert_eq!(s, 201, "a report taken two hours ago is plausible: {item}");
    let id = fenliu::domain::IncidentId::parse(&id_of(&item)).expect("id");
    let far = chrono::DateTime::parse_from_rfc3339("9999-12-31T00:00:00Z")
        .expect("time")
        .with_timezone(&Utc);
    let mut future = claim_live(id, "dn", "ws1");
    future.occurred_at = far;
    let mut early = claim_live(id, "dn", "ws1");
    early.occurred_at = two_hours_ago - TimeDelta::minutes(1);
    let mut late = claim_live(id, "dn", "ws1");
    late.occurred_at = two_hours_ago + TimeDelta::minutes(1);
    let (_, body) = hub
        .post(
            "/v1/sync",
            hub.token("dn"),
            &json!({"events": [future, early, late]}),
        )
        .await;
    let r = &body["results"];
    assert_eq!(r[0]["code"], "implausible_time", "{body}");
    assert!(
        r[0]["reason"]
            .as_str()
            .expect("reason")
            .contains("ahead of the hub's clock")
    );
    assert_eq!(r[1]["code"], "implausible_time", "{body}");
    assert!(
        r[1]["reason"]
            .as_str()
            .expect("reason")
            .contains("before the item was received")
    );
    assert_eq!(
        r[2]["outcome"], "accepted",
        "a late entry after receipt is fine: {body}"
    );
    let ahead = (Utc::now() + TimeDelta::hours(1)).to_rfc3339();
    for (at, says) in [
        ("1970-01-01T00:00:00Z", "before 2000-01-01"),
        (ahead.as_str(), "ahead"),
    ] {
        let (s, body) = hub
            .post(
                "/v1/intake",
                &hub.intake,
                &json!({"source": "110", "source_ref": at, "text": "t", "grid": "g1", "received_at": at}),
            )
            .await;
        assert_eq!(s, 400, "{body}");
        let message = body["message"].as_str().expect("message");
        assert!(
            message.starts_with("received_at") && message.contains(says),
            "{message}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotating_a_token_ends_its_open_long_poll() {
    let config = HubConfig {
        revocation_check: Duration::from_millis(200),
        ..HubConfig::default()
    };
    let hub = TestHub::start(config).await;
    let poll = hub
        .http
        .get(format!("{}/v1/sync?after=0&wait=25", hub.url))
        .bearer_auth(hub.token("dn"))
        .send();
    let poller = tokio::spawn(poll);
    hub.wait_for_metric("fenliu_hub_long_polls_total 1").await;
    let store = fenliu::hub::store::SqliteHubStore::open_dir(hub.dir.path()).expect("store");
    let fresh = fenliu::hub::admin::rotate_station_token(&store, "dn").expect("rotate");
    drop(store);
    hub.intake_g1("110-1").await;
    let answer = tokio::time::timeout(Duration::from_secs(5), poller)
        .await
        .expect("the poll ended at once, not after its wait")
        .expect("task")
        .expect("answered");
    assert_eq!(answer.status().as_u16(), 401);
    assert_eq!(hub.get("/v1/sync?after=0", hub.token("dn")).await.0, 401);
    let (s, page) = hub.get("/v1/sync?after=0", &fresh).await;
    assert_eq!((s, page["events"].as_array().map(Vec::len)), (200, Some(1)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_address_guessing_tokens_gets_429_and_others_do_not() {
    let hub = TestHub::start(HubConfig::default()).await;
    let guesser = client_from(2);
    let guess = |n: usize| {
        guesser
            .get(format!("{}/v1/sync", hub.url))
            .bearer_auth(format!("fl1.s.dn.{n:064}"))
            .send()
    };
    for n in 0..20 {
        assert_eq!(guess(n).await.expect("send").status().as_u16(), 401);
    }
    let limited = guess(20).await.expect("send");
    assert_eq!(limited.status().as_u16(), 429);
    let wait: u64 = limited
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After in seconds");
    assert!((1..=10).contains(&wait), "{wait}");
    let right_token_same_address = guesser
        .get(format!("{}/v1/sync", hub.url))
        .bearer_auth(hub.token("dn"))
        .send()
        .await
        .expect("send");
    assert_eq!(right_token_same_address.status().as_u16(), 429);
    assert_eq!(
        hub.get("/v1/sync", hub.token("dn")).await.0,
        200,
        "127.0.0.1 is not slowed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_need_a_district_token_or_their_own_address() {
    let hub = TestHub::start(HubConfig::default()).await;
    let metrics = |token: Option<String>| {
        let mut r = hub.http.get(format!("{}/metrics", hub.url));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        async move { r.send().await.expect("send").status().as_u16() }
    };
    assert_eq!(metrics(None).await, 401);
    assert_eq!(metrics(Some(hub.token("dn").into())).await, 403);
    assert_eq!(metrics(Some(hub.district.clone())).await, 200);
    let dir = tempfile::tempdir().expect("dir");
    let store = fenliu::hub::store::SqliteHubStore::open_dir(dir.path()).expect("store");
    let main = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let own = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let own_addr = own.local_addr().expect("addr");
    let listeners = fenliu::hub::Listeners {
        main,
        tls: None,
        metrics: Some(own),
    };
    let running =
        fenliu::hub::RunningHub::start_on(listeners, Arc::new(store), HubConfig::default())
            .expect("start");
    let r = hub
        .http
        .get(format!("http://{own_addr}/metrics"))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 200);
    assert!(
        r.text()
            .await
            .expect("text")
            .contains("fenliu_hub_requests_total")
    );
    let main_metrics = hub
        .http
        .get(format!("{}/metrics", running.url()))
        .send()
        .await
        .expect("send");
    assert_eq!(
        main_metrics.status().as_u16(),
        401,
        "the main address still wants a token"
    );
    running.stop().await.expect("stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_request_leaves_one_line_without_token_phone_or_body() {
    let lines: Arc<Mutex<Vec<RequestLine>>> = Arc::default();
    let sink = lines.clone();
    let config = HubConfig {
        request_log: Arc::new(move |l: &RequestLine| {
            if let Ok(mut v) = sink.lock() {
                v.push(l.clone());
            }
        }),
        ..HubConfig::default()
    };
    let hub = TestHub::start(config).await;
    let (s, item) = hub
        .post(
            "/v1/intake",
            &hub.intake,
            &json!({"source": "110", "source_ref": "110-1", "text": "楼上漏水", "grid": "g1", "phone": "13812341116"}),
        )
        .await;
    assert_eq!(s, 201);
    let path = format!("/v1/incidents/{}", id_of(&item));
    assert_eq!(hub.get(&path, "fl1.s.dn.badbadbad").await.0, 401);
    assert_eq!(hub.get(&path, hub.token("dn")).await.0, 200);
    let lines = lines.lock().expect("lines").clone();
    let shown: Vec<String> = lines.iter().map(ToString::to_string).collect();
    assert_eq!(lines.len(), 3, "{shown:?}");
    let fields = |l: &RequestLine| {
        (
            l.caller.clone(),
            l.method.clone(),
            l.route.clone(),
            l.status,
        )
    };
    assert_eq!(
        fields(&lines[0]),
        ("c110".into(), "POST".into(), "/v1/intake".into(), 201)
    );
    assert_eq!(
        fields(&lines[1]),
        ("-".into(), "GET".into(), "/v1/incidents/{id}".into(), 401)
    );
    assert_eq!(
        fields(&lines[2]),
        ("dn".into(), "GET".into(), "/v1/incidents/{id}".into(), 200)
    );
    for (line, text) in lines.iter().zip(&shown) {
        assert!(line.duration < Duration::from_secs(10));
        assert!(line.peer.ip().is_loopback());
        assert!(text.contains(" caller=") && text.contains(" ms="), "{text}");
        for secret in [
            "13812341116",
            "楼上漏水",
            &hub.intake,
            hub.token("dn"),
            "badbad",
            &id_of(&item),
        ] {
            assert!(!text.contains(secret), "{text} shows {secret}");
        }
    }
}
