//! Flood protection: a token bucket per caller. A caller over its rate gets 429.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// Requests per second a caller may make, with a burst allowance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    pub per_sec: f64,
    pub burst: f64,
}

impl Default for RateLimit {
    fn default() -> Self {
        RateLimit {
            per_sec: 5000.0,
            burst: 10000.0,
        }
    }
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Buckets by caller id.
pub struct Limiter {
    limit: RateLimit,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl Limiter {
    pub fn new(limit: RateLimit) -> Limiter {
        Limiter {
            limit,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `who`; false when the caller is over its rate.
    pub fn allow(&self, who: &str, now: Instant) -> bool {
        let Ok(mut buckets) = self.buckets.lock() else {
            return true;
        };
        let limit = self.limit;
        let bucket = buckets.entry(who.to_string()).or_insert(Bucket {
            tokens: limit.burst,
            at: now,
        });
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * limit.per_sec).min(limit.burst);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_burst_is_allowed_then_refused_then_refilled() {
        let l = Limiter::new(RateLimit {
            per_sec: 10.0,
            burst: 3.0,
        });
        let t = Instant::now();
        assert!((0..3).all(|_| l.allow("a", t)));
        assert!(!l.allow("a", t));
        assert!(l.allow("b", t), "callers have their own buckets");
        assert!(l.allow("a", t + Duration::from_millis(150)));
    }
}
