//! The hub's rules, pure: whether a station's pushed event is accepted, a duplicate or refused,
//! and what an intake records (reference, events, triage, repeat-call link). A backend gathers
//! the state named here, asks, and persists the answer; it decides nothing itself.

use crate::domain::{Actor, Event, EventId, EventKind, Incident, IncidentId, Priority, Received};
use crate::hub::times;
use crate::protocol::RejectCode;
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

/// How far back an intake looks for an earlier call from the same phone or place.
pub const REPEAT_WINDOW: TimeDelta = TimeDelta::hours(24);

/// What the store knows about the item a pushed event names.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ItemState {
    /// The event's id is already recorded: its sequence and the station it belongs to.
    pub known: Option<(i64, String)>,
    /// The stored item, whichever station it belongs to.
    pub incident: Option<Incident>,
    /// Prefix of the pushing station's hub references, when the station is known.
    pub prefix: Option<String>,
    /// The reference a `received` event brings is already used by another of the station's items.
    pub reference_taken: bool,
    /// Who made the claim the item holds, when it holds one.
    pub claimed_by: Option<Actor>,
}

/// The hub's answer to one pushed event.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Record the event. `incident` is the item after it (none for a station event); `new` says
    /// it is inserted rather than updated; `police` says it joins the police feed.
    Accept {
        incident: Option<Box<Incident>>,
        new: bool,
        police: bool,
    },
    /// Already recorded at `seq`.
    Duplicate { seq: i64 },
    /// Refused, with the reason told to the console.
    Reject { code: RejectCode, reason: String },
}

fn reject(code: RejectCode, reason: impl Into<String>) -> Verdict {
    Verdict::Reject {
        code,
        reason: reason.into(),
    }
}

fn unknown() -> Verdict {
    reject(
        RejectCode::UnknownIncident,
        "the hub has no such item for this station",
    )
}

/// Whether `event` is about the station itself (mode, shift note, sampling) rather than an item.
pub fn is_station_event(event: &Event) -> bool {
    event.kind.is_station() || event.incident == crate::domain::station::STATION_ITEM
}

/// Decides one event pushed by `station` at the hub's time `now`. Another station's item is
/// answered exactly like an item the hub does not have.
pub fn decide_push(station: &str, state: ItemState, event: &Event, now: DateTime<Utc>) -> Verdict {
    if let Some((seq, owner)) = state.known {
        return if owner == station {
            Verdict::Duplicate { seq }
        } else {
            unknown()
        };
    }
    if event.actor.station != station {
        return reject(
            RejectCode::NotYourStation,
            format!(
                "the event says station {}, but the token is station {station}'s",
                event.actor.station
            ),
        );
    }
    if is_station_event(event) {
        if let Err(reason) = times::check_event(event, None, now) {
            return reject(RejectCode::ImplausibleTime, reason);
        }
        if let Err(why) = crate::domain::station::check(event) {
            return reject(RejectCode::IllegalTransition, why.to_string());
        }
        return Verdict::Accept {
            incident: None,
            new: false,
            police: false,
        };
    }
    let received = match &state.incident {
        Some(i) if i.station == station => Some(i.received_at),
        _ => None,
    };
    if let Err(reason) = times::check_event(event, received, now) {
        return reject(RejectCode::ImplausibleTime, reason);
    }
    let police = matches!(event.kind, EventKind::TransferredToPolice { .. });
    match (state.incident, &event.kind) {
        (None, EventKind::Received(r)) => {
            if r.station != station {
                return reject(
                    RejectCode::NotYourStation,
                    format!(
                        "a station may only create its own items, not {}'s",
                        r.station
                    ),
                );
            }
            if state
                .prefix
                .as_deref()
                .is_some_and(|p| is_hub_numbering(p, &r.reference))
            {
                return reject(
                    RejectCode::ReservedReference,
                    format!(
                        "reference {} is in the hub's own numbering; a workstation numbers its items with its own prefix",
                        r.reference
                    ),
                );
            }
            if state.reference_taken {
                return reject(
                    RejectCode::DuplicateReference,
                    format!("reference {} is already used by another item", r.reference),
                );
            }
            match Incident::from_received(event) {
                Ok(i) => Verdict::Accept {
                    incident: Some(Box::new(i)),
                    new: true,
                    police,
                },
                Err(e) => reject(RejectCode::IllegalTransition, e.to_string()),
            }
        }
        (None, _) => unknown(),
        (Some(i), _) if i.station != station => unknown(),
        (Some(mut i), _) => match i.apply(event) {
            Ok(_) => Verdict::Accept {
                incident: Some(Box::new(i)),
                new: false,
                police,
            },
            Err(_) if matches!(event.kind, EventKind::Claimed) && i.claimed_at.is_some() => {
                let by = match &state.claimed_by {
                    Some(a) => format!(
                        "{} ({})",
                        crate::command::words::workstation(&a.device),
                        a.operator
                    ),
                    None => "另一工作站".into(),
                };
                reject(
                    RejectCode::AlreadyClaimed,
                    format!("{} 已被 {by} 签收", i.reference),
                )
            }
            Err(e) => reject(RejectCode::IllegalTransition, e.to_string()),
        },
    }
}

