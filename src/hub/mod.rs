//! The district hub: intake from connectors, routing to stations, validation of stations' events
//! with the shared lifecycle, long-poll fan-out, the police feed and statistics, over HTTP.

pub mod admin;
pub mod auth;
pub mod error;
mod handlers;
pub mod http;
pub mod limit;
pub mod metrics;
pub mod routing;
pub mod store;

use crate::domain::TriageDecision;
use http::HubState;
use limit::{Limiter, RateLimit};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use store::HubStore;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

/// The shared classifier: text in, a decision when it can make one.
pub type Classifier = Arc<dyn Fn(&str) -> Option<TriageDecision> + Send + Sync>;

/// How the hub behaves.
#[derive(Clone)]
pub struct HubConfig {
    /// Triage for intakes; the default decides nothing.
    pub classifier: Classifier,
    pub rate_limit: RateLimit,
    /// Longest any request may take (above the longest long-poll).
    pub request_timeout: Duration,
    /// Time zone of the stations' references.
    pub timezone: chrono_tz::Tz,
    /// Where the hub's time comes from (the wall clock, or the demo's scaled clock).
    pub clock: Arc<dyn crate::clock::Clock>,
}

impl Default for HubConfig {
    fn default() -> Self {
        HubConfig {
            classifier: Arc::new(|_| None),
            rate_limit: RateLimit::default(),
            request_timeout: Duration::from_secs(45),
            timezone: chrono_tz::Asia::Shanghai,
            clock: Arc::new(crate::clock::SystemClock),
        }
    }
}

/// Serves until `shutdown` resolves, then lets in-flight requests (and their writes) finish.
pub async fn serve_until(
    listener: TcpListener,
    store: Arc<dyn HubStore>,
    config: HubConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let state = Arc::new(HubState {
        store,
        limiter: Limiter::new(config.rate_limit),
        config,
        metrics: Default::default(),
        stopping: stop_rx,
    });
    let app = http::router(state);
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown.await;
            let _ = stop_tx.send(true);
        })
        .await
}

/// A hub running in this process (tests, the load test): stops when dropped.
pub struct RunningHub {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl RunningHub {
    /// Starts serving on `listener` in a task.
    pub fn start(
        listener: TcpListener,
        store: Arc<dyn HubStore>,
        config: HubConfig,
    ) -> std::io::Result<RunningHub> {
        let addr = listener.local_addr()?;
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(serve_until(listener, store, config, async {
            let _ = rx.await;
        }));
        Ok(RunningHub {
            addr,
            stop: Some(tx),
            task: Some(task),
        })
    }

    /// `http://ADDR`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops gracefully and waits until every in-flight request is answered.
    pub async fn stop(mut self) -> std::io::Result<()> {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        match self.task.take() {
            Some(t) => t.await.unwrap_or_else(|e| Err(std::io::Error::other(e))),
            None => Ok(()),
        }
    }
}

impl Drop for RunningHub {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
