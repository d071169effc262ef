//! `fenliu mode [war|normal] [--note WHY]`: shows or switches the station's mode (常态 / 战时).

use super::Ctx;
use crate::command::{StationCommand, decide_station};
use crate::domain::station::Mode;
use clap::{Args, ValueEnum};
use color_eyre::eyre::Result;

#[derive(Debug, Args)]
pub struct ModeArgs {
    /// The mode to switch to; without it the mode holding now is shown.
    #[arg(value_enum)]
    pub mode: Option<ModeArg>,
    /// Why (e.g. the emergency plan that was activated).
    #[arg(long)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ModeArg {
    /// 战时
    War,
    /// 常态
    Normal,
}

pub fn run(ctx: &Ctx, args: ModeArgs) -> Result<u8> {
    let Some(arg) = args.mode else {
        let store = ctx.store_read_only()?;
        let state = store.station_state()?;
        let tz = ctx.config.timezone.0;
        match state.modes.last() {
            None => outln!("运行模式: {}", Mode::Normal.zh()),
            Some(m) => outln!(
                "运行模式: {} (自 {} 起, {} 切换{})",
                m.mode.zh(),
                m.at.with_timezone(&tz).format("%Y-%m-%d %H:%M:%S"),
                m.operator,
                m.note
                    .as_deref()
                    .map(|n| format!(": {n}"))
                    .unwrap_or_default()
            ),
        }
        return Ok(0);
    };
    let mode = match arg {
        ModeArg::War => Mode::War,
        ModeArg::Normal => Mode::Normal,
    };
    let mut store = ctx.store()?;
    let state = store.station_state()?;
    let command = StationCommand::SwitchMode {
        mode,
        note: args.note,
    };
    let kind = match decide_station(&state, &command) {
        Ok(kind) => kind,
        Err(why) => {
            eprintln!("fenliu: {why}");
            return Ok(1);
        }
    };
    store.record_station(kind, &ctx.stamp()?)?;
    let policy = ctx.config.sla_policy_for(mode);
    outln!(
        "已切换为{}: 签收时限 {}, 到场时限 {}",
        mode.zh(),
        policy.claim,
        policy.arrive
    );
    Ok(0)
}
