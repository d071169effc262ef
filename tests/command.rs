//! The command layer, table-driven: every command on items in every status gives the same events
//! or the same refusal whether it comes from the command line or from the console's keys.

mod common;

use clap::Parser;
use common::*;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use fenliu::cli::args::{Cli, Command as CliCommand};
use fenliu::cli::incident::command_of;
use fenliu::command::{self, Command, Context, RefusalKind};
use fenliu::config::Config;
use fenliu::domain::responder::Responder;
use fenliu::domain::*;
use fenliu::triage::Classifier;
use fenliu::tui::action::Action;
use fenliu::tui::app::App;
use fenliu::tui::settings;
use fenliu::tui::update::Effect;

const REF: &str = "DN-20261122-0001";

/// An item in each status, all at `t0` + a few seconds.
fn items() -> Vec<Incident> {
    let base = || Incident::from_received(&received(Priority::NonUrgent)).expect("received");
    let walked = |kinds: Vec<EventKind>| {
        let mut i = base();
        walk(&mut i, 1, kinds);
        i
    };
    let claimed = vec![EventKind::Claimed];
    let dispatched_ = [claimed.clone(), vec![dispatched(&["g1"])]].concat();
    let en_route = [
        dispatched_.clone(),
        vec![EventKind::Departed {
            responder: "g1".into(),
        }],
    ]
    .concat();
    let on_scene = [
        en_route.clone(),
        vec![EventKind::Arrived {
            responder: "g1".into(),
        }],
    ]
    .concat();
    let awaiting = [on_scene.clone(), vec![feedback()]].concat();
    let closed = [awaiting.clone(), vec![verified(), EventKind::Closed]].concat();
    vec![
        base(),
        walked(vec![EventKind::Deferred { until: at(36_000) }]),
        walked(claimed.clone()),
        walked(dispatched_),
        walked(en_route),
        walked(on_scene),
        walked(awaiting),
        walked(closed),
        walked(vec![EventKind::Returned {
            reason: ReturnReason::Incomplete,
            note: None,
        }]),
        walked(vec![EventKind::TransferredToPolice { note: None }]),
        walked(vec![EventKind::UploadedToDistrict { note: None }]),
    ]
}

/// One command as typed on the command line, and as keys on the console.
struct Case {
    cli: &'static [&'static str],
    keys: &'static [Key],
}

#[derive(Clone, Copy)]
enum Key {
    Char(char),
    Enter,
    Confirm,
}

const CASES: &[Case] = &[
    Case {
        cli: &["claim"],
        keys: &[Key::Char('c')],
    },
    Case {
        cli: &["dispatch", "--responder", "g4"],
        keys: &[Key::Char('d'), Key::Char('g'), Key::Char('4'), Key::Enter],
    },
    Case {
        cli: &["contact"],
        keys: &[Key::Char('t')],
    },
    Case {
        cli: &["video"],
        keys: &[Key::Char('v')],
    },
    Case {
        cli: &["depart", "--responder", "g1"],
        keys: &[Key::Char('o')],
    },
    Case {
        cli: &["arrive", "--responder", "g1"],
        keys: &[Key::Char('a')],
    },
    Case {
        cli: &["feedback", "--result", "resolved"],
        keys: &[Key::Char('f'), Key::Enter],
    },
    Case {
        cli: &["verify", "--ok"],
        keys: &[Key::Char('y'), Key::Enter],
    },
    Case {
        cli: &["close"],
        keys: &[Key::Char('x'), Key::Confirm],
    },
    Case {
        cli: &["callback", "--satisfaction", "satisfied"],
        keys: &[Key::Char('h'), Key::Enter],
    },
    Case {
        cli: &["return", "--reason", "incomplete"],
        keys: &[Key::Char('r'), Key::Enter, Key::Confirm],
    },
    Case {
        cli: &["to-police"],
        keys: &[Key::Char('p'), Key::Enter, Key::Confirm],
    },
    Case {
        cli: &["to-district"],
        keys: &[Key::Char('u'), Key::Enter],
    },
    Case {
        cli: &["defer"],
        keys: &[Key::Char('z')],
    },
    Case {
        cli: &["escalate"],
        keys: &[Key::Char('e'), Key::Enter],
    },
    Case {
        cli: &["note", "--text", "ab"],
        keys: &[Key::Char('m'), Key::Char('a'), Key::Char('b'), Key::Enter],
    },
];

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
    vec![r("g1", "王网格"), r("g4", "赵网格")]
}

