//! The pure core: ids, the incident and its events, the lifecycle, responders, timers and taxonomy.
//! No IO and no clock reads: time always comes in as an argument.

pub mod duration;
pub mod event;
pub mod ids;
pub mod incident;
pub mod lifecycle;
pub mod names;
pub mod night;
pub mod responder;
pub mod sla;
pub mod source;
pub mod station;
pub mod taxonomy;
pub mod units;

pub use duration::Span;
pub use event::{
    Actor, Channel, Event, EventKind, FeedbackResult, Received, ReturnReason, Satisfaction,
};
pub use ids::{EventId, IncidentId};
pub use incident::{Incident, Status};
pub use lifecycle::{FoldError, TransitionError};
pub use names::Names;
pub use responder::{DutyStatus, Responder, RosterError};
pub use sla::{Clock, ClockName, ClockState, SlaPolicy};
pub use source::Source;
pub use taxonomy::{Class, DispatchMode, Priority, TriageDecision};
pub use units::Units;
