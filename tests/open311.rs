//! Open311 GeoReport v2 on the hub, over real HTTP on loopback: the spec's example requests,
//! adapted to this responsibility list's service codes.

mod hubkit;

use chrono::Utc;
use fenliu::domain::{Actor, Channel, Event, EventId, EventKind, FeedbackResult, IncidentId};
use fenliu::hub::store::{HubStore, Role, SqliteHubStore};
use fenliu::hub::{HubConfig, RunningHub, admin};
use fenliu::protocol::PushRequest;
use serde_json::{Value, json};
use std::sync::Arc;

/// A hub with stations `dn` (grid g1) and `gz` (grid g2), two intake connectors and the
/// embedded classifier.
struct Hub {
    _dir: tempfile::TempDir,
    _hub: RunningHub,
    url: String,
    intake: String,
    other: String,
    dn: String,
    http: reqwest::Client,
}

async fn hub() -> Hub {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteHubStore::open_dir(dir.path()).expect("store");
    let dn = admin::add_station(&store, &hubkit::station("dn", "DN")).expect("station");
    admin::add_station(&store, &hubkit::station("gz", "GZ")).expect("station");
    admin::add_route(&store, "dn", Some("g1"), Some("c1")).expect("route");
    admin::add_route(&store, "gz", Some("g2"), None).expect("route");
    let intake = admin::add_connector(&store, "c12345", Role::Intake).expect("connector");
    let other = admin::add_connector(&store, "c-other", Role::Intake).expect("connector");
    let classifier = Arc::new(fenliu::triage::Classifier::embedded().expect("classifier"));
    let config = HubConfig {
        list: Arc::new(classifier.list().clone()),
        classifier: Arc::new(move |t: &str| Some(classifier.classify(t))),
        ..HubConfig::default()
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let store: Arc<dyn HubStore> = Arc::new(store);
    let hub = RunningHub::start(listener, store, config).expect("start");
    Hub {
        _dir: dir,
        url: hub.url(),
        _hub: hub,
        intake,
        other,
        dn,
        http: reqwest::Client::new(),
    }
}

impl Hub {
    async fn post(&self, form: &[(&str, &str)]) -> (u16, Value) {
        let r = self
            .http
            .post(format!("{}/open311/v2/requests.json", self.url))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(
                form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(form)
                    .finish(),
            )
            .send()
            .await
            .expect("post");
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        let r = self
            .http
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .expect("get");
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }

    async fn station_get(&self, path: &str) -> Value {
        let r = self
            .http
            .get(format!("{}{path}", self.url))
            .bearer_auth(&self.dn)
            .send()
            .await
            .expect("get");
        assert_eq!(r.status().as_u16(), 200);
        r.json().await.expect("json")
    }
}

/// The spec's example POST (a sinkhole), with this list's code for it and a grid to route on.
fn sinkhole<'a>(api_key: &'a str, own_id: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("api_key", api_key),
        ("jurisdiction_id", "city.gov"),
        ("service_code", "X5"),
        ("lat", "31.2765"),
        ("long", "121.4543"),
        ("address_string", "广中路123弄"),
        ("email", "smit333@sfgov.edu"),
        ("device_id", "tt222111"),
        ("account_id", "123456"),
        ("first_name", "john"),
        ("last_name", "smith"),
        ("phone", "13812341116"),
        ("description", "路面出现大坑，正在塌陷，车辆无法通行"),
        ("media_url", "http://media.example.com/asdf456"),
        ("attribute[grid]", "g1"),
        ("attribute[source_ref]", own_id),
    ]
}

fn the_id(body: &Value) -> String {
    body[0]["service_request_id"]
        .as_str()
        .unwrap_or_else(|| panic!("no service_request_id in {body}"))
        .to_string()
}

