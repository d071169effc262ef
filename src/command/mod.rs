//! The command layer: a typed officer command on one incident, with who acts and when, becomes the
//! events to record, or a refusal that names the item's status and what was tried.
//! Pure: the CLI, the console and the demo all call [`decide`]; nothing else turns an action into
//! events.

pub mod automatic;
pub mod drill;
mod refusal;
pub mod sample;
pub mod station;
pub mod words;

pub use refusal::{Refusal, RefusalKind};
pub use station::{StationCommand, StationRefusal, decide_station};

use crate::domain::lifecycle::MAX_ESCALATION;
use crate::domain::night::NightWindow;
use crate::domain::{
    Actor, Channel, ClockName, ClockState, DispatchMode, Event, EventId, EventKind, FeedbackResult,
    Incident, ReturnReason, Satisfaction, SlaPolicy, Status, sla,
};
use crate::triage::{ResponsibilityList, manual_decision};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// Every action an officer can take on an existing item.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// 签收.
    Claim,
    /// 指派; on an unclaimed item this is 签收并指派 (claim and dispatch in one step).
    Dispatch {
        responders: Vec<String>,
        channel: Channel,
    },
    /// 联系当事人.
    Contact { note: Option<String> },
    /// 调取监控.
    Video { note: Option<String> },
    /// 出发; `None` is the only responder sent (refused when several were).
    Depart { responder: Option<String> },
    /// 到场; `None` as for [`Command::Depart`].
    Arrive { responder: Option<String> },
    /// 改派: withdraw `from`, send `to` in their place, for `reason`.
    Reassign {
        from: String,
        to: String,
        reason: String,
    },
    /// 反馈.
    Feedback {
        result: FeedbackResult,
        text: Option<String>,
    },
    /// 核查通过.
    Verify { note: Option<String> },
    /// 发回重办.
    SendBack { note: Option<String> },
    /// 结案.
    Close,
    /// 回访.
    Callback {
        satisfaction: Satisfaction,
        note: Option<String>,
    },
    /// 退回.
    Return {
        reason: ReturnReason,
        note: Option<String>,
    },
    /// 转警务.
    ToPolice { note: Option<String> },
    /// 上报区级.
    ToDistrict { note: Option<String> },
    /// 转12345工单: handed to the hotline as a work order, with its number when known.
    ToHotline {
        order_no: Option<String>,
        note: Option<String>,
    },
    /// 夜间留存 until the night window ends; refused outside the window.
    Defer,
    /// 督办 to `level`; `None` is one above the level shown now (the ladder's or the recorded one).
    Escalate { level: Option<u8> },
    /// 备注.
    Note { text: String },
    /// 人工改判 to a category of the list, with its own mode unless one is given.
    Classify {
        category: String,
        mode: Option<DispatchMode>,
    },
    /// 合并 into another item (the shell checks that it exists).
    Merge { into: String },
    /// 查看号码: the unmasked phone was shown.
    RevealPhone,
}

/// A command without its arguments: what the hints and the registry speak of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verb {
    Claim,
    Dispatch,
    Contact,
    Video,
    Depart,
    Arrive,
    Reassign,
    Feedback,
    Verify,
    SendBack,
    Close,
    Callback,
    Return,
    ToPolice,
    ToDistrict,
    ToHotline,
    Defer,
    Escalate,
    Note,
    Classify,
    Merge,
    RevealPhone,
}

impl Command {
    /// The command's verb.
    pub fn verb(&self) -> Verb {
        match self {
            Command::Claim => Verb::Claim,
            Command::Dispatch { .. } => Verb::Dispatch,
            Command::Contact { .. } => Verb::Contact,
            Command::Video { .. } => Verb::Video,
            Command::Depart { .. } => Verb::Depart,
            Command::Arrive { .. } => Verb::Arrive,
            Command::Reassign { .. } => Verb::Reassign,
            Command::Feedback { .. } => Verb::Feedback,
            Command::Verify { .. } => Verb::Verify,
            Command::SendBack { .. } => Verb::SendBack,
            Command::Close => Verb::Close,
            Command::Callback { .. } => Verb::Callback,
            Command::Return { .. } => Verb::Return,
            Command::ToPolice { .. } => Verb::ToPolice,
            Command::ToDistrict { .. } => Verb::ToDistrict,
            Command::ToHotline { .. } => Verb::ToHotline,
            Command::Defer => Verb::Defer,
            Command::Escalate { .. } => Verb::Escalate,
            Command::Note { .. } => Verb::Note,
            Command::Classify { .. } => Verb::Classify,
            Command::Merge { .. } => Verb::Merge,
            Command::RevealPhone => Verb::RevealPhone,
        }
    }
}

