//! The supervisor's board: who (officer and workstation, responders), where (address or grid),
//! what (class), the late responders, missed clocks kept for the shift, sorting by Shift+letter,
//! and keys that land on the highlighted row however the rows re-sort.

mod consolekit;

use consolekit::*;
use fenliu::domain::*;
use fenliu::tui::action::Action;
use fenliu::tui::app::{App, View};
use fenliu::tui::board::BoardSort;

fn roster() -> Vec<Responder> {
    use DutyStatus::*;
    vec![
        responder(
            "g1",
            "刘磊",
            "网格中队",
            "3",
            Assigned,
            Some("DN-20261122-0001"),
        ),
        responder(
            "p1",
            "王建国",
            "派出所",
            "",
            EnRoute,
            Some("DN-20261122-0003"),
        ),
        responder("c1", "宋娟", "城管中队", "5", Available, None),
    ]
}

fn items() -> Vec<Incident> {
    vec![
        // Sent 16 minutes ago, nobody set off: the depart clock is breached.
        item(
            Spec {
                n: 1,
                secs: -1000,
                text: "小区门口占道经营，夜市摊贩堵住消防通道",
                address: "灵石路695号",
                triage: Some((Class::NonPolice, &["城管执法"])),
                operator: "王磊",
                device: "1",
                ..Spec::default()
            },
            vec![EventKind::Claimed, dispatched(&["g1"])],
        ),
        // New, its claim clock running.
        item(
            Spec {
                n: 2,
                secs: -30,
                text: "工地夜间施工噪音扰民",
                address: "",
                grid: "7",
                ..Spec::default()
            },
            vec![],
        ),
        // On the way for 50 minutes: the arrive clock is breached.
        item(
            Spec {
                n: 3,
                secs: -3000,
                text: "两车剐蹭后双方争执",
                address: "共和新路4700号",
                triage: Some((Class::Uncertain, &["派出所"])),
                operator: "张伟",
                device: "2",
                ..Spec::default()
            },
            vec![
                EventKind::Claimed,
                dispatched(&["p1"]),
                EventKind::Departed {
                    responder: "p1".into(),
                },
            ],
        ),
    ]
}

/// Claimed late this shift (13:00 local), then closed: its missed claim stays on the board.
fn closed_late() -> Incident {
    let mut it = item(
        Spec {
            n: 4,
            secs: -30000,
            text: "楼道堆物",
            address: "延长中路",
            ..Spec::default()
        },
        vec![],
    );
    let steps = [
        (-29800, EventKind::Claimed),
        (-29790, dispatched(&["c1"])),
        (
            -29500,
            EventKind::Arrived {
                responder: "c1".into(),
            },
        ),
        (
            -29000,
            EventKind::FeedbackGiven {
                result: FeedbackResult::Resolved,
                text: None,
            },
        ),
        (-28900, EventKind::Verified { note: None }),
        (-28800, EventKind::Closed),
    ];
    for (secs, kind) in steps {
        it.apply(&ev_by(it.id, secs, kind, "王磊", "1"))
            .expect("legal");
    }
    it
}

fn board() -> App {
    let mut all = items();
    all.push(closed_late());
    let mut app = app_with(all, roster());
    press(&mut app, vec![key('B')]);
    assert_eq!(app.view, View::Board);
    app
}

/// The references of the board's rows, in order, without repeats.
fn order(app: &App) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (i, _) in fenliu::tui::board::rows(app) {
        if !out.contains(&i.reference) {
            out.push(i.reference.clone());
        }
    }
    out
}

fn short(refs: &[&str]) -> Vec<String> {
    refs.iter().map(|n| format!("DN-20261122-{n}")).collect()
}

#[test]
fn the_board_shows_who_where_and_what() {
    let app = board();
    let screen = screen_lines(&app, 160, 48).join("\n");
    for what in [
        "王磊@1",
        "张伟@2",
        "刘磊",
        "王建国",
        "灵石路695号",
        "网格 7",
        "?疑",
        "○非",
        "值班员",
        "处置力量",
        "地点/网格",
    ] {
        assert!(screen.contains(what), "the board lacks {what}:\n{screen}");
    }
    assert!(
        !screen.contains(" g1 ") && !screen.contains(" p1 "),
        "responders by name:\n{screen}"
    );
}

