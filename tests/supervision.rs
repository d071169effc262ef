//! The station's own rules, recorded as events: night holds on arrival, the escalation ladder
//! (三周三级) with derived ids. Fixed clocks throughout.

use chrono::{DateTime, NaiveDateTime, TimeDelta, TimeZone, Utc};
use fenliu::command::automatic;
use fenliu::config::Config;
use fenliu::domain::sla::{self, ClockName, ClockState};
use fenliu::domain::{Actor, Incident, Priority, Received, SlaPolicy, Source, Status};
use fenliu::intake::Intake;
use fenliu::store::{Stamp, Store};
use fenliu::triage::Classifier;
use std::sync::Arc;

fn shanghai(s: &str) -> DateTime<Utc> {
    let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").expect("fixture");
    chrono_tz::Asia::Shanghai
        .from_local_datetime(&naive)
        .single()
        .expect("fixture")
        .with_timezone(&Utc)
}

struct Station {
    _dir: tempfile::TempDir,
    store: Store,
    intake: Intake,
}

impl Station {
    fn new() -> Station {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = Config::default();
        Station {
            store: Store::open_dir(dir.path()).expect("store"),
            _dir: dir,
            intake: Intake {
                classifier: Arc::new(Classifier::embedded().expect("list")),
                prefix: "DN".into(),
                tz: config.timezone.0,
                repeat_window: TimeDelta::hours(24),
                night: config.night_window(),
            },
        }
    }

    fn take(&mut self, text: &str, priority: Option<Priority>, at: DateTime<Utc>) -> Incident {
        let received = Received {
            reference: String::new(),
            station: "dn".into(),
            source: Source::Hotline12345,
            source_ref: None,
            text: text.into(),
            address: None,
            grid: None,
            community: None,
            phone: None,
            priority: Priority::Normal,
            drill: false,
            repeat_of: None,
        };
        let stamp = Stamp {
            actor: Actor {
                operator: "王磊".into(),
                station: "dn".into(),
                device: "1".into(),
            },
            occurred_at: at,
            recorded_at: at,
        };
        self.intake
            .record(&mut self.store, received, priority, &stamp)
            .expect("recorded")
    }
}

const SMOKE: &str = "楼下饭店烧烤烟味熏人，不敢开窗";

#[test]
fn a_non_urgent_item_is_held_only_inside_the_night_window() {
    let mut st = Station::new();
    let cases = [
        ("2026-11-22 21:59:59", None),
        ("2026-11-22 22:00:00", Some("2026-11-23 08:00:00")),
        ("2026-11-23 07:59:59", Some("2026-11-23 08:00:00")),
        ("2026-11-23 08:00:00", None),
    ];
    for (at, held_until) in cases {
        let item = st.take(SMOKE, Some(Priority::NonUrgent), shanghai(at));
        match held_until {
            Some(until) => {
                assert_eq!(item.status, Status::Deferred, "received {at}");
                assert_eq!(item.deferred_until, Some(shanghai(until)), "received {at}");
            }
            None => {
                assert_eq!(item.status, Status::New, "received {at}");
                assert_eq!(item.deferred_until, None, "received {at}");
            }
        }
    }
}

#[test]
fn urgent_and_normal_items_are_never_held() {
    let mut st = Station::new();
    let night = shanghai("2026-11-22 23:30:00");
    for p in [Priority::Urgent, Priority::Normal] {
        let item = st.take(SMOKE, Some(p), night);
        assert_eq!(item.status, Status::New, "{p:?}");
    }
}

