//! The pure core: ids, the incident and its events, the lifecycle, responders, timers and taxonomy.
//! No IO and no clock reads: time always comes in as an argument.

pub mod taxonomy;
