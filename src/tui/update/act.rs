//! Lifecycle keys: the highlighted item, the command layer's decision, confirmation, and the
//! effect that carries the command to the store.

use super::Effect;
use crate::command::{self, Command, Context, Refusal, Verb};
use crate::config::Lang;
use crate::domain::{Channel, Incident};
use crate::tui::action::{Cmd, spec_of};
use crate::tui::app::{App, Dispatch, FormKind, Modal, Pending, Target, View};
use crate::tui::text::T;

impl App {
    /// What the command layer needs besides the item: who acts, now, and the station's rules.
    pub fn context(&self) -> Context<'_> {
        Context {
            now: self.now,
            operator: &self.settings.operator,
            policy: &self.settings.policy,
            night: &self.settings.night,
            list: Some(self.settings.classifier.list()),
            reopen_on_dissatisfied: self.settings.reopen_on_dissatisfied,
        }
    }

    /// Why `cmd` would be refused on the highlighted item now (the hints grey it out); `None`
    /// when it is allowed or is not an item action.
    pub fn refusal(&self, cmd: Cmd) -> Option<Refusal> {
        let verb = cmd.verb()?;
        let incident = self.target()?;
        command::refusal_of(incident, verb, &self.context())
    }

    /// A refusal in the screen language.
    pub fn refusal_text(&self, r: &Refusal) -> String {
        match self.lang() {
            Lang::Zh => r.zh(),
            Lang::En => r.en(),
        }
    }

    /// A lifecycle key on the item highlighted in the current view.
    pub(super) fn lifecycle(&mut self, cmd: Cmd) -> Vec<Effect> {
        let Some(incident) = self.target().cloned() else {
            let why = if self.view == View::Roster {
                T::NoItemHere
            } else {
                T::NoItem
            };
            self.message = Some(self.t(why).to_string());
            return Vec::new();
        };
        self.lifecycle_on(cmd, &incident)
    }

    /// A lifecycle command on `incident`: straight to the command layer, or through the dialog
    /// that asks for what it needs.
    pub(super) fn lifecycle_on(&mut self, cmd: Cmd, incident: &Incident) -> Vec<Effect> {
        let target = Target {
            id: incident.id,
            reference: incident.reference.clone(),
        };
        let command = match cmd {
            Cmd::Claim => Command::Claim,
            Cmd::Contact => Command::Contact { note: None },
            Cmd::Video => Command::Video { note: None },
            Cmd::Close => Command::Close,
            Cmd::Defer => {
                let effects = self.commit(cmd, target, Command::Defer);
                self.tell_return(&effects);
                return effects;
            }
            Cmd::Depart | Cmd::Arrive if incident.responders.len() > 1 => {
                if let Some(r) = self.refusal_on(incident, cmd) {
                    self.message = Some(self.refusal_text(&r));
                    return Vec::new();
                }
                let kind = if cmd == Cmd::Depart {
                    FormKind::Depart
                } else {
                    FormKind::Arrive
                };
                return self.open_form(kind, Some(target));
            }
            Cmd::Depart => Command::Depart { responder: None },
            Cmd::Arrive => Command::Arrive { responder: None },
            Cmd::Reveal => {
                if self.revealed.contains(&incident.id) {
                    return Vec::new();
                }
                Command::RevealPhone
            }
            Cmd::Dispatch => {
                if let Some(r) = self.refusal_on(incident, cmd) {
                    self.message = Some(self.refusal_text(&r));
                    return Vec::new();
                }
                self.modals.push(Modal::Dispatch(Dispatch {
                    claims_too: command::implies_claim(incident),
                    target,
                    query: String::new(),
                    cursor: 0,
                    chosen: Vec::new(),
                    channel: Channel::Radio,
                }));
                return Vec::new();
            }
            Cmd::Reassign => {
                if let Some(r) = self.refusal_on(incident, cmd) {
                    self.message = Some(self.refusal_text(&r));
                    return Vec::new();
                }
                self.modals
                    .push(Modal::Reassign(super::Reassign::new(target, incident)));
                return Vec::new();
            }
            Cmd::Feedback
            | Cmd::Verify
            | Cmd::Callback
            | Cmd::Return
            | Cmd::ToPolice
            | Cmd::ToDistrict
            | Cmd::ToHotline
            | Cmd::Escalate
            | Cmd::Note
            | Cmd::Classify => {
                if let Some(r) = self.refusal_on(incident, cmd) {
                    self.message = Some(self.refusal_text(&r));
                    return Vec::new();
                }
                let Some(kind) = FormKind::of(cmd) else {
                    return Vec::new();
                };
                return self.open_form(kind, Some(target));
            }
            _ => return Vec::new(),
        };
        self.commit(cmd, target, command)
    }

    fn refusal_on(&self, incident: &Incident, cmd: Cmd) -> Option<Refusal> {
        command::refusal_of(incident, cmd.verb()?, &self.context())
    }

    /// Asks the command layer; records, or asks first when the action is dangerous, or tells
    /// the officer why not. Nothing reaches the store that the command layer refused.
    pub(super) fn commit(&mut self, cmd: Cmd, target: Target, command: Command) -> Vec<Effect> {
        let Some(incident) = self.incident(target.id) else {
            self.message = Some(self.t(T::NoItem).to_string());
            return Vec::new();
        };
        let kinds = match command::decide(incident, &command, &self.context()) {
            Ok(kinds) => kinds,
            Err(r) => {
                self.message = Some(self.refusal_text(&r));
                return Vec::new();
            }
        };
        if let Some(spec) = spec_of(cmd).filter(|s| s.dangerous) {
            self.modals.push(Modal::Confirm {
                question: format!("{} {}?", spec.label(self.lang()), target.reference),
                pending: Pending::Record(target, command, kinds),
            });
            return Vec::new();
        }
        vec![self.record(target, command, kinds)]
    }

    /// The effect that records `command`; the item stays in its row until the cursor moves.
    pub(super) fn record(
        &mut self,
        target: Target,
        command: Command,
        kinds: Vec<crate::domain::EventKind>,
    ) -> Effect {
        if command.verb() == Verb::RevealPhone {
            self.revealed.insert(target.id);
        }
        if self.view == View::Queue && self.selected == Some(target.id) {
            self.kept = Some(target.id);
        }
        Effect::Record {
            id: target.id,
            reference: target.reference,
            command,
            kinds,
        }
    }
}
