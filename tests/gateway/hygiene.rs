//! Proxy hygiene the upstream relies on, on raw sockets: what a client
//! sends that must not reach the engine, what an engine answers that must
//! not reach the client, and a client that never finishes its headers.
//
// Unwraps here are test failures, not request paths.

use std::time::Instant;

use tokio::io::AsyncReadExt;

use super::*;
use crate::serve::{Gateway, start_upstream};

/// Reads from `stream` until `done` holds for what was read, or 5 s pass.
async fn read_until(stream: &mut TcpStream, done: impl Fn(&str) -> bool) -> String {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let start = Instant::now();
    while !done(&String::from_utf8_lossy(&got)) && start.elapsed() < Duration::from_secs(5) {
        match tokio::time::timeout(Duration::from_millis(500), stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
            Err(_) => {}
        }
    }
    String::from_utf8_lossy(&got).into_owned()
}

/// `Expect: 100-continue` is answered at the gateway, which then reads the
/// body and judges it; the upstream gets a complete request without
/// `Expect` (nor `HTTP2-Settings`, which belongs to this hop).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expect_and_http2_settings_stay_at_the_gateway() {
    bounded(async {
        let upstream = start_upstream().await;
        let gateway = Gateway::start(Some(upstream.addr)).await;
        let body = br#"{"messageName":"m"}"#;
        let mut stream = TcpStream::connect(gateway.addr).await.unwrap();
        let head = format!(
            "POST /engine-rest/message HTTP/1.1\r\nHost: engine\r\nContent-Type: application/json\r\nContent-Length: {}\r\nExpect: 100-continue\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        let interim = read_until(&mut stream, |got| got.contains("\r\n\r\n")).await;
        assert!(interim.starts_with("HTTP/1.1 100 Continue\r\n"), "{interim:?}");
        stream.write_all(body).await.unwrap();
        let answer = read_until(&mut stream, |got| got.contains(r#""m"}"#)).await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        let seen = upstream.seen();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].one("expect"), None);
        assert_eq!(seen[0].one("http2-settings"), None);
        assert_eq!(&seen[0].body[..], body);
        // The near miss: an ordinary end-to-end header goes through.
        let reply = send(
            gateway.addr,
            &Req::new("GET", "/engine-rest/task?maxResults=1").header("x-trace", "1"),
        )
        .await;
        assert_eq!(reply.status, 200);
        assert_eq!(upstream.seen()[1].one("x-trace"), Some("1"));
    })
    .await;
}

/// An engine stand-in that answers every request with `status_line` and
/// `headers` and nothing else, as a confused or hostile upstream might.
async fn raw_upstream(answer: &'static str) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let _ = read_until(&mut stream, |got| got.contains("\r\n\r\n")).await;
                let _ = stream.write_all(answer.as_bytes()).await;
                // Holds the connection open, as a tunnel would.
                tokio::time::sleep(Duration::from_secs(3)).await;
            });
        }
    });
    addr
}

/// An upstream's `101 Switching Protocols` to a request that asked for no
/// switch is never relayed: the client would be left holding a tunnel the
/// guard cannot see into. The near miss: a `100 Continue` before the real
/// answer is skipped and the answer relayed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unrequested_protocol_switch_is_not_relayed() {
    bounded(async {
        let switching = raw_upstream(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
        )
        .await;
        let gateway = Gateway::start_with(Some(switching), &["--log-format", "json"]).await;
        let reply = send(
            gateway.addr,
            &Req::new("GET", "/engine-rest/task?maxResults=1")
                .header("upgrade", "websocket")
                .header("connection", "upgrade"),
        )
        .await;
        assert_eq!(reply.status, 502, "{}", reply.text());
        assert_eq!(reply.json()["code"], "upstream-unavailable");
        assert_eq!(reply.header("upgrade"), None);
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(
            gateway.stderr().contains("101"),
            "the cause is logged: {}",
            gateway.stderr()
        );

        let continuing = raw_upstream(
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
        )
        .await;
        let gateway = Gateway::start(Some(continuing)).await;
        let reply = send(
            gateway.addr,
            &Req::new("GET", "/engine-rest/task?maxResults=1"),
        )
        .await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.text(), "ok");
    })
    .await;
}

/// A client that never ends its header section is cut off after
/// `--header-timeout` with a log line, not in silence; one that ends it in
/// time is served.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_header_section_that_never_ends_is_closed_and_logged() {
    bounded(async {
        let gateway = Gateway::start_with(None, &["--header-timeout", "1"]).await;
        let mut stream = TcpStream::connect(gateway.addr).await.unwrap();
        stream
            .write_all(b"GET /engine-rest/task?maxResults=1 HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n")
            .await
            .unwrap();
        let started = Instant::now();
        let mut buf = [0u8; 64];
        let closed = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf)).await;
        assert!(
            matches!(closed, Ok(Ok(0)) | Ok(Err(_))),
            "still open: {closed:?}"
        );
        assert!(started.elapsed() < Duration::from_secs(4));
        let start = Instant::now();
        while !gateway.stderr().contains("did not arrive in time") {
            assert!(
                start.elapsed() < Duration::from_secs(3),
                "{}",
                gateway.stderr()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(gateway.stderr().contains("127.0.0.1:"), "the peer is named");
        let ok = send(
            gateway.addr,
            &Req::new("GET", "/engine-rest/task?maxResults=1"),
        )
        .await;
        assert_eq!(ok.status, 200);
    })
    .await;
}

