//! The store's own thread: it carries out the console's commands through the command layer and
//! answers with the items that changed. The sync task shares its connection, so the only reason
//! to look at the file is a writer outside this process: `data_version` is watched for that.

use super::action::Action;
use crate::clock::Clock;
use crate::command::{self, Command, Context};
use crate::config::Lang;
use crate::domain::night::NightWindow;
use crate::domain::{Actor, Incident, IncidentId, Received, SlaPolicy};
use crate::intake::Intake;
use crate::store::{Stamp, Store, StoreError};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// How often another process's writes are looked for.
pub const POLL: Duration = Duration::from_millis(250);

/// How often the station's own rules (night holds, the escalation ladder) are worked out.
pub const RULES_EVERY: Duration = Duration::from_secs(5);

/// What the console asks of the store.
#[derive(Debug)]
pub enum Request {
    /// Carry out a command on the item with this id.
    Execute {
        id: IncidentId,
        command: Command,
    },
    Create(Box<Received>),
    /// Record a station event (war mode on or off) through the command layer.
    Station(crate::command::StationCommand),
    Timeline(IncidentId),
    /// The figures of this month so far.
    Report,
}

/// Who writes, on which clock, by which rules, and how new reports are taken in.
#[derive(Clone)]
pub struct Writer {
    pub actor: Actor,
    pub clock: Arc<dyn Clock>,
    /// How a report typed in by the officer is taken in.
    pub intake: Intake,
    pub policy: SlaPolicy,
    /// `[sla.war]`: the limits while the station is in war mode.
    pub war_policy: SlaPolicy,
    pub night: NightWindow,
    /// The language refusals are told in.
    pub lang: Lang,
    /// A dissatisfied callback reopens the item (`[callback]`).
    pub reopen_on_dissatisfied: bool,
    /// The targets the report view marks met or missed.
    pub targets: crate::report::Targets,
    /// Called after each successful write, and after another process wrote (sync pushes then).
    pub after_write: Option<Arc<dyn Fn() + Send + Sync>>,
}

impl Writer {
    /// The limits holding now: `[sla.war]` while the station's recorded mode is war.
    pub fn policy_for(&self, store: &Store) -> Result<SlaPolicy, StoreError> {
        Ok(match store.station_state()?.mode() {
            crate::domain::station::Mode::War => self.war_policy.clone(),
            crate::domain::station::Mode::Normal => self.policy.clone(),
        })
    }
}

/// The store, shared by the store thread and the sync task.
pub type Shared = Arc<Mutex<Store>>;

