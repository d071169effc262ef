//! Counters, gauges and histograms for `GET /metrics`, in the Prometheus text format.

use crate::domain::EventKind;
use crate::protocol::SeqEvent;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds (seconds) of the request-latency buckets: from a cached read to a long-poll
/// that waited its full 30 s.
pub const LATENCY_BUCKETS: [f64; 15] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
];

/// Upper bounds (seconds) of the intake-to-poll delivery buckets: from a console already
/// waiting to one that catches up after an hour away.
pub const DELIVERY_BUCKETS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 60.0, 300.0, 3600.0,
];

/// What the hub counts.
#[derive(Debug, Default)]
pub struct Metrics {
    pub requests: AtomicU64,
    pub client_errors: AtomicU64,
    pub server_errors: AtomicU64,
    pub rate_limited: AtomicU64,
    pub intake_created: AtomicU64,
    pub intake_repeated: AtomicU64,
    pub push_accepted: AtomicU64,
    pub push_duplicate: AtomicU64,
    pub push_rejected: AtomicU64,
    pub long_polls: AtomicU64,
    /// Requests being answered now (a gauge).
    pub in_flight: AtomicU64,
    /// How long answers took, by route, method and status.
    pub latency: Latencies,
    /// From the hub's record of an intake to a station's poll that hands it over.
    pub delivery: Histogram,
}

/// The delivery histogram's buckets, for [`Metrics::default`].
impl Default for Histogram {
    fn default() -> Self {
        Histogram::new(&DELIVERY_BUCKETS)
    }
}

impl Metrics {
    /// Adds one to a counter.
    pub fn inc(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// The exposition text, with the last sequence number and the open connections as gauges.
    pub fn render(&self, last_seq: i64, connections: usize) -> String {
        let mut out = String::new();
        let counters: [(&str, &str, &AtomicU64); 10] = [
            (
                "fenliu_hub_requests_total",
                "HTTP requests answered",
                &self.requests,
            ),
            (
                "fenliu_hub_client_errors_total",
                "4xx answers",
                &self.client_errors,
            ),
            (
                "fenliu_hub_server_errors_total",
                "5xx answers",
                &self.server_errors,
            ),
            (
                "fenliu_hub_rate_limited_total",
                "429 answers",
                &self.rate_limited,
            ),
            (
                "fenliu_hub_intake_created_total",
                "new items taken in",
                &self.intake_created,
            ),
            (
                "fenliu_hub_intake_repeated_total",
                "intakes of a known source number",
                &self.intake_repeated,
            ),
            (
                "fenliu_hub_push_accepted_total",
                "pushed events accepted",
                &self.push_accepted,
            ),
            (
                "fenliu_hub_push_duplicate_total",
                "pushed events already accepted",
                &self.push_duplicate,
            ),
            (
                "fenliu_hub_push_rejected_total",
                "pushed events rejected",
                &self.push_rejected,
            ),
            (
                "fenliu_hub_long_polls_total",
                "sync and feed polls served",
                &self.long_polls,
            ),
        ];
        for (name, help, c) in counters {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
                c.load(Ordering::Relaxed)
            );
        }
        let in_flight = self.in_flight.load(Ordering::Relaxed);
        let gauges: [(&str, &str, String); 3] = [
            (
                "fenliu_hub_last_seq",
                "highest event sequence committed",
                last_seq.to_string(),
            ),
            (
                "fenliu_hub_connections_open",
                "connections open now",
                connections.to_string(),
            ),
            (
                "fenliu_hub_requests_in_flight",
                "requests being answered now, this one included",
                in_flight.to_string(),
            ),
        ];
        for (name, help, value) in gauges {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}"
            );
        }
        self.latency.render(&mut out);
        let name = "fenliu_hub_delivery_seconds";
        let _ = writeln!(
            out,
            "# HELP {name} from the hub's record of an intake to the station poll that hands it over\n# TYPE {name} histogram"
        );
        self.delivery.render(&mut out, name, "");
        out
    }

    /// Observes the delivery of every intake among `events`, handed to a station poll at `now`.
    pub fn delivered(&self, events: &[SeqEvent], now: DateTime<Utc>) {
        for e in events {
            if matches!(e.event.kind, EventKind::Received(_)) && e.event.actor.device == "hub" {
                let waited = (now - e.event.recorded_at).to_std().unwrap_or_default();
                self.delivery.observe(waited);
            }
        }
    }
}

