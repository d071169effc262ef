//! The receipts a station can check its journal against: `GET /v1/sync/heads`, the journal
//! heads it reported with its pushes, as the hub's chain holds them.

use super::error::ApiError;
use super::gate::Caller;
use super::http::{HubState, blocking, query_int};
use crate::protocol::{ChainHead, HeadsPage, MAX_PAGE};
use axum::Json;
use axum::extract::{RawQuery, State};
use std::sync::Arc;

/// `GET /v1/sync/heads?after=LINK`.
pub async fn heads(
    State(state): State<Arc<HubState>>,
    Caller(principal): Caller,
    RawQuery(query): RawQuery,
) -> Result<Json<HeadsPage>, ApiError> {
    let after = query_int(query.as_deref(), "after")?.unwrap_or(0);
    if after < 0 {
        return Err(ApiError::field("after", "must be 0 or more"));
    }
    let store = state.store.clone();
    let mut heads =
        blocking(move || Ok(store.reported_heads(&principal.id, after, MAX_PAGE + 1)?)).await?;
    let more = heads.len() > MAX_PAGE;
    heads.truncate(MAX_PAGE);
    Ok(Json(HeadsPage { heads, more }))
}

/// Most characters of a workstation's name in a head.
const MAX_WORKSTATION: usize = 32;

/// Checks a reported head: a journal position (1 or more), SHA-256s in lower-case hex, and a
/// workstation name.
pub fn check_head(head: Option<ChainHead>) -> Result<Option<ChainHead>, ApiError> {
    let Some(head) = head else { return Ok(None) };
    if head.pos < 1 {
        return Err(ApiError::field("head.pos", "must be 1 or more"));
    }
    for (field, value) in [("head.hash", &head.hash), ("head.journal", &head.journal)] {
        if !is_sha256_hex(value) {
            return Err(ApiError::field(
                field,
                "must be a SHA-256 in 64 lower-case hex digits",
            ));
        }
    }
    let n = head.workstation.chars().count();
    if n == 0 || n > MAX_WORKSTATION || head.workstation.chars().any(char::is_control) {
        return Err(ApiError::field(
            "head.workstation",
            format!("must be 1 to {MAX_WORKSTATION} printable characters"),
        ));
    }
    Ok(Some(head))
}

fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}
