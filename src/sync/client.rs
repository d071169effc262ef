//! The hub's HTTP client: bearer token, version check on every answer, errors in plain words.

use super::{Settings, SyncError};
use crate::domain::Event;
use crate::protocol::{
    ChainHead, ErrorBody, HeadsPage, PROTOCOL_VERSION, PushRequest, PushResponse, SyncPage,
    VERSION_HEADER,
};
use serde::de::DeserializeOwned;
use std::time::Duration;

/// Talks to one hub as one station.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
    workstation: String,
    clock: std::sync::Arc<dyn crate::clock::Clock>,
}

impl Client {
    /// A client for the hub in `settings`.
    pub fn new(settings: &Settings) -> Result<Client, SyncError> {
        let mut builder = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .pool_idle_timeout(Duration::from_secs(50));
        if let Some(path) = &settings.ca_file {
            let pem = std::fs::read(path).map_err(|e| {
                SyncError::Settings(format!("cannot read ca_file {}: {e}", path.display()))
            })?;
            let ca = reqwest::Certificate::from_pem(&pem).map_err(|e| {
                SyncError::Settings(format!(
                    "ca_file {} is not a PEM certificate: {e}",
                    path.display()
                ))
            })?;
            builder = builder.add_root_certificate(ca);
        }
        let http = builder
            .build()
            .map_err(|e| SyncError::Settings(format!("cannot set up HTTP: {e}")))?;
        Ok(Client {
            http,
            base: settings.url.clone(),
            token: settings.token.clone(),
            workstation: settings.workstation.clone(),
            clock: std::sync::Arc::new(crate::clock::SystemClock),
        })
    }

    /// The same client measuring time on `clock` (the console's, which may run fast in the demo).
    pub fn with_clock(mut self, clock: std::sync::Arc<dyn crate::clock::Clock>) -> Client {
        self.clock = clock;
        self
    }

    /// The console's current time, for skew and last-sync.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// The head to report for this workstation's journal: `(journal key, position, row hash)`.
    pub fn head(&self, (journal, pos, hash): (String, i64, String)) -> ChainHead {
        ChainHead {
            journal,
            workstation: self.workstation.clone(),
            pos,
            hash,
        }
    }

    /// Whether `head` is this workstation's.
    pub fn is_mine(&self, head: &ChainHead) -> bool {
        head.workstation == self.workstation
    }

    /// Sends a batch of local events.
    pub async fn push(&self, events: &[Event]) -> Result<PushResponse, SyncError> {
        self.push_with_head(events, None).await
    }

    /// Sends a batch of local events with the journal head after them, for the hub's receipts.
    pub async fn push_with_head(
        &self,
        events: &[Event],
        head: Option<ChainHead>,
    ) -> Result<PushResponse, SyncError> {
        let body = PushRequest {
            events: events.to_vec(),
            head,
        };
        let request = self
            .http
            .post(format!("{}/v1/sync", self.base))
            .bearer_auth(&self.token)
            .timeout(Duration::from_secs(30))
            .json(&body);
        self.send(request).await
    }

    /// The journal heads this station reported, after chain link `after`.
    pub async fn heads(&self, after: i64) -> Result<HeadsPage, SyncError> {
        let request = self
            .http
            .get(format!("{}/v1/sync/heads?after={after}", self.base))
            .bearer_auth(&self.token)
            .timeout(Duration::from_secs(30));
        self.send(request).await
    }

    /// Asks for the station's events after `after`, waiting up to `wait` seconds for new ones.
    pub async fn pull(&self, after: i64, wait: u64, limit: usize) -> Result<SyncPage, SyncError> {
        let request = self
            .http
            .get(format!(
                "{}/v1/sync?after={after}&wait={wait}&limit={limit}",
                self.base
            ))
            .bearer_auth(&self.token)
            .timeout(Duration::from_secs(wait + 15));
        self.send(request).await
    }

    async fn send<T: DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<T, SyncError> {
        let response = request.send().await.map_err(|e| SyncError::Unreachable {
            url: self.base.clone(),
            detail: describe(&e),
        })?;
        let version = response
            .headers()
            .get(VERSION_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let status = response.status();
        if version != PROTOCOL_VERSION {
            if version.is_empty() && status.is_server_error() {
                return Err(SyncError::Unreachable {
                    url: self.base.clone(),
                    detail: format!("a proxy answered {status}"),
                });
            }
            return Err(SyncError::Version {
                hub: if version.is_empty() {
                    "none (is this a fenliu hub?)".into()
                } else {
                    version
                },
                ours: PROTOCOL_VERSION,
            });
        }
        let bytes = response.bytes().await.map_err(|e| SyncError::Unreachable {
            url: self.base.clone(),
            detail: describe(&e),
        })?;
        if !status.is_success() {
            let body: Option<ErrorBody> = serde_json::from_slice(&bytes).ok();
            return Err(SyncError::Refused {
                status: status.as_u16(),
                code: body.as_ref().map_or("unknown".into(), |b| b.error.clone()),
                message: body.map_or_else(|| String::from_utf8_lossy(&bytes).into(), |b| b.message),
            });
        }
        serde_json::from_slice(&bytes).map_err(|e| SyncError::Decode(e.to_string()))
    }
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "no answer in time".into()
    } else if e.is_connect() {
        "connection refused or no route".into()
    } else {
        e.to_string()
    }
}
