//! The dispatch picker: finding responders by name, id, pinyin and initials, and the order it
//! suggests them in for an item with a department and a grid.

mod consolekit;

use consolekit::*;
use fenliu::domain::{Class, DutyStatus, Responder};
use fenliu::tui::app::{App, Modal};

fn roster() -> Vec<Responder> {
    use DutyStatus::*;
    vec![
        responder("wg01", "刘磊", "网格中队", "5", Available, None),
        responder("wg02", "叶磊", "网格中队", "3", Available, None),
        responder("cg01", "宋娟", "城管中队", "5", Available, None),
        responder(
            "cg02",
            "曾鹏",
            "城管中队",
            "3",
            Assigned,
            Some("DN-20261122-0009"),
        ),
        responder("cg03", "袁波", "城管中队", "3", Available, None),
        responder("cg04", "魏颖", "城管中队", "3", OffDuty, None),
        responder("pc01", "王建国", "派出所", "", Available, None),
        responder(
            "wg03",
            "吕伟",
            "网格中队",
            "3",
            OnScene,
            Some("DN-20261122-0008"),
        ),
    ]
}

/// Street vending in grid 3, for 城管执法.
fn vending() -> App {
    let it = item(
        Spec {
            triage: Some((Class::NonPolice, &["城管执法"])),
            ..Spec::default()
        },
        vec![],
    );
    app_with(vec![it], roster())
}

/// The ids the open dispatch dialog offers, in order.
fn offered(app: &App) -> Vec<String> {
    let Some(Modal::Dispatch(d)) = app.modals.last() else {
        panic!("the dispatch dialog is open");
    };
    app.candidates(d)
        .into_iter()
        .map(|n| app.roster[n].id.clone())
        .collect()
}

#[test]
fn pinyin_initials_and_full_pinyin_find_the_name() {
    for query in ["ll", "liulei", "LIU", "刘", "wg01"] {
        let mut app = vending();
        press(&mut app, vec![key('d')]);
        press(&mut app, typed(query));
        assert_eq!(offered(&app), vec!["wg01"], "{query}");
    }
    let mut app = vending();
    press(&mut app, vec![key('d')]);
    press(&mut app, typed("yl"));
    assert_eq!(offered(&app), vec!["wg02"], "yl finds 叶磊");
    press(&mut app, vec![key(' ')]);
    let screen = screen_lines(&app, 80, 24).join("\n");
    assert!(screen.contains("已选: 叶磊"), "chosen by name:\n{screen}");
}

#[test]
fn the_units_of_the_department_come_first_then_the_grid_available_before_busy() {
    let mut app = vending();
    press(&mut app, vec![key('d')]);
    assert_eq!(
        offered(&app),
        vec![
            // 城管中队 serves 城管执法: grid 3 available, grid 3 busy, then another grid
            "cg03", "cg02", "cg01",
            // of grid 3, not serving: available before on scene
            "wg02", "wg03", // neither
            "wg01", "pc01", // off duty last
            "cg04",
        ]
    );
    let screen = screen_lines(&app, 80, 24).join("\n");
    assert!(screen.contains("★◎ 袁波"), "marks say why:\n{screen}");
    assert!(
        screen.contains("曾鹏") && screen.contains("DN-20261122-0009"),
        "a busy responder shows the item worked on:\n{screen}"
    );
}

#[test]
fn the_units_map_comes_from_config() {
    let toml = "[units]\n\"网格中队\" = [\"城管执法\"]\n";
    let config: fenliu::config::Config = toml::from_str(toml).expect("parses");
    assert!(config.units.serves("网格中队", &["城管执法".into()]));
    assert!(
        !config.units.serves("城管中队", &["城管执法".into()]),
        "a [units] table replaces the defaults"
    );
}