#[tokio::test]
async fn services_are_the_responsibility_list() {
    let h = hub().await;
    let (status, body) = h.get("/open311/v2/services.json").await;
    assert_eq!(status, 200);
    let list = fenliu::triage::parse(fenliu::triage::EMBEDDED_LIST).expect("list");
    let services = body.as_array().expect("an array");
    let codes: Vec<&str> = services
        .iter()
        .map(|s| s["service_code"].as_str().expect("code"))
        .collect();
    let listed: Vec<&str> = list.categories.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(codes, listed);
    let x5 = &services[listed.iter().position(|c| *c == "X5").expect("X5")];
    assert_eq!(x5["service_name"], "道路塌陷");
    assert_eq!(x5["group"], "非警务类");
    assert_eq!(x5["type"], "realtime");
    assert_eq!(x5["metadata"], false);
    let (status, body) = h.get("/open311/v2/services/X5.json").await;
    assert_eq!((status, &body["service_code"]), (200, &json!("X5")));
    let (status, body) = h.get("/open311/v2/services/Z9.json").await;
    assert_eq!(status, 404);
    assert_eq!(body[0]["code"], 404, "{body}");
    // The spec's XML form too.
    let text = |path: &'static str| {
        let http = h.http.clone();
        let url = format!("{}{path}", h.url);
        async move {
            let r = http.get(url).send().await.expect("get");
            (r.status().as_u16(), r.text().await.expect("text"))
        }
    };
    let (status, xml) = text("/open311/v2/services.xml").await;
    assert_eq!(status, 200);
    assert_eq!(xml.matches("<service>").count(), listed.len());
    assert!(xml.contains("<service_code>X5</service_code><service_name>道路塌陷</service_name>"));
    let (status, xml) = text("/open311/v2/services/X5.xml").await;
    assert_eq!(status, 200);
    assert!(xml.contains("<service_definition><service_code>X5</service_code>"));
    let (status, xml) = text("/open311/v2/services/Z9.xml").await;
    assert_eq!(status, 404);
    assert!(xml.contains("<errors><error><code>404</code>"), "{xml}");
}

#[tokio::test]
async fn the_spec_example_post_is_taken_in_like_v1_intake() {
    let h = hub().await;
    let (status, body) = h.post(&sinkhole(&h.intake, "sr-1")).await;
    assert_eq!(status, 201, "{body}");
    let id = the_id(&body);
    assert!(
        body[0]["service_notice"]
            .as_str()
            .is_some_and(|n| n.contains("DN-")),
        "{body}"
    );
    // The station of grid g1 sees it, as a /v1 intake for g1 would reach it.
    let seen = h.station_get(&format!("/v1/incidents/{id}")).await;
    let incident = &seen["incident"];
    assert_eq!(incident["station"], "dn");
    assert_eq!(incident["source"], "12345");
    assert_eq!(incident["address"], "广中路123弄");
    assert_eq!(incident["triage"]["category"], "X5", "{incident}");
    assert_eq!(seen["events"][0]["event"]["actor"]["operator"], "c12345");
    // The same caller's id again: the same item, 200.
    let (status, again) = h.post(&sinkhole(&h.intake, "sr-1")).await;
    assert_eq!((status, the_id(&again)), (200, id.clone()));
    // Without an id of its own, each post is a new item.
    let mut form = sinkhole(&h.intake, "");
    form.retain(|(k, _)| *k != "attribute[source_ref]");
    let (status, fresh) = h.post(&form).await;
    assert_eq!(status, 201);
    assert_ne!(the_id(&fresh), id);
}

#[tokio::test]
async fn the_service_code_is_a_hint_and_a_red_flag_wins() {
    let h = hub().await;
    let post = |code: &'static str, text: &'static str, own: &'static str| {
        let key = h.intake.clone();
        let h = &h;
        async move {
            let form = [
                ("api_key", key.as_str()),
                ("service_code", code),
                ("description", text),
                ("attribute[grid]", "g1"),
                ("attribute[source_ref]", own),
            ];
            let (status, body) = h.post(&form).await;
            assert_eq!(status, 201, "{body}");
            let seen = h
                .station_get(&format!("/v1/incidents/{}", the_id(&body)))
                .await;
            seen["incident"]["triage"].clone()
        }
    };
    // The description says nothing the list knows: the caller's code fills in.
    let vague = post("N6", "反映一个情况，具体见附件", "h1").await;
    assert_eq!(vague["category"], "N6", "{vague}");
    // The description says more than the code: triage on the description stands.
    let noise = post("N6", "楼上装修噪音一直到深夜，吵得睡不着", "h2").await;
    assert_ne!(noise["category"], "N6", "{noise}");
    // A red flag keeps the item with the police whatever the caller called it.
    let knife = post("E1", "邻居拿着刀在楼道里追着人砍", "h3").await;
    assert_ne!(knife["class"], "nonpolice", "{knife}");
    assert_ne!(knife["category"], "E1", "{knife}");
}

