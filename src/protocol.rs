//! The hub protocol's wire types, shared by the hub (`hub/`) and the console side (`sync/`):
//! one definition of every request and answer, and the protocol version both check.

use crate::domain::{Event, EventId, Incident, IncidentId, Priority, Source};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Version of the protocol under `/v1`; bumped on any incompatible change (2: the hub's identity
/// and last sequence in every sync page; reserved references and implausible times refused;
/// 3: station events — mode switched, shift notes, sampling — pushed and pulled like item events).
pub const PROTOCOL_VERSION: &str = "3";

/// Response header carrying [`PROTOCOL_VERSION`] on every hub answer.
pub const VERSION_HEADER: &str = "fenliu-protocol";

/// Longest long-poll the hub grants, in seconds.
pub const MAX_WAIT_SECS: u64 = 30;

/// Most events one sync page carries.
pub const MAX_PAGE: usize = 500;

/// Largest request body the hub reads.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// `POST /v1/intake`: a new item from a connector (110 / 12345).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"source": "110", "source_ref": "110-20261122-0042",
    "text": "楼上装修至深夜", "address": "广中路123弄", "grid": "g1", "phone": "13812341116"}))]
pub struct IntakeRequest {
    #[schema(schema_with = schemas::source)]
    pub source: Source,
    /// The source's own number; the hub is idempotent on it.
    #[schema(min_length = 1, max_length = 200)]
    pub source_ref: String,
    #[schema(min_length = 1, max_length = 4000)]
    pub text: String,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub address: Option<String>,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub grid: Option<String>,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub community: Option<String>,
    #[serde(default)]
    #[schema(max_length = 200, pattern = "^[0-9+-]*$")]
    pub phone: Option<String>,
    #[serde(default)]
    #[schema(schema_with = schemas::priority)]
    pub priority: Option<Priority>,
    /// Route to this station explicitly, whatever the grid says.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub station: Option<String>,
    /// When the source took the report (e.g. the 110 call); the hub's time if absent or later.
    #[serde(default)]
    pub received_at: Option<DateTime<Utc>>,
}

/// Answer to an intake: 201 when new, 200 with the same body when already known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct IntakeResponse {
    #[schema(value_type = uuid::Uuid)]
    pub id: IncidentId,
    #[serde(rename = "ref")]
    pub reference: String,
    pub station: String,
}

/// One event as the hub holds it: with its sequence number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SeqEvent {
    pub seq: i64,
    /// One event of the lifecycle (DESIGN §2), as the console journals it.
    #[schema(value_type = Object)]
    pub event: Event,
}

/// Answer to `GET /v1/sync`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SyncPage {
    /// The station's events after the cursor, in sequence order.
    pub events: Vec<SeqEvent>,
    /// The cursor to ask from next: the last event's sequence, or the one asked for.
    pub last_seq: i64,
    /// More events wait beyond this page.
    pub more: bool,
    /// The hub's clock when it answered.
    pub hub_time: DateTime<Utc>,
    /// Which hub answered, and since when it runs on this database.
    pub hub: HubIdentity,
    /// The highest sequence the hub has committed (any station's): a console whose cursor is
    /// above it talks to a hub restored from an earlier copy.
    pub hub_seq: i64,
}

/// A hub's stable random identity (made once with its database) and its epoch (counted up at
/// every opening of the database): a different identity is a different hub, a new epoch is a
/// restart, possibly from a restored copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HubIdentity {
    pub id: String,
    pub epoch: i64,
}

/// `POST /v1/sync`: a batch of events recorded by a workstation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    #[schema(value_type = Vec<Object>)]
    pub events: Vec<Event>,
    /// The console's journal position and row hash after these events (absent from consoles
    /// that predate it): the hub links it into its own chain as a receipt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head: Option<ChainHead>,
}

/// A position in a console's journal and the hash of its row there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChainHead {
    /// Which journal: its random id, 64 hex digits (a journal rebuilt from the hub is another).
    pub journal: String,
    /// The workstation keeping it (`[hub] workstation`).
    pub workstation: String,
    pub pos: i64,
    pub hash: String,
}

/// A head a station reported, with the hub's chain link that holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReportedHead {
    pub link: i64,
    #[serde(flatten)]
    pub head: ChainHead,
}

