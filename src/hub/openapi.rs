//! The OpenAPI 3 document of `/v1`, served at `GET /v1/openapi.json`. The operations are
//! declared here, beside the handlers rather than on them; every body schema is derived from
//! the wire types the handlers use (`protocol`), so a changed type changes the document.

use crate::protocol::{
    ChainHead, ErrorBody, HeadsPage, HubIdentity, IntakeRequest, IntakeResponse, PoliceAck,
    PoliceFeed, PoliceItem, PushOutcome, PushRequest, PushResponse, RejectCode, ReportedHead,
    SeqEvent, StationStats, Stats, SyncPage,
};
use axum::Json;
use std::sync::OnceLock;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

/// An item with its history (`GET /v1/incidents/{id}`), as the handler answers it.
#[derive(ToSchema)]
#[allow(dead_code)]
struct IncidentView {
    /// The item folded from its events.
    #[schema(value_type = Object)]
    incident: (),
    events: Vec<SeqEvent>,
}

/// The police took an item (`POST /v1/police/ack`).
#[derive(ToSchema)]
#[allow(dead_code)]
struct Acked {
    #[schema(value_type = uuid::Uuid)]
    id: (),
    acked: bool,
}

/// `GET /healthz`.
#[derive(ToSchema)]
#[allow(dead_code)]
struct Health {
    status: String,
}

/// What every error answer holds.
const ERRORS: &str = "a stable code and a sentence for people";

#[utoipa::path(post, path = "/v1/intake", tag = "intake", security(("token" = [])),
    request_body = IntakeRequest,
    responses(
        (status = 201, description = "a new item", body = IntakeResponse),
        (status = 200, description = "already known by this connector's number: the same answer", body = IntakeResponse),
        (status = 400, description = ERRORS, body = ErrorBody),
        (status = 401, description = ERRORS, body = ErrorBody),
        (status = 403, description = ERRORS, body = ErrorBody),
        (status = 413, description = ERRORS, body = ErrorBody),
        (status = 422, description = "no station for it", body = ErrorBody),
        (status = 429, description = ERRORS, body = ErrorBody),
        (status = 503, description = ERRORS, body = ErrorBody),
    ))]
#[allow(dead_code)]
fn intake() {}

#[utoipa::path(get, path = "/v1/sync", tag = "station", security(("token" = [])),
    params(
        ("after" = Option<i64>, Query, minimum = 0, description = "the cursor: events after this sequence"),
        ("wait" = Option<i64>, Query, minimum = 0, description = "seconds to wait for an event (capped)"),
        ("limit" = Option<i64>, Query, minimum = 1, description = "most events in the page (capped at 500)"),
    ),
    responses(
        (status = 200, description = "the station's events after the cursor", body = SyncPage),
        (status = 400, description = ERRORS, body = ErrorBody),
        (status = 401, description = ERRORS, body = ErrorBody),
        (status = 403, description = ERRORS, body = ErrorBody),
        (status = 429, description = ERRORS, body = ErrorBody),
        (status = 503, description = ERRORS, body = ErrorBody),
    ))]
#[allow(dead_code)]
fn pull() {}

#[utoipa::path(post, path = "/v1/sync", tag = "station", security(("token" = [])),
    request_body = PushRequest,
    responses(
        (status = 200, description = "one outcome per event, in order", body = PushResponse),
        (status = 400, description = ERRORS, body = ErrorBody),
        (status = 401, description = ERRORS, body = ErrorBody),
        (status = 403, description = ERRORS, body = ErrorBody),
        (status = 413, description = ERRORS, body = ErrorBody),
        (status = 429, description = ERRORS, body = ErrorBody),
        (status = 503, description = ERRORS, body = ErrorBody),
    ))]
#[allow(dead_code)]
fn push() {}

#[utoipa::path(get, path = "/v1/sync/heads", tag = "station", security(("token" = [])),
    params(("after" = Option<i64>, Query, minimum = 0, description = "heads after this chain link")),
    responses(
        (status = 200, description = "the journal heads this station reported", body = HeadsPage),
        (status = 400, description = ERRORS, body = ErrorBody),
        (status = 401, description = ERRORS, body = ErrorBody),
        (status = 403, description = ERRORS, body = ErrorBody),
        (status = 429, description = ERRORS, body = ErrorBody),
        (status = 503, description = ERRORS, body = ErrorBody),
    ))]
#[allow(dead_code)]
fn heads() {}

#[utoipa::path(get, path = "/v1/incidents/{id}", tag = "station", security(("token" = [])),
    params(("id" = uuid::Uuid, Path, description = "the item's id")),
    responses(
        (status = 200, description = "one of the station's own items", body = IncidentView),
        (status = 400, description = ERRORS, body = ErrorBody),
        (status = 401, description = ERRORS, body = ErrorBody),
        (status = 403, description = ERRORS, body = ErrorBody),
        (status = 404, description = "no such item for this station", body = ErrorBody),
        (status = 429, description = ERRORS, body = ErrorBody),
        (status = 503, description = ERRORS, body = ErrorBody),
    ))]