impl Verb {
    /// Every verb.
    pub const ALL: [Verb; 22] = [
        Verb::Claim,
        Verb::Dispatch,
        Verb::Contact,
        Verb::Video,
        Verb::Depart,
        Verb::Arrive,
        Verb::Reassign,
        Verb::Feedback,
        Verb::Verify,
        Verb::SendBack,
        Verb::Close,
        Verb::Callback,
        Verb::Return,
        Verb::ToPolice,
        Verb::ToDistrict,
        Verb::ToHotline,
        Verb::Defer,
        Verb::Escalate,
        Verb::Note,
        Verb::Classify,
        Verb::Merge,
        Verb::RevealPhone,
    ];

    /// The officer's word for the action (签收, 指派 …).
    pub fn words(self) -> words::Words {
        use words::Words as W;
        let (zh, en) = match self {
            Verb::Claim => ("签收", "claim"),
            Verb::Dispatch => ("指派", "dispatch"),
            Verb::Contact => ("联系当事人", "record contact"),
            Verb::Video => ("调取监控", "record video"),
            Verb::Depart => ("出发", "record departure"),
            Verb::Arrive => ("到场", "record arrival"),
            Verb::Reassign => ("改派", "reassign"),
            Verb::Feedback => ("反馈", "give feedback"),
            Verb::Verify => ("核查", "verify"),
            Verb::SendBack => ("发回重办", "send back"),
            Verb::Close => ("结案", "close"),
            Verb::Callback => ("回访", "call back"),
            Verb::Return => ("退回", "return"),
            Verb::ToPolice => ("转警务", "transfer to police"),
            Verb::ToDistrict => ("上报区级", "upload to district"),
            Verb::ToHotline => ("转12345工单", "hand to the hotline"),
            Verb::Defer => ("夜间留存", "defer"),
            Verb::Escalate => ("督办", "escalate"),
            Verb::Note => ("备注", "add a note"),
            Verb::Classify => ("改判", "reclassify"),
            Verb::Merge => ("合并", "merge"),
            Verb::RevealPhone => ("查看号码", "reveal the phone"),
        };
        W { zh, en }
    }

    /// A command of this verb with placeholder arguments, to ask whether it would be refused now
    /// (the hints); `None` for verbs whose refusal depends on what the officer fills in.
    pub fn probe(self, incident: &Incident) -> Command {
        let note = None;
        match self {
            Verb::Claim => Command::Claim,
            Verb::Dispatch => Command::Dispatch {
                responders: vec![String::from("?")],
                channel: Channel::Radio,
            },
            Verb::Contact => Command::Contact { note },
            Verb::Video => Command::Video { note },
            Verb::Depart => Command::Depart {
                responder: incident.responders.first().cloned(),
            },
            Verb::Arrive => Command::Arrive {
                responder: incident.responders.first().cloned(),
            },
            Verb::Reassign => Command::Reassign {
                from: incident.responders.first().cloned().unwrap_or_default(),
                to: String::from("?"),
                reason: String::from("?"),
            },
            Verb::Feedback => Command::Feedback {
                result: FeedbackResult::Resolved,
                text: None,
            },
            Verb::Verify => Command::Verify { note },
            Verb::SendBack => Command::SendBack { note },
            Verb::Close => Command::Close,
            Verb::Callback => Command::Callback {
                satisfaction: Satisfaction::Satisfied,
                note,
            },
            Verb::Return => Command::Return {
                reason: ReturnReason::Incomplete,
                note,
            },
            Verb::ToPolice => Command::ToPolice { note },
            Verb::ToDistrict => Command::ToDistrict { note },
            Verb::ToHotline => Command::ToHotline {
                order_no: None,
                note,
            },
            Verb::Defer => Command::Defer,
            Verb::Escalate => Command::Escalate { level: None },
            Verb::Note => Command::Note { text: "?".into() },
            Verb::Classify => Command::Classify {
                category: String::new(),
                mode: None,
            },
            Verb::Merge => Command::Merge {
                into: String::from("?"),
            },
            Verb::RevealPhone => Command::RevealPhone,
        }
    }
}

