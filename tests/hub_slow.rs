//! Slow and greedy clients on 127.0.0.1 cannot take the hub down: headers that trickle, idle
//! keep-alive connections, floods of connections from one address, uploads that stall with and
//! without a token, and a stop while an upload stalls. Meanwhile the hub answers others at once.

mod hubkit;

use fenliu::hub::HubConfig;
use fenliu::hub::serve::ConnLimits;
use hubkit::{TestHub, connect_from};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn tight() -> HubConfig {
    HubConfig {
        limits: ConnLimits {
            header_timeout: Duration::from_secs(1),
            idle_timeout: Duration::from_secs(2),
            body_timeout: Duration::from_secs(1),
            max_connections: 40,
            max_per_address: 8,
            ..ConnLimits::default()
        },
        ..HubConfig::default()
    }
}

/// Reads until the hub closes the connection (bounded); returns what it sent and when it closed.
async fn read_until_closed(stream: &mut TcpStream, bound: Duration) -> (String, Instant) {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let read_all = async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    };
    tokio::time::timeout(bound, read_all)
        .await
        .expect("the hub closed the connection in time");
    (String::from_utf8_lossy(&got).to_string(), Instant::now())
}

/// `/healthz` from 127.0.0.1, timed.
async fn health(hub: &TestHub) -> Duration {
    let started = Instant::now();
    let (s, _) = hub.get("/healthz", "").await;
    assert_eq!(s, 200);
    let took = started.elapsed();
    eprintln!("healthz answered meanwhile in {took:?}");
    took
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headers_that_trickle_are_cut_off_and_others_are_served_meanwhile() {
    let hub = TestHub::start(tight()).await;
    let mut slow = connect_from(2, hub.addr()).await;
    let opened = Instant::now();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: hub\r\n")
        .await
        .expect("write");
    assert!(health(&hub).await < Duration::from_secs(1));
    let (answer, closed) = read_until_closed(&mut slow, Duration::from_secs(5)).await;
    assert!(
        answer.is_empty(),
        "no answer to a half-sent request: {answer}"
    );
    assert!(
        closed - opened >= Duration::from_millis(900),
        "not before the header timeout"
    );
    let mut silent = connect_from(2, hub.addr()).await;
    let opened = Instant::now();
    let (_, closed) = read_until_closed(&mut silent, Duration::from_secs(5)).await;
    assert!(closed - opened >= Duration::from_millis(900));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_keep_alive_connection_is_closed_after_the_idle_timeout() {
    let hub = TestHub::start(tight()).await;
    let mut conn = connect_from(2, hub.addr()).await;
    conn.write_all(b"GET /healthz HTTP/1.1\r\nHost: hub\r\n\r\n")
        .await
        .expect("write");
    let mut buf = [0u8; 1024];
    let n = conn.read(&mut buf).await.expect("answer");
    let answered = Instant::now();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    let (_, closed) = read_until_closed(&mut conn, Duration::from_secs(6)).await;
    let idle = closed - answered;
    assert!(
        idle >= Duration::from_millis(1900),
        "kept for the idle timeout (2 s), longer than the header timeout: {idle:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_idle_connections_is_capped_per_address_and_in_all() {
    let hub = TestHub::start(tight()).await;
    let mut held = Vec::new();
    for _ in 0..8 {
        held.push(connect_from(2, hub.addr()).await);
    }
    let mut ninth = connect_from(2, hub.addr()).await;
    let (answer, _) = read_until_closed(&mut ninth, Duration::from_secs(1)).await;
    assert!(
        answer.is_empty(),
        "the ninth from one address is closed at once"
    );
    let meanwhile = health(&hub).await;
    assert!(meanwhile < Duration::from_secs(1), "{meanwhile:?}");
    for from in 3..=6 {
        for _ in 0..8 {
            held.push(connect_from(from, hub.addr()).await);
        }
    }
    let mut over = connect_from(7, hub.addr()).await;
    let (answer, _) = read_until_closed(&mut over, Duration::from_secs(1)).await;
    assert!(
        answer.is_empty(),
        "the 41st connection in all is closed at once"
    );
    drop(held);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let r = hub.http.get(format!("{}/healthz", hub.url)).send().await;
        if r.is_ok_and(|r| r.status().is_success()) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "slots come back when connections close"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn stalled_upload(token: Option<&str>) -> Vec<u8> {
    let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
    format!(
        "POST /v1/intake HTTP/1.1\r\nHost: hub\r\n{auth}Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{{\"source\": \"110\","
    )
    .into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_upload_without_a_token_is_refused_before_its_body() {
    let hub = TestHub::start(tight()).await;
    let mut conn = connect_from(2, hub.addr()).await;
    let sent = Instant::now();
    conn.write_all(&stalled_upload(None)).await.expect("write");
    let mut buf = [0u8; 1024];
    let n = tokio::time::timeout(Duration::from_millis(800), conn.read(&mut buf))
        .await
        .expect("answered before any body deadline")
        .expect("read");
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 401"));
    assert!(sent.elapsed() < Duration::from_millis(800));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_upload_with_a_token_gets_408_after_the_body_deadline() {
    let hub = TestHub::start(tight()).await;
    let mut conn = connect_from(2, hub.addr()).await;
    let sent = Instant::now();
    conn.write_all(&stalled_upload(Some(&hub.intake)))
        .await
        .expect("write");
    assert!(health(&hub).await < Duration::from_secs(1));
    let (answer, _) = read_until_closed(&mut conn, Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("slow_body"), "{answer}");
    assert!(sent.elapsed() >= Duration::from_millis(900));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_during_a_stalled_upload_takes_less_than_5_s() {
    let mut hub = TestHub::start(HubConfig::default()).await;
    let mut conn = connect_from(2, hub.addr()).await;
    conn.write_all(&stalled_upload(Some(&hub.intake)))
        .await
        .expect("write");
    hub.wait_for_metric("fenliu_hub_requests_in_flight 2").await;
    let started = Instant::now();
    tokio::time::timeout(Duration::from_secs(8), hub.stop())
        .await
        .expect("stopped");
    let took = started.elapsed();
    assert!(took < Duration::from_secs(5), "{took:?}");
    let (answer, _) = read_until_closed(&mut conn, Duration::from_secs(1)).await;
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 503"),
        "abandoned, or told to retry: {answer}"
    );
}
