//! The incident: a pure fold of its events (see [`super::lifecycle`]).

use super::event::{Channel, FeedbackResult, ReturnReason, Satisfaction};
use super::ids::IncidentId;
use super::source::Source;
use super::taxonomy::{Priority, TriageDecision};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Where an incident is in its life. The JSON spelling is fixed: scripts rely on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Received, waiting to be claimed (待签收).
    New,
    /// Held overnight (夜间留存).
    Deferred,
    /// Claimed by an operator, not yet dispatched (已签收).
    Claimed,
    /// Responders sent (已指派).
    Dispatched,
    /// A responder is on the way (途中).
    EnRoute,
    /// A responder is on scene (到场).
    OnScene,
    /// Feedback given, waiting for the grid supervisor (待核查).
    AwaitingVerification,
    /// Finished (结案).
    Closed,
    /// Sent back to the source (退回).
    Returned,
    /// Handed back to the police (转警务).
    ToPolice,
    /// Uploaded to the district hub (上报区级).
    ToDistrict,
    /// Handed to the 12345 hotline as a work order (转12345工单).
    ToHotline,
}

impl Status {
    /// Every status, in lifecycle order.
    pub const ALL: [Status; 12] = [
        Status::New,
        Status::Deferred,
        Status::Claimed,
        Status::Dispatched,
        Status::EnRoute,
        Status::OnScene,
        Status::AwaitingVerification,
        Status::Closed,
        Status::Returned,
        Status::ToPolice,
        Status::ToDistrict,
        Status::ToHotline,
    ];

    /// The snake_case code used in JSON and on the command line.
    pub fn code(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Deferred => "deferred",
            Status::Claimed => "claimed",
            Status::Dispatched => "dispatched",
            Status::EnRoute => "en_route",
            Status::OnScene => "on_scene",
            Status::AwaitingVerification => "awaiting_verification",
            Status::Closed => "closed",
            Status::Returned => "returned",
            Status::ToPolice => "to_police",
            Status::ToDistrict => "to_district",
            Status::ToHotline => "to_hotline",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.code() == s.trim())
    }

    /// The item has left the station's hands: closed, returned, to police or to district.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Status::Closed
                | Status::Returned
                | Status::ToPolice
                | Status::ToDistrict
                | Status::ToHotline
        )
    }

    /// Responders are out on it.
    pub fn is_in_field(self) -> bool {
        matches!(self, Status::Dispatched | Status::EnRoute | Status::OnScene)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// What came back from the scene.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Feedback {
    pub result: FeedbackResult,
    pub text: Option<String>,
    pub at: DateTime<Utc>,
}

/// The latest callback.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Callback {
    pub satisfaction: Satisfaction,
    pub note: Option<String>,
    pub at: DateTime<Utc>,
}

/// One matter reported, whatever its source, as its events made it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    pub id: IncidentId,
    #[serde(rename = "ref")]
    pub reference: String,
    pub station: String,
    pub source: Source,
    pub source_ref: Option<String>,
    pub text: String,
    pub address: Option<String>,
    pub grid: Option<String>,
    pub community: Option<String>,
    pub phone: Option<String>,
    pub priority: Priority,
    pub drill: bool,
    pub repeat_of: Option<String>,
    pub status: Status,
    pub received_at: DateTime<Utc>,
    pub triage: Option<TriageDecision>,
    pub claimed_at: Option<DateTime<Utc>>,
    pub claimed_by: Option<String>,
    /// The workstation (device) the claim was made at.
    #[serde(default)]
    pub claimed_on: Option<String>,
    pub deferred_until: Option<DateTime<Utc>>,
    /// Dispatch round: 0 for the first, +1 for each send-back.
    pub round: u32,
    pub dispatched_at: Option<DateTime<Utc>>,
    /// The last 改派 before anyone arrived: the depart and arrive clocks count from here.
    #[serde(default)]
    pub reassigned_at: Option<DateTime<Utc>>,
    pub responders: Vec<String>,
    pub channel: Option<Channel>,
    pub contacted_at: Option<DateTime<Utc>>,
    pub video_at: Option<DateTime<Utc>>,
    pub departed_at: Option<DateTime<Utc>>,
    pub arrived_at: Option<DateTime<Utc>>,
    pub feedback: Option<Feedback>,
    pub verified_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub callback: Option<Callback>,
    pub return_reason: Option<ReturnReason>,
    pub merged_into: Option<String>,
    /// When the item left the station's hands (any terminal status).
    pub ended_at: Option<DateTime<Utc>>,
    /// Highest escalation recorded by hand (督办); the ladder may say more, see `sla`.
    pub escalation_level: u8,
    /// Number of events folded.
    pub version: u32,
    pub updated_at: DateTime<Utc>,
}

impl Incident {
    /// The category code, if triaged into one.
    pub fn category(&self) -> Option<&str> {
        self.triage.as_ref().and_then(|t| t.category.as_deref())
    }

    /// The phone masked for the screen: `138****1116`.
    pub fn masked_phone(&self) -> Option<String> {
        self.phone.as_deref().map(mask_phone)
    }
}

/// Masks the middle of a phone number, keeping the first three and last four digits.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() <= 7 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 7))
}
