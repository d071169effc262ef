//! The pure heart of the console: `App::update(action, now)` changes the state and returns the
//! effects for the shell to carry out. No IO, no clock reads.

use super::action::{Action, Cmd, REGISTRY, spec_of};
use super::app::{App, Dispatch, Field, Form, FormKind, Modal, Pane, Pending, Tab, Target, View};
use super::text::{self, T};
use crate::domain::{
    Actor, Channel, DispatchMode, Event, EventId, EventKind, FeedbackResult, IncidentId, Priority,
    Received, ReturnReason, Satisfaction, Source,
};
use crate::triage::manual_decision;
use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use uuid::Uuid;

/// What the shell must do after an update.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Record events on an item (one transaction).
    Record {
        id: IncidentId,
        reference: String,
        kinds: Vec<EventKind>,
    },
    /// Record a new item (manual intake).
    Create(Box<Received>),
    /// Load the journal of an item for the detail pane.
    LoadTimeline(IncidentId),
    /// Ring the terminal bell.
    Bell,
    /// Leave the console.
    Quit,
}

/// Dispatch modes in the order the reclassify form offers them, after "the category's own".
const MODES: [DispatchMode; 4] = [
    DispatchMode::Police,
    DispatchMode::ToHotline,
    DispatchMode::Immediate,
    DispatchMode::Joint,
];

