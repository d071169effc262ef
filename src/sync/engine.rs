//! The sync task: push the outbox, pull with the persisted cursor, long-poll, back off with
//! jitter while the hub is away, publish status and notices. Store work runs off the async
//! threads; each pulled page is applied with its cursor in one transaction.

use super::plan::{self, backoff};
use super::{Client, SyncError};
use crate::domain::{Incident, Responder};
use crate::store::{Notice, Store, StoreError};
use chrono::{DateTime, TimeDelta, Utc};
use std::sync::{Arc, Mutex};
use tokio::sync::{Notify, mpsc, watch};
use tokio::task::JoinHandle;

/// Events pushed per request.
pub const PUSH_BATCH: usize = 200;
/// Events asked for per pull.
pub const PULL_PAGE: usize = 500;

/// What the console header shows about the hub.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SyncStatus {
    /// The last exchange with the hub succeeded.
    pub online: bool,
    /// When the last exchange succeeded.
    pub last_sync: Option<DateTime<Utc>>,
    /// Local events waiting for the hub (出站).
    pub outbox: i64,
    /// How far the hub's clock is ahead of ours, in milliseconds.
    pub skew_ms: Option<i64>,
    /// The skew is over 5 s: timers may be off.
    pub skew_warning: bool,
    /// Why the last exchange failed, for the officer.
    pub last_error: Option<String>,
    /// The hub turned out to be another one or a restored copy (recovered; see `doctor`).
    pub hub_warning: Option<String>,
    /// Since when the hub has been away and sync keeps retrying (重连).
    pub offline_since: Option<DateTime<Utc>>,
    /// The hub's address in use: the one that last answered, or the next to be tried.
    pub hub_url: Option<String>,
}

/// What one push-and-pull did.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Counts {
    pub pushed: usize,
    pub duplicates: usize,
    pub rejected: usize,
    pub pulled: usize,
    pub notices: Vec<Notice>,
    /// Set when the hub turned out to be another one or a restored copy.
    pub hub_warning: Option<String>,
}

/// What sync tells the screen, as it happens: no polling of the database is needed for it.
#[derive(Debug, Clone, PartialEq)]
pub enum Update {
    /// The hub refused a local event; the officer is told why.
    Notice(Notice),
    /// Items that changed by what was pulled or settled, with the roster as it now stands.
    Changed {
        incidents: Vec<Incident>,
        roster: Vec<Responder>,
    },
    /// Another workstation recorded station events: the station as it now stands.
    Station(Box<crate::domain::station::StationState>),
}

/// One console's sync with one hub.
pub struct Engine {
    client: Client,
    store: Arc<Mutex<Store>>,
    status: watch::Sender<SyncStatus>,
    updates: mpsc::UnboundedSender<Update>,
}

