//! Flood protection: a token bucket per caller (a caller over its rate gets 429), and a window of
//! failed authentications per address (an address that keeps guessing gets 429 with Retry-After).

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

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

/// How many failed authentications an address may make in a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailLimit {
    pub max: usize,
    pub window: Duration,
}

impl Default for FailLimit {
    fn default() -> Self {
        FailLimit {
            max: 20,
            window: Duration::from_secs(10),
        }
    }
}

/// Addresses kept at most; beyond, those with no failure in the window are forgotten.
const MAX_ADDRESSES: usize = 10_000;

/// Failed authentications by address.
pub struct Failures {
    limit: FailLimit,
    by_address: Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
}

impl Failures {
    pub fn new(limit: FailLimit) -> Failures {
        Failures {
            limit,
            by_address: Mutex::new(HashMap::new()),
        }
    }

    /// How long `ip` must wait, when it already failed `max` times in the window.
    pub fn blocked(&self, ip: IpAddr, now: Instant) -> Option<Duration> {
        let mut map = self.by_address.lock().ok()?;
        let window = self.limit.window;
        let seen = map.get_mut(&ip)?;
        while seen
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= window)
        {
            seen.pop_front();
        }
        if seen.len() < self.limit.max {
            return None;
        }
        let oldest = *seen.front()?;
        Some((oldest + window).saturating_duration_since(now))
    }

    /// Counts one failure of `ip`.
    pub fn record(&self, ip: IpAddr, now: Instant) {
        let Ok(mut map) = self.by_address.lock() else {
            return;
        };
        let window = self.limit.window;
        if map.len() >= MAX_ADDRESSES && !map.contains_key(&ip) {
            map.retain(|_, seen| {
                seen.back()
                    .is_some_and(|t| now.saturating_duration_since(*t) < window)
            });
        }
        let seen = map.entry(ip).or_default();
        seen.push_back(now);
        while seen.len() > self.limit.max {
            seen.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_over_its_failures_waits_until_the_window_frees() {
        let f = Failures::new(FailLimit {
            max: 3,
            window: Duration::from_secs(10),
        });
        let a: IpAddr = [127, 0, 0, 2].into();
        let b: IpAddr = [127, 0, 0, 3].into();
        let t = Instant::now();
        for i in 0..3 {
            assert_eq!(f.blocked(a, t), None, "failure {i} is still allowed");
            f.record(a, t + Duration::from_secs(i));
        }
        assert_eq!(
            f.blocked(a, t + Duration::from_secs(4)),
            Some(Duration::from_secs(6))
        );
        assert_eq!(f.blocked(b, t), None, "other addresses are not affected");
        assert_eq!(f.blocked(a, t + Duration::from_secs(10)), None);
    }

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
