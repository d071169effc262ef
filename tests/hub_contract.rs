//! The contract every `HubStore` backend must pass. A new backend adds one test calling
//! `contract` with its own factory.

mod hubkit;

use fenliu::domain::{EventKind, IncidentId};
use fenliu::hub::store::{HubStore, HubStoreError, Role, Route, RouteKind, SqliteHubStore};
use fenliu::protocol::{PushOutcome, RejectCode};
use hubkit::{claim_event, new_intake, push, station};
use std::sync::Arc;
use std::sync::Barrier;
use std::sync::atomic::{AtomicBool, Ordering};

type Check = fn(&dyn HubStore);
type Factory = dyn Fn() -> (Box<dyn std::any::Any>, Arc<dyn HubStore>);

fn contract(make: &Factory) {
    let checks: [(&str, Check); 8] = [
        ("principals", principals),
        ("routes", routes),
        ("intake is idempotent", intake_is_idempotent),
        ("push outcomes", push_outcomes),
        ("page boundaries", page_boundaries),
        ("commits wake subscribers", commits_wake_subscribers),
        ("police feed and stats", police_feed_and_stats),
        ("intakes get repeat-call links", intakes_get_repeat_links),
    ];
    for (name, check) in checks {
        let (_guard, store) = make();
        eprintln!("contract: {name}");
        check(store.as_ref());
    }
}

#[test]
fn sqlite_passes_the_contract() {
    contract(&|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SqliteHubStore::open_dir(dir.path()).expect("open hub store");
        (Box::new(dir), Arc::new(store))
    });
}

#[test]
fn postgres_passes_the_contract() {
    let Some(admin) = hubkit::pg::url() else {
        return hubkit::pg::not_run("hub contract suite (tests/hub_contract.rs)");
    };
    contract(&move || {
        let (store, _) = hubkit::pg::fresh_store(&admin);
        (Box::new(()), Arc::new(store))
    });
}

/// What keeps a test's store alive, and two handles on its database.
type Pair = (Box<dyn std::any::Any>, Arc<dyn HubStore>, Arc<dyn HubStore>);

/// Two handles on one store's database (for SQLite, the one store).
fn pair(sqlite: bool) -> Option<Pair> {
    if sqlite {
        let dir = tempfile::tempdir().expect("tempdir");
        let store: Arc<dyn HubStore> =
            Arc::new(SqliteHubStore::open_dir(dir.path()).expect("open hub store"));
        return Some((Box::new(dir), store.clone(), store));
    }
    let admin = hubkit::pg::url()?;
    let (a, url) = hubkit::pg::fresh_store(&admin);
    let b = fenliu::hub::store::PgHubStore::open(&url).expect("a second connection pool");
    Some((Box::new(()), Arc::new(a), Arc::new(b)))
}

/// Workstations of one station claim the same items at the same moment through two
/// connections: each item has exactly one claim, the other is told who holds it.
fn one_claim_wins(a: Arc<dyn HubStore>, b: Arc<dyn HubStore>) {
    a.add_station(&station("dn", "DN"), "h").expect("station");
    for n in 0..8 {
        let item = a
            .intake(new_intake("dn", "DN", &format!("110-{n}"), None))
            .expect("intake")
            .response
            .id;
        let gate = Arc::new(Barrier::new(2));
        let racers: Vec<_> = [(a.clone(), "ws1"), (b.clone(), "ws2")]
            .into_iter()
            .map(|(store, device)| {
                let gate = gate.clone();
                std::thread::spawn(move || {
                    gate.wait();
                    push(store.as_ref(), "dn", vec![claim_event(item, "dn", device)])
                        .expect("push")
                        .remove(0)
                })
            })
            .collect();
        let outcomes: Vec<PushOutcome> = racers
            .into_iter()
            .map(|r| r.join().expect("a racer"))
            .collect();
        let won = outcomes
            .iter()
            .filter(|o| matches!(o, PushOutcome::Accepted { .. }))
            .count();
        let lost = outcomes
            .iter()
            .filter(|o| {
                matches!(o, PushOutcome::Rejected { code, .. } if *code == RejectCode::AlreadyClaimed)
            })
            .count();
        assert_eq!((won, lost), (1, 1), "item {n}: {outcomes:?}");
        let (_, events) = a.incident(item).expect("read").expect("known");
        let claims = events
            .iter()
            .filter(|e| matches!(e.event.kind, EventKind::Claimed))
            .count();
        assert_eq!(claims, 1, "item {n} holds one claim");
    }
}

