//! `GET /v1/report?from=&to=` (district role): each station's figures, with the same keys as
//! `fenliu report --format json`, and the ranking of stations, computed from the hub's events by
//! the same pure code as the console's report.

use super::error::ApiError;
use super::gate::Caller;
use super::http::{HubState, blocking};
use super::store::{HubStore, HubStoreError};
use crate::domain::{Event, SlaPolicy};
use crate::report::district::{DistrictReport, district};
use crate::report::{Params, Tally, Targets, period};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use std::sync::Arc;

/// Events read from the store at a time.
const PAGE: usize = 5000;

/// The period asked for: days (station time) or RFC 3339 moments.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    pub from: Option<String>,
    pub to: Option<String>,
}

/// `GET /v1/report`.
pub async fn report(
    State(state): State<Arc<HubState>>,
    _caller: Caller,
    query: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<Json<DistrictReport>, ApiError> {
    let Query(q) = query.map_err(|e| ApiError::field("query", e.body_text()))?;
    let tz = state.config.timezone;
    let (from, to) = period::period(
        q.from.as_deref(),
        q.to.as_deref(),
        tz,
        state.config.clock.now(),
        ("from", "to"),
    )
    .map_err(|e| ApiError::field("period", e))?;
    let store = state.store.clone();
    let report = blocking(move || Ok(district_report(store.as_ref(), from, to, tz)?)).await?;
    Ok(Json(report))
}

/// The district report over every event `store` holds, by the default rules (Wenling's limits
/// and targets).
pub fn district_report(
    store: &dyn HubStore,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    tz: Tz,
) -> Result<DistrictReport, HubStoreError> {
    let stations: Vec<(String, String)> = store
        .stations()?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    let tally = tally_of(|after| {
        Ok(store
            .all_events(after, PAGE)?
            .into_iter()
            .map(|e| (e.seq, e.event))
            .collect())
    })?;
    Ok(district(&tally, &stations, &params(from, to, tz)))
}

/// The rules the hub reports by.
pub fn params(from: DateTime<Utc>, to: DateTime<Utc>, tz: Tz) -> Params {
    Params {
        from,
        to,
        station: None,
        policy: SlaPolicy::default(),
        targets: Targets::default(),
        tz,
        drills: false,
    }
}

/// One pass over the events `page` gives after each sequence number, until it gives none.
pub fn tally_of(
    mut page: impl FnMut(i64) -> Result<Vec<(i64, Event)>, HubStoreError>,
) -> Result<Tally, HubStoreError> {
    let mut tally = Tally::default();
    let mut after = 0;
    loop {
        let events = page(after)?;
        let Some((last, _)) = events.last() else {
            return Ok(tally);
        };
        after = *last;
        for (seq, event) in &events {
            tally.add(*seq, event);
        }
    }
}
