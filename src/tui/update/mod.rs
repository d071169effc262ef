//! The pure heart of the console: `App::update(action, now)` changes the state and returns the
//! effects for the shell to carry out. No IO, no clock reads.
//!
//! Every key that acts on an item goes through [`crate::command::decide`] on the item highlighted
//! in the view the officer is in ([`App::target`]), or on the item a `:` command names.

mod act;
mod categories;
mod forms;
mod new_item;
mod picker;
mod prompt;
mod reassign;

pub use new_item::has_red_flag;
pub use picker::fuzzy;
pub use prompt::completions;
pub use reassign::{Reassign, ReassignFocus};

use super::action::{Action, Cmd};
use super::app::{App, Modal, Pane, Pending, Tab, View};
use super::text::T;
use crate::command::Command;
use crate::domain::{EventKind, Incident, IncidentId, Received};
use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::HashSet;

/// Rows a PgUp or PgDn moves.
const PAGE: i64 = 10;

/// What the shell must do after an update.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Carry out a command on an item through the command layer (one transaction). `kinds` are
    /// the events the command layer gave on the console's copy: what the officer was offered.
    Record {
        id: IncidentId,
        reference: String,
        command: Command,
        kinds: Vec<EventKind>,
    },
    /// Record a new item (manual intake).
    Create(Box<Received>),
    /// Record a station event through the command layer (war mode on or off).
    Station(crate::command::StationCommand),
    /// Compute the figures of this month so far.
    LoadReport,
    /// Load the journal of an item for the detail pane.
    LoadTimeline(IncidentId),
    /// Ring the terminal bell.
    Bell,
    /// Leave the console.
    Quit,
}

impl App {
    /// Applies one action at `now`; returns what the shell must do.
    pub fn update(&mut self, action: Action, now: DateTime<Utc>) -> Vec<Effect> {
        self.now = now;
        let before = self.selected;
        let mut effects = Vec::new();
        match action {
            Action::Tick => {
                self.refresh();
                self.ring_on_breach(&mut effects);
            }
            Action::Snapshot { incidents, roster } => {
                self.take_in(incidents, true, &mut effects);
                self.roster = roster;
                self.refresh();
                if !self.loaded {
                    self.breached = self.breached_now();
                }
                self.loaded = true;
                self.ring_on_breach(&mut effects);
                if let Some(id) = self.selected {
                    effects.push(Effect::LoadTimeline(id));
                }
            }
            Action::Remote { incidents, roster } => {
                let changed: HashSet<IncidentId> = incidents.iter().map(|i| i.id).collect();
                let created = self.created_here(&incidents);
                self.take_in(incidents, false, &mut effects);
                if let Some(roster) = roster {
                    self.roster = roster;
                }
                self.refresh();
                if let Some(id) = created {
                    self.focus_on(id);
                }
                self.ring_on_breach(&mut effects);
                if let Some(id) = self.selected.filter(|id| changed.contains(id)) {
                    effects.push(Effect::LoadTimeline(id));
                }
            }
            Action::Timeline(id, events) => {
                if self.selected == Some(id) {
                    self.timeline = Some((id, events));
                }
            }
            Action::Report(report) => self.report = Some(report),
            Action::StoreFailed(msg) => {
                self.message = Some(format!("{}: {msg}", self.t(T::Failed)));
            }
            Action::Hub(state) => self.hub = Some(state),
            Action::Station(state) => self.take_station(*state),
            Action::Notice(text) => {
                self.message = Some(text);
                if self.settings.bell {
                    effects.push(Effect::Bell);
                }
            }
            Action::Key(key) => effects.extend(self.on_key(key)),
            Action::Cmd(cmd) => effects.extend(self.run(cmd)),
        }
        if self.selected != before
            && let Some(id) = self.selected
            && !effects.contains(&Effect::LoadTimeline(id))
        {
            effects.push(Effect::LoadTimeline(id));
        }
        effects
    }

