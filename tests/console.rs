//! The console: `App::update` driven by actions at a fixed time, snapshots of every view and
//! dialog at 80×24 and 160×48 (Chinese fixtures), and styles of the cells whose colour matters.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use fenliu::config::Config;
use fenliu::domain::*;
use fenliu::tui::action::Action;
use fenliu::tui::app::{App, Modal, Pane, Tab, View};
use fenliu::tui::theme::Theme;
use fenliu::tui::update::Effect;
use fenliu::tui::{settings, views};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// 2026-11-22 13:00:00 UTC, 21:00 in Shanghai (normal mode).
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 13, 0, 0)
        .single()
        .expect("valid time")
}

fn at(secs: i64) -> DateTime<Utc> {
    t0() + TimeDelta::seconds(secs)
}

fn ev(id: IncidentId, secs: i64, kind: EventKind) -> Event {
    Event {
        id: EventId::v7_at(at(secs)),
        incident: id,
        actor: Actor {
            operator: "王磊".into(),
            station: "dn".into(),
            device: "test".into(),
        },
        occurred_at: at(secs),
        recorded_at: at(secs),
        kind,
    }
}

/// An item received `secs` after t0 (negative: before), then `more` events one second apart.
fn item(
    n: u32,
    secs: i64,
    source: Source,
    text: &str,
    place: &str,
    more: Vec<EventKind>,
) -> Incident {
    let id = IncidentId(uuid::Uuid::from_u128(u128::from(n)));
    let first = ev(
        id,
        secs,
        EventKind::Received(Received {
            reference: format!("DN-20261122-{n:04}"),
            station: "dn".into(),
            source,
            source_ref: None,
            text: text.into(),
            address: Some(place.into()),
            grid: Some("3".into()),
            community: None,
            phone: Some("13812341116".into()),
            priority: Priority::Normal,
            drill: false,
            repeat_of: None,
        }),
    );
    let mut incident = Incident::from_received(&first).expect("received");
    for (k, kind) in more.into_iter().enumerate() {
        incident
            .apply(&ev(id, secs + 1 + k as i64, kind))
            .expect("legal fixture event");
    }
    incident
}

fn dispatched(ids: &[&str]) -> EventKind {
    EventKind::Dispatched {
        responders: ids.iter().map(|s| s.to_string()).collect(),
        channel: Channel::Radio,
    }
}

fn fixtures() -> Vec<Incident> {
    vec![
        item(
            1,
            -30,
            Source::Police110,
            "楼上装修至深夜，电钻声不断，老人无法入睡",
            "广中路123弄",
            vec![EventKind::Triaged(
                fenliu::triage::Classifier::embedded()
                    .expect("embedded list")
                    .classify("楼上装修至深夜，电钻声不断，老人无法入睡"),
            )],
        ),
        item(
            2,
            -200,
            Source::Hotline12345,
            "工地拖欠农民工工资三个月",
            "共和新路4700号",
            vec![],
        ),
        item(
            3,
            -400,
            Source::GridPatrol,
            "小区门口占道经营，夜市摊贩",
            "大宁路街道灵石路",
            vec![EventKind::Claimed, dispatched(&["g3"])],
        ),
        item(
            4,
            -3000,
            Source::Police110,
            "邻里纠纷，双方争吵",
            "延长中路",
            vec![
                EventKind::Claimed,
                dispatched(&["p1"]),
                EventKind::Arrived {
                    responder: "p1".into(),
                },
                EventKind::FeedbackGiven {
                    result: FeedbackResult::Resolved,
                    text: Some("已调解".into()),
                },
            ],
        ),
    ]
}

fn roster() -> Vec<Responder> {
    let r = |id: &str, name: &str, unit: &str, status, incident: Option<&str>| Responder {
        id: id.into(),
        name: name.into(),
        unit: unit.into(),
        grid: Some("3".into()),
        phone: None,
        status,
        incident: incident.map(String::from),
    };
    vec![
        r(
            "g3",
            "王网格",
            "网格中队",
            DutyStatus::Assigned,
            Some("DN-20261122-0003"),
        ),
        r("g4", "赵网格", "网格中队", DutyStatus::Available, None),
        r("p1", "李民警", "派出所", DutyStatus::Available, None),
        r("c1", "陈队员", "城管中队", DutyStatus::OffDuty, None),
    ]
}

fn app() -> App {
    let mut config = Config::default();
    config.station.name = "大宁路街道 综合信息指挥室".into();
    let mut app = App::new(settings(&config, "王磊").expect("default settings"), t0());
    app.update(
        Action::Snapshot {
            incidents: fixtures(),
            roster: roster(),
        },
        t0(),
    );
    app
}

