//! The recent events of every station, held in memory by following the events table in sequence
//! order: one read per wake-up for the whole process, instead of one per waiting long-poll.
//! Sequence order is commit order, so once a number is visible every number below it is, and
//! what is held is complete up to the highest number read. Long-polls are woken only after the
//! events that woke them are held.

use super::super::EventPage;
use super::super::recent::Recent;
use super::bump;
use super::read::parse;
use crate::protocol::SeqEvent;
use sqlx_core::query::query;
use sqlx_core::row::Row;
use sqlx_postgres::{PgPool, Postgres};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::watch;

/// Events held per station.
const PER_STATION: usize = 1000;
/// Events read at most per query.
const PAGE: i64 = 2000;

/// What this process holds of the recent events.
pub(super) struct Tail {
    recent: Mutex<Recent>,
    /// Every event up to here is held (above each station's floor).
    held: AtomicI64,
    /// A stored event could not be read: answer every page from the database.
    broken: AtomicBool,
}

impl Tail {
    /// Holding nothing yet, complete from `last` on.
    pub(super) fn new(last: i64) -> Tail {
        Tail {
            recent: Mutex::new(Recent::new(last, PER_STATION)),
            held: AtomicI64::new(last),
            broken: AtomicBool::new(false),
        }
    }

    /// The station's page after `after` from memory, or `None` when the database must answer.
    pub(super) fn read(&self, station: &str, after: i64, limit: usize) -> Option<EventPage> {
        if self.broken.load(Ordering::Acquire) || after > self.held.load(Ordering::Acquire) {
            return None;
        }
        self.recent
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .read(station, after, limit)
    }
}

/// Reads what `announced` says was committed into `tail`, then tells the long-polls on `seq`.
pub(super) async fn follow(
    pool: PgPool,
    tail: std::sync::Arc<Tail>,
    mut announced: watch::Receiver<i64>,
    seq: watch::Sender<i64>,
) {
    loop {
        let target = *announced.borrow_and_update();
        while tail.held.load(Ordering::Acquire) < target {
            match load(&pool, &tail).await {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "the hub cannot read its recent events");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        }
        bump(&seq, tail.held.load(Ordering::Acquire).max(target));
        if announced.changed().await.is_err() {
            return;
        }
    }
}

/// Reads one page of events above what is held; how many it read.
async fn load(pool: &PgPool, tail: &Tail) -> Result<usize, super::HubStoreError> {
    let held = tail.held.load(Ordering::Acquire);
    let rows = query::<Postgres>(
        "SELECT seq, station, body FROM events WHERE seq > $1 ORDER BY seq LIMIT $2",
    )
    .bind(held)
    .bind(PAGE)
    .fetch_all(pool)
    .await?;
    let mut recent = tail.recent.lock().unwrap_or_else(PoisonError::into_inner);
    let mut last = held;
    for r in &rows {
        let seq: i64 = r.try_get(0)?;
        let station: String = r.try_get(1)?;
        match parse(&format!("event {seq}"), &r.try_get::<String, _>(2)?) {
            Ok(event) => recent.add(&station, SeqEvent { seq, event }),
            Err(e) => {
                tracing::warn!(error = %e, "a stored event cannot be read; pages come from the database");
                tail.broken.store(true, Ordering::Release);
            }
        }
        last = seq;
    }
    tail.held.store(last, Ordering::Release);
    Ok(rows.len())
}
