//! `apply`: every legal path, every illegal transition, and folding properties.

mod common;

use common::*;
use fenliu::domain::responder::{DutyMove, duty_moves};
use fenliu::domain::*;
use proptest::prelude::*;

fn refused(incident: &Incident, kind: EventKind) -> TransitionError {
    let e = event(incident.id, 100, kind);
    let mut copy = incident.clone();
    match copy.apply(&e) {
        Ok(()) => panic!("{:?} was accepted in {}", e.kind, incident.status),
        Err(err) => {
            assert_eq!(&copy, incident, "a refused event changed the incident");
            err
        }
    }
}

#[test]
fn full_lifecycle_reaches_closed_and_callback_keeps_it_closed() {
    let mut i = fresh(Priority::Normal);
    assert_eq!(i.status, Status::New);
    walk(&mut i, 1, vec![EventKind::Claimed]);
    assert_eq!(i.status, Status::Claimed);
    assert_eq!(i.claimed_by.as_deref(), Some("王磊"));
    walk(
        &mut i,
        2,
        vec![
            EventKind::PartyContacted { note: None },
            EventKind::VideoRetrieved { note: None },
        ],
    );
    walk(&mut i, 4, vec![dispatched(&["g1", "p1"])]);
    assert_eq!(i.status, Status::Dispatched);
    walk(
        &mut i,
        5,
        vec![EventKind::Departed {
            responder: "g1".into(),
        }],
    );
    assert_eq!(i.status, Status::EnRoute);
    walk(
        &mut i,
        6,
        vec![EventKind::Arrived {
            responder: "g1".into(),
        }],
    );
    assert_eq!(i.status, Status::OnScene);
    walk(&mut i, 7, vec![feedback()]);
    assert_eq!(i.status, Status::AwaitingVerification);
    walk(&mut i, 8, vec![verified(), EventKind::Closed]);
    assert_eq!(i.status, Status::Closed);
    walk(
        &mut i,
        10,
        vec![EventKind::CalledBack {
            satisfaction: Satisfaction::Basic,
            note: None,
        }],
    );
    assert_eq!(i.status, Status::Closed);
    assert_eq!(
        i.callback.as_ref().map(|c| c.satisfaction),
        Some(Satisfaction::Basic)
    );
    assert_eq!(i.version, 11, "received + 10 actions");
}

#[test]
fn send_back_returns_to_claimed_for_a_new_round() {
    let mut i = fresh(Priority::Normal);
    walk(
        &mut i,
        1,
        vec![
            EventKind::Claimed,
            dispatched(&["g1"]),
            EventKind::Arrived {
                responder: "g1".into(),
            },
            feedback(),
            EventKind::SentBack {
                note: Some("未整改".into()),
            },
        ],
    );
    assert_eq!(i.status, Status::Claimed);
    assert_eq!(i.round, 1);
    assert!(i.responders.is_empty() && i.dispatched_at.is_none() && i.feedback.is_none());
    walk(&mut i, 10, vec![dispatched(&["g2"])]);
    assert_eq!(i.status, Status::Dispatched);
    assert_eq!(i.dispatched_at, Some(at(10)));
}

#[test]
fn dispatch_while_in_field_adds_responders_without_restarting_clocks() {
    let mut i = fresh(Priority::Normal);
    walk(
        &mut i,
        1,
        vec![
            EventKind::Claimed,
            dispatched(&["g1"]),
            EventKind::Departed {
                responder: "g1".into(),
            },
            dispatched(&["p1", "g1"]),
        ],
    );
    assert_eq!(i.status, Status::EnRoute);
    assert_eq!(i.responders, vec!["g1".to_string(), "p1".to_string()]);
    assert_eq!(i.dispatched_at, Some(at(2)));
}