const CHANNELS: [Channel; 4] = [
    Channel::Radio,
    Channel::Wechat,
    Channel::Phone,
    Channel::Order,
];

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
                let known: std::collections::HashSet<IncidentId> =
                    self.incidents.iter().map(|i| i.id).collect();
                let fresh = incidents.iter().any(|i| !known.contains(&i.id));
                if self.loaded && fresh && self.settings.bell {
                    effects.push(Effect::Bell);
                }
                self.incidents = incidents;
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
            Action::Timeline(id, events) => {
                if self.selected == Some(id) {
                    self.timeline = Some((id, events));
                }
            }
            Action::StoreFailed(msg) => {
                self.message = Some(format!("{}: {msg}", self.t(T::Failed)));
            }
            Action::Hub(state) => self.hub = Some(state),
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
                    Pending::Record(target, kinds) => vec![record(target, kinds)],
                },
                KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => Vec::new(),
                _ => {
                    self.modals.push(Modal::Confirm { question, pending });
                    Vec::new()
                }
            },
            Modal::Filter => {
                match key.code {
                    KeyCode::Esc => self.filter.clear(),
                    KeyCode::Enter => {}
                    KeyCode::Backspace => {
                        self.filter.pop();
                        self.modals.push(Modal::Filter);
                    }
                    KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                        self.filter.push(c);
                        self.modals.push(Modal::Filter);
                    }
                    _ => self.modals.push(Modal::Filter),
                }
                self.refresh();
                Vec::new()
            }
            Modal::Command { mut input } => match key.code {
                KeyCode::Esc => Vec::new(),
                KeyCode::Enter => self.command(input.trim()),
                KeyCode::Tab => {
                    if let Some(done) = complete(&input) {
                        input = done.to_string();
                    }
                    self.modals.push(Modal::Command { input });
                    Vec::new()
                }
                KeyCode::Backspace => {
                    input.pop();
                    self.modals.push(Modal::Command { input });
                    Vec::new()
                }
                KeyCode::Char(c) => {
                    input.push(c);
                    self.modals.push(Modal::Command { input });
                    Vec::new()
                }
                _ => {
                    self.modals.push(Modal::Command { input });
                    Vec::new()
                }
            },
            Modal::Dispatch(d) => self.dispatch_key(d, key),
            Modal::Form(f) => self.form_key(f, key),
        }
    }

    fn command(&mut self, input: &str) -> Vec<Effect> {
        let word = input.split_whitespace().next().unwrap_or("");
        if word.is_empty() {
            return Vec::new();
        }
        match REGISTRY.iter().find(|s| s.name == word) {
            Some(spec) if spec.cmd != Cmd::Command => self.run(spec.cmd),
            _ => {
                self.message = Some(format!("{}: {word}", self.t(T::UnknownCommand)));
                Vec::new()
            }
        }
    }

    /// Carries out one registry command.
    pub fn run(&mut self, cmd: Cmd) -> Vec<Effect> {
        match cmd {
            Cmd::Up => return self.step(-1),
            Cmd::Down => return self.step(1),
            Cmd::Top => return self.step(i64::MIN / 2),
            Cmd::Bottom => return self.step(i64::MAX / 2),
            Cmd::Tab(n) => {
                if let Some(tab) = Tab::ALL.get(usize::from(n)) {
                    self.tab = *tab;
                    self.view = View::Queue;
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
            Cmd::BoardView => self.view = View::Board,
            Cmd::Filter => self.modals.push(Modal::Filter),
            Cmd::Command => self.modals.push(Modal::Command {
                input: String::new(),
            }),
            Cmd::Help => self.modals.push(Modal::Help),
            Cmd::War => self.war = !self.war,
            Cmd::Quit => self.modals.push(Modal::Confirm {
                question: self.t(T::QuitAsk).to_string(),
                pending: Pending::Quit,
            }),
            Cmd::New => return self.open_form(FormKind::New, None),
            _ => return self.lifecycle(cmd),
        }
        Vec::new()
    }

    fn lifecycle(&mut self, cmd: Cmd) -> Vec<Effect> {
        let Some(incident) = self.current().cloned() else {
            self.message = Some(self.t(T::NoItem).to_string());
            return Vec::new();
        };
        let target = Target {
            id: incident.id,
            reference: incident.reference.clone(),
        };
        let first = incident.responders.first().cloned().unwrap_or_default();
        let kinds = match cmd {
            Cmd::Claim => vec![EventKind::Claimed],
            Cmd::Contact => vec![EventKind::PartyContacted { note: None }],
            Cmd::Video => vec![EventKind::VideoRetrieved { note: None }],
            Cmd::Depart if incident.responders.len() > 1 => {
                return self.open_form(FormKind::Depart, Some(target));
            }
            Cmd::Arrive if incident.responders.len() > 1 => {
                return self.open_form(FormKind::Arrive, Some(target));
            }
            Cmd::Depart => vec![EventKind::Departed { responder: first }],
            Cmd::Arrive => vec![EventKind::Arrived { responder: first }],
            Cmd::Close => vec![EventKind::Closed],
            Cmd::Defer => vec![EventKind::Deferred {
                until: self.settings.night.end_after(self.now),
            }],
            Cmd::Reveal => {
                if incident.phone.is_none() || self.revealed.contains(&incident.id) {
                    return Vec::new();
                }
                self.revealed.insert(incident.id);
                vec![EventKind::PhoneRevealed]
            }
            Cmd::Dispatch => {
                let mut probe = Vec::new();
                if incident.claimed_at.is_none() {
                    probe.push(EventKind::Claimed);
                }
                probe.push(EventKind::Dispatched {
                    responders: vec![String::from("?")],
                    channel: Channel::Radio,
                });
                if let Err(why) = self.predict(&target, &probe) {
                    self.message = Some(why);
                    return Vec::new();
                }
                self.modals.push(Modal::Dispatch(Dispatch {
                    target,
                    query: String::new(),
                    cursor: 0,
                    chosen: Vec::new(),
                    channel: Channel::Radio,
                }));
                return Vec::new();
            }
            Cmd::Feedback => return self.open_form(FormKind::Feedback, Some(target)),
            Cmd::Verify => return self.open_form(FormKind::Verify, Some(target)),
            Cmd::Callback => return self.open_form(FormKind::Callback, Some(target)),
            Cmd::Return => return self.open_form(FormKind::Return, Some(target)),
            Cmd::ToPolice => return self.open_form(FormKind::ToPolice, Some(target)),
            Cmd::ToDistrict => return self.open_form(FormKind::ToDistrict, Some(target)),
            Cmd::Escalate => return self.open_form(FormKind::Escalate, Some(target)),
            Cmd::Note => return self.open_form(FormKind::Note, Some(target)),
            Cmd::Classify => return self.open_form(FormKind::Classify, Some(target)),
            _ => return Vec::new(),
        };
        self.commit(cmd, target, kinds)
    }

    /// Checks the action against the lifecycle, then records it or asks first if it is dangerous.
    fn commit(&mut self, cmd: Cmd, target: Target, kinds: Vec<EventKind>) -> Vec<Effect> {
        if let Err(why) = self.predict(&target, &kinds) {
            self.message = Some(why);
            return Vec::new();
        }
        if spec_of(cmd).is_some_and(|s| s.dangerous) {
            let label = spec_of(cmd).map_or("", |s| s.label(self.lang()));
            self.modals.push(Modal::Confirm {
                question: format!("{label} {}?", target.reference),
                pending: Pending::Record(target, kinds),
            });
            return Vec::new();
        }
        vec![record(target, kinds)]
    }

    /// Folds the events over a copy of the item: an illegal action never reaches the store.
    fn predict(&self, target: &Target, kinds: &[EventKind]) -> Result<(), String> {
        let Some(mut incident) = self.incidents.iter().find(|i| i.id == target.id).cloned() else {
            return Err(self.t(T::NoItem).to_string());
        };
        for kind in kinds {
            let event = Event {
                id: EventId(Uuid::nil()),
                incident: incident.id,
                actor: Actor {
                    operator: self.settings.operator.clone(),
                    station: String::new(),
                    device: "console".into(),
                },
                occurred_at: self.now,
                recorded_at: self.now,
                kind: kind.clone(),
            };
            incident.apply(&event).map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    fn step(&mut self, by: i64) -> Vec<Effect> {
        let (len, cursor) = match self.view {
            View::Queue => (self.rows.len(), self.selected_row().unwrap_or(0)),
            View::Roster => (self.roster.len(), self.roster_cursor),
            View::Board => (self.rows.len(), self.board_cursor),
        };
        if len == 0 {
            return Vec::new();
        }
        let max = i64::try_from(len - 1).unwrap_or(i64::MAX);
        let cur = i64::try_from(cursor).unwrap_or(0);
        let next = usize::try_from(cur.saturating_add(by).clamp(0, max)).unwrap_or(0);
        match self.view {
            View::Queue => {
                self.selected = self.rows.get(next).map(|r| self.incidents[r.index].id);
                self.last_row = next;
            }
            View::Roster => self.roster_cursor = next,
            View::Board => self.board_cursor = next,
        }
        Vec::new()
    }

    fn open_form(&mut self, kind: FormKind, target: Option<Target>) -> Vec<Effect> {
        let lang = self.lang();
        let note = |required| Field::Text {
            label: T::Note,
            value: String::new(),
            required,
        };
        let choice = |label, options: Vec<&str>| Field::Choice {
            label,
            options: options.into_iter().map(String::from).collect(),
            selected: 0,
        };
        let level = self
            .current()
            .map_or(1, |i| i.escalation_level.saturating_add(1).min(4));
        let (cmd, fields) = match kind {
            FormKind::Feedback => (
                Cmd::Feedback,
                vec![
                    choice(
                        T::Result,
                        [
                            FeedbackResult::Resolved,
                            FeedbackResult::HandedOver,
                            FeedbackResult::Unresolved,
                        ]
                        .map(|r| text::feedback(r, lang))
                        .to_vec(),
                    ),
                    note(false),
                ],
            ),
            FormKind::Verify => (
                Cmd::Verify,
                vec![
                    choice(T::Outcome, vec![self.t(T::VerifyOk), self.t(T::VerifyBack)]),
                    note(false),
                ],
            ),
            FormKind::Callback => (
                Cmd::Callback,
                vec![
                    choice(
                        T::Satisfaction,
                        SATISFACTIONS.map(|s| text::satisfaction(s, lang)).to_vec(),
                    ),
                    note(false),
                ],
            ),
            FormKind::Return => (
                Cmd::Return,
                vec![
                    choice(
                        T::Reason,
                        [ReturnReason::Incomplete, ReturnReason::NotOurArea]
                            .map(|r| text::reason(r, lang))
                            .to_vec(),
                    ),
                    note(false),
                ],
            ),
            FormKind::ToPolice => (Cmd::ToPolice, vec![note(false)]),
            FormKind::ToDistrict => (Cmd::ToDistrict, vec![note(false)]),
            FormKind::Escalate => (
                Cmd::Escalate,
                vec![Field::Choice {
                    label: T::Level,
                    options: ["1", "2", "3", "4"].map(String::from).to_vec(),
                    selected: usize::from(level.max(1) - 1),
                }],
            ),
            FormKind::Note => (
                Cmd::Note,
                vec![Field::Text {
                    label: T::Text,
                    value: String::new(),
                    required: true,
                }],
            ),
            FormKind::Classify => {
                let current = self.current().and_then(|i| i.triage.as_ref());
                let code = current.and_then(|t| t.category.clone()).unwrap_or_default();
                let mode = current.map_or(0, |t| {
                    MODES.iter().position(|m| *m == t.mode).map_or(0, |p| p + 1)
                });
                (
                    Cmd::Classify,
                    vec![
                        Field::Text {
                            label: T::CategoryCode,
                            value: code,
                            required: true,
                        },
                        Field::Choice {
                            label: T::Mode,
                            options: [self.t(T::ModeOfCategory), "P", "A", "B", "C"]
                                .map(String::from)
                                .to_vec(),
                            selected: mode,
                        },
                    ],
                )
            }
            FormKind::Depart | FormKind::Arrive => {
                let cmd = if kind == FormKind::Depart {
                    Cmd::Depart
                } else {
                    Cmd::Arrive
                };
                let options = self
                    .current()
                    .map(|i| {
                        i.responders
                            .iter()
                            .map(|r| self.responder_label(r))
                            .collect()
                    })
                    .unwrap_or_default();
                (
                    cmd,
                    vec![Field::Choice {
                        label: T::Responders,
                        options,
                        selected: 0,
                    }],
                )
            }
            FormKind::New => (
                Cmd::New,
                vec![
                    choice(
                        T::ColSource,
                        Source::ALL.map(|s| text::source(s, lang)).to_vec(),
                    ),
                    Field::Text {
                        label: T::Text,
                        value: String::new(),
                        required: true,
                    },
                    Field::Text {
                        label: T::Address,
                        value: String::new(),
                        required: false,
                    },
                    Field::Text {
                        label: T::Phone,
                        value: String::new(),
                        required: false,
                    },
                    Field::Choice {
                        label: T::Priority,
                        options: [T::Urgent, T::NormalPri, T::NonUrgent]
                            .map(|t| self.t(t).to_string())
                            .to_vec(),
                        selected: 1,
                    },
                ],
            ),
        };
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

    fn form_key(&mut self, mut form: Form, key: KeyEvent) -> Vec<Effect> {
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
        let texts: Vec<Option<String>> = form
            .fields
            .iter()
            .filter_map(|f| match f {
                Field::Text { value, .. } => Some(non_empty(value)),
                Field::Choice { .. } => None,
            })
            .collect();
        let choices: Vec<usize> = form
            .fields
            .iter()
            .filter_map(|f| match f {
                Field::Choice { selected, .. } => Some(*selected),
                Field::Text { .. } => None,
            })
            .collect();
        let text_at = |n: usize| texts.get(n).cloned().flatten();
        let choice_at = |n: usize| choices.get(n).copied().unwrap_or(0);
        let kinds = match form.kind {
            FormKind::Feedback => vec![EventKind::FeedbackGiven {
                result: [
                    FeedbackResult::Resolved,
                    FeedbackResult::HandedOver,
                    FeedbackResult::Unresolved,
                ][choice_at(0).min(2)],
                text: text_at(0),
            }],
            FormKind::Verify if choice_at(0) == 0 => vec![EventKind::Verified { note: text_at(0) }],
            FormKind::Verify => vec![EventKind::SentBack { note: text_at(0) }],
            FormKind::Callback => vec![EventKind::CalledBack {
                satisfaction: SATISFACTIONS[choice_at(0).min(3)],
                note: text_at(0),
            }],
            FormKind::Return => vec![EventKind::Returned {
                reason: [ReturnReason::Incomplete, ReturnReason::NotOurArea][choice_at(0).min(1)],
                note: text_at(0),
            }],
            FormKind::ToPolice => vec![EventKind::TransferredToPolice { note: text_at(0) }],
            FormKind::ToDistrict => vec![EventKind::UploadedToDistrict { note: text_at(0) }],
            FormKind::Escalate => vec![EventKind::Escalated {
                level: u8::try_from(choice_at(0) + 1).unwrap_or(1),
            }],
            FormKind::Note => vec![EventKind::NoteAdded {
                text: text_at(0).unwrap_or_default(),
            }],
            FormKind::Classify => {
                let mode = choice_at(0)
                    .checked_sub(1)
                    .and_then(|i| MODES.get(i))
                    .copied();
                let code = text_at(0).unwrap_or_default();
                match manual_decision(
                    self.settings.classifier.list(),
                    &code,
                    mode,
                    &self.settings.operator,
                ) {
                    Ok(decision) => vec![EventKind::Triaged(decision)],
                    Err(e) => {
                        self.message = Some(format!("{}: {e}", self.t(T::Failed)));
                        self.modals.push(Modal::Form(form));
                        return Vec::new();
                    }
                }
            }
            FormKind::Depart | FormKind::Arrive => {
                let responder = form
                    .target
                    .as_ref()
                    .and_then(|t| self.incidents.iter().find(|i| i.id == t.id))
                    .and_then(|i| i.responders.get(choice_at(0)))
                    .cloned()
                    .unwrap_or_default();
                if form.kind == FormKind::Depart {
                    vec![EventKind::Departed { responder }]
                } else {
                    vec![EventKind::Arrived { responder }]
                }
            }
            FormKind::New => {
                let received = Received {
                    reference: String::new(),
                    station: String::new(),
                    source: Source::ALL
                        .get(choice_at(0))
                        .copied()
                        .unwrap_or(Source::Other),
                    source_ref: None,
                    text: text_at(0).unwrap_or_default(),
                    address: text_at(1),
                    grid: None,
                    community: None,
                    phone: text_at(2),
                    priority: [Priority::Urgent, Priority::Normal, Priority::NonUrgent]
                        [choice_at(1).min(2)],
                    drill: false,
                    repeat_of: None,
                };
                return vec![Effect::Create(Box::new(received))];
            }
        };
        match form.target {
            Some(target) => self.commit(form.cmd, target, kinds),
            None => Vec::new(),
        }
    }

    /// `id 姓名` of a dispatched responder, as the depart/arrive form lists them.
    fn responder_label(&self, id: &str) -> String {
        match self.roster.iter().find(|r| r.id == id) {
            Some(r) => format!("{id} {}", r.name),
            None => id.to_string(),
        }
    }

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

    fn dispatch_key(&mut self, mut d: Dispatch, key: KeyEvent) -> Vec<Effect> {
        let found = self.candidates(&d.query);
        match key.code {
            KeyCode::Esc => return Vec::new(),
            KeyCode::Up => d.cursor = d.cursor.saturating_sub(1),
            KeyCode::Down => d.cursor = (d.cursor + 1).min(found.len().saturating_sub(1)),
            KeyCode::Left | KeyCode::Right => {
                let n = CHANNELS.iter().position(|c| *c == d.channel).unwrap_or(0);
                let next = if key.code == KeyCode::Left {
                    n + 3
                } else {
                    n + 1
                };
                d.channel = CHANNELS[next % 4];
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
                    let claimed = self
                        .incidents
                        .iter()
                        .find(|i| i.id == d.target.id)
                        .is_some_and(|i| i.claimed_at.is_some());
                    let mut kinds = Vec::new();
                    if !claimed {
                        kinds.push(EventKind::Claimed);
                    }
                    kinds.push(EventKind::Dispatched {
                        responders: d.chosen.clone(),
                        channel: d.channel,
                    });
                    let effects = self.commit(Cmd::Dispatch, d.target.clone(), kinds);
                    if !effects.is_empty() {
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

const SATISFACTIONS: [Satisfaction; 4] = [
    Satisfaction::Satisfied,
    Satisfaction::Basic,
    Satisfaction::Dissatisfied,
    Satisfaction::Unreachable,
];

fn record(target: Target, kinds: Vec<EventKind>) -> Effect {
    Effect::Record {
        id: target.id,
        reference: target.reference,
        kinds,
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

fn toggle(chosen: &mut Vec<String>, id: &str) {
    match chosen.iter().position(|c| c == id) {
        Some(n) => {
            chosen.remove(n);
        }
        None => chosen.push(id.to_string()),
    }
}

fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
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

/// The first `:` command name starting with `input`.
pub fn complete(input: &str) -> Option<&'static str> {
    let word = input.trim();
    REGISTRY
        .iter()
        .map(|s| s.name)
        .find(|name| name.starts_with(word) && !word.is_empty())
}
