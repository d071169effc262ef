//! Station events in the local journal: recorded in the same hash chain as items' events, and the
//! station's state folded from them (the hub's order for accepted ones, then the pending ones).

use super::{Stamp, Store, StoreError, corrupt, journal};
use crate::domain::station::{self, STATION_ITEM, StationKind, StationState};
use crate::domain::{Event, EventId, EventKind};
use rusqlite::TransactionBehavior;

impl Store {
    /// Records one station event (mode switch, shift note, sampling) and returns it.
    pub fn record_station(
        &mut self,
        kind: StationKind,
        stamp: &Stamp,
    ) -> Result<Event, StoreError> {
        let event = Event {
            id: EventId::v7_at(stamp.recorded_at),
            incident: STATION_ITEM,
            actor: stamp.actor.clone(),
            occurred_at: stamp.occurred_at,
            recorded_at: stamp.recorded_at,
            kind: EventKind::Station { station: kind },
        };
        self.append_station(std::slice::from_ref(&event))?;
        Ok(event)
    }

    /// Appends station events made here or elsewhere; one already in the journal is skipped.
    /// Returns how many were new.
    pub fn append_station(&mut self, events: &[Event]) -> Result<usize, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut fresh = 0;
        for event in events {
            station::check(event).map_err(|e| corrupt("station event", e))?;
            if !journal::holds(&tx, event.id)? {
                journal::append(&tx, event)?;
                fresh += 1;
            }
        }
        tx.commit()?;
        Ok(fresh)
    }

    /// The station's events as they stand: those the hub accepted in its order, then the pending
    /// ones in local order; rejected ones are left out.
    pub fn station_events(&self) -> Result<Vec<Event>, StoreError> {
        let (accepted, pending) = super::sync::split_of(&self.conn, STATION_ITEM)?;
        Ok(accepted.into_iter().chain(pending).collect())
    }

    /// The station's state: its mode, notes and samples.
    pub fn station_state(&self) -> Result<StationState, StoreError> {
        Ok(StationState::fold(&self.station_events()?))
    }
}
