//! The lifecycle: `apply` folds one event into an incident or says why it cannot.
//! The console predicts with it and the hub validates with it: there is no second copy.

use super::event::{Event, EventKind};
use super::incident::{Callback, Feedback, Incident, Status};
use super::taxonomy::Priority;
use thiserror::Error;

/// Highest escalation level (市级挂牌督办).
pub const MAX_ESCALATION: u8 = 4;

/// Why an event cannot be applied. Nothing is changed when this is returned.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TransitionError {
    #[error("{reference} is {status}: cannot {action} it")]
    NotAllowed {
        reference: String,
        status: Status,
        action: &'static str,
    },
    #[error("the first event of an item must be `received`, not `{0}`")]
    NotReceivedFirst(&'static str),
    #[error("{0} has already been received")]
    AlreadyReceived(String),
    #[error("event belongs to another item than {0}")]
    WrongIncident(String),
    #[error("{reference}: {action} is dated before the item was received")]
    BeforeReceived {
        reference: String,
        action: &'static str,
    },
    #[error("{reference}: dispatch needs at least one responder")]
    NoResponders { reference: String },
    #[error("{reference}: responder {responder} was not dispatched to it")]
    NotDispatchedResponder {
        reference: String,
        responder: String,
    },
    #[error("{reference} has not been verified: verify it before closing")]
    NotVerified { reference: String },
    #[error("{reference} is already verified")]
    AlreadyVerified { reference: String },
    #[error("{reference} is {priority:?}: only non-urgent items are held overnight")]
    DeferUrgent {
        reference: String,
        priority: Priority,
    },
    #[error("{reference}: defer must hold until a later time")]
    DeferUntilPast { reference: String },
    #[error(
        "{reference}: escalation level {requested} is not above the current {current} (max {MAX_ESCALATION})"
    )]
    EscalationLevel {
        reference: String,
        requested: u8,
        current: u8,
    },
    #[error("{reference}: a note cannot be empty")]
    EmptyNote { reference: String },
    #[error("{reference}: an item cannot be merged into itself")]
    MergeIntoSelf { reference: String },
    #[error("{reference}: reassign to {responder}, who is already on it")]
    ReassignToSame {
        reference: String,
        responder: String,
    },
    #[error("{reference}: a reassignment needs a reason")]
    NoReason { reference: String },
}

impl Incident {
    /// Starts an incident from its `received` event.
    pub fn from_received(event: &Event) -> Result<Incident, TransitionError> {
        let EventKind::Received(r) = &event.kind else {
            return Err(TransitionError::NotReceivedFirst(event.kind.name()));
        };
        Ok(Incident {
            id: event.incident,
            reference: r.reference.clone(),
            station: r.station.clone(),
            source: r.source,
            source_ref: r.source_ref.clone(),
            text: r.text.clone(),
            address: r.address.clone(),
            grid: r.grid.clone(),
            community: r.community.clone(),
            phone: r.phone.clone(),
            priority: r.priority,
            drill: r.drill,
            repeat_of: r.repeat_of.clone(),
            status: Status::New,
            received_at: event.occurred_at,
            triage: None,
            claimed_at: None,
            claimed_by: None,
            claimed_on: None,
            deferred_until: None,
            round: 0,
            dispatched_at: None,
            reassigned_at: None,
            responders: Vec::new(),
            channel: None,
            contacted_at: None,
            video_at: None,
            departed_at: None,
            arrived_at: None,
            feedback: None,
            verified_at: None,
            closed_at: None,
            callback: None,
            return_reason: None,
            merged_into: None,
            ended_at: None,
            escalation_level: 0,
            version: 1,
            updated_at: event.occurred_at,
        })
    }

