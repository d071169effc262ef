//! The handlers behind each route: authenticate, parse, call the store, answer.

use super::auth::Principal;
use super::error::ApiError;
use super::gate::Caller;
use super::http::{HubState, blocking, count_poll, parse_json, query_int, still_valid};
use super::metrics::Metrics;
use super::routing::{self, RouteAnswer};
use super::store::{
    EventPage, HubStore, IntakeOutcome, NewIntake, PolicePage, Push, StationRecord,
};
use super::times;
use crate::domain::{Actor, Incident, IncidentId, TriageDecision};
use crate::protocol::{
    IntakeRequest, MAX_PAGE, MAX_WAIT_SECS, PoliceAck, PoliceFeed, PushOutcome, PushRequest,
    PushResponse, SeqEvent, SyncPage,
};
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

type Api<T> = Result<T, ApiError>;

/// `POST /v1/intake`.
pub async fn intake(
    State(state): State<Arc<HubState>>,
    Caller(principal): Caller,
    body: Result<Bytes, BytesRejection>,
) -> Api<Response> {
    let request: IntakeRequest = parse_json(body)?;
    let outcome = take_in(&state, &principal, request, |triage| triage).await?;
    let status = if outcome.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(outcome.response)).into_response())
}

/// Checks, routes, triages and records one intake of `principal`: the one way in for
/// `/v1/intake` and Open311 alike. `refine` sees the classifier's decision on the text and
/// returns the one recorded. Routing, triage and the write run in one trip off the runtime.
pub(super) async fn take_in(
    state: &Arc<HubState>,
    principal: &Principal,
    request: IntakeRequest,
    refine: impl FnOnce(Option<TriageDecision>) -> Option<TriageDecision> + Send + 'static,
) -> Api<IntakeOutcome> {
    let request = routing::check_intake(request)?;
    let clock = state.config.clock.now();
    if let Some(at) = request.received_at {
        times::check_time(at, clock).map_err(|m| ApiError::field("received_at", m))?;
    }
    let now = clock.min(request.received_at.unwrap_or(DateTime::<Utc>::MAX_UTC));
    let day = now.with_timezone(&state.config.timezone).date_naive();
    let (store, classifier) = (state.store.clone(), state.config.classifier.clone());
    let operator = principal.id.clone();
    let outcome = blocking(move || {
        let station = route_of(store.as_ref(), &request)?;
        let triage = refine(classifier(&request.text));
        let actor = Actor {
            operator,
            station: station.id.clone(),
            device: "hub".into(),
        };
        Ok(store.intake(NewIntake {
            request,
            station,
            day,
            triage,
            actor,
            now,
            drill: false,
        })?)
    })
    .await?;
    let m = &state.metrics;
    Metrics::inc(if outcome.created {
        &m.intake_created
    } else {
        &m.intake_repeated
    });
    Ok(outcome)
}

/// The station an intake goes to, by its station, grid or community (blocking reads).
fn route_of(store: &dyn HubStore, req: &IntakeRequest) -> Api<StationRecord> {
    match routing::decide(req) {
        RouteAnswer::Station(id) => Ok(store.station(&id)?.ok_or_else(|| {
            ApiError::Unroutable(format!("station {id} is not known to this hub"))
        })?),
        RouteAnswer::Lookup(order) => {
            for (kind, key) in order {
                if let Some(id) = store.route(kind, &key)? {
                    return store.station(&id)?.ok_or_else(|| {
                        ApiError::Unroutable(format!(
                            "the route for {} {key} names unknown station {id}",
                            kind.code()
                        ))
                    });
                }
            }
            Err(ApiError::Unroutable(routing::unroutable_message(req)))
        }
        RouteAnswer::Nothing => Err(ApiError::Unroutable(routing::unroutable_message(req))),
    }
}

/// The wait a poll asked for, capped at the protocol's longest and the hub's own cap.
fn wait_of(query: Option<&str>, cap: Duration) -> Api<Duration> {
    let wait = query_int(query, "wait")?.unwrap_or(0);
    if wait < 0 {
        return Err(ApiError::field("wait", "must be 0 or more seconds"));
    }
    Ok(Duration::from_secs((wait as u64).min(MAX_WAIT_SECS)).min(cap))
}

