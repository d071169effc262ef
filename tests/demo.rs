//! The demo feed: deterministic for a seed, realistic enough for the classifier, and shaped
//! like a real day.

mod common;

use chrono::TimeDelta;
use common::*;
use fenliu::command::Command;
use fenliu::demo::{DemoAction, DemoPlan, Feed};
use fenliu::domain::{Class, DispatchMode};
use fenliu::domain::{EventKind, Priority, SlaPolicy};
use fenliu::triage::Classifier;
use std::collections::HashSet;

fn items(seed: u64, n: usize) -> Vec<fenliu::demo::FeedItem> {
    let mut feed = Feed::new(seed);
    (0..n).map(|_| feed.next_item()).collect()
}

#[test]
fn the_same_seed_gives_the_same_feed_and_another_seed_another() {
    assert_eq!(items(7, 300), items(7, 300));
    assert_ne!(items(7, 300), items(8, 300));
    let mut a = Feed::new(7);
    let mut b = Feed::new(7);
    for hour in [3, 9, 19] {
        assert_eq!(a.next_gap(hour), b.next_gap(hour));
    }
}

#[test]
fn every_generated_description_triages_to_a_valid_category() {
    let classifier = Classifier::embedded().expect("embedded list");
    let codes: HashSet<&str> = classifier
        .list()
        .categories
        .iter()
        .map(|c| c.code.as_str())
        .collect();
    let mut on_target = 0;
    let all: Vec<_> = (1..=3).flat_map(|seed| items(seed, 1000)).collect();
    for item in &all {
        let d = classifier.classify(&item.text);
        let category = d.category.as_deref().unwrap_or("");
        assert!(
            codes.contains(category),
            "{:?} triaged to no category: {}",
            item.text,
            d.summary
        );
        if category == item.intended {
            on_target += 1;
        }
        if item.red_flag || item.intended.starts_with('P') {
            assert!(
                matches!(d.mode, DispatchMode::Police | DispatchMode::Joint)
                    && d.class != Class::NonPolice,
                "a police matter would be diverted: {:?} → {}",
                item.text,
                d.summary
            );
        }
    }
    let share = on_target as f64 / all.len() as f64;
    assert!(
        share >= 0.9,
        "only {share:.3} land on the category they were written for"
    );
}

#[test]
fn the_feed_spans_the_whole_list_with_repeat_callers() {
    let classifier = Classifier::embedded().expect("embedded list");
    let all = items(42, 2000);
    let intended: HashSet<&str> = all.iter().map(|i| i.intended).collect();
    for c in &classifier.list().categories {
        assert!(
            intended.contains(c.code.as_str()),
            "{} never generated",
            c.code
        );
    }
    let texts: HashSet<&str> = all.iter().map(|i| i.text.as_str()).collect();
    assert!(
        texts.len() > 1500,
        "only {} distinct descriptions",
        texts.len()
    );
    let mut phones = HashSet::new();
    let repeats = all
        .iter()
        .filter_map(|i| i.phone.as_deref())
        .filter(|p| !phones.insert(*p))
        .count();
    assert!(repeats > 50, "only {repeats} repeat callers");
    assert!(all.iter().any(|i| i.red_flag));
    let refs: HashSet<&str> = all.iter().map(|i| i.source_ref.as_str()).collect();
    assert_eq!(refs.len(), all.len(), "source numbers are unique");
}

#[test]
fn arrivals_follow_the_hour_of_day() {
    assert!(Feed::hourly_rate(3) < Feed::hourly_rate(9));
    assert!(Feed::hourly_rate(4) < Feed::hourly_rate(19));
    let mut feed = Feed::new(1);
    for hour in [3u32, 19] {
        let n = 4000;
        let mean: f64 = (0..n)
            .map(|_| feed.next_gap(hour).num_milliseconds() as f64 / 1000.0)
            .sum::<f64>()
            / n as f64;
        let expected = 3600.0 / Feed::hourly_rate(hour);
        assert!(
            (mean - expected).abs() < expected * 0.1,
            "hour {hour}: mean gap {mean:.0}s, expected about {expected:.0}s"
        );
    }
}