fn console(item: &Incident, now: chrono::DateTime<chrono::Utc>) -> App {
    static SETTINGS: std::sync::OnceLock<fenliu::tui::app::Settings> = std::sync::OnceLock::new();
    let settings = SETTINGS.get_or_init(|| settings(&Config::default(), "王磊").expect("settings"));
    let mut app = App::new(settings.clone(), now);
    app.update(
        Action::Snapshot {
            incidents: vec![item.clone()],
            roster: roster(),
        },
        now,
    );
    app
}

fn press(app: &mut App, keys: &[Key], now: chrono::DateTime<chrono::Utc>) -> Vec<Effect> {
    let mut out = Vec::new();
    for k in keys {
        let code = match k {
            Key::Char(c) => KeyCode::Char(*c),
            Key::Enter => KeyCode::Enter,
            Key::Confirm => {
                if app.modals.is_empty() {
                    continue;
                }
                KeyCode::Char('y')
            }
        };
        let key = KeyEvent::new(code, KeyModifiers::NONE);
        out.extend(app.update(Action::Key(key), now));
        if app.modals.is_empty() && app.message.is_some() {
            break;
        }
    }
    out
}

/// The default station rules, for contexts at a given time.
struct Rules {
    policy: SlaPolicy,
    night: fenliu::domain::night::NightWindow,
}

impl Default for Rules {
    fn default() -> Rules {
        let config = Config::default();
        Rules {
            policy: config.sla_policy(),
            night: config.night_window(),
        }
    }
}

impl Rules {
    fn at(&self, now: chrono::DateTime<chrono::Utc>) -> Context<'_> {
        Context {
            now,
            operator: "王磊",
            policy: &self.policy,
            night: &self.night,
            list: None,
            reopen_on_dissatisfied: true,
        }
    }
}

fn cli_command(words: &[&str]) -> Command {
    let mut argv = vec!["fenliu", "incident", words[0], REF];
    argv.extend_from_slice(&words[1..]);
    let cli = Cli::try_parse_from(&argv).expect("the command line parses");
    let Some(CliCommand::Incident(cmd)) = cli.command else {
        panic!("not an incident command: {argv:?}");
    };
    command_of(cmd).expect("a lifecycle command").1
}

fn check_every_case(now: chrono::DateTime<chrono::Utc>) -> (usize, usize) {
    let config = Config::default();
    let classifier = Classifier::embedded().expect("list");
    let policy = config.sla_policy();
    let night = config.night_window();
    let ctx = Context {
        now,
        operator: "王磊",
        policy: &policy,
        night: &night,
        list: Some(classifier.list()),
        reopen_on_dissatisfied: true,
    };
    let (mut done, mut refused) = (0, 0);
    for item in items() {
        for case in CASES {
            let from_cli = command::decide(&item, &cli_command(case.cli), &ctx);
            let mut app = console(&item, now);
            let effects = press(&mut app, case.keys, now);
            let recorded: Vec<_> = effects
                .iter()
                .filter_map(|e| match e {
                    Effect::Record { id, kinds, .. } => Some((*id, kinds.clone())),
                    _ => None,
                })
                .collect();
            let what = format!("{:?} on an item {}", case.cli, item.status);
            match from_cli {
                Ok(kinds) => {
                    done += 1;
                    assert_eq!(recorded, vec![(item.id, kinds)], "{what}");
                }
                Err(refusal) => {
                    refused += 1;
                    assert!(recorded.is_empty(), "{what}: the console recorded");
                    assert_eq!(
                        app.message.as_deref(),
                        Some(refusal.zh().as_str()),
                        "{what}: the console says why as the command line does"
                    );
                }
            }
        }
    }
    (done, refused)
}

#[test]
fn the_command_line_and_the_console_give_the_same_events_or_refusal_by_day() {
    let (done, refused) = check_every_case(at(60));
    assert!(done >= 30, "{done} commands were carried out");
    assert!(refused >= 100, "{refused} commands were refused");
}

#[test]
fn the_command_line_and_the_console_give_the_same_events_or_refusal_at_night() {
    let (done, refused) = check_every_case(at(3 * 3600));
    assert!(
        done >= 30 && refused >= 100,
        "{done} done, {refused} refused"
    );
}