#[test]
fn a_hold_across_midnight_returns_to_the_claim_queue_at_eight_with_its_claim_clock_starting_then() {
    let mut st = Station::new();
    let item = st.take(
        SMOKE,
        Some(Priority::NonUrgent),
        shanghai("2026-11-22 23:40:00"),
    );
    assert_eq!(item.status, Status::Deferred);
    let policy = SlaPolicy::default();
    let claim = |now| sla::clock(&item, &policy, ClockName::Claim, now);
    assert_eq!(
        claim(shanghai("2026-11-23 00:10:00")).state,
        ClockState::Pending,
        "past midnight the item is still held"
    );
    assert_eq!(
        claim(shanghai("2026-11-23 07:59:59")).state,
        ClockState::Pending
    );
    let morning = claim(shanghai("2026-11-23 08:00:20"));
    assert_eq!(morning.started_at, Some(shanghai("2026-11-23 08:00:00")));
    assert!(
        matches!(morning.state, ClockState::Running { remaining_secs: 40 }),
        "{morning:?}"
    );
    assert!(matches!(
        claim(shanghai("2026-11-23 08:01:01")).state,
        ClockState::Breached { over_secs: 1 }
    ));
    let events = st.store.events_of(item.id).expect("journal");
    let hold = events.last().expect("the hold");
    assert_eq!(hold.event.actor.operator, automatic::RULES_OPERATOR);
    assert_eq!(hold.event.occurred_at, item.received_at, "held on arrival");
}

#[test]
fn without_a_stated_priority_the_category_gives_it_and_red_flags_raise_it() {
    let mut st = Station::new();
    let night = shanghai("2026-11-22 23:00:00");
    let smoke = st.take(SMOKE, None, night);
    assert_eq!(
        smoke.priority,
        Priority::NonUrgent,
        "the category's priority"
    );
    assert_eq!(smoke.status, Status::Deferred, "and so it is held");
    let fight = st.take("楼下烧烤烟味熏人，邻居拿刀要砍人", None, night);
    assert_eq!(fight.priority, Priority::Urgent, "a red flag raises it");
    assert_eq!(fight.status, Status::New, "never held");
    let stated = st.take(SMOKE, Some(Priority::Normal), night);
    assert_eq!(
        stated.priority,
        Priority::Normal,
        "a stated priority stands"
    );
    assert_eq!(stated.status, Status::New);
}

fn unresolved(st: &mut Station, at: DateTime<Utc>) -> Incident {
    st.take(
        "小区门口共享单车乱停放，多次反映无人处理",
        Some(Priority::Normal),
        at,
    )
}

#[test]
fn the_ladder_raises_an_unresolved_item_level_by_level_at_7_14_21_and_28_days() {
    let mut st = Station::new();
    let t = shanghai("2026-11-01 10:00:00");
    let item = unresolved(&mut st, t);
    let policy = SlaPolicy::default();
    let levels = |now| -> Vec<u8> {
        automatic::escalations(&item, &policy, now)
            .iter()
            .map(|e| match e.kind {
                fenliu::domain::EventKind::Escalated { level } => level,
                _ => 0,
            })
            .collect()
    };
    let day = TimeDelta::days(1);
    let second = TimeDelta::seconds(1);
    assert!(levels(t + day * 7 - second).is_empty());
    assert_eq!(levels(t + day * 7), vec![1]);
    assert_eq!(levels(t + day * 14), vec![1, 2]);
    assert_eq!(levels(t + day * 21), vec![1, 2, 3]);
    assert_eq!(
        levels(t + day * 40),
        vec![1, 2, 3, 4],
        "4: 市级挂牌督办, the top"
    );
    let steps = automatic::escalations(&item, &policy, t + day * 14);
    assert_eq!(
        steps[1].occurred_at,
        t + day * 14,
        "dated when the ladder reached it"
    );
}

#[test]
fn the_same_step_worked_out_twice_or_elsewhere_is_one_event() {
    let mut st = Station::new();
    let t = shanghai("2026-11-01 10:00:00");
    let item = unresolved(&mut st, t);
    let policy = SlaPolicy::default();
    let night = Config::default().night_window();
    let first = automatic::due(&item, &policy, &night, t + TimeDelta::days(15));
    let again = automatic::due(&item, &policy, &night, t + TimeDelta::days(16));
    assert_eq!(
        first, again,
        "same ids, same bodies, whoever works them out and when"
    );
    st.store.append_events(&first).expect("recorded");
    st.store
        .append_events(&again)
        .expect("a second time writes nothing");
    let after = st
        .store
        .incident(&item.reference)
        .expect("read")
        .expect("known");
    assert_eq!(after.escalation_level, 2);
    let escalated = st
        .store
        .events_of(item.id)
        .expect("journal")
        .iter()
        .filter(|e| e.event.kind.name() == "escalated")
        .count();
    assert_eq!(escalated, 2);
    assert!(
        automatic::due(&after, &policy, &night, t + TimeDelta::days(16)).is_empty(),
        "nothing more until day 21"
    );
}