fn after_of(query: Option<&str>) -> Api<i64> {
    let after = query_int(query, "after")?.unwrap_or(0);
    if after < 0 {
        return Err(ApiError::field("after", "must be 0 or more"));
    }
    Ok(after)
}

fn limit_of(query: Option<&str>) -> Api<usize> {
    let limit = query_int(query, "limit")?.unwrap_or(MAX_PAGE as i64);
    if limit < 1 {
        return Err(ApiError::field("limit", "must be at least 1"));
    }
    Ok((limit as usize).min(MAX_PAGE))
}

/// How a long-poll reads its answer: `quick` from memory without blocking when it can, else
/// `fetch` off the runtime; it sleeps on `commits` between tries.
struct Source<Q, F> {
    commits: tokio::sync::watch::Receiver<i64>,
    quick: Q,
    fetch: F,
}

/// Polls until there is something, the wait ends, or the hub stops. The caller's token is
/// checked again before anything is answered and at every revocation check, so a rotated token's
/// poll ends at once with 401.
async fn long_poll<T: Send + 'static, Q, F>(
    state: &Arc<HubState>,
    principal: &Principal,
    wait: Duration,
    empty: impl Fn(&T) -> bool,
    source: Source<Q, F>,
) -> Api<T>
where
    Q: Fn() -> Option<T>,
    F: Fn() -> Api<T> + Send + Sync + Clone + 'static,
{
    count_poll(state);
    let deadline = Instant::now() + wait;
    let Source {
        mut commits,
        quick,
        fetch,
    } = source;
    let mut stopping = state.stopping.clone();
    let check = state.config.revocation_check;
    let revoked =
        || ApiError::Unauthorized("the token was replaced (rotate-token); use the new one".into());
    let mut waited = false;
    loop {
        let page = match quick() {
            Some(page) => page,
            None => blocking(fetch.clone()).await?,
        };
        let done = !empty(&page) || Instant::now() >= deadline || *stopping.borrow();
        if done {
            if waited && !empty(&page) && !still_valid(state, principal).await? {
                return Err(revoked());
            }
            return Ok(page);
        }
        tokio::select! {
            changed = commits.changed() => if changed.is_err() { return Ok(page) },
            _ = tokio::time::sleep_until(deadline) => {},
            _ = stopping.changed() => {},
            _ = tokio::time::sleep(check) => {
                if !still_valid(state, principal).await? {
                    return Err(revoked());
                }
            },
        }
        waited = true;
    }
}

/// `GET /v1/sync?after=SEQ&wait=SECONDS&limit=N`.
pub async fn pull(
    State(state): State<Arc<HubState>>,
    Caller(principal): Caller,
    RawQuery(query): RawQuery,
) -> Api<Json<SyncPage>> {
    let q = query.as_deref();
    let (after, wait, limit) = (
        after_of(q)?,
        wait_of(q, state.config.max_wait)?,
        limit_of(q)?,
    );
    let (store, memory) = (state.store.clone(), state.store.clone());
    let (station, here) = (principal.id.clone(), principal.id.clone());
    let source = Source {
        commits: state.store.subscribe_station(&principal.id),
        quick: move || memory.events_in_memory(&here, after, limit),
        fetch: move || Ok(store.events_after(&station, after, limit)?),
    };
    let page: EventPage = long_poll(
        &state,
        &principal,
        wait,
        |p: &EventPage| p.events.is_empty(),
        source,
    )
    .await?;
    state
        .metrics
        .delivered(&page.events, state.config.clock.now());
    let last_seq = page.events.last().map_or(after, |e| e.seq);
    let committed = *state.store.subscribe().borrow();
    let hub_seq = page
        .events
        .last()
        .map_or(committed, |e| e.seq.max(committed));
    Ok(Json(SyncPage {
        events: page.events,
        last_seq,
        more: page.more,
        hub_time: state.config.clock.now(),
        hub: state.store.identity(),
        hub_seq,
    }))
}

