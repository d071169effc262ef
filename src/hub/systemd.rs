//! Telling systemd how the hub is doing, for a `Type=notify` unit: ready once its database is
//! migrated and its addresses are bound, a watchdog ping while it serves when the unit asks for
//! one (`WatchdogSec=`), and stopping as soon as it begins to stop. Outside systemd (no
//! `NOTIFY_SOCKET`) none of this does anything.

use sd_notify::NotifyState;
use std::time::Duration;
use tokio::sync::watch;

/// The hub serves: migrations are done and every listener is bound.
pub fn ready() {
    send(&[NotifyState::Ready, NotifyState::Status("serving")]);
}

/// The hub has begun its graceful stop.
pub fn stopping() {
    send(&[NotifyState::Stopping, NotifyState::Status("stopping")]);
}

/// How often to ping: half the watchdog's period, when the unit set one for this process.
pub fn watchdog_period() -> Option<Duration> {
    sd_notify::watchdog_enabled()
        .filter(|d| !d.is_zero())
        .map(|d| d / 2)
}

/// Pings the watchdog from the hub's runtime until `stop` turns true, so a runtime that no
/// longer runs its tasks stops pinging and systemd restarts the hub.
pub async fn watchdog(period: Duration, mut stop: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => send(&[NotifyState::Watchdog]),
            _ = stop.wait_for(|s| *s) => return,
        }
    }
}

fn send(states: &[NotifyState]) {
    if let Err(e) = sd_notify::notify(states) {
        tracing::warn!("cannot notify systemd: {e}");
    }
}
