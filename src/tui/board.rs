//! What the supervisor's board lists: every running clock, the clocks missed this shift, and the
//! responders who are late, in the order the supervisor chose. Pure: a function of the state.

use super::app::App;
use crate::domain::night::NightWindow;
use crate::domain::sla::{self, Clock, ClockName, ClockState};
use crate::domain::{Incident, Names, Status};
use chrono::{DateTime, Days, TimeZone, Utc};

/// The board's order (Shift+C, Shift+O, Shift+P).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum BoardSort {
    /// Soonest deadline first, breached on top; missed clocks after the live ones.
    #[default]
    Clock,
    /// By the officer who claimed the item, then by deadline.
    Officer,
    /// By the first responder's name, then by deadline.
    Responder,
}

/// When the current shift began: the last start or end of the night window at or before `now`
/// (a day shift and a night shift); with no night window, local midnight.
pub fn shift_start(night: &NightWindow, now: DateTime<Utc>) -> DateTime<Utc> {
    let local = now.with_timezone(&night.tz);
    let mut best: Option<DateTime<Utc>> = None;
    let times = if night.start == night.end {
        vec![chrono::NaiveTime::MIN]
    } else {
        vec![night.start, night.end]
    };
    for back in 0..2 {
        let Some(day) = local.date_naive().checked_sub_days(Days::new(back)) else {
            continue;
        };
        for t in &times {
            if let Some(at) = night.tz.from_local_datetime(&day.and_time(*t)).earliest() {
                let at = at.with_timezone(&Utc);
                if at <= now && best.is_none_or(|b| at > b) {
                    best = Some(at);
                }
            }
        }
    }
    best.unwrap_or(now)
}

/// A clock missed this shift: done late, or the item ended late without it.
fn missed_since(c: &Clock, since: DateTime<Utc>) -> bool {
    matches!(c.state, ClockState::Missed { at, .. } if at >= since)
}

/// The board's rows: every live clock of every open item and every clock missed this shift,
/// in the order of `app.board_sort`.
pub fn rows(app: &App) -> Vec<(&Incident, Clock)> {
    let since = shift_start(&app.settings.night, app.now);
    let mut all: Vec<(&Incident, Clock)> = app
        .incidents
        .iter()
        .flat_map(|i| {
            sla::clocks(i, &app.settings.policy, app.now)
                .into_iter()
                .filter(move |c| {
                    (c.state.is_live() && !i.status.is_terminal()) || missed_since(c, since)
                })
                .map(move |c| (i, c))
        })
        .collect();
    let names = app.names();
    let by_clock = |(i, c): &(&Incident, Clock)| {
        let missed_at = match c.state {
            ClockState::Missed { at, .. } => Some(std::cmp::Reverse(at)),
            _ => None,
        };
        (
            missed_at.is_some(),
            c.deadline,
            missed_at,
            i.reference.clone(),
        )
    };
    match app.board_sort {
        BoardSort::Clock => all.sort_by_key(by_clock),
        BoardSort::Officer => {
            all.sort_by_key(|row| (officer(row.0).is_none(), officer(row.0), by_clock(row)))
        }
        BoardSort::Responder => all.sort_by_key(|row| {
            let first = row.0.responders.first().map(|r| names.label(r));
            (first.is_none(), first, by_clock(row))
        }),
    }
    all
}

/// Who claimed the item and at which workstation: `王磊@2`.
pub fn officer(i: &Incident) -> Option<String> {
    let who = i.claimed_by.as_deref()?;
    Some(match i.claimed_on.as_deref().filter(|d| !d.is_empty()) {
        Some(device) => format!("{who}@{device}"),
        None => who.to_string(),
    })
}

/// A responder who is late: sent but not set off after the depart limit, or set off but not
/// arrived after the arrive limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Late {
    pub responder: String,
    pub reference: String,
    /// `Depart`: not set off; `Arrive`: on the way, not arrived.
    pub clock: ClockName,
    pub over_secs: i64,
}

/// Every late responder of the open items, the latest first.
pub fn late(app: &App, names: &Names) -> Vec<Late> {
    let mut out = Vec::new();
    for i in app.incidents.iter().filter(|i| i.status.is_in_field()) {
        let name = if i.status == Status::Dispatched {
            ClockName::Depart
        } else if i.status == Status::EnRoute {
            ClockName::Arrive
        } else {
            continue;
        };
        let c = sla::clock(i, &app.settings.policy, name, app.now);
        let ClockState::Breached { over_secs } = c.state else {
            continue;
        };
        for r in &i.responders {
            out.push(Late {
                responder: names.label(r),
                reference: i.reference.clone(),
                clock: name,
                over_secs,
            });
        }
    }
    out.sort_by_key(|l| (std::cmp::Reverse(l.over_secs), l.reference.clone()));
    out
}