fn event(incident: IncidentId, kind: EventKind) -> Event {
    let at = Utc::now();
    Event {
        id: EventId::v7_at(at),
        incident,
        actor: Actor {
            operator: "王磊".into(),
            station: "dn".into(),
            device: "ws1".into(),
        },
        occurred_at: at,
        recorded_at: at,
        kind,
    }
}

#[tokio::test]
async fn status_reads_closed_after_the_station_closes_it() {
    let h = hub().await;
    let (_, body) = h.post(&sinkhole(&h.intake, "sr-close")).await;
    let id = the_id(&body);
    let (status, read) = h.get(&format!("/open311/v2/requests/{id}.json")).await;
    assert_eq!(
        (status, &read[0]["status"]),
        (200, &json!("open")),
        "{read}"
    );
    let incident = IncidentId::parse(&id).expect("uuid");
    let events = vec![
        event(incident, EventKind::Claimed),
        event(
            incident,
            EventKind::Dispatched {
                responders: vec!["张网格".into()],
                channel: Channel::Radio,
            },
        ),
        event(
            incident,
            EventKind::FeedbackGiven {
                result: FeedbackResult::Resolved,
                text: Some("已设置围挡并修复".into()),
            },
        ),
        event(incident, EventKind::Verified { note: None }),
        event(incident, EventKind::Closed),
    ];
    let r = h
        .http
        .post(format!("{}/v1/sync", h.url))
        .bearer_auth(&h.dn)
        .json(&PushRequest { events, head: None })
        .send()
        .await
        .expect("push");
    let pushed: Value = r.json().await.expect("json");
    assert!(
        pushed["results"]
            .as_array()
            .is_some_and(|r| r.iter().all(|o| o["outcome"] == "accepted")),
        "{pushed}"
    );
    let (_, read) = h.get(&format!("/open311/v2/requests/{id}.json")).await;
    assert_eq!(read[0]["status"], "closed", "{read}");
    // The spec's list example: closed ones in a date range.
    let today = Utc::now();
    let start = (today - chrono::TimeDelta::days(1)).to_rfc3339();
    let end = (today + chrono::TimeDelta::days(1)).to_rfc3339();
    let q = |status: &str| {
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("start_date", &start)
            .append_pair("end_date", &end)
            .append_pair("status", status)
            .finish();
        format!("/open311/v2/requests.json?{query}")
    };
    let (status, closed) = h.get(&q("closed")).await;
    assert_eq!(status, 200, "{closed}");
    assert_eq!(closed.as_array().map(Vec::len), Some(1), "{closed}");
    let (_, open) = h.get(&q("open")).await;
    assert_eq!(open, json!([]));
    // With the poster's key the notes tell the outcome.
    let (_, mine) = h
        .get(&format!(
            "/open311/v2/requests/{id}.json?api_key={}",
            h.intake
        ))
        .await;
    assert!(
        mine[0]["status_notes"]
            .as_str()
            .is_some_and(|n| n.contains("结案") && n.contains("已设置围挡")),
        "{mine}"
    );
}

#[tokio::test]
async fn reads_without_the_posters_key_show_only_public_fields() {
    let h = hub().await;
    let (_, body) = h.post(&sinkhole(&h.intake, "sr-read")).await;
    let id = the_id(&body);
    let public = [
        "service_request_id",
        "status",
        "service_code",
        "agency_responsible",
        "requested_datetime",
        "updated_datetime",
    ];
    let keys = |v: &Value| -> Vec<String> {
        let mut k: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
        k.sort();
        k
    };
    let mut want: Vec<String> = public.iter().map(|s| s.to_string()).collect();
    want.sort();
    for path in [
        format!("/open311/v2/requests/{id}.json"),
        format!("/open311/v2/requests/{id}.json?api_key={}", h.other),
        format!("/open311/v2/requests.json?service_request_id={id}"),
    ] {
        let (status, read) = h.get(&path).await;
        assert_eq!(status, 200, "{path}: {read}");
        assert_eq!(keys(&read[0]), want, "{path}: {read}");
        assert!(!read.to_string().contains("13812341116"));
    }
    let (_, read) = h.get(&format!("/open311/v2/requests/{id}.json")).await;
    assert_eq!(read[0]["service_code"], "X5");
    assert!(
        read[0]["requested_datetime"]
            .as_str()
            .is_some_and(|t| t.ends_with("+08:00")),
        "{read}"
    );
    let (_, mine) = h
        .get(&format!(
            "/open311/v2/requests/{id}.json?api_key={}",
            h.intake
        ))
        .await;
    assert_eq!(
        mine[0]["description"],
        "路面出现大坑，正在塌陷，车辆无法通行"
    );
    assert_eq!(mine[0]["address"], "广中路123弄");
    assert!(!mine.to_string().contains("13812341116"), "{mine}");
    // Items that did not come in through Open311 are not Open311's to show.
    let r = h
        .http
        .post(format!("{}/v1/intake", h.url))
        .bearer_auth(&h.intake)
        .json(&json!({"source": "110", "source_ref": "110-9", "text": "噪音扰民", "grid": "g1"}))
        .send()
        .await
        .expect("intake");
    let v1: Value = r.json().await.expect("json");
    let (status, _) = h
        .get(&format!(
            "/open311/v2/requests/{}.json",
            v1["id"].as_str().expect("id")
        ))
        .await;
    assert_eq!(status, 404);
}

