//! Open311 GeoReport v2 beside `/v1/intake`: the responsibility list as services, service
//! requests posted form-encoded by an intake connector (its token as `api_key`) and taken in
//! exactly as `/v1/intake` takes them, public reads of their status, and errors in the spec's
//! `[{code, description}]` form.

mod form;
mod view;
mod xml;

pub use view::{RequestView, Service};

use super::error::ApiError;
use super::gate::{authenticate, peer_of};
use super::handlers::take_in;
use super::http::{HubState, blocking};
use super::store::{HubStore, HubStoreError, Role};
use crate::domain::{EventKind, IncidentId};
use crate::protocol::{ErrorBody, MAX_PAGE};
use crate::triage::ResponsibilityList;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, TimeDelta, Utc};
use std::net::IpAddr;
use std::sync::{Arc, OnceLock};

/// What an Open311 request's `source_ref` starts with: only such items are Open311's to show.
pub const REF_PREFIX: &str = "open311:";

/// Longest `start_date`..`end_date` span a list may ask for.
const MAX_SPAN_DAYS: i64 = 90;

/// Most requests one list answers.
const MAX_LIST: usize = 1000;

type Api<T> = Result<T, ApiError>;

/// The embedded responsibility list, read once (empty if it cannot be read, which its own
/// tests rule out).
pub fn embedded_list() -> Arc<ResponsibilityList> {
    static LIST: OnceLock<Arc<ResponsibilityList>> = OnceLock::new();
    LIST.get_or_init(|| {
        Arc::new(
            crate::triage::parse(crate::triage::EMBEDDED_LIST).unwrap_or(ResponsibilityList {
                version: String::new(),
                effective_date: String::new(),
                categories: Vec::new(),
            }),
        )
    })
    .clone()
}

/// The routes under `/open311/v2`, all public as far as the gate goes: the api_key is checked
/// here.
pub fn routes() -> Router<Arc<HubState>> {
    Router::new()
        .route("/open311/v2/services.json", get(services))
        .route("/open311/v2/services.xml", get(services_xml))
        .route("/open311/v2/services/{file}", get(definition))
        .route("/open311/v2/requests.json", get(list).post(post))
        .route("/open311/v2/requests/{file}", get(one))
}

/// `GET /open311/v2/services.json`.
async fn services(State(state): State<Arc<HubState>>) -> Json<Vec<Service>> {
    Json(view::services(&state.config.list))
}

/// `GET /open311/v2/services.xml`.
async fn services_xml(State(state): State<Arc<HubState>>) -> Response {
    xml_answer(
        StatusCode::OK,
        xml::services(&view::services(&state.config.list)),
    )
}

fn xml_answer(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
        body,
    )
        .into_response()
}

/// `GET /open311/v2/services/{code}.json` (or `.xml`).
async fn definition(State(state): State<Arc<HubState>>, Path(file): Path<String>) -> Api<Response> {
    let (code, as_xml) = match file.strip_suffix(".xml") {
        Some(code) if !code.is_empty() => (code, true),
        _ => (json_name(&file)?, false),
    };
    let category = view::category(&state.config.list, code)
        .ok_or_else(|| ApiError::NotFound(format!("no service {code} here")))?;
    let definition = view::Definition {
        service_code: category.code.clone(),
        attributes: Vec::new(),
    };
    Ok(if as_xml {
        xml_answer(StatusCode::OK, xml::definition(&definition))
    } else {
        Json(definition).into_response()
    })
}

/// `NAME.json` → `NAME`; other formats are not served (but services' XML).
fn json_name(file: &str) -> Api<&str> {
    file.strip_suffix(".json")
        .filter(|n| !n.is_empty())
        .ok_or_else(|| ApiError::NotFound(format!("`{file}`: this hub answers in .json here")))
}

/// The caller's address, for the limits.
fn ip_of(req: &Request) -> IpAddr {
    peer_of(req).ip()
}

/// The intake connector behind `api_key`, with the same failure and rate limits as `/v1`.
async fn connector(
    state: &Arc<HubState>,
    ip: IpAddr,
    api_key: &str,
) -> Api<super::auth::Principal> {
    let mut headers = HeaderMap::new();
    let value = HeaderValue::from_str(&format!("Bearer {api_key}"))
        .map_err(|_| ApiError::Unauthorized("api_key is not valid at this hub".into()))?;
    headers.insert(header::AUTHORIZATION, value);
    authenticate(state, &headers, ip, Role::Intake)
        .await
        .map_err(|e| match e {
            ApiError::Unauthorized(_) => {
                ApiError::Unauthorized("api_key is not valid at this hub".into())
            }
            other => other,
        })
}

/// Anonymous reads are rate-limited by address, like a caller of `/v1`.
fn limit_anonymous(state: &HubState, ip: IpAddr) -> Api<()> {
    let key = format!("open311:{ip}");
    if state.limiter.allow(&key, std::time::Instant::now()) {
        Ok(())
    } else {
        Err(ApiError::RateLimited(ip.to_string()))
    }
}

