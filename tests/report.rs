//! The figures over a journal of known times, every one counted by hand here; and `fenliu report`
//! in its four formats.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use fenliu::config::Config;
use fenliu::domain::*;
use fenliu::report::{self, Params, Tally};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 0, 0, 0)
        .single()
        .expect("valid time")
}

fn at(secs: i64) -> DateTime<Utc> {
    t0() + TimeDelta::seconds(secs)
}

/// A journal being written: items and their events, in order.
struct Journal {
    events: Vec<Event>,
    seq: u128,
}

impl Journal {
    fn new() -> Journal {
        Journal {
            events: Vec::new(),
            seq: 0,
        }
    }

    fn push(&mut self, id: IncidentId, secs: i64, who: &str, kind: EventKind) {
        self.seq += 1;
        self.events.push(Event {
            id: EventId(uuid::Uuid::from_u128(self.seq)),
            incident: id,
            actor: Actor {
                operator: who.into(),
                station: "dn".into(),
                device: "1".into(),
            },
            occurred_at: at(secs),
            recorded_at: at(secs),
            kind,
        });
    }

    /// A new item `n` at `secs`, triaged as `class`.
    fn item(
        &mut self,
        n: u128,
        secs: i64,
        source: Source,
        class: Class,
        repeat: bool,
        drill: bool,
    ) -> IncidentId {
        let id = IncidentId(uuid::Uuid::from_u128(1000 + n));
        self.push(
            id,
            secs,
            "接报",
            EventKind::Received(Received {
                reference: format!("DN-20261122-{n:04}"),
                station: "dn".into(),
                source,
                source_ref: None,
                text: "测试".into(),
                address: None,
                grid: None,
                community: None,
                phone: None,
                priority: Priority::Normal,
                drill,
                repeat_of: repeat.then(|| "DN-20261121-0009".into()),
            }),
        );
        self.push(id, secs, "接报", triaged(class, "E1"));
        id
    }

    fn tally(&self) -> Tally {
        let mut t = Tally::default();
        for (pos, e) in self.events.iter().enumerate() {
            t.add(pos as i64 + 1, e);
        }
        t
    }
}

fn triaged(class: Class, category: &str) -> EventKind {
    EventKind::Triaged(TriageDecision {
        class,
        category: Some(category.into()),
        category_name: None,
        departments: vec!["居委会".into()],
        mode: DispatchMode::Immediate,
        priority: Priority::Normal,
        confidence: 1.0,
        completion_limit_secs: None,
        evidence: Vec::new(),
        summary: String::new(),
        overridden_by: None,
        list_version: String::new(),
    })
}

fn sent(ids: &[&str]) -> EventKind {
    EventKind::Dispatched {
        responders: ids.iter().map(|s| s.to_string()).collect(),
        channel: Channel::Radio,
    }
}

fn arrived(r: &str) -> EventKind {
    EventKind::Arrived {
        responder: r.into(),
    }
}

fn feedback() -> EventKind {
    EventKind::FeedbackGiven {
        result: FeedbackResult::Resolved,
        text: None,
    }
}

/// Items A–F of the figures below, and a drill.
fn journal() -> Journal {
    let mut j = Journal::new();
    let a = j.item(1, 0, Source::Police110, Class::NonPolice, false, false);
    j.push(a, 30, "王磊", EventKind::Claimed);
    j.push(a, 40, "王磊", sent(&["g1"]));
    j.push(a, 640, "g1", arrived("g1"));
    j.push(a, 3_600, "g1", feedback());
    j.push(a, 7_000, "赵核查", EventKind::Verified { note: None });
    j.push(a, 7_200, "赵核查", EventKind::Closed);
    j.push(
        a,
        10_800,
        "回访员",
        EventKind::CalledBack {
            satisfaction: Satisfaction::Satisfied,
            note: None,
        },
    );

    let b = j.item(2, 100, Source::Police110, Class::Police, false, false);
    j.push(b, 220, "王磊", EventKind::Claimed);
    j.push(
        b,
        280,
        "王磊",
        EventKind::TransferredToPolice { note: None },
    );

    let c = j.item(3, 200, Source::Hotline12345, Class::NonPolice, true, false);
    j.push(c, 230, "李娜", EventKind::Claimed);
    j.push(c, 240, "李娜", sent(&["g1", "g2"]));
    j.push(c, 240 + 1_500, "g2", arrived("g2"));
    j.push(c, 10_800, "g2", feedback());
    j.push(c, 11_000, "赵核查", EventKind::Verified { note: None });
    j.push(c, 14_400, "赵核查", EventKind::Closed);
    j.push(
        c,
        18_000,
        "回访员",
        EventKind::CalledBack {
            satisfaction: Satisfaction::Dissatisfied,
            note: None,
        },
    );
    j.push(c, 18_000, "回访员", EventKind::Reopened { note: None });

    let d = j.item(
        4,
        1_000,
        Source::Hotline12345,
        Class::NonPolice,
        false,
        false,
    );
    j.push(d, 1_020, "李娜", EventKind::Claimed);
    j.push(
        d,
        1_060,
        "李娜",
        EventKind::HandedToHotline {
            order_no: Some("GD-1".into()),
            note: None,
        },
    );

    let f = j.item(6, 2_000, Source::Police110, Class::NonPolice, false, false);
    j.push(f, 2_100, "王磊", triaged(Class::Police, "P2"));

    let e = j.item(5, 3_000, Source::Police110, Class::NonPolice, false, true);
    j.push(e, 3_020, "王磊", EventKind::Claimed);
    j.push(e, 3_030, "王磊", sent(&["g1"]));
    j.push(e, 3_500, "g1", arrived("g1"));
    j
}

