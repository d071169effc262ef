//! 改派 (reassign): through the command layer, the arrival clock's rule, from the console's
//! detail and board, from the command line, and seen by another workstation through the hub.

mod consolekit;
mod hubkit;

use consolekit::*;
use fenliu::command::{self, Command, Context, RefusalKind};
use fenliu::config::Config;
use fenliu::domain::sla::{self, ClockName, ClockState};
use fenliu::domain::*;
use fenliu::tui::app::View;

fn reassign(from: &str, to: &str, reason: &str) -> Command {
    Command::Reassign {
        from: from.into(),
        to: to.into(),
        reason: reason.into(),
    }
}

fn decide_at(
    incident: &Incident,
    command: &Command,
    secs: i64,
) -> Result<Vec<EventKind>, command::Refusal> {
    let config = Config::default();
    let policy = config.sla_policy();
    let night = config.night_window();
    let ctx = Context {
        now: at(secs),
        operator: "王磊",
        policy: &policy,
        night: &night,
        list: None,
        reopen_on_dissatisfied: true,
    };
    command::decide(incident, command, &ctx)
}

fn sent(ids: &[&str]) -> Incident {
    item(Spec::default(), vec![EventKind::Claimed, dispatched(ids)])
}

fn apply(incident: &mut Incident, secs: i64, kinds: Vec<EventKind>) {
    for kind in kinds {
        incident
            .apply(&ev_by(incident.id, secs, kind, "王磊", "ws1"))
            .expect("legal");
    }
}

#[test]
fn reassign_records_both_responders_the_reason_and_how_late_it_was() {
    let mut it = sent(&["g1"]);
    // Dispatched at 2 s; the 20-minute arrival limit passes at 1202 s.
    let kinds = decide_at(&it, &reassign("g1", "g2", " 久未到场 "), 1500).expect("allowed");
    assert_eq!(
        kinds,
        vec![EventKind::Reassigned {
            from: "g1".into(),
            to: "g2".into(),
            reason: "久未到场".into(),
            overdue_secs: Some(298),
        }]
    );
    apply(&mut it, 1500, kinds);
    assert_eq!(it.responders, vec!["g2".to_string()]);
    assert_eq!(it.status, Status::Dispatched);
    let policy = SlaPolicy::default();
    let arrive = sla::clock(&it, &policy, ClockName::Arrive, at(1500));
    assert_eq!(
        arrive.started_at,
        Some(at(1500)),
        "the arrival clock restarts"
    );
    assert_eq!(
        arrive.state,
        ClockState::Running {
            remaining_secs: 1200
        }
    );
    let feedback = sla::clock(&it, &policy, ClockName::Feedback, at(1500));
    assert_eq!(
        feedback.started_at,
        Some(at(2)),
        "feedback counts from the first dispatch"
    );
}

#[test]
fn reassign_is_refused_without_reason_to_someone_on_it_or_from_someone_not_on_it() {
    let it = sent(&["g1", "p1"]);
    let kind = |c: &Command| decide_at(&it, c, 10).map(|_| ()).map_err(|r| r.kind);
    assert_eq!(
        kind(&reassign("g1", "g2", "  ")),
        Err(RefusalKind::NoReason)
    );
    assert_eq!(
        kind(&reassign("g1", "p1", "换人")),
        Err(RefusalKind::ReassignToSame {
            responder: "p1".into()
        })
    );
    assert_eq!(
        kind(&reassign("g9", "g2", "换人")),
        Err(RefusalKind::NotDispatchedResponder {
            responder: "g9".into()
        })
    );
    let claimed = item(Spec::default(), vec![EventKind::Claimed]);
    let refused = decide_at(&claimed, &reassign("g1", "g2", "换人"), 10).expect_err("nobody sent");
    assert!(refused.zh().contains("改派"), "{}", refused.zh());
}