fn key(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn code(c: KeyCode) -> Action {
    Action::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn press(app: &mut App, actions: Vec<Action>) -> Vec<Effect> {
    let mut out = Vec::new();
    for a in actions {
        out.extend(app.update(a, t0()));
    }
    out
}

fn records(effects: &[Effect]) -> Vec<(String, Vec<EventKind>)> {
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

fn selected_ref(app: &App) -> String {
    app.current()
        .map(|i| i.reference.clone())
        .unwrap_or_default()
}

#[test]
fn queue_is_ordered_by_urgency_breached_first() {
    let app = app();
    let refs: Vec<&str> = app
        .rows
        .iter()
        .map(|r| app.incidents[r.index].reference.as_str())
        .collect();
    assert_eq!(
        refs,
        [
            "DN-20261122-0004",
            "DN-20261122-0003",
            "DN-20261122-0002",
            "DN-20261122-0001"
        ],
        "items 4 and 3 missed their contact clocks, item 2 its claim; item 1 still has time"
    );
}

#[test]
fn selection_stays_on_the_same_incident_when_the_list_reorders() {
    let mut app = app();
    press(&mut app, vec![key('j'), key('j')]);
    assert_eq!(selected_ref(&app), "DN-20261122-0002");
    assert_eq!(app.selected_row(), Some(2));
    let mut more = fixtures();
    more.push(item(
        5,
        -500,
        Source::Hotline12345,
        "路灯不亮",
        "汶水路",
        vec![],
    ));
    app.update(
        Action::Snapshot {
            incidents: more,
            roster: roster(),
        },
        t0(),
    );
    let order: Vec<&str> = app
        .rows
        .iter()
        .map(|r| app.incidents[r.index].reference.as_str())
        .collect();
    assert_eq!(
        app.selected_row(),
        Some(3),
        "the item moved down a row: {order:?}"
    );
    assert_eq!(selected_ref(&app), "DN-20261122-0002");
    let effects = press(&mut app, vec![key('c')]);
    assert_eq!(
        records(&effects),
        vec![("DN-20261122-0002".to_string(), vec![EventKind::Claimed])],
        "the action lands on the item the officer sees"
    );
}

#[test]
fn selection_moves_to_a_neighbour_when_its_item_leaves_the_tab() {
    let mut app = app();
    press(&mut app, vec![key('1')]);
    assert_eq!(app.tab, Tab::ToClaim);
    assert_eq!(selected_ref(&app), "DN-20261122-0002");
    let mut after = fixtures();
    after[1] = item(
        2,
        -200,
        Source::Hotline12345,
        "工地拖欠农民工工资三个月",
        "共和新路4700号",
        vec![EventKind::Claimed],
    );
    app.update(
        Action::Snapshot {
            incidents: after,
            roster: roster(),
        },
        t0(),
    );
    assert_eq!(selected_ref(&app), "DN-20261122-0001");
}

#[test]
fn claim_records_claimed() {
    let mut app = app();
    press(&mut app, vec![key('j'), key('j'), key('j')]);
    let effects = press(&mut app, vec![key('c')]);
    assert_eq!(
        records(&effects),
        vec![("DN-20261122-0001".into(), vec![EventKind::Claimed])]
    );
}

#[test]
fn an_illegal_action_is_refused_before_the_store() {
    let mut app = app();
    press(&mut app, vec![key('j')]);
    let effects = press(&mut app, vec![key('c')]);
    assert!(records(&effects).is_empty(), "item 3 is already claimed");
    assert!(app.message.is_some());
}

#[test]
fn dispatch_picks_several_responders_and_a_channel() {
    let mut app = app();
    let effects = press(
        &mut app,
        vec![
            key('j'),
            key('j'),
            key('d'),
            key('王'),
            key(' '),
            code(KeyCode::Backspace),
            key('李'),
            key(' '),
            code(KeyCode::Right),
            code(KeyCode::Enter),
        ],
    );
    assert_eq!(
        records(&effects),
        vec![(
            "DN-20261122-0002".into(),
            vec![
                EventKind::Claimed,
                EventKind::Dispatched {
                    responders: vec!["g3".into(), "p1".into()],
                    channel: Channel::Wechat
                }
            ]
        )]
    );
    assert!(app.modals.is_empty());
}

#[test]
fn dispatch_without_a_pick_takes_the_highlighted_one_and_esc_cancels() {
    let mut app = app();
    let effects = press(
        &mut app,
        vec![
            key('j'),
            key('j'),
            key('d'),
            code(KeyCode::Down),
            code(KeyCode::Enter),
        ],
    );
    // Available before busy: 赵网格 (g4), then 李民警 (p1), then the busy 王网格 (g3).
    assert_eq!(records(&effects)[0].1[1], dispatched(&["p1"]));
    let effects = press(&mut app, vec![key('d'), code(KeyCode::Esc)]);
    assert!(effects.is_empty() && app.modals.is_empty());
    press(&mut app, vec![key('g'), key('d')]);
    assert!(
        app.modals.is_empty(),
        "an item waiting for verification cannot be dispatched"
    );
    assert!(app.message.is_some());
}

#[test]
fn quit_asks_first() {
    let mut app = app();
    assert!(press(&mut app, vec![key('q')]).is_empty());
    assert!(matches!(app.modals.last(), Some(Modal::Confirm { .. })));
    assert!(press(&mut app, vec![key('n')]).is_empty());
    assert!(app.modals.is_empty());
    assert_eq!(
        press(&mut app, vec![key('q'), key('y')]),
        vec![Effect::Quit]
    );
}

#[test]
fn dangerous_actions_ask_for_confirmation() {
    let mut app = app();
    press(&mut app, vec![key('j'), key('j')]);
    let effects = press(&mut app, vec![key('p'), code(KeyCode::Enter)]);
    assert!(effects.is_empty(), "to police waits for yes");
    let effects = press(&mut app, vec![key('y')]);
    assert_eq!(
        records(&effects),
        vec![(
            "DN-20261122-0002".into(),
            vec![EventKind::TransferredToPolice { note: None }]
        )]
    );
    let effects = press(
        &mut app,
        vec![
            key('r'),
            code(KeyCode::Right),
            code(KeyCode::Enter),
            key('y'),
        ],
    );
    assert_eq!(
        records(&effects)[0].1,
        vec![EventKind::Returned {
            reason: ReturnReason::NotOurArea,
            note: None
        }]
    );
}

#[test]
fn close_needs_verification_then_confirmation() {
    let mut app = app();
    press(&mut app, vec![key('G'), key('g')]);
    assert_eq!(selected_ref(&app), "DN-20261122-0004");
    assert!(records(&press(&mut app, vec![key('x')])).is_empty());
    let effects = press(&mut app, vec![key('y'), code(KeyCode::Enter)]);
    assert_eq!(
        records(&effects)[0].1,
        vec![EventKind::Verified { note: None }]
    );
    let effects = press(
        &mut app,
        vec![key('y'), code(KeyCode::Right), code(KeyCode::Enter)],
    );
    assert_eq!(
        records(&effects)[0].1,
        vec![EventKind::SentBack { note: None }]
    );
}

#[test]
fn forms_record_their_events() {
    let mut app = app();
    press(&mut app, vec![key('j')]);
    let cases: Vec<(Vec<Action>, EventKind)> = vec![
        (
            vec![
                key('f'),
                code(KeyCode::Right),
                code(KeyCode::Down),
                key('好'),
                code(KeyCode::Enter),
            ],
            EventKind::FeedbackGiven {
                result: FeedbackResult::HandedOver,
                text: Some("好".into()),
            },
        ),
        (
            vec![key('e'), code(KeyCode::Right), code(KeyCode::Enter)],
            EventKind::Escalated { level: 2 },
        ),
        (
            vec![key('m'), key('已'), key('电'), code(KeyCode::Enter)],
            EventKind::NoteAdded {
                text: "已电".into(),
            },
        ),
        (vec![key('t')], EventKind::PartyContacted { note: None }),
        (vec![key('v')], EventKind::VideoRetrieved { note: None }),
        (
            vec![key('o')],
            EventKind::Departed {
                responder: "g3".into(),
            },
        ),
        (
            vec![key('a')],
            EventKind::Arrived {
                responder: "g3".into(),
            },
        ),
    ];
    for (keys, want) in cases {
        let effects = press(&mut app, keys);
        assert_eq!(
            records(&effects),
            vec![("DN-20261122-0003".into(), vec![want])]
        );
        assert!(app.modals.is_empty());
    }
}

#[test]
fn callback_and_defer_follow_the_lifecycle() {
    let mut app = app();
    let effects = press(&mut app, vec![key('h'), code(KeyCode::Enter)]);
    assert!(records(&effects).is_empty(), "callback only after closing");
    press(&mut app, vec![key('g')]);
    let effects = press(&mut app, vec![key('z')]);
    assert!(
        records(&effects).is_empty(),
        "only non-urgent items are held"
    );
    assert!(app.message.is_some());
}

#[test]
fn a_note_needs_text() {
    let mut app = app();
    let effects = press(&mut app, vec![key('m'), code(KeyCode::Enter)]);
    assert!(effects.is_empty());
    assert!(matches!(app.modals.last(), Some(Modal::Form(_))));
}

#[test]
fn new_incident_is_created_from_the_form() {
    let mut app = app();
    let effects = press(
        &mut app,
        vec![
            key('n'),
            code(KeyCode::Right),
            code(KeyCode::Down),
            key('路'),
            key('灯'),
            code(KeyCode::Enter),
        ],
    );
    match effects.as_slice() {
        [Effect::Create(r)] => {
            assert_eq!(r.source, Source::Hotline12345);
            assert_eq!(r.text, "路灯");
        }
        other => panic!("expected a create, got {other:?}"),
    }
}

#[test]
fn reveal_records_who_looked_once() {
    let mut app = app();
    let effects = press(&mut app, vec![key('s')]);
    assert_eq!(records(&effects)[0].1, vec![EventKind::PhoneRevealed]);
    assert!(press(&mut app, vec![key('s')]).is_empty());
}

#[test]
fn views_tabs_filter_command_help_and_back() {
    let mut app = app();
    press(&mut app, vec![key('5')]);
    assert_eq!(app.tab, Tab::Overdue);
    assert_eq!(app.rows.len(), 3);
    press(
        &mut app,
        vec![
            key('6'),
            key('/'),
            key('纠'),
            key('纷'),
            code(KeyCode::Enter),
        ],
    );
    assert_eq!(app.rows.len(), 1);
    press(&mut app, vec![code(KeyCode::Esc)]);
    assert_eq!(app.rows.len(), 4);
    press(
        &mut app,
        vec![key('/'), key('!'), key('纠'), code(KeyCode::Enter)],
    );
    assert_eq!(app.rows.len(), 3);
    press(
        &mut app,
        vec![
            code(KeyCode::Esc),
            key(':'),
            key('b'),
            key('o'),
            key('a'),
            code(KeyCode::Tab),
            code(KeyCode::Enter),
        ],
    );
    assert_eq!(app.view, View::Board);
    press(&mut app, vec![key('R')]);
    assert_eq!(app.view, View::Roster);
    press(&mut app, vec![code(KeyCode::Esc), code(KeyCode::Enter)]);
    assert_eq!((app.view, app.pane), (View::Queue, Pane::Detail));
    press(&mut app, vec![key('?')]);
    assert!(matches!(app.modals.last(), Some(Modal::Help)));
    press(&mut app, vec![code(KeyCode::Esc), code(KeyCode::Esc)]);
    assert!(app.modals.is_empty());
    assert_eq!(app.pane, Pane::List);
    press(
        &mut app,
        vec![key(':'), key('x'), key('x'), code(KeyCode::Enter)],
    );
    assert!(app.message.is_some());
}

#[test]
fn a_new_item_and_a_breach_ring_the_bell() {
    let mut app = app();
    let mut more = fixtures();
    more.push(item(
        6,
        0,
        Source::Police110,
        "井盖缺失",
        "平型关路",
        vec![],
    ));
    let effects = app.update(
        Action::Snapshot {
            incidents: more,
            roster: roster(),
        },
        t0(),
    );
    assert!(effects.contains(&Effect::Bell));
    assert!(!app.update(Action::Tick, at(1)).contains(&Effect::Bell));
    assert!(
        app.update(Action::Tick, at(61)).contains(&Effect::Bell),
        "item 6 breaches"
    );
    assert!(!app.update(Action::Tick, at(62)).contains(&Effect::Bell));
}

fn render(app: &App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut term = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    term.draw(|f| views::draw(f, app, &Theme::colored()))
        .expect("draws");
    term
}

#[test]
fn snapshots_of_every_view_and_dialog() {
    let screens: Vec<(&str, Vec<Action>)> = vec![
        ("queue", vec![]),
        ("detail", vec![key('s'), code(KeyCode::Enter)]),
        ("help", vec![key('?')]),
        (
            "dispatch",
            vec![key('j'), key('j'), key('d'), key('网'), key(' ')],
        ),
        ("quit", vec![key('q')]),
        ("close_confirm", vec![key('y'), code(KeyCode::Enter)]),
        ("feedback", vec![key('j'), key('f')]),
        ("return", vec![key('G'), key('r')]),
        ("new", vec![key('n')]),
        ("classify", vec![key('l')]),
        ("roster", vec![key('R')]),
        ("board", vec![key('B')]),
        ("filter", vec![key('/'), key('工')]),
        ("command", vec![key(':'), key('d')]),
    ];
    for (name, actions) in screens {
        for (w, h) in [(80u16, 24u16), (160, 48)] {
            let mut app = app();
            for a in actions.clone() {
                app.update(a, t0());
            }
            if name == "close_confirm" {
                let mut verified = fixtures();
                verified[3] = item(
                    4,
                    -3000,
                    Source::Police110,
                    "邻里纠纷，双方争吵",
                    "延长中路",
                    vec![
                        EventKind::Claimed,
                        dispatched(&["p1"]),
                        EventKind::Arrived {
                            responder: "p1".into(),
                        },
                        EventKind::FeedbackGiven {
                            result: FeedbackResult::Resolved,
                            text: Some("已调解".into()),
                        },
                        EventKind::Verified { note: None },
                    ],
                );
                app.update(
                    Action::Snapshot {
                        incidents: verified,
                        roster: roster(),
                    },
                    t0(),
                );
                app.update(key('x'), t0());
            }
            let term = render(&app, w, h);
            insta::assert_snapshot!(format!("{name}_{w}x{h}"), term.backend());
        }
    }
}

#[test]
fn english_labels_with_lang_en() {
    let mut config = Config::default();
    config.lang = fenliu::config::Lang::En;
    let mut app = App::new(settings(&config, "Wang").expect("settings"), t0());
    app.update(
        Action::Snapshot {
            incidents: fixtures(),
            roster: roster(),
        },
        t0(),
    );
    let term = render(&app, 160, 48);
    insta::assert_snapshot!("queue_en_160x48", term.backend());
}

#[test]
fn a_breached_countdown_is_signed_and_styled_as_breach() {
    let app = app();
    let theme = Theme::colored();
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        let term = render(&app, w, h);
        let buf = term.backend().buffer();
        let y = (0..h)
            .find(|y| {
                let line: String = (0..w).map(|x| buf[(x, *y)].symbol().to_string()).collect();
                line.contains("+02:")
            })
            .expect("a breached countdown is on screen");
        let line: String = (0..w).map(|x| buf[(x, y)].symbol().to_string()).collect();
        let col = line.find('+').expect("sign");
        let x = u16::try_from(line[..col].chars().count()).expect("fits");
        let cell = &buf[(x, y)];
        assert_eq!(cell.fg, theme.sla_breach.fg.expect("breach colour"));
        assert!(cell.modifier.contains(ratatui::style::Modifier::BOLD));
    }
}

#[test]
fn no_color_keeps_meaning_without_colour() {
    let theme = Theme::monochrome();
    assert_eq!(theme.sla_breach.fg, None);
    assert!(
        theme
            .sla_breach
            .add_modifier
            .contains(ratatui::style::Modifier::BOLD)
    );
}

/// The real binary in a pseudo-terminal: an item written by the CLI appears without a key press,
/// then it is claimed and dispatched with keystrokes; the screen and the journal agree.
mod pty {
    use fenliu::domain::{EventKind, Status};
    use fenliu::store::Store;
    use portable_pty::{CommandBuilder, PtySize, native_pty_system};
    use std::io::{Read, Write};
    use std::path::Path;
    use std::process::Command;
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    const BIN: &str = env!("CARGO_BIN_EXE_fenliu");

    fn cli(dir: &Path, args: &[&str]) -> String {
        let out = Command::new(BIN)
            .arg("--data-dir")
            .arg(dir)
            .args(args)
            .output()
            .expect("runs the CLI");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// A config with night mode off, so that a work order is not held until the morning when
    /// the test happens to run at night.
    fn daytime(dir: &Path) -> String {
        let path = dir.join("daytime.toml");
        std::fs::write(&path, "[night]\nstart = \"00:00\"\nend = \"00:00\"\n").expect("config");
        path.to_string_lossy().into_owned()
    }

    fn wait_for(screen: &Arc<Mutex<vt100::Parser>>, what: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let text = screen.lock().expect("screen lock").screen().contents();
            if text.contains(what) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "`{what}` never appeared:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The real binary in a pseudo-terminal, with its screen kept up to date by a reader thread.
    struct Terminal {
        child: Box<dyn portable_pty::Child + Send + Sync>,
        keys: Box<dyn Write + Send>,
        screen: Arc<Mutex<vt100::Parser>>,
        _master: Box<dyn portable_pty::MasterPty + Send>,
    }

    impl Terminal {
        fn start(mut cmd: CommandBuilder) -> Terminal {
            let pair = native_pty_system()
                .openpty(PtySize {
                    rows: 40,
                    cols: 140,
                    pixel_width: 0,
                    pixel_height: 0,
                })
                .expect("opens a pty");
            cmd.env("TERM", "xterm-256color");
            let child = pair.slave.spawn_command(cmd).expect("starts fenliu");
            drop(pair.slave);
            let mut reader = pair.master.try_clone_reader().expect("reader");
            let keys = pair.master.take_writer().expect("writer");
            let screen = Arc::new(Mutex::new(vt100::Parser::new(
                std::num::NonZeroU16::new(40).expect("rows"),
                std::num::NonZeroU16::new(140).expect("cols"),
                0,
            )));
            let sink = Arc::clone(&screen);
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = reader.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    sink.lock().expect("screen lock").process(&buf[..n]);
                }
            });
            Terminal {
                child,
                keys,
                screen,
                _master: pair.master,
            }
        }

        /// Waits for the process to end and returns whether it succeeded.
        fn wait_exit(&mut self) -> bool {
            let deadline = Instant::now() + Duration::from_secs(15);
            loop {
                if let Some(status) = self.child.try_wait().expect("child status") {
                    return status.success();
                }
                assert!(Instant::now() < deadline, "fenliu did not exit");
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }

    #[test]
    fn the_demo_shows_items_within_seconds_and_quits_cleanly() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut cmd = CommandBuilder::new(BIN);
        cmd.args(["demo", "--speed", "60", "--seed", "4", "--dir"]);
        cmd.arg(dir.path().join("demo"));
        let mut term = Terminal::start(cmd);
        wait_for(&term.screen, "演示倍速 ×60");
        wait_for(&term.screen, "枢纽: 在线");
        wait_for(&term.screen, "DN-");
        let text = wait_for(&term.screen, "12345");
        assert!(text.contains("待签收"), "{text}");
        term.keys.write_all(b"q").expect("types");
        wait_for(&term.screen, "退出分流控制台?");
        term.keys.write_all(b"y").expect("types");
        assert!(term.wait_exit(), "the demo exits with success");
        let store = Store::open_dir(&dir.path().join("demo")).expect("demo store");
        assert!(store.incidents(None).expect("items").len() >= 3);
        assert!(store.responders().expect("roster").len() >= 45);
    }

    #[test]
    fn claim_and_dispatch_an_item_written_by_another_process() {
        let dir = tempfile::tempdir().expect("temp dir");
        cli(
            dir.path(),
            &[
                "roster",
                "add",
                "--id",
                "g3",
                "--name",
                "王网格",
                "--unit",
                "网格中队",
            ],
        );
        let mut cmd = CommandBuilder::new(BIN);
        cmd.arg("--data-dir");
        cmd.arg(dir.path());
        cmd.args(["--operator", "王磊", "console"]);
        let mut term = Terminal::start(cmd);
        let screen = Arc::clone(&term.screen);
        wait_for(&screen, "值班: 王磊");
        let reference = cli(
            dir.path(),
            &[
                "incident",
                "new",
                "--source",
                "110",
                "--text",
                "楼上装修噪音扰民",
            ],
        )
        .lines()
        .last()
        .unwrap_or_default()
        .to_string();
        wait_for(&screen, &reference);
        wait_for(&screen, "楼上装修噪音扰民");
        term.keys.write_all(b"c").expect("types");
        wait_for(&screen, "已签收");
        term.keys.write_all(b"d").expect("types");
        wait_for(&screen, "空格 选择");
        term.keys.write_all(b" \r").expect("types");
        let shown = wait_for(&screen, "已指派");
        assert!(shown.contains(&reference));
        term.keys.write_all(b"q").expect("types");
        wait_for(&screen, "退出分流控制台");
        term.keys.write_all(b"y").expect("types");
        assert!(term.wait_exit(), "the console exits with success");
        let store = Store::open_dir(dir.path()).expect("opens the store");
        let item = store
            .incident(&reference)
            .expect("reads")
            .expect("the item exists");
        assert_eq!(item.status, Status::Dispatched);
        assert_eq!(item.responders, vec!["g3".to_string()]);
        let kinds: Vec<String> = store
            .events_of(item.id)
            .expect("journal")
            .into_iter()
            .map(|e| e.event.kind.name().to_string())
            .collect();
        assert_eq!(kinds, ["received", "triaged", "claimed", "dispatched"]);
        let by: Vec<String> = store
            .events_of(item.id)
            .expect("journal")
            .into_iter()
            .filter(|e| !matches!(e.event.kind, EventKind::Received(_) | EventKind::Triaged(_)))
            .map(|e| e.event.actor.operator)
            .collect();
        assert_eq!(by, ["王磊", "王磊"]);
    }

    #[test]
    fn claim_then_dispatch_on_the_to_claim_tab_lands_on_the_claimed_item() {
        let dir = tempfile::tempdir().expect("temp dir");
        cli(
            dir.path(),
            &[
                "roster",
                "add",
                "--id",
                "g3",
                "--name",
                "王网格",
                "--unit",
                "网格中队",
            ],
        );
        let day = daytime(dir.path());
        let new = |text: &str| {
            cli(
                dir.path(),
                &[
                    "--config", &day, "incident", "new", "--source", "110", "--text", text,
                ],
            )
            .lines()
            .last()
            .unwrap_or_default()
            .to_string()
        };
        let first = new("楼上装修噪音扰民");
        let second = new("路灯不亮一整条路都黑");
        let mut cmd = CommandBuilder::new(BIN);
        cmd.arg("--data-dir");
        cmd.arg(dir.path());
        cmd.args(["--config", &day, "--operator", "王磊", "console"]);
        let mut term = Terminal::start(cmd);
        let screen = Arc::clone(&term.screen);
        wait_for(&screen, "6 全部 2");
        term.keys.write_all(b"1").expect("types");
        wait_for(&screen, "1 待签收 2");
        term.keys.write_all(b"c").expect("types");
        wait_for(&screen, "已签收");
        term.keys.write_all(b"d").expect("types");
        let picker = wait_for(&screen, "空格 选择");
        assert!(
            picker.contains(&format!("指派 {first}")),
            "the picker is for the claimed item:\n{picker}"
        );
        term.keys.write_all(b" \r").expect("types");
        wait_for(&screen, "已指派");
        term.keys.write_all(b"q").expect("types");
        wait_for(&screen, "退出分流控制台");
        term.keys.write_all(b"y").expect("types");
        assert!(term.wait_exit(), "the console exits with success");
        let store = Store::open_dir(dir.path()).expect("opens the store");
        let kinds = |reference: &str| -> Vec<String> {
            let item = store.incident(reference).expect("reads").expect("exists");
            store
                .events_of(item.id)
                .expect("journal")
                .into_iter()
                .map(|e| e.event.kind.name().to_string())
                .collect()
        };
        assert_eq!(
            kinds(&first),
            ["received", "triaged", "claimed", "dispatched"]
        );
        assert_eq!(
            kinds(&second),
            ["received", "triaged"],
            "the neighbour was neither claimed nor dispatched"
        );
        let logs: Vec<_> = std::fs::read_dir(dir.path().join("logs"))
            .expect("a log directory beside the store")
            .filter_map(Result::ok)
            .collect();
        assert_eq!(logs.len(), 1, "one day's log file");
        let log = std::fs::read_to_string(logs[0].path()).expect("log");
        assert!(
            log.contains("console started") && log.contains("console stopped"),
            "{log}"
        );
    }
}

#[test]
fn keymap_and_theme_come_from_config() {
    let path = std::path::Path::new("test.toml");
    let ok = Config::parse(
        "[console]\nbell = false\n[console.keys]\nclaim = \"ctrl-k\"\n[console.theme]\nsla_breach = \"#ff0000\"\n",
        path,
    )
    .expect("valid config");
    let s = settings(&ok, "王磊").expect("valid keymap");
    assert!(!s.bell);
    assert_eq!(s.keymap.label(fenliu::tui::action::Cmd::Claim), "ctrl-k");
    let theme = Theme::colored()
        .with_overrides(&ok.console.theme)
        .expect("valid colours");
    assert_eq!(
        theme.sla_breach.fg,
        Some(ratatui::style::Color::Rgb(255, 0, 0))
    );
    let clash = Config::parse("[console.keys]\nclaim = \"d\"\n", path).expect("parses");
    let err = settings(&clash, "王磊").expect_err("conflict");
    assert_eq!(
        err.to_string(),
        "keymap: `d` is bound to both `claim` and `dispatch`"
    );
    let bad = Config::parse("[console]\nbel = true\n", path);
    assert!(bad.is_err(), "unknown keys are refused");
}

/// The screen's text without spaces (a wide character is followed by a blank filler cell).
fn screen_text(app: &App, w: u16, h: u16) -> String {
    let term = render(app, w, h);
    let buffer = term.backend().buffer();
    let mut out = String::new();
    for y in 0..h {
        for x in 0..w {
            out.push_str(buffer[(x, y)].symbol().trim());
        }
        out.push('\n');
    }
    out
}

#[test]
fn the_new_item_form_suggests_a_classification_as_text_is_typed() {
    let mut app = app();
    press(&mut app, vec![key('n'), code(KeyCode::Down)]);
    assert!(
        !screen_text(&app, 160, 48).contains("研判建议"),
        "nothing typed yet"
    );
    press(
        &mut app,
        "楼上半夜装修电钻吵得睡不着".chars().map(key).collect(),
    );
    let shown = screen_text(&app, 160, 48);
    assert!(shown.contains("研判建议"), "{shown}");
    assert!(shown.contains("社会生活噪声"), "{shown}");
}

#[test]
fn reclassify_records_the_officers_decision_and_refuses_unknown_codes() {
    let mut app = app();
    let target = selected_ref(&app);
    let mut keys = vec![key('l')];
    keys.extend((0..4).map(|_| code(KeyCode::Backspace)));
    keys.extend("Z9".chars().map(key));
    keys.push(code(KeyCode::Enter));
    let refused = press(&mut app, keys);
    assert!(
        records(&refused).is_empty(),
        "an unknown code records nothing"
    );
    let mut keys: Vec<Action> = (0..2).map(|_| code(KeyCode::Backspace)).collect();
    keys.extend("d1".chars().map(key));
    keys.extend([
        code(KeyCode::Down),
        code(KeyCode::Right),
        code(KeyCode::Right),
    ]);
    keys.extend([
        code(KeyCode::Right),
        code(KeyCode::Right),
        code(KeyCode::Enter),
    ]);
    let recorded = records(&press(&mut app, keys));
    match recorded.as_slice() {
        [(reference, kinds)] => {
            assert_eq!(reference, &target);
            match kinds.as_slice() {
                [EventKind::Triaged(d)] => {
                    assert_eq!(d.category.as_deref(), Some("D1"));
                    assert_eq!(d.mode, fenliu::domain::DispatchMode::Joint);
                    assert_eq!(d.overridden_by.as_deref(), Some("王磊"));
                }
                other => panic!("expected a triaged event, got {other:?}"),
            }
        }
        other => panic!("expected one record, got {other:?}"),
    }
}

#[test]
fn the_header_shows_the_hub_and_a_notice_is_told_with_the_bell() {
    use fenliu::tui::app::HubState;
    let mut app = app();
    assert!(screen_text(&app, 160, 48).contains("枢纽:本地"));
    app.update(
        Action::Hub(HubState {
            online: true,
            outbox: 3,
            skew_warning: false,
            hub_changed: false,
            last_sync: Some(t0()),
            offline_since: None,
            address: None,
        }),
        t0(),
    );
    assert!(screen_text(&app, 160, 48).contains("枢纽:在线(出站3)"));
    app.update(
        Action::Hub(HubState {
            online: false,
            outbox: 5,
            skew_warning: true,
            hub_changed: true,
            last_sync: Some(t0()),
            offline_since: None,
            address: None,
        }),
        t0(),
    );
    let shown = screen_text(&app, 160, 48);
    assert!(
        shown.contains("!离线上次同步21:00:00(出站5)!时钟偏差!枢纽已换或已恢复"),
        "offline shows when it last synced: {shown}"
    );
    let effects = app.update(
        Action::Notice("DN-20261122-0001: 已被 2 工作站签收".into()),
        t0(),
    );
    assert!(effects.contains(&Effect::Bell));
    assert_eq!(
        app.message.as_deref(),
        Some("DN-20261122-0001: 已被 2 工作站签收")
    );
}

#[test]
fn war_mode_key_asks_first_records_a_station_event_and_the_header_follows_the_record() {
    use fenliu::command::StationCommand;
    use fenliu::domain::station::{Mode, StationKind, StationState};
    let mut app = app();
    assert!(screen_text(&app, 160, 48).contains("常态"));
    let asked = press(&mut app, vec![key('W')]);
    assert!(asked.is_empty(), "nothing is recorded before the answer");
    assert!(screen_text(&app, 160, 48).contains("切换为战时?"));
    let effects = press(&mut app, vec![key('y')]);
    assert_eq!(
        effects,
        vec![Effect::Station(StationCommand::SwitchMode {
            mode: Mode::War,
            note: None
        })]
    );
    assert!(!app.war, "the header waits for the recorded switch");
    let switched = ev(
        fenliu::domain::station::STATION_ITEM,
        0,
        EventKind::Station {
            station: StationKind::ModeSwitched {
                mode: Mode::War,
                note: None,
            },
        },
    );
    let state = StationState::fold([&switched]);
    press(&mut app, vec![Action::Station(Box::new(state))]);
    assert!(app.war);
    assert!(screen_text(&app, 160, 48).contains("⚑战时"));
    assert_eq!(app.settings.policy.claim.0.num_seconds(), 30, "war limits");
    press(&mut app, vec![key('W')]);
    assert!(screen_text(&app, 160, 48).contains("恢复常态?"));
    let effects = press(&mut app, vec![key('n')]);
    assert!(effects.is_empty(), "declined: nothing recorded");
    assert!(app.war);
}

#[test]
fn depart_and_arrive_ask_which_responder_when_several_were_sent() {
    let mut app = app();
    let two = item(
        9,
        -60,
        Source::Police110,
        "两车剐蹭后争执",
        "广中路1号",
        vec![EventKind::Claimed, dispatched(&["g3", "p1"])],
    );
    app.update(
        Action::Snapshot {
            incidents: vec![two],
            roster: roster(),
        },
        t0(),
    );
    let asked = press(&mut app, vec![key('a')]);
    assert!(records(&asked).is_empty(), "a form opens first");
    assert!(
        screen_text(&app, 160, 48).contains("◀王网格▶"),
        "the form lists the responders by name"
    );
    let recorded = records(&press(
        &mut app,
        vec![code(KeyCode::Right), code(KeyCode::Enter)],
    ));
    assert_eq!(
        recorded,
        vec![(
            "DN-20261122-0009".to_string(),
            vec![EventKind::Arrived {
                responder: "p1".into()
            }]
        )]
    );
}

#[test]
fn the_handover_view_shows_the_shift_and_the_notes_left_for_the_next_one() {
    use fenliu::domain::station::{StationKind, StationState};
    let mut app = app();
    let note = ev(
        fenliu::domain::station::STATION_ITEM,
        -60,
        EventKind::Station {
            station: StationKind::ShiftNote {
                text: "3号楼漏水明早跟进".into(),
            },
        },
    );
    press(
        &mut app,
        vec![Action::Station(Box::new(StationState::fold([&note])))],
    );
    press(&mut app, vec![key('H')]);
    let screen = screen_text(&app, 160, 48);
    assert!(screen.contains("交接班"), "{screen}");
    assert!(screen.contains("接报"), "{screen}");
    assert!(screen.contains("交班留言1"), "{screen}");
    assert!(screen.contains("王磊:3号楼漏水明早跟进"), "{screen}");
}
