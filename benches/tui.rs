//! Drawing a full console frame with 10,000 open items at 200×60 (budget: 5 ms), and the
//! once-a-second refresh that re-sorts them.

use chrono::{TimeDelta, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use fenliu::config::Config;
use fenliu::domain::*;
use fenliu::tui::action::Action;
use fenliu::tui::app::App;
use fenliu::tui::theme::Theme;
use fenliu::tui::{settings, views};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;

fn items(n: u32) -> Vec<Incident> {
    let t0 = Utc
        .with_ymd_and_hms(2026, 11, 22, 13, 0, 0)
        .single()
        .unwrap_or_default();
    (0..n)
        .filter_map(|k| {
            let at = t0 - TimeDelta::seconds(i64::from(k % 5000));
            let id = IncidentId(uuid::Uuid::from_u128(u128::from(k) + 1));
            let event = |kind| Event {
                id: EventId(uuid::Uuid::from_u128(u128::from(k))),
                incident: id,
                actor: Actor {
                    operator: "王磊".into(),
                    station: "dn".into(),
                    device: "bench".into(),
                },
                occurred_at: at,
                recorded_at: at,
                kind,
            };
            let mut i = Incident::from_received(&event(EventKind::Received(Received {
                reference: format!("DN-20261122-{k:05}"),
                station: "dn".into(),
                source: Source::ALL[(k as usize) % Source::ALL.len()],
                source_ref: None,
                text: "楼上装修至深夜，电钻声不断，老人无法入睡，多次沟通无果".into(),
                address: Some(format!("广中路{k}弄")),
                grid: Some("3".into()),
                community: None,
                phone: Some("13812341116".into()),
                priority: Priority::Normal,
                drill: false,
                repeat_of: None,
            })))
            .ok()?;
            if k % 2 == 0 {
                i.apply(&event(EventKind::Claimed)).ok()?;
            }
            Some(i)
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let now = Utc
        .with_ymd_and_hms(2026, 11, 22, 13, 0, 0)
        .single()
        .unwrap_or_default();
    let Ok(settings) = settings(&Config::default(), "王磊") else {
        return;
    };
    let mut app = App::new(settings, now);
    app.update(
        Action::Snapshot {
            incidents: items(10_000),
            roster: Vec::new(),
        },
        now,
    );
    let theme = Theme::colored();
    let Ok(mut term) = Terminal::new(TestBackend::new(200, 60));
    c.bench_function("draw 10k items at 200x60", |b| {
        b.iter(|| {
            let _ = term.draw(|f| views::draw(f, black_box(&app), &theme));
        })
    });
    c.bench_function("keypress to redrawn frame, 10k items at 200x60", |b| {
        let down = Action::Key(crossterm::event::KeyEvent::new(
            crossterm::event::KeyCode::Char('j'),
            crossterm::event::KeyModifiers::NONE,
        ));
        b.iter(|| {
            let effects = app.update(down.clone(), now);
            let _ = term.draw(|f| views::draw(f, &app, &theme));
            black_box(effects)
        })
    });
    c.bench_function("tick 10k items (clocks and re-sort)", |b| {
        b.iter(|| black_box(app.update(Action::Tick, now)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
