//! The full-screen console: state and pure update, views, and the thin shell that runs them.

pub mod action;
pub mod app;
pub mod board;
pub mod hub_link;
pub mod keymap;
pub mod log;
pub mod search;
pub mod store_thread;
pub mod terminal;
pub mod text;
pub mod theme;
pub mod update;
pub mod views;
pub mod width;

use crate::clock::Clock;
use crate::config::Config;
use crate::identity::Identity;
use action::Action;
use app::{App, Settings};
use color_eyre::eyre::{Result, WrapErr};
use crossterm::event::{Event as TermEvent, KeyEventKind};
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};
use store_thread::{Request, Writer};
use theme::Theme;
use update::Effect;

/// Session settings from the configuration.
pub fn settings(config: &Config, operator: &str) -> Result<Settings> {
    let keymap = keymap::Keymap::new(&config.console.keys)?;
    Ok(Settings {
        lang: config.lang,
        station: config.station.name.clone(),
        operator: operator.to_string(),
        tz: config.timezone.0,
        policy: config.sla_policy(),
        normal_policy: config.sla_policy(),
        war_policy: config.sla_policy_for(crate::domain::station::Mode::War),
        night: config.night_window(),
        shift_starts: config.shift.times(),
        bell: config.console.bell,
        keymap,
        speed: 1.0,
        reopen_on_dissatisfied: config.callback.reopen_on_dissatisfied,
        units: config.units.clone(),
        classifier: Arc::new(crate::triage::Classifier::embedded()?),
    })
}

/// Whether the console syncs with a district hub.
#[derive(Debug, Clone)]
pub enum HubMode<'a> {
    /// Never, whatever the config says (the demo).
    Alone,
    /// When `[hub]` (or `FENLIU_HUB_URL`) names one; `config_path` anchors a relative token file.
    FromConfig { config_path: Option<&'a Path> },
    /// With this hub (the demo's own).
    Given(crate::sync::Settings),
}

/// Runs the console on a given clock (the demo's may run fast) and classifier.
pub fn run_with(
    config: &Config,
    hub: HubMode<'_>,
    data_dir: &Path,
    operator: &str,
    clock: Arc<dyn Clock>,
    classifier: Arc<crate::triage::Classifier>,
) -> Result<()> {
    let mut settings = settings(config, operator)?;
    settings.speed = clock.speed();
    settings.classifier = Arc::clone(&classifier);
    let mut app = App::new(settings, clock.now());
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let theme = if no_color {
        Theme::monochrome()
    } else {
        Theme::colored()
            .with_overrides(&config.console.theme)
            .map_err(|e| color_eyre::eyre::eyre!(e))?
    };
    let log = log::start(data_dir);
    if let Err(why) = &log {
        eprintln!("fenliu: the console runs without a log file: {why}");
    }
    tracing::info!(station = %config.station.id, operator, "console started");
    let store = crate::store::Store::open_dir(data_dir)
        .wrap_err_with(|| format!("cannot open the store in {}", data_dir.display()))?;
    let store = Arc::new(std::sync::Mutex::new(store));
    let (mut term, _guard) = terminal::enter().wrap_err("cannot take over the terminal")?;
    draw(&mut term, &app, &theme)?;

    let (tx, rx) = mpsc::channel::<Action>();
    let (req_tx, req_rx) = mpsc::channel::<Request>();
    let identity = match &hub {
        HubMode::Alone => Identity::new(config, operator, None, "console"),
        HubMode::Given(_) => {
            let mut id = Identity::new(config, operator, None, "console");
            id.syncs = true;
            id
        }
        HubMode::FromConfig { .. } => Identity::from_env(config, operator, "console"),
    };
    let writer = Writer {
        actor: identity.actor(),
        clock: Arc::clone(&clock),
        intake: crate::intake::Intake {
            classifier,
            prefix: identity.reference_prefix(),
            tz: config.timezone.0,
            repeat_window: config.triage.repeat_window.0,
            night: config.night_window(),
        },
        policy: config.sla_policy(),
        war_policy: config.sla_policy_for(crate::domain::station::Mode::War),
        night: config.night_window(),
        lang: config.lang,
        reopen_on_dissatisfied: config.callback.reopen_on_dissatisfied,
        targets: config.targets,
        after_write: None,
    };
    let settings = match hub {
        HubMode::Alone => Ok(None),
        HubMode::FromConfig { config_path } => crate::sync::settings(config, config_path),
        HubMode::Given(settings) => Ok(Some(settings)),
    };
    let link = match settings.map_err(color_eyre::Report::from).and_then(|s| {
        s.map(|s| hub_link::HubLink::start(&s, Arc::clone(&clock), Arc::clone(&store), tx.clone()))
            .transpose()
    }) {
        Ok(link) => link,
        Err(e) => {
            let _ = tx.send(Action::Notice(format!("{e:#}")));
            None
        }
    };
    let mut writer = writer;
    writer.after_write = link.as_ref().map(hub_link::HubLink::nudger);
    let store = store_thread::spawn(store, writer, req_rx, tx.clone());
    spawn_input(tx);

    let mut next_tick = Instant::now() + Duration::from_secs(1);
    loop {
        let wait = next_tick.saturating_duration_since(Instant::now());
        let mut actions = Vec::new();
        match rx.recv_timeout(wait) {
            Ok(a) => actions.push(a),
            Err(mpsc::RecvTimeoutError::Timeout) => {
                actions.push(Action::Tick);
                next_tick += Duration::from_secs(1);
                if next_tick < Instant::now() {
                    next_tick = Instant::now() + Duration::from_secs(1);
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
        actions.extend(rx.try_iter());
        let mut quit = false;
        for action in actions {
            for effect in app.update(action, clock.now()) {
                match effect {
                    Effect::Quit => quit = true,
                    Effect::Bell => {
                        let mut out = std::io::stdout();
                        let _ = out.write_all(b"\x07").and_then(|()| out.flush());
                    }
                    Effect::Record { id, command, .. } => {
                        let _ = req_tx.send(Request::Execute { id, command });
                    }
                    Effect::Create(received) => {
                        let _ = req_tx.send(Request::Create(received));
                    }
                    Effect::Station(command) => {
                        let _ = req_tx.send(Request::Station(command));
                    }
                    Effect::LoadReport => {
                        let _ = req_tx.send(Request::Report);
                    }
                    Effect::LoadTimeline(id) => {
                        let _ = req_tx.send(Request::Timeline(id));
                    }
                }
            }
        }
        if quit {
            break;
        }
        draw(&mut term, &app, &theme)?;
    }
    drop(req_tx);
    let _ = store.join();
    tracing::info!("console stopped");
    if let Some(link) = link {
        link.stop();
    }
    Ok(())
}

/// Draws one frame inside a synchronized update, so the terminal never shows half a frame.
fn draw(term: &mut terminal::Term, app: &App, theme: &Theme) -> Result<()> {
    use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
    crossterm::queue!(std::io::stdout(), BeginSynchronizedUpdate)?;
    term.draw(|f| views::draw(f, app, theme))?;
    crossterm::execute!(std::io::stdout(), EndSynchronizedUpdate)?;
    Ok(())
}

fn spawn_input(tx: mpsc::Sender<Action>) {
    std::thread::spawn(move || {
        while let Ok(event) = crossterm::event::read() {
            let action = match event {
                TermEvent::Key(k) if k.kind == KeyEventKind::Press => Action::Key(k),
                TermEvent::Resize(..) => Action::Tick,
                _ => continue,
            };
            if tx.send(action).is_err() {
                return;
            }
        }
    });
}