/// What a decision depends on besides the item: who acts, when, and the station's rules.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub now: DateTime<Utc>,
    pub operator: &'a str,
    pub policy: &'a SlaPolicy,
    pub night: &'a NightWindow,
    /// The responsibility list, for reclassification (`None`: reclassification is refused).
    pub list: Option<&'a ResponsibilityList>,
    /// A dissatisfied callback reopens the item for another round (重办).
    pub reopen_on_dissatisfied: bool,
}

/// The events `command` records on `incident` at `ctx.now`, in order, or why it cannot be done.
/// The events are checked against the lifecycle here: what this returns, `apply` accepts.
pub fn decide(
    incident: &Incident,
    command: &Command,
    ctx: &Context<'_>,
) -> Result<Vec<EventKind>, Refusal> {
    let refuse = |kind| Refusal::new(incident, command.verb(), kind);
    let kinds = match command {
        Command::Claim => vec![EventKind::Claimed],
        Command::Dispatch {
            responders,
            channel,
        } => {
            if responders.is_empty() {
                return Err(refuse(RefusalKind::NoResponder));
            }
            let mut kinds = Vec::new();
            if implies_claim(incident) {
                kinds.push(EventKind::Claimed);
            }
            kinds.push(EventKind::Dispatched {
                responders: responders.clone(),
                channel: *channel,
            });
            kinds
        }
        Command::Contact { note } => vec![EventKind::PartyContacted { note: note.clone() }],
        Command::Video { note } => vec![EventKind::VideoRetrieved { note: note.clone() }],
        Command::Depart { responder } | Command::Arrive { responder } => {
            let responder = match responder {
                Some(r) => r.clone(),
                None => match incident.responders.as_slice() {
                    [only] => only.clone(),
                    [] => return Err(refuse(RefusalKind::NotAllowed)),
                    _ => return Err(refuse(RefusalKind::WhichResponder)),
                },
            };
            if matches!(command, Command::Depart { .. }) {
                vec![EventKind::Departed { responder }]
            } else {
                vec![EventKind::Arrived { responder }]
            }
        }
        Command::Reassign { from, to, reason } => {
            let overdue_secs =
                match sla::clock(incident, ctx.policy, ClockName::Arrive, ctx.now).state {
                    ClockState::Breached { over_secs } => Some(over_secs),
                    _ => None,
                };
            vec![EventKind::Reassigned {
                from: from.clone(),
                to: to.clone(),
                reason: reason.trim().to_string(),
                overdue_secs,
            }]
        }
        Command::Feedback { result, text } => vec![EventKind::FeedbackGiven {
            result: *result,
            text: text.clone(),
        }],
        Command::Verify { note } => vec![EventKind::Verified { note: note.clone() }],
        Command::SendBack { note } => vec![EventKind::SentBack { note: note.clone() }],
        Command::Close => vec![EventKind::Closed],
        Command::Callback { satisfaction, note } => {
            let mut kinds = vec![EventKind::CalledBack {
                satisfaction: *satisfaction,
                note: note.clone(),
            }];
            if *satisfaction == Satisfaction::Dissatisfied && ctx.reopen_on_dissatisfied {
                kinds.push(EventKind::Reopened { note: note.clone() });
            }
            kinds
        }
        Command::Return { reason, note } => vec![EventKind::Returned {
            reason: *reason,
            note: note.clone(),
        }],
        Command::ToPolice { note } => vec![EventKind::TransferredToPolice { note: note.clone() }],
        Command::ToDistrict { note } => vec![EventKind::UploadedToDistrict { note: note.clone() }],
        Command::ToHotline { order_no, note } => vec![EventKind::HandedToHotline {
            order_no: order_no.clone(),
            note: note.clone(),
        }],
        Command::Defer => {
            if incident.status == Status::New && !ctx.night.contains(ctx.now) {
                return Err(refuse(RefusalKind::NotNight {
                    start: ctx.night.start,
                    end: ctx.night.end,
                }));
            }
            vec![EventKind::Deferred {
                until: ctx.night.end_after(ctx.now),
            }]
        }
        Command::Escalate { level } => {
            let level = level.unwrap_or_else(|| next_escalation(incident, ctx));
            vec![EventKind::Escalated { level }]
        }
        Command::Note { text } => vec![EventKind::NoteAdded { text: text.clone() }],
        Command::Classify { category, mode } => {
            if incident.status.is_terminal() {
                return Err(refuse(RefusalKind::NotAllowed));
            }
            if category.trim().is_empty() {
                return Err(refuse(RefusalKind::NoCategory));
            }
            let unknown = || {
                refuse(RefusalKind::UnknownCategory {
                    code: category.trim().to_uppercase(),
                })
            };
            let list = ctx.list.ok_or_else(unknown)?;
            let mut decision =
                manual_decision(list, category, *mode, ctx.operator).map_err(|_| unknown())?;
            // An override never hides the red flags the words carry.
            if let Some(before) = &incident.triage {
                let flags = before
                    .evidence
                    .iter()
                    .filter(|e| e.rule.starts_with("redflag:"))
                    .cloned();
                decision.evidence.extend(flags);
            }
            vec![EventKind::Triaged(decision)]
        }
        Command::Merge { into } => vec![EventKind::MergedInto {
            reference: into.clone(),
        }],
        Command::RevealPhone => {
            if incident.phone.is_none() {
                return Err(refuse(RefusalKind::NoPhone));
            }
            vec![EventKind::PhoneRevealed]
        }
    };
    check(incident, command, &kinds, ctx)?;
    Ok(kinds)
}