/// `POST /open311/v2/requests.json`: routed, triaged and recorded as `/v1/intake` does.
async fn post(State(state): State<Arc<HubState>>, req: Request) -> Api<Response> {
    let ip = ip_of(&req);
    let form_encoded = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form_encoded {
        return Err(ApiError::field(
            "body",
            "send the request form-encoded (application/x-www-form-urlencoded)",
        ));
    }
    let body = axum::body::to_bytes(req.into_body(), crate::protocol::MAX_BODY_BYTES)
        .await
        .map_err(|_| ApiError::TooLarge(crate::protocol::MAX_BODY_BYTES))?;
    let posted = form::read(&body)?;
    let principal = connector(&state, ip, &posted.api_key).await?;
    let hint = view::category(&state.config.list, &posted.service_code)
        .ok_or_else(|| {
            ApiError::field(
                "service_code",
                format!("`{}` is not a service here", posted.service_code),
            )
        })?
        .clone();
    let version = state.config.list.version.clone();
    let outcome = take_in(&state, &principal, posted.intake, move |decided| {
        view::with_hint(decided, &hint, &version)
    })
    .await
    .map_err(|e| match e {
        ApiError::BadRequest { field, message } => {
            ApiError::field(form::spec_field(&field), message)
        }
        other => other,
    })?;
    let r = &outcome.response;
    let status = if outcome.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let answer = serde_json::json!([{
        "service_request_id": r.id.to_string(),
        "service_notice": format!("已受理，编号 {}，转 {} 处置", r.reference, r.station),
        "account_id": null,
    }]);
    Ok((status, Json(answer)).into_response())
}

/// Whether the caller of a read holds the token that posted items (`api_key` given and valid).
async fn reader(state: &Arc<HubState>, ip: IpAddr, api_key: Option<&str>) -> Api<Option<String>> {
    match api_key {
        Some(key) => Ok(Some(connector(state, ip, key).await?.id)),
        None => limit_anonymous(state, ip).map(|()| None),
    }
}

/// Query pairs, each name once.
fn query_pairs(query: Option<&str>) -> Api<std::collections::HashMap<String, String>> {
    let mut pairs = std::collections::HashMap::new();
    for (k, v) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        if pairs.insert(k.to_string(), v.trim().to_string()).is_some() {
            return Err(ApiError::field(&k, "is given twice"));
        }
    }
    Ok(pairs)
}

/// An Open311 item with its poster, or None when it is not one (or a drill).
fn load(
    store: &dyn HubStore,
    id: IncidentId,
) -> Result<Option<(crate::domain::Incident, Option<String>)>, HubStoreError> {
    let Some((incident, events)) = store.incident(id)? else {
        return Ok(None);
    };
    let ours = incident
        .source_ref
        .as_deref()
        .is_some_and(|r| r.starts_with(REF_PREFIX));
    if !ours || incident.drill {
        return Ok(None);
    }
    let events: Vec<_> = events.into_iter().map(|e| e.event).collect();
    let poster = view::posted_by(&events).map(str::to_string);
    Ok(Some((incident, poster)))
}

/// `GET /open311/v2/requests/{id}.json`: a list of one, as the spec has it.
async fn one(
    State(state): State<Arc<HubState>>,
    Path(file): Path<String>,
    req: Request,
) -> Api<Json<Vec<RequestView>>> {
    let ip = ip_of(&req);
    let pairs = query_pairs(req.uri().query())?;
    let caller = reader(&state, ip, pairs.get("api_key").map(String::as_str)).await?;
    let name = json_name(&file)?;
    let missing = || ApiError::NotFound(format!("no service request {name} here"));
    let id = IncidentId::parse(name).ok_or_else(missing)?;
    let store = state.store.clone();
    let found = blocking(move || Ok(load(store.as_ref(), id)?)).await?;
    let (incident, poster) = found.ok_or_else(missing)?;
    let private = caller.is_some() && caller == poster;
    Ok(Json(vec![view::request(
        &incident,
        private,
        state.config.timezone,
    )]))
}

/// A W3C date-time.
fn date(
    pairs: &std::collections::HashMap<String, String>,
    name: &str,
) -> Api<Option<DateTime<Utc>>> {
    pairs
        .get(name)
        .filter(|v| !v.is_empty())
        .map(|v| {
            DateTime::parse_from_rfc3339(v)
                .map(|d| d.with_timezone(&Utc))
                .map_err(|_| ApiError::field(name, format!("`{v}` is not a W3C date-time")))
        })
        .transpose()
}

