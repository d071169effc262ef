//! The `:` command line: `:claim REF`, `:video REF` …, `:open REF` / `:goto REF`, `:find TEXT`.
//! A lifecycle command with a reference acts on that item and shows it; without one, on the
//! highlighted item. An unknown reference or an argument the command does not take records
//! nothing and says so.

use super::Effect;
use crate::tui::action::{Cmd, REGISTRY};
use crate::tui::app::{App, Modal, Pane, Tab, View};
use crate::tui::text::T;
use crossterm::event::{KeyCode, KeyEvent};

/// Commands of the command line that are not in the key registry.
const EXTRA: [&str; 3] = ["open", "goto", "find"];

/// Commands at most listed as candidates.
const MAX_CANDIDATES: usize = 8;

impl App {
    pub(super) fn prompt_key(&mut self, mut input: String, key: KeyEvent) -> Vec<Effect> {
        match key.code {
            KeyCode::Esc => return Vec::new(),
            KeyCode::Enter => return self.command_line(input.trim()),
            KeyCode::Tab => {
                let found = completions(self, &input);
                if let Some(done) = complete_to(&input, &found) {
                    input = done;
                }
            }
            KeyCode::Backspace => {
                input.pop();
            }
            KeyCode::Char(c) => input.push(c),
            _ => {}
        }
        self.modals.push(Modal::Command { input });
        Vec::new()
    }

    fn command_line(&mut self, input: &str) -> Vec<Effect> {
        let mut words = input.split_whitespace();
        let Some(word) = words.next() else {
            return Vec::new();
        };
        let args: Vec<&str> = words.collect();
        match word {
            "open" | "goto" => {
                let Some(id) = self.one_reference(&args) else {
                    return Vec::new();
                };
                self.focus_on(id);
                if word == "open" {
                    self.pane = Pane::Detail;
                }
                return Vec::new();
            }
            "find" => {
                if args.is_empty() {
                    self.message = Some(self.t(T::NeedWords).to_string());
                    return Vec::new();
                }
                self.view = View::Queue;
                self.tab = Tab::All;
                self.kept = None;
                self.filter = args.join(" ");
                self.refresh();
                return Vec::new();
            }
            _ => {}
        }
        let Some(spec) = REGISTRY
            .iter()
            .find(|s| s.name == word && s.cmd != Cmd::Command)
        else {
            self.message = Some(format!("{}: {word}", self.t(T::UnknownCommand)));
            return Vec::new();
        };
        if spec.cmd.verb().is_none() || args.is_empty() {
            if !args.is_empty() {
                self.message = Some(format!("{}: {input}", self.t(T::TakesNoArgs)));
                return Vec::new();
            }
            return self.run(spec.cmd);
        }
        let Some(id) = self.one_reference(&args) else {
            return Vec::new();
        };
        self.focus_on(id);
        let Some(incident) = self.incident(id).cloned() else {
            return Vec::new();
        };
        self.lifecycle_on(spec.cmd, &incident)
    }

    /// The one item `args` names by reference, or a message saying what is wrong.
    fn one_reference(&mut self, args: &[&str]) -> Option<crate::domain::IncidentId> {
        let [reference] = args else {
            let why = if args.is_empty() {
                T::NeedRef
            } else {
                T::OneRef
            };
            self.message = Some(self.t(why).to_string());
            return None;
        };
        let found = self
            .incidents
            .iter()
            .find(|i| i.reference.eq_ignore_ascii_case(reference))
            .map(|i| i.id);
        if found.is_none() {
            self.message = Some(format!("{}: {reference}", self.t(T::NoSuchRef)));
        }
        found
    }
}

/// What the input could become: command names while the first word is typed, then the
/// references of the items that contain what is typed after a command that takes one.
pub fn completions(app: &App, input: &str) -> Vec<String> {
    let ends_with_space = input.ends_with(' ');
    let words: Vec<&str> = input.split_whitespace().collect();
    match (words.as_slice(), ends_with_space) {
        ([], _) | ([_], false) => {
            let typed = words.first().copied().unwrap_or("");
            REGISTRY
                .iter()
                .filter(|s| s.cmd != Cmd::Command)
                .map(|s| s.name)
                .chain(EXTRA)
                .filter(|name| name.starts_with(typed))
                .take(MAX_CANDIDATES)
                .map(String::from)
                .collect()
        }
        ([command, rest @ ..], _) if takes_reference(command) && rest.len() <= 1 => {
            let typed = if ends_with_space {
                ""
            } else {
                rest.first().copied().unwrap_or("")
            };
            if ends_with_space && !rest.is_empty() {
                return Vec::new();
            }
            let typed = typed.to_uppercase();
            let mut refs: Vec<String> = app
                .rows
                .iter()
                .map(|r| &app.incidents[r.index])
                .chain(app.incidents.iter())
                .map(|i| i.reference.clone())
                .filter(|r| r.to_uppercase().contains(&typed))
                .collect();
            let mut seen = std::collections::HashSet::new();
            refs.retain(|r| seen.insert(r.clone()));
            refs.truncate(MAX_CANDIDATES);
            refs.into_iter().map(|r| format!("{command} {r}")).collect()
        }
        _ => Vec::new(),
    }
}

fn takes_reference(command: &str) -> bool {
    command == "open"
        || command == "goto"
        || REGISTRY
            .iter()
            .any(|s| s.name == command && s.cmd.verb().is_some())
}

/// The input after Tab: the one candidate, or the longest start all candidates share.
fn complete_to(input: &str, found: &[String]) -> Option<String> {
    let first = found.first()?;
    if found.len() == 1 {
        return Some(first.clone());
    }
    let mut common: String = first.clone();
    for other in &found[1..] {
        let n = common
            .chars()
            .zip(other.chars())
            .take_while(|(a, b)| a == b)
            .count();
        common = common.chars().take(n).collect();
    }
    (common.chars().count() > input.chars().count()).then_some(common)
}