/// The running task's handles: status, updates, a nudge after local writes, and stop.
pub struct SyncHandle {
    pub status: watch::Receiver<SyncStatus>,
    pub updates: mpsc::UnboundedReceiver<Update>,
    nudge: Arc<Notify>,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl SyncHandle {
    /// Tells the task that local events wait to be pushed.
    pub fn nudge(&self) {
        self.nudge.notify_one();
    }

    /// A handle that nudges the task from elsewhere (e.g. the thread that writes the store).
    pub fn nudger(&self) -> Arc<Notify> {
        Arc::clone(&self.nudge)
    }

    /// Stops the task and waits for it.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

impl Engine {
    /// An engine over its own connection to the local store; also returns the updates' receiver.
    pub fn new(client: Client, store: Store) -> (Engine, mpsc::UnboundedReceiver<Update>) {
        Engine::shared(client, Arc::new(Mutex::new(store)))
    }

    /// An engine over a connection it shares with the console's store thread: its writes then
    /// reach the screen as [`Update`]s, never by the screen polling the file.
    pub fn shared(
        client: Client,
        store: Arc<Mutex<Store>>,
    ) -> (Engine, mpsc::UnboundedReceiver<Update>) {
        let (tx, rx) = mpsc::unbounded_channel();
        let (status, _) = watch::channel(SyncStatus::default());
        (
            Engine {
                client,
                store,
                status,
                updates: tx,
            },
            rx,
        )
    }

    /// Tells the screen about items that changed (nothing when none did).
    async fn publish(&self, incidents: Vec<Incident>) -> Result<(), SyncError> {
        if incidents.is_empty() {
            return Ok(());
        }
        let roster = self.with_store(|s| s.responders()).await?;
        let _ = self.updates.send(Update::Changed { incidents, roster });
        Ok(())
    }

    /// Status updates.
    pub fn subscribe(&self) -> watch::Receiver<SyncStatus> {
        self.status.subscribe()
    }

    async fn with_store<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, SyncError> {
        super::identity::with_store(&self.store, f).await
    }

    /// The hub answered: it is online, this is the last successful exchange, and its clock
    /// is measured against ours.
    fn note_exchange(&self, sent: DateTime<Utc>, hub_time: DateTime<Utc>) {
        let received = self.client.now();
        let previous = self.status.borrow().skew_ms.map(TimeDelta::milliseconds);
        let skew = plan::refine(previous, sent, received, hub_time);
        let url = self.client.base().to_string();
        self.status.send_modify(|s| {
            s.hub_url = Some(url);
            s.online = true;
            s.last_sync = Some(received);
            s.offline_since = None;
            s.last_error = None;
            s.skew_ms = Some(skew.num_milliseconds());
            s.skew_warning = plan::skew_is_large(skew);
        });
    }

    /// Refreshes the outbox count; only an answer from the hub marks it online.
    async fn mark_online(&self) -> Result<(), SyncError> {
        let outbox = self.with_store(|s| s.outbox_len()).await?;
        self.status.send_modify(|s| s.outbox = outbox);
        Ok(())
    }

    fn mark_offline(&self, e: &SyncError) {
        tracing::warn!(error = %e, "sync with the hub failed");
        let now = self.client.now();
        let url = self.client.base().to_string();
        self.status.send_modify(|s| {
            s.hub_url = Some(url);
            s.online = false;
            s.offline_since.get_or_insert(now);
            s.last_error = Some(e.to_string());
        });
    }

    /// Pushes the whole outbox in batches.
    pub async fn push_all(&self, counts: &mut Counts) -> Result<(), SyncError> {
        loop {
            let (batch, head) = self
                .with_store(|s| {
                    let batch = s.outbox(PUSH_BATCH)?;
                    let head = match batch.last() {
                        Some(e) => s.head_after(e.id)?,
                        None => None,
                    };
                    Ok((batch, head))
                })
                .await?;
            if batch.is_empty() {
                return Ok(());
            }
            let head = head.map(|h| self.client.head(h));
            let sent = self.client.now();
            let answer = self.client.push_with_head(&batch, head).await?;
            self.note_exchange(sent, answer.hub_time);
            if answer.results.len() != batch.len()
                || answer
                    .results
                    .iter()
                    .zip(&batch)
                    .any(|(r, e)| r.id() != e.id)
            {
                return Err(SyncError::Decode(
                    "the hub's answers do not match the events sent".into(),
                ));
            }
            let settlement = plan::settle(&answer.results);
            counts.pushed += settlement.accepted.len() - settlement.duplicates;
            counts.duplicates += settlement.duplicates;
            counts.rejected += settlement.rejected.len();
            let (notices, changed) = self
                .with_store(move |s| s.settle_push(&settlement.accepted, &settlement.rejected))
                .await?;
            self.publish(changed).await?;
            for n in &notices {
                tracing::warn!(reference = %n.reference, reason = %n.message, "the hub refused an event");
                let _ = self.updates.send(Update::Notice(n.clone()));
            }
            counts.notices.extend(notices);
        }
    }

    /// Pulls until the hub has nothing more; the first request may wait `wait` seconds.
    pub async fn pull_all(&self, wait: u64, counts: &mut Counts) -> Result<(), SyncError> {
        let mut wait = wait;
        loop {
            let cursor = self.with_store(|s| s.pull_cursor()).await?;
            let sent = self.client.now();
            let page = self.client.pull(cursor, wait, PULL_PAGE).await?;
            self.note_exchange(sent, page.hub_time);
            if let Some((warning, _)) =
                super::identity::check(&self.client, &self.store, &page, cursor).await?
            {
                self.status
                    .send_modify(|s| s.hub_warning = Some(warning.clone()));
                counts.hub_warning = Some(warning);
                wait = 0;
                continue;
            }
            let more = page.more;
            let last = page.last_seq;
            let events: Vec<_> = page.events.into_iter().map(|e| (e.seq, e.event)).collect();
            let pulled = self
                .with_store(move |s| s.apply_pulled(&events, last))
                .await?;
            counts.pulled += pulled.new_events;
            if pulled.station_events > 0 {
                let state = self.with_store(|s| s.station_state()).await?;
                let _ = self.updates.send(Update::Station(Box::new(state)));
            }
            self.publish(pulled.changed).await?;
            if !more {
                return Ok(());
            }
            wait = 0;
        }
    }

    /// Push, then pull everything new, without waiting.
    pub async fn once(&self) -> Result<Counts, SyncError> {
        let mut counts = Counts::default();
        let result = async {
            self.push_all(&mut counts).await?;
            self.pull_all(0, &mut counts).await
        }
        .await;
        match result {
            Ok(()) => {
                self.mark_online().await?;
                Ok(counts)
            }
            Err(e) => {
                self.mark_offline(&e);
                Err(e)
            }
        }
    }

    /// Fills an empty local store with the station's whole history.
    pub async fn rebuild(&self) -> Result<Counts, SyncError> {
        let (events, cursor) = self
            .with_store(|s| Ok((s.event_count()?, s.pull_cursor()?)))
            .await?;
        if events > 0 || cursor > 0 {
            return Err(SyncError::Settings(format!(
                "the local store already holds {events} events; rebuild needs an empty data directory (move the old fenliu.db away first)"
            )));
        }
        let mut counts = Counts::default();
        self.pull_all(0, &mut counts).await?;
        self.mark_online().await?;
        Ok(counts)
    }

    /// Runs until `stop` turns true: push, long-poll, and back off while the hub is away.
    pub async fn run(self, poll_wait: u64, nudge: Arc<Notify>, mut stop: watch::Receiver<bool>) {
        let mut attempt = 0u32;
        while !*stop.borrow() {
            let result = self.cycle(poll_wait, &nudge, &mut stop).await;
            match result {
                Ok(()) => attempt = 0,
                Err(e) => {
                    self.mark_offline(&e);
                    if let Ok(n) = self.with_store(|s| s.outbox_len()).await {
                        self.status.send_modify(|s| s.outbox = n);
                    }
                    let delay = backoff(attempt, rand::random::<f64>());
                    attempt = attempt.saturating_add(1);
                    tokio::select! {
                        _ = tokio::time::sleep(delay) => {},
                        _ = nudge.notified() => {},
                        _ = stop.changed() => {},
                    }
                }
            }
        }
    }

    async fn cycle(
        &self,
        poll_wait: u64,
        nudge: &Notify,
        stop: &mut watch::Receiver<bool>,
    ) -> Result<(), SyncError> {
        let mut counts = Counts::default();
        self.push_all(&mut counts).await?;
        self.mark_online().await?;
        // Until the hub has answered, ask without waiting: the header learns at once that it
        // is there.
        let wait = if self.status.borrow().online {
            poll_wait
        } else {
            0
        };
        tokio::select! {
            r = self.pull_all(wait, &mut counts) => {
                r?;
                self.mark_online().await?;
            }
            _ = nudge.notified() => {},
            _ = stop.changed() => {},
        }
        Ok(())
    }
}

/// Starts the sync task on the current runtime, over its own connection to the store.
pub fn spawn(client: Client, store: Store, poll_wait: u64) -> SyncHandle {
    spawn_shared(client, Arc::new(Mutex::new(store)), poll_wait)
}

/// Starts the sync task on the current runtime, over a connection shared with the caller.
pub fn spawn_shared(client: Client, store: Arc<Mutex<Store>>, poll_wait: u64) -> SyncHandle {
    let (engine, updates) = Engine::shared(client, store);
    let status = engine.subscribe();
    let nudge = Arc::new(Notify::new());
    let (stop_tx, stop_rx) = watch::channel(false);
    let task = tokio::spawn(engine.run(poll_wait, nudge.clone(), stop_rx));
    SyncHandle {
        status,
        updates,
        nudge,
        stop: stop_tx,
        task,
    }
}
