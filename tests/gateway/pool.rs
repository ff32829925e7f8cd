//! The gateway's upstream connections: kept alive and reused, never reused
//! when the upstream closed them or an answer was not read to the end.
//
// Unwraps here are test failures, not request paths.

use std::sync::atomic::AtomicBool;
use std::time::Instant;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::*;
use crate::serve::Gateway;

/// An engine stand-in speaking HTTP/1.1 keep-alive by hand: it counts the
/// connections that carry requests, answers `GET /…/empty` with 204, `GET /…/close`
/// with `Connection: close`, anything else with `200 ok`, and, when
/// `hang_up` is set, closes every connection right after answering
/// without saying so (as an engine ending an idle keep-alive does).
struct Upstream {
    addr: SocketAddr,
    connections: Arc<AtomicUsize>,
    hang_up: Arc<AtomicBool>,
}

impl Upstream {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let connections = Arc::new(AtomicUsize::new(0));
        let hang_up = Arc::new(AtomicBool::new(false));
        let (count, hang) = (connections.clone(), hang_up.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve_connection(stream, count.clone(), hang.clone()));
            }
        });
        Upstream {
            addr,
            connections,
            hang_up,
        }
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

/// Connections are counted once they carry a request: the gateway's
/// readiness probe connects and sends nothing.
async fn serve_connection(
    mut stream: TcpStream,
    connections: Arc<AtomicUsize>,
    hang_up: Arc<AtomicBool>,
) {
    let mut first = true;
    let mut pending = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") else {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => pending.extend_from_slice(&buf[..n]),
            }
            continue;
        };
        if std::mem::take(&mut first) {
            connections.fetch_add(1, Ordering::SeqCst);
        }
        let head = String::from_utf8_lossy(&pending[..end]).into_owned();
        pending.drain(..end + 4);
        let target = head.split(' ').nth(1).unwrap_or("").to_owned();
        // `/early` is answered before its body is read, as an engine
        // refusing an unauthenticated upload does; every body is read (and
        // dropped) as it comes, so the connection can carry the next
        // request after.
        let early = target.ends_with("/early");
        if early {
            let answer = b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 2\r\n\r\nno";
            if stream.write_all(answer).await.is_err() {
                return;
            }
        }
        let mut left = content_length(&head);
        let taken = left.min(pending.len());
        pending.drain(..taken);
        left -= taken;
        while left > 0 {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => {
                    let taken = left.min(n);
                    pending.extend_from_slice(&buf[taken..n]);
                    left -= taken;
                }
            }
        }
        if early {
            continue;
        }
        let answer: &[u8] = if target.ends_with("/empty") {
            b"HTTP/1.1 204 No Content\r\n\r\n"
        } else if target.ends_with("/close") {
            b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok"
        } else {
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
        };
        if stream.write_all(answer).await.is_err() || target.ends_with("/close") {
            return;
        }
        if hang_up.load(Ordering::SeqCst) {
            return;
        }
    }
}

/// The `Content-Length` of a request head (0 without one).
fn content_length(head: &str) -> usize {
    head.lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse().ok())
        .unwrap_or(0)
}

fn get(path: &str) -> Req {
    Req::new("GET", format!("/engine-rest/{path}"))
}

/// Requests one after another share one upstream connection, whether the
/// requests and answers have bodies or not (an empty body is never read,
/// so the connection must be free without it). The near miss: an answer with
/// `Connection: close` is not followed on that connection, and the next
/// request gets a new one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upstream_connections_are_kept_alive_and_reused() {
    bounded(async {
        let upstream = Upstream::start().await;
        let gateway = Gateway::start(Some(upstream.addr)).await;
        for i in 0..12 {
            let req = match i % 3 {
                0 => get("x/empty"),
                // A body: the connection comes back once both the body has
                // gone out and the answer has been read.
                1 => Req::new("POST", "/engine-rest/process-definition/key/invoice/start")
                    .header("Content-Type", "application/json")
                    .body(br#"{"variables":{"a":{"value":1,"type":"Integer"}}}"#.to_vec()),
                _ => get("process-definition/key/invoice"),
            };
            let reply = send(gateway.addr, &req).await;
            assert!(matches!(reply.status, 200 | 204), "{}", reply.status);
        }
        assert_eq!(upstream.connections(), 1);

        let reply = send(gateway.addr, &get("x/close")).await;
        assert_eq!(reply.status, 200);
        let reply = send(gateway.addr, &get("process-definition/key/invoice")).await;
        assert_eq!((reply.status, reply.text().as_str()), (200, "ok"));
        assert_eq!(upstream.connections(), 2);
    })
    .await;
}