    /// Folds a whole history; the first event must be `received`.
    pub fn fold<'a>(events: impl IntoIterator<Item = &'a Event>) -> Result<Incident, FoldError> {
        let mut iter = events.into_iter();
        let first = iter.next().ok_or(FoldError::Empty)?;
        let mut incident = Incident::from_received(first)?;
        for event in iter {
            incident.apply(event)?;
        }
        Ok(incident)
    }

    /// Applies one event, or returns why it is illegal and leaves the incident unchanged.
    pub fn apply(&mut self, event: &Event) -> Result<(), TransitionError> {
        self.check(event)?;
        self.mutate(event);
        Ok(())
    }

    /// Whether `event` could be applied now, without applying it.
    pub fn check(&self, event: &Event) -> Result<(), TransitionError> {
        use Status::*;
        if event.incident != self.id {
            return Err(TransitionError::WrongIncident(self.reference.clone()));
        }
        let reference = || self.reference.clone();
        let kind = &event.kind;
        let action = action_word(kind);
        if let EventKind::Received(_) = kind {
            return Err(TransitionError::AlreadyReceived(reference()));
        }
        if event.occurred_at < self.received_at {
            return Err(TransitionError::BeforeReceived {
                reference: reference(),
                action,
            });
        }
        let st = self.status;
        let open = !st.is_terminal();
        let allowed = match kind {
            EventKind::Received(_) => false,
            EventKind::Triaged(_) => open,
            EventKind::Claimed => matches!(st, New | Deferred),
            EventKind::Dispatched { .. } => matches!(st, Claimed | Dispatched | EnRoute | OnScene),
            EventKind::PartyContacted { .. } | EventKind::VideoRetrieved { .. } => {
                matches!(
                    st,
                    Claimed | Dispatched | EnRoute | OnScene | AwaitingVerification
                )
            }
            EventKind::Departed { .. } => matches!(st, Dispatched | EnRoute),
            EventKind::Arrived { .. } | EventKind::Reassigned { .. } => st.is_in_field(),
            EventKind::FeedbackGiven { .. } => st.is_in_field(),
            EventKind::Verified { .. } | EventKind::SentBack { .. } | EventKind::Closed => {
                st == AwaitingVerification
            }
            EventKind::CalledBack { .. } => st == Closed,
            EventKind::Returned { .. }
            | EventKind::UploadedToDistrict { .. }
            | EventKind::HandedToHotline { .. } => matches!(st, New | Deferred | Claimed),
            EventKind::Reopened { .. } => st == Closed && self.merged_into.is_none(),
            EventKind::TransferredToPolice { .. } => open,
            EventKind::Deferred { .. } => st == New,
            EventKind::Escalated { .. } | EventKind::MergedInto { .. } => open,
            EventKind::NoteAdded { .. } | EventKind::PhoneRevealed => true,
            EventKind::Station { .. } => false,
        };
        if !allowed {
            return Err(TransitionError::NotAllowed {
                reference: reference(),
                status: st,
                action,
            });
        }
        match kind {
            EventKind::Dispatched { responders, .. } if responders.is_empty() => {
                Err(TransitionError::NoResponders {
                    reference: reference(),
                })
            }
            EventKind::Departed { responder } | EventKind::Arrived { responder }
                if !self.responders.iter().any(|r| r == responder) =>
            {
                Err(TransitionError::NotDispatchedResponder {
                    reference: reference(),
                    responder: responder.clone(),
                })
            }
            EventKind::Reassigned { from, .. } if !self.responders.iter().any(|r| r == from) => {
                Err(TransitionError::NotDispatchedResponder {
                    reference: reference(),
                    responder: from.clone(),
                })
            }
            EventKind::Reassigned { to, .. } if self.responders.iter().any(|r| r == to) => {
                Err(TransitionError::ReassignToSame {
                    reference: reference(),
                    responder: to.clone(),
                })
            }
            EventKind::Reassigned { reason, .. } if reason.trim().is_empty() => {
                Err(TransitionError::NoReason {
                    reference: reference(),
                })
            }
            EventKind::Verified { .. } if self.verified_at.is_some() => {
                Err(TransitionError::AlreadyVerified {
                    reference: reference(),
                })
            }
            EventKind::Closed if self.verified_at.is_none() => Err(TransitionError::NotVerified {
                reference: reference(),
            }),
            EventKind::Deferred { .. } if self.priority != Priority::NonUrgent => {
                Err(TransitionError::DeferUrgent {
                    reference: reference(),
                    priority: self.priority,
                })
            }
            EventKind::Deferred { until } if *until <= event.occurred_at => {
                Err(TransitionError::DeferUntilPast {
                    reference: reference(),
                })
            }
            EventKind::Escalated { level }
                if *level <= self.escalation_level || *level > MAX_ESCALATION =>
            {
                Err(TransitionError::EscalationLevel {
                    reference: reference(),
                    requested: *level,
                    current: self.escalation_level,
                })
            }
            EventKind::NoteAdded { text } if text.trim().is_empty() => {
                Err(TransitionError::EmptyNote {
                    reference: reference(),
                })
            }
            EventKind::MergedInto { reference: target } if *target == self.reference => {
                Err(TransitionError::MergeIntoSelf {
                    reference: reference(),
                })
            }
            _ => Ok(()),
        }
    }

    /// Back to claimed for another round of dispatch (发回重办, 重办): the field work is cleared.
    fn start_round(&mut self) {
        self.status = Status::Claimed;
        self.round += 1;
        self.dispatched_at = None;
        self.reassigned_at = None;
        self.responders.clear();
        self.channel = None;
        self.departed_at = None;
        self.arrived_at = None;
        self.feedback = None;
        self.verified_at = None;
    }

    fn mutate(&mut self, event: &Event) {
        let at = event.occurred_at;
        match &event.kind {
            EventKind::Received(_) => {}
            EventKind::Triaged(decision) => {
                self.priority = if decision.overridden_by.is_some() {
                    decision.priority
                } else {
                    self.priority.min(decision.priority)
                };
                self.triage = Some(decision.clone());
            }
            EventKind::Claimed => {
                self.status = Status::Claimed;
                self.claimed_at = Some(at);
                self.claimed_by = Some(event.actor.operator.clone());
                self.claimed_on = Some(event.actor.device.clone());
            }
            EventKind::Dispatched {
                responders,
                channel,
            } => {
                if self.status == Status::Claimed {
                    self.status = Status::Dispatched;
                    self.dispatched_at = Some(at);
                    self.channel = Some(*channel);
                }
                for r in responders {
                    if !self.responders.contains(r) {
                        self.responders.push(r.clone());
                    }
                }
            }
            EventKind::Reassigned { from, to, .. } => self.reassign(from, to, at),
            EventKind::PartyContacted { .. } => {
                self.contacted_at.get_or_insert(at);
            }
            EventKind::VideoRetrieved { .. } => {
                self.video_at.get_or_insert(at);
            }
            EventKind::Departed { .. } => {
                self.status = Status::EnRoute;
                self.departed_at.get_or_insert(at);
            }
            EventKind::Arrived { .. } => {
                self.status = Status::OnScene;
                self.arrived_at.get_or_insert(at);
            }
            EventKind::FeedbackGiven { result, text } => {
                self.status = Status::AwaitingVerification;
                self.feedback = Some(Feedback {
                    result: *result,
                    text: text.clone(),
                    at,
                });
            }
            EventKind::Verified { .. } => self.verified_at = Some(at),
            EventKind::SentBack { .. } => self.start_round(),
            EventKind::Closed => {
                self.status = Status::Closed;
                self.closed_at = Some(at);
                self.ended_at = Some(at);
            }
            EventKind::CalledBack { satisfaction, note } => {
                self.callback = Some(Callback {
                    satisfaction: *satisfaction,
                    note: note.clone(),
                    at,
                });
            }
            EventKind::Returned { reason, .. } => {
                self.status = Status::Returned;
                self.return_reason = Some(*reason);
                self.ended_at = Some(at);
            }
            EventKind::TransferredToPolice { .. } => {
                self.status = Status::ToPolice;
                self.ended_at = Some(at);
            }
            EventKind::UploadedToDistrict { .. } => {
                self.status = Status::ToDistrict;
                self.ended_at = Some(at);
            }
            EventKind::HandedToHotline { .. } => {
                self.status = Status::ToHotline;
                self.ended_at = Some(at);
            }
            EventKind::Reopened { .. } => {
                self.start_round();
                self.closed_at = None;
                self.ended_at = None;
            }
            EventKind::Deferred { until } => {
                self.status = Status::Deferred;
                self.deferred_until = Some(*until);
            }
            EventKind::Escalated { level } => self.escalation_level = *level,
            EventKind::NoteAdded { .. } | EventKind::PhoneRevealed | EventKind::Station { .. } => {}
            EventKind::MergedInto { reference } => {
                self.status = Status::Closed;
                self.merged_into = Some(reference.clone());
                self.closed_at = Some(at);
                self.ended_at = Some(at);
            }
        }
        self.version += 1;
        if at > self.updated_at {
            self.updated_at = at;
        }
    }
}

