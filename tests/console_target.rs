//! Every key acts on the item highlighted in the view the officer is in, or on the item a `:`
//! command names, or is refused with a message: with the list re-sorting between key presses.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use fenliu::command::Command;
use fenliu::config::Config;
use fenliu::domain::*;
use fenliu::tui::action::{Action, Cmd};
use fenliu::tui::app::{App, Modal, View};
use fenliu::tui::settings;
use fenliu::tui::update::Effect;
use std::sync::OnceLock;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 13, 0, 0)
        .single()
        .expect("valid time")
}

fn at(secs: i64) -> DateTime<Utc> {
    t0() + TimeDelta::seconds(secs)
}

fn reference(n: u32) -> String {
    format!("DN-20261122-{n:04}")
}

/// Item `n`, received `secs` after t0, then `more` events one second apart.
fn item(n: u32, secs: i64, more: Vec<EventKind>) -> Incident {
    let id = IncidentId(uuid::Uuid::from_u128(u128::from(n)));
    let event = |s: i64, kind| Event {
        id: EventId(uuid::Uuid::from_u128(
            u128::from(n) << 32 | s.unsigned_abs() as u128,
        )),
        incident: id,
        actor: Actor {
            operator: "王磊".into(),
            station: "dn".into(),
            device: "1".into(),
        },
        occurred_at: at(s),
        recorded_at: at(s),
        kind,
    };
    let received = event(
        secs,
        EventKind::Received(Received {
            reference: reference(n),
            station: "dn".into(),
            source: Source::Police110,
            source_ref: None,
            text: format!("第{n}号 楼上噪音"),
            address: Some(format!("广中路{n}号")),
            grid: Some("3".into()),
            community: None,
            phone: Some(format!("1381234{n:04}")),
            priority: Priority::Normal,
            drill: false,
            repeat_of: None,
        }),
    );
    let mut incident = Incident::from_received(&received).expect("received");
    for (k, kind) in more.into_iter().enumerate() {
        incident
            .apply(&event(secs + 1 + k as i64, kind))
            .expect("legal fixture event");
    }
    incident
}

fn roster() -> Vec<Responder> {
    let r = |id: &str, name: &str| Responder {
        id: id.into(),
        name: name.into(),
        unit: "网格中队".into(),
        grid: Some("3".into()),
        phone: None,
        status: DutyStatus::Available,
        incident: None,
    };
    vec![r("g1", "王网格"), r("g2", "赵网格")]
}

fn app(items: Vec<Incident>) -> App {
    static SETTINGS: OnceLock<fenliu::tui::app::Settings> = OnceLock::new();
    let settings = SETTINGS.get_or_init(|| settings(&Config::default(), "王磊").expect("settings"));
    let mut app = App::new(settings.clone(), t0());
    app.update(
        Action::Snapshot {
            incidents: items,
            roster: roster(),
        },
        t0(),
    );
    app
}

fn key(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn enter() -> Action {
    Action::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE))
}

fn typed(app: &mut App, text: &str, now: DateTime<Utc>) -> Vec<Effect> {
    let mut out = Vec::new();
    for c in text.chars() {
        out.extend(app.update(key(c), now));
    }
    out
}

/// The (reference, command) of every record the effects ask for.
fn records(effects: &[Effect]) -> Vec<(String, Command)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Record {
                reference, command, ..
            } => Some((reference.clone(), command.clone())),
            _ => None,
        })
        .collect()
}

fn selected(app: &App) -> String {
    app.current()
        .map(|i| i.reference.clone())
        .unwrap_or_default()
}

/// What the store answers after recording: the item as it now is.
fn stored(app: &mut App, incident: &Incident, kinds: Vec<EventKind>, now: DateTime<Utc>) {
    let mut after = incident.clone();
    for kind in kinds {
        let e = Event {
            id: EventId::v7_at(now),
            incident: after.id,
            actor: Actor {
                operator: "王磊".into(),
                station: "dn".into(),
                device: "1".into(),
            },
            occurred_at: now,
            recorded_at: now,
            kind,
        };
        after
            .apply(&e)
            .expect("the store accepts what the console decided");
    }
    app.update(
        Action::Remote {
            incidents: vec![after],
            roster: None,
        },
        now,
    );
}

