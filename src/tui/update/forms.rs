//! Forms: which fields each action asks for, editing them, and decoding them by their labels
//! into a typed command.

use super::Effect;
use crate::command::Command;
use crate::domain::{
    DispatchMode, FeedbackResult, Priority, Received, ReturnReason, Satisfaction, Source, sla,
};
use crate::tui::action::{Cmd, spec_of};
use crate::tui::app::{App, Field, Form, FormKind, Modal, Target};
use crate::tui::text::{self, T};
use crossterm::event::{KeyCode, KeyEvent};

/// Dispatch modes in the order the reclassify form offers them, after "the category's own".
const MODES: [DispatchMode; 4] = [
    DispatchMode::Police,
    DispatchMode::ToHotline,
    DispatchMode::Immediate,
    DispatchMode::Joint,
];

const RESULTS: [FeedbackResult; 3] = [
    FeedbackResult::Resolved,
    FeedbackResult::HandedOver,
    FeedbackResult::Unresolved,
];

const SATISFACTIONS: [Satisfaction; 4] = [
    Satisfaction::Satisfied,
    Satisfaction::Basic,
    Satisfaction::Dissatisfied,
    Satisfaction::Unreachable,
];

const REASONS: [ReturnReason; 4] = [
    ReturnReason::Incomplete,
    ReturnReason::NotOurArea,
    ReturnReason::Duplicate,
    ReturnReason::OutOfScope,
];

pub(super) const PRIORITIES: [Priority; 3] =
    [Priority::Urgent, Priority::Normal, Priority::NonUrgent];

fn text_field(label: T, required: bool) -> Field {
    Field::Text {
        label,
        value: String::new(),
        required,
    }
}

fn choice(label: T, options: Vec<String>, selected: usize) -> Field {
    Field::Choice {
        label,
        options,
        selected,
    }
}

fn pick<V: Copy>(options: &[V], n: usize) -> Option<V> {
    options.get(n).copied()
}

impl App {
    /// Opens the form of `kind` aimed at `target` (no target: a new item).
    pub(super) fn open_form(&mut self, kind: FormKind, target: Option<Target>) -> Vec<Effect> {
        let lang = self.lang();
        let item = target.as_ref().and_then(|t| self.incident(t.id)).cloned();
        let note = || text_field(T::Note, false);
        let fields = match kind {
            FormKind::Feedback => vec![
                choice(
                    T::Result,
                    RESULTS.map(|r| text::feedback(r, lang).into()).to_vec(),
                    0,
                ),
                note(),
            ],
            FormKind::Verify => vec![
                choice(
                    T::Outcome,
                    vec![self.t(T::VerifyOk).into(), self.t(T::VerifyBack).into()],
                    0,
                ),
                note(),
            ],
            FormKind::Callback => vec![
                choice(
                    T::Satisfaction,
                    SATISFACTIONS
                        .map(|s| text::satisfaction(s, lang).into())
                        .to_vec(),
                    0,
                ),
                note(),
            ],
            FormKind::Return => vec![
                choice(
                    T::Reason,
                    REASONS.map(|r| text::reason(r, lang).into()).to_vec(),
                    0,
                ),
                note(),
            ],
            FormKind::ToPolice | FormKind::ToDistrict => vec![note()],
            FormKind::ToHotline => vec![text_field(T::OrderNo, false), note()],
            FormKind::Escalate => {
                let shown = item.as_ref().map_or(0, |i| {
                    sla::escalation(i, &self.settings.policy, self.now).level
                });
                vec![choice(
                    T::Level,
                    ["1", "2", "3", "4"].map(String::from).to_vec(),
                    usize::from(shown.min(3)),
                )]
            }
            FormKind::Note => vec![text_field(T::Text, true)],
            FormKind::Classify => {
                let current = item.as_ref().and_then(|i| i.triage.as_ref());
                let code = current.and_then(|t| t.category.clone()).unwrap_or_default();
                let mode = current.map_or(0, |t| {
                    MODES.iter().position(|m| *m == t.mode).map_or(0, |p| p + 1)
                });
                vec![
                    Field::Text {
                        label: T::CategoryCode,
                        value: code,
                        required: true,
                    },
                    choice(
                        T::Mode,
                        [self.t(T::ModeOfCategory), "P", "A", "B", "C"]
                            .map(String::from)
                            .to_vec(),
                        mode,
                    ),
                ]
            }
            FormKind::Depart | FormKind::Arrive => {
                let names = self.names();
                let options = item
                    .as_ref()
                    .map(|i| i.responders.iter().map(|r| names.label(r)).collect())
                    .unwrap_or_default();
                vec![choice(T::Responders, options, 0)]
            }
            FormKind::New => vec![
                choice(
                    T::ColSource,
                    Source::ALL.map(|s| text::source(s, lang).into()).to_vec(),
                    0,
                ),
                text_field(T::Text, true),
                text_field(T::Address, false),
                text_field(T::ColGrid, false),
                text_field(T::Phone, false),
                choice(
                    T::Priority,
                    [T::Urgent, T::NormalPri, T::NonUrgent]
                        .map(|t| self.t(t).to_string())
                        .to_vec(),
                    1,
                ),
            ],
        };
        let cmd = form_cmd(kind);
        let title = spec_of(cmd).map_or("", |s| s.label(lang));
        self.modals.push(Modal::Form(Form {
            kind,
            title,
            target,
            fields,
            focus: 0,
            cmd,
        }));
        Vec::new()
    }

