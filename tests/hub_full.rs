//! The hub on a full disk: 503 with a plain message and `Retry-After`, never 500 "stored data is
//! damaged", and everything acknowledged before is still there.

mod hubkit;

use fenliu::hub::HubConfig;
use hubkit::TestHub;
use serde_json::json;

/// Most intakes tried before the capped database must have filled up.
const TRIES: usize = 400;

#[tokio::test]
async fn a_full_disk_answers_503_with_retry_after_and_loses_nothing() {
    let hub = TestHub::start_capped(HubConfig::default(), Some(48)).await;
    let text = "楼上装修噪音扰民，已经持续很久，".repeat(30);
    let mut acknowledged = Vec::new();
    let mut refusal = None;
    for n in 0..TRIES {
        let r = hub
            .http
            .post(format!("{}/v1/intake", hub.url))
            .bearer_auth(&hub.intake)
            .json(&json!({"source": "110", "source_ref": format!("full-{n}"), "text": text, "grid": "g1"}))
            .send()
            .await
            .expect("request");
        if r.status().as_u16() == 201 {
            let body: serde_json::Value = r.json().await.expect("json");
            acknowledged.push(body["id"].as_str().expect("id").to_string());
            continue;
        }
        let status = r.status().as_u16();
        let retry = r
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body: serde_json::Value = r.json().await.expect("json error body");
        refusal = Some((status, retry, body));
        break;
    }
    let (status, retry, body) = refusal.expect("the capped database filled up");
    assert_eq!(status, 503, "{body}");
    assert_eq!(retry.as_deref(), Some("30"));
    assert_eq!(body["error"], "storage_unavailable");
    let message = body["message"].as_str().expect("message");
    assert!(message.contains("disk is full"), "{message}");
    assert!(
        message.contains("nothing recorded before is lost"),
        "{message}"
    );
    assert!(!message.contains("damaged"), "{message}");
    assert!(
        acknowledged.len() >= 5,
        "{} taken in first",
        acknowledged.len()
    );

    let (status, body) = hub
        .post("/v1/sync", hub.token("dn"), &json!({"events": []}))
        .await;
    assert_eq!(status, 200, "an empty push writes nothing: {body}");

    let mut kept = Vec::new();
    let mut after = 0;
    loop {
        let (status, page) = hub
            .get(&format!("/v1/sync?after={after}"), hub.token("dn"))
            .await;
        assert_eq!(status, 200, "reads still work on a full disk: {page}");
        for e in page["events"].as_array().expect("events") {
            if e["event"]["kind"]["type"] == "received" {
                kept.push(e["event"]["incident"].as_str().expect("id").to_string());
            }
        }
        after = page["last_seq"].as_i64().expect("last_seq");
        if page["more"] != true {
            break;
        }
    }
    assert_eq!(kept, acknowledged, "every acknowledged item is kept, once");
}
