//! What the hub reads on every request and an administrator changes rarely (token hashes,
//! stations, routes), kept in the process. Any change is announced by the process that makes it
//! (`pg_notify` on [`ADMIN_CHANNEL`] in the changing transaction) and every process drops all it
//! kept when it hears one, or when its listener reconnects (what came meanwhile may be lost). An
//! entry remembers the generation it was read under, so a read that raced a change is never kept.

use super::super::{Credential, StationRecord};
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// The channel on which a change of tokens, stations or routes is announced.
pub(super) const ADMIN_CHANNEL: &str = "fenliu_hub_admin";
/// Entries kept per kind at most; past this all are dropped.
const MAX_ENTRIES: usize = 10_000;

type Entries<K, V> = Mutex<HashMap<K, (u64, V)>>;

/// Token hashes, stations and routes read lately.
#[derive(Default)]
pub(super) struct AdminCache {
    generation: AtomicU64,
    credentials: Entries<(bool, String), Credential>,
    stations: Entries<String, StationRecord>,
    routes: Entries<(String, String), Option<String>>,
}

impl AdminCache {
    /// The generation to read under: take it before reading the database.
    pub(super) fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Drops everything kept: something changed, or may have.
    pub(super) fn forget_all(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    pub(super) fn credential(&self, station: bool, id: &str) -> Option<Credential> {
        self.get(&self.credentials, &(station, id.to_string()))
    }

    pub(super) fn keep_credential(&self, read_at: u64, station: bool, credential: &Credential) {
        let key = (station, credential.id.clone());
        self.put(&self.credentials, key, read_at, credential.clone());
    }

    pub(super) fn station(&self, id: &str) -> Option<StationRecord> {
        self.get(&self.stations, &id.to_string())
    }

    pub(super) fn keep_station(&self, read_at: u64, station: &StationRecord) {
        self.put(&self.stations, station.id.clone(), read_at, station.clone());
    }

    /// The station a route names (`Some(None)`: known to name none).
    pub(super) fn route(&self, kind: &str, key: &str) -> Option<Option<String>> {
        self.get(&self.routes, &(kind.to_string(), key.to_string()))
    }

    pub(super) fn keep_route(&self, read_at: u64, kind: &str, key: &str, station: Option<String>) {
        let k = (kind.to_string(), key.to_string());
        self.put(&self.routes, k, read_at, station);
    }

    fn get<K: Eq + Hash, V: Clone>(&self, entries: &Entries<K, V>, key: &K) -> Option<V> {
        let now = self.generation();
        let entries = entries.lock().ok()?;
        entries
            .get(key)
            .filter(|(at, _)| *at == now)
            .map(|(_, v)| v.clone())
    }

    fn put<K: Eq + Hash, V>(&self, entries: &Entries<K, V>, key: K, read_at: u64, value: V) {
        let Ok(mut entries) = entries.lock() else {
            return;
        };
        if read_at != self.generation() {
            return;
        }
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(key, (read_at, value));
    }
}

/// Tells every process, when `tx` commits, that tokens, stations or routes changed.
pub(super) async fn announce(
    tx: &mut sqlx_core::transaction::Transaction<'static, sqlx_postgres::Postgres>,
) -> Result<(), super::super::HubStoreError> {
    sqlx_core::query::query::<sqlx_postgres::Postgres>("SELECT pg_notify($1, '')")
        .bind(ADMIN_CHANNEL)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hub::store::Role;

    fn credential(hash: &str) -> Credential {
        Credential {
            id: "dn".into(),
            role: Role::Station,
            token_hash: hash.into(),
        }
    }

    #[test]
    fn a_change_drops_what_was_kept_and_a_read_that_raced_it_is_not_kept() {
        let cache = AdminCache::default();
        let at = cache.generation();
        cache.keep_credential(at, true, &credential("h1"));
        assert_eq!(cache.credential(true, "dn"), Some(credential("h1")));
        assert_eq!(
            cache.credential(false, "dn"),
            None,
            "a connector is another key"
        );
        cache.forget_all();
        assert_eq!(cache.credential(true, "dn"), None);
        let raced = cache.generation();
        cache.forget_all();
        cache.keep_credential(raced, true, &credential("h1"));
        assert_eq!(cache.credential(true, "dn"), None, "read before the change");
        cache.keep_route(cache.generation(), "grid", "g1", None);
        assert_eq!(
            cache.route("grid", "g1"),
            Some(None),
            "known to name no station"
        );
        assert_eq!(cache.route("grid", "g2"), None);
    }
}