/// What a list asks for.
struct Filter {
    ids: Option<Vec<IncidentId>>,
    codes: Option<Vec<String>>,
    statuses: Option<Vec<String>>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

fn filter(pairs: &std::collections::HashMap<String, String>, now: DateTime<Utc>) -> Api<Filter> {
    let list = |name: &str| {
        pairs.get(name).filter(|v| !v.is_empty()).map(|v| {
            v.split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
        })
    };
    let ids = list("service_request_id")
        .map(|ids| {
            if ids.len() > MAX_LIST {
                return Err(ApiError::field(
                    "service_request_id",
                    format!("at most {MAX_LIST} ids"),
                ));
            }
            Ok(ids.iter().filter_map(|i| IncidentId::parse(i)).collect())
        })
        .transpose()?;
    let statuses = list("status");
    if let Some(bad) = statuses
        .iter()
        .flatten()
        .find(|s| *s != "open" && *s != "closed")
    {
        return Err(ApiError::field(
            "status",
            format!("`{bad}` is neither open nor closed"),
        ));
    }
    let span = TimeDelta::days(MAX_SPAN_DAYS);
    let (start, end) = match (date(pairs, "start_date")?, date(pairs, "end_date")?) {
        (Some(s), Some(e)) => (s, e),
        (Some(s), None) => (s, s + span),
        (None, Some(e)) => (e - span, e),
        (None, None) => (now - span, now),
    };
    if end < start {
        return Err(ApiError::field("end_date", "is before start_date"));
    }
    if end - start > span {
        return Err(ApiError::field(
            "end_date",
            format!("at most {MAX_SPAN_DAYS} days after start_date"),
        ));
    }
    Ok(Filter {
        ids,
        codes: list("service_code"),
        statuses,
        start,
        end,
    })
}

/// The ids of Open311 items received between `start` and `end`, newest first (at most
/// [`MAX_LIST`]), read from the event log.
fn received_between(
    store: &dyn HubStore,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<Vec<IncidentId>, HubStoreError> {
    let mut ids = Vec::new();
    let mut after = 0;
    loop {
        let page = store.all_events(after, MAX_PAGE)?;
        for e in &page {
            after = e.seq;
            if let EventKind::Received(r) = &e.event.kind
                && r.source_ref
                    .as_deref()
                    .is_some_and(|s| s.starts_with(REF_PREFIX))
                && (start..=end).contains(&e.event.occurred_at)
            {
                ids.push(e.event.incident);
            }
        }
        if page.len() < MAX_PAGE {
            break;
        }
    }
    ids.reverse();
    ids.truncate(MAX_LIST);
    Ok(ids)
}

/// `GET /open311/v2/requests.json`.
async fn list(
    State(state): State<Arc<HubState>>,
    RawQuery(query): RawQuery,
    req: Request,
) -> Api<Json<Vec<RequestView>>> {
    let ip = ip_of(&req);
    let pairs = query_pairs(query.as_deref())?;
    let caller = reader(&state, ip, pairs.get("api_key").map(String::as_str)).await?;
    let filter = filter(&pairs, state.config.clock.now())?;
    let store = state.store.clone();
    let tz = state.config.timezone;
    let views = blocking(move || {
        let ids = match &filter.ids {
            Some(ids) => ids.clone(),
            None => received_between(store.as_ref(), filter.start, filter.end)?,
        };
        let mut views = Vec::new();
        for id in ids {
            let Some((incident, poster)) = load(store.as_ref(), id)? else {
                continue;
            };
            let private = caller.is_some() && caller == poster;
            let view = view::request(&incident, private, tz);
            let by_ids = filter.ids.is_some();
            let code_ok = filter
                .codes
                .as_ref()
                .is_none_or(|c| view.service_code.as_ref().is_some_and(|s| c.contains(s)));
            let status_ok = filter
                .statuses
                .as_ref()
                .is_none_or(|s| s.iter().any(|s| s == view.status));
            if by_ids || (code_ok && status_ok) {
                views.push(view);
            }
        }
        Ok(views)
    })
    .await?;
    Ok(Json(views))
}

/// Rewrites every error answered under `/open311/` into the spec's `[{code, description}]`
/// (its XML form for a `.xml` path),
/// a bad token as 403 and an unroutable request as 400, as the spec gives them.
pub async fn spec_errors(req: Request, next: Next) -> Response {
    let ours = req.uri().path().starts_with("/open311/");
    let as_xml = req.uri().path().ends_with(".xml");
    let response = next.run(req).await;
    let status = response.status();
    if !ours || status.is_success() {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_else(|_| Bytes::new());
    let description = serde_json::from_slice::<ErrorBody>(&bytes)
        .map(|e| e.message)
        .unwrap_or_else(|_| String::from_utf8_lossy(&bytes).into_owned());
    let description = if description.trim().is_empty() {
        status.canonical_reason().unwrap_or("error").to_string()
    } else {
        description
    };
    let status = match status {
        StatusCode::UNAUTHORIZED => StatusCode::FORBIDDEN,
        StatusCode::UNPROCESSABLE_ENTITY => StatusCode::BAD_REQUEST,
        s => s,
    };
    let (body, kind) = if as_xml {
        (
            xml::error(status.as_u16(), &description),
            "application/xml; charset=utf-8",
        )
    } else {
        let body = serde_json::json!([{ "code": status.as_u16(), "description": description }]);
        (body.to_string(), "application/json")
    };
    parts.status = status;
    parts.headers.remove(header::CONTENT_LENGTH);
    parts
        .headers
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    Response::from_parts(parts, axum::body::Body::from(body))
}
