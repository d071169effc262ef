//! The figures of one period, read off the tally: rates, clocks, rankings, targets, drills.

use super::Params;
use super::tally::{Item, Left, Tally};
use crate::domain::{Class, ClockName, Satisfaction, Source};
use chrono::{DateTime, TimeDelta, Timelike, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The figures a station is judged by, as fractions (Wenling's by default).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Targets {
    /// Claimed within the limit, at least (响应率).
    pub claim_on_time_rate: f64,
    /// Closed of those due, at least (办结率).
    pub completion_rate: f64,
    /// Satisfied or basically satisfied of callbacks reached, at least (满意率).
    pub satisfaction_rate: f64,
    /// Repeat calls of all received, at most (重复报警率).
    pub repeat_call_rate: f64,
}

impl Default for Targets {
    fn default() -> Self {
        Targets {
            claim_on_time_rate: 1.0,
            completion_rate: 0.90,
            satisfaction_rate: 0.95,
            repeat_call_rate: 0.10,
        }
    }
}

/// One period's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    /// Items received in the period (drills left out).
    pub received: usize,
    pub diversion_rate: Option<f64>,
    pub claim_on_time_rate: Option<f64>,
    /// 到场率.
    pub arrival_rate: Option<f64>,
    /// 及时率.
    pub on_time_arrival_rate: Option<f64>,
    /// 处置率.
    pub handling_rate: Option<f64>,
    /// 办结率.
    pub completion_rate: Option<f64>,
    pub satisfaction_rate: Option<f64>,
    pub repeat_call_rate: Option<f64>,
    /// Handed to the 12345 hotline as work orders (counted apart).
    pub to_hotline: usize,
    /// Reopened by a dissatisfied callback (重办, counted apart).
    pub reopened: usize,
    pub clocks: Vec<ClockFigures>,
    /// The ranking (流动红旗): best on-time arrival first.
    pub per_responder: Vec<ResponderFigures>,
    pub per_department: Vec<Group>,
    pub per_category: Vec<Group>,
    pub per_source: Vec<Group>,
    /// Items received in each hour of the day (local time), 0 to 23.
    pub per_hour: Vec<usize>,
}

/// One clock's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClockFigures {
    pub clock: ClockName,
    /// Clocks started.
    pub count: usize,
    pub met: usize,
    /// Finished late, or still running past the limit at the period's end.
    pub missed: usize,
    pub on_time_rate: Option<f64>,
    /// Seconds taken, of the finished ones.
    pub p50_secs: Option<i64>,
    pub p90_secs: Option<i64>,
}

/// One responder's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponderFigures {
    pub responder: String,
    pub dispatched: usize,
    pub arrivals: usize,
    pub on_time_arrivals: usize,
    pub feedbacks: usize,
    pub arrival_rate: Option<f64>,
    pub on_time_rate: Option<f64>,
    pub handling_rate: Option<f64>,
}

/// Items of one department, category or source.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    pub key: String,
    pub received: usize,
    pub closed: usize,
    pub completion_rate: Option<f64>,
}

/// A configured target and whether it was met.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Target {
    pub figure: &'static str,
    /// `at_least` or `at_most`.
    pub bound: &'static str,
    pub target: f64,
    pub value: Option<f64>,
    /// `None` when the figure has no value.
    pub met: Option<bool>,
}

/// A drill (模拟报警), listed apart and never counted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Drill {
    pub reference: String,
    pub received_at: DateTime<Utc>,
    pub claimed_at: Option<DateTime<Utc>>,
    pub claimed_by: Option<String>,
    pub dispatched_at: Option<DateTime<Utc>>,
    pub dispatched_by: Option<String>,
    pub arrived_at: Option<DateTime<Utc>>,
    pub arrived_by: Option<String>,
}

fn rate(numerator: usize, denominator: usize) -> Option<f64> {
    (denominator > 0).then(|| numerator as f64 / denominator as f64)
}

fn within(start: DateTime<Utc>, done: DateTime<Utc>, limit: TimeDelta) -> bool {
    done - start <= limit
}

/// The items received in `[start, end)` that the report speaks of.
fn in_period<'a>(
    tally: &'a Tally,
    params: &'a Params,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    drills: bool,
) -> impl Iterator<Item = &'a Item> + 'a {
    tally.items.values().filter(move |i| {
        i.drill == drills
            && i.received_at >= start
            && i.received_at < end
            && params.station.as_ref().is_none_or(|s| *s == i.station)
    })
}

