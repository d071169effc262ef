//! The console's state. Everything the screen shows comes from here; only `update` changes it.

use super::keymap::Keymap;
use super::text::T;
use crate::command::Command;
use crate::config::Lang;
use crate::domain::night::NightWindow;
use crate::domain::sla::{self, Clock, ClockName, ClockState};
use crate::domain::{
    Channel, Event, EventKind, Incident, IncidentId, Responder, SlaPolicy, Source, Status,
};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use std::collections::HashSet;

/// The queue's tabs, in number-key order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    ToClaim,
    Handling,
    AwaitFeedback,
    ToVerify,
    Overdue,
    All,
}

impl Tab {
    /// Every tab, in order.
    pub const ALL: [Tab; 6] = [
        Tab::ToClaim,
        Tab::Handling,
        Tab::AwaitFeedback,
        Tab::ToVerify,
        Tab::Overdue,
        Tab::All,
    ];

    /// The tab's label.
    pub fn label(self) -> T {
        match self {
            Tab::ToClaim => T::TabNew,
            Tab::Handling => T::TabActive,
            Tab::AwaitFeedback => T::TabFeedback,
            Tab::ToVerify => T::TabVerify,
            Tab::Overdue => T::TabBreached,
            Tab::All => T::TabAll,
        }
    }

    /// Whether an item belongs in this tab.
    pub fn holds(self, incident: &Incident, next: Option<&Clock>) -> bool {
        match self {
            // A night hold comes back into the claim queue when its claim clock starts.
            Tab::ToClaim => {
                incident.status == Status::New
                    || incident.status == Status::Deferred && next.is_some()
            }
            Tab::Handling => matches!(
                incident.status,
                Status::Claimed | Status::Dispatched | Status::EnRoute
            ),
            Tab::AwaitFeedback => incident.status == Status::OnScene,
            Tab::ToVerify => incident.status == Status::AwaitingVerification,
            Tab::Overdue => next.is_some_and(|c| matches!(c.state, ClockState::Breached { .. })),
            Tab::All => true,
        }
    }
}

/// The main view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Queue,
    Roster,
    Board,
    /// The figures (`F`): rates against targets, hours, categories, clocks, the ranking.
    Report,
    /// The shift handover (`H`, 交接班) of the shift holding now.
    Handover,
}

/// Which pane has the keyboard (on small screens, which pane is shown).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    List,
    Detail,
}

/// One field of a form dialog.
#[derive(Debug, Clone, PartialEq)]
pub enum Field {
    Text {
        label: T,
        value: String,
        required: bool,
    },
    Choice {
        label: T,
        options: Vec<String>,
        selected: usize,
    },
}

/// Which lifecycle action a form records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormKind {
    Feedback,
    Verify,
    Callback,
    Return,
    ToPolice,
    ToDistrict,
    ToHotline,
    Escalate,
    Note,
    Classify,
    Depart,
    Arrive,
    New,
}

impl FormKind {
    /// The form a lifecycle key opens, if it opens one.
    pub fn of(cmd: super::action::Cmd) -> Option<FormKind> {
        use super::action::Cmd as C;
        Some(match cmd {
            C::Feedback => FormKind::Feedback,
            C::Verify => FormKind::Verify,
            C::Callback => FormKind::Callback,
            C::Return => FormKind::Return,
            C::ToPolice => FormKind::ToPolice,
            C::ToDistrict => FormKind::ToDistrict,
            C::ToHotline => FormKind::ToHotline,
            C::Escalate => FormKind::Escalate,
            C::Note => FormKind::Note,
            C::Classify => FormKind::Classify,
            C::Depart => FormKind::Depart,
            C::Arrive => FormKind::Arrive,
            C::New => FormKind::New,
            _ => return None,
        })
    }
}

impl Form {
    /// The text of the field labelled `label`, trimmed; `None` when empty or absent.
    pub fn text(&self, label: T) -> Option<String> {
        self.fields.iter().find_map(|f| match f {
            Field::Text {
                label: l, value, ..
            } if *l == label => {
                let t = value.trim();
                (!t.is_empty()).then(|| t.to_string())
            }
            _ => None,
        })
    }

    /// The option chosen in the field labelled `label` (0 when absent).
    pub fn choice(&self, label: T) -> usize {
        self.fields
            .iter()
            .find_map(|f| match f {
                Field::Choice {
                    label: l, selected, ..
                } if *l == label => Some(*selected),
                _ => None,
            })
            .unwrap_or(0)
    }
}

