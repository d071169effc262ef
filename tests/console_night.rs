//! The console at night: urgency on every row, every pane whole at every size, Chinese
//! throughout, a roster that scrolls, and a header that tells the truth about the hub.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use fenliu::config::{Config, Lang};
use fenliu::domain::*;
use fenliu::sync::plan;
use fenliu::tui::action::{Action, REGISTRY};
use fenliu::tui::app::{App, HubState, Pane, View};
use fenliu::tui::text::{self, T};
use fenliu::tui::theme::Theme;
use fenliu::tui::{settings, views};
use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;

/// 2026-11-22 13:00:00 UTC, 21:00 in Shanghai.
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

struct Fixture<'a> {
    n: u32,
    secs: i64,
    source: Source,
    text: &'a str,
    place: &'a str,
    grid: &'a str,
    repeat: bool,
    more: Vec<EventKind>,
}

fn triaged(text: &str) -> EventKind {
    EventKind::Triaged(
        fenliu::triage::Classifier::embedded()
            .expect("embedded list")
            .classify(text),
    )
}

fn item(f: Fixture<'_>) -> Incident {
    let id = IncidentId(uuid::Uuid::from_u128(u128::from(f.n)));
    let first = ev(
        id,
        f.secs,
        EventKind::Received(Received {
            reference: format!("DN-20261122-{:04}", f.n),
            station: "dn".into(),
            source: f.source,
            source_ref: None,
            text: f.text.into(),
            address: Some(f.place.into()),
            grid: Some(f.grid.into()),
            community: None,
            phone: Some("13812341116".into()),
            priority: Priority::Normal,
            drill: false,
            repeat_of: f.repeat.then(|| "DN-20261121-0007".to_string()),
        }),
    );
    let mut incident = Incident::from_received(&first).expect("received");
    for (k, kind) in f.more.into_iter().enumerate() {
        incident
            .apply(&ev(id, f.secs + 1 + k as i64, kind))
            .expect("legal fixture event");
    }
    incident
}

const FIGHT: &str = "有人动手打人，门口有血";
const NOISE: &str = "楼上装修至深夜，电钻声不断，老人无法入睡";
const THEFT: &str = "电动车被偷，锁被撬开";
const LAMP: &str = "路灯不亮，小区门口一片漆黑";

fn fixtures() -> Vec<Incident> {
    vec![
        item(Fixture {
            n: 1,
            secs: -30,
            source: Source::Police110,
            text: FIGHT,
            place: "广中路123弄",
            grid: "3-07",
            repeat: true,
            more: vec![triaged(FIGHT)],
        }),
        item(Fixture {
            n: 2,
            secs: -200,
            source: Source::Hotline12345,
            text: NOISE,
            place: "共和新路4700号",
            grid: "2-11",
            repeat: false,
            more: vec![triaged(NOISE)],
        }),
        item(Fixture {
            n: 3,
            secs: -400,
            source: Source::Police110,
            text: THEFT,
            place: "大宁路街道灵石路",
            grid: "1-02",
            repeat: false,
            more: vec![triaged(THEFT), EventKind::Claimed],
        }),
        item(Fixture {
            n: 4,
            secs: -8 * 86_400,
            source: Source::Hotline12345,
            text: LAMP,
            place: "延长中路",
            grid: "4-01",
            repeat: false,
            more: vec![
                triaged(LAMP),
                EventKind::Claimed,
                EventKind::Dispatched {
                    responders: vec!["g3".into()],
                    channel: Channel::Radio,
                },
                EventKind::Escalated { level: 2 },
            ],
        }),
    ]
}

fn responder(id: &str, name: &str, unit: &str, grid: &str, status: DutyStatus) -> Responder {
    Responder {
        id: id.into(),
        name: name.into(),
        unit: unit.into(),
        grid: Some(grid.into()),
        phone: None,
        status,
        incident: None,
    }
}

fn roster() -> Vec<Responder> {
    vec![
        responder("g3", "王网格", "网格中队", "3-07", DutyStatus::Assigned),
        responder("g4", "赵网格", "网格中队", "2-11", DutyStatus::Available),
        responder("p1", "李民警", "派出所", "1-02", DutyStatus::Available),
        responder("c1", "陈队员", "城管中队", "4-01", DutyStatus::OffDuty),
        responder("s1", "欧阳志远", "市场监管所", "3-07", DutyStatus::EnRoute),
    ]
}

