//! Simulated responders: once dispatched, when do they set off, arrive and report back?
//! Mostly in time, sometimes late, so clocks warn and breach as they do on a real night.

use crate::command::Command;
use crate::domain::{FeedbackResult, SlaPolicy};
use chrono::TimeDelta;
use rand::Rng;

/// One thing a responder does, some time after dispatch.
#[derive(Debug, Clone, PartialEq)]
pub struct Reaction {
    pub after: TimeDelta,
    pub command: Command,
}

/// Share of responders who are late for each step.
const LATE_SHARE: f64 = 0.15;

/// Departure, arrival and feedback of one dispatched responder, in order.
pub fn react(rng: &mut impl Rng, responder: &str, policy: &SlaPolicy) -> Vec<Reaction> {
    let secs = |d: TimeDelta| d.num_seconds().max(1);
    let depart_limit = secs(policy.depart.0);
    let arrive_limit = secs(policy.arrive.0);
    let depart = if rng.random_bool(LATE_SHARE) {
        rng.random_range(depart_limit + 1..=depart_limit * 2)
    } else {
        rng.random_range(depart_limit / 6..=depart_limit * 9 / 10)
    };
    let arrive = if rng.random_bool(LATE_SHARE) {
        rng.random_range(arrive_limit + 1..=arrive_limit * 3 / 2)
    } else {
        rng.random_range(arrive_limit / 4..=arrive_limit * 9 / 10)
    }
    .max(depart + 60);
    let feedback = arrive + rng.random_range(10 * 60..=90 * 60);
    let roll: f64 = rng.random();
    let result = if roll < 0.75 {
        FeedbackResult::Resolved
    } else if roll < 0.95 {
        FeedbackResult::HandedOver
    } else {
        FeedbackResult::Unresolved
    };
    let text = match result {
        FeedbackResult::Resolved => "现场已处理完毕，当事人表示认可",
        FeedbackResult::HandedOver => "已移交责任部门跟进",
        FeedbackResult::Unresolved => "当事人不在现场，需再次上门",
    };
    vec![
        Reaction {
            after: TimeDelta::seconds(depart),
            command: Command::Depart {
                responder: Some(responder.to_string()),
            },
        },
        Reaction {
            after: TimeDelta::seconds(arrive),
            command: Command::Arrive {
                responder: Some(responder.to_string()),
            },
        },
        Reaction {
            after: TimeDelta::seconds(feedback),
            command: Command::Feedback {
                result,
                text: Some(text.to_string()),
            },
        },
    ]
}

/// The demo station's roster (about 50 responders), as CSV `id,name,unit,grid,phone`.
pub const DEMO_ROSTER: &str = include_str!("../../assets/demo-roster.csv");

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn steps_come_in_order_and_some_are_late() {
        let policy = SlaPolicy::default();
        let mut rng = StdRng::seed_from_u64(5);
        let mut late_arrivals = 0;
        for _ in 0..400 {
            let r = react(&mut rng, "wg01", &policy);
            assert_eq!(r.len(), 3);
            assert!(r[0].after < r[1].after && r[1].after < r[2].after);
            assert!(matches!(r[0].command, Command::Depart { .. }));
            assert!(matches!(r[2].command, Command::Feedback { .. }));
            if r[1].after > policy.arrive.0 {
                late_arrivals += 1;
            }
        }
        assert!(
            (20..=120).contains(&late_arrivals),
            "{late_arrivals} of 400 arrived late"
        );
    }

    #[test]
    fn the_demo_roster_is_about_fifty_across_units() {
        let lines: Vec<&str> = DEMO_ROSTER.lines().collect();
        assert_eq!(lines[0], "id,name,unit,grid,phone");
        assert!((45..=60).contains(&(lines.len() - 1)));
        let units: std::collections::HashSet<&str> = lines[1..]
            .iter()
            .filter_map(|l| l.split(',').nth(2))
            .collect();
        for unit in [
            "派出所",
            "网格中队",
            "网格长",
            "治保主任",
            "城管中队",
            "物业",
        ] {
            assert!(units.contains(unit), "no {unit}");
        }
    }
}
