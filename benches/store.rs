//! Store benchmarks: one action as a durable transaction, and replaying 100,000 events.

use chrono::{NaiveDate, TimeDelta, TimeZone, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use fenliu::domain::*;
use fenliu::store::{Stamp, Store};
use std::time::Duration;

fn stamp() -> Stamp {
    let now = Utc::now();
    Stamp {
        actor: Actor {
            operator: "王磊".into(),
            station: "dn".into(),
            device: "bench".into(),
        },
        occurred_at: now,
        recorded_at: now,
    }
}

fn received(n: usize) -> Received {
    Received {
        reference: format!("DN-20261122-{n:05}"),
        station: "dn".into(),
        source: Source::Hotline12345,
        source_ref: Some(format!("GD-{n}")),
        text: "来电人反映楼上住户每天夜里十二点以后还在装修，电钻声音很大，影响休息".into(),
        address: Some(format!("广中路{}弄{}号", n % 500, n % 40)),
        grid: Some(format!("{}", n % 12)),
        community: None,
        phone: Some(format!("138{:08}", n)),
        priority: Priority::Normal,
        drill: false,
        repeat_of: None,
    }
}

/// Ten events per incident, the shape of a whole ordinary life.
fn history(n: usize) -> Vec<Event> {
    let t0 = Utc
        .with_ymd_and_hms(2026, 11, 22, 13, 0, 0)
        .single()
        .unwrap_or_default();
    let id = IncidentId::v7_at(t0);
    let kinds = vec![
        EventKind::Received(received(n)),
        EventKind::Claimed,
        EventKind::PartyContacted { note: None },
        EventKind::Dispatched {
            responders: vec!["g1".into()],
            channel: Channel::Radio,
        },
        EventKind::Departed {
            responder: "g1".into(),
        },
        EventKind::Arrived {
            responder: "g1".into(),
        },
        EventKind::FeedbackGiven {
            result: FeedbackResult::Resolved,
            text: Some("已劝停".into()),
        },
        EventKind::Verified { note: None },
        EventKind::Closed,
        EventKind::CalledBack {
            satisfaction: Satisfaction::Satisfied,
            note: None,
        },
    ];
    kinds
        .into_iter()
        .enumerate()
        .map(|(k, kind)| {
            let t = t0 + TimeDelta::seconds(k as i64 * 30);
            Event {
                id: EventId::v7_at(t),
                incident: id,
                actor: stamp().actor,
                occurred_at: t,
                recorded_at: t,
                kind,
            }
        })
        .collect()
}

fn responder() -> Responder {
    Responder {
        id: "g1".into(),
        name: "王网格".into(),
        unit: "网格中队".into(),
        grid: None,
        phone: None,
        status: DutyStatus::Available,
        incident: None,
    }
}

fn append_durable(c: &mut Criterion) {
    let dir = tempfile::TempDir::new().expect("tempdir");
    let mut store = Store::open_dir(dir.path()).expect("store");
    let day = NaiveDate::from_ymd_opt(2026, 11, 22).expect("date");
    let item = store
        .create_incident(received(0), "DN", day, vec![], &stamp())
        .expect("item");
    let mut group = c.benchmark_group("store");
    group.throughput(Throughput::Elements(1));
    group.bench_function("append one action (fsync'd transaction)", |b| {
        b.iter(|| {
            store
                .record(
                    &item.reference,
                    vec![EventKind::NoteAdded {
                        text: "值班记录".into(),
                    }],
                    &stamp(),
                )
                .expect("recorded")
        })
    });
    group.finish();
}

/// The disk's ceiling: a bare single-row commit with the same pragmas, for comparison.
fn baseline_commit(c: &mut Criterion) {
    let dir = tempfile::TempDir::new().expect("tempdir");
    let conn = rusqlite::Connection::open(dir.path().join("baseline.db")).expect("open");
    conn.pragma_update(None, "journal_mode", "WAL")
        .expect("wal");
    conn.pragma_update(None, "synchronous", "FULL")
        .expect("full");
    conn.execute("CREATE TABLE t (x INTEGER)", [])
        .expect("table");
    let mut group = c.benchmark_group("store");
    group.throughput(Throughput::Elements(1));
    group.bench_function("baseline: bare single-row fsync'd commit", |b| {
        b.iter(|| {
            conn.execute("INSERT INTO t VALUES (1)", [])
                .expect("insert")
        })
    });
    group.finish();
}

fn replay(c: &mut Criterion) {
    let dir = tempfile::TempDir::new().expect("tempdir");
    let mut store = Store::open_dir(dir.path()).expect("store");
    store.add_responders(&[responder()]).expect("roster");
    let events: Vec<Event> = (0..10_000).flat_map(history).collect();
    store.append_events(&events).expect("loaded");
    let mut group = c.benchmark_group("store");
    group.throughput(Throughput::Elements(events.len() as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("replay 100k events into projections", |b| {
        b.iter(|| {
            let all = store.replay().expect("replayed");
            assert_eq!(all.len(), 10_000);
        })
    });
    group.finish();
}

criterion_group!(benches, baseline_commit, append_durable, replay);
criterion_main!(benches);