#[test]
fn exits_from_the_queue() {
    for (kind, status) in [
        (
            EventKind::Returned {
                reason: ReturnReason::Incomplete,
                note: None,
            },
            Status::Returned,
        ),
        (
            EventKind::TransferredToPolice { note: None },
            Status::ToPolice,
        ),
        (
            EventKind::UploadedToDistrict { note: None },
            Status::ToDistrict,
        ),
        (
            EventKind::MergedInto {
                reference: "DN-20261122-0002".into(),
            },
            Status::Closed,
        ),
    ] {
        let mut i = fresh(Priority::Normal);
        walk(&mut i, 1, vec![EventKind::Claimed, kind]);
        assert_eq!(i.status, status);
        assert_eq!(i.ended_at, Some(at(2)));
    }
}

#[test]
fn police_transfer_is_possible_even_from_the_field() {
    let mut i = fresh(Priority::Urgent);
    walk(
        &mut i,
        1,
        vec![
            EventKind::Claimed,
            dispatched(&["g1"]),
            EventKind::Arrived {
                responder: "g1".into(),
            },
            EventKind::TransferredToPolice {
                note: Some("现场有人持刀".into()),
            },
        ],
    );
    assert_eq!(i.status, Status::ToPolice);
}

#[test]
fn illegal_transitions_name_status_and_action() {
    let new = fresh(Priority::Normal);
    let err = refused(&new, dispatched(&["g1"]));
    assert_eq!(
        err.to_string(),
        "DN-20261122-0001 is new: cannot dispatch it"
    );
    assert!(matches!(
        refused(
            &new,
            EventKind::Arrived {
                responder: "g1".into()
            }
        ),
        TransitionError::NotAllowed {
            status: Status::New,
            ..
        }
    ));
    refused(&new, EventKind::Closed);
    refused(&new, feedback());
    refused(
        &new,
        EventKind::CalledBack {
            satisfaction: Satisfaction::Satisfied,
            note: None,
        },
    );
    refused(&new, received(Priority::Normal).kind);

    let mut closed = fresh(Priority::Normal);
    walk(
        &mut closed,
        1,
        vec![
            EventKind::Claimed,
            dispatched(&["g1"]),
            feedback(),
            verified(),
            EventKind::Closed,
        ],
    );
    for kind in [
        EventKind::Claimed,
        dispatched(&["g1"]),
        EventKind::Escalated { level: 1 },
        EventKind::TransferredToPolice { note: None },
        EventKind::Returned {
            reason: ReturnReason::NotOurArea,
            note: None,
        },
    ] {
        let err = refused(&closed, kind);
        assert!(err.to_string().contains("is closed"), "{err}");
    }
}

#[test]
fn close_needs_verification_and_verify_only_once() {
    let mut i = fresh(Priority::Normal);
    walk(
        &mut i,
        1,
        vec![EventKind::Claimed, dispatched(&["g1"]), feedback()],
    );
    assert!(matches!(
        refused(&i, EventKind::Closed),
        TransitionError::NotVerified { .. }
    ));
    walk(&mut i, 5, vec![verified()]);
    assert!(matches!(
        refused(&i, verified()),
        TransitionError::AlreadyVerified { .. }
    ));
}

#[test]
fn responders_must_have_been_dispatched() {
    let mut i = fresh(Priority::Normal);
    walk(&mut i, 1, vec![EventKind::Claimed, dispatched(&["g1"])]);
    assert!(matches!(
        refused(
            &i,
            EventKind::Departed {
                responder: "x9".into()
            }
        ),
        TransitionError::NotDispatchedResponder { .. }
    ));
    let claimed = {
        let mut c = fresh(Priority::Normal);
        walk(&mut c, 1, vec![EventKind::Claimed]);
        c
    };
    assert!(matches!(
        refused(&claimed, dispatched(&[])),
        TransitionError::NoResponders { .. }
    ));
}

