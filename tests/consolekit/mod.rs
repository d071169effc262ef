//! Builders for the console's dispatch and board tests: an `App` at a fixed time over given items
//! and roster, keys, and the screen as text or as a snapshot buffer.
#![allow(dead_code)]

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use fenliu::config::Config;
use fenliu::domain::*;
use fenliu::tui::action::Action;
use fenliu::tui::app::App;
use fenliu::tui::theme::Theme;
use fenliu::tui::update::Effect;
use fenliu::tui::{settings, views};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// 2026-11-22 13:00:00 UTC, 21:00 in Shanghai (normal mode).
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 13, 0, 0)
        .single()
        .expect("valid time")
}

pub fn at(secs: i64) -> DateTime<Utc> {
    t0() + TimeDelta::seconds(secs)
}

/// An event by `operator` at workstation `device`.
pub fn ev_by(id: IncidentId, secs: i64, kind: EventKind, operator: &str, device: &str) -> Event {
    Event {
        id: EventId::v7_at(at(secs)),
        incident: id,
        actor: Actor {
            operator: operator.into(),
            station: "dn".into(),
            device: device.into(),
        },
        occurred_at: at(secs),
        recorded_at: at(secs),
        kind,
    }
}

/// What a fixture item says about itself.
pub struct Spec<'a> {
    pub n: u32,
    pub secs: i64,
    pub text: &'a str,
    pub address: &'a str,
    pub grid: &'a str,
    /// Triaged with this class and these departments, when given.
    pub triage: Option<(Class, &'a [&'a str])>,
    pub operator: &'a str,
    pub device: &'a str,
}

impl Default for Spec<'_> {
    fn default() -> Self {
        Spec {
            n: 1,
            secs: 0,
            text: "占道经营",
            address: "灵石路",
            grid: "3",
            triage: None,
            operator: "王磊",
            device: "ws1",
        }
    }
}

/// A triage decision of `class` for `departments`.
pub fn decision(class: Class, departments: &[&str]) -> TriageDecision {
    TriageDecision {
        class,
        category: Some("C1".into()),
        category_name: Some("市容 › 占道经营".into()),
        departments: departments.iter().map(|d| d.to_string()).collect(),
        mode: DispatchMode::Immediate,
        priority: Priority::Normal,
        confidence: 0.9,
        completion_limit_secs: None,
        evidence: Vec::new(),
        summary: "占道经营".into(),
        list_version: "test".into(),
        overridden_by: None,
    }
}

/// The `received` event of the item `spec` describes.
pub fn received(spec: &Spec<'_>) -> Event {
    let id = IncidentId(uuid::Uuid::from_u128(u128::from(spec.n)));
    ev_by(
        id,
        spec.secs,
        EventKind::Received(Received {
            reference: format!("DN-20261122-{:04}", spec.n),
            station: "dn".into(),
            source: Source::GridPatrol,
            source_ref: None,
            text: spec.text.into(),
            address: (!spec.address.is_empty()).then(|| spec.address.into()),
            grid: Some(spec.grid.into()),
            community: None,
            phone: None,
            priority: Priority::Normal,
            drill: false,
            repeat_of: None,
        }),
        spec.operator,
        spec.device,
    )
}

/// An item as `spec` says, then `more` events one second apart.
pub fn item(spec: Spec<'_>, more: Vec<EventKind>) -> Incident {
    let first = received(&spec);
    let id = first.incident;
    let mut incident = Incident::from_received(&first).expect("received");
    let mut kinds = Vec::new();
    if let Some((class, deps)) = spec.triage {
        kinds.push(EventKind::Triaged(decision(class, deps)));
    }
    kinds.extend(more);
    for (k, kind) in kinds.into_iter().enumerate() {
        let e = ev_by(
            id,
            spec.secs + 1 + k as i64,
            kind,
            spec.operator,
            spec.device,
        );
        incident.apply(&e).expect("legal fixture event");
    }
    incident
}

pub fn dispatched(ids: &[&str]) -> EventKind {
    EventKind::Dispatched {
        responders: ids.iter().map(|s| s.to_string()).collect(),
        channel: Channel::Radio,
    }
}

/// One responder of the roster.
pub fn responder(
    id: &str,
    name: &str,
    unit: &str,
    grid: &str,
    status: DutyStatus,
    on: Option<&str>,
) -> Responder {
    Responder {
        id: id.into(),
        name: name.into(),
        unit: unit.into(),
        grid: (!grid.is_empty()).then(|| grid.into()),
        phone: None,
        status,
        incident: on.map(String::from),
    }
}

/// A console over `incidents` and `roster` at `t0`.
pub fn app_with(incidents: Vec<Incident>, roster: Vec<Responder>) -> App {
    let mut config = Config::default();
    config.station.name = "大宁路街道 综合信息指挥室".into();
    let mut app = App::new(settings(&config, "王磊").expect("default settings"), t0());
    app.update(Action::Snapshot { incidents, roster }, t0());
    app
}

pub fn key(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

pub fn shift(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::SHIFT))
}

pub fn code(c: KeyCode) -> Action {
    Action::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

/// Types `text` one character at a time.
pub fn typed(text: &str) -> Vec<Action> {
    text.chars().map(key).collect()
}

pub fn press(app: &mut App, actions: Vec<Action>) -> Vec<Effect> {
    let mut out = Vec::new();
    for a in actions {
        out.extend(app.update(a, t0()));
    }
    out
}

/// The records among `effects`: reference and events.
pub fn records(effects: &[Effect]) -> Vec<(String, Vec<EventKind>)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Record {
                reference, kinds, ..
            } => Some((reference.clone(), kinds.clone())),
            _ => None,
        })
        .collect()
}

pub fn render(app: &App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut term = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    term.draw(|f| views::draw(f, app, &Theme::colored()))
        .expect("draws");
    term
}

/// The screen's rows as text, wide characters once and padding trimmed.
pub fn screen_lines(app: &App, w: u16, h: u16) -> Vec<String> {
    let term = render(app, w, h);
    let buffer = term.backend().buffer();
    (0..h)
        .map(|y| {
            let mut line = String::new();
            let mut skip = 0;
            for x in 0..w {
                let symbol = buffer[(x, y)].symbol();
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                skip = unicode_width::UnicodeWidthStr::width(symbol).saturating_sub(1);
                line.push_str(symbol);
            }
            line.trim_end().to_string()
        })
        .collect()
}