/// The item an action is aimed at, fixed when its dialog opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub id: IncidentId,
    pub reference: String,
}

/// A form: a few fields, then Enter.
#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    pub kind: FormKind,
    pub title: &'static str,
    pub target: Option<Target>,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// The registry command that opened it (its danger decides on a confirmation).
    pub cmd: super::action::Cmd,
}

/// The dispatch dialog: search the roster, pick several, choose a channel.
#[derive(Debug, Clone, PartialEq)]
pub struct Dispatch {
    pub target: Target,
    /// The item is not claimed yet: dispatching claims it too (签收并指派), and the title says so.
    pub claims_too: bool,
    pub query: String,
    pub cursor: usize,
    pub chosen: Vec<String>,
    pub channel: Channel,
}

/// What a confirmation carries out when the officer says yes.
#[derive(Debug, Clone, PartialEq)]
pub enum Pending {
    Quit,
    /// The command on its target, and the events the command layer said it records.
    Record(Target, Command, Vec<EventKind>),
    /// A station command (war mode on or off).
    Station(crate::command::StationCommand),
}

/// A layer over the main view; the top one takes the keys.
#[derive(Debug, Clone, PartialEq)]
pub enum Modal {
    Help,
    Confirm {
        question: String,
        pending: Pending,
    },
    Dispatch(Dispatch),
    /// 改派: withdraw one responder, pick another, give the reason.
    Reassign(super::update::Reassign),
    Form(Form),
    Filter,
    Command {
        input: String,
    },
}

/// What the header shows about the district hub, when one is configured.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HubState {
    /// The last exchange with the hub succeeded.
    pub online: bool,
    /// Local events not yet accepted by the hub (出站).
    pub outbox: i64,
    /// The hub's clock differs by more than 5 s.
    pub skew_warning: bool,
    /// The hub turned out to be another one or a restored copy (recovered; see `doctor`).
    pub hub_changed: bool,
    /// When the last exchange succeeded.
    pub last_sync: Option<DateTime<Utc>>,
    /// Since when sync has been retrying a hub that went away (重连).
    pub offline_since: Option<DateTime<Utc>>,
    /// The address in use (host and port), when `[hub] url` lists several to fail over between.
    pub address: Option<String>,
}

/// Settings fixed for the session.
#[derive(Debug, Clone)]
pub struct Settings {
    pub lang: Lang,
    pub station: String,
    pub operator: String,
    pub tz: Tz,
    /// The limits the clocks run on now: `normal_policy`, or `war_policy` while war mode holds.
    pub policy: SlaPolicy,
    /// `[sla]`.
    pub normal_policy: SlaPolicy,
    /// `[sla.war]`.
    pub war_policy: SlaPolicy,
    pub night: NightWindow,
    /// When shifts hand over (`[shift] starts`), local times of day.
    pub shift_starts: Vec<chrono::NaiveTime>,
    pub bell: bool,
    pub keymap: Keymap,
    /// How many times faster than real time the clock runs (the demo's `--speed`); 1 normally.
    pub speed: f64,
    /// A dissatisfied callback reopens the item (`[callback]`).
    pub reopen_on_dissatisfied: bool,
    /// Roster unit → departments it serves (`[units]`): the dispatch picker's order.
    pub units: crate::domain::Units,
    /// Suggests a classification as a new item is typed, and resolves reclassifications.
    pub classifier: std::sync::Arc<crate::triage::Classifier>,
}

/// One queue row: an item and the clock it counts down.
#[derive(Debug, Clone, Copy)]
pub struct Row {
    pub index: usize,
    pub next: Option<Clock>,
    /// The item no longer belongs in this tab but stays, marked, until the cursor moves: the
    /// officer keeps seeing what the next key acts on.
    pub kept: bool,
}

