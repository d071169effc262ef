//! The SLA engine: a pure function of the incident, the policy and `now` that says where every
//! clock stands. Nothing here reads the time.

use super::duration::Span;
use super::incident::Incident;
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

/// Limits for every clock (defaults: Wenling's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlaPolicy {
    pub claim: Span,
    pub contact: Span,
    pub video: Span,
    pub depart: Span,
    pub arrive: Span,
    pub feedback: Span,
    /// A running clock turns to warning when less than this share of its limit is left.
    pub warn_share: f64,
    /// Escalation ladder (三周三级): unresolved this long after receipt reaches level 1, 2, 3, 4.
    pub ladder: Vec<Span>,
}

impl Default for SlaPolicy {
    fn default() -> Self {
        let m = |n| Span(TimeDelta::minutes(n));
        let d = |n| Span(TimeDelta::days(n));
        SlaPolicy {
            claim: m(1),
            contact: m(3),
            video: m(5),
            depart: m(3),
            arrive: m(20),
            feedback: Span(TimeDelta::hours(8)),
            warn_share: 0.25,
            ladder: vec![d(7), d(14), d(21), d(28)],
        }
    }
}

/// The clocks of DESIGN §3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockName {
    /// 签收 — from receipt (or the end of a night hold) to claim.
    Claim,
    /// 联系当事人 — from claim.
    Contact,
    /// 调取监控 — from claim.
    Video,
    /// 出发 — from dispatch.
    Depart,
    /// 到场 — from dispatch.
    Arrive,
    /// 反馈 — from dispatch; the category's completion limit replaces the default.
    Feedback,
}

impl ClockName {
    /// Every clock in the order they usually run.
    pub const ALL: [ClockName; 6] = [
        ClockName::Claim,
        ClockName::Contact,
        ClockName::Video,
        ClockName::Depart,
        ClockName::Arrive,
        ClockName::Feedback,
    ];

    /// The snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            ClockName::Claim => "claim",
            ClockName::Contact => "contact",
            ClockName::Video => "video",
            ClockName::Depart => "depart",
            ClockName::Arrive => "arrive",
            ClockName::Feedback => "feedback",
        }
    }
}

/// Where one clock stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ClockState {
    /// Not started yet (or held until a later start).
    Pending,
    /// Running with plenty of time left.
    Running { remaining_secs: i64 },
    /// Running with less than the warning share left.
    Warning { remaining_secs: i64 },
    /// Past its deadline and still not done.
    Breached { over_secs: i64 },
    /// Done in time.
    Met { at: DateTime<Utc> },
    /// Done late, or the item ended late without it.
    Missed { at: DateTime<Utc>, over_secs: i64 },
    /// The item left the station's hands before this clock was due.
    Stopped { at: DateTime<Utc> },
}

impl ClockState {
    /// Still ticking (running, warning or breached).
    pub fn is_live(&self) -> bool {
        matches!(
            self,
            ClockState::Running { .. } | ClockState::Warning { .. } | ClockState::Breached { .. }
        )
    }
}

/// One clock of one incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clock {
    pub name: ClockName,
    pub limit_secs: i64,
    pub started_at: Option<DateTime<Utc>>,
    pub deadline: Option<DateTime<Utc>>,
    #[serde(flatten)]
    pub state: ClockState,
}

/// Every clock of the incident at `now`.
pub fn clocks(incident: &Incident, policy: &SlaPolicy, now: DateTime<Utc>) -> Vec<Clock> {
    ClockName::ALL
        .into_iter()
        .map(|name| clock(incident, policy, name, now))
        .collect()
}

