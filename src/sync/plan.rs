//! Pure decisions of the sync: how long to back off, how far the clocks disagree, and how a push
//! answer splits into what the store records.

use crate::domain::EventId;
use crate::protocol::PushOutcome;
use chrono::{DateTime, TimeDelta, Utc};
use std::time::Duration;

/// Clock skew above this is shown as a warning.
pub const SKEW_WARNING: TimeDelta = TimeDelta::seconds(5);

/// The longest wait between retries: a hub that comes back is noticed within this.
pub const BACKOFF_CAP: Duration = Duration::from_secs(2);

/// Delay before retry number `attempt` (0-based): doubling from 500 ms up to [`BACKOFF_CAP`],
/// scaled by `jitter` in [0, 1) into the upper half so that consoles do not retry in step.
pub fn backoff(attempt: u32, jitter: f64) -> Duration {
    let cap = BACKOFF_CAP.as_millis() as u64;
    let base_ms = 500u64.saturating_mul(1u64 << attempt.min(6)).min(cap);
    let factor = 0.5 + 0.5 * jitter.clamp(0.0, 1.0);
    Duration::from_millis((base_ms as f64 * factor) as u64)
}

/// How far the hub's clock is ahead of ours (negative: behind): the smallest offset that
/// agrees with the exchange. The hub read its clock somewhere between `sent` and `received` —
/// a long poll may have waited at the hub most of that time — so any offset in
/// `[hub_time - received, hub_time - sent]` fits, and one clock on one host reads 0.
pub fn skew(sent: DateTime<Utc>, received: DateTime<Utc>, hub_time: DateTime<Utc>) -> TimeDelta {
    let (low, high) = (hub_time - received.max(sent), hub_time - sent);
    if low > TimeDelta::zero() {
        low
    } else if high < TimeDelta::zero() {
        high
    } else {
        TimeDelta::zero()
    }
}

/// The skew after another exchange, given the one measured before: kept while the exchange
/// agrees with it (a long poll that waited at the hub says little), else the new smallest
/// offset.
pub fn refine(
    previous: Option<TimeDelta>,
    sent: DateTime<Utc>,
    received: DateTime<Utc>,
    hub_time: DateTime<Utc>,
) -> TimeDelta {
    let (low, high) = (hub_time - received.max(sent), hub_time - sent);
    match previous {
        Some(p) if low <= p && p <= high => p,
        _ => skew(sent, received, hub_time),
    }
}

/// Whether a skew deserves a warning.
pub fn skew_is_large(skew: TimeDelta) -> bool {
    skew.abs() > SKEW_WARNING
}

/// A push answer as the store records it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Settlement {
    /// Accepted now or earlier, with the hub's sequence number.
    pub accepted: Vec<(EventId, i64)>,
    pub duplicates: usize,
    /// Refused, with the reason for the officer.
    pub rejected: Vec<(EventId, String)>,
}

