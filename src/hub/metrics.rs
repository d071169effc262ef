//! Counters for `GET /metrics`, in the Prometheus text format.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

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
        out
    }
}
