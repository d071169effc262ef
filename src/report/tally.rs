//! One pass over the journal: each item's times, as recorded (the stated times of late entry),
//! kept small so that a month of a busy street fits and any period's figures can be read off.

use crate::domain::{Class, Event, EventKind, Satisfaction, Source};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// What the figures need to know of one item.
#[derive(Debug, Clone)]
pub struct Item {
    pub reference: String,
    pub station: String,
    pub source: Source,
    pub received_at: DateTime<Utc>,
    pub drill: bool,
    pub repeat: bool,
    /// The class after each (re)classification, with its time.
    pub classes: Vec<(DateTime<Utc>, Class)>,
    pub category: Option<String>,
    pub department: Option<String>,
    /// When the claim clock started: receipt, or the end of a night hold.
    pub claim_start: DateTime<Utc>,
    pub claimed: Option<(DateTime<Utc>, String)>,
    pub contacted_at: Option<DateTime<Utc>>,
    pub video_at: Option<DateTime<Utc>>,
    pub dispatched: Option<(DateTime<Utc>, String)>,
    pub departed_at: Option<DateTime<Utc>>,
    /// Every responder ever sent, with the first dispatch that sent them.
    pub responders: Vec<(String, DateTime<Utc>)>,
    /// Each responder's first arrival, with who recorded it.
    pub arrivals: Vec<(String, DateTime<Utc>, String)>,
    pub feedback_at: Option<DateTime<Utc>>,
    /// Closures and reopenings in order: `true` closed, `false` reopened.
    pub closings: Vec<(DateTime<Utc>, bool)>,
    /// How the item left the station, if it did: returned, to police, to district, to hotline.
    pub left: Option<(DateTime<Utc>, Left)>,
    pub callbacks: Vec<(DateTime<Utc>, Satisfaction)>,
    pub reopened: Vec<DateTime<Utc>>,
}

/// Ways an item leaves the station's own handling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Left {
    Returned,
    ToPolice,
    ToDistrict,
    ToHotline,
}

impl Item {
    /// The class as it stood at `end`.
    pub fn class_at(&self, end: DateTime<Utc>) -> Option<Class> {
        self.classes
            .iter()
            .rev()
            .find(|(t, _)| *t < end)
            .map(|(_, c)| *c)
    }

    /// Closed at `end` (and not reopened since).
    pub fn closed_at_end(&self, end: DateTime<Utc>) -> bool {
        self.closings
            .iter()
            .rev()
            .find(|(t, _)| *t < end)
            .is_some_and(|(_, closed)| *closed)
    }

    /// How it left the station by `end`.
    pub fn left_by(&self, end: DateTime<Utc>) -> Option<Left> {
        self.left.filter(|(t, _)| *t < end).map(|(_, l)| l)
    }

    /// The first arrival of anyone.
    pub fn first_arrival(&self) -> Option<DateTime<Utc>> {
        self.arrivals.iter().map(|(_, t, _)| *t).min()
    }
}

/// A journal position and the time of its event.
pub type Mark = (i64, DateTime<Utc>);

/// The items seen so far and where in the journal they came from.
#[derive(Debug, Default)]
pub struct Tally {
    pub items: HashMap<crate::domain::IncidentId, Item>,
    /// First and last journal position and event time taken in.
    pub range: Option<(Mark, Mark)>,
    /// The station as its events made it (modes, notes, samples).
    pub station: crate::domain::station::StationState,
}

impl Tally {
    /// Takes in one journal event at position `pos`.
    pub fn add(&mut self, pos: i64, event: &Event) {
        let at = event.occurred_at;
        self.range = Some(match self.range {
            None => ((pos, at), (pos, at)),
            Some((first, _)) => (first, (pos, at)),
        });
        if event.kind.is_station() {
            self.station.apply(event);
            return;
        }
        if let EventKind::Received(r) = &event.kind {
            self.items.insert(
                event.incident,
                Item {
                    reference: r.reference.clone(),
                    station: r.station.clone(),
                    source: r.source,
                    received_at: at,
                    drill: r.drill,
                    repeat: r.repeat_of.is_some(),
                    classes: Vec::new(),
                    category: None,
                    department: None,
                    claim_start: at,
                    claimed: None,
                    contacted_at: None,
                    video_at: None,
                    dispatched: None,
                    departed_at: None,
                    responders: Vec::new(),
                    arrivals: Vec::new(),
                    feedback_at: None,
                    closings: Vec::new(),
                    left: None,
                    callbacks: Vec::new(),
                    reopened: Vec::new(),
                },
            );
            return;
        }
        let Some(item) = self.items.get_mut(&event.incident) else {
            return;
        };
        let who = || event.actor.operator.clone();
        match &event.kind {
            EventKind::Received(_) => {}
            EventKind::Triaged(d) => {
                item.classes.push((at, d.class));
                item.category = d.category.clone();
                item.department = d.departments.first().cloned();
            }
            EventKind::Deferred { until } => item.claim_start = *until,
            EventKind::Claimed => {
                item.claimed.get_or_insert((at, who()));
            }
            EventKind::PartyContacted { .. } => {
                item.contacted_at.get_or_insert(at);
            }
            EventKind::VideoRetrieved { .. } => {
                item.video_at.get_or_insert(at);
            }
            EventKind::Dispatched { responders, .. } => {
                item.dispatched.get_or_insert((at, who()));
                for r in responders {
                    if !item.responders.iter().any(|(id, _)| id == r) {
                        item.responders.push((r.clone(), at));
                    }
                }
            }
            EventKind::Reassigned { to, .. } => {
                // The withdrawn responder stays counted (did not arrive); the new one is
                // measured from the reassignment.
                if !item.responders.iter().any(|(id, _)| id == to) {
                    item.responders.push((to.clone(), at));
                }
            }
            EventKind::Departed { .. } => {
                item.departed_at.get_or_insert(at);
            }
            EventKind::Arrived { responder } => {
                if !item.arrivals.iter().any(|(r, _, _)| r == responder) {
                    item.arrivals.push((responder.clone(), at, who()));
                }
            }
            EventKind::FeedbackGiven { .. } => {
                item.feedback_at.get_or_insert(at);
            }
            EventKind::Closed | EventKind::MergedInto { .. } => item.closings.push((at, true)),
            EventKind::Reopened { .. } => {
                item.closings.push((at, false));
                item.reopened.push(at);
            }
            EventKind::CalledBack { satisfaction, .. } => item.callbacks.push((at, *satisfaction)),
            EventKind::Returned { .. } => item.left = Some((at, Left::Returned)),
            EventKind::TransferredToPolice { .. } => item.left = Some((at, Left::ToPolice)),
            EventKind::UploadedToDistrict { .. } => item.left = Some((at, Left::ToDistrict)),
            EventKind::HandedToHotline { .. } => item.left = Some((at, Left::ToHotline)),
            EventKind::Verified { .. }
            | EventKind::SentBack { .. }
            | EventKind::Escalated { .. }
            | EventKind::NoteAdded { .. }
            | EventKind::PhoneRevealed
            | EventKind::Station { .. } => {}
        }
    }
}