#[test]
fn an_item_that_left_the_station_stops_climbing_and_a_configured_ladder_is_followed() {
    let mut st = Station::new();
    let t = shanghai("2026-11-01 10:00:00");
    let item = unresolved(&mut st, t);
    let stamp = Stamp {
        actor: Actor {
            operator: "王磊".into(),
            station: "dn".into(),
            device: "1".into(),
        },
        occurred_at: t + TimeDelta::days(1),
        recorded_at: t + TimeDelta::days(1),
    };
    let gone = st
        .store
        .record(
            &item.reference,
            vec![fenliu::domain::EventKind::TransferredToPolice { note: None }],
            &stamp,
        )
        .expect("to police");
    assert!(
        automatic::escalations(&gone, &SlaPolicy::default(), t + TimeDelta::days(30)).is_empty()
    );
    let config = Config::parse(
        "[escalation]\nladder = [\"3d\", \"5d\"]\n",
        std::path::Path::new("test.toml"),
    )
    .expect("config");
    let open = unresolved(&mut st, t);
    let steps = automatic::escalations(&open, &config.sla_policy(), t + TimeDelta::days(5));
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[0].occurred_at, t + TimeDelta::days(3));
}

#[test]
fn a_drill_from_each_template_runs_every_clock_and_stays_a_drill() {
    use fenliu::command::{self, Command, Context, drill};
    use fenliu::domain::{Channel, DutyStatus, FeedbackResult, Responder};
    let mut st = Station::new();
    let policy = SlaPolicy::default();
    let night = Config::default().night_window();
    let t = shanghai("2026-11-22 10:00:00");
    for (n, template) in drill::TEMPLATES.iter().enumerate() {
        let id = format!("g{n}");
        st.store
            .add_responders(&[Responder {
                id: id.clone(),
                name: format!("网格员{n}"),
                unit: "网格中队".into(),
                grid: None,
                phone: None,
                status: DutyStatus::Available,
                incident: None,
            }])
            .expect("roster");
        let mut item = st
            .intake
            .record(
                &mut st.store,
                drill::received(template, "dn"),
                Some(template.priority),
                &Stamp {
                    actor: Actor {
                        operator: "王磊".into(),
                        station: "dn".into(),
                        device: "1".into(),
                    },
                    occurred_at: t,
                    recorded_at: t,
                },
            )
            .expect("drill recorded");
        assert!(item.drill, "{}", template.name);
        let steps = [
            Command::Claim,
            Command::Contact { note: None },
            Command::Video { note: None },
            Command::Dispatch {
                responders: vec![id.clone()],
                channel: Channel::Radio,
            },
            Command::Depart { responder: None },
            Command::Arrive { responder: None },
            Command::Feedback {
                result: FeedbackResult::Resolved,
                text: None,
            },
        ];
        for (k, step) in steps.iter().enumerate() {
            let now = t + TimeDelta::seconds(5 * (k as i64 + 1));
            let ctx = Context {
                now,
                operator: "王磊",
                policy: &policy,
                night: &night,
                list: None,
                reopen_on_dissatisfied: true,
            };
            let kinds = command::decide(&item, step, &ctx).expect("the drill takes every step");
            let stamp = Stamp {
                actor: Actor {
                    operator: "王磊".into(),
                    station: "dn".into(),
                    device: "1".into(),
                },
                occurred_at: now,
                recorded_at: now,
            };
            item = st
                .store
                .record_on(item.id, kinds, &stamp)
                .expect("recorded");
        }
        for clock in sla::clocks(&item, &policy, t + TimeDelta::minutes(2)) {
            assert!(
                matches!(clock.state, ClockState::Met { .. }),
                "{}: {:?} {:?}",
                template.name,
                clock.name,
                clock.state
            );
        }
    }
}

