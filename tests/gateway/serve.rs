//! The `input-guard serve` gateway, a real process, in front of a real
//! upstream or its demo engine.

use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::Instant;

use tokio::io::AsyncReadExt;

use super::*;
use crate::axum_app::assert_truncated_body_does_not_hang;
use common::bin::{BIN, drain, free_port, run, write_temp};
use common::policy::CAMUNDA_PATH as POLICY;

/// The gateway process; killed on drop.
pub(crate) struct Gateway {
    child: Child,
    pub(crate) addr: SocketAddr,
    stdout: Arc<Mutex<Vec<u8>>>,
    stderr: Arc<Mutex<Vec<u8>>>,
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Gateway {
    pub(crate) async fn start(upstream: Option<SocketAddr>) -> Gateway {
        Gateway::start_with(upstream, &[]).await
    }

    pub(crate) async fn start_with(upstream: Option<SocketAddr>, extra: &[&str]) -> Gateway {
        Gateway::start_with_policy(POLICY, upstream, extra).await
    }

    pub(crate) async fn start_with_policy(
        policy: &str,
        upstream: Option<SocketAddr>,
        extra: &[&str],
    ) -> Gateway {
        let upstream = upstream.map(|addr| format!("http://{addr}"));
        Gateway::start_url(policy, upstream.as_deref(), extra).await
    }

    /// A gateway in front of `url` (`https://...` too).
    pub(crate) async fn start_with_upstream_url(url: &str, extra: &[&str]) -> Gateway {
        Gateway::start_url(POLICY, Some(url), extra).await
    }

    async fn start_url(policy: &str, upstream: Option<&str>, extra: &[&str]) -> Gateway {
        let port = free_port();
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let mut command = Command::new(BIN);
        command
            .args(["serve", "--policy", policy, "--listen", &addr.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .env_remove("RUST_LOG");
        if let Some(upstream) = upstream {
            command.args(["--upstream", upstream]);
        }
        command.args(extra);
        let mut child = command.spawn().expect("spawn input-guard serve");
        let stdout = drain(child.stdout.take().expect("stdout"));
        let stderr = drain(child.stderr.take().expect("stderr"));
        let mut gateway = Gateway {
            child,
            addr,
            stdout,
            stderr,
        };
        let start = Instant::now();
        loop {
            if let Some(status) = gateway.child.try_wait().expect("try_wait") {
                panic!(
                    "the gateway exited early ({status}): {}{}",
                    gateway.stdout(),
                    gateway.stderr()
                );
            }
            if TcpStream::connect(addr).await.is_ok() {
                return gateway;
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "the gateway did not listen on {addr} within 10 s: {}{}",
                gateway.stdout(),
                gateway.stderr()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub(crate) fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.stdout.lock().expect("log lock")).into_owned()
    }

    pub(crate) fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().expect("log lock")).into_owned()
    }

    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits up to `limit` for the process to exit.
    pub(crate) async fn wait_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Some(status);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        None
    }

    /// Peak resident memory, in bytes (Linux).
    pub(crate) fn peak_rss(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib * 1024)
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Seen {
    pub(crate) method: String,
    pub(crate) uri: String,
    headers: Vec<(String, String)>,
    pub(crate) body: Bytes,
}

impl Seen {
    fn all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub(crate) fn one(&self, name: &str) -> Option<&str> {
        let all = self.all(name);
        assert!(
            all.len() <= 1,
            "{name} arrived {} times: {all:?}",
            all.len()
        );
        all.first().copied()
    }
}

/// An engine stand-in that records what reaches it.
pub(crate) struct Upstream {
    pub(crate) addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Upstream {
    pub(crate) fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("seen lock").clone()
    }
}

async fn upstream_handler(seen: Arc<Mutex<Vec<Seen>>>, request: Request<Body>) -> Response<Body> {
    let (head, body) = request.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    seen.lock().expect("seen lock").push(Seen {
        method: head.method.to_string(),
        uri: head.uri.to_string(),
        headers: head
            .headers
            .iter()
            .map(|(n, v)| {
                (
                    n.to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: body.clone(),
    });
    let response = Response::builder();
    match head.uri.path() {
        "/engine-rest/nothing-here" => response
            .status(404)
            .header("content-type", "text/plain")
            .header("x-upstream", "not-found")
            .body(Body::from("no such resource upstream\n")),
        "/engine-rest/fail-page" => response
            .status(500)
            .header("content-type", "text/html")
            .body(Body::from(
                "<html><h1>HTTP Status 500</h1><pre>java.lang.IllegalStateException: boom\n\tat org.camunda.bpm.engine.rest.impl.TaskRestServiceImpl.getTasks(TaskRestServiceImpl.java:42)</pre></html>",
            )),
        "/engine-rest/fail-engine" => response
            .status(500)
            .header("content-type", "application/json")
            .body(Body::from(
                r#"{"type":"ProcessEngineException","message":"ENGINE-13033 no such deployment","code":0}"#,
            )),
        "/engine-rest/fail-chain" => response
            .status(503)
            .header("content-type", "application/json")
            .body(Body::from(
                r#"{"type":"ProcessEngineException","message":"ENGINE-03004 failed. Cause: org.h2.jdbc.JdbcSQLException: Table ACT_RU_TASK not found"}"#,
            )),
        "/engine-rest/slow" => {
            tokio::time::sleep(Duration::from_millis(1500)).await;
            response
                .header("x-upstream", "slow")
                .body(Body::from("slow done"))
        }
        _ => response
            .header("content-type", "application/octet-stream")
            .header("x-upstream", "echo")
            .header("keep-alive", "timeout=99")
            .header("proxy-authenticate", "Basic realm=\"upstream\"")
            .body(Body::from(body)),
    }
    .expect("upstream response")
}

pub(crate) async fn start_upstream() -> Upstream {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let router = Router::new().fallback(move |request: Request<Body>| {
        let record = record.clone();
        async move { upstream_handler(record, request).await }
    });
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move {
        axum::serve(listener, router).await.expect("serve upstream");
    });
    Upstream { addr, seen }
}

const HOP_BY_HOP: [&str; 7] = [
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "upgrade",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateway_forwards_clean_requests_byte_identical() {
    bounded(async {
        let upstream = start_upstream().await;
        let gateway = Gateway::start(Some(upstream.addr)).await;
        let requests = clean_requests();
        for req in &requests {
            let req = req
                .clone()
                .header("Host", "camunda.example:8080")
                .header("X-Custom", "kept as is")
                .header("Authorization", "Basic ZGVtbzpkZW1v");
            let before = upstream.seen().len();
            let reply = send(gateway.addr, &req).await;
            let context = format!("{} {}", req.method, req.target);
            assert_eq!(reply.status, 200, "{context}: {}", reply.text());
            assert_eq!(reply.header("x-upstream"), Some("echo"), "{context}");
            assert!(reply.body == req.body, "{context}: response body changed");
            assert!(
                seen_connection_free(&upstream.seen()),
                "{context}: Connection reached the upstream"
            );
            for name in HOP_BY_HOP {
                assert!(
                    reply.header(name).is_none(),
                    "{context}: response kept {name}"
                );
            }

            let seen = upstream.seen();
            assert_eq!(seen.len(), before + 1, "{context}");
            let seen = &seen[before];
            assert_eq!(seen.method, req.method, "{context}");
            assert_eq!(seen.uri, req.target, "{context}: path or query changed");
            assert!(seen.body == req.body, "{context}: body changed on the way");
            assert_eq!(seen.one("host"), Some("camunda.example:8080"), "{context}");
            assert_eq!(seen.one("x-custom"), Some("kept as is"), "{context}");
            assert_eq!(
                seen.one("authorization"),
                Some("Basic ZGVtbzpkZW1v"),
                "{context}"
            );
            assert_eq!(seen.one("x-forwarded-for"), Some("127.0.0.1"), "{context}");
            assert_eq!(seen.one("x-forwarded-proto"), Some("http"), "{context}");
            assert_eq!(
                seen.one("x-forwarded-host"),
                Some("camunda.example:8080"),
                "{context}"
            );
            assert_eq!(
                seen.one("forwarded"),
                Some("for=127.0.0.1;proto=http;host=\"camunda.example:8080\""),
                "{context}"
            );
            if let Some((_, ct)) = req.headers.iter().find(|(n, _)| n == "Content-Type") {
                assert_eq!(seen.one("content-type"), Some(ct.as_str()), "{context}");
            }
        }
        assert_eq!(upstream.seen().len(), requests.len());
    })
    .await;
}

fn seen_connection_free(seen: &[Seen]) -> bool {
    seen.iter().all(|s| s.all("connection").is_empty())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateway_drops_hop_by_hop_headers() {
    bounded(async {
        let upstream = start_upstream().await;
        let gateway = Gateway::start(Some(upstream.addr)).await;
        let req = Req::new("POST", "/engine-rest/message")
            .header("Content-Type", "application/json")
            .header("Connection", "keep-alive")
            .header("Keep-Alive", "timeout=5, max=100")
            .header("Proxy-Connection", "keep-alive")
            .header("Proxy-Authorization", "Basic cHJveHk6c2VjcmV0")
            .header("TE", "trailers")
            .header("Trailer", "X-Checksum")
            .header("Upgrade", "websocket")
            .header("X-Forwarded-For", "203.0.113.66")
            .header("Forwarded", "for=198.51.100.7")
            .body(r#"{"messageName":"m"}"#);
        let reply = send(gateway.addr, &req).await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        let seen = upstream.seen();
        assert_eq!(seen.len(), 1);
        for name in HOP_BY_HOP {
            assert!(
                seen[0].all(name).is_empty(),
                "hop-by-hop {name} reached the upstream: {:?}",
                seen[0].headers
            );
        }
        // The gateway's own peer is appended as the last hop: what a load
        // balancer in front put there is kept, for the upstream to judge.
        let xff = seen[0].one("x-forwarded-for").expect("x-forwarded-for");
        assert_eq!(xff, "203.0.113.66, 127.0.0.1");
        let forwarded = seen[0].one("forwarded").expect("forwarded");
        assert_eq!(
            forwarded,
            "for=198.51.100.7, for=127.0.0.1;proto=http;host=\"127.0.0.1\""
        );
    })
    .await;
}

/// RFC 9110 section 7.6.1: a proxy MUST remove the fields a
/// `Connection` header names, not only the fixed hop-by-hop list.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateway_drops_headers_named_by_connection() {
    bounded(async {
        let upstream = start_upstream().await;
        let gateway = Gateway::start(Some(upstream.addr)).await;
        let req = Req::new("GET", "/engine-rest/process-definition/count")
            .header("Connection", "close, X-Hop-Secret")
            .header("X-Hop-Secret", "for the gateway only");
        let reply = send(gateway.addr, &req).await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        let seen = upstream.seen();
        assert_eq!(seen.len(), 1);
        assert!(
            seen[0].all("x-hop-secret").is_empty(),
            "a header named in Connection was forwarded: {:?}",
            seen[0].headers
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateway_rejections_never_reach_the_upstream() {
    bounded(async {
        let upstream = start_upstream().await;
        let gateway = Gateway::start(Some(upstream.addr)).await;
        let cases = rejections(CAMUNDA_BODY_LIMIT);
        for case in &cases {
            let reply = send(gateway.addr, &case.req).await;
            assert_rejection_reply(&reply, case);
        }
        assert!(
            upstream.seen().is_empty(),
            "rejected requests reached the upstream: {:?}",
            upstream.seen()
        );

        // Every rejection is an audit line, without the body.
        let start = Instant::now();
        loop {
            let log = gateway.stderr();
            let lines = log
                .lines()
                .filter(|l| l.contains("input_guard::audit"))
                .count();
            if lines >= cases.len() {
                assert!(
                    !log.contains("BODY-MARKER"),
                    "the body leaked into the log: {log}"
                );
                assert!(log.contains("class-not-allowed"), "{log}");
                break;
            }
            assert!(
                start.elapsed() < Duration::from_secs(3),
                "{lines} audit lines for {} rejections: {log}",
                cases.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
}

/// A transfer coding the guard did not decode must not reach the
/// engine: the guard inspected the bytes as they came, an engine that
/// honours `Transfer-Encoding: gzip` would read something else.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateway_does_not_forward_transfer_codings_it_did_not_decode() {
    bounded(async {
        let upstream = start_upstream().await;
        let gateway = Gateway::start(Some(upstream.addr)).await;
        let head = "POST /engine-rest/message HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: gzip, chunked\r\nConnection: close\r\n\r\n";

        // Real gzip bytes: never JSON, so never past the guard.
        let gzip = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xab\xae\x05\x00C\xbf\xa6\xa3\x02\x00\x00\x00";
        let mut bytes = head.as_bytes().to_vec();
        bytes.extend(chunked(gzip, 8));
        let reply = send_raw(gateway.addr, bytes).await.expect("an answer");
        assert!(
            (400..500).contains(&reply.status),
            "gzip bytes under Transfer-Encoding: gzip got {}: {}",
            reply.status,
            reply.text()
        );
        assert!(upstream.seen().is_empty(), "{:?}", upstream.seen());

        // Plain JSON claimed to be gzip-coded: refused, or forwarded
        // without the claim.
        let mut bytes = head.as_bytes().to_vec();
        bytes.extend(chunked(br#"{"messageName":"m"}"#, 8));
        let reply = send_raw(gateway.addr, bytes).await.expect("an answer");
        if let Some(seen) = upstream.seen().first() {
            let te = seen.all("transfer-encoding");
            assert!(
                te.iter().all(|v| v.eq_ignore_ascii_case("chunked")),
                "the upstream was told the body is {te:?}, a coding the guard never decoded \
                 (gateway answered {})",
                reply.status
            );
        } else {
            assert!((400..500).contains(&reply.status), "{}", reply.status);
        }
    })
    .await;
}

/// `Expect: 100-continue` with an oversized length: a final 413, never
/// an invitation to send the gigabyte.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateway_does_not_invite_an_oversized_body() {
    bounded(async {
        let upstream = start_upstream().await;
        let gateway = Gateway::start(Some(upstream.addr)).await;
        let mut stream = TcpStream::connect(gateway.addr).await.expect("connect");
        stream
            .write_all(b"POST /engine-rest/message HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1073741824\r\nExpect: 100-continue\r\n\r\n")
            .await
            .expect("write");
        let mut first = vec![0u8; 12];
        tokio::time::timeout(IO_LIMIT, stream.read_exact(&mut first))
            .await
            .expect("an answer in time")
            .expect("read");
        assert_eq!(first, b"HTTP/1.1 413", "{}", String::from_utf8_lossy(&first));
        assert!(upstream.seen().is_empty());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateway_passes_upstream_errors_unchanged() {
    bounded(async {
        let upstream = start_upstream().await;
        let gateway = Gateway::start(Some(upstream.addr)).await;
        let reply = send(gateway.addr, &Req::new("GET", "/engine-rest/nothing-here")).await;
        assert_eq!(reply.status, 404);
        assert_eq!(reply.text(), "no such resource upstream\n");
        assert_eq!(reply.header("x-upstream"), Some("not-found"));
        assert_eq!(reply.header("content-type"), Some("text/plain"));
        assert_eq!(upstream.seen().len(), 1);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateway_answers_502_when_the_upstream_is_down() {
    bounded(async {
        let down: SocketAddr = ([127, 0, 0, 1], free_port()).into();
        let gateway = Gateway::start(Some(down)).await;
        let reply = send(
            gateway.addr,
            &Req::new("GET", "/engine-rest/task?maxResults=10"),
        )
        .await;
        assert_eq!(reply.status, 502, "{}", reply.text());
        assert_eq!(
            reply.header("content-type"),
            Some("application/problem+json")
        );
        let problem = reply.json();
        assert_eq!(problem["status"], 502, "{problem}");
        assert_eq!(problem["code"], "upstream-unavailable", "{problem}");
        assert_eq!(
            problem["type"],
            "urn:input-guard:problem:upstream-unavailable"
        );
        assert!(
            problem["title"].is_string() && problem["detail"].is_string(),
            "{problem}"
        );
        let text = reply.text();
        assert_no_internals("502", &text);
        assert!(
            !text.contains(&down.port().to_string()),
            "the upstream address leaked: {text}"
        );
        // The guard still answers first.
        let reply = send(gateway.addr, &Req::new("GET", "/engine-rest/task")).await;
        assert_eq!(reply.status, 400);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateway_without_upstream_serves_the_demo_engine() {
    bounded(async {
        let gateway = Gateway::start(None).await;
        let req = Req::new(
            "POST",
            "/engine-rest/process-definition/key/invoice/start?x=1",
        )
        .header("Content-Type", "application/json")
        .body(CLEAN_JSON);
        let reply = send(gateway.addr, &req).await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        let echo = reply.json();
        assert_eq!(echo["method"], "POST", "{echo}");
        assert_eq!(echo["uri"], req.target, "{echo}");
        assert_eq!(echo["bodyBytes"], CLEAN_JSON.len(), "{echo}");
        assert_eq!(echo["body"], CLEAN_JSON, "{echo}");

        let doctype = rejections(CAMUNDA_BODY_LIMIT)
            .into_iter()
            .find(|c| c.code == "xml-doctype")
            .expect("doctype case");
        let reply = send(gateway.addr, &doctype.req).await;
        assert_rejection_reply(&reply, &doctype);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateway_survives_oversized_endless_truncated_and_slow_uploads() {
    bounded(async {
        let upstream = start_upstream().await;
        let gateway = Gateway::start(Some(upstream.addr)).await;
        let addr = gateway.addr;

        // Slowloris: half a head, then nothing. The header timeout (10 s)
        // must close it; the other checks run meanwhile.
        let slow_head = tokio::spawn(async move {
            let mut stream = TcpStream::connect(addr).await.expect("connect");
            stream
                .write_all(b"POST /engine-rest/message HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty")
                .await
                .expect("write");
            let start = Instant::now();
            let mut buf = Vec::new();
            let ended = tokio::time::timeout(Duration::from_secs(14), stream.read_to_end(&mut buf)).await;
            (ended.is_ok(), start.elapsed(), String::from_utf8_lossy(&buf).into_owned())
        });

        // A slow body: the head, a few bytes, then nothing.
        let mut slow_body = TcpStream::connect(addr).await.expect("connect");
        slow_body
            .write_all(b"POST /engine-rest/message HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"a\":")
            .await
            .expect("write");

        // 1 GiB declared, zeros streaming: 413 long before 1 GiB is out.
        let head = b"POST /engine-rest/message HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n".to_vec();
        let (reply, sent) = upload_until_answered(addr, head, false, ONE_GIB).await;
        let reply = reply.expect("an answer to the 1 GiB upload");
        assert_problem(
            "1 GiB upload",
            reply.status,
            reply.header("content-type"),
            &reply.body,
            413,
            "body-too-large",
            Some("header:content-length"),
        );
        assert!(sent < 64 << 20, "{sent} bytes were out before the 413");

        // Chunked, never ending: 413 once the 10 MiB limit is crossed.
        let head = b"POST /engine-rest/message HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        let (reply, sent) = upload_until_answered(addr, head, true, ONE_GIB).await;
        let reply = reply.expect("an answer to the endless chunked upload");
        assert_problem(
            "endless chunked upload",
            reply.status,
            reply.header("content-type"),
            &reply.body,
            413,
            "body-too-large",
            Some("body"),
        );
        assert!(
            sent < CAMUNDA_BODY_LIMIT + (64 << 20),
            "{sent} bytes were out before the 413"
        );

        // Truncated: Content-Length 1000, 10 bytes, write half closed.
        assert_truncated_body_does_not_hang(addr).await;

        // Meanwhile the gateway serves everyone else, promptly.
        for i in 0..5 {
            let req = Req::new("GET", format!("/engine-rest/task?maxResults={}", i + 1));
            let start = Instant::now();
            let reply = send(addr, &req).await;
            assert_eq!(reply.status, 200, "{}", reply.text());
            assert!(start.elapsed() < Duration::from_secs(2), "request {i} took {:?}", start.elapsed());
        }
        // The slow body is still waited for, not answered early or
        // forwarded half-read.
        let mut byte = [0u8; 1];
        let early = tokio::time::timeout(Duration::from_millis(200), slow_body.read(&mut byte)).await;
        assert!(early.is_err(), "the slow-body connection was answered early: {early:?}");

        // Nothing but the five clean requests reached the upstream.
        let seen = upstream.seen();
        assert_eq!(seen.len(), 5, "{seen:?}");

        // Not buffered: peak memory far below the 1 GiB offered.
        if let Some(peak) = gateway.peak_rss() {
            eprintln!("gateway peak RSS: {} KiB", peak >> 10);
            assert!(peak < 256 << 20, "gateway peak RSS {} MiB", peak >> 20);
        }

        let (ended, elapsed, answer) = slow_head.await.expect("slowloris task");
        eprintln!("half-sent head: closed {ended} after {elapsed:?}, answer {answer:?}");
        assert!(ended, "a half-sent head held its connection for {elapsed:?}");
        assert!(
            answer.is_empty() || answer.starts_with("HTTP/1.1 408") || answer.starts_with("HTTP/1.1 400"),
            "half-sent head got {answer:?}"
        );
        drop(slow_body);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateway_shuts_down_gracefully_on_sigterm() {
    bounded(async {
        let upstream = start_upstream().await;
        let mut gateway = Gateway::start(Some(upstream.addr)).await;
        let addr = gateway.addr;

        // An idle keep-alive connection must not hold the shutdown.
        let mut idle = TcpStream::connect(addr).await.expect("connect");
        idle.write_all(b"GET /engine-rest/version HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            .await
            .expect("write");
        let reply = tokio::time::timeout(IO_LIMIT, read_reply(&mut idle))
            .await
            .expect("answer")
            .expect("reply");
        assert_eq!(reply.status, 200);

        // An in-flight request must finish.
        let in_flight =
            tokio::spawn(async move { send(addr, &Req::new("GET", "/engine-rest/slow")).await });
        let start = Instant::now();
        while !upstream.seen().iter().any(|s| s.uri == "/engine-rest/slow") {
            assert!(
                start.elapsed() < IO_LIMIT,
                "the slow request never reached the upstream"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }

        let status = Command::new("kill")
            .arg("-TERM")
            .arg(gateway.pid().to_string())
            .status()
            .expect("run kill");
        assert!(status.success());
        let signalled = Instant::now();

        let reply = in_flight.await.expect("in-flight task");
        assert_eq!(
            reply.status,
            200,
            "in-flight request during shutdown: {}",
            reply.text()
        );
        assert_eq!(reply.text(), "slow done");

        let exit = gateway.wait_exit(Duration::from_secs(12)).await;
        let elapsed = signalled.elapsed();
        eprintln!("SIGTERM to exit: {elapsed:?}, status {exit:?}");
        let exit = exit.unwrap_or_else(|| {
            panic!(
                "no exit 12 s after SIGTERM: {}{}",
                gateway.stdout(),
                gateway.stderr()
            )
        });
        assert_eq!(
            exit.code(),
            Some(0),
            "exit status {exit}: {}",
            gateway.stderr()
        );
        assert!(
            elapsed < Duration::from_secs(8),
            "shutdown took {elapsed:?}: an idle connection held it"
        );
        assert!(
            TcpStream::connect(addr).await.is_err(),
            "still accepting after exit"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateway_answers_408_when_a_request_outlives_its_deadline() {
    bounded(async {
        let gateway = Gateway::start_with(None, &["--request-timeout", "1"]).await;
        // Head and 5 of 100 body bytes, then nothing: the upload stalls.
        let stalled = b"POST /engine-rest/message HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"a\":".to_vec();
        let started = Instant::now();
        let reply = send_raw(gateway.addr, stalled).await.expect("an answer");
        assert_eq!(reply.status, 408, "{}", reply.text());
        assert_eq!(reply.json()["code"], "request-timeout");
        assert!(started.elapsed() < Duration::from_secs(4), "{:?}", started.elapsed());
        // Near miss: a request that finishes in time.
        let ok = send(gateway.addr, &Req::new("GET", "/engine-rest/task?maxResults=1")).await;
        assert_eq!(ok.status, 200);
    })
    .await;
}

/// Report mode reports: a body over its limit reaches the upstream whole,
/// streamed on uninspected (declared or chunked), with one audit event per
/// request, and `check` says the same of it. Enforce mode, the near miss,
/// refuses it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_mode_streams_oversized_bodies_on_and_agrees_with_check() {
    bounded(async {
        let report = common::policy::camunda_edited(&[
            ("mode = \"enforce\"", "mode = \"report\""),
            ("max_bytes = 10485760", "max_bytes = 1024"),
        ]);
        let report_path = write_temp("report-1k.toml", &report);
        let enforce_path = write_temp(
            "enforce-1k.toml",
            &common::policy::camunda_edited(&[("max_bytes = 10485760", "max_bytes = 1024")]),
        );
        let report_path = report_path.to_str().expect("utf-8 path");
        let enforce_path = enforce_path.to_str().expect("utf-8 path");
        let body = format!("{{\"messageName\":\"{}\"}}", "x".repeat(64 * 1024)).into_bytes();
        let upstream = start_upstream().await;
        let gateway = Gateway::start_with_policy(report_path, Some(upstream.addr), &[]).await;
        for chunked in [false, true] {
            let mut req = Req::new("POST", "/engine-rest/message")
                .header("Content-Type", "application/json")
                .body(body.clone());
            if chunked {
                req = req.chunked();
            }
            let before = upstream.seen().len();
            let reply = send(gateway.addr, &req).await;
            assert_eq!(reply.status, 200, "chunked {chunked}: {}", reply.text());
            let seen = upstream.seen();
            assert_eq!(seen.len(), before + 1, "chunked {chunked}");
            assert!(
                seen[before].body == body,
                "chunked {chunked}: the body changed"
            );
        }
        // One audit event per request, each saying what enforce would do.
        tokio::time::sleep(Duration::from_millis(200)).await;
        let log = gateway.stdout() + &gateway.stderr();
        let events = log.matches("request would be rejected").count();
        assert_eq!(events, 2, "{log}");
        assert_eq!(log.matches("body-too-large").count(), 2, "{log}");
        assert!(!log.contains("request rejected"), "{log}");

        // `check` with the same policy and body: allowed, reported.
        let file = write_temp(
            "report-body.json",
            std::str::from_utf8(&body).expect("utf-8"),
        );
        let checked = run(
            &[
                "check",
                "--policy",
                report_path,
                "--uri",
                "/engine-rest/message",
                "--header",
                "Content-Type: application/json",
                "--body",
                file.to_str().expect("utf-8 path"),
            ],
            b"",
        );
        assert_eq!(checked.code, 0, "{} {}", checked.stdout, checked.stderr);
        assert!(
            checked.stdout.contains("\"reported\""),
            "{} {}",
            checked.stdout,
            checked.stderr
        );
        assert!(
            checked.stdout.contains("body-too-large"),
            "{} {}",
            checked.stdout,
            checked.stderr
        );

        // The near miss: enforce mode refuses it and the upstream sees nothing.
        let enforce = Gateway::start_with_policy(enforce_path, Some(upstream.addr), &[]).await;
        let before = upstream.seen().len();
        let req = Req::new("POST", "/engine-rest/message")
            .header("Content-Type", "application/json")
            .body(body.clone());
        let reply = send(enforce.addr, &req).await;
        assert_eq!(reply.status, 413, "{}", reply.text());
        assert_eq!(upstream.seen().len(), before);
    })
    .await;
}

/// Request ids: made by the gateway (a UUIDv7) unless a trusted proxy sent
/// one; the same id reaches the upstream, comes back in the response, names
/// a rejection's problem+json `instance` and its audit event.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_ids_reach_the_upstream_the_problem_and_the_log() {
    bounded(async {
        let upstream = start_upstream().await;
        let gateway = Gateway::start(Some(upstream.addr)).await;
        let is_uuid_v7 = |id: &str| id.len() == 36 && &id[14..15] == "7";

        // A client's own id is not taken from an untrusted peer.
        let req =
            Req::new("GET", "/engine-rest/task?maxResults=5").header("X-Request-Id", "forged-1");
        let reply = send(gateway.addr, &req).await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        let id = reply
            .header("x-request-id")
            .expect("x-request-id")
            .to_owned();
        assert!(is_uuid_v7(&id), "{id}");
        assert_eq!(upstream.seen()[0].one("x-request-id"), Some(id.as_str()));

        // A rejection names it, and so does its audit event.
        let reply = send(
            gateway.addr,
            &Req::new("GET", "/engine-rest/task?maxResults=5000"),
        )
        .await;
        assert_eq!(reply.status, 400);
        let id = reply
            .header("x-request-id")
            .expect("x-request-id")
            .to_owned();
        assert!(is_uuid_v7(&id), "{id}");
        let problem = reply.json();
        assert_eq!(problem["instance"], format!("urn:request:{id}"));
        tokio::time::sleep(Duration::from_millis(200)).await;
        let log = gateway.stdout() + &gateway.stderr();
        assert!(
            log.lines()
                .any(|l| l.contains("request rejected") && l.contains(&id)),
            "{log}"
        );
        assert_eq!(upstream.seen().len(), 1);

        // From a trusted proxy a well-formed id is kept.
        let trusting =
            Gateway::start_with(Some(upstream.addr), &["--trusted-proxy", "127.0.0.1/32"]).await;
        let req =
            Req::new("GET", "/engine-rest/task?maxResults=5").header("X-Request-Id", "lb-7f3a");
        let reply = send(trusting.addr, &req).await;
        assert_eq!(reply.header("x-request-id"), Some("lb-7f3a"));
        assert_eq!(upstream.seen()[1].one("x-request-id"), Some("lb-7f3a"));
        let req =
            Req::new("GET", "/engine-rest/task?maxResults=5").header("X-Request-Id", "no\"good");
        let reply = send(trusting.addr, &req).await;
        assert!(is_uuid_v7(reply.header("x-request-id").unwrap_or_default()));
    })
    .await;
}

/// SIGHUP reloads the policy: a changed cap changes verdicts with no failed
/// request under load, and a broken file is logged with its place while the
/// policy before it stays in force.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_reloads_the_policy_and_keeps_it_when_the_new_one_is_broken() {
    bounded(async {
        let path = write_temp("reloaded.toml", &common::policy::camunda_text());
        let path_text = path.to_str().expect("utf-8 path").to_owned();
        let upstream = start_upstream().await;
        let admin: SocketAddr = ([127, 0, 0, 1], free_port()).into();
        let gateway = Gateway::start_with_policy(
            &path_text,
            Some(upstream.addr),
            &["--admin-listen", &admin.to_string()],
        )
        .await;
        let reloads = |outcome: &'static str| async move {
            let metrics = send(admin, &Req::new("GET", "/metrics")).await.text();
            let line = format!("input_guard_policy_reloads_total{{outcome=\"{outcome}\"}} ");
            metrics
                .lines()
                .find_map(|l| l.strip_prefix(line.as_str()))
                .unwrap_or_else(|| panic!("no {line}: {metrics}"))
                .parse::<u64>()
                .expect("a count")
        };
        assert_eq!((reloads("success").await, reloads("failure").await), (0, 0));
        let big = Req::new("GET", "/engine-rest/task?maxResults=5000");
        assert_eq!(send(gateway.addr, &big).await.status, 400);

        // Load alongside the reload: every request must be answered as
        // either policy would, never dropped or failed.
        let addr = gateway.addr;
        let load = tokio::spawn(async move {
            let mut statuses = Vec::new();
            for _ in 0..60 {
                let reply = send(addr, &Req::new("GET", "/engine-rest/task?maxResults=5")).await;
                statuses.push(reply.status);
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            statuses
        });
        let hup = |pid: u32| {
            let status = std::process::Command::new("kill")
                .args(["-HUP", &pid.to_string()])
                .status()
                .expect("kill");
            assert!(status.success());
        };
        std::fs::write(
            &path,
            common::policy::camunda_edited(&[("max_results = 1000", "max_results = 10000")]),
        )
        .expect("write policy");
        hup(gateway.pid());
        let start = Instant::now();
        while send(gateway.addr, &big).await.status != 200 {
            assert!(
                start.elapsed() < Duration::from_secs(5),
                "not reloaded: {}",
                gateway.stderr()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let statuses = load.await.expect("load");
        assert!(statuses.iter().all(|&s| s == 200), "{statuses:?}");

        // A broken file: logged with its place, the last good policy stays.
        std::fs::write(&path, "[query]\nmax_results = 10000\nmax_result = 1\n").expect("write");
        hup(gateway.pid());
        tokio::time::sleep(Duration::from_millis(300)).await;
        let log = gateway.stdout() + &gateway.stderr();
        assert!(log.contains("policy reload failed"), "{log}");
        assert!(log.contains(&format!("{path_text}:3:1")), "{log}");
        assert_eq!(send(gateway.addr, &big).await.status, 200);
        let huge = Req::new("GET", "/engine-rest/task?maxResults=20000");
        assert_eq!(send(gateway.addr, &huge).await.status, 400);
        assert!(log.matches("policy reloaded").count() == 1, "{log}");
        assert_eq!((reloads("success").await, reloads("failure").await), (1, 1));
    })
    .await;
}

/// `--log-format json`: every line on standard error is one JSON object,
/// and a rejection's audit event carries its fields at the top level.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_are_json_and_carry_the_audit_fields() {
    bounded(async {
        let upstream = start_upstream().await;
        let gateway = Gateway::start_with(Some(upstream.addr), &["--log-format", "json"]).await;
        let reply = send(
            gateway.addr,
            &Req::new("GET", "/engine-rest/task?maxResults=5000"),
        )
        .await;
        assert_eq!(reply.status, 400);
        let id = reply
            .header("x-request-id")
            .expect("x-request-id")
            .to_owned();
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(
            gateway.stdout().trim().is_empty(),
            "logs belong on stderr: {}",
            gateway.stdout()
        );
        let stderr = gateway.stderr();
        let lines: Vec<Value> = stderr
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
            .collect();
        let audit = lines
            .iter()
            .find(|l| l["target"] == "input_guard::audit")
            .unwrap_or_else(|| panic!("no audit event: {stderr}"));
        assert_eq!(audit["level"], "WARN");
        assert_eq!(audit["code"], "query-max-results-exceeded");
        assert_eq!(audit["status"], 400);
        assert_eq!(audit["location"], "query:maxResults");
        assert_eq!(audit["method"], "GET");
        assert_eq!(audit["path"], "/engine-rest/task");
        assert_eq!(audit["route"], "task list");
        assert_eq!(audit["mode"], "enforce");
        assert_eq!(audit["request_id"], id.as_str());
        assert!(audit["timestamp"].is_string(), "{audit}");
        assert!(!stderr.contains("maxResults=5000&"), "{stderr}");
    })
    .await;
}