/// Why a history cannot be folded into an incident.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FoldError {
    #[error("no events")]
    Empty,
    #[error(transparent)]
    Transition(#[from] TransitionError),
}

/// The verb a duty officer would use for an event kind, for error messages.
pub fn action_word(kind: &EventKind) -> &'static str {
    match kind {
        EventKind::Received(_) => "receive",
        EventKind::Triaged(_) => "classify",
        EventKind::Claimed => "claim",
        EventKind::Dispatched { .. } => "dispatch",
        EventKind::PartyContacted { .. } => "record contact for",
        EventKind::VideoRetrieved { .. } => "record video for",
        EventKind::Departed { .. } => "record departure for",
        EventKind::Arrived { .. } => "record arrival for",
        EventKind::Reassigned { .. } => "reassign",
        EventKind::FeedbackGiven { .. } => "give feedback on",
        EventKind::Verified { .. } => "verify",
        EventKind::SentBack { .. } => "send back",
        EventKind::Closed => "close",
        EventKind::CalledBack { .. } => "call back",
        EventKind::Returned { .. } => "return",
        EventKind::TransferredToPolice { .. } => "transfer to police",
        EventKind::UploadedToDistrict { .. } => "upload to district",
        EventKind::HandedToHotline { .. } => "hand to the hotline",
        EventKind::Reopened { .. } => "reopen",
        EventKind::Deferred { .. } => "defer",
        EventKind::Escalated { .. } => "escalate",
        EventKind::NoteAdded { .. } => "add a note to",
        EventKind::MergedInto { .. } => "merge",
        EventKind::PhoneRevealed => "reveal the phone of",
        EventKind::Station { .. } => "record a station event on",
    }
}

impl Incident {
    /// 改派: `to` takes `from`'s place. While nobody has arrived, the depart and arrive clocks
    /// start again for the new responder (the old overrun stays on the event, see README).
    fn reassign(&mut self, from: &str, to: &str, at: chrono::DateTime<chrono::Utc>) {
        for r in &mut self.responders {
            if r == from {
                *r = to.to_string();
            }
        }
        if self.arrived_at.is_none() {
            self.status = Status::Dispatched;
            self.departed_at = None;
            self.reassigned_at = Some(at);
        }
    }
}