fn plan() -> DemoPlan {
    DemoPlan::new(9, t0(), SlaPolicy::default(), chrono_tz::Asia::Shanghai)
}

fn when(a: &DemoAction) -> chrono::DateTime<chrono::Utc> {
    match a {
        DemoAction::Report { at, .. } | DemoAction::Respond { at, .. } => *at,
    }
}

#[test]
fn reports_arrive_over_simulated_time_in_order() {
    let mut p = plan();
    assert!(p.due(t0(), &[]).is_empty());
    let hour = p.due(t0() + TimeDelta::hours(1), &[]);
    let expected = Feed::hourly_rate(21);
    assert!(
        (expected / 2.0..=expected * 2.0).contains(&(hour.len() as f64)),
        "{} reports in an evening hour, about {expected} expected",
        hour.len()
    );
    assert!(hour.windows(2).all(|w| when(&w[0]) <= when(&w[1])));
    assert!(hour.iter().all(|a| when(a) <= t0() + TimeDelta::hours(1)));
    assert!(
        p.due(t0() + TimeDelta::hours(1), &[]).is_empty(),
        "nothing twice"
    );
}

#[test]
fn dispatched_items_get_their_responders_steps_once_each_round() {
    let mut p = plan();
    let mut item = fresh(Priority::Normal);
    walk(
        &mut item,
        10,
        vec![EventKind::Claimed, dispatched(&["wg01"])],
    );
    let later = t0() + TimeDelta::hours(6);
    let steps: Vec<Command> = p
        .due(later, std::slice::from_ref(&item))
        .into_iter()
        .filter_map(|a| match a {
            DemoAction::Respond {
                reference,
                responder,
                command,
                at,
            } => {
                assert_eq!(reference, item.reference);
                assert_eq!(responder, "wg01");
                assert!(at > item.dispatched_at.unwrap_or(later));
                Some(command)
            }
            DemoAction::Report { .. } => None,
        })
        .collect();
    assert_eq!(steps.len(), 3);
    assert!(matches!(steps[0], Command::Depart { .. }));
    assert!(matches!(steps[1], Command::Arrive { .. }));
    assert!(matches!(steps[2], Command::Feedback { .. }));
    let again = p.due(later, std::slice::from_ref(&item));
    assert!(
        again.iter().all(|a| matches!(a, DemoAction::Report { .. })),
        "no second plan for the same dispatch"
    );
}

mod driver {
    use fenliu::clock::ScaledClock;
    use fenliu::demo::driver::{DemoStation, Driver};
    use fenliu::domain::{Actor, DutyStatus, EventKind, Responder, SlaPolicy, Status};
    use fenliu::store::{Stamp, Store};
    use fenliu::triage::Classifier;
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    /// Polls `check` until it yields a value or the deadline passes.
    fn wait_for<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(v) = check() {
                return v;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    #[test]
    fn the_driver_feeds_the_store_and_responders_report_back() {
        let dir = tempfile::TempDir::new().expect("tempdir");
        let mut store = Store::open_dir(dir.path()).expect("store");
        store
            .add_responders(&[Responder {
                id: "wg01".into(),
                name: "王网格".into(),
                unit: "网格中队".into(),
                grid: None,
                phone: None,
                status: DutyStatus::Available,
                incident: None,
            }])
            .expect("roster");
        let clock = Arc::new(ScaledClock::new(chrono::Utc::now(), 3600.0));
        let station = DemoStation {
            id: "dn".into(),
            prefix: "DN".into(),
            tz: chrono_tz::Asia::Shanghai,
            policy: SlaPolicy::default(),
            repeat_window: chrono::TimeDelta::hours(24),
            night: fenliu::config::Config::default().night_window(),
        };
        let driver = Driver::spawn(
            dir.path().to_path_buf(),
            station,
            3,
            clock.clone(),
            Arc::new(Classifier::embedded().expect("list")),
        );
        let first = wait_for("a report", || {
            store
                .incidents(None)
                .ok()
                .and_then(|v| v.into_iter().next())
        });
        assert!(first.triage.is_some(), "reports are triaged on intake");
        let now = fenliu::clock::Clock::now(clock.as_ref());
        let stamp = Stamp {
            actor: Actor {
                operator: "王磊".into(),
                station: "dn".into(),
                device: "test".into(),
            },
            occurred_at: now,
            recorded_at: now,
        };
        store
            .record(
                &first.reference,
                vec![
                    EventKind::Claimed,
                    EventKind::Dispatched {
                        responders: vec!["wg01".into()],
                        channel: fenliu::domain::Channel::Radio,
                    },
                ],
                &stamp,
            )
            .expect("claim and dispatch");
        wait_for("feedback from the scene", || {
            store
                .incident(&first.reference)
                .ok()
                .flatten()
                .filter(|i| i.status == Status::AwaitingVerification)
        });
        let recorded = driver.stop().expect("driver ends cleanly");
        assert!(recorded >= 4, "{recorded} actions");
        assert!(matches!(
            store.audit().expect("audit"),
            fenliu::store::AuditOutcome::Intact { .. }
        ));
    }
}

mod district {
    use fenliu::clock::SystemClock;
    use fenliu::demo::hub::DemoHub;
    use fenliu::domain::{EventKind, Priority, Source};
    use fenliu::hub::store::StationRecord;
    use fenliu::protocol::IntakeRequest;
    use fenliu::sync::{Client, Settings};
    use fenliu::triage::Classifier;
    use std::sync::Arc;

