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
