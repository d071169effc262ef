//! fenliu (分流): the console of a street command room in the two-way diversion of police and
//! non-police incidents, and the district hub that feeds it.

pub mod cli;
pub mod config;
pub mod domain;
pub mod hub;
pub mod protocol;
pub mod store;
pub mod sync;
