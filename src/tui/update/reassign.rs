//! 改派 (reassign): withdraw one of the item's responders, pick another from the roster as the
//! dispatch picker ranks them, give the reason, and record it through the command layer.

use super::Effect;
use crate::command::Command;
use crate::domain::{DutyStatus, Incident};
use crate::tui::action::Cmd;
use crate::tui::app::{App, Modal, Target};
use crate::tui::text::T;
use crossterm::event::{KeyCode, KeyEvent};

/// Which part of the reassign dialog has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReassignFocus {
    /// The responder withdrawn (←→ among those on the item).
    From,
    /// The search for the responder sent instead (type; ↑↓ among the matches).
    To,
    /// The reason (required).
    Reason,
}

/// The reassign dialog's state.
#[derive(Debug, Clone, PartialEq)]
pub struct Reassign {
    pub target: Target,
    /// The item's responders when the dialog opened (ids).
    pub on_item: Vec<String>,
    pub from: usize,
    pub query: String,
    pub cursor: usize,
    pub reason: String,
    pub focus: ReassignFocus,
}

impl Reassign {
    /// A dialog on `incident`, withdrawing its first responder by default.
    pub fn new(target: Target, incident: &Incident) -> Reassign {
        Reassign {
            target,
            on_item: incident.responders.clone(),
            from: 0,
            query: String::new(),
            cursor: 0,
            reason: String::new(),
            focus: ReassignFocus::From,
        }
    }
}

impl App {
    /// Who the reassign dialog offers to send: the picker's order, without those already on the
    /// item and those off duty.
    pub fn reassign_candidates(&self, r: &Reassign) -> Vec<usize> {
        self.ranked(r.target.id, &r.query)
            .into_iter()
            .filter(|&n| {
                let who = &self.roster[n];
                who.status != DutyStatus::OffDuty && !r.on_item.contains(&who.id)
            })
            .collect()
    }

    pub(super) fn reassign_key(&mut self, mut r: Reassign, key: KeyEvent) -> Vec<Effect> {
        let found = self.reassign_candidates(&r);
        match (key.code, r.focus) {
            (KeyCode::Esc, _) => return Vec::new(),
            (KeyCode::Tab, f) | (KeyCode::BackTab, f) => {
                let order = [
                    ReassignFocus::From,
                    ReassignFocus::To,
                    ReassignFocus::Reason,
                ];
                let n = order.iter().position(|x| *x == f).unwrap_or(0);
                let step = if key.code == KeyCode::Tab { 1 } else { 2 };
                r.focus = order[(n + step) % order.len()];
            }
            (KeyCode::Enter, _) => return self.submit_reassign(r, &found),
            (KeyCode::Left | KeyCode::Right, ReassignFocus::From) => {
                let len = r.on_item.len().max(1);
                let step = if key.code == KeyCode::Left {
                    len - 1
                } else {
                    1
                };
                r.from = (r.from + step) % len;
            }
            (KeyCode::Up, ReassignFocus::To) => r.cursor = r.cursor.saturating_sub(1),
            (KeyCode::Down, ReassignFocus::To) => {
                r.cursor = (r.cursor + 1).min(found.len().saturating_sub(1));
            }
            (KeyCode::Backspace, ReassignFocus::To) => {
                r.query.pop();
                r.cursor = 0;
            }
            (KeyCode::Char(c), ReassignFocus::To) => {
                r.query.push(c);
                r.cursor = 0;
            }
            (KeyCode::Backspace, ReassignFocus::Reason) => {
                r.reason.pop();
            }
            (KeyCode::Char(c), ReassignFocus::Reason) => r.reason.push(c),
            _ => {}
        }
        self.modals.push(Modal::Reassign(r));
        Vec::new()
    }

    fn submit_reassign(&mut self, r: Reassign, found: &[usize]) -> Vec<Effect> {
        let to = found
            .get(r.cursor)
            .and_then(|n| self.roster.get(*n))
            .map(|x| x.id.clone());
        let (Some(from), Some(to)) = (r.on_item.get(r.from).cloned(), to) else {
            self.message = Some(self.t(T::NeedResponder).to_string());
            self.modals.push(Modal::Reassign(r));
            return Vec::new();
        };
        if r.reason.trim().is_empty() {
            self.message = Some(self.t(T::NeedReason).to_string());
            let mut r = r;
            r.focus = ReassignFocus::Reason;
            self.modals.push(Modal::Reassign(r));
            return Vec::new();
        }
        let command = Command::Reassign {
            from,
            to,
            reason: r.reason.trim().to_string(),
        };
        let effects = self.commit(Cmd::Reassign, r.target.clone(), command);
        if effects.is_empty() && self.modals.is_empty() {
            self.modals.push(Modal::Reassign(r));
        }
        effects
    }
}