#[test]
fn late_responders_have_their_own_section() {
    let app = board();
    let screen = screen_lines(&app, 80, 24);
    let start = screen
        .iter()
        .position(|l| l.contains("迟到力量 (2)"))
        .unwrap_or_else(|| panic!("a late section:\n{}", screen.join("\n")));
    let section = screen[start..].join("\n");
    assert!(
        section.contains("未到场 王建国") && section.contains("DN-20261122-0003"),
        "{section}"
    );
    assert!(section.contains("未出发 刘磊"), "{section}");
}

#[test]
fn a_clock_missed_this_shift_stays_after_the_item_is_closed() {
    let app = board();
    let rows = fenliu::tui::board::rows(&app);
    let kept: Vec<_> = rows
        .iter()
        .filter(|(i, _)| i.reference == "DN-20261122-0004")
        .map(|(_, c)| c)
        .collect();
    assert!(kept.iter().any(|c| c.name == ClockName::Claim), "{kept:?}");
    assert!(
        kept.iter()
            .all(|c| matches!(c.state, ClockState::Missed { .. })),
        "only its missed clocks: {kept:?}"
    );
    let screen = screen_lines(&app, 160, 48).join("\n");
    assert!(screen.contains("✗+02:20"), "missed by 2:20:\n{screen}");
    // The next shift starts at 22:00 local (14:00 UTC): the missed clock is gone from it.
    let mut later = board();
    later.update(Action::Tick, at(3700));
    assert!(
        !fenliu::tui::board::rows(&later)
            .iter()
            .any(|(i, _)| i.reference == "DN-20261122-0004")
    );
}

#[test]
fn shift_letters_sort_by_clock_officer_and_responder() {
    let mut app = board();
    assert_eq!(app.board_sort, BoardSort::Clock);
    assert_eq!(order(&app), short(&["0003", "0001", "0002", "0004"]));
    press(&mut app, vec![shift('O')]);
    assert_eq!(app.board_sort, BoardSort::Officer);
    // 张伟 < 王磊 in code-point order; unclaimed last.
    assert_eq!(order(&app), short(&["0003", "0001", "0004", "0002"]));
    press(&mut app, vec![shift('P')]);
    assert_eq!(app.board_sort, BoardSort::Responder);
    // 刘磊 < 宋娟 < 王建国; nobody sent last.
    assert_eq!(order(&app), short(&["0001", "0004", "0003", "0002"]));
    let screen = screen_lines(&app, 160, 48).join("\n");
    assert!(
        screen.contains("处置力量▼"),
        "the sorted column is marked:\n{screen}"
    );
    press(&mut app, vec![shift('C')]);
    assert_eq!(order(&app), short(&["0003", "0001", "0002", "0004"]));
}

#[test]
fn a_key_on_the_second_row_lands_on_that_item_after_a_re_sort() {
    let mut app = board();
    press(&mut app, vec![key('j')]);
    let second = app.target().map(|i| i.reference.clone()).expect("a row");
    let rows = fenliu::tui::board::rows(&app);
    assert_eq!(rows[1].0.reference, second);
    // A new item whose claim is long overdue arrives and goes to the top: every row moves down.
    let urgent = item(
        Spec {
            n: 5,
            secs: -9000,
            text: "有人持刀威胁",
            ..Spec::default()
        },
        vec![],
    );
    app.update(
        Action::Remote {
            incidents: vec![urgent],
            roster: None,
        },
        t0(),
    );
    app.update(Action::Tick, at(1));
    assert_eq!(
        fenliu::tui::board::rows(&app)[0].0.reference,
        "DN-20261122-0005"
    );
    // Another re-sort by a key, then the action.
    let effects = press(&mut app, vec![shift('O'), key('v')]);
    assert_eq!(
        records(&effects),
        vec![(
            second.clone(),
            vec![EventKind::VideoRetrieved { note: None }]
        )],
        "the key acted on the row highlighted before the re-sort"
    );
}

#[test]
fn snapshots_of_the_board() {
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        let app = board();
        let term = render(&app, w, h);
        insta::assert_snapshot!(format!("board_{w}x{h}"), term.backend());
    }
}
