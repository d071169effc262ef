//! The figures the programmes judge streets, departments and people by, computed in one pass
//! over the journal from the recorded times. Pure: the shells feed events and print or draw.
//!
//! Every figure is over the items received in the period (drills left out), with their events up
//! to the period's end. Every rate is a fraction from 0 to 1, `None` (JSON `null`) when its
//! denominator is empty.

pub mod district;
mod figures;
pub mod period;
pub mod render;
pub mod shift;
mod tally;

pub use figures::{ClockFigures, Drill, Figures, Group, ResponderFigures, Target, Targets};
pub use tally::Tally;

use crate::domain::SlaPolicy;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

/// What a report covers and by which rules.
#[derive(Debug, Clone)]
pub struct Params {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Only this station's items (`None`: all in the journal).
    pub station: Option<String>,
    pub policy: SlaPolicy,
    pub targets: Targets,
    /// Hours of the day are counted in this zone.
    pub tz: Tz,
    /// List drills apart.
    pub drills: bool,
}

/// The report: this period's figures, the previous period's, and where they came from.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub station: Option<String>,
    #[serde(flatten)]
    pub figures: Figures,
    pub targets: Vec<Target>,
    pub previous: Figures,
    pub range: Option<Range>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drills: Option<Vec<Drill>>,
    /// Items sampled for review in the period (抽检) and what the reviews found.
    pub sampling: Sampling,
    /// The figures of the items received in each mode, when war mode held in the period.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by_mode: Option<ByMode>,
}

/// The figures split by the mode the station ran in when each item was received.
#[derive(Debug, Clone, Serialize)]
pub struct ByMode {
    pub normal: Figures,
    pub war: Figures,
}

/// The split by mode, if war mode held at any moment of `[from, to)`.
fn by_mode(tally: &Tally, params: &Params) -> Option<ByMode> {
    use crate::domain::station::Mode;
    let state = &tally.station;
    let war_held = state.mode_at(params.from) == Mode::War
        || state
            .modes
            .iter()
            .any(|m| m.mode == Mode::War && m.at >= params.from && m.at < params.to);
    if !war_held {
        return None;
    }
    let only = |mode: Mode| {
        let mut part = Tally {
            items: tally.items.clone(),
            range: tally.range,
            station: Default::default(),
        };
        part.items
            .retain(|_, i| state.mode_at(i.received_at) == mode);
        figures::compute(&part, params, params.from, params.to)
    };
    Some(ByMode {
        normal: only(Mode::Normal),
        war: only(Mode::War),
    })
}

/// Sampling in a period: items picked, reviewed, and found with a problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Sampling {
    pub sampled: u64,
    pub reviewed: u64,
    pub problems: u64,
}

/// Sampling of the items picked in `[from, to)`.
pub fn sampling(
    state: &crate::domain::station::StationState,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Sampling {
    use crate::domain::station::Finding;
    let mut s = Sampling::default();
    for sample in state
        .samples
        .values()
        .filter(|x| x.sampled_at >= from && x.sampled_at < to)
    {
        s.sampled += 1;
        if let Some((finding, _, _)) = &sample.finding {
            s.reviewed += 1;
            if *finding == Finding::Problem {
                s.problems += 1;
            }
        }
    }
    s
}

/// The journal positions and times the figures came from.
#[derive(Debug, Clone, Serialize)]
pub struct Range {
    pub first_pos: i64,
    pub last_pos: i64,
    pub first_at: DateTime<Utc>,
    pub last_at: DateTime<Utc>,
}

/// The report over everything `tally` took in.
pub fn report(tally: &Tally, params: &Params) -> Report {
    let length = params.to - params.from;
    let figures = figures::compute(tally, params, params.from, params.to);
    let previous = figures::compute(tally, params, params.from - length, params.from);
    let targets = figures::targets(&figures, &params.targets);
    let drills = params
        .drills
        .then(|| figures::drills(tally, params, params.from, params.to));
    Report {
        from: params.from,
        to: params.to,
        station: params.station.clone(),
        figures,
        targets,
        previous,
        range: tally.range.map(|((fp, fa), (lp, la))| Range {
            first_pos: fp,
            last_pos: lp,
            first_at: fa,
            last_at: la,
        }),
        drills,
        sampling: sampling(&tally.station, params.from, params.to),
        by_mode: by_mode(tally, params),
    }
}
