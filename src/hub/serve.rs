//! The server loop: accepts connections within caps (in all and per address), serves each over
//! HTTP/1.1 (optionally inside TLS), closes those whose headers come too slowly or that sit idle,
//! and on stop lets in-flight requests finish for a short grace before abandoning them.

use super::conn::{Activity, Tracked, close_at};
use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::pin::pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::Instant;
use tower::ServiceExt;

/// Longest header deadline that may be configured.
pub const MAX_HEADER_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest idle keep-alive that may be configured.
pub const MAX_IDLE_TIMEOUT: Duration = Duration::from_secs(300);
/// Longest body deadline that may be configured (below the hub's request timeout).
pub const MAX_BODY_TIMEOUT: Duration = Duration::from_secs(40);

/// How long a client may take and how many connections it may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnLimits {
    /// A request's headers (and a TLS handshake) must arrive within this.
    pub header_timeout: Duration,
    /// An idle keep-alive connection is closed after this.
    pub idle_timeout: Duration,
    /// A request's body must arrive within this.
    pub body_timeout: Duration,
    /// Open connections in all.
    pub max_connections: usize,
    /// Open connections from one address.
    pub max_per_address: usize,
    /// On stop, how long in-flight requests may still take.
    pub shutdown_grace: Duration,
}

impl Default for ConnLimits {
    fn default() -> Self {
        ConnLimits {
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            body_timeout: Duration::from_secs(30),
            max_connections: 4096,
            max_per_address: 256,
            shutdown_grace: Duration::from_secs(5),
        }
    }
}

impl ConnLimits {
    /// Refuses limits outside what the hub allows, saying which.
    pub fn check(&self) -> Result<(), String> {
        let secs = |d: Duration| d.as_secs_f64();
        if self.header_timeout.is_zero() || self.header_timeout > MAX_HEADER_TIMEOUT {
            return Err(format!(
                "the header timeout must be above 0 and at most {} s (got {} s)",
                secs(MAX_HEADER_TIMEOUT),
                secs(self.header_timeout)
            ));
        }
        if self.idle_timeout.is_zero() || self.idle_timeout > MAX_IDLE_TIMEOUT {
            return Err(format!(
                "the idle timeout must be above 0 and at most {} s (got {} s)",
                secs(MAX_IDLE_TIMEOUT),
                secs(self.idle_timeout)
            ));
        }
        if self.body_timeout.is_zero() || self.body_timeout > MAX_BODY_TIMEOUT {
            return Err(format!(
                "the body timeout must be above 0 and at most {} s (got {} s)",
                secs(MAX_BODY_TIMEOUT),
                secs(self.body_timeout)
            ));
        }
        if self.max_connections == 0 || self.max_per_address == 0 {
            return Err("connection caps must be at least 1".into());
        }
        Ok(())
    }
}

/// Open connections, in all and by address.
#[derive(Default)]
pub struct Caps {
    open: Mutex<(usize, HashMap<IpAddr, usize>)>,
}

impl Caps {
    /// Takes a slot for a connection from `ip`, or `None` when a cap is reached.
    fn admit(self: &Arc<Self>, ip: IpAddr, limits: &ConnLimits) -> Option<Slot> {
        let mut open = self.open.lock().ok()?;
        let here = open.1.get(&ip).copied().unwrap_or(0);
        if open.0 >= limits.max_connections || here >= limits.max_per_address {
            return None;
        }
        open.0 += 1;
        open.1.insert(ip, here + 1);
        Some(Slot(self.clone(), ip))
    }

    /// Connections open now.
    pub fn open(&self) -> usize {
        self.open.lock().map_or(0, |o| o.0)
    }
}

struct Slot(Arc<Caps>, IpAddr);

impl Drop for Slot {
    fn drop(&mut self) {
        if let Ok(mut open) = self.0.open.lock() {
            open.0 = open.0.saturating_sub(1);
            if let Some(n) = open.1.get_mut(&self.1) {
                *n -= 1;
                if *n == 0 {
                    open.1.remove(&self.1);
                }
            }
        }
    }
}