/// Writers commit concurrently while a reader follows the cursor through another connection:
/// the reader sees every sequence number, in order, none skipped.
fn cursor_never_skips(a: Arc<dyn HubStore>, b: Arc<dyn HubStore>) {
    const WRITERS: usize = 4;
    const EACH: usize = 30;
    a.add_station(&station("dn", "DN"), "h").expect("station");
    let done = Arc::new(AtomicBool::new(false));
    let reader = {
        let done = done.clone();
        std::thread::spawn(move || {
            let mut seen = Vec::new();
            let mut after = 0;
            loop {
                let finished = done.load(Ordering::SeqCst);
                let page = b.all_events(after, 50).expect("page");
                if let Some(last) = page.last() {
                    after = last.seq;
                }
                let empty = page.is_empty();
                seen.extend(page.into_iter().map(|e| e.seq));
                if finished && empty {
                    return seen;
                }
                if empty {
                    std::thread::yield_now();
                }
            }
        })
    };
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let a = a.clone();
            std::thread::spawn(move || {
                for n in 0..EACH {
                    a.intake(new_intake("dn", "DN", &format!("110-{w}-{n}"), None))
                        .expect("intake");
                }
            })
        })
        .collect();
    for w in writers {
        w.join().expect("a writer");
    }
    done.store(true, Ordering::SeqCst);
    let seen = reader.join().expect("the reader");
    let all: Vec<i64> = (1..=(WRITERS * EACH) as i64).collect();
    assert_eq!(seen, all, "the reader saw every event once, in order");
}

#[test]
fn sqlite_one_claim_wins_and_the_cursor_never_skips() {
    let (_g, a, b) = pair(true).expect("sqlite");
    one_claim_wins(a, b);
    let (_g, a, b) = pair(true).expect("sqlite");
    cursor_never_skips(a, b);
}

#[test]
fn postgres_one_claim_wins_through_two_connections() {
    let Some((_g, a, b)) = pair(false) else {
        return hubkit::pg::not_run("hub contract suite (tests/hub_contract.rs)");
    };
    one_claim_wins(a, b);
}

#[test]
fn postgres_cursor_never_skips_under_concurrent_writers() {
    let Some((_g, a, b)) = pair(false) else {
        return hubkit::pg::not_run("hub contract suite (tests/hub_contract.rs)");
    };
    cursor_never_skips(a, b);
}

#[test]
fn sqlite_keeps_everything_across_reopen() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let store = SqliteHubStore::open_dir(dir.path()).expect("open");
        store
            .add_station(&station("dn", "DN"), "h")
            .expect("station");
        store
            .intake(new_intake("dn", "DN", "110-1", None))
            .expect("intake");
    }
    let store = SqliteHubStore::open_dir(dir.path()).expect("reopen");
    assert_eq!(
        store.events_after("dn", 0, 10).expect("page").events.len(),
        1
    );
    assert_eq!(
        *store.subscribe().borrow(),
        1,
        "the sequence survives a restart"
    );
    for n in 2..=4 {
        store
            .intake(new_intake("dn", "DN", &format!("110-{n}"), None))
            .expect("intake");
    }
    // Older events come from the database, newer ones from memory: pages join without a gap.
    let first = store.events_after("dn", 0, 2).expect("page");
    let seqs: Vec<i64> = first.events.iter().map(|e| e.seq).collect();
    assert_eq!((seqs, first.more), (vec![1, 2], true));
    let rest = store.events_after("dn", 2, 2).expect("page");
    let seqs: Vec<i64> = rest.events.iter().map(|e| e.seq).collect();
    assert_eq!((seqs, rest.more), (vec![3, 4], false));
}

/// An intake `hours` after the fixture's time from `phone`, at no address.
fn call_from(n: u32, phone: &str, hours: i64) -> fenliu::hub::store::NewIntake {
    let mut i = new_intake("dn", "DN", &format!("110-{n}"), None);
    i.now += chrono::TimeDelta::hours(hours);
    i.request.address = None;
    i.request.phone = Some(phone.into());
    i
}

fn repeat_of(s: &dyn HubStore, i: fenliu::hub::store::NewIntake) -> Option<String> {
    let id = s.intake(i).expect("intake").response.id;
    s.incident(id).expect("read").expect("known").0.repeat_of
}