/// Starts the thread; it ends when `requests` closes. Replies arrive as actions on `replies`.
pub fn spawn(
    store: Shared,
    writer: Writer,
    requests: Receiver<Request>,
    replies: Sender<Action>,
) -> JoinHandle<()> {
    std::thread::spawn(move || {
        let mut seen = None;
        let mut first = true;
        let mut rules_at: Option<std::time::Instant> = None;
        loop {
            if rules_at.is_none_or(|t| t.elapsed() >= RULES_EVERY) {
                rules_at = Some(std::time::Instant::now());
                match with(&store, |s| run_rules(s, &writer)) {
                    Ok(changed) if !changed.is_empty() => {
                        if let Some(nudge) = &writer.after_write {
                            nudge();
                        }
                        let msg = Action::Remote {
                            incidents: changed,
                            roster: None,
                        };
                        if replies.send(msg).is_err() {
                            return;
                        }
                    }
                    Ok(_) => {}
                    Err(e) => {
                        tracing::error!(error = %e, "the station's rules could not be recorded")
                    }
                }
            }
            if first {
                first = false;
            } else {
                match requests.recv_timeout(POLL) {
                    Ok(req) => {
                        let reply = with(&store, |s| handle(s, &writer, req));
                        let reply = reply.unwrap_or_else(|e| {
                            tracing::error!(error = %e, "a store request failed");
                            Some(Action::StoreFailed(e.to_string()))
                        });
                        if let Some(action) = reply
                            && replies.send(action).is_err()
                        {
                            return;
                        }
                    }
                    Err(RecvTimeoutError::Timeout) => {}
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            }
            let version = with(&store, |s| s.data_version()).ok();
            if version == seen {
                continue;
            }
            let outside = seen.is_some();
            seen = version;
            let snapshot = with(&store, |s| {
                Ok((s.incidents(None)?, s.responders()?, s.station_state()?))
            });
            let msgs = match snapshot {
                Ok((incidents, roster, station)) => vec![
                    Action::Station(Box::new(station)),
                    Action::Snapshot { incidents, roster },
                ],
                Err(e) => vec![Action::StoreFailed(e.to_string())],
            };
            for msg in msgs {
                if replies.send(msg).is_err() {
                    return;
                }
            }
            if outside && let Some(nudge) = &writer.after_write {
                nudge();
            }
        }
    })
}

fn with<T>(
    store: &Shared,
    f: impl FnOnce(&mut Store) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let mut guard = store.lock().map_err(|_| StoreError::Corrupt {
        place: "console".into(),
        detail: "the store lock was poisoned".into(),
    })?;
    f(&mut guard)
}

/// Carries out one request; the answer for the screen, if any.
fn handle(store: &mut Store, writer: &Writer, req: Request) -> Result<Option<Action>, StoreError> {
    let now = writer.clock.now();
    let stamp = Stamp {
        actor: writer.actor.clone(),
        occurred_at: now,
        recorded_at: now,
    };
    let written = match req {
        Request::Report => return Ok(Some(Action::Report(Box::new(month(store, writer, now)?)))),
        Request::Timeline(id) => {
            let events = store.events_of(id)?.into_iter().map(|s| s.event).collect();
            return Ok(Some(Action::Timeline(id, events)));
        }
        Request::Execute { id, command } => {
            let Some(incident) = store.incident_by_id(id)? else {
                return Err(StoreError::NotFound(id.to_string()));
            };
            match execute(store, writer, &incident, &command, &stamp)? {
                Ok(incident) => incident,
                Err(why) => {
                    tracing::info!(%why, "command refused on the stored item");
                    return Ok(Some(Action::StoreFailed(why)));
                }
            }
        }
        Request::Station(command) => {
            let state = store.station_state()?;
            let kind = match crate::command::decide_station(&state, &command) {
                Ok(kind) => kind,
                Err(why) => return Ok(Some(Action::StoreFailed(why.to_string()))),
            };
            store.record_station(kind, &stamp)?;
            if let Some(nudge) = &writer.after_write {
                nudge();
            }
            return Ok(Some(Action::Station(Box::new(store.station_state()?))));
        }
        Request::Create(received) => {
            let mut received = *received;
            received.station = writer.actor.station.clone();
            let priority = Some(received.priority);
            writer.intake.record(store, received, priority, &stamp)?
        }
    };
    if let Some(nudge) = &writer.after_write {
        nudge();
    }
    Ok(Some(Action::Remote {
        incidents: vec![written],
        roster: Some(store.responders()?),
    }))
}

/// Records what the station's rules say is due now on every open item (night holds, escalation
/// steps reached); their ids are derived, so what another workstation or the hub recorded first
/// is the same event and is not written twice. Returns the items that changed.
pub fn run_rules(store: &mut Store, writer: &Writer) -> Result<Vec<Incident>, StoreError> {
    let now = writer.clock.now();
    let policy = writer.policy_for(store)?;
    let mut due = Vec::new();
    for status in crate::domain::Status::ALL
        .into_iter()
        .filter(|s| !s.is_terminal())
    {
        for i in store.incidents(Some(status))? {
            due.extend(command::automatic::due(&i, &policy, &writer.night, now));
        }
    }
    if due.is_empty() {
        return Ok(Vec::new());
    }
    store.append_events(&due)
}

/// The command layer decides on the stored item; the store records what it decided.
fn execute(
    store: &mut Store,
    writer: &Writer,
    incident: &Incident,
    command: &Command,
    stamp: &Stamp,
) -> Result<Result<Incident, String>, StoreError> {
    let policy = writer.policy_for(store)?;
    let context = Context {
        now: stamp.occurred_at,
        operator: &writer.actor.operator,
        policy: &policy,
        night: &writer.night,
        list: Some(writer.intake.classifier.list()),
        reopen_on_dissatisfied: writer.reopen_on_dissatisfied,
    };
    match command::decide(incident, command, &context) {
        Ok(kinds) => store.record_on(incident.id, kinds, stamp).map(Ok),
        Err(r) => Ok(Err(match writer.lang {
            Lang::Zh => r.zh(),
            Lang::En => r.en(),
        })),
    }
}

/// The figures from the 1st of this month (station time) to `now`, over the whole journal.
fn month(
    store: &Store,
    writer: &Writer,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<crate::report::Report, StoreError> {
    use chrono::{Datelike, TimeZone};
    let tz = writer.intake.tz;
    let today = now.with_timezone(&tz).date_naive();
    let first = today.with_day(1).unwrap_or(today);
    let from = tz
        .from_local_datetime(&first.and_time(chrono::NaiveTime::MIN))
        .earliest()
        .map_or(now, |t| t.with_timezone(&chrono::Utc));
    let mut tally = crate::report::Tally::default();
    store.scan_events(0, |e| {
        tally.add(e.pos, &e.event);
        Ok(())
    })?;
    let params = crate::report::Params {
        from,
        to: now,
        station: Some(writer.actor.station.clone()),
        policy: writer.policy_for(store)?,
        targets: writer.targets,
        tz,
        drills: false,
    };
    Ok(crate::report::report(&tally, &params))
}
