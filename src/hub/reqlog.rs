//! One line per request: time, caller, peer, method, route, status and duration. Never a token,
//! a phone number or a body: the route is the matched pattern, not the path asked for.

use chrono::{DateTime, SecondsFormat, Utc};
use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// What the hub records of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestLine {
    pub at: DateTime<Utc>,
    /// The authenticated caller's id, or `-`.
    pub caller: String,
    pub peer: SocketAddr,
    pub method: String,
    /// The route pattern (`/v1/incidents/{id}`), or `-` when none matched.
    pub route: String,
    pub status: u16,
    pub duration: Duration,
}

impl RequestLine {
    /// Everything but the time (the log's own timestamp stands in front).
    pub fn fields(&self) -> String {
        format!(
            "request caller={} peer={} method={} route={} status={} ms={:.1}",
            self.caller,
            self.peer.ip(),
            self.method,
            self.route,
            self.status,
            self.duration.as_secs_f64() * 1000.0
        )
    }
}

impl fmt::Display for RequestLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}",
            self.at.to_rfc3339_opts(SecondsFormat::Millis, true),
            self.fields()
        )
    }
}

/// Where request lines go.
pub type RequestLog = Arc<dyn Fn(&RequestLine) + Send + Sync>;

/// The default: an `info` event of target `fenliu::hub::request`.
pub fn to_tracing() -> RequestLog {
    Arc::new(|line: &RequestLine| {
        tracing::info!(target: "fenliu::hub::request", "{}", line.fields());
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_names_every_field() {
        let line = RequestLine {
            at: DateTime::from_timestamp(1_800_000_000, 0).expect("time"),
            caller: "dn".into(),
            peer: SocketAddr::from(([127, 0, 0, 1], 5000)),
            method: "GET".into(),
            route: "/v1/sync".into(),
            status: 200,
            duration: Duration::from_micros(2500),
        };
        assert_eq!(
            line.to_string(),
            "2027-01-15T08:00:00.000Z request caller=dn peer=127.0.0.1 method=GET route=/v1/sync status=200 ms=2.5"
        );
    }
}