/// A form, the status it gets and a word its description holds.
type Case<'a> = (Vec<(&'a str, &'a str)>, u16, &'a str);

#[tokio::test]
async fn errors_come_in_the_spec_format() {
    let h = hub().await;
    let station_key = h.dn.clone();
    let cases: Vec<Case> = vec![
        (sinkhole("nonsense", "e1"), 403, "api_key"),
        (sinkhole(&station_key, "e2"), 403, "intake"),
        (
            vec![
                ("service_code", "X5"),
                ("description", "d"),
                ("address_id", "1"),
            ],
            403,
            "api_key",
        ),
        (
            vec![
                ("api_key", &h.intake),
                ("service_code", "Q1"),
                ("description", "d"),
                ("attribute[grid]", "g1"),
            ],
            400,
            "service_code",
        ),
        (
            vec![
                ("api_key", &h.intake),
                ("service_code", "X5"),
                ("attribute[grid]", "g1"),
            ],
            400,
            "description",
        ),
        (
            vec![
                ("api_key", &h.intake),
                ("service_code", "X5"),
                ("description", "d"),
                ("attribute[grid]", "g9"),
            ],
            400,
            "g9",
        ),
        (
            vec![
                ("api_key", &h.intake),
                ("service_code", "X5"),
                ("description", "d"),
                ("attribute[grid]", "g1"),
                ("phone", "call me"),
            ],
            400,
            "phone",
        ),
    ];
    for (form, code, says) in cases {
        let (status, body) = h.post(&form).await;
        assert_eq!(status, code, "{form:?}: {body}");
        assert_eq!(body[0]["code"], code, "{body}");
        assert!(
            body[0]["description"]
                .as_str()
                .is_some_and(|d| d.contains(says)),
            "{form:?}: {body}"
        );
    }
    let (status, body) = h.get("/open311/v2/requests/nothing.json").await;
    assert_eq!((status, &body[0]["code"]), (404, &json!(404)), "{body}");
    let missing = IncidentId::v7_at(Utc::now());
    let (status, _) = h.get(&format!("/open311/v2/requests/{missing}.json")).await;
    assert_eq!(status, 404);
    let (status, body) = h
        .get("/open311/v2/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z")
        .await;
    assert_eq!((status, &body[0]["code"]), (400, &json!(400)), "{body}");
    let (status, _) = h.get("/open311/v2/requests.json?status=pending").await;
    assert_eq!(status, 400);
    let (status, body) = h.get("/open311/v2/requests.json?api_key=nonsense").await;
    assert_eq!((status, &body[0]["code"]), (403, &json!(403)), "{body}");
    let r = h
        .http
        .delete(format!("{}/open311/v2/requests.json", h.url))
        .send()
        .await
        .expect("delete");
    assert_eq!(r.status().as_u16(), 405);
    let body: Value = r.json().await.expect("a JSON error");
    assert_eq!(body[0]["code"], 405, "{body}");
    // A JSON body is not what the spec posts.
    let r = h
        .http
        .post(format!("{}/open311/v2/requests.json", h.url))
        .json(&json!({"api_key": h.intake}))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status().as_u16(), 400);
    // Over the same size limit as /v1.
    let big = "大".repeat(400_000);
    let form = [
        ("api_key", h.intake.as_str()),
        ("description", big.as_str()),
    ];
    let (status, body) = h.post(&form).await;
    assert_eq!((status, &body[0]["code"]), (413, &json!(413)), "{body}");
}