#[test]
fn sqlite_repeat_links_survive_a_reopen_and_reach_backdated_calls() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = {
        let store = SqliteHubStore::open_dir(dir.path()).expect("open");
        store
            .add_station(&station("dn", "DN"), "h")
            .expect("station");
        let first = store.intake(call_from(1, "13800000001", 0)).expect("first");
        let second = repeat_of(&store, call_from(2, "138 0000 0001", 1));
        assert_eq!(second.as_deref(), Some(first.response.reference.as_str()));
        first.response.reference
    };
    let store = SqliteHubStore::open_dir(dir.path()).expect("reopen");
    assert_eq!(
        repeat_of(&store, call_from(3, "+86 13800000001", 2)).as_deref(),
        Some(first.as_str()),
        "items recorded before the reopen are still found"
    );
    let fresh = store.intake(call_from(4, "13900000009", 3)).expect("fresh");
    assert_eq!(
        repeat_of(&store, call_from(8, "13900000009", 4)).as_deref(),
        Some(fresh.response.reference.as_str()),
        "an item recorded since the reopen is found"
    );
    // Three days back: older than anything the first lookups asked for.
    backdated_calls_find_only_earlier_ones(&store);
}

/// A call three days back finds its earlier call, and never an item received after it.
fn backdated_calls_find_only_earlier_ones(store: &dyn HubStore) {
    let old = store.intake(call_from(5, "13700000007", -72)).expect("old");
    assert_eq!(
        repeat_of(store, call_from(6, "13700000007", -71)).as_deref(),
        Some(old.response.reference.as_str()),
        "a backdated call finds its earlier call"
    );
    assert_eq!(
        repeat_of(store, call_from(7, "13800000001", -70)),
        None,
        "a later item is never the earlier call"
    );
}

/// On PostgreSQL an intake reads the items that share its phone or address through the repeat
/// keys; a window reaching back before the keys were kept (a district moved in) reads every item.
#[test]
fn postgres_repeat_links_are_found_by_key_and_before_the_keys_by_window() {
    let Some(admin) = hubkit::pg::url() else {
        return hubkit::pg::not_run("repeat-key test (tests/hub_contract.rs)");
    };
    let (store, url) = hubkit::pg::fresh_store(&admin);
    let since = |at: &str| {
        hubkit::pg::execute(
            &url,
            &format!("UPDATE repeat_keys_since SET since = '{at}'"),
        );
    };
    since("-infinity");
    store
        .add_station(&station("dn", "DN"), "h")
        .expect("station");
    let first = store.intake(call_from(1, "13800000001", 0)).expect("first");
    let first = first.response.reference;
    assert_eq!(
        repeat_of(&store, call_from(2, "138 0000 0001", 1)).as_deref(),
        Some(first.as_str()),
        "found by its key"
    );
    backdated_calls_find_only_earlier_ones(&store);
    let mut walk_in = hubkit::received_event("dn", "DN1-20261122-0001", hubkit::now());
    if let EventKind::Received(r) = &mut walk_in.kind {
        r.phone = Some("13600000006".into());
    }
    let outcome = hubkit::push(&store, "dn", vec![walk_in]).expect("push");
    assert!(
        matches!(outcome.as_slice(), [PushOutcome::Accepted { .. }]),
        "{outcome:?}"
    );
    assert_eq!(
        repeat_of(&store, call_from(9, "136 0000 0006", 1)).as_deref(),
        Some("DN1-20261122-0001"),
        "an item a console pushed is found by its key"
    );
    hubkit::pg::execute(&url, "DELETE FROM repeat_keys");
    assert_eq!(
        repeat_of(&store, call_from(3, "+86 13800000001", 2)),
        None,
        "with the keys gone and the window after them, nothing is read"
    );
    since("infinity");
    assert_eq!(
        repeat_of(&store, call_from(4, "13800000001", 3)).as_deref(),
        Some(first.as_str()),
        "a window reaching back before the keys reads every item"
    );
}