/// The figures of `[start, end)`.
pub fn compute(
    tally: &Tally,
    params: &Params,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Figures {
    let items: Vec<&Item> = in_period(tally, params, start, end, false).collect();
    let before = |t: &Option<DateTime<Utc>>| t.filter(|t| *t < end);
    let policy = &params.policy;
    let from_110: Vec<&&Item> = items
        .iter()
        .filter(|i| i.source == Source::Police110)
        .collect();
    let diverted = from_110
        .iter()
        .filter(|i| {
            i.class_at(end) == Some(Class::NonPolice) && i.left_by(end) != Some(Left::ToPolice)
        })
        .count();
    let claimed: Vec<_> = items
        .iter()
        .filter_map(|i| before(&i.claimed.as_ref().map(|c| c.0)).map(|t| (i, t)))
        .collect();
    let claimed_in_time = claimed
        .iter()
        .filter(|(i, t)| within(i.claim_start, *t, policy.claim.0))
        .count();
    let dispatched: Vec<_> = items
        .iter()
        .filter_map(|i| before(&i.dispatched.as_ref().map(|d| d.0)).map(|t| (i, t)))
        .collect();
    let arrived: Vec<_> = dispatched
        .iter()
        .filter_map(|(i, d)| before(&i.first_arrival()).map(|a| (*d, a)))
        .collect();
    let arrived_in_time = arrived
        .iter()
        .filter(|(d, a)| within(*d, *a, policy.arrive.0))
        .count();
    let handled = dispatched
        .iter()
        .filter(|(i, _)| before(&i.feedback_at).is_some())
        .count();
    let due: Vec<&&Item> = items.iter().filter(|i| i.left_by(end).is_none()).collect();
    let closed = due.iter().filter(|i| i.closed_at_end(end)).count();
    let reached: Vec<Satisfaction> = items
        .iter()
        .flat_map(|i| i.callbacks.iter())
        .filter(|(t, s)| *t < end && *s != Satisfaction::Unreachable)
        .map(|(_, s)| *s)
        .collect();
    let satisfied = reached
        .iter()
        .filter(|s| matches!(s, Satisfaction::Satisfied | Satisfaction::Basic))
        .count();
    let repeats = items.iter().filter(|i| i.repeat).count();
    Figures {
        received: items.len(),
        diversion_rate: rate(diverted, from_110.len()),
        claim_on_time_rate: rate(claimed_in_time, claimed.len()),
        arrival_rate: rate(arrived.len(), dispatched.len()),
        on_time_arrival_rate: rate(arrived_in_time, arrived.len()),
        handling_rate: rate(handled, dispatched.len()),
        completion_rate: rate(closed, due.len()),
        satisfaction_rate: rate(satisfied, reached.len()),
        repeat_call_rate: rate(repeats, items.len()),
        to_hotline: items
            .iter()
            .filter(|i| i.left_by(end) == Some(Left::ToHotline))
            .count(),
        reopened: items
            .iter()
            .map(|i| i.reopened.iter().filter(|t| **t < end).count())
            .sum(),
        clocks: clocks(&items, params, end),
        per_responder: responders(&items, params, end),
        per_department: groups(&items, end, |i| i.department.clone()),
        per_category: groups(&items, end, |i| i.category.clone()),
        per_source: groups(&items, end, |i| Some(i.source.code().to_string())),
        per_hour: hours(&items, params),
    }
}

fn clocks(items: &[&Item], params: &Params, end: DateTime<Utc>) -> Vec<ClockFigures> {
    let p = &params.policy;
    type Span = fn(&Item) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>);
    let spans: [(ClockName, TimeDelta, Span); 6] = [
        (ClockName::Claim, p.claim.0, |i| {
            (Some(i.claim_start), i.claimed.as_ref().map(|c| c.0))
        }),
        (ClockName::Contact, p.contact.0, |i| {
            (i.claimed.as_ref().map(|c| c.0), i.contacted_at)
        }),
        (ClockName::Video, p.video.0, |i| {
            (i.claimed.as_ref().map(|c| c.0), i.video_at)
        }),
        (ClockName::Depart, p.depart.0, |i| {
            (i.dispatched.as_ref().map(|d| d.0), i.departed_at)
        }),
        (ClockName::Arrive, p.arrive.0, |i| {
            (i.dispatched.as_ref().map(|d| d.0), i.first_arrival())
        }),
        (ClockName::Feedback, p.feedback.0, |i| {
            (i.dispatched.as_ref().map(|d| d.0), i.feedback_at)
        }),
    ];
    spans
        .iter()
        .map(|(name, limit, span)| {
            let (mut count, mut met, mut missed) = (0, 0, 0);
            let mut taken = Vec::new();
            for item in items {
                let (Some(start), done) = span(item) else {
                    continue;
                };
                if start >= end {
                    continue;
                }
                count += 1;
                match done.filter(|d| *d < end) {
                    Some(d) => {
                        taken.push((d - start).num_seconds());
                        if within(start, d, *limit) {
                            met += 1;
                        } else {
                            missed += 1;
                        }
                    }
                    None if start + *limit < end => missed += 1,
                    None => {}
                }
            }
            taken.sort_unstable();
            ClockFigures {
                clock: *name,
                count,
                met,
                missed,
                on_time_rate: rate(met, met + missed),
                p50_secs: percentile(&taken, 50),
                p90_secs: percentile(&taken, 90),
            }
        })
        .collect()
}

