//! The hub runs the escalation ladder (三周三级) for the items it holds: the steps each unresolved
//! item has reached are recorded through the same push path as a station's events. Their ids are
//! derived from (item, level), so a step a workstation recorded first is a duplicate here, and one
//! recorded here first is a duplicate when the workstation pushes it.

use super::store::{HubStore, HubStoreError, Push};
use crate::command::automatic;
use crate::domain::{Incident, IncidentId, SlaPolicy};
use crate::protocol::PushOutcome;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Weak};
use std::time::Duration;

/// How often the hub works the ladder out.
pub const EVERY: Duration = Duration::from_secs(600);

/// Records every step due at `now` on every station's items; returns how many were new.
pub fn run_once(
    store: &dyn HubStore,
    policy: &SlaPolicy,
    now: DateTime<Utc>,
) -> Result<usize, HubStoreError> {
    let mut recorded = 0;
    for station in store.stations()? {
        let mut items: HashMap<IncidentId, Incident> = HashMap::new();
        let mut after = 0;
        loop {
            let page = store.events_after(&station.id, after, crate::protocol::MAX_PAGE)?;
            for e in &page.events {
                after = after.max(e.seq);
                match items.get_mut(&e.event.incident) {
                    Some(i) => {
                        let _ = i.apply(&e.event);
                    }
                    None => {
                        if let Ok(i) = Incident::from_received(&e.event) {
                            items.insert(i.id, i);
                        }
                    }
                }
            }
            if !page.more || page.events.is_empty() {
                break;
            }
        }
        let events: Vec<_> = items
            .values()
            .flat_map(|i| automatic::escalations(i, policy, now))
            .collect();
        if events.is_empty() {
            continue;
        }
        let outcomes = store.push(Push {
            station: station.id.clone(),
            events,
            now,
            head: None,
        })?;
        recorded += outcomes
            .iter()
            .filter(|o| matches!(o, PushOutcome::Accepted { .. }))
            .count();
    }
    Ok(recorded)
}

/// Works the ladder out every [`EVERY`] on the hub's clock, until the task is aborted or the
/// store is gone. The store is held only while the ladder runs, so a stopped hub's database is
/// closed when the hub stops.
pub async fn run(store: Weak<dyn HubStore>, clock: Arc<dyn crate::clock::Clock>) {
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + EVERY, EVERY);
    loop {
        tick.tick().await;
        let Some(store) = store.upgrade() else {
            return;
        };
        let now = clock.now();
        let done = tokio::task::spawn_blocking(move || {
            run_once(store.as_ref(), &SlaPolicy::default(), now)
        })
        .await;
        match done {
            Ok(Ok(n)) if n > 0 => tracing::info!(recorded = n, "escalation ladder steps recorded"),
            Ok(Err(e)) => tracing::warn!(error = %e, "the escalation ladder could not be recorded"),
            _ => {}
        }
    }
}
