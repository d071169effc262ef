//! The console's forms: a new item (grid, red flag to urgent, the whole suggestion, selected
//! afterwards).

mod consolekit;

use consolekit::*;
use crossterm::event::KeyCode;
use fenliu::domain::*;
use fenliu::tui::action::Action;
use fenliu::tui::update::Effect;

fn queue() -> fenliu::tui::app::App {
    let old = item(
        Spec {
            n: 1,
            secs: -100,
            ..Spec::default()
        },
        vec![],
    );
    app_with(vec![old], vec![])
}

/// Fills the new-item form: source (as is), text, address, grid.
fn fill(app: &mut fenliu::tui::app::App, text: &str, grid: &str) {
    press(app, vec![key('n'), code(KeyCode::Tab)]);
    press(app, typed(text));
    press(app, vec![code(KeyCode::Tab)]);
    press(app, typed("灵石路695号"));
    press(app, vec![code(KeyCode::Tab)]);
    press(app, typed(grid));
}

fn created(effects: &[Effect]) -> Received {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::Create(r) => Some((**r).clone()),
            _ => None,
        })
        .expect("the form creates an item")
}

#[test]
fn the_new_item_form_has_a_grid_field() {
    let mut app = queue();
    fill(&mut app, "小区门口占道经营", "7");
    let made = created(&press(&mut app, vec![code(KeyCode::Enter)]));
    assert_eq!(made.grid.as_deref(), Some("7"));
    assert_eq!(made.address.as_deref(), Some("灵石路695号"));
    assert_eq!(made.priority, Priority::Normal);
}

#[test]
fn a_red_flag_raises_the_priority_to_urgent() {
    let mut app = queue();
    fill(&mut app, "两人争吵，其中一人拿刀要砍人", "3");
    let screen = screen_lines(&app, 80, 24).join("\n");
    assert!(screen.contains("◀ 紧急 ▶"), "the form shows it:\n{screen}");
    let made = created(&press(&mut app, vec![code(KeyCode::Enter)]));
    assert_eq!(made.priority, Priority::Urgent);
}

#[test]
fn the_whole_suggestion_is_shown_wrapped() {
    let mut app = queue();
    let text = "两人争吵，其中一人拿刀要砍人";
    fill(&mut app, text, "3");
    let summary = app.settings.classifier.classify(text).summary;
    let screen: String = screen_lines(&app, 80, 24)
        .iter()
        .map(|l| l.replace(['│', ' '], ""))
        .collect();
    let tail: String = summary
        .replace(' ', "")
        .chars()
        .rev()
        .take(6)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    assert!(
        screen.contains(&tail),
        "the end of the suggestion ({tail}) is on screen:\n{}",
        screen_lines(&app, 80, 24).join("\n")
    );
}

#[test]
fn the_new_item_is_selected_when_it_comes_back() {
    let mut app = queue();
    fill(&mut app, "楼道堆物堵塞", "3");
    let made = created(&press(&mut app, vec![code(KeyCode::Enter)]));
    assert_eq!(
        app.current().map(|i| i.reference.as_str()),
        Some("DN-20261122-0001")
    );
    // Another item arrives by sync first; then the store gives back the new one.
    let other = item(
        Spec {
            n: 7,
            secs: 1,
            text: "别的事项",
            ..Spec::default()
        },
        vec![],
    );
    app.update(
        Action::Remote {
            incidents: vec![other],
            roster: None,
        },
        at(1),
    );
    assert_eq!(
        app.current().map(|i| i.reference.as_str()),
        Some("DN-20261122-0001")
    );
    let mut back = item(
        Spec {
            n: 9,
            secs: 2,
            text: &made.text,
            ..Spec::default()
        },
        vec![],
    );
    back.grid = made.grid.clone();
    app.update(
        Action::Remote {
            incidents: vec![back],
            roster: None,
        },
        at(2),
    );
    assert_eq!(
        app.current().map(|i| i.reference.as_str()),
        Some("DN-20261122-0009")
    );
}