/// The nearest-rank percentile of sorted values.
fn percentile(sorted: &[i64], p: usize) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

fn responders(items: &[&Item], params: &Params, end: DateTime<Utc>) -> Vec<ResponderFigures> {
    let mut by: BTreeMap<String, ResponderFigures> = BTreeMap::new();
    for item in items {
        for (r, sent) in item.responders.iter().filter(|(_, t)| *t < end) {
            let f = by.entry(r.clone()).or_insert_with(|| ResponderFigures {
                responder: r.clone(),
                dispatched: 0,
                arrivals: 0,
                on_time_arrivals: 0,
                feedbacks: 0,
                arrival_rate: None,
                on_time_rate: None,
                handling_rate: None,
            });
            f.dispatched += 1;
            if let Some((_, at, _)) = item
                .arrivals
                .iter()
                .find(|(who, at, _)| who == r && *at < end)
            {
                f.arrivals += 1;
                if within(*sent, *at, params.policy.arrive.0) {
                    f.on_time_arrivals += 1;
                }
            }
            if item.feedback_at.is_some_and(|t| t < end) {
                f.feedbacks += 1;
            }
        }
    }
    let mut all: Vec<ResponderFigures> = by
        .into_values()
        .map(|mut f| {
            f.arrival_rate = rate(f.arrivals, f.dispatched);
            f.on_time_rate = rate(f.on_time_arrivals, f.arrivals);
            f.handling_rate = rate(f.feedbacks, f.dispatched);
            f
        })
        .collect();
    let key = |f: &ResponderFigures| {
        (
            f.on_time_rate.unwrap_or(-1.0),
            f.arrival_rate.unwrap_or(-1.0),
            f.arrivals,
        )
    };
    all.sort_by(|a, b| {
        key(b)
            .partial_cmp(&key(a))
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| a.responder.cmp(&b.responder))
    });
    all
}

fn groups(
    items: &[&Item],
    end: DateTime<Utc>,
    key: impl Fn(&Item) -> Option<String>,
) -> Vec<Group> {
    let mut by: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    for item in items {
        let k = key(item).unwrap_or_else(|| "-".into());
        let e = by.entry(k).or_default();
        e.0 += 1;
        if item.left_by(end).is_none() {
            e.2 += 1;
            if item.closed_at_end(end) {
                e.1 += 1;
            }
        }
    }
    let mut all: Vec<Group> = by
        .into_iter()
        .map(|(key, (received, closed, due))| Group {
            key,
            received,
            closed,
            completion_rate: rate(closed, due),
        })
        .collect();
    all.sort_by(|a, b| b.received.cmp(&a.received).then_with(|| a.key.cmp(&b.key)));
    all
}

fn hours(items: &[&Item], params: &Params) -> Vec<usize> {
    let mut per = vec![0usize; 24];
    for item in items {
        let h = item.received_at.with_timezone(&params.tz).hour() as usize;
        if let Some(slot) = per.get_mut(h) {
            *slot += 1;
        }
    }
    per
}

/// Each configured target against the period's figure.
pub fn targets(f: &Figures, t: &Targets) -> Vec<Target> {
    let at_least = |figure, target: f64, value: Option<f64>| Target {
        figure,
        bound: "at_least",
        target,
        value,
        met: value.map(|v| v >= target),
    };
    vec![
        at_least(
            "claim_on_time_rate",
            t.claim_on_time_rate,
            f.claim_on_time_rate,
        ),
        at_least("completion_rate", t.completion_rate, f.completion_rate),
        at_least(
            "satisfaction_rate",
            t.satisfaction_rate,
            f.satisfaction_rate,
        ),
        Target {
            figure: "repeat_call_rate",
            bound: "at_most",
            target: t.repeat_call_rate,
            value: f.repeat_call_rate,
            met: f.repeat_call_rate.map(|v| v <= t.repeat_call_rate),
        },
    ]
}

/// The drills received in `[start, end)`, in order of receipt.
pub fn drills(
    tally: &Tally,
    params: &Params,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Vec<Drill> {
    let mut all: Vec<Drill> = in_period(tally, params, start, end, true)
        .map(|i| {
            let first = i
                .arrivals
                .iter()
                .min_by_key(|(_, t, _)| *t)
                .map(|(_, t, by)| (*t, by.clone()));
            Drill {
                reference: i.reference.clone(),
                received_at: i.received_at,
                claimed_at: i.claimed.as_ref().map(|c| c.0),
                claimed_by: i.claimed.as_ref().map(|c| c.1.clone()),
                dispatched_at: i.dispatched.as_ref().map(|d| d.0),
                dispatched_by: i.dispatched.as_ref().map(|d| d.1.clone()),
                arrived_at: first.as_ref().map(|f| f.0),
                arrived_by: first.map(|f| f.1),
            }
        })
        .collect();
    all.sort_by_key(|d| d.received_at);
    all
}
