//! The district's figures: each station's report (the same figures and keys as `fenliu report`)
//! over one tally of the hub's events, and a ranking of the stations.

use super::render::{self, percent};
use super::{Params, Report, Tally, report};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::cmp::Ordering;
use std::fmt::Write;

/// Every station's report and their ranking.
#[derive(Debug, Clone, Serialize)]
pub struct DistrictReport {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// One report per station, by station id.
    pub stations: Vec<Report>,
    /// Best first.
    pub ranking: Vec<StationRank>,
}

/// A station's place in the ranking and the figures it was ranked by.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StationRank {
    pub rank: usize,
    pub station: String,
    pub name: String,
    pub received: usize,
    /// Configured targets met and missed (a figure without a value counts as neither).
    pub targets_met: usize,
    pub targets_missed: usize,
    pub completion_rate: Option<f64>,
    pub claim_on_time_rate: Option<f64>,
    pub satisfaction_rate: Option<f64>,
    pub on_time_arrival_rate: Option<f64>,
}

/// The district report over `tally` for `stations` (`(id, name)`), by the rules in `params`
/// (its `station` is ignored). Stations are ranked by targets met, then 办结率, then 签收及时率
/// (a rate without a value below any value), then by id.
pub fn district(tally: &Tally, stations: &[(String, String)], params: &Params) -> DistrictReport {
    let mut sorted: Vec<&(String, String)> = stations.iter().collect();
    sorted.sort();
    let reports: Vec<Report> = sorted
        .iter()
        .map(|(id, _)| {
            let one = Params {
                station: Some(id.clone()),
                ..params.clone()
            };
            report(tally, &one)
        })
        .collect();
    let mut ranking: Vec<StationRank> = sorted
        .iter()
        .zip(&reports)
        .map(|((id, name), r)| StationRank {
            rank: 0,
            station: id.clone(),
            name: name.clone(),
            received: r.figures.received,
            targets_met: r.targets.iter().filter(|t| t.met == Some(true)).count(),
            targets_missed: r.targets.iter().filter(|t| t.met == Some(false)).count(),
            completion_rate: r.figures.completion_rate,
            claim_on_time_rate: r.figures.claim_on_time_rate,
            satisfaction_rate: r.figures.satisfaction_rate,
            on_time_arrival_rate: r.figures.on_time_arrival_rate,
        })
        .collect();
    ranking.sort_by(|a, b| {
        b.targets_met
            .cmp(&a.targets_met)
            .then_with(|| higher_first(a.completion_rate, b.completion_rate))
            .then_with(|| higher_first(a.claim_on_time_rate, b.claim_on_time_rate))
            .then_with(|| a.station.cmp(&b.station))
    });
    for (n, r) in ranking.iter_mut().enumerate() {
        r.rank = n + 1;
    }
    DistrictReport {
        from: params.from,
        to: params.to,
        stations: reports,
        ranking,
    }
}

/// Orders a higher rate first and a missing one last.
fn higher_first(a: Option<f64>, b: Option<f64>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => b.partial_cmp(&a).unwrap_or(Ordering::Equal),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// The ranking's columns, in every text format (the name last: its width varies).
const COLUMNS: [&str; 9] = [
    "rank",
    "station",
    "received",
    "targets_met",
    "targets_missed",
    "completion_rate",
    "claim_on_time_rate",
    "satisfaction_rate",
    "name",
];

fn cells(r: &StationRank) -> [String; 9] {
    [
        r.rank.to_string(),
        r.station.clone(),
        r.received.to_string(),
        r.targets_met.to_string(),
        r.targets_missed.to_string(),
        percent(r.completion_rate),
        percent(r.claim_on_time_rate),
        percent(r.satisfaction_rate),
        r.name.clone(),
    ]
}

/// One line of the terminal table: every column as wide as its heading (or its widest cell).
fn aligned(cells: &[String], widths: &[usize]) -> String {
    let padded: Vec<String> = cells
        .iter()
        .zip(widths)
        .map(|(c, w)| format!("{c:<w$}"))
        .collect();
    padded.join("  ").trim_end().to_string()
}

/// The ranking and each station's report, for a terminal.
pub fn table(d: &DistrictReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "district {} — {}",
        d.from.to_rfc3339(),
        d.to.to_rfc3339()
    );
    let rows: Vec<[String; 9]> = d.ranking.iter().map(cells).collect();
    let widths: Vec<usize> = (0..COLUMNS.len())
        .map(|i| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([COLUMNS[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let heading: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
    let _ = writeln!(out, "{}", aligned(&heading, &widths));
    for r in &rows {
        let _ = writeln!(out, "{}", aligned(r, &widths));
    }
    for r in &d.stations {
        let _ = writeln!(out, "\n== {} ==", r.station.as_deref().unwrap_or("-"));
        out.push_str(&render::table(r));
    }
    out
}

/// The ranking as one CSV table, then each station's tables.
pub fn csv(d: &DistrictReport) -> String {
    let mut out = String::from("# ranking\n");
    let _ = writeln!(out, "{}", COLUMNS.join(","));
    for r in &d.ranking {
        let row: Vec<String> = cells(r).iter().map(|c| csv_cell(c)).collect();
        let _ = writeln!(out, "{}", row.join(","));
    }
    for r in &d.stations {
        let _ = writeln!(out, "\n# station {}", r.station.as_deref().unwrap_or("-"));
        out.push_str(&render::csv(r));
    }
    out
}

fn csv_cell(c: &str) -> String {
    if c.contains([',', '"', '\n']) {
        format!("\"{}\"", c.replace('"', "\"\""))
    } else {
        c.to_string()
    }
}

/// A printable district report: the ranking, then each station's report.
pub fn markdown(d: &DistrictReport) -> String {
    let mut out = format!(
        "# 区级分流情况 {} — {}\n\n## 街镇排名\n\n| {} |\n|{}|\n",
        d.from.to_rfc3339(),
        d.to.to_rfc3339(),
        COLUMNS.join(" | "),
        vec!["---"; COLUMNS.len()].join("|")
    );
    for r in &d.ranking {
        let _ = writeln!(out, "| {} |", cells(r).join(" | "));
    }
    for r in &d.stations {
        let _ = writeln!(out, "\n---\n");
        out.push_str(&render::markdown(r));
    }
    out
}
