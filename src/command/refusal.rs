//! Why a command cannot be carried out on an item, told in the officer's language.

use super::Verb;
use super::words;
use crate::domain::lifecycle::MAX_ESCALATION;
use crate::domain::{Incident, Priority, Status, TransitionError};
use chrono::NaiveTime;
use std::fmt;

/// A command refused: on which item, in which status, what was tried, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub reference: String,
    pub status: Status,
    pub verb: Verb,
    pub kind: RefusalKind,
}

/// The reason behind a [`Refusal`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefusalKind {
    /// The item's status does not allow the action.
    NotAllowed,
    /// Dispatch without anyone to send.
    NoResponder,
    /// Several responders were sent: say which one departed or arrived.
    WhichResponder,
    /// The named responder was not sent to this item.
    NotDispatchedResponder { responder: String },
    /// Deferral outside the night window.
    NotNight { start: NaiveTime, end: NaiveTime },
    /// Only non-urgent items are held overnight.
    DeferUrgent { priority: Priority },
    /// A hold must end later than now.
    DeferUntilPast,
    /// Reclassification without a category.
    NoCategory,
    /// The category is not in the responsibility list.
    UnknownCategory { code: String },
    /// The item has no phone to reveal.
    NoPhone,
    /// The stated time is before the item was received.
    BeforeReceived,
    /// Closing before verification.
    NotVerified,
    /// Verification recorded already.
    AlreadyVerified,
    /// The escalation level is not above the current one, or beyond the top.
    EscalationLevel { requested: u8, current: u8 },
    /// A note without text.
    EmptyNote,
    /// Merging an item into itself.
    MergeIntoSelf,
    /// 改派 to someone already on the item.
    ReassignToSame { responder: String },
    /// 改派 without a reason.
    NoReason,
}

impl Refusal {
    /// A refusal of `verb` on `incident`.
    pub fn new(incident: &Incident, verb: Verb, kind: RefusalKind) -> Refusal {
        Refusal {
            reference: incident.reference.clone(),
            status: incident.status,
            verb,
            kind,
        }
    }

    /// The lifecycle's objection, as a refusal of `verb`.
    pub fn from_transition(incident: &Incident, verb: Verb, e: TransitionError) -> Refusal {
        use TransitionError as E;
        let kind = match e {
            E::NoResponders { .. } => RefusalKind::NoResponder,
            E::NotDispatchedResponder { responder, .. } => {
                RefusalKind::NotDispatchedResponder { responder }
            }
            E::NotVerified { .. } => RefusalKind::NotVerified,
            E::AlreadyVerified { .. } => RefusalKind::AlreadyVerified,
            E::DeferUrgent { priority, .. } => RefusalKind::DeferUrgent { priority },
            E::DeferUntilPast { .. } => RefusalKind::DeferUntilPast,
            E::EscalationLevel {
                requested, current, ..
            } => RefusalKind::EscalationLevel { requested, current },
            E::EmptyNote { .. } => RefusalKind::EmptyNote,
            E::MergeIntoSelf { .. } => RefusalKind::MergeIntoSelf,
            E::ReassignToSame { responder, .. } => RefusalKind::ReassignToSame { responder },
            E::NoReason { .. } => RefusalKind::NoReason,
            E::BeforeReceived { .. } => RefusalKind::BeforeReceived,
            E::NotAllowed { .. }
            | E::NotReceivedFirst(_)
            | E::AlreadyReceived(_)
            | E::WrongIncident(_) => RefusalKind::NotAllowed,
        };
        Refusal::new(incident, verb, kind)
    }

