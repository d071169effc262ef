//! `fenliu hub audit verify` and `fenliu hub report`: read the hub's database without writing to
//! it (no migration, no new epoch), so a copy can be checked and reported on.

use super::args::ReportFormat;
use super::hub::HubReportArgs;
use crate::hub::district::{params, tally_of};
use crate::hub::store::{
    ChainCheck, HubStore, HubStoreError, all_events, open_read_only, verify_chain, verify_pg_chain,
};
use crate::report::{district, period};
use chrono::Utc;
use color_eyre::eyre::{Result, eyre};
use std::path::Path;

/// Events read at a time.
const PAGE: usize = 5000;

/// Checks the hub's chain; 0 when it holds, 1 when a link is broken.
pub fn verify(dir: &Path) -> Result<u8> {
    let conn = open_read_only(dir)?;
    Ok(told(verify_chain(&conn)?))
}

/// Checks the chain of the hub on PostgreSQL at `url`, reading only; 0 or 1 as [`verify`].
pub fn verify_pg(url: &str) -> Result<u8> {
    Ok(told(verify_pg_chain(url)?))
}

/// Says what the check found; the exit code.
fn told(check: ChainCheck) -> u8 {
    match check {
        ok @ ChainCheck::Intact { .. } => {
            outln!("{ok}");
            0
        }
        broken => {
            eprintln!("{broken}");
            1
        }
    }
}

/// Prints the district report over a hub directory's events (opened read-only).
pub fn report(dir: &Path, args: HubReportArgs) -> Result<()> {
    let conn = open_read_only(dir)?;
    let stations: Vec<(String, String)> = conn
        .prepare("SELECT id, name FROM stations ORDER BY id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    print_report(&stations, args, |after| {
        Ok(all_events(&conn, after, PAGE)?
            .into_iter()
            .map(|e| (e.seq, e.event))
            .collect())
    })
}

/// Prints the district report over any hub store (PostgreSQL among them).
pub fn report_of(store: &dyn HubStore, args: HubReportArgs) -> Result<()> {
    let stations: Vec<(String, String)> = store
        .stations()?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    print_report(&stations, args, |after| {
        Ok(store
            .all_events(after, PAGE)?
            .into_iter()
            .map(|e| (e.seq, e.event))
            .collect())
    })
}

fn print_report(
    stations: &[(String, String)],
    args: HubReportArgs,
    page: impl FnMut(i64) -> Result<Vec<(i64, crate::domain::Event)>, HubStoreError>,
) -> Result<()> {
    let tz = crate::hub::HubConfig::default().timezone;
    let (from, to) = period::period(
        args.from.as_deref(),
        args.to.as_deref(),
        tz,
        Utc::now(),
        ("--from", "--to"),
    )
    .map_err(|e| eyre!(e))?;
    let tally = tally_of(page)?;
    let report = district::district(&tally, stations, &params(from, to, tz));
    match args.format {
        ReportFormat::Json => outln!("{}", serde_json::to_string_pretty(&report)?),
        ReportFormat::Table => out!("{}", district::table(&report)),
        ReportFormat::Csv => out!("{}", district::csv(&report)),
        ReportFormat::Md => out!("{}", district::markdown(&report)),
    }
    Ok(())
}
