//! The hub's histograms over real HTTP on 127.0.0.1: request latency by route, method and
//! status, and intake-to-poll delivery, in a well-formed Prometheus text exposition.

mod hubkit;

use fenliu::hub::HubConfig;
use hubkit::TestHub;
use std::collections::HashMap;

/// `/metrics` as the district connector reads it.
async fn exposition(hub: &TestHub) -> String {
    let r = hub
        .http
        .get(format!("{}/metrics", hub.url))
        .bearer_auth(&hub.district)
        .send()
        .await
        .expect("metrics");
    assert_eq!(r.status().as_u16(), 200);
    r.text().await.expect("text")
}

/// Sample lines by their name and labels (`name{labels}`), each value once.
fn samples(text: &str) -> HashMap<String, f64> {
    let mut out = HashMap::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (key, value) = line.rsplit_once(' ').expect("a sample is `key value`");
        let value: f64 = value.parse().unwrap_or_else(|_| panic!("a number: {line}"));
        assert!(
            out.insert(key.to_string(), value).is_none(),
            "one sample per series: {line}"
        );
    }
    out
}

/// A sample line split into its name, its labels (in order) and its value.
fn parse(line: &str) -> (String, Vec<(String, String)>, f64) {
    let (key, value) = line.rsplit_once(' ').expect("a sample is `key value`");
    let value = value.parse().unwrap_or_else(|_| panic!("a number: {line}"));
    let Some((name, rest)) = key.split_once('{') else {
        return (key.to_string(), vec![], value);
    };
    let body = rest.strip_suffix('}').expect("labels end in }");
    let (mut labels, mut chars) = (vec![], body.chars().peekable());
    while chars.peek().is_some() {
        let label: String = chars.by_ref().take_while(|c| *c != '=').collect();
        assert_eq!(chars.next(), Some('"'), "a quoted value: {line}");
        let mut v = String::new();
        while let Some(c) = chars.next() {
            match c {
                '\\' => v.push(chars.next().expect("escaped character")),
                '"' => break,
                c => v.push(c),
            }
        }
        labels.push((label, v));
        if chars.peek() == Some(&',') {
            chars.next();
        }
    }
    (name.to_string(), labels, value)
}

