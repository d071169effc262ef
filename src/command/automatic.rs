//! What the station's rules record by themselves, with no officer acting: the night hold of a
//! non-urgent item received inside the night window (夜间留存), and each step of the escalation
//! ladder an unresolved item reaches (三周三级, then 市级挂牌督办).
//!
//! Every such event is fully determined by the item and the rule: its id comes from (item, rule,
//! level), its times are the moment the rule took hold, its actor is the station's own rules. So
//! the same event worked out by two workstations or by the hub is one event, byte for byte.

use crate::domain::lifecycle::MAX_ESCALATION;
use crate::domain::night::NightWindow;
use crate::domain::{Actor, Event, EventId, EventKind, Incident, Priority, SlaPolicy, Status};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

/// The operator named on events the rules record (系统).
pub const RULES_OPERATOR: &str = "系统";
/// The device named on events the rules record.
pub const RULES_DEVICE: &str = "rules";

/// The id of the event rule `rule` (with `level`) records on `incident`: the same everywhere.
pub fn derived_id(incident: &Incident, rule: &str, level: u8) -> EventId {
    let mut h = Sha256::new();
    h.update(incident.id.0.as_bytes());
    h.update(rule.as_bytes());
    h.update([level]);
    let digest = h.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    EventId(uuid::Builder::from_custom_bytes(bytes).into_uuid())
}

fn rules_event(
    incident: &Incident,
    rule: &str,
    level: u8,
    at: DateTime<Utc>,
    kind: EventKind,
) -> Event {
    Event {
        id: derived_id(incident, rule, level),
        incident: incident.id,
        actor: Actor {
            operator: RULES_OPERATOR.into(),
            station: incident.station.clone(),
            device: RULES_DEVICE.into(),
        },
        occurred_at: at,
        recorded_at: at,
        kind,
    }
}

/// The night hold due on `incident`, if any: a non-urgent item, still unclaimed and never held,
/// received inside the night window, is held from its receipt until the window ends. Urgent and
/// normal items never are.
pub fn night_hold(incident: &Incident, night: &NightWindow) -> Option<Event> {
    let due = incident.status == Status::New
        && incident.priority == Priority::NonUrgent
        && incident.claimed_at.is_none()
        && incident.deferred_until.is_none()
        && night.contains(incident.received_at);
    due.then(|| {
        let until = night.end_after(incident.received_at);
        rules_event(
            incident,
            "night-hold",
            0,
            incident.received_at,
            EventKind::Deferred { until },
        )
    })
}

/// The escalation steps `incident` has reached by `now` and not yet recorded, lowest first: each
/// at the moment the ladder reached it. An item that left the station's hands stops climbing.
pub fn escalations(incident: &Incident, policy: &SlaPolicy, now: DateTime<Utc>) -> Vec<Event> {
    if incident.status.is_terminal() {
        return Vec::new();
    }
    policy
        .ladder
        .iter()
        .zip(1..=MAX_ESCALATION)
        .map(|(step, level)| (incident.received_at + step.0, level))
        .filter(|(at, level)| *at <= now && *level > incident.escalation_level)
        .map(|(at, level)| {
            rules_event(
                incident,
                "ladder",
                level,
                at,
                EventKind::Escalated { level },
            )
        })
        .collect()
}

/// Everything the rules record on `incident` at `now`, in order; each is allowed by the lifecycle
/// after the ones before it.
pub fn due(
    incident: &Incident,
    policy: &SlaPolicy,
    night: &NightWindow,
    now: DateTime<Utc>,
) -> Vec<Event> {
    let mut copy = incident.clone();
    let mut out = Vec::new();
    let hold = night_hold(&copy, night).filter(|e| e.occurred_at <= now);
    for event in hold.into_iter().chain(escalations(incident, policy, now)) {
        if copy.apply(&event).is_ok() {
            out.push(event);
        }
    }
    out
}
