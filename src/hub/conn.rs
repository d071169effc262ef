//! What the server knows of one connection: requests in flight, when it went idle and when the
//! next request's head began to arrive, so that it can close a connection that sends its headers
//! too slowly or sits idle too long — but never one with a request in flight (a long-poll).

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::Notify;
use tokio::time::Instant;

/// A connection's state, as the deadline is computed from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnState {
    pub in_flight: usize,
    /// Requests answered so far.
    pub served: u64,
    /// When the connection was opened or last answered.
    pub idle_since: Instant,
    /// When the first byte of the next request arrived, while none was in flight.
    pub head_started: Option<Instant>,
}

/// When a connection in `state` is closed: `None` while a request is in flight. A new connection
/// and a request head in progress get `header`; an idle connection between requests gets `idle`.
pub fn close_at(state: &ConnState, header: Duration, idle: Duration) -> Option<Instant> {
    if state.in_flight > 0 {
        return None;
    }
    if let Some(started) = state.head_started {
        return Some(started + header);
    }
    let wait = if state.served == 0 { header } else { idle };
    Some(state.idle_since + wait)
}

/// Shared between the connection's IO, its service and its watchdog.
pub struct Activity {
    state: Mutex<ConnState>,
    changed: Notify,
}

impl Activity {
    pub fn new(now: Instant) -> Arc<Activity> {
        Arc::new(Activity {
            state: Mutex::new(ConnState {
                in_flight: 0,
                served: 0,
                idle_since: now,
                head_started: None,
            }),
            changed: Notify::new(),
        })
    }

    /// The current state.
    pub fn snapshot(&self) -> Option<ConnState> {
        self.state.lock().ok().map(|s| *s)
    }

    /// Resolves after the next change.
    pub async fn changed(&self) {
        self.changed.notified().await;
    }

    fn update(&self, f: impl FnOnce(&mut ConnState) -> bool) {
        let notify = match self.state.lock() {
            Ok(mut s) => f(&mut s),
            Err(_) => false,
        };
        if notify {
            self.changed.notify_one();
        }
    }

    /// A request began; the returned guard ends it when dropped.
    pub fn begin(self: &Arc<Self>) -> InFlight {
        self.update(|s| {
            s.in_flight += 1;
            s.head_started = None;
            true
        });
        InFlight(self.clone())
    }

    fn bytes_arrived(&self) {
        self.update(|s| {
            let first = s.in_flight == 0 && s.head_started.is_none();
            if first {
                s.head_started = Some(Instant::now());
            }
            first
        });
    }
}

/// A request in flight.
pub struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.update(|s| {
            s.in_flight = s.in_flight.saturating_sub(1);
            s.served += 1;
            s.idle_since = Instant::now();
            true
        });
    }
}

/// An IO stream that tells its [`Activity`] when bytes arrive.
pub struct Tracked<I> {
    io: I,
    activity: Arc<Activity>,
}

impl<I> Tracked<I> {
    pub fn new(io: I, activity: Arc<Activity>) -> Tracked<I> {
        Tracked { io, activity }
    }
}

impl<I: AsyncRead + Unpin> AsyncRead for Tracked<I> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.io).poll_read(cx, buf);
        if matches!(r, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.bytes_arrived();
        }
        r
    }
}

impl<I: AsyncWrite + Unpin> AsyncWrite for Tracked<I> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_follow_the_connections_state() {
        let t = Instant::now();
        let (header, idle) = (Duration::from_secs(10), Duration::from_secs(60));
        let mut s = ConnState {
            in_flight: 0,
            served: 0,
            idle_since: t,
            head_started: None,
        };
        assert_eq!(
            close_at(&s, header, idle),
            Some(t + header),
            "a new connection"
        );
        s.served = 1;
        assert_eq!(
            close_at(&s, header, idle),
            Some(t + idle),
            "idle keep-alive"
        );
        s.head_started = Some(t + Duration::from_secs(30));
        assert_eq!(
            close_at(&s, header, idle),
            Some(t + Duration::from_secs(40)),
            "a head trickling in"
        );
        s.in_flight = 1;
        assert_eq!(close_at(&s, header, idle), None, "a long-poll is never cut");
    }
}