    pub(super) fn form_key(&mut self, mut form: Form, key: KeyEvent) -> Vec<Effect> {
        let last = form.fields.len().saturating_sub(1);
        match key.code {
            KeyCode::Esc => return Vec::new(),
            KeyCode::Enter => return self.submit(form),
            KeyCode::Up | KeyCode::BackTab => form.focus = form.focus.saturating_sub(1),
            KeyCode::Down | KeyCode::Tab => form.focus = (form.focus + 1).min(last),
            code => {
                if let Some(field) = form.fields.get_mut(form.focus) {
                    edit(field, code);
                }
                if form.kind == FormKind::New {
                    self.raise_on_red_flag(&mut form);
                }
            }
        }
        self.modals.push(Modal::Form(form));
        Vec::new()
    }

    fn submit(&mut self, form: Form) -> Vec<Effect> {
        let missing = form.fields.iter().any(
            |f| matches!(f, Field::Text { value, required: true, .. } if value.trim().is_empty()),
        );
        if missing {
            self.message = Some(self.t(T::NeedText).to_string());
            self.modals.push(Modal::Form(form));
            return Vec::new();
        }
        if form.kind == FormKind::New {
            let received = new_item(&form);
            self.awaiting_new = Some(received.text.clone());
            return vec![Effect::Create(Box::new(received))];
        }
        let Some(target) = form.target.clone() else {
            return Vec::new();
        };
        let Some(command) = self.command_of(&form) else {
            return Vec::new();
        };
        let effects = self.commit(form.cmd, target, command);
        if effects.is_empty() && self.modals.is_empty() && self.message.is_some() {
            self.modals.push(Modal::Form(form));
        }
        effects
    }

    /// The typed command a filled-in form stands for, read by field label.
    fn command_of(&self, form: &Form) -> Option<Command> {
        let note = form.text(T::Note);
        Some(match form.kind {
            FormKind::Feedback => Command::Feedback {
                result: pick(&RESULTS, form.choice(T::Result))?,
                text: note,
            },
            FormKind::Verify if form.choice(T::Outcome) == 0 => Command::Verify { note },
            FormKind::Verify => Command::SendBack { note },
            FormKind::Callback => Command::Callback {
                satisfaction: pick(&SATISFACTIONS, form.choice(T::Satisfaction))?,
                note,
            },
            FormKind::Return => Command::Return {
                reason: pick(&REASONS, form.choice(T::Reason))?,
                note,
            },
            FormKind::ToPolice => Command::ToPolice { note },
            FormKind::ToDistrict => Command::ToDistrict { note },
            FormKind::ToHotline => Command::ToHotline {
                order_no: form.text(T::OrderNo),
                note,
            },
            FormKind::Escalate => Command::Escalate {
                level: Some(u8::try_from(form.choice(T::Level) + 1).ok()?),
            },
            FormKind::Note => Command::Note {
                text: form.text(T::Text)?,
            },
            FormKind::Classify => Command::Classify {
                category: {
                    let typed = form.text(T::CategoryCode)?;
                    self.category_pick(&typed).unwrap_or(typed)
                },
                mode: form
                    .choice(T::Mode)
                    .checked_sub(1)
                    .and_then(|n| pick(&MODES, n)),
            },
            FormKind::Depart | FormKind::Arrive => {
                let item = self.incident(form.target.as_ref()?.id)?;
                let responder = item.responders.get(form.choice(T::Responders)).cloned();
                if form.kind == FormKind::Depart {
                    Command::Depart { responder }
                } else {
                    Command::Arrive { responder }
                }
            }
            FormKind::New => return None,
        })
    }
}

/// The registry command whose label titles a form.
fn form_cmd(kind: FormKind) -> Cmd {
    match kind {
        FormKind::Feedback => Cmd::Feedback,
        FormKind::Verify => Cmd::Verify,
        FormKind::Callback => Cmd::Callback,
        FormKind::Return => Cmd::Return,
        FormKind::ToPolice => Cmd::ToPolice,
        FormKind::ToDistrict => Cmd::ToDistrict,
        FormKind::ToHotline => Cmd::ToHotline,
        FormKind::Escalate => Cmd::Escalate,
        FormKind::Note => Cmd::Note,
        FormKind::Classify => Cmd::Classify,
        FormKind::Depart => Cmd::Depart,
        FormKind::Arrive => Cmd::Arrive,
        FormKind::New => Cmd::New,
    }
}

/// The new item a filled-in intake form describes.
fn new_item(form: &Form) -> Received {
    Received {
        reference: String::new(),
        station: String::new(),
        source: pick(&Source::ALL, form.choice(T::ColSource)).unwrap_or(Source::Other),
        source_ref: None,
        text: form.text(T::Text).unwrap_or_default(),
        address: form.text(T::Address),
        grid: form.text(T::ColGrid),
        community: None,
        phone: form.text(T::Phone),
        priority: pick(&PRIORITIES, form.choice(T::Priority)).unwrap_or(Priority::Normal),
        drill: false,
        repeat_of: None,
    }
}

fn edit(field: &mut Field, code: KeyCode) {
    match field {
        Field::Text { value, .. } => match code {
            KeyCode::Backspace => {
                value.pop();
            }
            KeyCode::Char(c) => value.push(c),
            _ => {}
        },
        Field::Choice {
            options, selected, ..
        } => {
            let n = options.len().max(1);
            match code {
                KeyCode::Left => *selected = (*selected + n - 1) % n,
                KeyCode::Right | KeyCode::Char(' ') => *selected = (*selected + 1) % n,
                _ => {}
            }
        }
    }
}