#[test]
fn a_sample_with_a_seed_picks_the_same_items_and_the_report_counts_findings() {
    use fenliu::command::{StationCommand, decide_station, sample};
    use fenliu::domain::station::{Finding, StationState};
    let mut st = Station::new();
    let day = shanghai("2026-11-22 10:00:00");
    let tz = chrono_tz::Asia::Shanghai;
    let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).expect("date");
    let items: Vec<Incident> = (0..12)
        .map(|n| {
            let mut i = unresolved(&mut st, day + TimeDelta::minutes(n));
            i.status = Status::Closed;
            i.closed_at = Some(day + TimeDelta::hours(2));
            i.drill = n == 0;
            i
        })
        .collect();
    let none = StationState::default();
    let first = sample::pick(&items, &none, 3, 42, date, tz);
    assert_eq!(first.len(), 3);
    assert_eq!(
        first,
        sample::pick(&items, &none, 3, 42, date, tz),
        "same seed, same items"
    );
    assert!(
        (1..20).any(|seed| sample::pick(&items, &none, 3, seed, date, tz) != first),
        "another seed may pick others"
    );
    let drill_ref = &items[0].reference;
    for seed in 0..20 {
        assert!(
            sample::pick(&items, &none, 11, seed, date, tz)
                .iter()
                .all(|k| !matches!(k, fenliu::domain::station::StationKind::Sampled { reference, .. } if reference == drill_ref)),
            "drills are never sampled"
        );
    }
    let other_day = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).expect("date");
    assert!(sample::pick(&items, &none, 3, 42, other_day, tz).is_empty());

    let stamp = |at| Stamp {
        actor: Actor {
            operator: "李审核".into(),
            station: "dn".into(),
            device: "1".into(),
        },
        occurred_at: at,
        recorded_at: at,
    };
    let at = day + TimeDelta::hours(3);
    let mut refs = Vec::new();
    for kind in first {
        if let fenliu::domain::station::StationKind::Sampled { reference, .. } = &kind {
            refs.push(reference.clone());
        }
        st.store.record_station(kind, &stamp(at)).expect("sampled");
    }
    let state = st.store.station_state().expect("state");
    assert_eq!(
        sample::pick(&items, &state, 11, 42, date, tz).len(),
        8,
        "the ones sampled are not picked again: 11 closed non-drills, 3 taken"
    );
    for (reference, finding) in [(&refs[0], Finding::Problem), (&refs[1], Finding::Ok)] {
        let kind = decide_station(
            &state,
            &StationCommand::Review {
                reference: reference.clone(),
                finding,
                note: Some("回访复检".into()),
            },
        )
        .expect("sampled before");
        st.store.record_station(kind, &stamp(at)).expect("reviewed");
    }
    let mut tally = fenliu::report::Tally::default();
    st.store
        .scan_events(0, |e| {
            tally.add(e.pos, &e.event);
            Ok(())
        })
        .expect("scan");
    let s = fenliu::report::sampling(&tally.station, day, day + TimeDelta::days(1));
    assert_eq!((s.sampled, s.reviewed, s.problems), (3, 2, 1));
}