#[test]
fn return_offers_the_four_reasons_with_a_note() {
    let mut app = queue();
    press(&mut app, vec![key('r')]);
    let mut seen = Vec::new();
    for _ in 0..4 {
        let screen = screen_lines(&app, 80, 24).join("\n");
        for word in ["要素不全", "非本辖区", "重复", "不属受理范围"] {
            if screen.contains(&format!("◀ {word} ▶")) && !seen.contains(&word) {
                seen.push(word);
            }
        }
        press(&mut app, vec![code(KeyCode::Right)]);
    }
    assert_eq!(seen, ["要素不全", "非本辖区", "重复", "不属受理范围"]);
    // Four steps came back to the first: two more to 重复, then a note.
    press(
        &mut app,
        vec![
            code(KeyCode::Right),
            code(KeyCode::Right),
            code(KeyCode::Tab),
        ],
    );
    press(&mut app, typed("与0001重复"));
    let effects = press(&mut app, vec![code(KeyCode::Enter), key('y')]);
    assert_eq!(
        records(&effects),
        vec![(
            "DN-20261122-0001".to_string(),
            vec![EventKind::Returned {
                reason: ReturnReason::Duplicate,
                note: Some("与0001重复".into()),
            }]
        )]
    );
}

#[test]
fn a_hold_says_when_the_item_comes_back() {
    let mut held = item(Spec::default(), vec![]);
    held.priority = Priority::NonUrgent;
    let mut app = app_with(vec![held.clone()], vec![]);
    // 22:01 in Shanghai: the night window holds until 08:00.
    let night = at(3660);
    let effects = app.update(key('z'), night);
    assert_eq!(records(&effects).len(), 1);
    let told = app.message.clone().unwrap_or_default();
    assert_eq!(told, "夜间留存至 11-23 08:00 届时回到待签收");
    held.apply(&ev_by(
        held.id,
        3660,
        EventKind::Deferred {
            until: at(3600 * 11),
        },
        "王磊",
        "ws1",
    ))
    .expect("held");
    app.update(
        Action::Remote {
            incidents: vec![held],
            roster: None,
        },
        night,
    );
    app.update(code(KeyCode::Tab), night);
    let screen = screen_lines(&app, 80, 24).join("\n");
    assert!(screen.contains("夜间留存至: 11-23 08:00"), "{screen}");
}

#[test]
fn reclassify_lists_matching_categories_with_their_decision_and_keeps_red_flags() {
    let classifier = fenliu::triage::Classifier::embedded().expect("embedded list");
    let text = "楼上装修噪音，邻居拿刀上门威胁";
    let decision = classifier.classify(text);
    assert!(
        fenliu::tui::update::has_red_flag(&decision),
        "the fixture carries a red flag: {decision:?}"
    );
    let flagged = item(
        Spec {
            text,
            ..Spec::default()
        },
        vec![EventKind::Triaged(decision)],
    );
    let mut app = app_with(vec![flagged], vec![]);
    press(&mut app, vec![key('l')]);
    for _ in 0..8 {
        press(&mut app, vec![code(KeyCode::Backspace)]);
    }
    press(&mut app, typed("生活噪声"));
    let screen = screen_lines(&app, 80, 24).join("\n");
    assert!(
        screen.contains("社会生活噪") && screen.contains("非警务类"),
        "each match with its decision:\n{screen}"
    );
    assert!(
        screen.contains("⚑ 升级情节仍在"),
        "red flags stay in view:\n{screen}"
    );
    let effects = press(&mut app, vec![code(KeyCode::Enter)]);
    let recorded = records(&effects);
    let Some(EventKind::Triaged(d)) = recorded.first().and_then(|(_, k)| k.first()) else {
        panic!("a reclassification is recorded: {recorded:?}");
    };
    assert_eq!(
        d.category_name
            .as_deref()
            .map(|n| n.contains("社会生活噪声")),
        Some(true)
    );
    assert_eq!(d.overridden_by.as_deref(), Some("王磊"));
    assert!(
        fenliu::tui::update::has_red_flag(d),
        "the override keeps the red flags: {:?}",
        d.evidence
    );
}

#[test]
fn the_detail_names_a_police_category_without_repeating_the_class() {
    let mut police = item(Spec::default(), vec![]);
    let mut d = decision(Class::Police, &["派出所"]);
    d.category = Some("P6".into());
    d.category_name = Some("警务类 › 危及生命".into());
    d.mode = fenliu::domain::taxonomy::DispatchMode::Police;
    police
        .apply(&ev_by(police.id, 1, EventKind::Triaged(d), "王磊", "ws1"))
        .expect("triaged");
    let mut app = app_with(vec![police], vec![]);
    app.update(code(KeyCode::Tab), at(2));
    let screen = screen_lines(&app, 160, 48).join("\n");
    assert!(screen.contains("警务类 危及生命 (90%)"), "{screen}");
    assert!(!screen.contains("警务类 警务类"), "{screen}");
}
