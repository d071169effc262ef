//! The demo: a simulated feed of reports for a living command room.

pub mod driver;
pub mod feed;
pub mod hub;
pub mod plan;
pub mod responders;
mod scenarios;

pub use feed::{Feed, FeedItem};
pub use plan::{DemoAction, DemoPlan};