/// Whether deciding `event` needs to know if its reference is taken (a new item's first event).
pub fn needs_reference_check(event: &Event, incident: Option<&Incident>) -> bool {
    incident.is_none() && matches!(event.kind, EventKind::Received(_))
}

/// Whether deciding `event` needs to know who holds the item's claim.
pub fn needs_claimer(event: &Event, incident: Option<&Incident>) -> bool {
    matches!(event.kind, EventKind::Claimed) && incident.is_some_and(|i| i.claimed_at.is_some())
}

/// Whether `reference` is in the hub's own numbering for a station with `prefix`
/// (`{prefix}-YYYYMMDD-NNNN`): only the hub hands those out.
pub fn is_hub_numbering(prefix: &str, reference: &str) -> bool {
    let Some(rest) = reference
        .strip_prefix(prefix)
        .and_then(|r| r.strip_prefix('-'))
    else {
        return false;
    };
    let Some((day, number)) = rest.split_once('-') else {
        return false;
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    day.len() == 8 && digits(day) && digits(number)
}

/// The hub's reference number `number` of `day` for a station with `prefix`.
pub fn hub_reference(prefix: &str, day: NaiveDate, number: u32) -> String {
    format!("{prefix}-{}-{number:04}", day.format("%Y%m%d"))
}

/// What a new intake records.
#[derive(Debug, Clone, PartialEq)]
pub struct IntakePlan {
    pub id: IncidentId,
    pub reference: String,
    /// The events to record, in order: received, then triaged when there is a decision.
    pub events: Vec<Event>,
    /// The item after those events.
    pub incident: Incident,
}

/// What an intake needs besides its request: where it goes and what the hub knows.
pub struct IntakeInput<'a> {
    pub request: &'a crate::protocol::IntakeRequest,
    pub station: &'a str,
    pub triage: Option<&'a crate::domain::TriageDecision>,
    pub actor: &'a Actor,
    pub now: DateTime<Utc>,
    /// The reference the station's counter gave (one no item of the station uses).
    pub reference: String,
    /// The station's items received within [`REPEAT_WINDOW`] before `now`, oldest first.
    pub recent: &'a [Incident],
    /// Whether the item is a drill.
    pub drill: bool,
}

/// Plans a new intake: its received event (with the repeat-call link the console's intake
/// planner finds among `recent`) and its triage.
pub fn plan_intake(input: IntakeInput<'_>) -> Result<IntakePlan, String> {
    let req = input.request;
    let id = IncidentId::v7_at(input.now);
    let repeat_of = crate::intake::repeat_among(
        input.recent,
        req.phone.as_deref(),
        req.address.as_deref(),
        input.now,
        REPEAT_WINDOW,
    );
    let received = Received {
        reference: input.reference.clone(),
        station: input.station.to_string(),
        source: req.source,
        source_ref: Some(req.source_ref.clone()),
        text: req.text.clone(),
        address: req.address.clone(),
        grid: req.grid.clone(),
        community: req.community.clone(),
        phone: req.phone.clone(),
        priority: req
            .priority
            .or(input.triage.map(|d| d.priority))
            .unwrap_or(Priority::Normal),
        drill: input.drill,
        repeat_of,
    };
    let make = |kind| Event {
        id: EventId::v7_at(input.now),
        incident: id,
        actor: input.actor.clone(),
        occurred_at: input.now,
        recorded_at: input.now,
        kind,
    };
    let first = make(EventKind::Received(received));
    let mut incident = Incident::from_received(&first).map_err(|e| e.to_string())?;
    let mut events = vec![first];
    if let Some(decision) = input.triage {
        let triaged = make(EventKind::Triaged(decision.clone()));
        if incident.apply(&triaged).is_ok() {
            events.push(triaged);
        }
    }
    Ok(IntakePlan {
        id,
        reference: input.reference,
        events,
        incident,
    })
}

#[cfg(test)]
#[path = "decide_tests.rs"]
mod tests;
