use super::*;
use crate::domain::Source;
use crate::protocol::IntakeRequest;
use chrono::TimeZone;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 2, 3, 0, 0)
        .single()
        .expect("a time")
}

fn actor(station: &str, device: &str, operator: &str) -> Actor {
    Actor {
        operator: operator.into(),
        station: station.into(),
        device: device.into(),
    }
}

fn event(station: &str, incident: IncidentId, kind: EventKind) -> Event {
    Event {
        id: EventId::v7_at(now()),
        incident,
        actor: actor(station, "1", "李娜"),
        occurred_at: now(),
        recorded_at: now(),
        kind,
    }
}

fn received(station: &str, reference: &str) -> Event {
    event(
        station,
        IncidentId::v7_at(now()),
        EventKind::Received(Received {
            reference: reference.into(),
            station: station.into(),
            source: Source::Police110,
            source_ref: None,
            text: "楼下噪声扰民".into(),
            address: None,
            grid: None,
            community: None,
            phone: None,
            priority: Priority::Normal,
            drill: false,
            repeat_of: None,
        }),
    )
}

fn item(station: &str) -> Incident {
    Incident::from_received(&received(station, "DN1-20261202-0001")).expect("an item")
}

fn code(v: &Verdict) -> Option<RejectCode> {
    match v {
        Verdict::Reject { code, .. } => Some(*code),
        _ => None,
    }
}

#[test]
fn a_known_event_is_a_duplicate_for_its_station_and_unknown_for_another() {
    let e = received("DN", "DN1-20261202-0001");
    let state = ItemState {
        known: Some((7, "DN".into())),
        ..ItemState::default()
    };
    assert_eq!(
        decide_push("DN", state.clone(), &e, now()),
        Verdict::Duplicate { seq: 7 }
    );
    let mut other = e.clone();
    other.actor.station = "GZ".into();
    assert_eq!(
        code(&decide_push("GZ", state, &other, now())),
        Some(RejectCode::UnknownIncident)
    );
}

#[test]
fn an_event_in_another_stations_name_is_refused() {
    let e = received("GZ", "GZ1-20261202-0001");
    assert_eq!(
        code(&decide_push("DN", ItemState::default(), &e, now())),
        Some(RejectCode::NotYourStation)
    );
}

#[test]
fn a_new_item_is_accepted_unless_its_reference_is_reserved_or_taken() {
    let with_prefix = ItemState {
        prefix: Some("DN".into()),
        ..ItemState::default()
    };
    let own = received("DN", "DN1-20261202-0001");
    match decide_push("DN", with_prefix.clone(), &own, now()) {
        Verdict::Accept {
            incident: Some(i),
            new: true,
            police: false,
        } => assert_eq!(i.reference, "DN1-20261202-0001"),
        other => panic!("expected a new item, got {other:?}"),
    }
    let hubs = received("DN", "DN-20261202-0001");
    assert_eq!(
        code(&decide_push("DN", with_prefix.clone(), &hubs, now())),
        Some(RejectCode::ReservedReference)
    );
    let taken = ItemState {
        reference_taken: true,
        ..with_prefix
    };
    assert_eq!(
        code(&decide_push("DN", taken, &own, now())),
        Some(RejectCode::DuplicateReference)
    );
}

#[test]
fn another_stations_item_is_answered_as_unknown() {
    let i = item("GZ");
    let e = event("DN", i.id, EventKind::Claimed);
    let state = ItemState {
        incident: Some(i),
        ..ItemState::default()
    };
    assert_eq!(
        code(&decide_push("DN", state, &e, now())),
        Some(RejectCode::UnknownIncident)
    );
}