/// One clock of the incident at `now`.
pub fn clock(
    incident: &Incident,
    policy: &SlaPolicy,
    name: ClockName,
    now: DateTime<Utc>,
) -> Clock {
    let claimed = incident.claimed_at;
    let dispatched = incident.dispatched_at;
    let (start, done, limit) = match name {
        ClockName::Claim => {
            let start = match incident.deferred_until {
                Some(until) if until > incident.received_at => until,
                _ => incident.received_at,
            };
            (Some(start), claimed, policy.claim.0)
        }
        ClockName::Contact => (claimed, incident.contacted_at, policy.contact.0),
        ClockName::Video => (claimed, incident.video_at, policy.video.0),
        ClockName::Depart => (
            incident.reassigned_at.or(dispatched),
            incident.departed_at.or(incident.arrived_at),
            policy.depart.0,
        ),
        ClockName::Arrive => (
            incident.reassigned_at.or(dispatched),
            incident.arrived_at,
            policy.arrive.0,
        ),
        ClockName::Feedback => {
            let limit = incident
                .triage
                .as_ref()
                .and_then(|t| t.completion_limit_secs)
                .filter(|secs| *secs > 0)
                .map(TimeDelta::seconds)
                .unwrap_or(policy.feedback.0);
            (dispatched, incident.feedback.as_ref().map(|f| f.at), limit)
        }
    };
    let deadline = start.map(|s| s + limit);
    let state = match (start, deadline) {
        (Some(start), Some(deadline)) => state_of(
            start,
            deadline,
            done,
            incident.ended_at,
            limit,
            policy.warn_share,
            now,
        ),
        _ => ClockState::Pending,
    };
    Clock {
        name,
        limit_secs: limit.num_seconds(),
        started_at: start,
        deadline,
        state,
    }
}

fn state_of(
    start: DateTime<Utc>,
    deadline: DateTime<Utc>,
    done: Option<DateTime<Utc>>,
    ended: Option<DateTime<Utc>>,
    limit: TimeDelta,
    warn_share: f64,
    now: DateTime<Utc>,
) -> ClockState {
    if let Some(at) = done {
        return if at <= deadline {
            ClockState::Met { at }
        } else {
            ClockState::Missed {
                at,
                over_secs: (at - deadline).num_seconds(),
            }
        };
    }
    if let Some(at) = ended {
        return if at > deadline {
            ClockState::Missed {
                at,
                over_secs: (at - deadline).num_seconds(),
            }
        } else {
            ClockState::Stopped { at }
        };
    }
    if now < start {
        return ClockState::Pending;
    }
    if now > deadline {
        return ClockState::Breached {
            over_secs: (now - deadline).num_seconds(),
        };
    }
    let remaining = deadline - now;
    let warn_below = limit.num_milliseconds() as f64 * warn_share;
    if (remaining.num_milliseconds() as f64) < warn_below {
        ClockState::Warning {
            remaining_secs: remaining.num_seconds(),
        }
    } else {
        ClockState::Running {
            remaining_secs: remaining.num_seconds(),
        }
    }
}

/// The live clock with the earliest deadline: what the queue counts down and sorts by.
/// Breached clocks have the earliest deadlines, so they come first.
pub fn next_deadline(incident: &Incident, policy: &SlaPolicy, now: DateTime<Utc>) -> Option<Clock> {
    clocks(incident, policy, now)
        .into_iter()
        .filter(|c| c.state.is_live())
        .min_by_key(|c| c.deadline)
}

/// The escalation level (督办) of an item at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Escalation {
    /// The higher of the ladder's level and the level set by hand.
    pub level: u8,
    /// What the ladder alone says.
    pub ladder_level: u8,
    /// When the ladder reaches the next level, if it still can.
    pub next_at: Option<DateTime<Utc>>,
}

/// Where the escalation ladder stands for the item at `now`. An ended item stops climbing.
pub fn escalation(incident: &Incident, policy: &SlaPolicy, now: DateTime<Utc>) -> Escalation {
    let at = incident.ended_at.map_or(now, |ended| ended.min(now));
    let mut ladder_level = 0u8;
    let mut next_at = None;
    for step in &policy.ladder {
        let reached = incident.received_at + step.0;
        if at >= reached {
            ladder_level = ladder_level.saturating_add(1);
        } else {
            if incident.ended_at.is_none() {
                next_at = Some(reached);
            }
            break;
        }
    }
    Escalation {
        level: ladder_level.max(incident.escalation_level),
        ladder_level,
        next_at,
    }
}