#[test]
fn after_arrival_the_clocks_keep_their_record() {
    let mut it = sent(&["g1", "p1"]);
    apply(
        &mut it,
        100,
        vec![EventKind::Arrived {
            responder: "p1".into(),
        }],
    );
    let kinds = decide_at(&it, &reassign("g1", "g2", "另有任务"), 200).expect("allowed");
    apply(&mut it, 200, kinds);
    assert_eq!(it.status, Status::OnScene);
    assert_eq!(it.responders, vec!["g2".to_string(), "p1".to_string()]);
    let arrive = sla::clock(&it, &SlaPolicy::default(), ClockName::Arrive, at(300));
    assert!(matches!(arrive.state, ClockState::Met { .. }), "{arrive:?}");
}

#[test]
fn reassignment_moves_both_responders_duty_status() {
    let it = sent(&["g1"]);
    let moves = responder::duty_moves(
        &it,
        &EventKind::Reassigned {
            from: "g1".into(),
            to: "g2".into(),
            reason: "换人".into(),
            overdue_secs: None,
        },
    );
    let by: Vec<(&str, DutyStatus)> = moves
        .iter()
        .map(|m| (m.responder.as_str(), m.status))
        .collect();
    assert_eq!(
        by,
        vec![("g1", DutyStatus::Available), ("g2", DutyStatus::Assigned)]
    );
}

fn console_roster() -> Vec<Responder> {
    vec![
        responder(
            "g1",
            "王网格",
            "网格中队",
            "3",
            DutyStatus::Assigned,
            Some("DN-20261122-0001"),
        ),
        responder("g2", "刘磊", "网格中队", "3", DutyStatus::Available, None),
        responder("g3", "叶磊", "网格中队", "5", DutyStatus::OffDuty, None),
    ]
}

#[test]
fn reassign_from_the_detail_picks_by_pinyin_and_records_through_the_command_layer() {
    let mut app = app_with(vec![sent(&["g1"])], console_roster());
    press(
        &mut app,
        vec![code(crossterm::event::KeyCode::Enter), key('b')],
    );
    let screen = screen_lines(&app, 80, 24).join("\n");
    assert!(
        screen.contains("◀ 王网格 ▶"),
        "withdraws by name:\n{screen}"
    );
    assert!(
        !screen.contains("叶磊"),
        "off duty is not offered:\n{screen}"
    );
    press(&mut app, vec![code(crossterm::event::KeyCode::Tab)]);
    press(&mut app, typed("ll"));
    press(&mut app, vec![code(crossterm::event::KeyCode::Tab)]);
    let refused = press(&mut app, vec![code(crossterm::event::KeyCode::Enter)]);
    assert!(records(&refused).is_empty(), "a reason is needed");
    press(&mut app, typed("久未到场"));
    let done = press(&mut app, vec![code(crossterm::event::KeyCode::Enter)]);
    assert_eq!(
        records(&done),
        vec![(
            "DN-20261122-0001".to_string(),
            vec![EventKind::Reassigned {
                from: "g1".into(),
                to: "g2".into(),
                reason: "久未到场".into(),
                overdue_secs: None,
            }]
        )]
    );
    assert!(app.modals.is_empty());
}

#[test]
fn reassign_from_the_board_acts_on_its_highlighted_row() {
    let other = item(
        Spec {
            n: 2,
            secs: -100,
            ..Spec::default()
        },
        vec![EventKind::Claimed, dispatched(&["g2"])],
    );
    let mut app = app_with(vec![sent(&["g1"]), other], console_roster());
    press(&mut app, vec![key('B')]);
    assert_eq!(app.view, View::Board);
    let row = app.target().map(|i| i.reference.clone());
    press(&mut app, vec![key('b')]);
    let Some(fenliu::tui::app::Modal::Reassign(r)) = app.modals.last() else {
        panic!("the reassign dialog opens on the board");
    };
    assert_eq!(Some(r.target.reference.clone()), row);
}

mod cli {
    use assert_cmd::Command;
    use std::path::Path;

