//! The shift handover (交接班): what happened in one shift and what the next one takes over,
//! worked out from the items as they stand and the station's events. Pure: the shells print it
//! and draw it.

use crate::domain::sla::{self, ClockName, ClockState};
use crate::domain::station::StationState;
use crate::domain::{Incident, SlaPolicy, Status};
use chrono::{DateTime, Days, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Serialize;

/// The shift holding at `at`: from the latest start at or before it to the next start. `starts`
/// are local times of day; an empty list means one shift a day from midnight.
pub fn window(starts: &[NaiveTime], tz: Tz, at: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let mut starts: Vec<NaiveTime> = starts.to_vec();
    if starts.is_empty() {
        starts.push(NaiveTime::MIN);
    }
    starts.sort();
    let today = at.with_timezone(&tz).date_naive();
    let mut moments = Vec::new();
    for offset in [-1i64, 0, 1] {
        let day = if offset < 0 {
            today.checked_sub_days(Days::new(1))
        } else {
            today.checked_add_days(Days::new(offset.unsigned_abs()))
        };
        let Some(day) = day else { continue };
        for s in &starts {
            if let Some(t) = tz.from_local_datetime(&day.and_time(*s)).earliest() {
                moments.push(t.with_timezone(&Utc));
            }
        }
    }
    moments.sort();
    let start = moments
        .iter()
        .rev()
        .find(|m| **m <= at)
        .copied()
        .unwrap_or(at);
    let end = moments.iter().find(|m| **m > at).copied().unwrap_or(at);
    (start, end)
}

/// One clock's breaches in the shift.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Breaches {
    pub clock: ClockName,
    pub count: u64,
}

/// An item the next shift takes over, with what it waits for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Open {
    #[serde(rename = "ref")]
    pub reference: String,
    pub status: Status,
    /// The next deadline and its clock, if one is running.
    pub next: Option<(ClockName, DateTime<Utc>)>,
}

/// The handover of one shift.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Handover {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Items received in the shift (drills left out).
    pub received: u64,
    /// Items claimed in the shift, and those claimed within the claim limit.
    pub claimed: u64,
    pub claimed_in_time: u64,
    /// Per clock: deadlines that fell in the shift and were not met.
    pub breaches: Vec<Breaches>,
    pub to_police: u64,
    pub to_district: u64,
    pub to_hotline: u64,
    /// Items held overnight during the shift, and when each comes back.
    pub deferred: Vec<(String, DateTime<Utc>)>,
    /// Items still open at the end of the shift.
    pub open: Vec<Open>,
    /// Items of the shift that repeat an earlier call (reference, earlier reference).
    pub repeats: Vec<(String, String)>,
    /// Notes left in the shift for the next one: time, operator, text.
    pub notes: Vec<(DateTime<Utc>, String, String)>,
}

/// The handover of `[from, to)` over `items` as they stand, with the clocks on `policy`.
pub fn handover(
    items: &[Incident],
    station: &StationState,
    policy: &SlaPolicy,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Handover {
    let within = |t: DateTime<Utc>| t >= from && t < to;
    let real: Vec<&Incident> = items.iter().filter(|i| !i.drill).collect();
    let mut h = Handover {
        from,
        to,
        received: 0,
        claimed: 0,
        claimed_in_time: 0,
        breaches: ClockName::ALL
            .iter()
            .map(|c| Breaches {
                clock: *c,
                count: 0,
            })
            .collect(),
        to_police: 0,
        to_district: 0,
        to_hotline: 0,
        deferred: Vec::new(),
        open: Vec::new(),
        repeats: Vec::new(),
        notes: station
            .notes
            .iter()
            .filter(|n| within(n.at))
            .map(|n| (n.at, n.operator.clone(), n.text.clone()))
            .collect(),
    };
    for i in real {
        if within(i.received_at) {
            h.received += 1;
            if let Some(earlier) = &i.repeat_of {
                h.repeats.push((i.reference.clone(), earlier.clone()));
            }
        }
        let claim = sla::clock(i, policy, ClockName::Claim, to);
        if let Some(at) = i.claimed_at.filter(|t| within(*t)) {
            h.claimed += 1;
            if claim.deadline.is_some_and(|d| at <= d) {
                h.claimed_in_time += 1;
            }
        }
        for (slot, name) in h.breaches.iter_mut().zip(ClockName::ALL) {
            let c = sla::clock(i, policy, name, to);
            let late = matches!(
                c.state,
                ClockState::Breached { .. } | ClockState::Missed { .. }
            );
            if late && c.deadline.is_some_and(within) {
                slot.count += 1;
            }
        }
        if i.ended_at.is_some_and(within) {
            match i.status {
                Status::ToPolice => h.to_police += 1,
                Status::ToDistrict => h.to_district += 1,
                Status::ToHotline => h.to_hotline += 1,
                _ => {}
            }
        }
        if let Some(until) = i.deferred_until
            && i.received_at < to
            && until > from
        {
            h.deferred.push((i.reference.clone(), until));
        }
        if i.received_at < to && i.ended_at.is_none_or(|t| t >= to) {
            h.open.push(Open {
                reference: i.reference.clone(),
                status: i.status,
                next: sla::next_deadline(i, policy, to)
                    .and_then(|c| c.deadline.map(|d| (c.name, d))),
            });
        }
    }
    h.open.sort_by_key(|o| {
        (
            o.next.map(|(_, d)| d).unwrap_or(DateTime::<Utc>::MAX_UTC),
            o.reference.clone(),
        )
    });
    h
}

fn local(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%m-%d %H:%M").to_string()
}

/// The handover as the lines a duty officer reads, in Chinese.
pub fn lines(h: &Handover, tz: Tz) -> Vec<String> {
    let clock_word = |c: ClockName| match c {
        ClockName::Claim => "签收",
        ClockName::Contact => "联系当事人",
        ClockName::Video => "调取监控",
        ClockName::Depart => "出发",
        ClockName::Arrive => "到场",
        ClockName::Feedback => "反馈",
    };
    let mut out = vec![
        format!("交接班 {} — {}", local(h.from, tz), local(h.to, tz)),
        format!("接报 {}", h.received),
        format!("签收 {}，其中及时 {}", h.claimed, h.claimed_in_time),
        format!(
            "超时 {}",
            h.breaches
                .iter()
                .map(|b| format!("{} {}", clock_word(b.clock), b.count))
                .collect::<Vec<_>>()
                .join("  ")
        ),
        format!(
            "转警务 {}  上报区级 {}  转12345 {}",
            h.to_police, h.to_district, h.to_hotline
        ),
        format!("夜间留存 {}", h.deferred.len()),
    ];
    for (reference, until) in &h.deferred {
        out.push(format!("  {reference} {} 恢复待签收", local(*until, tz)));
    }
    out.push(format!("未办结 {}", h.open.len()));
    for o in &h.open {
        let next = match o.next {
            Some((c, d)) => format!("{}时限 {}", clock_word(c), local(d, tz)),
            None => "无计时".into(),
        };
        out.push(format!("  {} {} {next}", o.reference, o.status));
    }
    out.push(format!("重复报警 {}", h.repeats.len()));
    for (r, earlier) in &h.repeats {
        out.push(format!("  {r} 重复 {earlier}"));
    }
    out.push(format!("交班留言 {}", h.notes.len()));
    for (at, who, text) in &h.notes {
        out.push(format!("  {} {who}: {text}", local(*at, tz)));
    }
    out
}