#[test]
fn only_non_urgent_items_are_deferred_and_only_forward() {
    let normal = fresh(Priority::Normal);
    assert!(matches!(
        refused(&normal, EventKind::Deferred { until: at(3600) }),
        TransitionError::DeferUrgent { .. }
    ));
    let mut low = fresh(Priority::NonUrgent);
    assert!(matches!(
        refused(&low, EventKind::Deferred { until: at(50) }),
        TransitionError::DeferUntilPast { .. }
    ));
    walk(&mut low, 1, vec![EventKind::Deferred { until: at(3600) }]);
    assert_eq!(low.status, Status::Deferred);
    walk(&mut low, 2, vec![EventKind::Claimed]);
    assert_eq!(low.status, Status::Claimed);
}

#[test]
fn escalation_only_climbs_and_stops_at_four() {
    let mut i = fresh(Priority::Normal);
    walk(&mut i, 1, vec![EventKind::Escalated { level: 2 }]);
    assert_eq!(i.escalation_level, 2);
    assert!(matches!(
        refused(&i, EventKind::Escalated { level: 2 }),
        TransitionError::EscalationLevel { .. }
    ));
    assert!(matches!(
        refused(&i, EventKind::Escalated { level: 5 }),
        TransitionError::EscalationLevel { .. }
    ));
}

#[test]
fn events_dated_before_receipt_and_for_other_items_are_refused() {
    let i = fresh(Priority::Normal);
    let mut early = event(i.id, 0, EventKind::Claimed);
    early.occurred_at = at(-60);
    let mut copy = i.clone();
    assert!(matches!(
        copy.apply(&early),
        Err(TransitionError::BeforeReceived { .. })
    ));
    let other = event(IncidentId::v7_at(at(1)), 1, EventKind::Claimed);
    assert!(matches!(
        copy.apply(&other),
        Err(TransitionError::WrongIncident(_))
    ));
    assert!(matches!(
        refused(&i, EventKind::NoteAdded { text: "  ".into() }),
        TransitionError::EmptyNote { .. }
    ));
}

#[test]
fn automatic_triage_only_raises_priority_an_override_sets_it() {
    let decision = |priority, by: Option<&str>| TriageDecision {
        class: Class::NonPolice,
        category: Some("E1".into()),
        category_name: None,
        departments: vec![],
        mode: DispatchMode::Immediate,
        priority,
        confidence: 0.9,
        completion_limit_secs: None,
        evidence: vec![],
        summary: String::new(),
        list_version: "test".into(),
        overridden_by: by.map(String::from),
    };
    let mut i = fresh(Priority::Urgent);
    walk(
        &mut i,
        1,
        vec![EventKind::Triaged(decision(Priority::NonUrgent, None))],
    );
    assert_eq!(i.priority, Priority::Urgent);
    walk(
        &mut i,
        2,
        vec![EventKind::Triaged(decision(
            Priority::NonUrgent,
            Some("王磊"),
        ))],
    );
    assert_eq!(i.priority, Priority::NonUrgent);
    assert_eq!(i.category(), Some("E1"));
}

#[test]
fn duty_follows_dispatch_departure_arrival_and_release() {
    let mut i = fresh(Priority::Normal);
    walk(&mut i, 1, vec![EventKind::Claimed]);
    let moves = duty_moves(&i, &dispatched(&["g1", "p1"]));
    assert_eq!(moves.len(), 2);
    assert!(moves.iter().all(|m| m.status == DutyStatus::Assigned));
    walk(&mut i, 2, vec![dispatched(&["g1", "p1"])]);
    let arrive = duty_moves(
        &i,
        &EventKind::Arrived {
            responder: "g1".into(),
        },
    );
    assert_eq!(arrive[0].status, DutyStatus::OnScene);
    let release = duty_moves(&i, &feedback());
    assert_eq!(release.len(), 2);

    let mut busy_elsewhere = Responder {
        id: "g1".into(),
        name: "王网格".into(),
        unit: "网格中队".into(),
        grid: None,
        phone: None,
        status: DutyStatus::Assigned,
        incident: Some("DN-20261122-0009".into()),
    };
    busy_elsewhere.follow(&release[0]);
    assert_eq!(
        busy_elsewhere.status,
        DutyStatus::Assigned,
        "release of another item"
    );
    let mut here = busy_elsewhere.clone();
    here.incident = Some(i.reference.clone());
    here.follow(&release[0]);
    assert_eq!(here.status, DutyStatus::Available);
    assert_eq!(here.incident, None);
    let mut off = here.clone();
    off.status = DutyStatus::OffDuty;
    off.follow(&DutyMove {
        responder: "g1".into(),
        status: DutyStatus::Available,
        incident: None,
        only_if_on: None,
    });
    assert_eq!(off.status, DutyStatus::OffDuty);
}