#[test]
fn a_second_claim_is_refused_naming_who_holds_it() {
    let mut i = item("DN");
    let first = event("DN", i.id, EventKind::Claimed);
    i.apply(&first).expect("first claim");
    let second = event("DN", i.id, EventKind::Claimed);
    assert!(needs_claimer(&second, Some(&i)));
    let state = ItemState {
        incident: Some(i),
        claimed_by: Some(actor("DN", "2", "王磊")),
        ..ItemState::default()
    };
    match decide_push("DN", state, &second, now()) {
        Verdict::Reject { code, reason } => {
            assert_eq!(code, RejectCode::AlreadyClaimed);
            assert!(reason.contains("王磊"), "{reason}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn a_transfer_to_the_police_goes_to_the_police_feed() {
    let i = item("DN");
    let e = event("DN", i.id, EventKind::TransferredToPolice { note: None });
    let state = ItemState {
        incident: Some(i),
        ..ItemState::default()
    };
    match decide_push("DN", state, &e, now()) {
        Verdict::Accept {
            incident: Some(after),
            new: false,
            police: true,
        } => assert!(after.status.is_terminal(), "{:?}", after.status),
        other => panic!("expected acceptance for the police, got {other:?}"),
    }
}

#[test]
fn an_event_from_the_future_is_refused() {
    let mut e = received("DN", "DN1-20261202-0001");
    e.occurred_at = now() + TimeDelta::days(2);
    assert_eq!(
        code(&decide_push("DN", ItemState::default(), &e, now())),
        Some(RejectCode::ImplausibleTime)
    );
}

#[test]
fn only_the_hubs_own_pattern_is_reserved() {
    assert!(is_hub_numbering("DN", "DN-20261122-0001"));
    assert!(is_hub_numbering("DN", "DN-20261122-12345"));
    assert!(
        !is_hub_numbering("DN", "DN1-20261122-0001"),
        "a workstation's"
    );
    assert!(!is_hub_numbering("DN", "GZ-20261122-0001"));
    assert!(!is_hub_numbering("DN", "DN-2026112-0001"));
    assert!(!is_hub_numbering("DN", "DN-20261122-"));
    assert!(!is_hub_numbering("DN", "DN-20261122-00a1"));
    assert_eq!(
        hub_reference("DN", now().date_naive(), 7),
        "DN-20261202-0007"
    );
}

fn request(phone: &str) -> IntakeRequest {
    IntakeRequest {
        source: Source::Police110,
        source_ref: "110-1".into(),
        text: "楼上漏水".into(),
        address: None,
        grid: None,
        community: None,
        phone: Some(phone.into()),
        priority: None,
        station: None,
        received_at: None,
    }
}

fn earlier(phone: &str, reference: &str, ago: TimeDelta) -> Incident {
    let mut e = received("DN", reference);
    e.occurred_at = now() - ago;
    if let EventKind::Received(r) = &mut e.kind {
        r.phone = Some(phone.into());
    }
    Incident::from_received(&e).expect("an earlier item")
}

#[test]
fn an_intake_links_to_an_earlier_call_from_the_same_phone_within_the_window() {
    let req = request("+86 138 0000 1111");
    let hub = actor("DN", "hub", "connector-110");
    let recent = vec![
        earlier("13800002222", "DN-20261201-0001", TimeDelta::hours(2)),
        earlier("13800001111", "DN-20261201-0002", TimeDelta::hours(1)),
    ];
    let plan = plan_intake(IntakeInput {
        request: &req,
        station: "DN",
        triage: None,
        actor: &hub,
        now: now(),
        reference: "DN-20261202-0001".into(),
        recent: &recent,
        drill: false,
    })
    .expect("a plan");
    assert_eq!(plan.incident.repeat_of.as_deref(), Some("DN-20261201-0002"));
    assert_eq!(plan.events.len(), 1, "no triage, one event");
    assert_eq!(plan.incident.reference, "DN-20261202-0001");

    let stale = vec![earlier(
        "13800001111",
        "DN-20261130-0001",
        REPEAT_WINDOW + TimeDelta::hours(1),
    )];
    let plan = plan_intake(IntakeInput {
        request: &req,
        station: "DN",
        triage: None,
        actor: &hub,
        now: now(),
        reference: "DN-20261202-0002".into(),
        recent: &stale,
        drill: false,
    })
    .expect("a plan");
    assert_eq!(plan.incident.repeat_of, None);
}
