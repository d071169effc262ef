//! Reads of the PostgreSQL backend: pages of events, item histories, the police feed and
//! statistics.

use super::super::queries::tally;
use super::super::{
    Credential, EventPage, HubStoreError, PolicePage, Role, RouteKind, StationRecord,
};
use crate::domain::{Event, Incident, IncidentId};
use crate::protocol::{PoliceItem, SeqEvent, Stats};
use sqlx_core::query::query;
use sqlx_core::row::Row;
use sqlx_postgres::{PgConnection, PgPool, PgRow, Postgres};

pub(super) fn parse<T: serde::de::DeserializeOwned>(
    what: &str,
    body: &str,
) -> Result<T, HubStoreError> {
    serde_json::from_str(body).map_err(|e| HubStoreError::Corrupt(format!("stored {what}: {e}")))
}

fn seq_events(rows: Vec<PgRow>) -> Result<Vec<SeqEvent>, HubStoreError> {
    rows.iter()
        .map(|r| {
            let body: String = r.try_get(1)?;
            Ok(SeqEvent {
                seq: r.try_get(0)?,
                event: parse::<Event>("event", &body)?,
            })
        })
        .collect()
}

/// The station's events after `after`, at most `limit`.
pub(super) async fn events_after(
    pool: &PgPool,
    station: &str,
    after: i64,
    limit: usize,
) -> Result<EventPage, HubStoreError> {
    let rows = query::<Postgres>(
        "SELECT seq, body FROM events WHERE station = $1 AND seq > $2 ORDER BY seq LIMIT $3",
    )
    .bind(station)
    .bind(after)
    .bind((limit + 1) as i64)
    .fetch_all(pool)
    .await?;
    let mut events = seq_events(rows)?;
    let more = events.len() > limit;
    events.truncate(limit);
    Ok(EventPage { events, more })
}

/// Every station's events after `after`, in sequence order.
pub(super) async fn all_events(
    pool: &PgPool,
    after: i64,
    limit: usize,
) -> Result<Vec<SeqEvent>, HubStoreError> {
    let rows =
        query::<Postgres>("SELECT seq, body FROM events WHERE seq > $1 ORDER BY seq LIMIT $2")
            .bind(after)
            .bind(limit as i64)
            .fetch_all(pool)
            .await?;
    seq_events(rows)
}

/// One stored item.
pub(super) async fn load_incident(
    c: &mut PgConnection,
    id: IncidentId,
) -> Result<Option<Incident>, HubStoreError> {
    let row = query::<Postgres>("SELECT body FROM incidents WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(&mut *c)
        .await?;
    match row {
        Some(r) => Ok(Some(parse("item", &r.try_get::<String, _>(0)?)?)),
        None => Ok(None),
    }
}

/// An item's events in sequence order.
pub(super) async fn events_of(
    c: &mut PgConnection,
    id: IncidentId,
) -> Result<Vec<SeqEvent>, HubStoreError> {
    let rows = query::<Postgres>("SELECT seq, body FROM events WHERE incident = $1 ORDER BY seq")
        .bind(id.to_string())
        .fetch_all(&mut *c)
        .await?;
    seq_events(rows)
}

/// Items handed to the police after feed position `after`.
pub(super) async fn police_feed(
    pool: &PgPool,
    after: i64,
    limit: usize,
) -> Result<PolicePage, HubStoreError> {
    let mut c = pool.acquire().await?;
    let rows = query::<Postgres>(
        "SELECT seq, incident, acked_at FROM police_feed WHERE seq > $1 ORDER BY seq LIMIT $2",
    )
    .bind(after)
    .bind((limit + 1) as i64)
    .fetch_all(&mut *c)
    .await?;
    let more = rows.len() > limit;
    let mut items = Vec::new();
    for r in rows.iter().take(limit) {
        let id: String = r.try_get(1)?;
        let acked: Option<String> = r.try_get(2)?;
        let id = IncidentId::parse(&id)
            .ok_or_else(|| HubStoreError::Corrupt(format!("police feed item {id}")))?;
        let incident = load_incident(&mut c, id)
            .await?
            .ok_or_else(|| HubStoreError::Corrupt(format!("police feed item {id}")))?;
        let events = events_of(&mut c, id)
            .await?
            .into_iter()
            .map(|e| e.event)
            .collect();
        items.push(PoliceItem {
            seq: r.try_get(0)?,
            incident,
            events,
            acked: acked.is_some(),
        });
    }
    Ok(PolicePage { items, more })
}

/// Counts per station.
pub(super) async fn stats(pool: &PgPool) -> Result<Stats, HubStoreError> {
    let rows = query::<Postgres>(
        "SELECT s.id, i.status, COUNT(i.id) FROM stations s
         LEFT JOIN incidents i ON i.station = s.id GROUP BY s.id, i.status ORDER BY s.id",
    )
    .fetch_all(pool)
    .await?;
    let rows = rows
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect::<Result<Vec<_>, sqlx_core::Error>>()?;
    let totals = query::<Postgres>("SELECT COUNT(*), MAX(seq) FROM events")
        .fetch_one(pool)
        .await?;
    Ok(tally(rows, totals.try_get(0)?, totals.try_get(1)?))
}

/// A station's or a connector's credential, as the database holds it.
pub(super) async fn credential(
    pool: &PgPool,
    station: bool,
    id: &str,
) -> Result<Option<Credential>, HubStoreError> {
    if station {
        let row = query::<Postgres>("SELECT token_hash FROM stations WHERE id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await?;
        return Ok(match row {
            Some(r) => Some(Credential {
                id: id.to_string(),
                role: Role::Station,
                token_hash: r.try_get(0)?,
            }),
            None => None,
        });
    }
    let row = query::<Postgres>("SELECT role, token_hash FROM connectors WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await?;
    let Some(r) = row else { return Ok(None) };
    let role: String = r.try_get(0)?;
    let role = Role::parse(&role)
        .ok_or_else(|| HubStoreError::Corrupt(format!("connector role {role}")))?;
    Ok(Some(Credential {
        id: id.to_string(),
        role,
        token_hash: r.try_get(1)?,
    }))
}

/// A station, as the database holds it.
pub(super) async fn station(
    pool: &PgPool,
    id: &str,
) -> Result<Option<StationRecord>, HubStoreError> {
    let row = query::<Postgres>("SELECT id, name, prefix FROM stations WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await?;
    Ok(row.as_ref().map(super::station_of).transpose()?)
}

/// The station a route names, as the database holds it.
pub(super) async fn route(
    pool: &PgPool,
    kind: RouteKind,
    key: &str,
) -> Result<Option<String>, HubStoreError> {
    let row = query::<Postgres>("SELECT station FROM routes WHERE kind = $1 AND key = $2")
        .bind(kind.code())
        .bind(key)
        .fetch_optional(pool)
        .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}
