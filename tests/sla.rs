//! Every clock in every state with a fixed clock, and the escalation ladder.

mod common;

use common::*;
use fenliu::domain::sla::{self, ClockName, ClockState, SlaPolicy};
use fenliu::domain::*;

fn state(i: &Incident, name: ClockName, now: i64) -> ClockState {
    sla::clock(i, &SlaPolicy::default(), name, at(now)).state
}

#[test]
fn claim_clock_runs_warns_breaches_and_is_met_or_missed() {
    let i = fresh(Priority::Normal);
    assert_eq!(
        state(&i, ClockName::Claim, 0),
        ClockState::Running { remaining_secs: 60 }
    );
    assert_eq!(
        state(&i, ClockName::Claim, 45),
        ClockState::Running { remaining_secs: 15 },
        "exactly a quarter left is not yet a warning"
    );
    assert_eq!(
        state(&i, ClockName::Claim, 46),
        ClockState::Warning { remaining_secs: 14 }
    );
    assert_eq!(
        state(&i, ClockName::Claim, 60),
        ClockState::Warning { remaining_secs: 0 },
        "at the deadline it is not yet breached"
    );
    assert_eq!(
        state(&i, ClockName::Claim, 61),
        ClockState::Breached { over_secs: 1 }
    );

    let mut on_time = i.clone();
    walk(&mut on_time, 60, vec![EventKind::Claimed]);
    assert_eq!(
        state(&on_time, ClockName::Claim, 500),
        ClockState::Met { at: at(60) }
    );
    let mut late = i.clone();
    walk(&mut late, 75, vec![EventKind::Claimed]);
    assert_eq!(
        state(&late, ClockName::Claim, 500),
        ClockState::Missed {
            at: at(75),
            over_secs: 15
        }
    );
}

#[test]
fn contact_and_video_start_at_claim() {
    let mut i = fresh(Priority::Normal);
    assert_eq!(state(&i, ClockName::Contact, 10), ClockState::Pending);
    assert_eq!(state(&i, ClockName::Video, 10), ClockState::Pending);
    walk(&mut i, 20, vec![EventKind::Claimed]);
    assert_eq!(
        state(&i, ClockName::Contact, 20),
        ClockState::Running {
            remaining_secs: 180
        }
    );
    assert_eq!(
        state(&i, ClockName::Contact, 200),
        ClockState::Warning { remaining_secs: 0 }
    );
    assert_eq!(
        state(&i, ClockName::Contact, 201),
        ClockState::Breached { over_secs: 1 }
    );
    assert_eq!(
        state(&i, ClockName::Video, 20 + 300 - 10),
        ClockState::Warning { remaining_secs: 10 }
    );
    walk(&mut i, 100, vec![EventKind::PartyContacted { note: None }]);
    assert_eq!(
        state(&i, ClockName::Contact, 1000),
        ClockState::Met { at: at(100) }
    );
    walk(&mut i, 400, vec![EventKind::VideoRetrieved { note: None }]);
    assert_eq!(
        state(&i, ClockName::Video, 1000),
        ClockState::Missed {
            at: at(400),
            over_secs: 80
        }
    );
}

#[test]
fn field_clocks_start_at_dispatch() {
    let mut i = fresh(Priority::Normal);
    walk(&mut i, 10, vec![EventKind::Claimed]);
    for name in [ClockName::Depart, ClockName::Arrive, ClockName::Feedback] {
        assert_eq!(state(&i, name, 30), ClockState::Pending, "{name:?}");
    }
    walk(&mut i, 30, vec![dispatched(&["g1"])]);
    assert_eq!(
        state(&i, ClockName::Depart, 30 + 181),
        ClockState::Breached { over_secs: 1 }
    );
    assert_eq!(
        state(&i, ClockName::Arrive, 30 + 60),
        ClockState::Running {
            remaining_secs: 1140
        }
    );
    assert_eq!(
        state(&i, ClockName::Arrive, 30 + 1200 - 299),
        ClockState::Warning {
            remaining_secs: 299
        }
    );
    assert_eq!(
        state(&i, ClockName::Feedback, 30 + 8 * 3600 + 5),
        ClockState::Breached { over_secs: 5 }
    );
    walk(
        &mut i,
        900,
        vec![EventKind::Arrived {
            responder: "g1".into(),
        }],
    );
    assert_eq!(
        state(&i, ClockName::Depart, 2000),
        ClockState::Missed {
            at: at(900),
            over_secs: 900 - 30 - 180
        },
        "arrival without a recorded departure settles the departure clock"
    );
    assert_eq!(
        state(&i, ClockName::Arrive, 2000),
        ClockState::Met { at: at(900) }
    );
    walk(&mut i, 3600, vec![feedback()]);
    assert_eq!(
        state(&i, ClockName::Feedback, 99_999),
        ClockState::Met { at: at(3600) }
    );
}