fn app_with(incidents: Vec<Incident>, roster: Vec<Responder>) -> App {
    let mut config = Config::default();
    config.station.name = "大宁路街道 综合信息指挥室".into();
    let mut app = App::new(settings(&config, "王磊").expect("default settings"), t0());
    app.update(Action::Snapshot { incidents, roster }, t0());
    app
}

fn app() -> App {
    app_with(fixtures(), roster())
}

fn key(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn code(c: KeyCode) -> Action {
    Action::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn press(app: &mut App, actions: Vec<Action>) {
    for a in actions {
        app.update(a, t0());
    }
}

fn render(app: &App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut term = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    term.draw(|f| views::draw(f, app, &Theme::colored()))
        .expect("draws");
    term
}

fn rows_of(buffer: &Buffer) -> Vec<String> {
    let area = buffer.area;
    (0..area.height)
        .map(|y| {
            (0..area.width)
                .map(|x| buffer[(x, y)].symbol().to_string())
                .collect()
        })
        .collect()
}

fn screen_text(app: &App, w: u16, h: u16) -> String {
    let term = render(app, w, h);
    rows_of(term.backend().buffer())
        .iter()
        .map(|r| r.replace(' ', ""))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn snapshots_of_queue_roster_and_detail_with_the_new_columns() {
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        let mut queue = app();
        queue.now = t0();
        insta::assert_snapshot!(
            format!("night_queue_{w}x{h}"),
            rows_of(render(&queue, w, h).backend().buffer()).join("\n")
        );
        let mut roster = app();
        press(&mut roster, vec![key('R')]);
        insta::assert_snapshot!(
            format!("night_roster_{w}x{h}"),
            rows_of(render(&roster, w, h).backend().buffer()).join("\n")
        );
        let mut detail = app();
        press(&mut detail, vec![code(KeyCode::Enter)]);
        insta::assert_snapshot!(
            format!("night_detail_{w}x{h}"),
            rows_of(render(&detail, w, h).backend().buffer()).join("\n")
        );
    }
}

/// The row of the item `reference` as drawn, with its y.
fn row_of(buffer: &Buffer, needle: &str) -> Option<(u16, String)> {
    rows_of(buffer)
        .into_iter()
        .enumerate()
        .find(|(_, r)| r.replace(' ', "").contains(needle))
        .map(|(y, r)| (u16::try_from(y).unwrap_or(0), r))
}

#[test]
fn every_row_shows_class_priority_flag_due_clock_marks_and_grid_at_80x24() {
    let app = app();
    let shown = screen_text(&app, 80, 24);
    for needle in ["▲警", "○非", "⚑", "重", "督2", "3-07", "4-01", "签收"] {
        assert!(shown.contains(needle), "{needle} missing:\n{shown}");
    }
    assert!(
        shown.contains("天"),
        "an 8-day overdue reads in days:\n{shown}"
    );
    assert!(!shown.contains("h59"), "no 167h59:\n{shown}");
    assert!(shown.contains("值班:王磊"), "{shown}");
}

#[test]
fn class_marks_and_breached_clocks_are_styled_not_only_coloured() {
    let app = app();
    let theme = Theme::colored();
    let term = render(&app, 160, 48);
    let buffer = term.backend().buffer();
    let (y, row) = row_of(buffer, "▲警").expect("a police row");
    let x = row.chars().position(|c| c == '▲').expect("mark");
    let cell = &buffer[(u16::try_from(x).unwrap_or(0), y)];
    assert_eq!(cell.fg, theme.sla_breach.fg.expect("breach colour"));
    assert_eq!(
        cell.symbol(),
        "▲",
        "the symbol carries the class without colour"
    );
    let (y, row) = row_of(buffer, "督2").expect("the escalated row");
    let x = row
        .chars()
        .position(|c| c == '+')
        .expect("a breached countdown");
    let cell = &buffer[(u16::try_from(x).unwrap_or(0), y)];
    assert_eq!(cell.fg, theme.sla_breach.fg.expect("breach colour"));
    assert!(cell.modifier.contains(ratatui::style::Modifier::BOLD));
}

/// Every box on screen: its top-left corner, right column and bottom row.
fn assert_frames_intact(buffer: &Buffer) -> Result<(), String> {
    let area = buffer.area;
    let sym = |x: u16, y: u16| buffer[(x, y)].symbol().to_string();
    for y in 0..area.height {
        for x in 0..area.width {
            if sym(x, y) != "┌" {
                continue;
            }
            let right = (x + 1..area.width)
                .find(|&rx| sym(rx, y) == "┐")
                .ok_or(format!("box at ({x},{y}) has no top-right corner"))?;
            let mut bottom = None;
            for by in y + 1..area.height {
                match sym(x, by).as_str() {
                    "│" => {}
                    "└" => {
                        bottom = Some(by);
                        break;
                    }
                    other => {
                        return Err(format!(
                            "left border of ({x},{y}) broken at row {by}: {other:?}"
                        ));
                    }
                }
            }
            let bottom = bottom.ok_or(format!("box at ({x},{y}) has no bottom"))?;
            for ry in y + 1..bottom {
                if sym(right, ry) != "│" {
                    return Err(format!(
                        "right border of ({x},{y}) broken at row {ry}: {:?}",
                        sym(right, ry)
                    ));
                }
            }
            for bx in x + 1..right {
                if sym(bx, bottom) != "─" {
                    return Err(format!("bottom border of ({x},{y}) broken at column {bx}"));
                }
            }
            if sym(right, bottom) != "┘" {
                return Err(format!("box at ({x},{y}) has no bottom-right corner"));
            }
        }
    }
    Ok(())
}

fn mixed() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            "[a-zA-Z0-9 ,.:-]{1,6}",
            "[\u{4e00}-\u{4fff}]{1,8}",
            Just("，".to_string()),
            Just("🚒".to_string()),
        ],
        1..12,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Random mixes of Chinese and ASCII at random sizes: no text crosses a pane's border and
    /// every border cell stays.
    #[test]
    fn wide_characters_never_break_a_frame(
        texts in proptest::collection::vec(mixed(), 4),
        names in proptest::collection::vec(mixed(), 3),
        w in 40u16..=230,
        h in 12u16..=64,
        view in 0u8..4,
    ) {
        let mut incidents = fixtures();
        for (i, t) in incidents.iter_mut().zip(&texts) {
            i.text = t.clone();
            i.address = Some(t.chars().rev().collect());
        }
        let mut people = roster();
        for (r, n) in people.iter_mut().zip(&names) {
            r.name = n.clone();
            r.unit = n.chars().take(5).collect();
        }
        let mut app = app_with(incidents, people);
        match view {
            1 => app.pane = Pane::Detail,
            2 => app.view = View::Roster,
            3 => app.view = View::Board,
            _ => {}
        }
        let term = render(&app, w, h);
        if let Err(why) = assert_frames_intact(term.backend().buffer()) {
            let shown = rows_of(term.backend().buffer()).join("\n");
            prop_assert!(false, "{why} at {w}x{h}:\n{shown}");
        }
    }
}