/// `POST /v1/sync`.
pub async fn push(
    State(state): State<Arc<HubState>>,
    Caller(principal): Caller,
    body: Result<Bytes, BytesRejection>,
) -> Api<Json<PushResponse>> {
    let request: PushRequest = parse_json(body)?;
    if request.events.len() > MAX_PAGE {
        return Err(ApiError::field(
            "events",
            format!("at most {MAX_PAGE} events per batch"),
        ));
    }
    let head = super::receipts::check_head(request.head)?;
    let store = state.store.clone();
    let push = Push {
        station: principal.id,
        events: request.events,
        now: state.config.clock.now(),
        head,
    };
    let results = blocking(move || Ok(store.push(push)?)).await?;
    let m = &state.metrics;
    for r in &results {
        Metrics::inc(match r {
            PushOutcome::Accepted { .. } => &m.push_accepted,
            PushOutcome::Duplicate { .. } => &m.push_duplicate,
            PushOutcome::Rejected { .. } => &m.push_rejected,
        });
    }
    Ok(Json(PushResponse {
        results,
        hub_time: state.config.clock.now(),
    }))
}

/// An item with its history, as `GET /v1/incidents/{id}` answers.
#[derive(Debug, Serialize)]
pub struct IncidentView {
    pub incident: Incident,
    pub events: Vec<SeqEvent>,
}

/// `GET /v1/incidents/{id}`: one of the station's own items.
pub async fn incident(
    State(state): State<Arc<HubState>>,
    Caller(principal): Caller,
    id: Result<Path<String>, axum::extract::rejection::PathRejection>,
) -> Api<Json<IncidentView>> {
    let Path(raw) = id.map_err(|e| ApiError::field("id", e.body_text()))?;
    let id = IncidentId::parse(&raw)
        .ok_or_else(|| ApiError::field("id", format!("`{raw}` is not an item id (a UUID)")))?;
    let store = state.store.clone();
    let found = blocking(move || Ok(store.incident(id)?)).await?;
    // Another station's item is answered exactly like an unknown one.
    match found {
        Some((incident, events)) if incident.station == principal.id => {
            Ok(Json(IncidentView { incident, events }))
        }
        _ => Err(ApiError::NotFound(
            "the hub has no such item for this station".into(),
        )),
    }
}

/// `GET /v1/police/feed?after=SEQ&wait=SECONDS`.
pub async fn police_feed(
    State(state): State<Arc<HubState>>,
    Caller(principal): Caller,
    RawQuery(query): RawQuery,
) -> Api<Json<PoliceFeed>> {
    let q = query.as_deref();
    let (after, wait, limit) = (
        after_of(q)?,
        wait_of(q, state.config.max_wait)?,
        limit_of(q)?,
    );
    let store = state.store.clone();
    let source = Source {
        commits: state.store.subscribe(),
        quick: || None,
        fetch: move || Ok(store.police_feed(after, limit)?),
    };
    let page: PolicePage = long_poll(
        &state,
        &principal,
        wait,
        |p: &PolicePage| p.items.is_empty(),
        source,
    )
    .await?;
    let last_seq = page.items.last().map_or(after, |i| i.seq);
    Ok(Json(PoliceFeed {
        items: page.items,
        last_seq,
        more: page.more,
        hub_time: state.config.clock.now(),
    }))
}

/// `POST /v1/police/ack`.
pub async fn police_ack(
    State(state): State<Arc<HubState>>,
    Caller(principal): Caller,
    body: Result<Bytes, BytesRejection>,
) -> Api<Json<serde_json::Value>> {
    let ack: PoliceAck = parse_json(body)?;
    let store = state.store.clone();
    let now = state.config.clock.now();
    let found = blocking(move || Ok(store.police_ack(ack.id, &principal.id, now)?)).await?;
    if !found {
        return Err(ApiError::NotFound(format!(
            "item {} was not handed to the police",
            ack.id
        )));
    }
    Ok(Json(serde_json::json!({ "id": ack.id, "acked": true })))
}

/// `GET /v1/stats`.
pub async fn stats(
    State(state): State<Arc<HubState>>,
    _caller: Caller,
) -> Api<Json<crate::protocol::Stats>> {
    let store = state.store.clone();
    Ok(Json(blocking(move || Ok(store.stats()?)).await?))
}

/// `GET /healthz`.
pub async fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

/// `GET /metrics`.
pub async fn metrics(State(state): State<Arc<HubState>>) -> Response {
    let last = *state.store.subscribe().borrow();
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        state.metrics.render(last, state.caps.open()),
    )
        .into_response()
}

/// Anything else.
pub async fn not_found() -> ApiError {
    ApiError::NotFound("no such endpoint; see DESIGN §6 for the hub protocol".into())
}
