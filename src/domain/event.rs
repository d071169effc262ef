//! Events: every change to an incident, in the past tense and immutable.

use super::ids::{EventId, IncidentId};
use super::source::Source;
use super::station::StationKind;
use super::taxonomy::{Priority, TriageDecision};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Who recorded an event, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// Operator's name (值班员).
    pub operator: String,
    /// Station id (街镇指挥室).
    pub station: String,
    /// The workstation, device or connector that recorded it.
    pub device: String,
}

/// One immutable fact about one incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub id: EventId,
    pub incident: IncidentId,
    pub actor: Actor,
    /// When it happened, as stated (may be earlier than `recorded_at` for late entry).
    pub occurred_at: DateTime<Utc>,
    /// When it was written down.
    pub recorded_at: DateTime<Utc>,
    pub kind: EventKind,
}

/// How responders were told (派单渠道).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// 对讲机
    #[default]
    Radio,
    /// 微信群
    Wechat,
    /// 电话
    Phone,
    /// 工单
    Order,
}

/// Result reported from the scene (反馈).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FeedbackResult {
    /// 现场办结
    Resolved,
    /// 移交部门
    HandedOver,
    /// 未办结
    Unresolved,
}

/// Caller's answer at callback (回访).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Satisfaction {
    /// 满意
    Satisfied,
    /// 基本满意
    Basic,
    /// 不满意
    Dissatisfied,
    /// 未接通
    Unreachable,
}

/// Why an item was returned (退回).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReturnReason {
    /// 要素不全
    Incomplete,
    /// 非本辖区
    NotOurArea,
    /// 重复: the same matter was reported and is handled already.
    Duplicate,
    /// 不属受理范围: not a matter the street takes.
    OutOfScope,
}

/// What a new item says when it arrives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Received {
    /// Reference shown to people: `{prefix}-{YYYYMMDD}-{NNNN}`.
    pub reference: String,
    pub station: String,
    pub source: Source,
    /// The number the source gave (110 警情号, 12345 工单号).
    pub source_ref: Option<String>,
    pub text: String,
    pub address: Option<String>,
    pub grid: Option<String>,
    pub community: Option<String>,
    pub phone: Option<String>,
    pub priority: Priority,
    /// A drill (演练) exercises the clocks but stays out of statistics.
    #[serde(default)]
    pub drill: bool,
    /// Reference of an earlier item from the same caller or place (重复报警).
    #[serde(default)]
    pub repeat_of: Option<String>,
}

/// Every kind of change of DESIGN §2.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    Received(Received),
    Triaged(TriageDecision),
    Claimed,
    Dispatched {
        responders: Vec<String>,
        channel: Channel,
    },
    PartyContacted {
        note: Option<String>,
    },
    VideoRetrieved {
        note: Option<String>,
    },
    Departed {
        responder: String,
    },
    Arrived {
        responder: String,
    },
    /// 改派: `from` is withdrawn and `to` sent in their place, for `reason`. `overdue_secs` is how
    /// far past the arrival limit the item was when it happened, kept on record.
    Reassigned {
        from: String,
        to: String,
        reason: String,
        #[serde(default)]
        overdue_secs: Option<i64>,
    },
    FeedbackGiven {
        result: FeedbackResult,
        text: Option<String>,
    },
    Verified {
        note: Option<String>,
    },
    SentBack {
        note: Option<String>,
    },
    Closed,
    CalledBack {
        satisfaction: Satisfaction,
        note: Option<String>,
    },
    Returned {
        reason: ReturnReason,
        note: Option<String>,
    },
    TransferredToPolice {
        note: Option<String>,
    },
    UploadedToDistrict {
        note: Option<String>,
    },
    /// Handed to the 12345 hotline as a work order (转12345工单, mode A).
    HandedToHotline {
        order_no: Option<String>,
        note: Option<String>,
    },
    /// A dissatisfied callback reopened the closed item for another round (重办).
    Reopened {
        note: Option<String>,
    },
    Deferred {
        until: DateTime<Utc>,
    },
    Escalated {
        level: u8,
    },
    NoteAdded {
        text: String,
    },
    MergedInto {
        reference: String,
    },
    /// The caller's phone was shown unmasked; who looked is recorded.
    PhoneRevealed,
    /// An event of the station rather than an item (指挥室事件); its item id is
    /// [`super::station::STATION_ITEM`].
    Station {
        station: StationKind,
    },
}

impl EventKind {
    /// The snake_case name used in the journal and on the command line.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Received(_) => "received",
            EventKind::Triaged(_) => "triaged",
            EventKind::Claimed => "claimed",
            EventKind::Dispatched { .. } => "dispatched",
            EventKind::PartyContacted { .. } => "party_contacted",
            EventKind::VideoRetrieved { .. } => "video_retrieved",
            EventKind::Departed { .. } => "departed",
            EventKind::Arrived { .. } => "arrived",
            EventKind::Reassigned { .. } => "reassigned",
            EventKind::FeedbackGiven { .. } => "feedback_given",
            EventKind::Verified { .. } => "verified",
            EventKind::SentBack { .. } => "sent_back",
            EventKind::Closed => "closed",
            EventKind::CalledBack { .. } => "called_back",
            EventKind::Returned { .. } => "returned",
            EventKind::TransferredToPolice { .. } => "transferred_to_police",
            EventKind::UploadedToDistrict { .. } => "uploaded_to_district",
            EventKind::HandedToHotline { .. } => "handed_to_hotline",
            EventKind::Reopened { .. } => "reopened",
            EventKind::Deferred { .. } => "deferred",
            EventKind::Escalated { .. } => "escalated",
            EventKind::NoteAdded { .. } => "note_added",
            EventKind::MergedInto { .. } => "merged_into",
            EventKind::PhoneRevealed => "phone_revealed",
            EventKind::Station { station } => station.name(),
        }
    }

    /// Whether this is a station event rather than an item's.
    pub fn is_station(&self) -> bool {
        matches!(self, EventKind::Station { .. })
    }
}