/// English words in a zh text: runs of three or more Latin letters, but for key names and
/// rule codes (`redflag:violence`).
fn english_words(s: &str) -> Vec<String> {
    const ALLOWED: &[&str] = &["Tab", "Esc", "Enter", "PgUp", "PgDn"];
    let is_code = |w: &str| {
        w.split_once(':').is_some_and(|(a, b)| {
            !a.is_empty()
                && a.chars()
                    .chain(b.chars())
                    .all(|c| c.is_ascii_lowercase() || c == '_')
        })
    };
    s.split_whitespace()
        .filter(|w| !is_code(w))
        .flat_map(|w| w.split(|c: char| !c.is_ascii_alphabetic()))
        .filter(|w| w.len() >= 3 && !ALLOWED.contains(w))
        .map(String::from)
        .collect()
}

#[test]
fn every_message_and_label_is_chinese_with_lang_zh() {
    let zh = Lang::Zh;
    let mut texts: Vec<(String, String)> = T::ALL
        .iter()
        .map(|t| (format!("{t:?}"), t.get(zh).to_string()))
        .collect();
    let mut add = |what: &str, s: String| texts.push((what.to_string(), s));
    for c in [Class::Police, Class::NonPolice, Class::Uncertain] {
        add("class", text::class(c, zh).into());
        add("class mark", text::class_mark(Some(c), zh).into());
    }
    for s in Status::ALL {
        add("status", text::status(s, zh).into());
    }
    for d in DutyStatus::ALL {
        add("duty", text::duty(d, zh).into());
    }
    for c in [
        ClockName::Claim,
        ClockName::Contact,
        ClockName::Video,
        ClockName::Depart,
        ClockName::Arrive,
        ClockName::Feedback,
    ] {
        add("clock", text::clock(c, zh).into());
    }
    for c in [
        Channel::Radio,
        Channel::Wechat,
        Channel::Phone,
        Channel::Order,
    ] {
        add("channel", text::channel(c, zh).into());
    }
    for r in [
        FeedbackResult::Resolved,
        FeedbackResult::HandedOver,
        FeedbackResult::Unresolved,
    ] {
        add("feedback", text::feedback(r, zh).into());
    }
    for s in [
        Satisfaction::Satisfied,
        Satisfaction::Basic,
        Satisfaction::Dissatisfied,
        Satisfaction::Unreachable,
    ] {
        add("satisfaction", text::satisfaction(s, zh).into());
    }
    for r in [ReturnReason::Incomplete, ReturnReason::NotOurArea] {
        add("reason", text::reason(r, zh).into());
    }
    for p in [Priority::Urgent, Priority::Normal, Priority::NonUrgent] {
        add("priority", text::priority_mark(p, zh).into());
    }
    add("span", text::span(8 * 86_400, zh));
    for spec in REGISTRY {
        add("key", spec.label(zh).into());
    }
    let classifier = fenliu::triage::Classifier::embedded().expect("embedded list");
    for t in [
        FIGHT,
        NOISE,
        THEFT,
        LAMP,
        "没有人打人，只是吵架",
        "好像有老人摔倒了",
    ] {
        for e in classifier.classify(t).evidence {
            add("evidence", text::evidence(&e, zh));
        }
    }
    let manual = fenliu::domain::taxonomy::Evidence {
        rule: "override".into(),
        phrase: String::new(),
        at: 0,
        effect: "reclassified by 王磊".into(),
    };
    add("evidence", text::evidence(&manual, zh));
    assert_eq!(text::evidence(&manual, zh), "人工改判 由 王磊 人工改判");
    let bad: Vec<String> = texts
        .iter()
        .filter(|(_, s)| !english_words(s).is_empty())
        .map(|(what, s)| format!("{what}: {s}"))
        .collect();
    assert!(
        bad.is_empty(),
        "untranslated English in zh:\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_full_screen_roster_scrolls_and_filters_700_responders() {
    let units = [
        "网格中队",
        "派出所",
        "城管中队",
        "市场监管所",
        "物业",
        "居委会",
        "消防站",
    ];
    let people: Vec<Responder> = (0..700)
        .map(|k| {
            let status = DutyStatus::ALL[k % DutyStatus::ALL.len()];
            responder(
                &format!("r{k:03}"),
                &format!("队员{k:03}"),
                units[k % units.len()],
                &format!("{}-{:02}", k % 9 + 1, k % 30),
                status,
            )
        })
        .collect();
    let mut app = app_with(fixtures(), people);
    press(&mut app, vec![key('R')]);
    assert_eq!(app.view, View::Roster);
    let last = app.roster_rows().last().copied().expect("rows");
    let last_name = app.roster[last].name.clone();
    assert!(!screen_text(&app, 80, 24).contains(&last_name));
    press(&mut app, vec![key('G')]);
    assert_eq!(app.roster_cursor, 699);
    assert!(
        screen_text(&app, 80, 24).contains(&last_name),
        "G scrolls to the end"
    );
    press(&mut app, vec![key('g')]);
    assert_eq!(app.roster_cursor, 0);
    press(
        &mut app,
        vec![code(KeyCode::PageDown), code(KeyCode::PageDown)],
    );
    assert_eq!(app.roster_cursor, 20);
    let at20 = app.roster[app.roster_rows()[20]].name.clone();
    assert!(screen_text(&app, 80, 24).contains(&at20));
    press(
        &mut app,
        vec![code(KeyCode::PageUp), key('k'), key('j'), key('j')],
    );
    assert_eq!(app.roster_cursor, 11);
    press(&mut app, vec![key('/')]);
    for c in "消防站".chars() {
        press(&mut app, vec![key(c)]);
    }
    let rows = app.roster_rows();
    assert_eq!(rows.len(), 100);
    assert!(rows.iter().all(|&k| app.roster[k].unit == "消防站"));
    press(&mut app, vec![code(KeyCode::Enter)]);
    assert!(screen_text(&app, 80, 24).contains("/筛选:消防站"));
    press(&mut app, vec![key('/'), code(KeyCode::Esc), key('/')]);
    for c in "离岗 9-".chars() {
        press(&mut app, vec![key(c)]);
    }
    let rows = app.roster_rows();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|&k| {
        app.roster[k].status == DutyStatus::OffDuty
            && app.roster[k]
                .grid
                .as_deref()
                .is_some_and(|g| g.starts_with("9-"))
    }));
}

