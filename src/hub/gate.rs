//! The gate every request passes before its handler: the caller's token is checked before a byte
//! of the body is read, addresses that keep failing authentication are slowed down, the body must
//! arrive within its deadline, and one log line records the request.

use super::auth::Principal;
use super::error::ApiError;
use super::http::{HubState, check_token};
use super::reqlog::RequestLine;
use super::store::Role;
use crate::protocol::MAX_BODY_BYTES;
use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, MatchedPath, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The authenticated caller, put in the request by the gate.
#[derive(Debug, Clone)]
pub struct Caller(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Caller>()
            .cloned()
            .ok_or_else(|| ApiError::Unauthorized("missing token".into()))
    }
}

/// The role a route needs; `None` for routes anyone may call.
pub fn role_of(route: &str) -> Option<Role> {
    match route {
        "/v1/intake" => Some(Role::Intake),
        "/v1/sync" | "/v1/sync/heads" | "/v1/incidents/{id}" => Some(Role::Station),
        "/v1/police/feed" | "/v1/police/ack" => Some(Role::Police),
        "/v1/stats" | "/v1/report" | "/metrics" => Some(Role::District),
        _ => None,
    }
}

/// The peer's address (the connection's, set by the server loop).
pub fn peer_of(req: &Request) -> SocketAddr {
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0)), |c| c.0)
}

/// Authenticates, reads the body within its deadline, runs the handler and logs the request.
pub async fn gate(State(state): State<Arc<HubState>>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let peer = peer_of(&req);
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "-".to_string(), |p| p.as_str().to_string());
    let mut caller = "-".to_string();
    let sends_body = has_body(&req);
    let mut body_read = false;
    let mut response = match admit(&state, req, peer.ip(), &route, &mut caller).await {
        Ok(req) => {
            body_read = req.method() == Method::POST;
            next.run(req).await
        }
        Err((e, unread)) => {
            if let Some(body) = unread {
                linger(&state, body);
            }
            e.into_response()
        }
    };
    if sends_body && !body_read {
        // The connection cannot carry another request after a body left unread: say so, so
        // that the client does not send its next request on it.
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    (state.config.request_log)(&RequestLine {
        at: state.config.clock.now(),
        caller,
        peer,
        method: method.to_string(),
        route,
        status: response.status().as_u16(),
        duration: started.elapsed(),
    });
    response
}

/// Checks `headers`' token for `role` from `ip`: an address that keeps failing must wait, and a
/// caller over its rate is refused.
pub async fn authenticate(
    state: &Arc<HubState>,
    headers: &HeaderMap,
    ip: IpAddr,
    role: Role,
) -> Result<Principal, ApiError> {
    let now = Instant::now();
    if let Some(wait) = state.failures.blocked(ip, now) {
        return Err(ApiError::AuthLimited(wait.as_secs().max(1)));
    }
    let principal = check_token(state, headers, role).await.inspect_err(|e| {
        if matches!(e, ApiError::Unauthorized(_)) {
            state.failures.record(ip, now);
        }
    })?;
    let key = format!("{}:{}", principal.role.code(), principal.id);
    if !state.limiter.allow(&key, now) {
        return Err(ApiError::RateLimited(principal.id));
    }
    Ok(principal)
}

/// A refusal, with the body left unread when there is one.
type Refusal = (ApiError, Option<Body>);

async fn admit(
    state: &Arc<HubState>,
    req: Request,
    ip: IpAddr,
    route: &str,
    caller: &mut String,
) -> Result<Request, Refusal> {
    let mut req = req;
    let refuse = |e: ApiError, req: Request| Err((e, has_body(&req).then(|| req.into_body())));
    if let Some(role) = role_of(route) {
        let principal = match authenticate(state, req.headers(), ip, role).await {
            Ok(p) => p,
            Err(e) => return refuse(e, req),
        };
        *caller = principal.id.clone();
        req.extensions_mut().insert(Caller(principal));
    }
    if req.method() == Method::POST {
        req = read_body(state, req).await.map_err(|e| (e, None))?;
    } else if has_body(&req) {
        let (parts, body) = req.into_parts();
        linger(state, body);
        req = Request::from_parts(parts, Body::empty());
    }
    Ok(req)
}

fn has_body(req: &Request) -> bool {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    declared.is_some_and(|n| n > 0) || req.headers().contains_key(header::TRANSFER_ENCODING)
}

/// How long a body that will not be used is still read (and dropped) after the answer, so that
/// the client, still sending, gets to read the answer instead of a reset connection.
const LINGER: Duration = Duration::from_secs(2);

/// Most bytes of an unused body read and dropped (more than a body may hold, so that an
/// oversized upload still gets to read its 413).
const LINGER_BYTES: usize = 8 * MAX_BODY_BYTES;

/// Reads and discards `body` in the background for at most [`LINGER`] (nothing is kept).
fn linger(state: &Arc<HubState>, body: Body) {
    let mut stopping = state.stopping.clone();
    let wait = LINGER.min(state.config.limits.body_timeout);
    tokio::spawn(async move {
        let mut body = body;
        let mut seen = 0usize;
        let drain = async {
            while let Some(Ok(frame)) = body.frame().await {
                seen += frame.data_ref().map_or(0, |d| d.len());
                if seen > LINGER_BYTES {
                    break;
                }
            }
        };
        tokio::select! {
            _ = tokio::time::timeout(wait, drain) => {},
            _ = stopping.wait_for(|s| *s) => {},
        }
    });
}

/// Reads the whole body within the body deadline (abandoned at once when the hub stops).
async fn read_body(state: &Arc<HubState>, req: Request) -> Result<Request, ApiError> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Err(ApiError::TooLarge(MAX_BODY_BYTES));
    }
    let (parts, body) = req.into_parts();
    let deadline = state.config.limits.body_timeout;
    let mut stopping = state.stopping.clone();
    let read = Limited::new(body, MAX_BODY_BYTES).collect();
    let collected = tokio::select! {
        r = tokio::time::timeout(deadline, read) => r,
        _ = stopping.wait_for(|s| *s) => return Err(ApiError::Unavailable),
    };
    let bytes = match collected {
        Err(_) => return Err(ApiError::SlowBody(deadline.as_secs())),
        Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => {
            return Err(ApiError::TooLarge(MAX_BODY_BYTES));
        }
        Ok(Err(_)) => return Err(ApiError::field("body", "the body was cut off")),
        Ok(Ok(c)) => c.to_bytes(),
    };
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_v1_route_needs_a_role_and_health_does_not() {
        assert_eq!(role_of("/v1/intake"), Some(Role::Intake));
        assert_eq!(role_of("/v1/incidents/{id}"), Some(Role::Station));
        assert_eq!(role_of("/v1/police/ack"), Some(Role::Police));
        assert_eq!(role_of("/metrics"), Some(Role::District));
        assert_eq!(role_of("/healthz"), None);
        assert_eq!(role_of("-"), None);
    }
}
