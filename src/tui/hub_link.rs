//! The console's link to the district hub: starts the sync task when `[hub]` is configured and
//! turns its status, the items it changed and its notices into actions. The console itself
//! never speaks HTTP.

use super::action::Action;
use super::app::HubState;
use crate::clock::Clock;
use crate::sync::{self, Client, SyncHandle, Update};
use color_eyre::eyre::{Result, WrapErr};
use std::sync::Arc;
use std::sync::mpsc::Sender;

/// What the header shows of the sync task's status; the address in use only when `several`
/// addresses are configured to fail over between (with one, the header has no need of it).
fn header_state(s: &sync::SyncStatus, several: bool) -> HubState {
    HubState {
        online: s.online,
        outbox: s.outbox,
        skew_warning: s.skew_warning,
        hub_changed: s.hub_warning.is_some(),
        last_sync: s.last_sync,
        offline_since: s.offline_since,
        address: s
            .hub_url
            .as_deref()
            .filter(|_| several)
            .map(sync::host_and_port),
    }
}

/// A running sync task and the runtime it lives on.
pub struct HubLink {
    runtime: tokio::runtime::Runtime,
    handle: SyncHandle,
}

/// Seconds a pull waits at the hub for news.
const POLL_WAIT: u64 = 25;

impl HubLink {
    /// Starts sync with the hub in `settings`, measuring time on the console's `clock`, over
    /// the store connection the console's store thread uses.
    pub fn start(
        settings: &sync::Settings,
        clock: Arc<dyn Clock>,
        store: super::store_thread::Shared,
        actions: Sender<Action>,
    ) -> Result<HubLink> {
        let client = Client::new(settings)?.with_clock(clock);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .wrap_err("cannot start the sync runtime")?;
        let mut handle = {
            let _entered = runtime.enter();
            sync::spawn_shared(client, store, POLL_WAIT)
        };
        let mut status = handle.status.clone();
        let several = settings.addresses().len() > 1;
        let to_header = actions.clone();
        runtime.spawn(async move {
            loop {
                let state = header_state(&status.borrow_and_update(), several);
                if to_header.send(Action::Hub(state)).is_err() || status.changed().await.is_err() {
                    return;
                }
            }
        });
        let (_, idle) = tokio::sync::mpsc::unbounded_channel();
        let mut updates = std::mem::replace(&mut handle.updates, idle);
        runtime.spawn(async move {
            while let Some(update) = updates.recv().await {
                let action = match update {
                    Update::Notice(n) => Action::Notice(format!("{}: {}", n.reference, n.message)),
                    Update::Changed { incidents, roster } => Action::Remote {
                        incidents,
                        roster: Some(roster),
                    },
                    Update::Station(state) => Action::Station(state),
                };
                if actions.send(action).is_err() {
                    return;
                }
            }
        });
        Ok(HubLink { runtime, handle })
    }

    /// Something to call after each local write so it is pushed at once.
    pub fn nudger(&self) -> Arc<dyn Fn() + Send + Sync> {
        let notify = self.handle.nudger();
        Arc::new(move || notify.notify_one())
    }

    /// Stops the task, letting an exchange under way finish.
    pub fn stop(self) {
        let HubLink { runtime, handle } = self;
        runtime.block_on(handle.stop());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(url: &str) -> sync::SyncStatus {
        sync::SyncStatus {
            online: false,
            outbox: 3,
            hub_warning: Some("另一个中心".into()),
            hub_url: Some(url.into()),
            ..sync::SyncStatus::default()
        }
    }

    #[test]
    fn the_header_names_the_address_in_use_only_when_several_are_configured() {
        let s = status("https://127.0.0.1:8443/fenliu");
        let several = header_state(&s, true);
        assert_eq!(several.address.as_deref(), Some("127.0.0.1:8443"));
        assert_eq!(
            (several.online, several.outbox, several.hub_changed),
            (false, 3, true)
        );
        assert_eq!(header_state(&s, false).address, None);
        let moved = header_state(&status("http://127.0.0.1:9000"), true);
        assert_eq!(moved.address.as_deref(), Some("127.0.0.1:9000"));
    }
}