#[test]
fn the_roster_strip_grows_with_the_terminal() {
    let people: Vec<Responder> = (0..40)
        .map(|k| {
            responder(
                &format!("r{k:02}"),
                &format!("队员{k:02}"),
                &format!("单位{:02}", k % 20),
                "1-01",
                DutyStatus::Available,
            )
        })
        .collect();
    let app = app_with(fixtures(), people);
    let units_shown = |w, h| {
        let shown = screen_text(&app, w, h);
        (0..20)
            .filter(|u| shown.contains(&format!("单位{u:02}")))
            .count()
    };
    let (small, big) = (units_shown(160, 48), units_shown(220, 60));
    assert!(small > 6, "more than 6 rows at 160x48: {small}");
    assert!(big >= small, "{big} < {small}");
}

fn hub(online: bool, skew_warning: bool, changed: bool) -> HubState {
    HubState {
        online,
        outbox: 3,
        skew_warning,
        hub_changed: changed,
        last_sync: Some(at(-20)),
        offline_since: (!online).then(|| at(-5)),
        address: None,
    }
}

/// With several hub addresses configured, the header names the one in use, or the one being
/// tried while offline, at 80×24 as well as wide, and keeps the operator.
#[test]
fn the_header_names_the_hub_address_in_use_when_there_are_several() {
    let mut app = app();
    app.update(
        Action::Hub(HubState {
            address: Some("10.1.0.2:8780".into()),
            ..hub(true, false, false)
        }),
        t0(),
    );
    for (w, h) in [(80, 24), (160, 48)] {
        let shown = screen_text(&app, w, h);
        let header = shown.lines().next().unwrap_or_default();
        assert!(
            header.contains("在线10.1.0.2:8780") && header.contains("值班:王磊"),
            "{w}x{h}: {header}"
        );
    }
    app.update(
        Action::Hub(HubState {
            address: Some("10.1.0.3:8780".into()),
            ..hub(false, false, false)
        }),
        t0(),
    );
    let shown = screen_text(&app, 80, 24);
    let header = shown.lines().next().unwrap_or_default();
    assert!(
        header.contains("!离线")
            && header.contains("试连10.1.0.3:8780")
            && header.contains("值班:王磊"),
        "{header}"
    );
    app.update(Action::Hub(hub(true, false, false)), t0());
    let shown = screen_text(&app, 160, 48);
    assert!(!shown.lines().next().unwrap_or_default().contains("8780"));
}