#[test]
fn sqlite_admin_writes_go_through_the_writer_and_its_quota() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("hub.db");
    let store = SqliteHubStore::open_capped(&path, Some(48)).expect("open");
    store
        .add_station(&station("dn", "DN"), "h")
        .expect("station");
    let text = "楼上装修噪音扰民，已经持续很久，".repeat(30);
    let full = (0..400).find_map(|n| {
        let mut i = new_intake("dn", "DN", &format!("full-{n}"), None);
        i.request.text = text.clone();
        store.intake(i).err()
    });
    assert!(
        matches!(full, Some(HubStoreError::DiskFull)),
        "the quota filled up: {full:?}"
    );
    let mut big = station("gz", "GZ");
    big.name = "很长的街道名称".repeat(400);
    let refused = store.add_station(&big, "h");
    assert!(
        matches!(refused, Err(HubStoreError::DiskFull)),
        "an admin write meets the same full disk as any other write: {refused:?}"
    );
    assert_eq!(
        store.station("gz").expect("read"),
        None,
        "nothing half-written"
    );
}

fn principals(s: &dyn HubStore) {
    s.add_station(&station("dn", "DN"), "hash1")
        .expect("add station");
    assert!(matches!(
        s.add_station(&station("dn", "XX"), "h"),
        Err(HubStoreError::Exists(_))
    ));
    assert!(
        matches!(
            s.add_station(&station("other", "DN"), "h"),
            Err(HubStoreError::Exists(_)),
        ),
        "prefixes are unique"
    );
    let c = s.credential(true, "dn").expect("read").expect("known");
    assert_eq!((c.role, c.token_hash.as_str()), (Role::Station, "hash1"));
    s.set_station_token("dn", "hash2").expect("rotate");
    assert_eq!(
        s.credential(true, "dn")
            .expect("read")
            .expect("known")
            .token_hash,
        "hash2"
    );
    assert!(matches!(
        s.set_station_token("nope", "h"),
        Err(HubStoreError::Missing(_))
    ));
    s.add_connector("c110", Role::Intake, "hc")
        .expect("connector");
    assert_eq!(
        s.credential(false, "c110")
            .expect("read")
            .expect("known")
            .role,
        Role::Intake
    );
    assert!(
        s.credential(true, "c110").expect("read").is_none(),
        "stations and connectors are apart"
    );
    assert!(s.credential(false, "dn").expect("read").is_none());
}

fn routes(s: &dyn HubStore) {
    s.add_station(&station("dn", "DN"), "h").expect("station");
    s.add_station(&station("gz", "GZ"), "h").expect("station");
    let r = |kind, key: &str, st: &str| Route {
        kind,
        key: key.into(),
        station: st.into(),
    };
    assert!(matches!(
        s.put_route(&r(RouteKind::Grid, "g1", "nope")),
        Err(HubStoreError::Missing(_))
    ));
    s.put_route(&r(RouteKind::Grid, "g1", "dn")).expect("route");
    s.put_route(&r(RouteKind::Community, "g1", "gz"))
        .expect("route");
    assert_eq!(
        s.route(RouteKind::Grid, "g1").expect("read").as_deref(),
        Some("dn")
    );
    s.put_route(&r(RouteKind::Grid, "g1", "gz"))
        .expect("replace");
    assert_eq!(
        s.route(RouteKind::Grid, "g1").expect("read").as_deref(),
        Some("gz")
    );
    assert_eq!(s.routes().expect("list").len(), 2);
    assert!(s.route(RouteKind::Grid, "g9").expect("read").is_none());
}

fn intake_is_idempotent(s: &dyn HubStore) {
    s.add_station(&station("dn", "DN"), "h").expect("station");
    let first = s
        .intake(new_intake("dn", "DN", "110-1", Some(hubkit::decision())))
        .expect("intake");
    assert!(first.created);
    assert_eq!(first.response.reference, "DN-20261122-0001");
    let again = s
        .intake(new_intake("dn", "DN", "110-1", None))
        .expect("again");
    assert!(!again.created);
    assert_eq!(again.response, first.response);
    let second = s
        .intake(new_intake("dn", "DN", "110-2", None))
        .expect("second");
    assert_eq!(second.response.reference, "DN-20261122-0002");
    let page = s.events_after("dn", 0, 100).expect("page");
    let kinds: Vec<&str> = page.events.iter().map(|e| e.event.kind.name()).collect();
    assert_eq!(kinds, ["received", "triaged", "received"]);
    let (incident, events) = s.incident(first.response.id).expect("read").expect("known");
    assert!(incident.triage.is_some());
    assert_eq!(events.len(), 2);
}