/// Splits the hub's outcomes.
pub fn settle(outcomes: &[PushOutcome]) -> Settlement {
    let mut s = Settlement::default();
    for o in outcomes {
        match o {
            PushOutcome::Accepted { id, seq } => s.accepted.push((*id, *seq)),
            PushOutcome::Duplicate { id, seq } => {
                s.accepted.push((*id, *seq));
                s.duplicates += 1;
            }
            PushOutcome::Rejected { id, reason, .. } => s.rejected.push((*id, reason.clone())),
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::RejectCode;

    #[test]
    fn backoff_doubles_to_a_two_second_ceiling_and_stays_jittered() {
        assert_eq!(backoff(0, 0.0), Duration::from_millis(250));
        assert_eq!(backoff(0, 0.999_999), Duration::from_millis(499));
        assert_eq!(backoff(1, 1.0), Duration::from_millis(1000));
        assert_eq!(backoff(3, 1.0), BACKOFF_CAP);
        assert_eq!(backoff(40, 1.0), BACKOFF_CAP);
        assert!(backoff(40, 0.0) >= Duration::from_secs(1));
    }

    /// A hub away for 10 s, retried on an injected clock: the first retry after its return
    /// comes within 2 s, whatever the jitter.
    #[test]
    fn a_hub_that_returns_after_ten_seconds_is_noticed_within_two() {
        let back = Duration::from_secs(10);
        for jitter in [0.0, 0.37, 0.999] {
            let mut clock = Duration::ZERO;
            let mut attempt = 0;
            while clock < back {
                clock += backoff(attempt, jitter);
                attempt += 1;
            }
            assert!(clock - back <= BACKOFF_CAP, "jitter {jitter}: {clock:?}");
        }
    }

    fn at(secs: f64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).expect("time")
            + TimeDelta::milliseconds((secs * 1000.0) as i64)
    }

    /// A fixed hub offset of 0 s, 3 s and 8 s, read over a quick exchange and over a long
    /// poll that waited 25 s at the hub. A hub behind by less than the wait cannot be told
    /// from one that answered early, so a long poll shows it as 0; the quick exchanges
    /// (pushes, pulls that do not wait) measure it.
    #[test]
    fn skew_is_the_smallest_offset_the_exchange_allows() {
        for (offset, warned) in [(0.0, false), (3.0, false), (8.0, true), (-8.0, true)] {
            let quick = skew(at(0.0), at(0.02), at(0.01 + offset));
            let long = skew(at(0.0), at(25.02), at(25.01 + offset));
            let both = if offset >= 0.0 {
                vec![quick, long]
            } else {
                vec![quick]
            };
            for s in both {
                let ms = s.num_milliseconds() as f64;
                assert!((ms - offset * 1000.0).abs() <= 20.0, "{offset}: {ms}");
                assert_eq!(skew_is_large(s), warned, "{offset}");
            }
        }
        assert_eq!(skew(at(0.0), at(25.0), at(12.5)), TimeDelta::zero());
    }

    #[test]
    fn a_long_poll_keeps_the_skew_a_quick_exchange_measured() {
        let behind = skew(at(0.0), at(0.02), at(0.01 - 8.0));
        assert!(skew_is_large(behind));
        let kept = refine(Some(behind), at(1.0), at(26.0), at(25.9 - 8.0));
        assert_eq!(kept, behind);
        let fixed = refine(Some(behind), at(30.0), at(30.02), at(30.01));
        assert_eq!(fixed, TimeDelta::zero(), "a corrected clock clears it");
    }

    /// The demo's clock runs 20 times fast on both sides: a long poll of 25 s real time spans
    /// 500 s on that clock and still shows no skew.
    #[test]
    fn a_scaled_clock_shared_with_the_hub_shows_no_skew() {
        let clock = crate::clock::ScaledClock::started_at(at(0.0), at(0.0), 20.0);
        let (sent, hub, received) = (clock.at(at(1.0)), clock.at(at(26.0)), clock.at(at(26.01)));
        assert_eq!(skew(sent, received, hub), TimeDelta::zero());
        assert!(!skew_is_large(skew(sent, received, hub)));
    }

    #[test]
    fn settle_splits_outcomes() {
        let t = DateTime::from_timestamp(1_800_000_000, 0).expect("time");
        let (a, b, c) = (EventId::v7_at(t), EventId::v7_at(t), EventId::v7_at(t));
        let s = settle(&[
            PushOutcome::Accepted { id: a, seq: 3 },
            PushOutcome::Duplicate { id: b, seq: 2 },
            PushOutcome::Rejected {
                id: c,
                code: RejectCode::AlreadyClaimed,
                reason: "已被 1 工作站签收".into(),
            },
        ]);
        assert_eq!(s.accepted, vec![(a, 3), (b, 2)]);
        assert_eq!(s.duplicates, 1);
        assert_eq!(s.rejected, vec![(c, "已被 1 工作站签收".to_string())]);
    }
}
