//! The store's own thread: it owns the SQLite connection, carries out writes, and watches
//! `data_version` so that items written by another process appear within a second.

use super::action::Action;
use crate::clock::Clock;
use crate::domain::{Actor, EventKind, IncidentId, Received};
use crate::intake::Intake;
use crate::store::{Stamp, Store};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

/// How often another process's writes are looked for.
pub const POLL: Duration = Duration::from_millis(250);

/// What the console asks of the store.
#[derive(Debug)]
pub enum Request {
    Record {
        reference: String,
        kinds: Vec<EventKind>,
    },
    Create(Box<Received>),
    Timeline(IncidentId),
}

/// Who writes, on which clock, and how new reports are taken in.
#[derive(Clone)]
pub struct Writer {
    pub actor: Actor,

    pub clock: Arc<dyn Clock>,
    /// How a report typed in by the officer is taken in.
    pub intake: Intake,
    /// Called after each successful write (sync pushes it at once).
    pub after_write: Option<Arc<dyn Fn() + Send + Sync>>,
}

/// Starts the thread; it ends when `requests` closes. Replies arrive as actions on `replies`.
pub fn spawn(
    dir: PathBuf,
    writer: Writer,
    requests: Receiver<Request>,
    replies: Sender<Action>,
) -> JoinHandle<()> {
    std::thread::spawn(move || {
        let mut store = match Store::open_dir(&dir) {
            Ok(s) => s,
            Err(e) => {
                let _ = replies.send(Action::StoreFailed(e.to_string()));
                return;
            }
        };
        let mut seen = None;
        loop {
            let mut changed = false;
            match requests.recv_timeout(POLL) {
                Ok(req) => {
                    changed = handle(&mut store, &writer, req, &replies);
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return,
            }
            let version = store.data_version().ok();
            if changed || version != seen {
                seen = version;
                let snapshot = store
                    .incidents(None)
                    .and_then(|incidents| Ok((incidents, store.responders()?)));
                let msg = match snapshot {
                    Ok((incidents, roster)) => Action::Snapshot { incidents, roster },
                    Err(e) => Action::StoreFailed(e.to_string()),
                };
                if replies.send(msg).is_err() {
                    return;
                }
            }
        }
    })
}

fn handle(store: &mut Store, writer: &Writer, req: Request, replies: &Sender<Action>) -> bool {
    let now = writer.clock.now();
    let stamp = Stamp {
        actor: writer.actor.clone(),
        occurred_at: now,
        recorded_at: now,
    };
    let result = match req {
        Request::Timeline(id) => {
            let msg = match store.events_of(id) {
                Ok(events) => Action::Timeline(id, events.into_iter().map(|s| s.event).collect()),
                Err(e) => Action::StoreFailed(e.to_string()),
            };
            let _ = replies.send(msg);
            return false;
        }
        Request::Record { reference, kinds } => store.record(&reference, kinds, &stamp).map(|_| ()),
        Request::Create(received) => {
            let mut received = *received;
            received.station = writer.actor.station.clone();
            writer.intake.record(store, received, &stamp).map(|_| ())
        }
    };
    match result {
        Ok(()) => {
            if let Some(nudge) = &writer.after_write {
                nudge();
            }
        }
        Err(e) => {
            let _ = replies.send(Action::StoreFailed(e.to_string()));
        }
    }
    true
}
