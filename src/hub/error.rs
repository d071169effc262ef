//! Every failure an HTTP caller can see, as a status and a JSON `{error, message}` body.

use super::store::HubStoreError;
use crate::protocol::ErrorBody;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use thiserror::Error;

/// Seconds a caller is asked to wait when the hub cannot write (`Retry-After`).
pub const RETRY_STORAGE_SECS: u64 = 30;

/// An error answer.
#[derive(Debug, Error)]
pub enum ApiError {
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{field}: {message}")]
    BadRequest { field: String, message: String },
    #[error("the request body is over {0} bytes")]
    TooLarge(usize),
    #[error("{0}")]
    Unroutable(String),
    #[error("too many requests from {0}; slow down and retry")]
    RateLimited(String),
    #[error("too many failed authentications from this address; retry in {0} s")]
    AuthLimited(u64),
    #[error("the request body did not arrive within {0} s")]
    SlowBody(u64),
    #[error("{0}")]
    NotFound(String),
    #[error("the hub is shutting down or busy; retry shortly")]
    Unavailable,
    #[error("the hub's storage failed: {0}")]
    Storage(String),
    /// The hub cannot record anything now (its disk is full or unwritable); retry later.
    #[error("{0}; retry in {RETRY_STORAGE_SECS} s")]
    StorageUnavailable(String),
}

impl ApiError {
    /// A field that failed validation.
    pub fn field(field: &str, message: impl Into<String>) -> ApiError {
        ApiError::BadRequest {
            field: field.to_string(),
            message: message.into(),
        }
    }

    /// The HTTP status and stable code.
    pub fn status_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::BadRequest { .. } => (StatusCode::BAD_REQUEST, "bad_request"),
            ApiError::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            ApiError::Unroutable(_) => (StatusCode::UNPROCESSABLE_ENTITY, "unroutable"),
            ApiError::RateLimited(_) => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            ApiError::AuthLimited(_) => (StatusCode::TOO_MANY_REQUESTS, "auth_limited"),
            ApiError::SlowBody(_) => (StatusCode::REQUEST_TIMEOUT, "slow_body"),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            ApiError::Storage(_) => (StatusCode::INTERNAL_SERVER_ERROR, "storage"),
            ApiError::StorageUnavailable(_) => {
                (StatusCode::SERVICE_UNAVAILABLE, "storage_unavailable")
            }
        }
    }
}

impl From<HubStoreError> for ApiError {
    fn from(e: HubStoreError) -> Self {
        match e {
            HubStoreError::WriterGone => ApiError::Unavailable,
            HubStoreError::Sqlite(e) => match HubStoreError::from_write(e) {
                HubStoreError::Sqlite(e) => ApiError::Storage(e.to_string()),
                told => ApiError::StorageUnavailable(told.to_string()),
            },
            e @ (HubStoreError::DiskFull | HubStoreError::CannotWrite(_)) => {
                ApiError::StorageUnavailable(e.to_string())
            }
            other => ApiError::Storage(other.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_code();
        let retry_after = match &self {
            ApiError::AuthLimited(secs) => Some(*secs),
            ApiError::StorageUnavailable(_) => Some(RETRY_STORAGE_SECS),
            _ if status == StatusCode::TOO_MANY_REQUESTS
                || status == StatusCode::SERVICE_UNAVAILABLE =>
            {
                Some(1)
            }
            _ => None,
        };
        if status.is_server_error() {
            tracing::error!("{self}");
        }
        let body = ErrorBody {
            error: code.to_string(),
            message: self.to_string(),
        };
        let mut response = (status, Json(body)).into_response();
        if let Some(secs) = retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        response
    }
}