/// Answer to `GET /v1/sync/heads?after=LINK`: the heads this station reported, in chain order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HeadsPage {
    pub heads: Vec<ReportedHead>,
    /// More heads wait beyond this page.
    pub more: bool,
}

/// What the hub made of one pushed event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum PushOutcome {
    /// Accepted now, with its sequence number.
    Accepted {
        #[schema(value_type = uuid::Uuid)]
        id: EventId,
        seq: i64,
    },
    /// Accepted earlier (a retry): the same sequence number again.
    Duplicate {
        #[schema(value_type = uuid::Uuid)]
        id: EventId,
        seq: i64,
    },
    /// Refused; nothing was recorded.
    Rejected {
        #[schema(value_type = uuid::Uuid)]
        id: EventId,
        code: RejectCode,
        reason: String,
    },
}

impl PushOutcome {
    /// The event this answer is about.
    pub fn id(&self) -> EventId {
        match self {
            PushOutcome::Accepted { id, .. }
            | PushOutcome::Duplicate { id, .. }
            | PushOutcome::Rejected { id, .. } => *id,
        }
    }
}

/// Why a pushed event was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RejectCode {
    /// Another workstation claimed the item first.
    AlreadyClaimed,
    /// The lifecycle does not allow it in the item's state.
    IllegalTransition,
    /// The item belongs to another station.
    NotYourStation,
    /// The hub does not know the item.
    UnknownIncident,
    /// The reference is already used by another item.
    DuplicateReference,
    /// The reference is in the hub's own numbering, which only the hub hands out.
    ReservedReference,
    /// A time is too far ahead of the hub's clock, before 2000, or before the item was received.
    ImplausibleTime,
}

/// Answer to `POST /v1/sync`: one outcome per pushed event, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PushResponse {
    pub results: Vec<PushOutcome>,
    pub hub_time: DateTime<Utc>,
}

/// One item handed back to the police, with its whole history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PoliceItem {
    /// Position in the police feed (its cursor).
    pub seq: i64,
    #[schema(value_type = Object)]
    pub incident: Incident,
    #[schema(value_type = Vec<Object>)]
    pub events: Vec<Event>,
    /// Whether the police already took it.
    pub acked: bool,
}

/// Answer to `GET /v1/police/feed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PoliceFeed {
    pub items: Vec<PoliceItem>,
    pub last_seq: i64,
    pub more: bool,
    pub hub_time: DateTime<Utc>,
}

/// `POST /v1/police/ack`: the police took an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PoliceAck {
    #[schema(value_type = uuid::Uuid)]
    pub id: IncidentId,
}

/// Per-station counts for `GET /v1/stats`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StationStats {
    pub station: String,
    pub incidents: u64,
    pub open: u64,
    pub to_police: u64,
    pub closed: u64,
}

/// Answer to `GET /v1/stats`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Stats {
    pub stations: Vec<StationStats>,
    pub events: u64,
    pub last_seq: i64,
}

/// Every error answer: a stable code and a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    pub error: String,
    pub message: String,
}

/// Schemas of the domain's codes as they travel in `/v1`.
mod schemas {
    use crate::domain::{Priority, Source};
    use utoipa::openapi::schema::{Object, Schema, SchemaType, Type};
    use utoipa::openapi::{RefOr, schema::ObjectBuilder};

    fn codes(values: Vec<String>, nullable: bool) -> Object {
        let kind = if nullable {
            SchemaType::from_iter([Type::String, Type::Null])
        } else {
            SchemaType::new(Type::String)
        };
        let mut values: Vec<Option<String>> = values.into_iter().map(Some).collect();
        if nullable {
            values.push(None);
        }
        ObjectBuilder::new()
            .schema_type(kind)
            .enum_values(Some(values))
            .build()
    }

    fn code_of<T: serde::Serialize>(v: T) -> String {
        serde_json::to_value(v)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }

    /// A source's code (`110`, `12345`, …).
    pub fn source() -> impl Into<RefOr<Schema>> {
        codes(Source::ALL.into_iter().map(code_of).collect(), false)
    }

    /// `urgent`, `normal`, `nonurgent`, or absent.
    pub fn priority() -> impl Into<RefOr<Schema>> {
        let all = [Priority::Urgent, Priority::Normal, Priority::NonUrgent];
        codes(all.into_iter().map(code_of).collect(), true)
    }
}