/// Serves `app` on `listener` until `stop` turns true, then waits at most the grace.
pub async fn run(
    listener: TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    app: Router,
    limits: ConnLimits,
    caps: Arc<Caps>,
    stop: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let mut tasks = JoinSet::new();
    let mut stopping = stop.clone();
    loop {
        let accepted = tokio::select! {
            r = listener.accept() => r,
            _ = stopping.wait_for(|s| *s) => break,
            Some(_) = tasks.join_next(), if !tasks.is_empty() => continue,
        };
        let (stream, peer) = match accepted {
            Ok(a) => a,
            Err(e) => {
                // Out of file descriptors or a connection reset before accept: keep serving.
                tracing::warn!("accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        let Some(slot) = caps.admit(peer.ip(), &limits) else {
            drop(stream);
            continue;
        };
        let (app, tls, stop) = (app.clone(), tls.clone(), stop.clone());
        tasks.spawn(async move {
            connection(stream, peer, tls, app, limits, stop).await;
            drop(slot);
        });
    }
    let drain = async { while tasks.join_next().await.is_some() {} };
    // Each connection keeps its own grace; this bound only guards against a stuck task.
    let _ = tokio::time::timeout(limits.shutdown_grace + Duration::from_secs(1), drain).await;
    tasks.abort_all();
    Ok(())
}

async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    tls: Option<tokio_rustls::TlsAcceptor>,
    app: Router,
    limits: ConnLimits,
    stop: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let activity = Activity::new(Instant::now());
    match tls {
        None => {
            drive(
                Tracked::new(stream, activity.clone()),
                activity,
                peer,
                app,
                limits,
                stop,
            )
            .await
        }
        Some(acceptor) => {
            let mut stopping = stop.clone();
            let handshake = tokio::time::timeout(limits.header_timeout, acceptor.accept(stream));
            let tls_stream = tokio::select! {
                r = handshake => match r {
                    Ok(Ok(s)) => s,
                    _ => return,
                },
                _ = stopping.wait_for(|s| *s) => return,
            };
            let io = Tracked::new(tls_stream, activity.clone());
            drive(io, activity, peer, app, limits, stop).await;
        }
    }
}

async fn drive<I>(
    io: Tracked<I>,
    activity: Arc<Activity>,
    peer: SocketAddr,
    app: Router,
    limits: ConnLimits,
    mut stop: watch::Receiver<bool>,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let requests = activity.clone();
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(ConnectInfo(peer));
        let in_flight = requests.begin();
        let app = app.clone();
        async move {
            let answer = app.oneshot(req).await;
            drop(in_flight);
            answer
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.keep_alive(true).header_read_timeout(None);
    let mut conn = pin!(builder.serve_connection(TokioIo::new(io), service));
    let mut abandon_at: Option<Instant> = None;
    loop {
        let changed = activity.changed();
        let deadline = match abandon_at {
            Some(at) => Some(at),
            None => activity
                .snapshot()
                .and_then(|s| close_at(&s, limits.header_timeout, limits.idle_timeout)),
        };
        let far = Instant::now() + MAX_IDLE_TIMEOUT;
        tokio::select! {
            _ = conn.as_mut() => return,
            _ = changed => {},
            _ = tokio::time::sleep_until(deadline.unwrap_or(far)) => {
                if deadline.is_some() {
                    // Too slow, idle too long, or the grace after stop is over.
                    return;
                }
            },
            _ = stop.wait_for(|s| *s), if abandon_at.is_none() => {
                conn.as_mut().graceful_shutdown();
                abandon_at = Some(Instant::now() + limits.shutdown_grace);
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_above_the_ceilings_are_refused_by_name() {
        assert!(ConnLimits::default().check().is_ok());
        let over = |f: fn(&mut ConnLimits)| {
            let mut l = ConnLimits::default();
            f(&mut l);
            l.check().unwrap_err()
        };
        assert!(over(|l| l.header_timeout = Duration::from_secs(31)).contains("header"));
        assert!(over(|l| l.idle_timeout = Duration::from_secs(301)).contains("idle"));
        assert!(over(|l| l.body_timeout = Duration::ZERO).contains("body"));
        assert!(over(|l| l.max_per_address = 0).contains("caps"));
    }
}