    /// Takes in items from the store: all of them (`whole`) or the ones that changed. A new item
    /// rings the bell once the first load is done.
    fn take_in(&mut self, incidents: Vec<Incident>, whole: bool, effects: &mut Vec<Effect>) {
        let known: HashSet<IncidentId> = self.incidents.iter().map(|i| i.id).collect();
        let fresh = incidents.iter().any(|i| !known.contains(&i.id));
        if self.loaded && fresh && self.settings.bell && !effects.contains(&Effect::Bell) {
            effects.push(Effect::Bell);
        }
        if whole {
            self.incidents = incidents;
            return;
        }
        for incident in incidents {
            match self.incidents.iter_mut().find(|i| i.id == incident.id) {
                Some(slot) => *slot = incident,
                None => self.incidents.push(incident),
            }
        }
    }

    fn ring_on_breach(&mut self, effects: &mut Vec<Effect>) {
        if !self.loaded {
            return;
        }
        let now_breached = self.breached_now();
        if self.settings.bell
            && now_breached.iter().any(|id| !self.breached.contains(id))
            && !effects.contains(&Effect::Bell)
        {
            effects.push(Effect::Bell);
        }
        self.breached = now_breached;
    }

    fn on_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        if self.modals.is_empty() {
            self.message = None;
            return match self.settings.keymap.lookup(&key) {
                Some(cmd) => self.run(cmd),
                None => Vec::new(),
            };
        }
        let Some(top) = self.modals.pop() else {
            return Vec::new();
        };
        match top {
            Modal::Help => {
                if !matches!(
                    key.code,
                    KeyCode::Esc | KeyCode::Char('?') | KeyCode::Char('q')
                ) {
                    self.modals.push(Modal::Help);
                }
                Vec::new()
            }
            Modal::Confirm { question, pending } => match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') | KeyCode::Enter => match pending {
                    Pending::Quit => vec![Effect::Quit],
                    Pending::Record(target, command, kinds) => {
                        vec![self.record(target, command, kinds)]
                    }
                    Pending::Station(command) => vec![Effect::Station(command)],
                },
                KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => Vec::new(),
                _ => {
                    self.modals.push(Modal::Confirm { question, pending });
                    Vec::new()
                }
            },
            Modal::Filter => {
                let filter = if self.view == View::Roster {
                    self.roster_cursor = 0;
                    &mut self.roster_filter
                } else {
                    &mut self.filter
                };
                match key.code {
                    KeyCode::Esc => filter.clear(),
                    KeyCode::Enter => {}
                    KeyCode::Backspace => {
                        filter.pop();
                        self.modals.push(Modal::Filter);
                    }
                    KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                        filter.push(c);
                        self.modals.push(Modal::Filter);
                    }
                    _ => self.modals.push(Modal::Filter),
                }
                self.kept = None;
                self.refresh();
                Vec::new()
            }
            Modal::Command { input } => self.prompt_key(input, key),
            Modal::Dispatch(d) => self.dispatch_key(d, key),
            Modal::Reassign(r) => self.reassign_key(r, key),
            Modal::Form(f) => self.form_key(f, key),
        }
    }

    /// Carries out one registry command.
    pub fn run(&mut self, cmd: Cmd) -> Vec<Effect> {
        match cmd {
            Cmd::Up => return self.step(-1),
            Cmd::Down => return self.step(1),
            Cmd::Top => return self.step(i64::MIN / 2),
            Cmd::Bottom => return self.step(i64::MAX / 2),
            Cmd::PageUp => return self.step(-PAGE),
            Cmd::PageDown => return self.step(PAGE),
            Cmd::Tab(n) => {
                if let Some(tab) = Tab::ALL.get(usize::from(n)) {
                    self.tab = *tab;
                    self.view = View::Queue;
                    self.kept = None;
                    self.refresh();
                }
            }
            Cmd::NextPane => {
                self.pane = match self.pane {
                    Pane::List => Pane::Detail,
                    Pane::Detail => Pane::List,
                }
            }
            Cmd::Open => {
                if self.view == View::Queue {
                    self.pane = Pane::Detail;
                }
            }
            Cmd::Back => {
                if self.pane == Pane::Detail {
                    self.pane = Pane::List;
                } else if self.view != View::Queue {
                    self.view = View::Queue;
                } else if !self.filter.is_empty() {
                    self.filter.clear();
                    self.refresh();
                }
            }
            Cmd::RosterView => self.view = View::Roster,
            Cmd::BoardView => {
                self.view = View::Board;
                self.refresh_board();
            }
            Cmd::SortBoard(sort) => {
                self.board_sort = sort;
                self.view = View::Board;
                self.refresh_board();
            }
            Cmd::ReportView => {
                self.view = View::Report;
                return vec![Effect::LoadReport];
            }
            Cmd::HandoverView => self.view = View::Handover,
            Cmd::Filter => self.modals.push(Modal::Filter),
            Cmd::Command => self.modals.push(Modal::Command {
                input: String::new(),
            }),
            Cmd::Help => self.modals.push(Modal::Help),
            Cmd::War => self.ask_war(),
            Cmd::Quit => self.modals.push(Modal::Confirm {
                question: self.t(T::QuitAsk).to_string(),
                pending: Pending::Quit,
            }),
            Cmd::New => return self.open_form(super::app::FormKind::New, None),
            _ => return self.lifecycle(cmd),
        }
        Vec::new()
    }

    /// Asks before switching war mode on or off (the switch is recorded for the whole station).
    fn ask_war(&mut self) {
        use crate::domain::station::Mode;
        let (mode, question) = if self.war {
            (Mode::Normal, T::WarOffAsk)
        } else {
            (Mode::War, T::WarOnAsk)
        };
        self.modals.push(Modal::Confirm {
            question: self.t(question).to_string(),
            pending: Pending::Station(crate::command::StationCommand::SwitchMode {
                mode,
                note: None,
            }),
        });
    }

    /// Takes in the station's state: war mode switches the clocks to the war limits.
    fn take_station(&mut self, state: crate::domain::station::StationState) {
        use crate::domain::station::Mode;
        let mode = state.mode();
        self.war = mode == Mode::War;
        self.settings.policy = match mode {
            Mode::War => self.settings.war_policy.clone(),
            Mode::Normal => self.settings.normal_policy.clone(),
        };
        self.station = state;
        self.refresh();
    }

    /// Moves the cursor of the current view; in the queue the kept row is let go.
    fn step(&mut self, by: i64) -> Vec<Effect> {
        let board = if self.view == View::Board {
            super::views::board::live_clocks(self)
        } else {
            Vec::new()
        };
        let (len, cursor) = match self.view {
            View::Queue => (self.rows.len(), self.selected_row().unwrap_or(0)),
            View::Roster => (self.roster_rows().len(), self.roster_cursor),
            View::Report | View::Handover => (0, 0),
            View::Board => (board.len(), self.board_row().unwrap_or(0)),
        };
        if len == 0 {
            return Vec::new();
        }
        let max = i64::try_from(len - 1).unwrap_or(i64::MAX);
        let cur = i64::try_from(cursor).unwrap_or(0);
        let next = usize::try_from(cur.saturating_add(by).clamp(0, max)).unwrap_or(0);
        match self.view {
            View::Queue => {
                let id = self.rows.get(next).map(|r| self.incidents[r.index].id);
                self.selected = id;
                if self.kept.is_some() && self.kept != id {
                    self.kept = None;
                    self.refresh();
                }
                self.last_row = self.selected_row().unwrap_or(next);
            }
            View::Roster => self.roster_cursor = next,
            View::Report | View::Handover => {}
            View::Board => {
                self.board_selected = board.get(next).map(|(i, c)| (i.id, c.name));
                self.last_board_row = next;
            }
        }
        Vec::new()
    }

    /// Shows the item `id` in the queue, switching to the all-items tab when the current tab
    /// does not hold it.
    fn focus_on(&mut self, id: IncidentId) {
        self.view = View::Queue;
        self.kept = None;
        self.refresh();
        if !self.rows.iter().any(|r| self.incidents[r.index].id == id) {
            self.tab = Tab::All;
            self.filter.clear();
            self.refresh();
        }
        self.selected = Some(id);
        self.refresh();
    }
}
