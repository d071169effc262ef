//! The hub's storage, behind [`HubStore`] so that another backend (PostgreSQL for a city-wide hub)
//! can replace SQLite without touching the handlers. `tests/hub_contract.rs` holds the tests every
//! backend must pass.

mod chain;
mod chain_check;
mod migrations;
mod pg;
mod push;
mod queries;
mod recent;
mod repeats;
mod sqlite;
mod wake;
mod writer;

pub use crate::hub::decide::is_hub_numbering;
pub use chain::{GENESIS as CHAIN_GENESIS, Link, digest, link_hash};
pub use chain_check::{
    ChainCheck, ChainRow, ChainSource, check as check_chain, verify as verify_chain,
};
pub use pg::{Copied, PgHubStore, is_postgres_url, verify_chain_at as verify_pg_chain};
pub use push::Push;
pub use queries::all_events;
pub use sqlite::{SqliteHubStore, open_read_only};

use crate::domain::{Actor, Incident, IncidentId, TriageDecision};
use crate::protocol::{
    HubIdentity, IntakeRequest, IntakeResponse, PoliceItem, PushOutcome, ReportedHead, SeqEvent,
    Stats,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use tokio::sync::watch;

/// What a principal may do at the hub.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A street command room's workstations.
    Station,
    /// A 110 / 12345 connector pushing new items.
    Intake,
    /// The 110 platform taking items back.
    Police,
    /// The district's own statistics.
    District,
}

impl Role {
    /// The code used on the command line and in the database.
    pub fn code(self) -> &'static str {
        match self {
            Role::Station => "station",
            Role::Intake => "intake",
            Role::Police => "police",
            Role::District => "district",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Option<Role> {
        [Role::Station, Role::Intake, Role::Police, Role::District]
            .into_iter()
            .find(|r| r.code() == s)
    }
}

/// A station the hub routes to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StationRecord {
    pub id: String,
    pub name: String,
    /// Prefix of the references the hub gives this station's items.
    pub prefix: String,
}

/// What a route matches on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RouteKind {
    Grid,
    Community,
}

impl RouteKind {
    /// `grid` or `community`.
    pub fn code(self) -> &'static str {
        match self {
            RouteKind::Grid => "grid",
            RouteKind::Community => "community",
        }
    }
}

/// One line of the routing table: items of this grid or community go to this station.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Route {
    pub kind: RouteKind,
    pub key: String,
    pub station: String,
}

/// A stored credential: who it is and the hash of their token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    pub id: String,
    pub role: Role,
    /// Hex SHA-256 of the token's secret.
    pub token_hash: String,
}

/// A routed, checked intake ready to be recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct NewIntake {
    pub request: IntakeRequest,
    pub station: StationRecord,
    /// The station's local date, for the reference.
    pub day: NaiveDate,
    pub triage: Option<TriageDecision>,
    /// Who took it in: `operator` is the connector's id.
    pub actor: Actor,
    pub now: DateTime<Utc>,
    /// A drill (模拟报警临检) injected at the hub: runs every clock, kept out of the figures.
    pub drill: bool,
}

/// What became of an intake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntakeOutcome {
    pub response: IntakeResponse,
    /// False when the source's number was already known.
    pub created: bool,
}

/// One page of events and whether more follow.
#[derive(Debug, Clone, PartialEq)]
pub struct EventPage {
    pub events: Vec<SeqEvent>,
    pub more: bool,
}

/// One page of the police feed.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicePage {
    pub items: Vec<PoliceItem>,
    pub more: bool,
}

/// Why the hub's store could not do what was asked.
#[derive(Debug, Error)]
pub enum HubStoreError {
    #[error("cannot open the hub database {path}: {detail}")]
    Open { path: String, detail: String },
    #[error("hub database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("hub database error: {0}")]
    Postgres(String),
    #[error(
        "the hub database was written by a newer fenliu (schema {found}, this one knows {known})"
    )]
    TooNew { found: i64, known: i64 },
    #[error("{0} already exists")]
    Exists(String),
    #[error("{0} does not exist")]
    Missing(String),
    #[error("stored data is damaged: {0}")]
    Corrupt(String),
    #[error("the hub's writer has stopped (the hub is shutting down)")]
    WriterGone,
    #[error(
        "the hub's disk is full: nothing of this request was recorded and nothing recorded before is lost; free space on the hub's disk"
    )]
    DiskFull,
    #[error(
        "the hub cannot write to its disk right now ({0}); nothing of this request was recorded"
    )]
    CannotWrite(String),
}

impl HubStoreError {
    /// A failed write told by its cause: a full disk or an unwritable one are not damage.
    pub fn from_write(e: rusqlite::Error) -> HubStoreError {
        match write_fault(&e) {
            Some(told) => told,
            None => HubStoreError::Sqlite(e),
        }
    }

