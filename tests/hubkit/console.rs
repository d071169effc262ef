//! A console of station `dn` (workstation 1) beside a [`super::TestHub`]: its own items and its
//! sync engine.

use chrono::Utc;
use fenliu::domain::{Actor, EventKind};
use fenliu::store::{Stamp, Store};
use fenliu::sync::{Client, Engine, Settings};

/// Workstation 1 of `dn`, now.
pub fn stamp() -> Stamp {
    let now = Utc::now();
    Stamp {
        actor: Actor {
            operator: "值班员1".into(),
            station: "dn".into(),
            device: "1".into(),
        },
        occurred_at: now,
        recorded_at: now,
    }
}

/// A walk-in the console records and claims; its reference.
pub fn walk_in_claimed(store: &mut Store) -> String {
    let s = stamp();
    let EventKind::Received(received) = super::received_event("dn", "", s.occurred_at).kind else {
        unreachable!("a received event")
    };
    let day = s.occurred_at.date_naive();
    let reference = store
        .create_incident(received, "DN1", day, vec![], &s)
        .expect("create")
        .reference;
    store
        .record(&reference, vec![EventKind::Claimed], &stamp())
        .expect("claim");
    reference
}

/// The console's sync engine against the hub at `url`.
pub fn engine(url: &str, token: &str, dir: &std::path::Path) -> Engine {
    let settings = Settings {
        url: url.to_string(),
        token: token.to_string(),
        workstation: "1".into(),
        ca_file: None,
    };
    let client = Client::new(&settings).expect("client");
    Engine::new(client, Store::open_dir(dir).expect("store")).0
}
