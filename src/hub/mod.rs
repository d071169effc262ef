//! The district hub: intake from connectors, routing to stations, validation of stations' events
//! with the shared lifecycle, long-poll fan-out, the police feed and statistics, over HTTP.

pub mod admin;
pub mod auth;
pub mod conn;
pub mod decide;
pub mod district;
pub mod error;
pub mod gate;
mod handlers;
pub mod http;
pub mod ladder;
pub mod limit;
pub mod metrics;
pub mod open311;
pub mod openapi;
mod receipts;
pub mod reqlog;
pub mod routing;
pub mod serve;
pub mod store;
pub mod systemd;
pub mod times;
pub mod tls;

use crate::domain::TriageDecision;
use http::HubState;
use limit::{FailLimit, Failures, Limiter, RateLimit};
use reqlog::RequestLog;
use serve::{Caps, ConnLimits};
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
    /// Timeouts and connection caps.
    pub limits: ConnLimits,
    /// Failed authentications an address may make before it must wait.
    pub fail_limit: FailLimit,
    /// Where the line of each request goes.
    pub request_log: RequestLog,
    /// How often a waiting long-poll checks that its token was not rotated.
    pub revocation_check: Duration,
    /// Longest a long-poll waits here (at most the protocol's 30 s; `hub serve --max-wait`).
    pub max_wait: Duration,
    /// The responsibility list Open311 publishes as services and reads service codes against.
    pub list: Arc<crate::triage::ResponsibilityList>,
}

impl Default for HubConfig {
    fn default() -> Self {
        HubConfig {
            classifier: Arc::new(|_| None),
            rate_limit: RateLimit::default(),
            request_timeout: Duration::from_secs(45),
            timezone: chrono_tz::Asia::Shanghai,
            clock: Arc::new(crate::clock::SystemClock),
            limits: ConnLimits::default(),
            fail_limit: FailLimit::default(),
            request_log: reqlog::to_tracing(),
            revocation_check: Duration::from_secs(1),
            max_wait: Duration::from_secs(crate::protocol::MAX_WAIT_SECS),
            list: open311::embedded_list(),
        }
    }
}

/// Where the hub listens.
pub struct Listeners {
    pub main: TcpListener,
    /// Serve `main` over TLS.
    pub tls: Option<tokio_rustls::TlsAcceptor>,
    /// `/metrics` alone, without a token, on its own address.
    pub metrics: Option<TcpListener>,
}

impl Listeners {
    /// Plain HTTP on one listener.
    pub fn plain(main: TcpListener) -> Listeners {
        Listeners {
            main,
            tls: None,
            metrics: None,
        }
    }
}

/// Serves until `shutdown` resolves, then lets in-flight requests (and their writes) finish
/// within the grace; stalled uploads and slow clients are abandoned.
pub async fn serve_until(
    listener: TcpListener,
    store: Arc<dyn HubStore>,
    config: HubConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve(Listeners::plain(listener), store, config, shutdown).await
}

/// Serves on every listener until `shutdown` resolves.
pub async fn serve(
    listeners: Listeners,
    store: Arc<dyn HubStore>,
    config: HubConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = config.limits;
    limits.check().map_err(std::io::Error::other)?;
    let (stop_tx, stop_rx) = watch::channel(false);
    let caps = Arc::new(Caps::default());
    let state = Arc::new(HubState {
        store,
        limiter: Limiter::new(config.rate_limit),
        failures: Failures::new(config.fail_limit),
        caps: caps.clone(),
        config,
        metrics: Default::default(),
        stopping: stop_rx.clone(),
    });
    let metrics = listeners.metrics.map(|l| {
        let app = http::metrics_router(state.clone());
        tokio::spawn(serve::run(
            l,
            None,
            app,
            limits,
            caps.clone(),
            stop_rx.clone(),
        ))
    });
    tokio::spawn(async move {
        shutdown.await;
        systemd::stopping();
        let _ = stop_tx.send(true);
    });
    let app = http::router(state);
    // The store was opened (and migrated) and every listener bound before this call.
    systemd::ready();
    if let Some(period) = systemd::watchdog_period() {
        tokio::spawn(systemd::watchdog(period, stop_rx.clone()));
    }
    let main = serve::run(listeners.main, listeners.tls, app, limits, caps, stop_rx).await;
    if let Some(task) = metrics {
        task.await.map_err(std::io::Error::other)??;
    }
    main
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
        RunningHub::start_on(Listeners::plain(listener), store, config)
    }

    /// Starts serving on every listener in a task.
    pub fn start_on(
        listeners: Listeners,
        store: Arc<dyn HubStore>,
        config: HubConfig,
    ) -> std::io::Result<RunningHub> {
        let addr = listeners.main.local_addr()?;
        let (tx, rx) = oneshot::channel::<()>();
        let ladder = tokio::spawn(ladder::run(
            Arc::downgrade(&store),
            Arc::clone(&config.clock),
        ));
        let served = serve(listeners, store, config, async {
            let _ = rx.await;
        });
        let task = tokio::spawn(async move {
            let result = served.await;
            ladder.abort();
            result
        });
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