#[allow(dead_code)]
fn incident() {}

#[utoipa::path(get, path = "/v1/police/feed", tag = "police", security(("token" = [])),
    params(
        ("after" = Option<i64>, Query, minimum = 0, description = "the cursor"),
        ("wait" = Option<i64>, Query, minimum = 0, description = "seconds to wait (capped)"),
        ("limit" = Option<i64>, Query, minimum = 1, description = "most items (capped at 500)"),
    ),
    responses(
        (status = 200, description = "items handed back to the police", body = PoliceFeed),
        (status = 400, description = ERRORS, body = ErrorBody),
        (status = 401, description = ERRORS, body = ErrorBody),
        (status = 403, description = ERRORS, body = ErrorBody),
        (status = 429, description = ERRORS, body = ErrorBody),
        (status = 503, description = ERRORS, body = ErrorBody),
    ))]
#[allow(dead_code)]
fn police_feed() {}

#[utoipa::path(post, path = "/v1/police/ack", tag = "police", security(("token" = [])),
    request_body = PoliceAck,
    responses(
        (status = 200, description = "taken", body = Acked),
        (status = 400, description = ERRORS, body = ErrorBody),
        (status = 401, description = ERRORS, body = ErrorBody),
        (status = 403, description = ERRORS, body = ErrorBody),
        (status = 404, description = "not handed to the police", body = ErrorBody),
        (status = 413, description = ERRORS, body = ErrorBody),
        (status = 429, description = ERRORS, body = ErrorBody),
        (status = 503, description = ERRORS, body = ErrorBody),
    ))]
#[allow(dead_code)]
fn police_ack() {}

#[utoipa::path(get, path = "/v1/stats", tag = "district", security(("token" = [])),
    responses(
        (status = 200, description = "counts per station", body = Stats),
        (status = 401, description = ERRORS, body = ErrorBody),
        (status = 403, description = ERRORS, body = ErrorBody),
        (status = 429, description = ERRORS, body = ErrorBody),
        (status = 503, description = ERRORS, body = ErrorBody),
    ))]
#[allow(dead_code)]
fn stats() {}

#[utoipa::path(get, path = "/v1/report", tag = "district", security(("token" = [])),
    params(
        ("from" = Option<String>, Query, description = "first day (YYYY-MM-DD, station time) or an RFC 3339 moment"),
        ("to" = Option<String>, Query, description = "last day or moment"),
    ),
    responses(
        (status = 200, description = "each station's figures and the ranking", body = Object),
        (status = 400, description = ERRORS, body = ErrorBody),
        (status = 401, description = ERRORS, body = ErrorBody),
        (status = 403, description = ERRORS, body = ErrorBody),
        (status = 429, description = ERRORS, body = ErrorBody),
        (status = 503, description = ERRORS, body = ErrorBody),
    ))]
#[allow(dead_code)]
fn report() {}

#[utoipa::path(get, path = "/healthz", tag = "public",
    responses((status = 200, description = "the hub answers", body = Health)))]
#[allow(dead_code)]
fn healthz() {}

#[utoipa::path(get, path = "/v1/openapi.json", tag = "public",
    responses((status = 200, description = "this document", body = Object)))]
#[allow(dead_code)]
fn openapi() {}

/// The bearer token every role sends.
struct Tokens;

impl Modify for Tokens {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "fenliu hub protocol", description = "The district hub's protocol under /v1 (DESIGN §6)."),
    paths(intake, pull, push, heads, incident, police_feed, police_ack, stats, report, healthz, openapi),
    components(schemas(
        IntakeRequest, IntakeResponse, SeqEvent, SyncPage, HubIdentity, PushRequest, ChainHead,
        ReportedHead, HeadsPage, PushOutcome, RejectCode, PushResponse, PoliceItem, PoliceFeed,
        PoliceAck, StationStats, Stats, ErrorBody, IncidentView, Acked, Health
    )),
    modifiers(&Tokens)
)]
struct Document;

/// The document, built once.
pub fn json() -> &'static serde_json::Value {
    static DOC: OnceLock<serde_json::Value> = OnceLock::new();
    DOC.get_or_init(|| {
        let mut doc = Document::openapi();
        doc.info.version = crate::protocol::PROTOCOL_VERSION.to_string();
        serde_json::to_value(doc).unwrap_or_default()
    })
}

/// `GET /v1/openapi.json`.
pub async fn document() -> Json<&'static serde_json::Value> {
    Json(json())
}