    fn fenliu(dir: &Path, args: &[&str]) -> String {
        let out = Command::cargo_bin("fenliu")
            .expect("binary built")
            .env_remove("FENLIU_CONFIG")
            .env_remove("FENLIU_OPERATOR")
            .env("FENLIU_DATA_DIR", dir.join("data"))
            .env("XDG_CONFIG_HOME", dir.join("xdg"))
            .env("HOME", dir)
            .args(args)
            .assert()
            .success();
        String::from_utf8_lossy(&out.get_output().stdout).into_owned()
    }

    #[test]
    fn incident_reassign_from_the_command_line_names_both_in_the_audit_log() {
        let tmp = tempfile::TempDir::new().expect("tempdir");
        let dir = tmp.path();
        for (id, name) in [("g1", "王网格"), ("g2", "刘磊")] {
            fenliu(
                dir,
                &[
                    "roster",
                    "add",
                    "--id",
                    id,
                    "--name",
                    name,
                    "--unit",
                    "网格中队",
                ],
            );
        }
        let out = fenliu(
            dir,
            &["incident", "new", "--source", "12345", "--text", "占道经营"],
        );
        let r = out.lines().last().expect("a reference").trim().to_string();
        fenliu(dir, &["incident", "dispatch", &r, "--responder", "g1"]);
        let done = fenliu(
            dir,
            &[
                "incident",
                "reassign",
                &r,
                "--from",
                "g1",
                "--to",
                "g2",
                "--reason",
                "另有任务",
            ],
        );
        assert_eq!(
            done.lines().last().map(str::trim),
            Some(format!("{r} dispatched").as_str())
        );
        let log = fenliu(dir, &["audit", "log", &r]);
        assert!(
            log.lines()
                .any(|l| l.contains("reassigned") && l.contains("王网格 → 刘磊 另有任务")),
            "{log}"
        );
        let show = fenliu(dir, &["incident", "show", &r]);
        assert!(show.contains("responders: 刘磊"), "{show}");
        let roster = fenliu(dir, &["roster", "list", "--json"]);
        let roster: serde_json::Value = serde_json::from_str(&roster).expect("json");
        let status = |id: &str| {
            roster
                .as_array()
                .and_then(|a| a.iter().find(|r| r["id"] == id))
                .map(|r| r["status"].clone())
        };
        assert_eq!(status("g1"), Some("available".into()));
        assert_eq!(status("g2"), Some("assigned".into()));
    }
}

mod sync {
    use super::hubkit::TestHub;
    use fenliu::command::{self, Command, Context};
    use fenliu::config::Config;
    use fenliu::domain::{Channel, DutyStatus, Names, Responder};
    use fenliu::hub::HubConfig;
    use fenliu::identity::Identity;
    use fenliu::store::{Stamp, Store};
    use fenliu::sync::{Client, Engine, Settings};

    struct Console {
        _dir: tempfile::TempDir,
        store: Store,
        engine: Engine,
        workstation: String,
    }

    impl Console {
        fn new(hub: &TestHub, workstation: &str) -> Console {
            let dir = tempfile::tempdir().expect("tempdir");
            let settings = Settings {
                url: hub.url.clone(),
                token: hub.token("dn").to_string(),
                workstation: workstation.into(),
                ca_file: None,
            };
            let client = Client::new(&settings).expect("client");
            let mut store = Store::open_dir(dir.path()).expect("store");
            let who = |id: &str, name: &str| Responder {
                id: id.into(),
                name: name.into(),
                unit: "网格中队".into(),
                grid: None,
                phone: None,
                status: DutyStatus::Available,
                incident: None,
            };
            store
                .add_responders(&[who("g1", "王网格"), who("g2", "刘磊")])
                .expect("roster");
            let (engine, _) = Engine::new(client, Store::open_dir(dir.path()).expect("store"));
            Console {
                _dir: dir,
                store,
                engine,
                workstation: workstation.into(),
            }
        }

