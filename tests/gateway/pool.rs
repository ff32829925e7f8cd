//! The gateway's upstream connections: kept alive and reused, never reused
//! when the upstream closed them or an answer was not read to the end.
//
// Unwraps here are test failures, not request paths.

use std::sync::atomic::AtomicBool;

use tokio::io::AsyncReadExt;

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

fn get(path: &str) -> Req {
    Req::new("GET", format!("/engine-rest/{path}"))
}

/// Requests one after another share one upstream connection, whether the
/// answers have bodies or not (an empty body is never read, so the
/// connection must be free without it). The near miss: an answer with
/// `Connection: close` is not followed on that connection, and the next
/// request gets a new one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upstream_connections_are_kept_alive_and_reused() {
    bounded(async {
        let upstream = Upstream::start().await;
        let gateway = Gateway::start(Some(upstream.addr)).await;
        for i in 0..12 {
            let path = if i % 3 == 0 {
                "x/empty"
            } else {
                "process-definition/key/invoice"
            };
            let reply = send(gateway.addr, &get(path)).await;
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