/// Every metric is declared once before its samples; every histogram's buckets rise, end in
/// `+Inf` and agree with its `_count`.
fn check_well_formed(text: &str) {
    let mut kinds: HashMap<String, String> = HashMap::new();
    // (histogram, labels but le) -> (last bucket bound, last bucket count, saw +Inf)
    let mut buckets: HashMap<(String, String), (f64, f64, bool)> = HashMap::new();
    let mut counts: HashMap<(String, String), f64> = HashMap::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').expect("TYPE name kind");
            let again = kinds.insert(name.to_string(), kind.to_string());
            assert!(again.is_none(), "declared twice: {name}");
            continue;
        }
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let (name, labels, value) = parse(line);
        let histogram = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|s| name.strip_suffix(s).map(|b| (b.to_string(), *s)))
            .filter(|(b, _)| kinds.get(b).is_some_and(|k| k == "histogram"));
        let Some((base, part)) = histogram else {
            assert!(kinds.contains_key(&name), "undeclared: {line}");
            continue;
        };
        let series: Vec<String> = labels
            .iter()
            .filter(|(k, _)| k != "le")
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let key = (base, series.join(","));
        match part {
            "_bucket" => {
                let le = labels
                    .iter()
                    .find(|(k, _)| k == "le")
                    .expect("le")
                    .1
                    .clone();
                let bound = if le == "+Inf" {
                    f64::INFINITY
                } else {
                    le.parse().expect("le")
                };
                let (b0, c0, _) = buckets.get(&key).copied().unwrap_or((f64::MIN, 0.0, false));
                assert!(bound > b0 && value >= c0, "buckets rise: {line}");
                buckets.insert(key, (bound, value, le == "+Inf"));
            }
            "_count" => {
                counts.insert(key, value);
            }
            _ => {}
        }
    }
    assert!(!buckets.is_empty(), "some histogram: {text}");
    for (key, (_, top, inf)) in &buckets {
        assert!(inf, "{key:?} ends in +Inf");
        assert_eq!(
            counts.get(key),
            Some(top),
            "{key:?}: the count is the +Inf bucket"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_latency_and_delivery_count_real_requests() {
    let hub = TestHub::start(HubConfig::default()).await;
    let before = samples(&exposition(&hub).await);
    let intake = "fenliu_hub_request_duration_seconds_count{route=\"/v1/intake\",method=\"POST\",status=\"201\"}";
    let delivered = "fenliu_hub_delivery_seconds_count";
    assert_eq!(before.get(intake), None, "no intake answered yet");
    assert_eq!(before.get(delivered), Some(&0.0));

    hub.intake_g1("110-1").await;
    hub.intake_g1("110-2").await;
    let (status, page) = hub.get("/v1/sync?after=0", hub.token("dn")).await;
    assert_eq!(status, 200);
    assert!(!page["events"].as_array().expect("events").is_empty());
    let (status, _) = hub.get("/v1/no-such-thing", hub.token("dn")).await;
    assert_eq!(status, 404);

    let text = exposition(&hub).await;
    check_well_formed(&text);
    let after = samples(&text);
    assert_eq!(after.get(intake), Some(&2.0), "{text}");
    let sync = "fenliu_hub_request_duration_seconds_count{route=\"/v1/sync\",method=\"GET\",status=\"200\"}";
    assert_eq!(after.get(sync), Some(&1.0), "{text}");
    let unmatched =
        "fenliu_hub_request_duration_seconds_count{route=\"-\",method=\"GET\",status=\"404\"}";
    assert_eq!(after.get(unmatched), Some(&1.0), "{text}");
    assert!(
        !text.contains("no-such-thing"),
        "only route patterns become labels"
    );
    // Both intakes were handed to the station's poll, each well within the last bucket.
    assert_eq!(after.get(delivered), Some(&2.0), "{text}");
    assert_eq!(
        after.get("fenliu_hub_delivery_seconds_bucket{le=\"3600\"}"),
        Some(&2.0),
        "{text}"
    );
    // The counters stay beside the histograms.
    assert_eq!(after.get("fenliu_hub_intake_created_total"), Some(&2.0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_metrics_request_itself_is_timed_on_its_route() {
    let hub = TestHub::start(HubConfig::default()).await;
    exposition(&hub).await;
    let text = exposition(&hub).await;
    check_well_formed(&text);
    let key = "fenliu_hub_request_duration_seconds_count{route=\"/metrics\",method=\"GET\",status=\"200\"}";
    assert_eq!(samples(&text).get(key), Some(&1.0), "{text}");
}

/// The metric names a PromQL expression reads.
fn names_in(expr: &str) -> Vec<String> {
    let mut names = vec![];
    let mut rest = expr;
    while let Some(at) = rest.find("fenliu_") {
        let tail = &rest[at..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        names.push(tail[..end].to_string());
        rest = &tail[end..];
    }
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_reads_only_metrics_the_hub_exposes() {
    let text = std::fs::read_to_string("assets/grafana-fenliu-hub.json").expect("dashboard");
    let dashboard: serde_json::Value = serde_json::from_str(&text).expect("dashboard JSON");
    let panels = dashboard["panels"].as_array().expect("panels");
    let hub = TestHub::start(HubConfig::default()).await;
    hub.intake_g1("110-1").await;
    let exposed = samples(&exposition(&hub).await);
    let series_named = |name: &str| exposed.keys().any(|k| k.split('{').next() == Some(name));
    let mut read = 0;
    for panel in panels {
        for target in panel["targets"].as_array().expect("targets") {
            let expr = target["expr"].as_str().expect("expr");
            let names = names_in(expr);
            assert!(!names.is_empty(), "{expr}");
            for name in names {
                assert!(
                    series_named(&name),
                    "{}: no {name} at /metrics",
                    panel["title"]
                );
                read += 1;
            }
        }
    }
    assert!(read >= 10, "the dashboard reads the hub's metrics");
    for name in [
        "fenliu_hub_request_duration_seconds_bucket",
        "fenliu_hub_delivery_seconds_bucket",
    ] {
        assert!(text.contains(name), "the dashboard shows {name}");
    }
}
