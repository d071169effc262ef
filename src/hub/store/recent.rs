//! The most recent events of each station, kept in memory by the writer after each commit so
//! that long-polls woken by a commit are answered without reading the database. Every event with
//! a sequence above a station's floor is held, so an answer from here is always complete.

use super::EventPage;
use crate::protocol::SeqEvent;
use std::collections::{HashMap, VecDeque};

/// Recent events by station.
pub(super) struct Recent {
    /// Every event above this sequence is held (for stations with no log yet).
    start: i64,
    cap: usize,
    stations: HashMap<String, Log>,
}

struct Log {
    floor: i64,
    events: VecDeque<SeqEvent>,
}

impl Recent {
    pub(super) fn new(start: i64, cap: usize) -> Recent {
        Recent {
            start,
            cap: cap.max(1),
            stations: HashMap::new(),
        }
    }

    /// Adds a committed event; events must come in sequence order.
    pub(super) fn add(&mut self, station: &str, event: SeqEvent) {
        let start = self.start;
        let log = self
            .stations
            .entry(station.to_string())
            .or_insert_with(|| Log {
                floor: start,
                events: VecDeque::new(),
            });
        log.events.push_back(event);
        if log.events.len() > self.cap
            && let Some(old) = log.events.pop_front()
        {
            log.floor = old.seq;
        }
    }

    /// The page after `after`, or `None` when older events are needed from the database.
    pub(super) fn read(&self, station: &str, after: i64, limit: usize) -> Option<EventPage> {
        let Some(log) = self.stations.get(station) else {
            return (after >= self.start).then(|| EventPage {
                events: Vec::new(),
                more: false,
            });
        };
        if after < log.floor {
            return None;
        }
        let from = log.events.partition_point(|e| e.seq <= after);
        let mut events: Vec<SeqEvent> = log
            .events
            .iter()
            .skip(from)
            .take(limit + 1)
            .cloned()
            .collect();
        let more = events.len() > limit;
        events.truncate(limit);
        Some(EventPage { events, more })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Actor, Event, EventId, EventKind, IncidentId};
    use chrono::DateTime;

    fn ev(seq: i64) -> SeqEvent {
        let at = DateTime::from_timestamp(1_800_000_000, 0).expect("time");
        SeqEvent {
            seq,
            event: Event {
                id: EventId::v7_at(at),
                incident: IncidentId::v7_at(at),
                actor: Actor {
                    operator: "o".into(),
                    station: "dn".into(),
                    device: "d".into(),
                },
                occurred_at: at,
                recorded_at: at,
                kind: EventKind::Claimed,
            },
        }
    }

    fn seqs(p: &EventPage) -> Vec<i64> {
        p.events.iter().map(|e| e.seq).collect()
    }

    #[test]
    fn serves_what_it_holds_and_refers_older_reads_to_the_database() {
        let mut r = Recent::new(10, 3);
        assert!(r.read("dn", 9, 10).is_none(), "below the start");
        assert_eq!(r.read("dn", 10, 10).map(|p| p.events.len()), Some(0));
        for seq in [11, 13, 14] {
            r.add("dn", ev(seq));
        }
        r.add("gz", ev(12));
        let page = r.read("dn", 10, 2).expect("held");
        assert_eq!((seqs(&page), page.more), (vec![11, 13], true));
        let page = r.read("dn", 13, 2).expect("held");
        assert_eq!((seqs(&page), page.more), (vec![14], false));
        r.add("dn", ev(15));
        assert!(
            r.read("dn", 10, 10).is_none(),
            "11 was trimmed: ask the database"
        );
        assert_eq!(seqs(&r.read("dn", 11, 10).expect("held")), vec![13, 14, 15]);
        assert_eq!(seqs(&r.read("gz", 10, 10).expect("held")), vec![12]);
    }
}