#[test]
fn phone_is_masked_keeping_head_and_tail() {
    let i = fresh(Priority::Normal);
    assert_eq!(i.masked_phone().as_deref(), Some("138****1116"));
    assert_eq!(fenliu::domain::incident::mask_phone("12345"), "*****");
}

#[test]
fn status_and_kind_spellings_are_fixed() {
    let codes: Vec<String> = Status::ALL
        .iter()
        .map(|s| {
            serde_json::to_value(s)
                .expect("serialises")
                .as_str()
                .unwrap_or("")
                .to_string()
        })
        .collect();
    assert_eq!(
        codes,
        [
            "new",
            "deferred",
            "claimed",
            "dispatched",
            "en_route",
            "on_scene",
            "awaiting_verification",
            "closed",
            "returned",
            "to_police",
            "to_district",
            "to_hotline"
        ]
    );
    for s in Status::ALL {
        assert_eq!(Status::parse(s.code()), Some(s));
    }
}

fn any_kind() -> impl Strategy<Value = EventKind> {
    let responder = prop::sample::select(vec!["g1", "g2", "p1"]).prop_map(String::from);
    prop_oneof![
        Just(EventKind::Claimed),
        prop::collection::vec(responder.clone(), 0..3).prop_map(|responders| {
            EventKind::Dispatched {
                responders,
                channel: Channel::Radio,
            }
        }),
        responder
            .clone()
            .prop_map(|r| EventKind::Departed { responder: r }),
        responder.prop_map(|r| EventKind::Arrived { responder: r }),
        Just(feedback()),
        Just(verified()),
        Just(EventKind::SentBack { note: None }),
        Just(EventKind::Closed),
        Just(EventKind::CalledBack {
            satisfaction: Satisfaction::Unreachable,
            note: None
        }),
        Just(EventKind::Returned {
            reason: ReturnReason::Incomplete,
            note: None
        }),
        Just(EventKind::TransferredToPolice { note: None }),
        Just(EventKind::UploadedToDistrict { note: None }),
        (0i64..100_000).prop_map(|s| EventKind::Deferred { until: at(s) }),
        (0u8..7).prop_map(|level| EventKind::Escalated { level }),
        Just(EventKind::PartyContacted { note: None }),
        Just(EventKind::VideoRetrieved { note: None }),
        Just(EventKind::NoteAdded {
            text: "记录".into()
        }),
        Just(EventKind::MergedInto {
            reference: "DN-20261122-0002".into()
        }),
    ]
}

proptest! {
    #[test]
    fn random_sequences_never_panic_and_fold_deterministically(
        kinds in prop::collection::vec(any_kind(), 0..40),
        priority in prop::sample::select(vec![Priority::Urgent, Priority::Normal, Priority::NonUrgent]),
    ) {
        let first = received(priority);
        let events: Vec<Event> = kinds
            .into_iter()
            .enumerate()
            .map(|(n, k)| event(first.incident, n as i64 + 1, k))
            .collect();
        let mut a = Incident::from_received(&first).expect("received");
        let mut accepted = vec![first.clone()];
        for e in &events {
            let before = a.clone();
            match a.apply(e) {
                Ok(()) => accepted.push(e.clone()),
                Err(_) => prop_assert_eq!(&a, &before),
            }
        }
        let b = Incident::fold(&accepted).expect("accepted events fold");
        prop_assert_eq!(&a, &b);
        prop_assert!(a.escalation_level <= 4);
        prop_assert_eq!(a.status.is_terminal(), a.ended_at.is_some());
    }
}
