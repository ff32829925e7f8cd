//! The gateway as operators run it: probes, metrics, logs a SIEM reads,
//! the memory budget, reloads counted.
//
// Unwraps here are test failures, not request paths.

use std::time::Instant;

use prometheus_parse::{Scrape, Value as Sampled};
use tokio::io::AsyncReadExt;

use super::*;
use crate::serve::{Gateway, start_upstream};
use common::bin::free_port;

/// An admin address on a free port.
fn admin_address() -> SocketAddr {
    ([127, 0, 0, 1], free_port()).into()
}

/// `GET path` on the admin listener, retried while it starts.
async fn admin_get(admin: SocketAddr, path: &str) -> Reply {
    let start = Instant::now();
    loop {
        match send_raw(admin, Req::new("GET", path).to_bytes()).await {
            Ok(reply) => return reply,
            Err(error) => {
                assert!(
                    start.elapsed() < Duration::from_secs(5),
                    "admin listener {admin}: {error}"
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}

/// `/metrics`, read by a Prometheus text-format parser.
async fn scrape(admin: SocketAddr) -> Scrape {
    let reply = admin_get(admin, "/metrics").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let content_type = reply.header("content-type").unwrap_or_default();
    assert!(
        content_type.starts_with("application/openmetrics-text"),
        "{content_type}"
    );
    let text = reply.text();
    Scrape::parse(text.lines().map(|l| Ok(l.to_owned()))).expect("Prometheus text format")
}

/// The value of the sample `name` with `labels` (0 when absent, as a
/// counter not yet touched reads).
fn value(scrape: &Scrape, name: &str, labels: &[(&str, &str)]) -> f64 {
    scrape
        .samples
        .iter()
        .filter(|s| s.metric == name)
        .filter(|s| labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .map(|s| match s.value {
            Sampled::Counter(v) | Sampled::Gauge(v) | Sampled::Untyped(v) => v,
            _ => panic!("{name} is not a single value"),
        })
        .sum()
}

/// Every JSON log line on standard error.
fn json_lines(gateway: &Gateway) -> Vec<Value> {
    gateway
        .stderr()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// The log lines of `target` whose `field` is `value`, waiting briefly for
/// them to be written.
async fn logged(gateway: &Gateway, target: &str, field: &str, value: &str) -> Vec<Value> {
    let start = Instant::now();
    loop {
        let found: Vec<Value> = json_lines(gateway)
            .into_iter()
            .filter(|l| l["target"] == target && l[field] == value)
            .collect();
        if !found.is_empty() || start.elapsed() > Duration::from_secs(3) {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

const GADGET_START: &str = r#"{"variables":{"v":{"type":"Object","value":"{}","valueInfo":{"objectTypeName":"com.sun.rowset.JdbcRowSetImpl","serializationDataFormat":"application/json"}}}}"#;

fn json_post(target: &str, body: &str) -> Req {
    Req::new("POST", target)
        .header("content-type", "application/json")
        .body(body.as_bytes().to_vec())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_listener_serves_health_readiness_and_rising_metrics() {
    bounded(async {
        let upstream = start_upstream().await;
        let admin = admin_address();
        let gateway =
            Gateway::start_with(Some(upstream.addr), &["--admin-listen", &admin.to_string()]).await;
        let health = admin_get(admin, "/healthz").await;
        assert_eq!(health.status, 200, "{}", health.text());
        // Ready once the upstream's first probe answered.
        let start = Instant::now();
        loop {
            let ready = admin_get(admin, "/readyz").await;
            if ready.status == 200 {
                break;
            }
            assert_eq!(ready.status, 503);
            assert!(start.elapsed() < Duration::from_secs(5), "never ready");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // Near misses: other paths and methods are not served.
        assert_eq!(admin_get(admin, "/metricz").await.status, 404);
        let post = send(admin, &Req::new("POST", "/metrics")).await;
        assert_eq!(post.status, 405);

        let before = scrape(admin).await;
        let allowed = [("route", "task list"), ("verdict", "allow")];
        let gadget = [("code", "class-not-allowed")];
        assert_eq!(value(&before, "input_guard_build_info", &[]), 1.0);
        assert!(
            before
                .samples
                .iter()
                .any(|s| s.metric == "input_guard_build_info"
                    && s.labels.get("version") == Some(env!("CARGO_PKG_VERSION")))
        );
        for _ in 0..3 {
            let ok = send(
                gateway.addr,
                &Req::new("GET", "/engine-rest/task?maxResults=5"),
            )
            .await;
            assert_eq!(ok.status, 200);
        }
        let refused = send(
            gateway.addr,
            &json_post("/engine-rest/process-definition/key/p/start", GADGET_START),
        )
        .await;
        assert_eq!(refused.status, 400);
        let after = scrape(admin).await;
        let rose = |name: &str, labels: &[(&str, &str)]| {
            value(&after, name, labels) - value(&before, name, labels)
        };
        assert_eq!(rose("input_guard_requests_total", &allowed), 3.0);
        assert_eq!(rose("input_guard_rejections_total", &gadget), 1.0);
        assert_eq!(
            rose(
                "input_guard_requests_total",
                &[("route", "process start"), ("verdict", "reject")]
            ) + rose(
                "input_guard_requests_total",
                &[("route", "-"), ("verdict", "reject")]
            ),
            1.0
        );
        assert_eq!(rose("input_guard_upstream_latency_seconds_count", &[]), 3.0);
        assert_eq!(rose("input_guard_inspection_seconds_count", &[]), 4.0);
        let inspected = rose("input_guard_inspected_body_bytes_sum", &[]);
        assert_eq!(inspected, GADGET_START.len() as f64);
        assert_eq!(value(&after, "input_guard_in_flight_requests", &[]), 0.0);
        assert_eq!(value(&after, "input_guard_upstream_errors_total", &[]), 0.0);
        assert_eq!(value(&after, "input_guard_buffered_body_bytes", &[]), 0.0);
        assert_eq!(
            value(&after, "input_guard_buffer_budget_bytes", &[]),
            (512u64 << 20) as f64
        );
        // The admin routes are not on the proxied port.
        let proxied = send(gateway.addr, &Req::new("GET", "/healthz")).await;
        assert_ne!(proxied.text(), "ok\n");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_fails_while_the_upstream_is_down_and_502s_are_logged_and_counted() {
    bounded(async {
        let down: SocketAddr = ([127, 0, 0, 1], free_port()).into();
        let admin = admin_address();
        let gateway = Gateway::start_with(
            Some(down),
            &["--admin-listen", &admin.to_string(), "--log-format", "json"],
        )
        .await;
        assert_eq!(admin_get(admin, "/healthz").await.status, 200);
        let ready = admin_get(admin, "/readyz").await;
        assert_eq!(ready.status, 503, "{}", ready.text());

        let reply = send(
            gateway.addr,
            &Req::new("GET", "/engine-rest/task?maxResults=5"),
        )
        .await;
        assert_eq!(reply.status, 502);
        let id = reply.header("x-request-id").expect("request id").to_owned();
        assert_eq!(reply.json()["instance"], format!("urn:request:{id}"));
        let events = logged(&gateway, "input_guard::audit", "request_id", &id).await;
        let event = events
            .first()
            .unwrap_or_else(|| panic!("no 502 event: {}", gateway.stderr()));
        assert_eq!(event["code"], "upstream-unavailable");
        assert_eq!(event["status"], 502);
        assert_eq!(event["method"], "GET");
        assert_eq!(event["path"], "/engine-rest/task");
        assert_eq!(event["client"], "127.0.0.1");
        assert!(event["cause"].is_string(), "{event}");
        let metrics = scrape(admin).await;
        assert_eq!(
            value(&metrics, "input_guard_upstream_errors_total", &[]),
            1.0
        );
        assert_eq!(
            value(
                &metrics,
                "input_guard_rejections_total",
                &[("code", "upstream-unavailable")]
            ),
            1.0
        );
    })
    .await;
}

/// Audit events name the client (through a trusted proxy), the refused
/// class and the rule that refused it; the access log has one line per
/// request passed on; no credential reaches the log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_name_the_client_the_class_rule_and_each_request_passed_on() {
    bounded(async {
        let upstream = start_upstream().await;
        let gateway = Gateway::start_with(
            Some(upstream.addr),
            &[
                "--log-format",
                "json",
                "--access-log",
                "--trusted-proxy",
                "127.0.0.1",
            ],
        )
        .await;
        let secret = "Basic c2VjcmV0LXBhc3N3b3Jk";
        let refused = send(
            gateway.addr,
            &json_post("/engine-rest/process-definition/key/p/start", GADGET_START)
                .header("x-forwarded-for", "6.6.6.6, 203.0.113.5")
                .header("authorization", secret)
                .header("cookie", "JSESSIONID=s3cr3t"),
        )
        .await;
        assert_eq!(refused.status, 400);
        let id = refused.header("x-request-id").expect("id").to_owned();
        let audit = logged(&gateway, "input_guard::audit", "request_id", &id).await;
        let audit = audit
            .first()
            .unwrap_or_else(|| panic!("{}", gateway.stderr()));
        assert_eq!(audit["code"], "class-not-allowed");
        assert_eq!(audit["class"], "com.sun.rowset.JdbcRowSetImpl");
        let rule = audit["rule"].as_str().expect("rule");
        assert!(rule.starts_with("gadget denylist"), "{rule}");
        // The nearest untrusted address, not the spoofed one on the left.
        assert_eq!(audit["client"], "203.0.113.5");
        assert!(
            audit["peer"]
                .as_str()
                .is_some_and(|p| p.starts_with("127.0.0.1:")),
            "{audit}"
        );
        assert_eq!(audit["offset"], 78);
        // A rejection is audited, not access-logged.
        let access = logged(&gateway, "input_guard::access", "request_id", &id).await;
        assert!(access.is_empty(), "{access:?}");

        let allowed = send(
            gateway.addr,
            &json_post("/engine-rest/task?maxResults=5", r#"{"assignee":"demo"}"#)
                .header("authorization", secret),
        )
        .await;
        assert_eq!(allowed.status, 200);
        let id = allowed.header("x-request-id").expect("id").to_owned();
        let access = logged(&gateway, "input_guard::access", "request_id", &id).await;
        let line = access
            .first()
            .unwrap_or_else(|| panic!("{}", gateway.stderr()));
        assert_eq!(line["method"], "POST");
        assert_eq!(line["path"], "/engine-rest/task");
        assert_eq!(line["status"], 200);
        assert_eq!(line["bytes"], r#"{"assignee":"demo"}"#.len());
        assert!(
            line["latency_ms"].as_f64().is_some_and(|ms| ms >= 0.0),
            "{line}"
        );
        // Not through a proxy: the peer is the client.
        assert_eq!(line["client"], "127.0.0.1");
        // An allowed request leaves no audit event.
        assert!(
            logged(&gateway, "input_guard::audit", "request_id", &id)
                .await
                .is_empty()
        );

        let log = gateway.stderr();
        for credential in [
            secret,
            "c2VjcmV0",
            "s3cr3t",
            "JdbcRowSetImpl\\\",\\\"serial",
        ] {
            assert!(!log.contains(credential), "{credential} logged: {log}");
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_timeout_is_logged_with_its_request_id() {
    bounded(async {
        let gateway =
            Gateway::start_with(None, &["--request-timeout", "1", "--log-format", "json"]).await;
        let stalled = b"POST /engine-rest/message HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"a\":".to_vec();
        let reply = send_raw(gateway.addr, stalled).await.expect("an answer");
        assert_eq!(reply.status, 408);
        let id = reply.header("x-request-id").expect("id").to_owned();
        let events = logged(&gateway, "input_guard::audit", "request_id", &id).await;
        let event = events.first().unwrap_or_else(|| panic!("{}", gateway.stderr()));
        assert_eq!(event["code"], "request-timeout");
        assert_eq!(event["status"], 408);
        assert_eq!(event["path"], "/engine-rest/message");
    })
    .await;
}

/// The buffered-body budget: a declared body that does not fit what is
/// left is answered 503 `overloaded` at once (logged, counted, with
/// `Retry-After`); the same body fits once the request holding the budget
/// is done.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_that_do_not_fit_the_memory_budget_get_503_overloaded() {
    bounded(async {
        let upstream = start_upstream().await;
        let admin = admin_address();
        let gateway = Gateway::start_with(
            Some(upstream.addr),
            &[
                "--max-buffered-bytes",
                "100000",
                "--admin-listen",
                &admin.to_string(),
                "--log-format",
                "json",
            ],
        )
        .await;
        let body = |len: usize| {
            let mut body = br#"{"messageName":""#.to_vec();
            body.resize(len - 2, b'a');
            body.extend_from_slice(br#""}"#);
            body
        };
        // Over the whole budget (but under the route's 10 MiB limit).
        let too_big = send(gateway.addr, &json_post_bytes(body(100_001))).await;
        assert_eq!(too_big.status, 503, "{}", too_big.text());
        assert_eq!(too_big.json()["code"], "overloaded");
        assert_eq!(too_big.header("retry-after"), Some("1"));
        assert_eq!(
            too_big.header("content-type"),
            Some("application/problem+json")
        );
        // The near miss: exactly the budget fits.
        let fits = send(gateway.addr, &json_post_bytes(body(100_000))).await;
        assert_eq!(fits.status, 200, "{}", fits.text());

        // A slow upload holds 80 000 bytes of the budget while it lasts.
        let mut slow = TcpStream::connect(gateway.addr).await.expect("connect");
        let held = body(80_000);
        let head = format!(
            "POST /engine-rest/message HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            held.len()
        );
        slow.write_all(head.as_bytes()).await.expect("write");
        slow.write_all(&held[..1000]).await.expect("write");
        let start = Instant::now();
        loop {
            let metrics = scrape(admin).await;
            if value(&metrics, "input_guard_buffered_body_bytes", &[]) >= 80_000.0 {
                break;
            }
            assert!(start.elapsed() < Duration::from_secs(5), "never reserved");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let second = send(gateway.addr, &json_post_bytes(body(30_000))).await;
        assert_eq!(second.status, 503, "{}", second.text());
        let small = send(gateway.addr, &json_post_bytes(body(10_000))).await;
        assert_eq!(small.status, 200, "what still fits is served");
        slow.write_all(&held[1000..]).await.expect("write");
        let mut answer = vec![0u8; 12];
        slow.read_exact(&mut answer).await.expect("read");
        assert_eq!(&answer, b"HTTP/1.1 200");
        drop(slow);
        let start = Instant::now();
        loop {
            let retried = send(gateway.addr, &json_post_bytes(body(30_000))).await;
            if retried.status == 200 {
                break;
            }
            assert!(start.elapsed() < Duration::from_secs(5), "budget never freed");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }

        let metrics = scrape(admin).await;
        assert_eq!(
            value(&metrics, "input_guard_rejections_total", &[("code", "overloaded")]),
            2.0
        );
        assert_eq!(value(&metrics, "input_guard_buffered_body_bytes", &[]), 0.0);
        let events = json_lines(&gateway)
            .into_iter()
            .filter(|l| l["target"] == "input_guard::audit" && l["code"] == "overloaded")
            .count();
        assert_eq!(events, 2, "{}", gateway.stderr());
    })
    .await;
}

fn json_post_bytes(body: Vec<u8>) -> Req {
    Req::new("POST", "/engine-rest/message")
        .header("content-type", "application/json")
        .body(body)
}

/// Many concurrent uploads on the 50 MiB deployment route, chunked so no
/// length is declared: with a 24 MiB budget the gateway never holds much
/// more, where without one it would buffer 12 x 6 MiB.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_large_uploads_stay_within_the_memory_budget() {
    bounded(async {
        let budget = 24usize << 20;
        let gateway =
            Gateway::start_with(None, &["--max-buffered-bytes", &budget.to_string()]).await;
        let baseline = gateway.peak_rss().expect("VmHWM");
        let addr = gateway.addr;
        let chunk = vec![b'x'; 64 * 1024];
        // All uploads are 5 MiB in before any goes on, so they overlap
        // however the machine schedules them.
        let together = Arc::new(tokio::sync::Barrier::new(12));
        let uploads: Vec<_> = (0..12)
            .map(|_| {
                let chunk = chunk.clone();
                let together = together.clone();
                tokio::spawn(async move {
                    let mut stream = TcpStream::connect(addr).await.expect("connect");
                    let head = "POST /engine-rest/deployment/create HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
                    stream.write_all(head.as_bytes()).await.expect("head");
                    let frame = [format!("{:x}\r\n", chunk.len()).as_bytes(), &chunk, b"\r\n"].concat();
                    let mut send = async |frames: usize| {
                        for _ in 0..frames {
                            if stream.write_all(&frame).await.is_err() {
                                return;
                            }
                        }
                    };
                    // 6 MiB, unless the gateway answers first.
                    let _ = tokio::time::timeout(Duration::from_secs(5), send(80)).await;
                    together.wait().await;
                    let _ = tokio::time::timeout(Duration::from_secs(5), send(16)).await;
                    let _ = stream.write_all(b"0\r\n\r\n").await;
                    let mut answer = Vec::new();
                    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer)).await;
                    String::from_utf8_lossy(&answer).lines().next().unwrap_or_default().to_owned()
                })
            })
            .collect();
        let mut statuses = Vec::new();
        for upload in uploads {
            statuses.push(upload.await.expect("upload"));
        }
        let overloaded = statuses.iter().filter(|s| s.contains(" 503 ")).count();
        assert!(overloaded > 0, "{statuses:?}");
        assert!(overloaded < statuses.len(), "{statuses:?}");
        let grown = gateway.peak_rss().expect("VmHWM").saturating_sub(baseline);
        // The budget, plus hyper's read buffers and the allocator's slack.
        assert!(
            grown < (budget as u64) * 2,
            "peak RSS grew by {} MiB with a {} MiB budget",
            grown >> 20,
            budget >> 20
        );
    })
    .await;
}