/// The console's whole state.
#[derive(Debug, Clone)]
pub struct App {
    pub settings: Settings,
    pub now: DateTime<Utc>,
    pub loaded: bool,
    pub incidents: Vec<Incident>,
    pub roster: Vec<Responder>,
    pub timeline: Option<(IncidentId, Vec<Event>)>,
    pub tab: Tab,
    pub filter: String,
    pub selected: Option<IncidentId>,
    pub view: View,
    pub pane: Pane,
    pub modals: Vec<Modal>,
    pub revealed: HashSet<IncidentId>,
    pub message: Option<String>,
    /// The hub as last reported by sync; `None` when the console works alone.
    pub hub: Option<HubState>,
    /// The figures last computed by the store thread, for the report view.
    pub report: Option<Box<crate::report::Report>>,
    /// War mode (战时) holds, as the station's recorded mode says.
    pub war: bool,
    /// The station as its events made it (mode, shift notes, samples).
    pub station: crate::domain::station::StationState,
    /// The highlighted row among [`App::roster_rows`].
    pub roster_cursor: usize,
    /// The roster view's `/` filter: name, unit, grid, id or duty status.
    pub roster_filter: String,
    /// The board's highlighted row: an item and one of its clocks.
    pub board_selected: Option<(IncidentId, ClockName)>,
    /// The board's order (Shift+C clock, Shift+O officer, Shift+P responder).
    pub board_sort: super::board::BoardSort,
    /// The description of a new item sent to the store from the `n` form: when it comes back,
    /// the queue selects it.
    pub awaiting_new: Option<String>,
    /// The item last acted on in the queue, kept in its tab until the cursor moves.
    pub kept: Option<IncidentId>,
    /// Rows of the current tab and filter, most urgent first.
    pub rows: Vec<Row>,
    /// Counts per tab, in `Tab::ALL` order.
    pub counts: [usize; 6],
    pub(crate) last_row: usize,
    pub(crate) last_board_row: usize,
    pub(crate) breached: HashSet<IncidentId>,
    breached_live: HashSet<IncidentId>,
}

impl App {
    /// A console with nothing loaded yet, at `now`.
    pub fn new(settings: Settings, now: DateTime<Utc>) -> App {
        App {
            settings,
            now,
            loaded: false,
            incidents: Vec::new(),
            roster: Vec::new(),
            timeline: None,
            tab: Tab::All,
            filter: String::new(),
            selected: None,
            view: View::Queue,
            pane: Pane::List,
            modals: Vec::new(),
            revealed: HashSet::new(),
            message: None,
            hub: None,
            report: None,
            war: false,
            station: Default::default(),
            roster_cursor: 0,
            roster_filter: String::new(),
            board_selected: None,
            board_sort: Default::default(),
            kept: None,
            awaiting_new: None,
            rows: Vec::new(),
            counts: [0; 6],
            last_row: 0,
            last_board_row: 0,
            breached: HashSet::new(),
            breached_live: HashSet::new(),
        }
    }

    /// The screen language.
    pub fn lang(&self) -> Lang {
        self.settings.lang
    }