    fn station(id: &str, prefix: &str) -> StationRecord {
        StationRecord {
            id: id.into(),
            name: format!("{id}街道"),
            prefix: prefix.into(),
        }
    }

    fn report(source_ref: &str, grid: &str, at: chrono::DateTime<chrono::Utc>) -> IntakeRequest {
        IntakeRequest {
            source: Source::Hotline12345,
            source_ref: source_ref.into(),
            text: "楼上半夜装修，电钻声吵得睡不着".into(),
            address: Some("广中路123弄".into()),
            grid: Some(grid.into()),
            community: None,
            phone: None,
            priority: Some(Priority::Normal),
            station: None,
            received_at: Some(at),
        }
    }

    #[test]
    fn the_demo_hub_routes_grids_over_its_stations_and_keeps_the_sources_time() {
        let dir = tempfile::tempdir().expect("tempdir");
        let hub = DemoHub::start(
            dir.path(),
            &[
                station("dn", "DN"),
                station("gh", "S2"),
                station("lf", "S3"),
            ],
            12,
            Arc::new(SystemClock),
            Arc::new(Classifier::embedded().expect("list")),
            chrono_tz::Asia::Shanghai,
        )
        .expect("hub starts");
        let called = chrono::Utc::now() - chrono::TimeDelta::minutes(10);
        hub.intake(&report("r-1", "1", called))
            .expect("grid 1 is the first station's");
        hub.intake(&report("r-2", "2", called))
            .expect("grid 2 is another station's");
        hub.intake(&report("r-4", "4", called))
            .expect("grid 4 comes round to the first again");
        let client = Client::new(&Settings {
            url: hub.url.clone(),
            token: hub.station_token.clone(),
            workstation: "1".into(),
            ca_file: None,
        })
        .expect("client");
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        let page = rt.block_on(client.pull(0, 0, 100)).expect("pull");
        let received: Vec<_> = page
            .events
            .iter()
            .filter_map(|e| match &e.event.kind {
                EventKind::Received(r) => Some((r.source_ref.clone(), e.event.occurred_at)),
                _ => None,
            })
            .collect();
        let refs: Vec<Option<String>> = received.iter().map(|(r, _)| r.clone()).collect();
        assert_eq!(refs, [Some("r-1".to_string()), Some("r-4".to_string())]);
        assert!(
            received.iter().all(|(_, at)| *at == called),
            "received when the source took the call"
        );
        assert!(
            page.events
                .iter()
                .any(|e| matches!(e.event.kind, EventKind::Triaged(_))),
            "the hub triages what it takes in"
        );
        hub.stop();
    }
}
