//! `fenliu sample`: picks closed items for review and records the reviewer's findings, as
//! station events every workstation shares.

use super::Ctx;
use crate::command::{StationCommand, decide_station, sample};
use crate::domain::station::Finding;
use chrono::{NaiveDate, Utc};
use clap::{Args, Subcommand, ValueEnum};
use color_eyre::eyre::{Result, WrapErr};

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct SampleArgs {
    /// How many closed items to pick.
    #[arg(long, value_name = "N")]
    pub closed: Option<usize>,
    /// The same seed over the same items picks the same ones (default: the date's digits).
    #[arg(long)]
    pub seed: Option<u64>,
    /// The day whose closed items are sampled, YYYY-MM-DD (default: today, station time).
    #[arg(long)]
    pub date: Option<String>,
    #[command(subcommand)]
    pub cmd: Option<SampleCmd>,
}

#[derive(Debug, Subcommand)]
pub enum SampleCmd {
    /// Record the reviewer's finding on a sampled item.
    Review {
        reference: String,
        #[arg(long, value_enum)]
        finding: FindingArg,
        #[arg(long)]
        note: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FindingArg {
    /// 无问题
    Ok,
    /// 发现问题
    Problem,
}

pub fn run(ctx: &Ctx, args: SampleArgs) -> Result<u8> {
    let mut store = ctx.store()?;
    let state = store.station_state()?;
    let stamp = ctx.stamp()?;
    if let Some(SampleCmd::Review {
        reference,
        finding,
        note,
    }) = args.cmd
    {
        let finding = match finding {
            FindingArg::Ok => Finding::Ok,
            FindingArg::Problem => Finding::Problem,
        };
        let command = StationCommand::Review {
            reference: reference.clone(),
            finding,
            note,
        };
        match decide_station(&state, &command) {
            Ok(kind) => {
                store.record_station(kind, &stamp)?;
                outln!("{reference} 抽检结论已记录");
                return Ok(0);
            }
            Err(why) => {
                eprintln!("fenliu: {why}");
                return Ok(1);
            }
        }
    }
    let tz = ctx.config.timezone.0;
    let date = match &args.date {
        Some(d) => NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d")
            .wrap_err_with(|| format!("--date {d}: 请写成 2026-11-22"))?,
        None => Utc::now().with_timezone(&tz).date_naive(),
    };
    let n = args.closed.unwrap_or(1);
    let seed = args
        .seed
        .unwrap_or_else(|| date.format("%Y%m%d").to_string().parse().unwrap_or(0));
    let picked = sample::pick(&store.incidents(None)?, &state, n, seed, date, tz);
    if picked.is_empty() {
        outln!("{date} 没有可抽检的已结案事项");
        return Ok(0);
    }
    for kind in picked {
        if let crate::domain::station::StationKind::Sampled { reference, .. } = &kind {
            outln!("{reference}");
        }
        store.record_station(kind, &stamp)?;
    }
    Ok(0)
}