/// Whether dispatching this item also claims it (签收并指派): it has not been claimed yet.
pub fn implies_claim(incident: &Incident) -> bool {
    incident.claimed_at.is_none() && matches!(incident.status, Status::New | Status::Deferred)
}

/// Whether `verb` would be refused on `incident` now, and why (the hints grey it out).
pub fn refusal_of(incident: &Incident, verb: Verb, ctx: &Context<'_>) -> Option<Refusal> {
    if verb == Verb::Classify {
        return incident
            .status
            .is_terminal()
            .then(|| Refusal::new(incident, verb, RefusalKind::NotAllowed));
    }
    match decide(incident, &verb.probe(incident), ctx) {
        Ok(_) => None,
        Err(r) if r.kind == RefusalKind::WhichResponder => None,
        Err(r) => Some(r),
    }
}

/// One above the escalation level the item shows now, at most the top level.
fn next_escalation(incident: &Incident, ctx: &Context<'_>) -> u8 {
    let shown = sla::escalation(incident, ctx.policy, ctx.now);
    shown.level.saturating_add(1).min(MAX_ESCALATION)
}

/// Folds the events over a copy of the item: what the lifecycle refuses never leaves here.
fn check(
    incident: &Incident,
    command: &Command,
    kinds: &[EventKind],
    ctx: &Context<'_>,
) -> Result<(), Refusal> {
    let mut copy = incident.clone();
    for kind in kinds {
        let event = Event {
            id: EventId(Uuid::nil()),
            incident: copy.id,
            actor: Actor {
                operator: ctx.operator.to_string(),
                station: copy.station.clone(),
                device: String::new(),
            },
            occurred_at: ctx.now,
            recorded_at: ctx.now,
            kind: kind.clone(),
        };
        copy.apply(&event)
            .map_err(|e| Refusal::from_transition(incident, command.verb(), e))?;
    }
    Ok(())
}