/// Upstream 5xx bodies that show the server's insides (an HTML error page
/// with a stack trace, an exception chain naming the database) are replaced
/// by a generic problem+json with the same status and the request id, and
/// logged; the engine's own short `{"type","message"}` error passes as it is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upstream_errors_with_technical_details_are_masked_and_logged() {
    bounded(async {
        let upstream = start_upstream().await;
        let gateway = Gateway::start_with(Some(upstream.addr), &["--log-format", "json"]).await;
        for (path, status) in [("/engine-rest/fail-page", 500), ("/engine-rest/fail-chain", 503)] {
            let reply = send(gateway.addr, &Req::new("GET", path)).await;
            assert_eq!(reply.status, status, "{path}");
            assert_eq!(reply.header("content-type"), Some("application/problem+json"));
            let text = reply.text();
            for leak in ["at org.", "JdbcSQLException", "ACT_RU_TASK", "IllegalStateException"] {
                assert!(!text.contains(leak), "{path} leaked {leak}: {text}");
            }
            let problem = reply.json();
            assert_eq!(problem["code"], "upstream-error");
            assert_eq!(problem["status"], status);
            let id = reply.header("x-request-id").unwrap();
            assert_eq!(problem["instance"], format!("urn:request:{id}"));
            let start = Instant::now();
            while !gateway.stderr().lines().any(|l| l.contains(id) && l.contains("masked")) {
                assert!(start.elapsed() < Duration::from_secs(3), "{}", gateway.stderr());
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        assert!(gateway.stderr().contains("ACT_RU_TASK"), "the original is logged");
        // The near misses: the engine's own error, and a 4xx page.
        let reply = send(gateway.addr, &Req::new("GET", "/engine-rest/fail-engine")).await;
        assert_eq!(reply.status, 500);
        assert_eq!(
            reply.text(),
            r#"{"type":"ProcessEngineException","message":"ENGINE-13033 no such deployment","code":0}"#
        );
        let reply = send(gateway.addr, &Req::new("GET", "/engine-rest/nothing-here")).await;
        assert_eq!(reply.status, 404);
        assert_eq!(reply.text(), "no such resource upstream\n");
        // Switched off in the policy, the page passes as the engine sent it.
        let policy =
            common::policy::camunda_edited(&[("mask_errors = true", "mask_errors = false")]);
        let policy = common::bin::write_temp("unmasked.toml", &policy);
        let unmasked =
            Gateway::start_with_policy(policy.to_str().unwrap(), Some(upstream.addr), &[]).await;
        let reply = send(unmasked.addr, &Req::new("GET", "/engine-rest/fail-page")).await;
        assert_eq!(reply.status, 500);
        assert!(reply.text().contains("HTTP Status 500"), "{}", reply.text());
    })
    .await;
}

/// Chunked framing the engine's server (Tomcat) refuses is refused here
/// too, and never reaches the upstream: a chunk size with blanks after it,
/// and a chunk declaring 2^48 bytes, the latter at once rather than at the
/// request deadline. The near miss: strict chunks, pipelined, pass.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chunk_framing_the_engine_refuses_is_refused_at_once() {
    bounded(async {
        let upstream = start_upstream().await;
        let gateway = Gateway::start(Some(upstream.addr)).await;
        let head = "POST /engine-rest/message HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
        for (label, body) in [
            ("blank after the size", "5 \r\n{\"a\":\r\n3\r\n\"b\"}\r\n0\r\n\r\n"),
            ("2^48 bytes", "1000000000000\r\n{\"a\":1}"),
        ] {
            let mut stream = TcpStream::connect(gateway.addr).await.unwrap();
            let started = Instant::now();
            stream.write_all(format!("{head}{body}").as_bytes()).await.unwrap();
            let answer = read_until(&mut stream, |_| false).await;
            assert!(
                answer.is_empty() || answer.starts_with("HTTP/1.1 400"),
                "{label}: {answer}"
            );
            assert!(started.elapsed() < Duration::from_secs(3), "{label}: waited");
        }
        assert!(upstream.seen().is_empty(), "{:?}", upstream.seen());
        assert!(gateway.stderr().contains("framing"), "{}", gateway.stderr());

        let mut stream = TcpStream::connect(gateway.addr).await.unwrap();
        let good = format!(
            "{head}7\r\n{{\"a\":1}}\r\n0\r\n\r\n{head}2;ext=x\r\n{{}}\r\n0\r\nTrailer-Field: 1\r\n\r\n"
        );
        stream.write_all(good.as_bytes()).await.unwrap();
        let answers = read_until(&mut stream, |got| got.matches("HTTP/1.1 200").count() == 2).await;
        assert_eq!(answers.matches("HTTP/1.1 200").count(), 2, "{answers}");
        let seen = upstream.seen();
        assert_eq!(seen.len(), 2);
        assert_eq!(&seen[0].body[..], b"{\"a\":1}");
        assert_eq!(&seen[1].body[..], b"{}");
    })
    .await;
}

/// An HTTP/1.1 request without `Host` is refused at the gateway, as the
/// engine's container refuses it; HTTP/1.0, which has no `Host`, passes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostless_http_1_1_request_is_refused() {
    bounded(async {
        let upstream = start_upstream().await;
        let gateway = Gateway::start(Some(upstream.addr)).await;
        let reply = send_raw(
            gateway.addr,
            b"GET /engine-rest/task?maxResults=1 HTTP/1.1\r\nConnection: close\r\n\r\n".to_vec(),
        )
        .await
        .unwrap();
        assert_eq!(reply.status, 400, "{}", reply.text());
        assert_eq!(reply.json()["code"], "invalid-header");
        assert_eq!(reply.json()["location"], "header:host");
        let reply = send_raw(
            gateway.addr,
            b"GET /engine-rest/task?maxResults=1 HTTP/1.0\r\n\r\n".to_vec(),
        )
        .await
        .unwrap();
        assert_eq!(reply.status, 200, "{}", reply.text());
        assert_eq!(upstream.seen().len(), 1);
    })
    .await;
}
