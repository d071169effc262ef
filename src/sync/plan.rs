//! Pure decisions of the sync: how long to back off, how far the clocks disagree, and how a push
//! answer splits into what the store records.

use crate::domain::EventId;
use crate::protocol::PushOutcome;
use chrono::{DateTime, TimeDelta, Utc};
use std::time::Duration;

/// Clock skew above this is shown as a warning.
pub const SKEW_WARNING: TimeDelta = TimeDelta::seconds(5);

/// Delay before retry number `attempt` (0-based): doubling from 500 ms up to 30 s, scaled by
/// `jitter` in [0, 1) into the upper half so that consoles do not retry in step.
pub fn backoff(attempt: u32, jitter: f64) -> Duration {
    let base_ms = 500u64.saturating_mul(1u64 << attempt.min(6)).min(30_000);
    let factor = 0.5 + 0.5 * jitter.clamp(0.0, 1.0);
    Duration::from_millis((base_ms as f64 * factor) as u64)
}

/// How far the hub's clock is ahead of ours (negative: behind), taking the hub's time as read
/// at the middle of the round trip.
pub fn skew(sent: DateTime<Utc>, received: DateTime<Utc>, hub_time: DateTime<Utc>) -> TimeDelta {
    let middle = sent + (received - sent) / 2;
    hub_time - middle
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
    fn backoff_doubles_to_a_ceiling_and_stays_jittered() {
        assert_eq!(backoff(0, 0.0), Duration::from_millis(250));
        assert_eq!(backoff(0, 0.999_999), Duration::from_millis(499));
        assert_eq!(backoff(3, 1.0), Duration::from_millis(4000));
        assert_eq!(backoff(40, 1.0), Duration::from_secs(30));
        assert!(backoff(40, 0.0) >= Duration::from_secs(15));
    }

    #[test]
    fn skew_uses_the_middle_of_the_round_trip() {
        let t = DateTime::from_timestamp(1_800_000_000, 0).expect("time");
        let s = skew(t, t + TimeDelta::seconds(2), t + TimeDelta::seconds(7));
        assert_eq!(s, TimeDelta::seconds(6));
        assert!(skew_is_large(s));
        assert!(!skew_is_large(TimeDelta::seconds(-5)));
        assert!(skew_is_large(TimeDelta::seconds(-6)));
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
