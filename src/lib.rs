//! fenliu (分流): the console of a street command room in the two-way diversion of police and
//! non-police incidents, and the district hub that feeds it.

pub mod cli;
pub mod clock;
pub mod command;
pub mod config;
pub mod demo;
pub mod domain;
pub mod hub;
pub mod identity;
pub mod intake;
pub mod protocol;
pub mod report;
pub mod sqlite;
pub mod store;
pub mod sync;
pub mod triage;
pub mod tui;