#[test]
fn a_re_sort_between_two_key_presses_keeps_the_action_on_the_highlighted_item() {
    let mut app = app(vec![item(1, -30, vec![]), item(2, -50, vec![])]);
    app.update(Action::Cmd(Cmd::Tab(0)), t0());
    assert_eq!(
        selected(&app),
        reference(2),
        "the oldest claim clock is first"
    );
    app.update(key('j'), t0());
    assert_eq!(selected(&app), reference(1));
    app.update(Action::Tick, at(5));
    app.update(
        Action::Remote {
            incidents: vec![item(3, -55, vec![])],
            roster: None,
        },
        at(5),
    );
    assert_eq!(
        app.selected_row(),
        Some(2),
        "a more urgent item came in above: the row moved"
    );
    let effects = app.update(key('c'), at(6));
    assert_eq!(records(&effects), vec![(reference(1), Command::Claim)]);
}

#[test]
fn claim_then_dispatch_on_the_to_claim_tab_acts_on_the_same_item() {
    let first = item(1, -50, vec![]);
    let mut app = app(vec![first.clone(), item(2, -30, vec![])]);
    app.update(Action::Cmd(Cmd::Tab(0)), t0());
    assert_eq!(selected(&app), reference(1));
    let effects = app.update(key('c'), at(1));
    assert_eq!(records(&effects), vec![(reference(1), Command::Claim)]);
    stored(&mut app, &first, vec![EventKind::Claimed], at(1));
    app.update(Action::Tick, at(2));
    assert_eq!(
        selected(&app),
        reference(1),
        "the claimed item stays highlighted though it left the tab"
    );
    let kept = app.rows.iter().find(|r| r.kept).expect("a kept row");
    assert_eq!(app.incidents[kept.index].reference, reference(1));
    app.update(key('d'), at(3));
    let Some(Modal::Dispatch(picker)) = app.modals.last() else {
        panic!("the dispatch picker is open: {:?}", app.modals);
    };
    assert_eq!(picker.target.reference, reference(1));
    assert!(!picker.claims_too, "already claimed: dispatch only");
    let effects = app.update(enter(), at(4));
    let recorded: Vec<_> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Record {
                reference, kinds, ..
            } => Some((reference.clone(), kinds.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        recorded,
        vec![(
            reference(1),
            vec![EventKind::Dispatched {
                responders: vec!["g1".into()],
                channel: Channel::Radio
            }]
        )]
    );
    app.update(key('k'), at(5));
    assert_eq!(
        selected(&app),
        reference(2),
        "moving on lets the kept row go"
    );
    assert!(app.rows.iter().all(|r| !r.kept));
}

#[test]
fn a_key_on_the_board_acts_on_the_boards_highlighted_row() {
    let mut app = app(vec![
        item(1, -50, vec![EventKind::Claimed]),
        item(2, -30, vec![EventKind::Claimed]),
    ]);
    assert_eq!(selected(&app), reference(1), "the queue highlights item 1");
    app.update(key('B'), t0());
    app.update(key('j'), t0());
    let board_item = app.target().map(|i| i.reference.clone());
    assert_eq!(board_item, Some(reference(2)), "the board's second row");
    let effects = app.update(key('t'), at(1));
    assert_eq!(
        records(&effects),
        vec![(reference(2), Command::Contact { note: None })]
    );
}

#[test]
fn a_key_in_the_roster_view_acts_on_no_item() {
    let mut app = app(vec![item(1, -50, vec![])]);
    app.update(key('R'), t0());
    assert_eq!(app.view, View::Roster);
    let effects = app.update(key('c'), at(1));
    assert!(records(&effects).is_empty());
    assert!(
        app.message
            .as_deref()
            .is_some_and(|m| m.contains("力量视图"))
    );
}

#[test]
fn a_colon_command_acts_on_the_item_it_names_and_shows_it() {
    let mut app = app(vec![
        item(1, -50, vec![EventKind::Claimed]),
        item(2, -30, vec![EventKind::Claimed]),
    ]);
    assert_eq!(selected(&app), reference(1));
    app.update(key(':'), t0());
    typed(&mut app, &format!("video {}", reference(2)), t0());
    let effects = app.update(enter(), at(1));
    assert_eq!(
        records(&effects),
        vec![(reference(2), Command::Video { note: None })]
    );
    assert_eq!(selected(&app), reference(2), "the named item is shown");
}

#[test]
fn a_colon_command_with_an_unknown_reference_or_extra_words_records_nothing() {
    let mut app = app(vec![item(1, -50, vec![EventKind::Claimed])]);
    for line in ["video NOPE", "video DN-20261122-0001 again", "help me"] {
        app.update(key(':'), t0());
        typed(&mut app, line, t0());
        let effects = app.update(enter(), at(1));
        assert!(records(&effects).is_empty(), "{line}");
        assert!(app.message.is_some(), "{line}: the officer is told");
    }
    assert_eq!(
        app.message.as_deref(),
        Some("这个命令不带参数: help me"),
        "the last refusal"
    );
}

#[test]
fn open_goto_and_find_move_to_what_they_name() {
    let mut app = app(vec![
        item(1, -50, vec![]),
        item(2, -30, vec![EventKind::Claimed]),
    ]);
    app.update(Action::Cmd(Cmd::Tab(0)), t0());
    app.update(key(':'), t0());
    typed(&mut app, &format!("goto {}", reference(2)), t0());
    app.update(enter(), t0());
    assert_eq!(
        selected(&app),
        reference(2),
        "another tab's item: the all tab"
    );
    app.update(key(':'), t0());
    typed(&mut app, "find 13812340001", t0());
    app.update(enter(), t0());
    let shown: Vec<_> = app
        .rows
        .iter()
        .map(|r| app.incidents[r.index].reference.clone())
        .collect();
    assert_eq!(shown, vec![reference(1)], "found by the caller's phone");
}

#[test]
fn completion_lists_commands_then_references() {
    let app = app(vec![item(1, -50, vec![]), item(12, -30, vec![])]);
    let names = fenliu::tui::update::completions(&app, "d");
    assert!(
        names.iter().any(|n| n == "dispatch") && names.iter().any(|n| n == "defer"),
        "{names:?}"
    );
    let refs = fenliu::tui::update::completions(&app, "claim 001");
    assert_eq!(
        refs,
        vec![
            format!("claim {}", reference(1)),
            format!("claim {}", reference(12))
        ],
        "every item whose reference holds what was typed, most urgent first"
    );
}

#[test]
fn hints_grey_out_what_the_command_layer_would_refuse() {
    let app = app(vec![item(1, -50, vec![])]);
    assert!(app.refusal(Cmd::Claim).is_none());
    assert!(
        app.refusal(Cmd::Dispatch).is_none(),
        "claims and dispatches"
    );
    let video = app.refusal(Cmd::Video).expect("refused on a new item");
    assert_eq!(
        app.refusal_text(&video),
        format!("{} 状态为「待签收」，不能调取监控", reference(1))
    );
    let backend = ratatui::backend::TestBackend::new(80, 24);
    let mut term = ratatui::Terminal::new(backend).expect("terminal");
    let theme = fenliu::tui::theme::Theme::colored();
    term.draw(|f| fenliu::tui::views::draw(f, &app, &theme))
        .expect("draw");
    let buffer = term.backend().buffer();
    let crossed = |first: &str| {
        let x = (0..80u16)
            .find(|x| buffer[(*x, 23u16)].symbol() == first)
            .expect("the hint is shown");
        buffer[(x, 23u16)]
            .style()
            .add_modifier
            .contains(ratatui::style::Modifier::CROSSED_OUT)
    };
    assert!(crossed("结"), "close is crossed out on a new item");
    assert!(!crossed("签"), "claim is offered");
}