        /// Carries out `command` on `reference` through the command layer, as every shell does.
        fn act(&mut self, reference: &str, command: Command) {
            let mut config = Config::default();
            config.station.id = "dn".into();
            config.station.prefix = "DN".into();
            config.hub.url = Some("http://127.0.0.1:1".into());
            config.hub.workstation = Some(self.workstation.clone());
            let operator = format!("值班员{}", self.workstation);
            let identity = Identity::new(&config, &operator, None, "console");
            let now = chrono::Utc::now();
            let stamp = Stamp {
                actor: identity.actor(),
                occurred_at: now,
                recorded_at: now,
            };
            let policy = config.sla_policy();
            let night = config.night_window();
            let ctx = Context {
                now,
                operator: &operator,
                policy: &policy,
                night: &night,
                list: None,
                reopen_on_dissatisfied: true,
            };
            let incident = self
                .store
                .incident(reference)
                .expect("read")
                .expect("known");
            let kinds = command::decide(&incident, &command, &ctx).expect("allowed");
            self.store
                .record(reference, kinds, &stamp)
                .expect("recorded");
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn another_workstation_sees_the_new_responder() {
        let hub = TestHub::start(HubConfig::default()).await;
        let mut a = Console::new(&hub, "1");
        let b = Console::new(&hub, "2");
        let reference = hub.intake_g1("110-77").await["ref"]
            .as_str()
            .expect("ref")
            .to_string();
        a.engine.once().await.expect("sync a");
        a.act(
            &reference,
            Command::Dispatch {
                responders: vec!["g1".into()],
                channel: Channel::Radio,
            },
        );
        a.act(
            &reference,
            Command::Reassign {
                from: "g1".into(),
                to: "g2".into(),
                reason: "久未到场".into(),
            },
        );
        a.engine.once().await.expect("push a");
        assert_eq!(
            a.store.outbox_len().expect("outbox"),
            0,
            "the hub took both"
        );
        b.engine.once().await.expect("pull b");
        let seen = b.store.incident(&reference).expect("read").expect("known");
        assert_eq!(seen.responders, vec!["g2".to_string()]);
        let g1 = b.store.responder("g1").expect("read").expect("known");
        let g2 = b.store.responder("g2").expect("read").expect("known");
        assert_eq!(
            (g1.status, g2.status),
            (DutyStatus::Available, DutyStatus::Assigned)
        );
        let names = Names::of(&b.store.responders().expect("roster"));
        assert_eq!(names.join(&seen.responders, ", "), "刘磊");
        let events = b.store.events_of(seen.id).expect("journal");
        assert!(events.iter().any(|e| e.event.kind.name() == "reassigned"));
    }
}

#[test]
fn the_figures_keep_the_withdrawn_responder_as_not_arrived_and_time_the_new_one_from_the_reassignment()
 {
    let received = received(&Spec::default());
    let id = received.incident;
    let later = [
        (1, EventKind::Claimed),
        (2, dispatched(&["g1"])),
        (
            1500,
            EventKind::Reassigned {
                from: "g1".into(),
                to: "g2".into(),
                reason: "久未到场".into(),
                overdue_secs: Some(298),
            },
        ),
        (
            1600,
            EventKind::Arrived {
                responder: "g2".into(),
            },
        ),
    ];
    let mut tally = fenliu::report::Tally::default();
    tally.add(1, &received);
    for (n, (secs, kind)) in later.into_iter().enumerate() {
        tally.add(n as i64 + 2, &ev_by(id, secs, kind, "王磊", "ws1"));
    }
    let config = Config::default();
    let params = fenliu::report::Params {
        from: at(-3600),
        to: at(3600),
        station: None,
        policy: config.sla_policy(),
        targets: config.targets,
        tz: config.timezone.0,
        drills: false,
    };
    let figures = fenliu::report::report(&tally, &params).figures;
    let of = |id: &str| {
        figures
            .per_responder
            .iter()
            .find(|f| f.responder == id)
            .map(|f| (f.dispatched, f.arrivals, f.on_time_arrivals))
    };
    assert_eq!(of("g1"), Some((1, 0, 0)), "withdrawn: sent, not arrived");
    assert_eq!(of("g2"), Some((1, 1, 1)), "on time from the reassignment");
}
