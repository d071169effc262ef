//! `fenliu report`: one pass over the journal, the figures printed in the chosen format.

use super::Ctx;
use super::args::{ReportArgs, ReportFormat};
use crate::report::{self, Params, Tally, render};
use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use color_eyre::eyre::{Result, eyre};

pub fn run(ctx: &Ctx, args: ReportArgs) -> Result<()> {
    let tz = ctx.config.timezone.0;
    let now = Utc::now();
    if args.shift {
        return shift(ctx, &args, ctx.at.unwrap_or(now));
    }
    let from = match &args.from {
        Some(text) => moment(text, tz, "--from")?,
        None => {
            let today = now.with_timezone(&tz).date_naive();
            start_of(today.with_day(1).unwrap_or(today), tz)?
        }
    };
    let to = match &args.to {
        Some(text) => moment(text, tz, "--to")?,
        None => now,
    };
    if to <= from {
        return Err(eyre!("--to must be after --from"));
    }
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

/// `YYYY-MM-DD` (midnight, station time) or an RFC 3339 moment.
fn moment(text: &str, tz: Tz, flag: &str) -> Result<DateTime<Utc>> {
    if let Ok(day) = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") {
        return start_of(day, tz);
    }
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            eyre!("{flag} {text}: give a day (2026-11-01) or a moment (2026-11-01T08:00:00+08:00)")
        })
}

fn start_of(day: NaiveDate, tz: Tz) -> Result<DateTime<Utc>> {
    tz.from_local_datetime(&day.and_time(chrono::NaiveTime::MIN))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| eyre!("{day} has no midnight in {tz}"))
}