/// Counts of observations by bucket, their sum and their number.
#[derive(Debug)]
pub struct Histogram {
    bounds: &'static [f64],
    /// One per bound and one above the last, not cumulative.
    counts: Vec<AtomicU64>,
    sum_micros: AtomicU64,
    count: AtomicU64,
}

impl Histogram {
    /// An empty histogram over `bounds` (ascending, in seconds).
    pub fn new(bounds: &'static [f64]) -> Histogram {
        Histogram {
            bounds,
            counts: (0..=bounds.len()).map(|_| AtomicU64::new(0)).collect(),
            sum_micros: AtomicU64::new(0),
            count: AtomicU64::new(0),
        }
    }

    /// Counts one observation.
    pub fn observe(&self, value: Duration) {
        let secs = value.as_secs_f64();
        let bucket = self
            .bounds
            .iter()
            .position(|b| secs <= *b)
            .unwrap_or(self.bounds.len());
        self.counts[bucket].fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(value.as_micros()).unwrap_or(u64::MAX);
        self.sum_micros.fetch_add(micros, Ordering::Relaxed);
        self.count.fetch_add(1, Ordering::Relaxed);
    }

    /// The `_bucket`, `_sum` and `_count` lines of `name`, with `labels` (`k="v",` each) first.
    fn render(&self, out: &mut String, name: &str, labels: &str) {
        let mut cumulative = 0;
        for (i, c) in self.counts.iter().enumerate() {
            cumulative += c.load(Ordering::Relaxed);
            let le = self
                .bounds
                .get(i)
                .map_or_else(|| "+Inf".to_string(), |b| b.to_string());
            let _ = writeln!(out, "{name}_bucket{{{labels}le=\"{le}\"}} {cumulative}");
        }
        let sum = self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let inner = labels.trim_end_matches(',');
        let braces = if inner.is_empty() {
            String::new()
        } else {
            format!("{{{inner}}}")
        };
        // The count is the +Inf bucket's, so that the lines agree even while requests land.
        let _ = writeln!(
            out,
            "{name}_sum{braces} {sum}\n{name}_count{braces} {cumulative}"
        );
    }
}

/// Request latencies, one histogram per route, method and status.
#[derive(Debug, Default)]
pub struct Latencies {
    by: RwLock<BTreeMap<(String, &'static str, u16), Histogram>>,
}

impl Latencies {
    /// Counts one answer. `route` is the matched pattern (or `-`), never the path asked for,
    /// and methods other than GET and POST count as `other`, so the series stay few.
    pub fn observe(&self, route: &str, method: &axum::http::Method, status: u16, took: Duration) {
        let method = match *method {
            axum::http::Method::GET => "GET",
            axum::http::Method::POST => "POST",
            _ => "other",
        };
        let key = (route.to_string(), method, status);
        if let Ok(by) = self.by.read()
            && let Some(h) = by.get(&key)
        {
            h.observe(took);
            return;
        }
        if let Ok(mut by) = self.by.write() {
            by.entry(key)
                .or_insert_with(|| Histogram::new(&LATENCY_BUCKETS))
                .observe(took);
        }
    }

    fn render(&self, out: &mut String) {
        let name = "fenliu_hub_request_duration_seconds";
        let _ = writeln!(
            out,
            "# HELP {name} time to answer a request, by route, method and status\n# TYPE {name} histogram"
        );
        let Ok(by) = self.by.read() else { return };
        for ((route, method, status), h) in by.iter() {
            let labels = format!(
                "route=\"{}\",method=\"{method}\",status=\"{status}\",",
                escape(route)
            );
            h.render(out, name, &labels);
        }
    }
}

/// A label value as the text format wants it.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_cumulative_and_end_in_the_count() {
        let h = Histogram::new(&LATENCY_BUCKETS);
        for ms in [0, 3, 3, 40, 70_000] {
            h.observe(Duration::from_millis(ms));
        }
        let mut out = String::new();
        h.render(&mut out, "x", "a=\"b\",");
        assert!(out.contains("x_bucket{a=\"b\",le=\"0.001\"} 1\n"), "{out}");
        assert!(out.contains("x_bucket{a=\"b\",le=\"0.005\"} 3\n"), "{out}");
        assert!(out.contains("x_bucket{a=\"b\",le=\"60\"} 4\n"), "{out}");
        assert!(out.contains("x_bucket{a=\"b\",le=\"+Inf\"} 5\n"), "{out}");
        assert!(
            out.contains("x_sum{a=\"b\"} 70.046\nx_count{a=\"b\"} 5\n"),
            "{out}"
        );
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