#[test]
fn category_completion_limit_replaces_the_feedback_default() {
    let mut i = fresh(Priority::Normal);
    walk(&mut i, 1, vec![EventKind::Claimed, dispatched(&["g1"])]);
    i.triage = Some(TriageDecision {
        class: Class::NonPolice,
        category: Some("D1".into()),
        category_name: None,
        departments: vec![],
        mode: DispatchMode::Immediate,
        priority: Priority::Normal,
        confidence: 1.0,
        completion_limit_secs: Some(24 * 3600),
        evidence: vec![],
        summary: String::new(),
        list_version: "t".into(),
        overridden_by: None,
    });
    let c = sla::clock(&i, &SlaPolicy::default(), ClockName::Feedback, at(9 * 3600));
    assert_eq!(c.limit_secs, 24 * 3600);
    assert!(matches!(c.state, ClockState::Running { .. }));
}

#[test]
fn clocks_stop_or_are_missed_when_the_item_leaves() {
    let mut early = fresh(Priority::Normal);
    walk(
        &mut early,
        10,
        vec![
            EventKind::Claimed,
            EventKind::TransferredToPolice { note: None },
        ],
    );
    assert_eq!(
        state(&early, ClockName::Contact, 5000),
        ClockState::Stopped { at: at(11) }
    );
    assert_eq!(state(&early, ClockName::Arrive, 5000), ClockState::Pending);

    let mut late = fresh(Priority::Normal);
    walk(&mut late, 10, vec![EventKind::Claimed]);
    walk(
        &mut late,
        400,
        vec![EventKind::TransferredToPolice { note: None }],
    );
    assert_eq!(
        state(&late, ClockName::Contact, 5000),
        ClockState::Missed {
            at: at(400),
            over_secs: 400 - 190
        }
    );
}

#[test]
fn deferred_claim_clock_waits_for_the_morning() {
    let mut i = fresh(Priority::NonUrgent);
    walk(&mut i, 5, vec![EventKind::Deferred { until: at(3600) }]);
    assert_eq!(state(&i, ClockName::Claim, 1000), ClockState::Pending);
    assert_eq!(
        state(&i, ClockName::Claim, 3600),
        ClockState::Running { remaining_secs: 60 }
    );
    assert_eq!(
        state(&i, ClockName::Claim, 3661),
        ClockState::Breached { over_secs: 1 }
    );
}

#[test]
fn the_queue_counts_down_to_the_earliest_live_deadline() {
    let mut i = fresh(Priority::Normal);
    let policy = SlaPolicy::default();
    let next = sla::next_deadline(&i, &policy, at(0)).expect("claim clock runs");
    assert_eq!(next.name, ClockName::Claim);
    walk(&mut i, 10, vec![EventKind::Claimed]);
    let next = sla::next_deadline(&i, &policy, at(20)).expect("contact clock runs");
    assert_eq!(next.name, ClockName::Contact);
    assert_eq!(next.deadline, Some(at(190)));
    walk(
        &mut i,
        30,
        vec![
            EventKind::PartyContacted { note: None },
            EventKind::VideoRetrieved { note: None },
            dispatched(&["g1"]),
        ],
    );
    let next = sla::next_deadline(&i, &policy, at(40)).expect("depart clock runs");
    assert_eq!(next.name, ClockName::Depart);
}

#[test]
fn warn_share_comes_from_policy() {
    let i = fresh(Priority::Normal);
    let policy = SlaPolicy {
        warn_share: 0.5,
        ..SlaPolicy::default()
    };
    assert!(matches!(
        sla::clock(&i, &policy, ClockName::Claim, at(31)).state,
        ClockState::Warning { .. }
    ));
}

#[test]
fn escalation_ladder_climbs_by_week_and_stops_when_the_item_ends() {
    let policy = SlaPolicy::default();
    let mut i = fresh(Priority::Normal);
    let day = |d: i64| 86_400 * d;
    let level = |i: &Incident, secs: i64| sla::escalation(i, &policy, at(secs)).level;
    assert_eq!(level(&i, day(7) - 1), 0);
    assert_eq!(level(&i, day(7)), 1);
    assert_eq!(level(&i, day(14)), 2);
    assert_eq!(level(&i, day(21)), 3);
    assert_eq!(level(&i, day(27)), 3);
    assert_eq!(level(&i, day(28)), 4);
    assert_eq!(level(&i, day(300)), 4);
    assert_eq!(
        sla::escalation(&i, &policy, at(day(8))).next_at,
        Some(at(day(14)))
    );

    walk(&mut i, 60, vec![EventKind::Escalated { level: 2 }]);
    assert_eq!(level(&i, day(1)), 2, "a manual escalation counts");

    walk(
        &mut i,
        day(8),
        vec![EventKind::UploadedToDistrict { note: None }],
    );
    let e = sla::escalation(&i, &policy, at(day(30)));
    assert_eq!(e.ladder_level, 1, "the ladder stops when the item leaves");
    assert_eq!(e.next_at, None);
}