fn intakes_get_repeat_links(s: &dyn HubStore) {
    s.add_station(&station("dn", "DN"), "h").expect("station");
    s.add_station(&station("gz", "GZ"), "h").expect("station");
    let first = s
        .intake(new_intake("dn", "DN", "110-1", None))
        .expect("first");
    let mut later = new_intake("dn", "DN", "110-2", None);
    later.now += chrono::TimeDelta::hours(1);
    later.request.address = Some("别处".into());
    later.request.phone = Some("+86 138 1234 1116".into());
    let second = s.intake(later).expect("second");
    let (incident, events) = s
        .incident(second.response.id)
        .expect("read")
        .expect("known");
    assert_eq!(
        incident.repeat_of.as_deref(),
        Some(first.response.reference.as_str()),
        "the same phone within the window"
    );
    let EventKind::Received(r) = &events[0].event.kind else {
        panic!("the first event is the received one");
    };
    assert_eq!(r.repeat_of, incident.repeat_of, "consoles pull the link");
    let elsewhere = s
        .intake(new_intake("gz", "GZ", "110-3", None))
        .expect("another station");
    let (other, _) = s
        .incident(elsewhere.response.id)
        .expect("read")
        .expect("known");
    assert_eq!(
        other.repeat_of, None,
        "another station's items are not its calls"
    );
    let mut stale = new_intake("dn", "DN", "110-4", None);
    stale.now += chrono::TimeDelta::minutes(24 * 60 + 30);
    stale.request.address = None;
    let stale = s.intake(stale).expect("stale");
    let (stale, _) = s.incident(stale.response.id).expect("read").expect("known");
    assert_eq!(
        stale.repeat_of.as_deref(),
        Some(second.response.reference.as_str()),
        "the first is outside the window, the second inside"
    );
}

