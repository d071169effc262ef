//! `fenliu report`: one pass over the journal, the figures printed in the chosen format.

use super::Ctx;
use super::args::{ReportArgs, ReportFormat};
use crate::report::{self, Params, Tally, period, render};
use chrono::{DateTime, Utc};
use color_eyre::eyre::{Result, eyre};

pub fn run(ctx: &Ctx, args: ReportArgs) -> Result<()> {
    let tz = ctx.config.timezone.0;
    let now = Utc::now();
    if args.shift {
        return shift(ctx, &args, ctx.at.unwrap_or(now));
    }
    let (from, to) = period::period(
        args.from.as_deref(),
        args.to.as_deref(),
        tz,
        now,
        ("--from", "--to"),
    )
    .map_err(|e| eyre!(e))?;
    let store = ctx.store_read_only()?;
    let mut tally = Tally::default();
    store.scan_events(0, |stored| {
        tally.add(stored.pos, &stored.event);
        Ok(())
    })?;
    let params = Params {
        from,
        to,
        station: args.station,
        policy: ctx.config.sla_policy(),
        targets: ctx.config.targets,
        tz,
        drills: args.drills,
    };
    let report = report::report(&tally, &params);
    match args.format {
        ReportFormat::Json => outln!("{}", serde_json::to_string_pretty(&report)?),
        ReportFormat::Table => out!("{}", render::table(&report)),
        ReportFormat::Csv => out!("{}", render::csv(&report)),
        ReportFormat::Md => out!("{}", render::markdown(&report)),
    }
    Ok(())
}

/// `report --shift`: the handover of the shift holding at `at`.
fn shift(ctx: &Ctx, args: &ReportArgs, at: DateTime<Utc>) -> Result<()> {
    let tz = ctx.config.timezone.0;
    let store = ctx.store_read_only()?;
    let (from, to) = report::shift::window(&ctx.config.shift.times(), tz, at);
    let policy = ctx.policy_of(&store)?;
    let h = report::shift::handover(
        &store.incidents(None)?,
        &store.station_state()?,
        &policy,
        from,
        to.min(Utc::now().max(at)),
    );
    match args.format {
        ReportFormat::Json => outln!("{}", serde_json::to_string_pretty(&h)?),
        _ => {
            for line in report::shift::lines(&h, tz) {
                outln!("{line}");
            }
        }
    }
    Ok(())
}