    /// Fixed text in the screen language.
    pub fn t(&self, t: T) -> &'static str {
        t.get(self.settings.lang)
    }

    /// The roster's responders by name (the id only where two share a name).
    pub fn names(&self) -> crate::domain::Names {
        crate::domain::Names::of(&self.roster)
    }

    /// The item highlighted in the queue (the detail pane shows it).
    pub fn current(&self) -> Option<&Incident> {
        let id = self.selected?;
        self.incident(id)
    }

    /// The item with this id.
    pub fn incident(&self, id: IncidentId) -> Option<&Incident> {
        self.incidents.iter().find(|i| i.id == id)
    }

    /// The item a key acts on: the one highlighted in the view the officer is in. The roster
    /// view highlights responders, not items, so there is none.
    pub fn target(&self) -> Option<&Incident> {
        match self.view {
            View::Queue => self.current(),
            View::Board => self.incident(self.board_selected?.0),
            View::Roster | View::Report | View::Handover => None,
        }
    }

    /// Where the board's highlighted row sits among its live clocks.
    pub fn board_row(&self) -> Option<usize> {
        let (id, name) = self.board_selected?;
        super::views::board::live_clocks(self)
            .iter()
            .position(|(i, c)| i.id == id && c.name == name)
    }

    /// Where the selected item sits in the rows.
    pub fn selected_row(&self) -> Option<usize> {
        let id = self.selected?;
        self.rows
            .iter()
            .position(|r| self.incidents[r.index].id == id)
    }

    /// The responders the roster view lists, as indexes into `roster`: grouped by unit in
    /// name order, then as loaded, keeping those that match every word of the roster filter.
    pub fn roster_rows(&self) -> Vec<usize> {
        let words: Vec<String> = self
            .roster_filter
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        let lang = self.lang();
        let mut rows: Vec<usize> = (0..self.roster.len())
            .filter(|&k| {
                let r = &self.roster[k];
                let hay = format!(
                    "{} {} {} {} {} {}",
                    r.name,
                    r.unit,
                    r.id,
                    r.grid.as_deref().unwrap_or(""),
                    super::text::duty(r.status, lang),
                    r.incident.as_deref().unwrap_or("")
                )
                .to_lowercase();
                words.iter().all(|w| hay.contains(w.as_str()))
            })
            .collect();
        rows.sort_by(|a, b| {
            self.roster[*a]
                .unit
                .cmp(&self.roster[*b].unit)
                .then(a.cmp(b))
        });
        rows
    }

    /// Night mode is on at `now`.
    pub fn is_night(&self) -> bool {
        self.settings.night.contains(self.now)
    }

    /// Recomputes rows and counts for `now`, keeping the selection on the same item.
    pub fn refresh(&mut self) {
        let policy = &self.settings.policy;
        let now = self.now;
        let filter = Filter::parse(&self.filter);
        let mut counts = [0usize; 6];
        let mut rows = Vec::new();
        let mut breached = HashSet::new();
        for (index, incident) in self.incidents.iter().enumerate() {
            let next = sla::next_deadline(incident, policy, now);
            if next.is_some_and(|c| matches!(c.state, ClockState::Breached { .. })) {
                breached.insert(incident.id);
            }
            for (n, tab) in Tab::ALL.iter().enumerate() {
                if tab.holds(incident, next.as_ref()) {
                    counts[n] += 1;
                }
            }
            let holds = self.tab.holds(incident, next.as_ref());
            let kept = !holds && self.kept == Some(incident.id);
            if (holds || kept) && filter.keeps(incident) {
                rows.push(Row { index, next, kept });
            }
        }
        rows.sort_by(|a, b| {
            let key = |r: &Row| {
                let i = &self.incidents[r.index];
                (
                    r.next.and_then(|c| c.deadline).is_none(),
                    r.next.and_then(|c| c.deadline),
                    i.status.is_terminal(),
                    std::cmp::Reverse(i.received_at),
                )
            };
            key(a).cmp(&key(b))
        });
        self.rows = rows;
        self.counts = counts;
        self.breached_live = breached;
        match self.selected_row() {
            Some(n) => self.last_row = n,
            None => {
                let n = self.last_row.min(self.rows.len().saturating_sub(1));
                self.selected = self.rows.get(n).map(|r| self.incidents[r.index].id);
                self.last_row = n;
            }
        }
        if self.view == View::Board {
            self.refresh_board();
        }
    }

    /// Keeps the board's highlight on the same item and clock; when that clock ends, on the row
    /// that took its place.
    pub(crate) fn refresh_board(&mut self) {
        let clocks = super::views::board::live_clocks(self);
        let found = self.board_selected.and_then(|(id, name)| {
            clocks
                .iter()
                .position(|(i, c)| i.id == id && c.name == name)
        });
        let n = found.unwrap_or_else(|| self.last_board_row.min(clocks.len().saturating_sub(1)));
        let next = clocks.get(n).map(|(i, c)| (i.id, c.name));
        self.board_selected = next;
        self.last_board_row = n;
    }

    /// Ids of items with a breached clock at the last refresh.
    pub fn breached_now(&self) -> HashSet<IncidentId> {
        self.breached_live.clone()
    }
}

/// The `/` filter: words that must all appear; a leading `!` keeps the items that do not match.
struct Filter {
    words: Vec<String>,
    invert: bool,
}

impl Filter {
    fn parse(text: &str) -> Filter {
        let t = text.trim();
        let (invert, t) = match t.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, t),
        };
        Filter {
            words: t.split_whitespace().map(str::to_lowercase).collect(),
            invert,
        }
    }

    fn keeps(&self, i: &Incident) -> bool {
        if self.words.is_empty() {
            return true;
        }
        let hay = format!(
            "{} {} {} {} {} {} {}",
            i.phone.as_deref().unwrap_or(""),
            i.reference,
            i.text,
            i.address.as_deref().unwrap_or(""),
            i.triage
                .as_ref()
                .and_then(|t| t.category_name.as_deref())
                .unwrap_or(""),
            source_code(i.source),
            i.status.code()
        )
        .to_lowercase();
        self.words.iter().all(|w| hay.contains(w.as_str())) != self.invert
    }
}

fn source_code(s: Source) -> &'static str {
    s.code()
}