fn push_outcomes(s: &dyn HubStore) {
    s.add_station(&station("dn", "DN"), "h").expect("station");
    s.add_station(&station("gz", "GZ"), "h").expect("station");
    let item = s
        .intake(new_intake("dn", "DN", "110-1", None))
        .expect("intake")
        .response
        .id;
    let a = claim_event(item, "dn", "ws1");
    let b = claim_event(item, "dn", "ws2");
    let out = push(s, "dn", vec![a.clone()]).expect("push");
    let PushOutcome::Accepted { seq, .. } = out[0] else {
        panic!("{out:?}")
    };
    assert_eq!(
        push(s, "dn", vec![a.clone()]).expect("retry")[0],
        PushOutcome::Duplicate { id: a.id, seq }
    );
    match &push(s, "dn", vec![b.clone()]).expect("second claim")[0] {
        PushOutcome::Rejected {
            code: RejectCode::AlreadyClaimed,
            reason,
            ..
        } => {
            assert!(reason.contains("已被 ws1 工作站"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    let foreign = claim_event(item, "gz", "ws9");
    let mut stray = foreign.clone();
    stray.incident = IncidentId::v7_at(hubkit::now());
    let (foreign, stray) = (push1(s, "gz", foreign), push1(s, "gz", stray));
    assert!(
        matches!(
            foreign,
            PushOutcome::Rejected {
                code: RejectCode::UnknownIncident,
                ..
            }
        ),
        "{foreign:?}"
    );
    assert_eq!(
        foreign, stray,
        "another station's item is answered like an unknown one"
    );
    let mut closing = claim_event(item, "dn", "ws1");
    closing.kind = EventKind::Closed;
    assert!(matches!(
        push1(s, "dn", closing),
        PushOutcome::Rejected {
            code: RejectCode::IllegalTransition,
            ..
        }
    ));
    let page = s.events_after("dn", 0, 100).expect("page");
    assert_eq!(
        page.events.len(),
        2,
        "only the intake and the winning claim"
    );
    assert!(
        s.events_after("gz", 0, 100)
            .expect("page")
            .events
            .is_empty()
    );
}

/// Pushes one event and returns its outcome.
fn push1(s: &dyn HubStore, station: &str, e: fenliu::domain::Event) -> PushOutcome {
    let mut out = push(s, station, vec![e]).expect("push");
    assert_eq!(out.len(), 1);
    out.remove(0)
}

fn page_boundaries(s: &dyn HubStore) {
    s.add_station(&station("dn", "DN"), "h").expect("station");
    s.add_station(&station("gz", "GZ"), "h").expect("station");
    let limit = 4;
    let mut made = 0;
    for total in [limit - 1, limit, limit + 1, 2 * limit, 2 * limit + 1] {
        while made < total {
            made += 1;
            s.intake(new_intake("dn", "DN", &format!("110-{made}"), None))
                .expect("intake");
            s.intake(new_intake("gz", "GZ", &format!("12345-{made}"), None))
                .expect("noise");
        }
        let mut after = 0;
        let mut seen = Vec::new();
        let mut pages = 0;
        loop {
            let page = s.events_after("dn", after, limit).expect("page");
            pages += 1;
            assert!(page.events.len() <= limit);
            seen.extend(page.events.iter().map(|e| e.seq));
            if let Some(last) = page.events.last() {
                after = last.seq;
            }
            if !page.more {
                break;
            }
            assert!(pages < 100);
        }
        assert_eq!(seen.len(), total, "every event once for {total}");
        assert!(seen.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(
            pages,
            total.div_ceil(limit).max(1),
            "no empty trailing page for {total}"
        );
    }
}

fn commits_wake_subscribers(s: &dyn HubStore) {
    s.add_station(&station("dn", "DN"), "h").expect("station");
    let mut rx = s.subscribe();
    let before = *rx.borrow();
    assert!(!rx.has_changed().expect("open"));
    s.intake(new_intake("dn", "DN", "110-1", None))
        .expect("intake");
    assert!(
        rx.has_changed().expect("open"),
        "a commit wakes the subscriber"
    );
    assert!(*rx.borrow_and_update() > before);
}

fn police_feed_and_stats(s: &dyn HubStore) {
    s.add_station(&station("dn", "DN"), "h").expect("station");
    let item = s
        .intake(new_intake("dn", "DN", "110-1", None))
        .expect("intake")
        .response
        .id;
    s.intake(new_intake("dn", "DN", "110-2", None))
        .expect("intake");
    assert!(s.police_feed(0, 10).expect("feed").items.is_empty());
    assert!(
        !s.police_ack(item, "police", hubkit::now()).expect("ack"),
        "not in the feed yet"
    );
    let mut to_police = claim_event(item, "dn", "ws1");
    to_police.kind = EventKind::TransferredToPolice {
        note: Some("持刀".into()),
    };
    assert!(matches!(
        push1(s, "dn", to_police),
        PushOutcome::Accepted { .. }
    ));
    let feed = s.police_feed(0, 10).expect("feed");
    assert_eq!(feed.items.len(), 1);
    assert_eq!(feed.items[0].events.len(), 2, "with its history");
    assert!(!feed.items[0].acked);
    assert!(s.police_ack(item, "police", hubkit::now()).expect("ack"));
    assert!(s.police_feed(0, 10).expect("feed").items[0].acked);
    assert!(
        s.police_feed(feed.items[0].seq, 10)
            .expect("feed")
            .items
            .is_empty()
    );
    let stats = s.stats().expect("stats");
    assert_eq!(stats.stations.len(), 1);
    let dn = &stats.stations[0];
    assert_eq!((dn.incidents, dn.open, dn.to_police), (2, 1, 1));
    assert_eq!(stats.events, 3);
}

#[test]
fn sqlite_passes_over_a_reference_a_station_took_before_they_were_reserved() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteHubStore::open_dir(dir.path()).expect("open");
    store
        .add_station(&station("dn", "DN"), "h")
        .expect("station");
    {
        let conn = rusqlite::Connection::open(store.path()).expect("db");
        conn.execute(
            "INSERT INTO incidents (id, station, ref, status, body) VALUES ('x', 'dn', 'DN-20261122-0002', 'new', '{}')",
            [],
        )
        .expect("a squatted reference from before");
    }
    let refs: Vec<String> = (1..=3)
        .map(|n| {
            store
                .intake(new_intake("dn", "DN", &format!("110-{n}"), None))
                .expect("never a failure")
                .response
                .reference
        })
        .collect();
    assert_eq!(
        refs,
        ["DN-20261122-0001", "DN-20261122-0003", "DN-20261122-0004"]
    );
}

/// On PostgreSQL intakes arriving together (written in groups) pass over a squatted reference,
/// each gets its own, and a repeated key its first answer.
#[test]
fn postgres_intakes_together_pass_over_a_squatted_reference() {
    let Some(admin) = hubkit::pg::url() else {
        return hubkit::pg::not_run("reference test (tests/hub_contract.rs)");
    };
    let (store, url) = hubkit::pg::fresh_store(&admin);
    store
        .add_station(&station("dn", "DN"), "h")
        .expect("station");
    hubkit::pg::execute(
        &url,
        "INSERT INTO incidents (id, station, ref, status, body, received_at)
         VALUES ('x', 'dn', 'DN-20261122-0003', 'new', '{}', '2000-01-01T00:00:00Z')",
    );
    let first = store
        .intake(new_intake("dn", "DN", "110-0", None))
        .expect("first")
        .response;
    assert_eq!(first.reference, "DN-20261122-0001");
    let answers: Vec<(String, String)> = std::thread::scope(|s| {
        let calls: Vec<_> = (0..12)
            .map(|n| {
                let store = &store;
                s.spawn(move || {
                    let source_ref = format!("110-{}", n % 9);
                    let r = store
                        .intake(new_intake("dn", "DN", &source_ref, None))
                        .expect("never a failure")
                        .response;
                    (source_ref, r.reference)
                })
            })
            .collect();
        calls
            .into_iter()
            .map(|c| c.join().expect("thread"))
            .collect()
    });
    let mut by_key: std::collections::HashMap<String, String> = Default::default();
    for (key, reference) in &answers {
        let kept = by_key
            .entry(key.clone())
            .or_insert_with(|| reference.clone());
        assert_eq!(kept, reference, "a repeated key gets its first answer");
    }
    assert_eq!(by_key["110-0"], first.reference);
    let mut refs: Vec<&String> = by_key.values().collect();
    refs.sort();
    let want: Vec<String> = [1, 2, 4, 5, 6, 7, 8, 9, 10]
        .iter()
        .map(|n| format!("DN-20261122-{n:04}"))
        .collect();
    assert_eq!(refs, want.iter().collect::<Vec<_>>());
}

/// A PostgreSQL hub process keeps the token hashes, stations and routes it read, and drops them
/// when another process announces a change: a rotated token is refused there, a new route taken.
#[test]
fn postgres_processes_drop_kept_tokens_and_routes_when_another_changes_them() {
    let Some(admin) = hubkit::pg::url() else {
        return hubkit::pg::not_run("token cache test (tests/hub_contract.rs)");
    };
    let (a, url) = hubkit::pg::fresh_store(&admin);
    let b = fenliu::hub::store::PgHubStore::open(&url).expect("a second process's store");
    let (a, b): (Arc<dyn HubStore>, Arc<dyn HubStore>) = (Arc::new(a), Arc::new(b));
    a.add_station(&station("dn", "DN"), "h1").expect("station");
    a.add_station(&station("gz", "GZ"), "h1").expect("station");
    let hash = |s: &dyn HubStore| {
        s.credential(true, "dn")
            .expect("read")
            .map(|c| c.token_hash)
    };
    let route = |s: &dyn HubStore| s.route(RouteKind::Grid, "g9").expect("read");
    assert_eq!(hash(a.as_ref()).as_deref(), Some("h1"));
    assert_eq!(route(a.as_ref()), None);
    hubkit::pg::execute(
        &url,
        "UPDATE stations SET token_hash = 'unannounced' WHERE id = 'dn'",
    );
    assert_eq!(
        hash(a.as_ref()).as_deref(),
        Some("h1"),
        "what was read is kept until a change is announced"
    );
    b.set_station_token("dn", "h2")
        .expect("rotate on the other process");
    b.put_route(&Route {
        kind: RouteKind::Grid,
        key: "g9".into(),
        station: "gz".into(),
    })
    .expect("route on the other process");
    assert_eq!(
        hash(b.as_ref()).as_deref(),
        Some("h2"),
        "the writer sees its own change"
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while hash(a.as_ref()).as_deref() != Some("h2") || route(a.as_ref()).is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "the other process's change was never heard"
        );
        std::thread::yield_now();
    }
    assert_eq!(route(a.as_ref()).as_deref(), Some("gz"));
}

#[test]
fn sqlite_keeps_its_identity_and_counts_epochs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = SqliteHubStore::open_dir(dir.path())
        .expect("open")
        .identity();
    let second = SqliteHubStore::open_dir(dir.path())
        .expect("reopen")
        .identity();
    assert_eq!(first.id, second.id, "the same database is the same hub");
    assert_eq!(first.id.len(), 32);
    assert_eq!(second.epoch, first.epoch + 1);
    let other = tempfile::tempdir().expect("tempdir");
    let elsewhere = SqliteHubStore::open_dir(other.path())
        .expect("open")
        .identity();
    assert_ne!(elsewhere.id, first.id, "another database is another hub");
}