#[test]
fn the_header_keeps_the_operator_and_every_warning_at_80x24() {
    let mut app = app();
    app.update(Action::Hub(hub(false, true, true)), t0());
    let shown = screen_text(&app, 80, 24);
    let header = shown.lines().next().unwrap_or_default();
    for needle in [
        "值班:王磊",
        "!离线",
        "重连5s",
        "同步20:59:40",
        "!偏差",
        "!枢纽已换",
        "出3",
    ] {
        assert!(header.contains(needle), "{needle} missing: {header}");
    }
    let wide = screen_text(&app, 160, 48);
    let header = wide.lines().next().unwrap_or_default();
    assert!(
        header.contains("上次同步20:59:40") && header.contains("!时钟偏差"),
        "{header}"
    );
}

/// A hub whose clock is off by a fixed 0 s, 3 s or 8 s, measured as sync measures it over a
/// quick push and over a 25 s long poll: the header warns only at 8 s.
#[test]
fn the_header_warns_of_skew_only_when_the_hub_is_really_off() {
    for (offset, warned) in [(0i64, false), (3, false), (8, true)] {
        for wait in [0i64, 25] {
            let sent = at(0);
            let hub_time = at(wait) + TimeDelta::seconds(offset);
            let received = at(wait) + TimeDelta::milliseconds(15);
            let skew = plan::skew(sent, received, hub_time);
            let mut app = app();
            app.update(
                Action::Hub(HubState {
                    skew_warning: plan::skew_is_large(skew),
                    ..hub(true, false, false)
                }),
                t0(),
            );
            let header = screen_text(&app, 80, 24);
            let header = header.lines().next().unwrap_or_default().to_string();
            assert_eq!(
                header.contains("偏差"),
                warned,
                "{offset} s, wait {wait}: {header}"
            );
            assert!(
                !header.contains("重连"),
                "online shows no reconnecting: {header}"
            );
        }
    }
}
