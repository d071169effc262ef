//! The demo's pure planner: given the simulated time and the items out in the field, what happens
//! next — new reports arriving, responders setting off, arriving and reporting back.

use super::feed::{Feed, FeedItem};
use super::responders::react;
use crate::command::Command;
use crate::domain::{Incident, IncidentId, SlaPolicy, Status};
use chrono::{DateTime, Timelike, Utc};
use chrono_tz::Tz;
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::collections::{BTreeMap, HashSet};

/// Something the demo should do now.
#[derive(Debug, Clone, PartialEq)]
pub enum DemoAction {
    /// A report arrives, stated as received at `at`.
    Report { item: FeedItem, at: DateTime<Utc> },
    /// A responder's step on an item, at `at`.
    Respond {
        reference: String,
        responder: String,
        command: Command,
        at: DateTime<Utc>,
    },
}

/// Planner state: the feed, when the next report is due, and responders' steps still to come.
pub struct DemoPlan {
    feed: Feed,
    rng: StdRng,
    policy: SlaPolicy,
    tz: Tz,
    next_report: DateTime<Utc>,
    planned: HashSet<(IncidentId, u32)>,
    schedule: BTreeMap<(DateTime<Utc>, u64), (String, String, Command)>,
    counter: u64,
}

impl DemoPlan {
    /// A plan starting at `start`; the same seed plays the same night.
    pub fn new(seed: u64, start: DateTime<Utc>, policy: SlaPolicy, tz: Tz) -> DemoPlan {
        let mut plan = DemoPlan {
            feed: Feed::new(seed),
            rng: StdRng::seed_from_u64(seed ^ 0x5eed),
            policy,
            tz,
            next_report: start,
            planned: HashSet::new(),
            schedule: BTreeMap::new(),
            counter: 0,
        };
        plan.next_report = start + plan.gap_at(start);
        plan
    }

    fn gap_at(&mut self, at: DateTime<Utc>) -> chrono::TimeDelta {
        let hour = at.with_timezone(&self.tz).hour();
        self.feed.next_gap(hour)
    }

    /// Everything due at or before `now`, in time order. `field` is every item currently known;
    /// newly dispatched ones get their responders' steps planned.
    pub fn due(&mut self, now: DateTime<Utc>, field: &[Incident]) -> Vec<DemoAction> {
        for incident in field {
            self.plan_responders(incident);
        }
        let mut out = Vec::new();
        while self.next_report <= now {
            let at = self.next_report;
            out.push(DemoAction::Report {
                item: self.feed.next_item(),
                at,
            });
            self.next_report = at + self.gap_at(at);
        }
        while let Some(entry) = self.schedule.first_entry() {
            if entry.key().0 > now {
                break;
            }
            let ((at, _), (reference, responder, command)) = entry.remove_entry();
            out.push(DemoAction::Respond {
                reference,
                responder,
                command,
                at,
            });
        }
        out.sort_by_key(|a| match a {
            DemoAction::Report { at, .. } | DemoAction::Respond { at, .. } => *at,
        });
        out
    }

    fn plan_responders(&mut self, incident: &Incident) {
        let Some(dispatched_at) = incident.dispatched_at else {
            return;
        };
        if incident.status != Status::Dispatched
            || !self.planned.insert((incident.id, incident.round))
        {
            return;
        }
        let Some(lead) = incident.responders.first() else {
            return;
        };
        for step in react(&mut self.rng, lead, &self.policy) {
            self.counter += 1;
            self.schedule.insert(
                (dispatched_at + step.after, self.counter),
                (incident.reference.clone(), lead.clone(), step.command),
            );
        }
    }
}
