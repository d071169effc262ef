//! Administration of the hub's principals and routes: what `fenliu hub station|connector|route`
//! does. Secrets are printed once and stored only as hashes.

use super::auth;
use super::store::{HubStore, HubStoreError, Role, Route, RouteKind, StationRecord};

/// Adds a station; returns its token (shown once).
pub fn add_station(store: &dyn HubStore, station: &StationRecord) -> Result<String, HubStoreError> {
    let (token, hash) = auth::new_token(true, &station.id);
    store.add_station(station, &hash)?;
    Ok(token)
}

/// Gives a station a new token; the old one stops working at once.
pub fn rotate_station_token(store: &dyn HubStore, id: &str) -> Result<String, HubStoreError> {
    let (token, hash) = auth::new_token(true, id);
    store.set_station_token(id, &hash)?;
    Ok(token)
}

/// Adds a connector; returns its token (shown once).
pub fn add_connector(store: &dyn HubStore, id: &str, role: Role) -> Result<String, HubStoreError> {
    let (token, hash) = auth::new_token(false, id);
    store.add_connector(id, role, &hash)?;
    Ok(token)
}

/// Routes a grid and/or a community to a station.
pub fn add_route(
    store: &dyn HubStore,
    station: &str,
    grid: Option<&str>,
    community: Option<&str>,
) -> Result<usize, HubStoreError> {
    let mut n = 0;
    for (kind, key) in [(RouteKind::Grid, grid), (RouteKind::Community, community)] {
        if let Some(key) = key {
            store.put_route(&Route {
                kind,
                key: key.to_string(),
                station: station.to_string(),
            })?;
            n += 1;
        }
    }
    Ok(n)
}