#[test]
fn the_handover_of_a_scripted_night_shift_counts_every_line_as_done_by_hand() {
    use fenliu::domain::station::StationKind;
    use fenliu::domain::{Channel, DutyStatus, EventKind as K, FeedbackResult, Responder};
    use fenliu::report::shift;
    let mut st = Station::new();
    st.store
        .add_responders(&[Responder {
            id: "g1".into(),
            name: "王网格".into(),
            unit: "网格中队".into(),
            grid: None,
            phone: None,
            status: DutyStatus::Available,
            incident: None,
        }])
        .expect("roster");
    let stamp = |s: &str| Stamp {
        actor: Actor {
            operator: "王磊".into(),
            station: "dn".into(),
            device: "1".into(),
        },
        occurred_at: shanghai(s),
        recorded_at: shanghai(s),
    };
    let take = |st: &mut Station, at: &str, p: Priority, phone: Option<&str>, drill: bool| {
        let received = Received {
            reference: String::new(),
            station: "dn".into(),
            source: Source::Hotline12345,
            source_ref: None,
            text: SMOKE.into(),
            address: None,
            grid: None,
            community: None,
            phone: phone.map(String::from),
            priority: p,
            drill,
            repeat_of: None,
        };
        st.intake
            .record(&mut st.store, received, Some(p), &stamp(at))
            .expect("taken in")
            .reference
    };
    let act = |st: &mut Station, r: &str, at: &str, kinds: Vec<K>| {
        st.store.record(r, kinds, &stamp(at)).expect("recorded");
    };
    let dispatch = || K::Dispatched {
        responders: vec!["g1".into()],
        channel: Channel::Radio,
    };
    // G: the previous shift's, never claimed.
    let g = take(
        &mut st,
        "2026-11-22 19:00:00",
        Priority::Normal,
        None,
        false,
    );
    // A: in time, arrives late, closed.
    let a = take(
        &mut st,
        "2026-11-22 20:10:00",
        Priority::Normal,
        Some("13812341116"),
        false,
    );
    act(&mut st, &a, "2026-11-22 20:10:30", vec![K::Claimed]);
    act(
        &mut st,
        &a,
        "2026-11-22 20:11:00",
        vec![
            K::PartyContacted { note: None },
            K::VideoRetrieved { note: None },
            dispatch(),
        ],
    );
    act(
        &mut st,
        &a,
        "2026-11-22 20:12:00",
        vec![K::Departed {
            responder: "g1".into(),
        }],
    );
    act(
        &mut st,
        &a,
        "2026-11-22 20:40:00",
        vec![K::Arrived {
            responder: "g1".into(),
        }],
    );
    act(
        &mut st,
        &a,
        "2026-11-22 21:00:00",
        vec![K::FeedbackGiven {
            result: FeedbackResult::Resolved,
            text: None,
        }],
    );
    act(
        &mut st,
        &a,
        "2026-11-22 21:10:00",
        vec![K::Verified { note: None }, K::Closed],
    );
    // B: claimed late, to police.
    let b = take(
        &mut st,
        "2026-11-22 21:00:00",
        Priority::Normal,
        None,
        false,
    );
    act(&mut st, &b, "2026-11-22 21:02:00", vec![K::Claimed]);
    act(
        &mut st,
        &b,
        "2026-11-22 21:04:00",
        vec![K::TransferredToPolice { note: None }],
    );
    // C: non-urgent at night, held until 08:00.
    let c = take(
        &mut st,
        "2026-11-22 23:00:00",
        Priority::NonUrgent,
        None,
        false,
    );
    // F: a drill, left out of everything.
    let f = take(&mut st, "2026-11-23 03:00:00", Priority::Normal, None, true);
    act(&mut st, &f, "2026-11-23 03:05:00", vec![K::Claimed]);
    // D: the same caller as A, handed to the hotline.
    let d = take(
        &mut st,
        "2026-11-23 02:00:00",
        Priority::Normal,
        Some("13812341116"),
        false,
    );
    act(&mut st, &d, "2026-11-23 02:00:20", vec![K::Claimed]);
    act(
        &mut st,
        &d,
        "2026-11-23 02:02:00",
        vec![K::HandedToHotline {
            order_no: None,
            note: None,
        }],
    );
    // E: urgent, arrives without a departure recorded: the depart clock is missed.
    let e = take(
        &mut st,
        "2026-11-23 05:00:00",
        Priority::Urgent,
        None,
        false,
    );
    act(&mut st, &e, "2026-11-23 05:00:30", vec![K::Claimed]);
    act(
        &mut st,
        &e,
        "2026-11-23 05:01:00",
        vec![
            K::PartyContacted { note: None },
            K::VideoRetrieved { note: None },
            dispatch(),
        ],
    );
    act(
        &mut st,
        &e,
        "2026-11-23 05:15:00",
        vec![K::Arrived {
            responder: "g1".into(),
        }],
    );
    for (at, text) in [
        ("2026-11-22 19:30:00", "上一班的留言"),
        ("2026-11-23 07:50:00", "3号楼漏水明早跟进"),
    ] {
        st.store
            .record_station(StationKind::ShiftNote { text: text.into() }, &stamp(at))
            .expect("note");
    }

    let tz = chrono_tz::Asia::Shanghai;
    let starts = Config::default().shift.times();
    let (from, to) = shift::window(&starts, tz, shanghai("2026-11-23 03:00:00"));
    assert_eq!(
        (from, to),
        (
            shanghai("2026-11-22 20:00:00"),
            shanghai("2026-11-23 08:00:00")
        )
    );
    let h = shift::handover(
        &st.store.incidents(None).expect("items"),
        &st.store.station_state().expect("station"),
        &SlaPolicy::default(),
        from,
        to,
    );
    let lines = shift::lines(&h, tz);
    let expected = vec![
        "交接班 11-22 20:00 — 11-23 08:00".to_string(),
        "接报 5".into(),
        "签收 4，其中及时 3".into(),
        "超时 签收 1  联系当事人 0  调取监控 0  出发 1  到场 1  反馈 0".into(),
        "转警务 1  上报区级 0  转12345 1".into(),
        "夜间留存 1".into(),
        format!("  {c} 11-23 08:00 恢复待签收"),
        "未办结 3".into(),
        format!("  {g} new 签收时限 11-22 19:01"),
        format!("  {c} deferred 签收时限 11-23 08:01"),
        // The category (E4 油烟) gives 7 days to complete instead of the default 8 hours.
        format!("  {e} on_scene 反馈时限 11-30 05:01"),
        "重复报警 1".into(),
        format!("  {d} 重复 {a}"),
        "交班留言 1".into(),
        "  11-23 07:50 王磊: 3号楼漏水明早跟进".into(),
    ];
    assert_eq!(lines, expected, "B {b} F {f}");
}

