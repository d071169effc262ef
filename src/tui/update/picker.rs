//! The dispatch picker: search the roster, pick several, choose a channel, then dispatch through
//! the command layer (claiming too when the item is not claimed yet, as the title says).

use super::Effect;
use crate::command::Command;
use crate::domain::{Channel, DutyStatus, Incident, Responder};
use crate::tui::action::Cmd;
use crate::tui::app::{App, Dispatch, Modal};
use crate::tui::search::finds;
use crate::tui::text::T;
use crossterm::event::{KeyCode, KeyEvent};

const CHANNELS: [Channel; 4] = [
    Channel::Radio,
    Channel::Wechat,
    Channel::Phone,
    Channel::Order,
];

impl App {
    /// Responders the dispatch dialog offers for its query, as roster indexes: first those whose
    /// unit serves the item's department (`[units]`), then those of the item's grid, available
    /// before busy, then in roster order; off duty at the very end.
    pub fn candidates(&self, d: &Dispatch) -> Vec<usize> {
        self.ranked(d.target.id, &d.query)
    }

    /// The roster's responders that `query` finds, in the order of [`App::candidates`] for the
    /// item `id`.
    pub fn ranked(&self, id: crate::domain::IncidentId, query: &str) -> Vec<usize> {
        let item = self.incident(id);
        let mut found: Vec<(Fit, usize)> = self
            .roster
            .iter()
            .enumerate()
            .filter(|(_, r)| finds(query, r))
            .map(|(n, r)| (self.fit(item, r), n))
            .collect();
        found.sort_by_key(|(fit, n)| {
            let duty = self.roster[*n].status;
            (
                duty == DutyStatus::OffDuty,
                !fit.serves,
                !fit.grid,
                duty_rank(duty),
                *n,
            )
        });
        found.into_iter().map(|(_, n)| n).collect()
    }

    /// How a responder fits an item: its unit serves the item's department, it is of its grid.
    pub fn fit(&self, item: Option<&Incident>, r: &Responder) -> Fit {
        let departments = item
            .and_then(|i| i.triage.as_ref())
            .map(|t| t.departments.as_slice())
            .unwrap_or(&[]);
        Fit {
            serves: self.settings.units.serves(&r.unit, departments),
            grid: item
                .and_then(|i| i.grid.as_deref())
                .is_some_and(|g| r.grid.as_deref() == Some(g)),
        }
    }

    pub(super) fn dispatch_key(&mut self, mut d: Dispatch, key: KeyEvent) -> Vec<Effect> {
        let found = self.candidates(&d);
        match key.code {
            KeyCode::Esc => return Vec::new(),
            KeyCode::Up => d.cursor = d.cursor.saturating_sub(1),
            KeyCode::Down => d.cursor = (d.cursor + 1).min(found.len().saturating_sub(1)),
            KeyCode::Left | KeyCode::Right => {
                let n = CHANNELS.iter().position(|c| *c == d.channel).unwrap_or(0);
                let step = if key.code == KeyCode::Left { 3 } else { 1 };
                d.channel = CHANNELS[(n + step) % CHANNELS.len()];
            }
            KeyCode::Char(' ') => {
                if let Some(r) = found.get(d.cursor).and_then(|n| self.roster.get(*n)) {
                    toggle(&mut d.chosen, &r.id);
                }
            }
            KeyCode::Backspace => {
                d.query.pop();
                d.cursor = 0;
            }
            KeyCode::Char(c) => {
                d.query.push(c);
                d.cursor = 0;
            }
            KeyCode::Enter => {
                if d.chosen.is_empty()
                    && let Some(r) = found.get(d.cursor).and_then(|n| self.roster.get(*n))
                {
                    d.chosen.push(r.id.clone());
                }
                if d.chosen.is_empty() {
                    self.message = Some(self.t(T::NeedResponder).to_string());
                } else {
                    let command = Command::Dispatch {
                        responders: d.chosen.clone(),
                        channel: d.channel,
                    };
                    let effects = self.commit(Cmd::Dispatch, d.target.clone(), command);
                    if !effects.is_empty() || !self.modals.is_empty() {
                        return effects;
                    }
                }
            }
            _ => {}
        }
        self.modals.push(Modal::Dispatch(d));
        Vec::new()
    }
}

fn toggle(chosen: &mut Vec<String>, id: &str) {
    match chosen.iter().position(|c| c == id) {
        Some(n) => {
            chosen.remove(n);
        }
        None => chosen.push(id.to_string()),
    }
}

/// How a responder fits the item being dispatched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fit {
    /// The responder's unit serves the item's responsible department.
    pub serves: bool,
    /// The responder belongs to the item's grid.
    pub grid: bool,
}

/// Available first, then busy from least to most engaged, off duty last.
fn duty_rank(status: DutyStatus) -> u8 {
    match status {
        DutyStatus::Available => 0,
        DutyStatus::Assigned => 1,
        DutyStatus::EnRoute => 2,
        DutyStatus::OnScene => 3,
        DutyStatus::OffDuty => 4,
    }
}

/// Every character of `query` appears in `hay` in order (case-insensitive).
pub fn fuzzy(query: &str, hay: &str) -> bool {
    let hay = hay.to_lowercase();
    let mut rest = hay.chars();
    query
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .all(|q| rest.by_ref().any(|h| h == q))
}
