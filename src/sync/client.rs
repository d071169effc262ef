//! The hub's HTTP client: bearer token, version check on every answer, errors in plain words.
//! With several addresses (a city hub's processes) it keeps to one until it is away, then asks
//! the next at once; every request the hub answers is safe to send again elsewhere.

use super::{Settings, SyncError};
use crate::domain::Event;
use crate::protocol::{
    ChainHead, ErrorBody, HeadsPage, PROTOCOL_VERSION, PushRequest, PushResponse, SyncPage,
    VERSION_HEADER,
};
use serde::de::DeserializeOwned;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Talks to one hub as one station, through one of its addresses.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    bases: Arc<[String]>,
    /// Index into `bases` of the address in use.
    current: Arc<AtomicUsize>,
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
            bases: settings.addresses().into(),
            current: Arc::new(AtomicUsize::new(0)),
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

    /// The address in use: the last that answered, or the next to try.
    pub fn base(&self) -> &str {
        let i = self.current.load(Ordering::Relaxed);
        self.bases
            .get(i % self.bases.len().max(1))
            .map_or("", |s| s.as_str())
    }

    /// Every address of the hub, in the order they are tried.
    pub fn addresses(&self) -> &[String] {
        &self.bases
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
        self.send(|base| {
            self.http
                .post(format!("{base}/v1/sync"))
                .bearer_auth(&self.token)
                .timeout(Duration::from_secs(30))
                .json(&body)
        })
        .await
    }

    /// The journal heads this station reported, after chain link `after`.
    pub async fn heads(&self, after: i64) -> Result<HeadsPage, SyncError> {
        self.send(|base| {
            self.http
                .get(format!("{base}/v1/sync/heads?after={after}"))
                .bearer_auth(&self.token)
                .timeout(Duration::from_secs(30))
        })
        .await
    }

    /// Asks for the station's events after `after`, waiting up to `wait` seconds for new ones.
    pub async fn pull(&self, after: i64, wait: u64, limit: usize) -> Result<SyncPage, SyncError> {
        self.send(|base| {
            self.http
                .get(format!(
                    "{base}/v1/sync?after={after}&wait={wait}&limit={limit}"
                ))
                .bearer_auth(&self.token)
                .timeout(Duration::from_secs(wait + 15))
        })
        .await
    }

    /// Sends the request `build` makes for an address: to the one in use, and while that is
    /// away, to each next one in turn; the first that answers is kept.
    async fn send<T: DeserializeOwned>(
        &self,
        build: impl Fn(&str) -> reqwest::RequestBuilder,
    ) -> Result<T, SyncError> {
        let n = self.bases.len().max(1);
        let first = self.current.load(Ordering::Relaxed);
        let mut tried = 0;
        loop {
            let i = (first + tried) % n;
            let base = self.bases.get(i).map_or("", |s| s.as_str());
            match self.send_to(base, build(base)).await {
                Err(SyncError::Unreachable { url, detail }) if tried + 1 < n => {
                    tracing::warn!(%url, %detail, "the hub is away at this address; trying the next");
                    tried += 1;
                }
                Err(e @ SyncError::Unreachable { .. }) => return Err(e),
                answer => {
                    self.current.store(i, Ordering::Relaxed);
                    return answer;
                }
            }
        }
    }

    async fn send_to<T: DeserializeOwned>(
        &self,
        base: &str,
        request: reqwest::RequestBuilder,
    ) -> Result<T, SyncError> {
        let response = request.send().await.map_err(|e| SyncError::Unreachable {
            url: base.to_string(),
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
                    url: base.to_string(),
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
            url: base.to_string(),
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
