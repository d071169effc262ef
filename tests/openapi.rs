//! The OpenAPI document of `/v1`: public, complete, and built from the wire types.

mod hubkit;

use fenliu::hub::HubConfig;
use fenliu::hub::gate::role_of;
use fenliu::protocol::{PROTOCOL_VERSION, VERSION_HEADER};
use hubkit::TestHub;
use serde_json::Value;

async fn document(hub: &TestHub) -> Value {
    let r = hub
        .http
        .get(format!("{}/v1/openapi.json", hub.url))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status().as_u16(), 200, "the document needs no token");
    assert_eq!(
        r.headers()
            .get(VERSION_HEADER)
            .and_then(|v| v.to_str().ok()),
        Some(PROTOCOL_VERSION)
    );
    r.json().await.expect("json")
}

#[tokio::test]
async fn every_route_is_documented_with_its_token() {
    let hub = TestHub::start(HubConfig::default()).await;
    let doc = document(&hub).await;
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    assert_eq!(doc["info"]["version"], PROTOCOL_VERSION);
    let mut paths: Vec<&str> = doc["paths"]
        .as_object()
        .expect("paths")
        .keys()
        .map(String::as_str)
        .collect();
    paths.sort();
    let mut routes = vec![
        "/healthz",
        "/v1/incidents/{id}",
        "/v1/intake",
        "/v1/openapi.json",
        "/v1/police/ack",
        "/v1/police/feed",
        "/v1/report",
        "/v1/stats",
        "/v1/sync",
        "/v1/sync/heads",
    ];
    routes.sort();
    assert_eq!(paths, routes);
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("operations") {
            let secured = op["security"]
                .as_array()
                .is_some_and(|s| s.iter().any(|r| r.get("token").is_some()));
            assert_eq!(
                secured,
                role_of(path).is_some(),
                "{method} {path}: the document and the gate disagree about its token"
            );
            let responses = op["responses"].as_object().expect("responses");
            if secured {
                for status in ["401", "403", "429"] {
                    assert!(
                        responses.contains_key(status),
                        "{method} {path} lacks {status}"
                    );
                }
            }
        }
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["token"]["scheme"],
        "bearer"
    );
}

#[tokio::test]
async fn schemas_follow_the_wire_types() {
    let hub = TestHub::start(HubConfig::default()).await;
    let doc = document(&hub).await;
    let schemas = &doc["components"]["schemas"];
    let intake = &schemas["IntakeRequest"];
    let mut required: Vec<&str> = intake["required"]
        .as_array()
        .expect("required")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    required.sort();
    assert_eq!(required, ["source", "source_ref", "text"]);
    assert_eq!(intake["additionalProperties"], false);
    let sources = intake["properties"]["source"]["enum"]
        .as_array()
        .expect("source codes");
    assert_eq!(sources.len(), fenliu::domain::Source::ALL.len());
    assert!(sources.contains(&Value::from("12345")));
    let response = &schemas["IntakeResponse"]["properties"];
    assert!(
        response.get("ref").is_some(),
        "the field's wire name: {response}"
    );
    for name in [
        "SyncPage",
        "PushResponse",
        "PoliceFeed",
        "Stats",
        "HeadsPage",
        "ErrorBody",
    ] {
        assert!(schemas.get(name).is_some(), "{name} missing");
    }
    // An answer of the hub carries what its schema requires.
    let body = hub.intake_g1("110-openapi").await;
    for field in schemas["IntakeResponse"]["required"]
        .as_array()
        .expect("required")
    {
        let field = field.as_str().expect("name");
        assert!(body.get(field).is_some(), "{field} missing from {body}");
    }
}

#[tokio::test]
async fn max_wait_caps_a_long_poll() {
    // The contract run asks for long waits; `hub serve --max-wait 1` keeps each one short.
    let config = HubConfig {
        max_wait: std::time::Duration::from_secs(1),
        ..HubConfig::default()
    };
    let hub = TestHub::start(config).await;
    let token = hub.token("dn").to_string();
    let r = hub
        .http
        .get(format!("{}/v1/sync?after=0&wait=30", hub.url))
        .bearer_auth(&token)
        .timeout(std::time::Duration::from_secs(15))
        .send()
        .await
        .expect("the poll answers long before its asked-for 30 s");
    assert_eq!(r.status().as_u16(), 200);
    let page: Value = r.json().await.expect("json");
    assert_eq!(page["events"], serde_json::json!([]));
}