fn params(drills: bool) -> Params {
    let config = Config::default();
    Params {
        from: t0(),
        to: t0() + TimeDelta::days(1),
        station: None,
        policy: config.sla_policy(),
        targets: config.targets,
        tz: config.timezone.0,
        drills,
    }
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

#[test]
fn every_figure_matches_a_hand_count() {
    let r = report::report(&journal().tally(), &params(false));
    let f = &r.figures;
    assert_eq!(f.received, 5, "A B C D F; the drill E is left out");
    assert!(
        close(f.diversion_rate, 1.0 / 3.0),
        "110: A diverted; B police; F overridden to police"
    );
    assert!(
        close(f.claim_on_time_rate, 0.75),
        "A C D in time, B two minutes after receipt"
    );
    assert!(
        close(f.arrival_rate, 1.0),
        "A and C dispatched, both with an arrival"
    );
    assert!(
        close(f.on_time_arrival_rate, 0.5),
        "A at 10 min, C's first at 25 min"
    );
    assert!(close(f.handling_rate, 1.0), "A and C gave feedback");
    assert!(
        close(f.completion_rate, 1.0 / 3.0),
        "due A C F (B to police, D to hotline): A closed, C reopened"
    );
    assert!(
        close(f.satisfaction_rate, 0.5),
        "A satisfied, C dissatisfied"
    );
    assert!(close(f.repeat_call_rate, 0.2), "C of five");
    assert_eq!((f.to_hotline, f.reopened), (1, 1));

    let claim = &f.clocks[0];
    assert_eq!(claim.clock, ClockName::Claim);
    assert_eq!(
        (claim.count, claim.met, claim.missed),
        (5, 3, 2),
        "B late, F never claimed"
    );
    assert!(close(claim.on_time_rate, 0.6));
    assert_eq!(
        (claim.p50_secs, claim.p90_secs),
        (Some(30), Some(120)),
        "taken 20 30 30 120"
    );
    let arrive = f
        .clocks
        .iter()
        .find(|c| c.clock == ClockName::Arrive)
        .expect("arrive");
    assert_eq!((arrive.count, arrive.met, arrive.missed), (2, 1, 1));
    assert_eq!((arrive.p50_secs, arrive.p90_secs), (Some(600), Some(1_500)));

    let ranking: Vec<&str> = f
        .per_responder
        .iter()
        .map(|p| p.responder.as_str())
        .collect();
    assert_eq!(ranking, ["g1", "g2"], "g1 arrived in time; g2 late");
    let g1 = &f.per_responder[0];
    assert_eq!(
        (
            g1.dispatched,
            g1.arrivals,
            g1.on_time_arrivals,
            g1.feedbacks
        ),
        (2, 1, 1, 2)
    );
    assert!(
        close(g1.arrival_rate, 0.5) && close(g1.on_time_rate, 1.0) && close(g1.handling_rate, 1.0)
    );
    let g2 = &f.per_responder[1];
    assert!(close(g2.arrival_rate, 1.0) && close(g2.on_time_rate, 0.0));

    let source: Vec<(&str, usize)> = f
        .per_source
        .iter()
        .map(|g| (g.key.as_str(), g.received))
        .collect();
    assert_eq!(source, [("110", 3), ("12345", 2)]);
    assert_eq!(f.per_hour[8], 5, "00:00–00:50 UTC is 08:xx in Shanghai");
    assert_eq!(f.per_hour.iter().sum::<usize>(), 5);

    let missed: Vec<&str> = r
        .targets
        .iter()
        .filter(|t| t.met == Some(false))
        .map(|t| t.figure)
        .collect();
    assert_eq!(
        missed,
        [
            "claim_on_time_rate",
            "completion_rate",
            "satisfaction_rate",
            "repeat_call_rate"
        ]
    );
    let range = r.range.expect("a range");
    assert_eq!(
        (range.first_pos, range.last_pos),
        (1, journal().events.len() as i64)
    );
}

#[test]
fn empty_denominators_are_null_and_the_previous_period_is_its_own() {
    let r = report::report(&journal().tally(), &params(false));
    let p = &r.previous;
    assert_eq!(p.received, 0);
    assert!(
        p.diversion_rate.is_none() && p.claim_on_time_rate.is_none() && p.completion_rate.is_none()
    );
    let json = serde_json::to_value(&r).expect("json");
    assert!(json["previous"]["satisfaction_rate"].is_null());
    for key in [
        "diversion_rate",
        "claim_on_time_rate",
        "arrival_rate",
        "on_time_arrival_rate",
        "handling_rate",
        "completion_rate",
        "satisfaction_rate",
        "repeat_call_rate",
        "clocks",
        "per_responder",
        "per_department",
        "per_category",
        "per_source",
        "per_hour",
        "targets",
        "previous",
        "range",
    ] {
        assert!(json.get(key).is_some(), "JSON key {key}");
    }
    let mut later = params(false);
    later.from = t0() + TimeDelta::days(1);
    later.to = t0() + TimeDelta::days(2);
    let r = report::report(&journal().tally(), &later);
    assert_eq!(
        r.previous.received, 5,
        "the day before is the previous period"
    );
    assert_eq!(r.figures.received, 0);
}

#[test]
fn drills_stay_out_of_every_figure_and_are_listed_apart() {
    let r = report::report(&journal().tally(), &params(true));
    let drills = r.drills.expect("listed");
    assert_eq!(drills.len(), 1);
    let d = &drills[0];
    assert_eq!(d.reference, "DN-20261122-0005");
    assert_eq!(d.claimed_at, Some(at(3_020)));
    assert_eq!(d.claimed_by.as_deref(), Some("王磊"));
    assert_eq!(d.dispatched_at, Some(at(3_030)));
    assert_eq!(
        (d.arrived_at, d.arrived_by.as_deref()),
        (Some(at(3_500)), Some("g1"))
    );
    let g1 = &r.figures.per_responder[0];
    assert_eq!(g1.dispatched, 2, "the drill's dispatch is not counted");
}

mod cli {
    use assert_cmd::Command;

    fn fenliu(dir: &std::path::Path, args: &[&str]) -> String {
        let out = Command::cargo_bin("fenliu")
            .expect("binary")
            .env_remove("FENLIU_CONFIG")
            .env("FENLIU_DATA_DIR", dir)
            .env("HOME", dir)
            .env("XDG_CONFIG_HOME", dir.join("no-xdg"))
            .args(args)
            .assert()
            .success();
        String::from_utf8_lossy(&out.get_output().stdout).into_owned()
    }

    #[test]
    fn the_report_prints_in_four_formats_and_counts_the_hotline_apart() {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        let new = |text: &str| {
            fenliu(d, &["incident", "new", "--source", "110", "--text", text])
                .lines()
                .last()
                .expect("ref")
                .trim()
                .to_string()
        };
        let a = new("楼上装修噪音扰民");
        let b = new("路灯不亮");
        fenliu(d, &["incident", "claim", &a]);
        let handed = fenliu(d, &["incident", "to-hotline", &b, "--order-no", "GD-7"]);
        assert!(handed.contains("to_hotline"), "{handed}");
        let json: serde_json::Value =
            serde_json::from_str(&fenliu(d, &["report", "--format", "json", "--drills"]))
                .expect("json");
        assert_eq!(json["received"], 2);
        assert_eq!(json["to_hotline"], 1);
        assert_eq!(json["claim_on_time_rate"], 1.0);
        assert!(json["drills"].as_array().is_some_and(Vec::is_empty));
        let table = fenliu(d, &["report"]);
        assert!(
            table.contains("claim_on_time_rate") && table.contains("100.0%"),
            "{table}"
        );
        let csv = fenliu(d, &["report", "--format", "csv"]);
        assert!(
            csv.starts_with("# rates\nfigure,now,previous\n") && csv.contains("# per_responder"),
            "{csv}"
        );
        let md = fenliu(d, &["report", "--format", "md"]);
        assert!(
            md.starts_with("# 分流工作月报") && md.contains("| 签收及时率 | 100.0% |"),
            "{md}"
        );
    }
}

mod view {
    use super::*;
    use fenliu::tui::action::{Action, Cmd};
    use fenliu::tui::app::{App, View};
    use fenliu::tui::update::Effect;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    fn shown(w: u16, h: u16) -> (App, Terminal<TestBackend>) {
        let config = Config::default();
        let mut app = App::new(
            fenliu::tui::settings(&config, "王磊").expect("settings"),
            t0() + TimeDelta::hours(20),
        );
        let effects = app.update(Action::Cmd(Cmd::ReportView), t0());
        assert_eq!(effects, vec![Effect::LoadReport], "entering asks the store");
        assert_eq!(app.view, View::Report);
        let r = report::report(&journal().tally(), &params(false));
        app.update(Action::Report(Box::new(r)), t0());
        let mut term = Terminal::new(TestBackend::new(w, h)).expect("terminal");
        let theme = fenliu::tui::theme::Theme::colored();
        term.draw(|f| fenliu::tui::views::draw(f, &app, &theme))
            .expect("draws");
        (app, term)
    }

    #[test]
    fn the_report_view_shows_figures_targets_clocks_and_ranking() {
        for (w, h) in [(80u16, 24u16), (160, 48)] {
            let (_, term) = shown(w, h);
            insta::assert_snapshot!(format!("report_{w}x{h}"), term.backend());
        }
        let (_, term) = shown(160, 48);
        let text = term.backend().to_string();
        for want in ["签收及时率", "75.0%", "✗", "流动红旗", "分时接报"] {
            assert!(text.contains(want), "{want} on the report view");
        }
    }
}
