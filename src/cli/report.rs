//! `fenliu report`: one pass over the journal, the figures printed in the chosen format.

use super::Ctx;
use super::args::{ReportArgs, ReportFormat};
use crate::report::{self, Params, Tally, period, render};
use chrono::Utc;
use color_eyre::eyre::{Result, eyre};

pub fn run(ctx: &Ctx, args: ReportArgs) -> Result<()> {
    let tz = ctx.config.timezone.0;
    let (from, to) = period::period(
        args.from.as_deref(),
        args.to.as_deref(),
        tz,
        Utc::now(),
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
