//! Taking in a new report: triage it, link it to an earlier call from the same phone or place,
//! and record both in one transaction. The command line, the console and the demo all use this.

use crate::domain::night::NightWindow;
use crate::domain::{EventKind, Incident, Priority, Received};
use crate::store::{Stamp, Store, StoreError};
use crate::triage::{self, Classifier};
use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use std::sync::Arc;

/// Where and how reports are taken in. Built once by each shell and kept.
#[derive(Clone)]
pub struct Intake {
    pub classifier: Arc<Classifier>,
    /// Reference prefix of this workstation (the station's, plus its number when it syncs).
    pub prefix: String,
    /// The station's time zone: references count per local day.
    pub tz: Tz,
    /// Repeat calls are looked for this far back.
    pub repeat_window: TimeDelta,
    /// The night window: a non-urgent item received inside it is held on arrival.
    pub night: NightWindow,
}

impl Intake {
    /// Records `received` (its reference is assigned here) with its triage and repeat link.
    /// Without a stated `priority` the item takes its category's, raised by red flags. A
    /// non-urgent item received inside the night window is held on arrival (夜间留存).
    pub fn record(
        &self,
        store: &mut Store,
        mut received: Received,
        priority: Option<Priority>,
        stamp: &Stamp,
    ) -> Result<Incident, StoreError> {
        let decision = self.classifier.classify(&received.text);
        received.priority = priority.unwrap_or(decision.priority);
        received.repeat_of = find_repeat(
            store,
            received.phone.as_deref(),
            received.address.as_deref(),
            stamp.occurred_at,
            self.repeat_window,
        )?;
        let day = stamp.occurred_at.with_timezone(&self.tz).date_naive();
        let incident = store.create_incident(
            received,
            &self.prefix,
            day,
            vec![EventKind::Triaged(decision)],
            stamp,
        )?;
        match crate::command::automatic::night_hold(&incident, &self.night) {
            Some(hold) => Ok(store
                .append_events(&[hold])?
                .into_iter()
                .next()
                .unwrap_or(incident)),
            None => Ok(incident),
        }
    }
}

/// The earliest item within the window from the same phone or address, if any (重复报警).
pub fn find_repeat(
    store: &Store,
    phone: Option<&str>,
    address: Option<&str>,
    now: DateTime<Utc>,
    window: TimeDelta,
) -> Result<Option<String>, StoreError> {
    if phone.is_none() && address.is_none() {
        return Ok(None);
    }
    let candidates = store.incidents_received_since(now - window)?;
    Ok(repeat_among(&candidates, phone, address, now, window))
}

/// The first of `candidates` (oldest first) within the window from the same phone or address:
/// the reference a new item's `repeat_of` names. The console and the hub both decide with this.
pub fn repeat_among(
    candidates: &[Incident],
    phone: Option<&str>,
    address: Option<&str>,
    now: DateTime<Utc>,
    window: TimeDelta,
) -> Option<String> {
    let phone = phone.map(triage::normalize_phone).filter(|p| !p.is_empty());
    let address = address
        .map(triage::normalize_address)
        .filter(|a| !a.is_empty());
    if phone.is_none() && address.is_none() {
        return None;
    }
    let same = |i: &Incident| {
        let by_phone = phone.is_some() && i.phone.as_deref().map(triage::normalize_phone) == phone;
        let by_address =
            address.is_some() && i.address.as_deref().map(triage::normalize_address) == address;
        (by_phone || by_address) && triage::is_within(i.received_at, now, window)
    };
    candidates
        .iter()
        .find(|i| same(i))
        .map(|i| i.reference.clone())
}
