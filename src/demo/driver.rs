//! The demo's imperative shell: a thread that plays the plan against the local store — reports
//! arriving, responders moving — on the demo's (possibly fast) clock.

use super::feed::FeedItem;
use super::hub::DemoHub;
use super::plan::{DemoAction, DemoPlan};
use crate::clock::Clock;
use crate::command::{self, Context};
use crate::domain::night::NightWindow;
use crate::domain::{Actor, Received, SlaPolicy, Status};
use crate::intake::Intake;
use crate::protocol::IntakeRequest;
use crate::store::{Stamp, Store, StoreError};
use crate::triage::Classifier;
use chrono::TimeDelta;
use chrono_tz::Tz;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// What the driver needs to know about the station.
#[derive(Clone)]
pub struct DemoStation {
    pub id: String,
    pub prefix: String,
    pub tz: Tz,
    pub policy: SlaPolicy,
    pub repeat_window: TimeDelta,
    /// The night window non-urgent reports are held in.
    pub night: crate::domain::night::NightWindow,
}

/// A running demo feed; stops when dropped or on [`Driver::stop`].
pub struct Driver {
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<Result<u64, StoreError>>>,
}

impl Driver {
    /// Starts the feed on its own thread, writing into the store in `dir`.
    pub fn spawn(
        dir: PathBuf,
        station: DemoStation,
        seed: u64,
        clock: Arc<dyn Clock>,
        classifier: Arc<Classifier>,
    ) -> Driver {
        let start = clock.now();
        Driver::spawn_from(dir, station, seed, clock, classifier, start, None)
    }

    /// As [`Driver::spawn`], with the feed starting at `start` (earlier than now to begin with a
    /// backlog of reports).
    pub fn spawn_from(
        dir: PathBuf,
        station: DemoStation,
        seed: u64,
        clock: Arc<dyn Clock>,
        classifier: Arc<Classifier>,
        start: chrono::DateTime<chrono::Utc>,
        hub: Option<Arc<DemoHub>>,
    ) -> Driver {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let handle = std::thread::spawn(move || {
            let mut store = Store::open_dir(&dir)?;
            let intake = Intake {
                classifier,
                prefix: station.prefix.clone(),
                tz: station.tz,
                repeat_window: station.repeat_window,
                night: station.night,
            };
            let mut plan = DemoPlan::new(seed, start, station.policy.clone(), station.tz);
            let mut done = 0u64;
            while !flag.load(Ordering::Relaxed) {
                let now = clock.now();
                let field = store.incidents(Some(Status::Dispatched))?;
                for action in plan.due(now, &field) {
                    let played = match (&hub, action) {
                        (Some(hub), DemoAction::Report { item, at }) => report(hub, item, at),
                        (_, action) => play(&mut store, &station, &intake, action, now)?,
                    };
                    done += u64::from(played);
                }
                std::thread::sleep(Duration::from_millis(200));
            }
            Ok(done)
        });
        Driver {
            stop,
            handle: Some(handle),
        }
    }

    /// Stops the feed and returns how many actions it recorded.
    pub fn stop(mut self) -> Result<u64, StoreError> {
        self.stop.store(true, Ordering::Relaxed);
        match self.handle.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Ok(0),
            None => Ok(0),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Sends a report through the hub as its 110/12345 connector, dated when the source took it.
fn report(hub: &DemoHub, item: FeedItem, at: chrono::DateTime<chrono::Utc>) -> bool {
    let request = IntakeRequest {
        source: item.source,
        source_ref: item.source_ref,
        text: item.text,
        address: Some(item.address),
        grid: Some(item.grid),
        community: None,
        phone: item.phone,
        priority: Some(item.priority),
        station: None,
        received_at: Some(at),
    };
    match hub.intake(&request) {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!("demo report not taken: {e}");
            false
        }
    }
}

/// Carries out one action; a responder step on an item that has moved on is skipped.
fn play(
    store: &mut Store,
    station: &DemoStation,
    intake: &Intake,
    action: DemoAction,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<bool, StoreError> {
    let actor = |operator: &str| Actor {
        operator: operator.to_string(),
        station: station.id.clone(),
        device: "demo".into(),
    };
    match action {
        DemoAction::Report { item, at } => {
            let received = Received {
                reference: String::new(),
                station: station.id.clone(),
                source: item.source,
                source_ref: Some(item.source_ref),
                text: item.text,
                address: Some(item.address),
                grid: Some(item.grid),
                community: None,
                phone: item.phone,
                priority: item.priority,
                drill: false,
                repeat_of: None,
            };
            let stamp = Stamp {
                actor: actor(item.source.code()),
                occurred_at: at,
                recorded_at: now,
            };
            let priority = Some(received.priority);
            intake.record(store, received, priority, &stamp)?;
            Ok(true)
        }
        DemoAction::Respond {
            reference,
            responder,
            command,
            at,
        } => {
            let stamp = Stamp {
                actor: actor(&responder),
                occurred_at: at,
                recorded_at: now,
            };
            let Some(incident) = store.incident(&reference)? else {
                return Ok(false);
            };
            let night = NightWindow {
                start: chrono::NaiveTime::MIN,
                end: chrono::NaiveTime::MIN,
                tz: station.tz,
            };
            let context = Context {
                now: at,
                operator: &responder,
                policy: &station.policy,
                night: &night,
                list: None,
                reopen_on_dissatisfied: false,
            };
            let Ok(kinds) = command::decide(&incident, &command, &context) else {
                return Ok(false);
            };
            match store.record_on(incident.id, kinds, &stamp) {
                Ok(_) => Ok(true),
                Err(StoreError::Transition(_) | StoreError::Roster(_)) => Ok(false),
                Err(other) => Err(other),
            }
        }
    }
}
