//! A station's pushed station events (mode switched, shift note, sampling): checked for the
//! station whose token pushed them and recorded in the station's sequence, so every one of its
//! workstations pulls them like item events.

use super::HubStoreError;
use super::writer::{Fresh, insert_event};
use crate::domain::Event;
use crate::domain::station;
use crate::protocol::{PushOutcome, RejectCode};

/// Records one station event of `station` (its actor already checked to be that station's).
pub(super) fn push_station(
    conn: &rusqlite::Connection,
    event: &Event,
    station_id: &str,
    fresh: &mut Fresh,
) -> Result<PushOutcome, HubStoreError> {
    if let Err(why) = station::check(event) {
        return Ok(PushOutcome::Rejected {
            id: event.id,
            code: RejectCode::IllegalTransition,
            reason: why.to_string(),
        });
    }
    let seq = insert_event(conn, event, station_id, fresh)?;
    Ok(PushOutcome::Accepted { id: event.id, seq })
}