    /// The full or unwritable disk behind this error, as its own error, if that is what it was.
    pub fn write_fault(&self) -> Option<HubStoreError> {
        match self {
            HubStoreError::Sqlite(e) => write_fault(e),
            HubStoreError::DiskFull => Some(HubStoreError::DiskFull),
            HubStoreError::CannotWrite(s) => Some(HubStoreError::CannotWrite(s.clone())),
            _ => None,
        }
    }

    /// A commit that failed: a full or unwritable disk told as such, anything else as damage.
    pub fn failed_commit(e: &rusqlite::Error) -> HubStoreError {
        write_fault(e).unwrap_or_else(|| HubStoreError::Corrupt(format!("commit failed: {e}")))
    }
}

/// The full or unwritable disk behind a failed write, if that is what it was.
fn write_fault(e: &rusqlite::Error) -> Option<HubStoreError> {
    use rusqlite::ErrorCode as C;
    match e.sqlite_error_code()? {
        C::DiskFull => Some(HubStoreError::DiskFull),
        C::SystemIoFailure | C::DatabaseBusy | C::DatabaseLocked | C::ReadOnly => {
            Some(HubStoreError::CannotWrite(e.to_string()))
        }
        _ => None,
    }
}

/// The hub's storage. Every method may block: call it off the async runtime.
pub trait HubStore: Send + Sync + 'static {
    /// Adds a station with the hash of its token.
    fn add_station(&self, station: &StationRecord, token_hash: &str) -> Result<(), HubStoreError>;
    /// Replaces a station's token hash.
    fn set_station_token(&self, id: &str, token_hash: &str) -> Result<(), HubStoreError>;
    /// Adds a connector (intake, police or district) with the hash of its token.
    fn add_connector(&self, id: &str, role: Role, token_hash: &str) -> Result<(), HubStoreError>;
    /// The credential of a station (`station` true) or a connector.
    fn credential(&self, station: bool, id: &str) -> Result<Option<Credential>, HubStoreError>;
    /// One station.
    fn station(&self, id: &str) -> Result<Option<StationRecord>, HubStoreError>;
    /// Every station, by id.
    fn stations(&self) -> Result<Vec<StationRecord>, HubStoreError>;
    /// Adds or replaces a route.
    fn put_route(&self, route: &Route) -> Result<(), HubStoreError>;
    /// The routing table, by kind and key.
    fn routes(&self) -> Result<Vec<Route>, HubStoreError>;
    /// The station a grid or community routes to.
    fn route(&self, kind: RouteKind, key: &str) -> Result<Option<String>, HubStoreError>;
    /// Records an intake once per (connector, source, source_ref); a repeat returns the first
    /// answer. The connector is `actor.operator`; an intake always gets a fresh reference.
    fn intake(&self, intake: NewIntake) -> Result<IntakeOutcome, HubStoreError>;
    /// Validates and records a station's events, each on its own.
    fn push(&self, push: Push) -> Result<Vec<PushOutcome>, HubStoreError>;
    /// The station's events with sequence above `after`, at most `limit`.
    fn events_after(
        &self,
        station: &str,
        after: i64,
        limit: usize,
    ) -> Result<EventPage, HubStoreError>;
    /// An item and its events.
    fn incident(&self, id: IncidentId) -> Result<Option<(Incident, Vec<SeqEvent>)>, HubStoreError>;
    /// Items handed to the police, after feed position `after`.
    fn police_feed(&self, after: i64, limit: usize) -> Result<PolicePage, HubStoreError>;
    /// Records that the police took an item; false when it is not in the feed.
    fn police_ack(
        &self,
        id: IncidentId,
        by: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, HubStoreError>;
    /// Counts per station.
    fn stats(&self) -> Result<Stats, HubStoreError>;
    /// Wakes on every commit with the highest sequence number so far.
    fn subscribe(&self) -> watch::Receiver<i64>;
    /// Wakes on the commits that write `station`'s events (a backend without per-station signals
    /// wakes on every commit).
    fn subscribe_station(&self, station: &str) -> watch::Receiver<i64> {
        let _ = station;
        self.subscribe()
    }
    /// The page [`HubStore::events_after`] would answer, when the backend holds it in memory and
    /// can give it without blocking; `None` means ask `events_after`.
    fn events_in_memory(&self, station: &str, after: i64, limit: usize) -> Option<EventPage> {
        let _ = (station, after, limit);
        None
    }
    /// The hub's identity and the epoch of this opening.
    fn identity(&self) -> HubIdentity;
    /// The journal heads `station` reported, after chain link `after`, at most `limit`.
    fn reported_heads(
        &self,
        station: &str,
        after: i64,
        limit: usize,
    ) -> Result<Vec<ReportedHead>, HubStoreError>;
    /// Every event of every station after sequence `after`, at most `limit`, in sequence order.
    fn all_events(&self, after: i64, limit: usize) -> Result<Vec<SeqEvent>, HubStoreError>;
}