#[test]
fn dispatching_an_unclaimed_item_claims_it_in_the_same_step() {
    let item = Incident::from_received(&received(Priority::Normal)).expect("received");
    let rules = Rules::default();
    let ctx = rules.at(at(30));
    let kinds = command::decide(
        &item,
        &cli_command(&["dispatch", "--responder", "g1"]),
        &ctx,
    )
    .expect("allowed");
    assert_eq!(kinds, vec![EventKind::Claimed, dispatched(&["g1"])]);
    let mut app = console(&item, at(30));
    press(&mut app, &[Key::Char('d')], at(30));
    let screen = format!("{:?}", app.modals);
    assert!(
        screen.contains("claims_too: true"),
        "the picker says it claims too: {screen}"
    );
}

#[test]
fn a_deferral_by_day_is_refused_with_the_night_window_named() {
    let item = Incident::from_received(&received(Priority::NonUrgent)).expect("received");
    let rules = Rules::default();
    let ctx = rules.at(at(0));
    let refusal = command::decide(&item, &Command::Defer, &ctx).expect_err("day time");
    assert!(matches!(refusal.kind, RefusalKind::NotNight { .. }));
    assert!(refusal.zh().contains("22:00–08:00"), "{}", refusal.zh());
}

#[test]
fn default_escalation_is_one_above_the_level_shown() {
    let mut item = Incident::from_received(&received(Priority::Normal)).expect("received");
    walk(&mut item, 1, vec![EventKind::Claimed]);
    let rules = Rules::default();
    let ctx = rules.at(at(15 * 24 * 3600));
    let kinds = command::decide(&item, &Command::Escalate { level: None }, &ctx).expect("ok");
    assert_eq!(
        kinds,
        vec![EventKind::Escalated { level: 3 }],
        "the ladder shows level 2 after 14 days"
    );
}

#[test]
fn refusals_name_the_status_and_the_action_in_chinese() {
    let item = Incident::from_received(&received(Priority::Normal)).expect("received");
    let rules = Rules::default();
    let ctx = rules.at(at(10));
    let r = command::decide(&item, &Command::Video { note: None }, &ctx).expect_err("new");
    assert_eq!(r.zh(), format!("{REF} 状态为「待签收」，不能调取监控"));
    assert_eq!(r.en(), format!("{REF} is new: cannot record video"));
}

#[test]
fn a_dissatisfied_callback_reopens_the_item_for_another_round() {
    let mut item = Incident::from_received(&received(Priority::Normal)).expect("received");
    walk(
        &mut item,
        1,
        vec![
            EventKind::Claimed,
            dispatched(&["g1"]),
            EventKind::Arrived {
                responder: "g1".into(),
            },
            feedback(),
            verified(),
            EventKind::Closed,
        ],
    );
    let rules = Rules::default();
    let mut ctx = rules.at(at(100));
    ctx.reopen_on_dissatisfied = true;
    let answer = Command::Callback {
        satisfaction: Satisfaction::Dissatisfied,
        note: None,
    };
    let kinds = command::decide(&item, &answer, &ctx).expect("allowed");
    assert_eq!(
        kinds.last(),
        Some(&EventKind::Reopened { note: None }),
        "重办"
    );
    walk(&mut item, 100, kinds);
    assert_eq!((item.status, item.round), (Status::Claimed, 1));
    assert!(item.closed_at.is_none() && item.responders.is_empty());
    ctx.reopen_on_dissatisfied = false;
    let mut closed = item.clone();
    closed.status = Status::Closed;
    let kinds = command::decide(&closed, &answer, &ctx).expect("allowed");
    assert_eq!(kinds.len(), 1, "only the callback when reopening is off");
}

#[test]
fn handing_to_the_hotline_ends_the_street_handling() {
    let item = Incident::from_received(&received(Priority::Normal)).expect("received");
    let rules = Rules::default();
    let order = Command::ToHotline {
        order_no: Some("GD-1".into()),
        note: None,
    };
    let kinds = command::decide(&item, &order, &rules.at(at(10))).expect("a new item");
    let mut after = item.clone();
    walk(&mut after, 10, kinds);
    assert_eq!(after.status, Status::ToHotline);
    assert!(after.status.is_terminal());
    let again = command::decide(&after, &order, &rules.at(at(20))).expect_err("once");
    assert_eq!(
        again.zh(),
        format!("{REF} 状态为「转12345」，不能转12345工单")
    );
}
