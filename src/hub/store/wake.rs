//! Per-station commit signals: a commit wakes the long-polls of the stations it wrote to and no
//! others, so that waking one station's consoles never walks every station's waiters.

use std::collections::HashMap;
use std::sync::RwLock;
use tokio::sync::watch;

/// One watch per station that has polled, holding the sequence of its latest committed event.
#[derive(Default)]
pub(super) struct Wake {
    stations: RwLock<HashMap<String, watch::Sender<i64>>>,
}

impl Wake {
    /// A receiver that changes when a commit writes one of `station`'s events.
    pub(super) fn subscribe(&self, station: &str) -> watch::Receiver<i64> {
        if let Ok(map) = self.stations.read()
            && let Some(tx) = map.get(station)
        {
            return tx.subscribe();
        }
        match self.stations.write() {
            Ok(mut map) => map
                .entry(station.to_string())
                .or_insert_with(|| watch::channel(0).0)
                .subscribe(),
            // A poisoned map never wakes anyone: polls still end at their deadline.
            Err(_) => watch::channel(0).1,
        }
    }

    /// Tells `station`'s waiters that its events up to `seq` are committed.
    pub(super) fn notify(&self, station: &str, seq: i64) {
        if let Ok(map) = self.stations.read()
            && let Some(tx) = map.get(station)
        {
            tx.send_if_modified(|s| {
                let changed = seq > *s;
                *s = (*s).max(seq);
                changed
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_commit_wakes_only_its_own_stations_waiters() {
        let wake = Wake::default();
        let mut dn = wake.subscribe("dn");
        let gz = wake.subscribe("gz");
        wake.notify("dn", 7);
        assert!(dn.has_changed().expect("open"));
        assert!(
            !gz.has_changed().expect("open"),
            "another station sleeps on"
        );
        assert_eq!(*dn.borrow_and_update(), 7);
        wake.notify("dn", 7);
        assert!(!dn.has_changed().expect("open"), "nothing new");
        wake.notify("nobody", 9);
        wake.notify("gz", 8);
        assert!(gz.has_changed().expect("open"));
    }
}
