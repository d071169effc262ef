//! The HTTP surface: router, the middleware every answer passes (version header, timeout,
//! counting), token checks and the small parsers shared by the handlers.

use super::HubConfig;
use super::auth::{self, Principal};
use super::error::ApiError;
use super::gate;
use super::handlers;
use super::limit::{Failures, Limiter};
use super::metrics::Metrics;
use super::serve::Caps;
use super::store::{HubStore, Role};
use crate::protocol::{MAX_BODY_BYTES, PROTOCOL_VERSION, VERSION_HEADER};
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::de::DeserializeOwned;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use tokio::sync::watch;

/// Everything a handler needs.
pub struct HubState {
    pub store: Arc<dyn HubStore>,
    pub config: HubConfig,
    pub limiter: Limiter,
    /// Failed authentications by address.
    pub failures: Failures,
    /// Open connections.
    pub caps: Arc<Caps>,
    pub metrics: Metrics,
    /// Turns true when the hub begins shutting down: long-polls answer at once.
    pub stopping: watch::Receiver<bool>,
}

/// The hub's routes under `/v1`, plus health and metrics.
pub fn router(state: Arc<HubState>) -> Router {
    Router::new()
        .route("/v1/intake", post(handlers::intake))
        .route("/v1/sync", get(handlers::pull).post(handlers::push))
        .route("/v1/sync/heads", get(super::receipts::heads))
        .route("/v1/incidents/{id}", get(handlers::incident))
        .route("/v1/police/feed", get(handlers::police_feed))
        .route("/v1/police/ack", post(handlers::police_ack))
        .route("/v1/stats", get(handlers::stats))
        .route("/v1/report", get(super::district::report))
        .route("/healthz", get(handlers::healthz))
        .route("/metrics", get(handlers::metrics))
        .route("/v1/openapi.json", get(super::openapi::document))
        .merge(super::open311::routes())
        .fallback(handlers::not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(state.clone(), gate::gate))
        .layer(middleware::from_fn_with_state(state.clone(), around))
        .layer(middleware::from_fn(super::open311::spec_errors))
        .layer(middleware::from_fn_with_state(state.clone(), latency))
        .with_state(state)
}

/// `/metrics` alone, open to anyone who can reach its own address (`--metrics-listen`).
pub fn metrics_router(state: Arc<HubState>) -> Router {
    Router::new()
        .route("/metrics", get(handlers::metrics))
        .fallback(handlers::not_found)
        .layer(middleware::from_fn_with_state(state.clone(), around))
        .layer(middleware::from_fn_with_state(state.clone(), latency))
        .with_state(state)
}

/// Observes how long each answer took, by route pattern, method and status (outermost, so
/// timeouts and refusals count too).
async fn latency(State(state): State<Arc<HubState>>, req: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or_else(|| "-".to_string(), |p| p.as_str().to_string());
    let response = next.run(req).await;
    let status = response.status().as_u16();
    let took = started.elapsed();
    state.metrics.latency.observe(&route, &method, status, took);
    response
}

/// Times every request out, stamps the protocol version and counts the answer.
async fn around(State(state): State<Arc<HubState>>, req: Request, next: Next) -> Response {
    let limit = state.config.request_timeout;
    let m = &state.metrics;
    m.in_flight.fetch_add(1, Ordering::Relaxed);
    let answer = tokio::time::timeout(limit, next.run(req)).await;
    m.in_flight.fetch_sub(1, Ordering::Relaxed);
    let mut response = match answer {
        Ok(r) => r,
        Err(_) => ApiError::Unavailable.into_response(),
    };
    Metrics::inc(&m.requests);
    let status = response.status();
    if status.is_client_error() {
        Metrics::inc(&m.client_errors);
    }
    if status == StatusCode::TOO_MANY_REQUESTS {
        Metrics::inc(&m.rate_limited);
    }
    if status.is_server_error() {
        Metrics::inc(&m.server_errors);
    }
    response
        .headers_mut()
        .insert(VERSION_HEADER, HeaderValue::from_static(PROTOCOL_VERSION));
    response
}

/// Runs blocking store work off the async threads.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|_| ApiError::Unavailable)?
}

/// Checks the bearer token and the role.
pub async fn check_token(
    state: &Arc<HubState>,
    headers: &HeaderMap,
    role: Role,
) -> Result<Principal, ApiError> {
    let bad = || ApiError::Unauthorized("the token is not valid at this hub".into());
    let value = headers
        .get(axum::http::header::AUTHORIZATION)
        .ok_or_else(|| {
            ApiError::Unauthorized("missing token: send `Authorization: Bearer TOKEN`".into())
        })?
        .to_str()
        .map_err(|_| bad())?;
    let token = value
        .strip_prefix("Bearer ")
        .ok_or_else(|| {
            ApiError::Unauthorized("the Authorization header must be `Bearer TOKEN`".into())
        })?
        .trim()
        .to_string();
    let store = state.store.clone();
    let principal = blocking(move || {
        let parts = auth::parse_token(&token).ok_or_else(bad)?;
        match store.credential(parts.station, parts.id)? {
            Some(credential) => auth::verify(&parts, &credential).ok_or_else(bad),
            None => {
                // Spend the same work as a real check, so timing does not tell which ids exist.
                let _ = auth::verify(&parts, &auth::decoy());
                Err(bad())
            }
        }
    })
    .await?;
    if principal.role != role {
        return Err(ApiError::Forbidden(format!(
            "this token is for the {} role; this endpoint needs the {} role",
            principal.role.code(),
            role.code()
        )));
    }
    Ok(principal)
}

/// Whether the caller's token is still the one the hub holds (not rotated since).
pub async fn still_valid(state: &Arc<HubState>, principal: &Principal) -> Result<bool, ApiError> {
    let store = state.store.clone();
    let (id, hash) = (principal.id.clone(), principal.token_hash.clone());
    let station = principal.role == Role::Station;
    blocking(move || {
        Ok(store
            .credential(station, &id)?
            .is_some_and(|c| auth::constant_time_eq(c.token_hash.as_bytes(), hash.as_bytes())))
    })
    .await
}

/// Reads a JSON body, naming the field that is wrong.
pub fn parse_json<T: DeserializeOwned>(body: Result<Bytes, BytesRejection>) -> Result<T, ApiError> {
    let bytes = body.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::TooLarge(MAX_BODY_BYTES)
        } else {
            ApiError::field("body", r.body_text())
        }
    })?;
    let mut de = serde_json::Deserializer::from_slice(&bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." {
            "body".to_string()
        } else {
            path
        };
        ApiError::field(&field, e.inner().to_string())
    })?;
    de.end()
        .map_err(|e| ApiError::field("body", format!("trailing characters after the JSON: {e}")))?;
    Ok(value)
}

/// Reads `name=integer` pairs from a query string.
pub fn query_int(query: Option<&str>, name: &str) -> Result<Option<i64>, ApiError> {
    let Some(q) = query else { return Ok(None) };
    for pair in q.split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        if k == name {
            return v
                .parse::<i64>()
                .map(Some)
                .map_err(|_| ApiError::field(name, format!("`{v}` is not a whole number")));
        }
    }
    Ok(None)
}

/// Counts a long-poll.
pub fn count_poll(state: &HubState) {
    state.metrics.long_polls.fetch_add(1, Ordering::Relaxed);
}