/// An upstream that closes idle connections without a word: the gateway
/// must not answer 502 for a request it could have sent on a new
/// connection, whether it notices the close before sending or only when
/// the send fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_the_upstream_closed_are_not_used() {
    bounded(async {
        let upstream = Upstream::start().await;
        upstream.hang_up.store(true, Ordering::SeqCst);
        let gateway = Gateway::start(Some(upstream.addr)).await;
        for pause in [0, 1, 5, 50, 0, 200, 0, 1] {
            let reply = send(gateway.addr, &get("process-definition/key/invoice")).await;
            assert_eq!((reply.status, reply.text().as_str()), (200, "ok"));
            tokio::time::sleep(Duration::from_millis(pause)).await;
        }
        assert_eq!(upstream.connections(), 8);
    })
    .await;
}

/// An upstream that answers an upload before reading its body (an engine
/// refusing it unauthenticated) leaves that connection busy until the
/// body has gone through. A request meanwhile must not wait for the upload
/// on that connection: it gets its answer at once, on another one, while
/// the upload is held open; once the upload ends, its connection is
/// reused. The body is streamed on uninspected (report mode, over the
/// limit), so the upload is still arriving when the answer goes back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_does_not_wait_behind_an_upload_answered_early() {
    bounded(async {
        let report = common::policy::camunda_edited(&[
            ("mode = \"enforce\"", "mode = \"report\""),
            ("max_bytes = 10485760", "max_bytes = 1024"),
        ]);
        let policy = common::bin::write_temp("report-1k-pool.toml", &report);
        let upstream = Upstream::start().await;
        let gateway = Gateway::start_with_policy(
            policy.to_str().expect("utf-8 path"),
            Some(upstream.addr),
            &[],
        )
        .await;
        let reply = send(gateway.addr, &get("process-definition/key/invoice")).await;
        assert_eq!(reply.status, 200);

        // The upload: its head and a first part of its body, then held.
        let size = 64 * 1024;
        let mut upload = TcpStream::connect(gateway.addr).await.unwrap();
        let head = format!(
            "POST /engine-rest/deployment/early HTTP/1.1\r\nHost: x\r\n\
             Content-Type: application/octet-stream\r\nContent-Length: {size}\r\n\r\n"
        );
        upload.write_all(head.as_bytes()).await.unwrap();
        upload.write_all(&vec![b'a'; 4096]).await.unwrap();
        let mut answer = Vec::new();
        let mut buf = [0u8; 1024];
        while !answer.windows(2).any(|w| w == b"no") {
            let n = tokio::time::timeout(Duration::from_secs(5), upload.read(&mut buf))
                .await
                .expect("the early answer arrives while the upload is held")
                .unwrap();
            assert!(n > 0, "the gateway closed the upload");
            answer.extend_from_slice(&buf[..n]);
        }
        assert!(
            answer.starts_with(b"HTTP/1.1 401"),
            "{}",
            String::from_utf8_lossy(&answer)
        );

        // Meanwhile: answered at once, not after the upload.
        for _ in 0..3 {
            let started = Instant::now();
            let reply = send(gateway.addr, &get("process-definition/key/invoice")).await;
            assert_eq!((reply.status, reply.text().as_str()), (200, "ok"));
            assert!(
                started.elapsed() < Duration::from_secs(2),
                "waited {:?} behind the upload",
                started.elapsed()
            );
        }

        // The upload ends; its connection is free again and reused.
        upload.write_all(&vec![b'a'; size - 4096]).await.unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        let before = upstream.connections();
        for _ in 0..4 {
            let reply = send(gateway.addr, &get("process-definition/key/invoice")).await;
            assert_eq!(reply.status, 200);
        }
        assert_eq!(
            upstream.connections(),
            before,
            "no new connections after the upload"
        );
        assert!(before <= 3, "{before} connections for two at a time");
    })
    .await;
}