    /// The refusal in Chinese.
    pub fn zh(&self) -> String {
        let r = &self.reference;
        let st = words::status(self.status).zh;
        let act = self.verb.words().zh;
        match &self.kind {
            RefusalKind::NotAllowed => format!("{r} 状态为「{st}」，不能{act}"),
            RefusalKind::NoResponder => format!("{r}：指派至少要选一名处置力量"),
            RefusalKind::WhichResponder => {
                format!("{r} 派出了多名处置力量：请选择是哪一名{act}")
            }
            RefusalKind::NotDispatchedResponder { responder } => {
                format!("{r}：{responder} 未被指派到此事项，不能记录{act}")
            }
            RefusalKind::NotNight { start, end } => format!(
                "{r}：现在不是夜间时段（{}–{}），只有夜间才能留存到早上",
                start.format("%H:%M"),
                end.format("%H:%M")
            ),
            RefusalKind::DeferUrgent { priority } => format!(
                "{r} 紧急程度为「{}」：只有非紧急事项可以夜间留存",
                priority_zh(*priority)
            ),
            RefusalKind::DeferUntilPast => format!("{r}：留存须到以后的时间"),
            RefusalKind::NoCategory => format!("{r}：请填写类别代码"),
            RefusalKind::UnknownCategory { code } => {
                format!("{r}：权责清单中没有类别 {code}")
            }
            RefusalKind::NoPhone => format!("{r} 没有来电号码"),
            RefusalKind::BeforeReceived => format!("{r}：{act}的时间早于接报时间"),
            RefusalKind::NotVerified => format!("{r} 尚未核查：请先核查再结案"),
            RefusalKind::AlreadyVerified => format!("{r} 已核查"),
            RefusalKind::EscalationLevel { requested, current } => {
                format!("{r}：督办级别 {requested} 须高于当前的 {current}（最高 {MAX_ESCALATION}）")
            }
            RefusalKind::EmptyNote => format!("{r}：备注不能为空"),
            RefusalKind::MergeIntoSelf => format!("{r}：不能合并到自身"),
            RefusalKind::ReassignToSame { responder } => {
                format!("{r}：{responder} 已在此事项上，请改派给其他处置力量")
            }
            RefusalKind::NoReason => format!("{r}：改派须写明原因"),
        }
    }

    /// The refusal in English.
    pub fn en(&self) -> String {
        let r = &self.reference;
        let st = words::status(self.status).en;
        let act = self.verb.words().en;
        match &self.kind {
            RefusalKind::NotAllowed => format!("{r} is {st}: cannot {act}"),
            RefusalKind::NoResponder => format!("{r}: dispatch needs at least one responder"),
            RefusalKind::WhichResponder => {
                format!("{r} has several responders: say which one ({act})")
            }
            RefusalKind::NotDispatchedResponder { responder } => {
                format!("{r}: responder {responder} was not dispatched to it")
            }
            RefusalKind::NotNight { start, end } => format!(
                "{r}: it is not night time ({}–{}); only the night window holds items until morning",
                start.format("%H:%M"),
                end.format("%H:%M")
            ),
            RefusalKind::DeferUrgent { priority } => format!(
                "{r} is {}: only non-urgent items are held overnight",
                priority_en(*priority)
            ),
            RefusalKind::DeferUntilPast => format!("{r}: a hold must end later than now"),
            RefusalKind::NoCategory => format!("{r}: give a category code"),
            RefusalKind::UnknownCategory { code } => {
                format!("{r}: no category {code} in the responsibility list")
            }
            RefusalKind::NoPhone => format!("{r} has no caller phone"),
            RefusalKind::BeforeReceived => {
                format!("{r}: the time given is before the item was received")
            }
            RefusalKind::NotVerified => {
                format!("{r} has not been verified: verify it before closing")
            }
            RefusalKind::AlreadyVerified => format!("{r} is already verified"),
            RefusalKind::EscalationLevel { requested, current } => format!(
                "{r}: escalation level {requested} is not above the current {current} (max {MAX_ESCALATION})"
            ),
            RefusalKind::EmptyNote => format!("{r}: a note cannot be empty"),
            RefusalKind::MergeIntoSelf => format!("{r}: an item cannot be merged into itself"),
            RefusalKind::ReassignToSame { responder } => {
                format!("{r}: {responder} is already on it; reassign to someone else")
            }
            RefusalKind::NoReason => format!("{r}: a reassignment needs a reason"),
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.en())
    }
}

impl std::error::Error for Refusal {}

fn priority_zh(p: Priority) -> &'static str {
    match p {
        Priority::Urgent => "紧急",
        Priority::Normal => "一般",
        Priority::NonUrgent => "非紧急",
    }
}

fn priority_en(p: Priority) -> &'static str {
    match p {
        Priority::Urgent => "urgent",
        Priority::Normal => "normal",
        Priority::NonUrgent => "non-urgent",
    }
}