#[test]
fn figures_are_split_by_the_mode_each_item_was_received_in() {
    use fenliu::domain::station::{Mode, StationKind};
    let mut st = Station::new();
    let t = shanghai("2026-11-22 10:00:00");
    let params = fenliu::report::Params {
        from: t - TimeDelta::hours(1),
        to: t + TimeDelta::hours(5),
        station: None,
        policy: SlaPolicy::default(),
        targets: Default::default(),
        tz: chrono_tz::Asia::Shanghai,
        drills: false,
    };
    let report = |st: &Station| {
        let mut tally = fenliu::report::Tally::default();
        st.store
            .scan_events(0, |e| {
                tally.add(e.pos, &e.event);
                Ok(())
            })
            .expect("scan");
        fenliu::report::report(&tally, &params)
    };
    unresolved(&mut st, t);
    assert!(report(&st).by_mode.is_none(), "no war, no split");
    let stamp = Stamp {
        actor: Actor {
            operator: "王磊".into(),
            station: "dn".into(),
            device: "1".into(),
        },
        occurred_at: t + TimeDelta::hours(1),
        recorded_at: t + TimeDelta::hours(1),
    };
    st.store
        .record_station(
            StationKind::ModeSwitched {
                mode: Mode::War,
                note: None,
            },
            &stamp,
        )
        .expect("war");
    unresolved(&mut st, t + TimeDelta::hours(2));
    unresolved(&mut st, t + TimeDelta::hours(3));
    let split = report(&st).by_mode.expect("war held");
    assert_eq!((split.normal.received, split.war.received), (1, 2));
    assert_eq!(report(&st).figures.received, 3, "the whole is unchanged");
}
