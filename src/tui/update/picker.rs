//! The dispatch picker: search the roster, pick several, choose a channel, then dispatch through
//! the command layer (claiming too when the item is not claimed yet, as the title says).

use super::Effect;
use crate::command::Command;
use crate::domain::Channel;
use crate::tui::action::Cmd;
use crate::tui::app::{App, Dispatch, Modal};
use crate::tui::text::T;
use crossterm::event::{KeyCode, KeyEvent};

const CHANNELS: [Channel; 4] = [
    Channel::Radio,
    Channel::Wechat,
    Channel::Phone,
    Channel::Order,
];

impl App {
    /// Responders matching the dispatch dialog's query, in roster order.
    pub fn candidates(&self, query: &str) -> Vec<usize> {
        self.roster
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                let hay = format!(
                    "{}{}{}{}",
                    r.name,
                    r.unit,
                    r.id,
                    r.grid.as_deref().unwrap_or("")
                );
                fuzzy(query, &hay)
            })
            .map(|(n, _)| n)
            .collect()
    }

    pub(super) fn dispatch_key(&mut self, mut d: Dispatch, key: KeyEvent) -> Vec<Effect> {
        let found = self.candidates(&d.query);
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
