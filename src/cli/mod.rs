//! The command-line shell: parses arguments, loads config, opens the store, carries out one
//! command and prints the result.

/// Prints a line to stdout; a closed pipe (`| head`) ends output quietly instead of panicking.
macro_rules! outln {
    ($($t:tt)*) => { $crate::cli::emit(&format!("{}\n", format_args!($($t)*))) };
}

/// Prints to stdout without a newline, like [`outln!`].
macro_rules! out {
    ($($t:tt)*) => { $crate::cli::emit(&format!($($t)*)) };
}

pub mod args;
mod audit;
mod completions;
mod demo;
mod doctor;
mod drill;
mod hub;
mod hub_drill;
mod hub_evidence;
pub mod incident;
mod loadtest;
mod loadtest_city;
mod mode;
mod note;
mod render;
mod report;
pub mod roster;
mod sample;
mod sync;
mod triage;

use crate::config::{Config, default_dirs};
use crate::identity::Identity;
use crate::store::{Stamp, Store};
use args::{Cli, Command, Global};
use chrono::{DateTime, Utc};
use color_eyre::eyre::{Result, WrapErr, eyre};
use std::path::PathBuf;

/// What every command needs: configuration, where data lives, who acts, and when.
pub struct Ctx {
    pub config: Config,
    pub config_path: Option<PathBuf>,
    pub data_dir: PathBuf,
    pub operator: String,
    /// `--at`: the stated time of the action.
    pub at: Option<DateTime<Utc>>,
    /// Who acts here: station, workstation, operator.
    pub identity: Identity,
}

impl Ctx {
    /// Resolves config and data locations from flags, environment and platform defaults.
    pub fn from_global(global: &Global) -> Result<Ctx> {
        let dirs = default_dirs();
        let config_path = match &global.config {
            Some(p) => Some(p.clone()),
            None => dirs
                .as_ref()
                .map(|d| d.config_dir().join("config.toml"))
                .filter(|p| p.exists()),
        };
        let config = match &config_path {
            Some(p) => Config::load(p)?,
            None => Config::default(),
        };
        let data_dir = match &global.data_dir {
            Some(d) => d.clone(),
            None => dirs
                .as_ref()
                .map(|d| d.data_dir().to_path_buf())
                .ok_or_else(|| eyre!("no home directory to keep data in; pass --data-dir DIR"))?,
        };
        let at = global
            .at
            .as_deref()
            .map(|s| {
                DateTime::parse_from_rfc3339(s)
                    .map(|t| t.with_timezone(&Utc))
                    .wrap_err_with(|| {
                        format!("--at {s}: not an RFC 3339 time, e.g. 2026-11-22T21:14:05+08:00")
                    })
            })
            .transpose()?;
        let operator = global
            .operator
            .clone()
            .unwrap_or_else(|| config.operator.clone());
        let identity = Identity::from_env(&config, &operator, "cli");
        Ok(Ctx {
            config,
            config_path,
            data_dir,
            operator,
            at,
            identity,
        })
    }

    /// One line for a first start without a config file: where things live.
    pub fn first_run_note(&self) -> String {
        let config = default_dirs()
            .map(|d| d.config_dir().join("config.toml").display().to_string())
            .unwrap_or_else(|| "--config FILE".into());
        format!(
            "fenliu: no config file, running on defaults; put one at {config} (see config.example.toml); data in {}",
            self.data_dir.display()
        )
    }

    /// Opens the local store in the data directory.
    pub fn store(&self) -> Result<Store> {
        Ok(Store::open_dir(&self.data_dir)?)
    }

    /// The SLA policy holding now: `[sla]`, or `[sla.war]` while the station is in war mode.
    pub fn policy_of(&self, store: &Store) -> Result<crate::domain::SlaPolicy> {
        Ok(self.config.sla_policy_for(store.station_state()?.mode()))
    }

    /// Who and when for an action recorded now (or at `--at`).
    pub fn stamp(&self) -> Result<Stamp> {
        let now = Utc::now();
        let occurred_at = self.at.unwrap_or(now);
        if occurred_at > now + chrono::TimeDelta::minutes(1) {
            return Err(eyre!(
                "--at {} is in the future; late entry records what already happened",
                occurred_at.to_rfc3339()
            ));
        }
        Ok(Stamp {
            actor: self.identity.actor(),
            occurred_at,
            recorded_at: now,
        })
    }
}

/// Writes to stdout, ignoring a reader that went away.
pub fn emit(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    // A reader that went away (`| head`) is not an error worth reporting.
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
}

/// Runs the parsed command line. Returns the process exit code.
pub fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Some(Command::Hub(args)) => return hub::run(args),
        Some(Command::Loadtest(args)) => return loadtest::run(args).map(|_| 0),
        Some(Command::Completions(args)) => return completions::completions(&args),
        Some(Command::Man(args)) => return completions::man(&args),
        _ => {}
    }
    let ctx = Ctx::from_global(&cli.global)?;
    match cli.command {
        None | Some(Command::Console) => {
            if ctx.config_path.is_none() {
                eprintln!("{}", ctx.first_run_note());
            }
            let classifier = std::sync::Arc::new(ctx.classifier()?);
            let clock = std::sync::Arc::new(crate::clock::SystemClock);
            crate::tui::run_with(
                &ctx.config,
                crate::tui::HubMode::FromConfig {
                    config_path: ctx.config_path.as_deref(),
                },
                &ctx.data_dir,
                &ctx.operator,
                clock,
                classifier,
            )
            .map(|()| 0)
        }
        Some(Command::Roster(cmd)) => roster::run(&ctx, cmd).map(|_| 0),
        Some(Command::Incident(cmd)) => incident::run(&ctx, cmd).map(|_| 0),
        Some(Command::Audit(cmd)) => audit::run(&ctx, cmd),
        Some(Command::Triage(args)) => triage::run(&ctx, args),
        Some(Command::Rules(cmd)) => triage::rules(&ctx, cmd),
        Some(Command::Doctor) => doctor::run(&ctx),
        Some(Command::Demo {
            speed,
            seed,
            stations,
            dir,
        }) => demo::run(&ctx, speed, seed, stations, dir).map(|()| 0),
        Some(Command::Sync(args)) => sync::run(&ctx, args).map(|_| 0),
        Some(Command::Report(args)) => report::run(&ctx, args).map(|_| 0),
        Some(Command::Mode(args)) => mode::run(&ctx, args),
        Some(Command::Drill(args)) => drill::run(&ctx, args),
        Some(Command::Sample(args)) => sample::run(&ctx, args),
        Some(Command::Note(args)) => note::run(&ctx, args),
        // Run above, before the console's config and data directory are needed.
        Some(
            Command::Hub(_) | Command::Loadtest(_) | Command::Completions(_) | Command::Man(_),
        ) => Ok(0),
    }
}
