//! What the hardening guides ask of the web tier, through the real
//! gateway: who may reach a route (`allow_networks`, judged on the client
//! the trusted proxies vouch for) and request filtering, each limit with a
//! trigger and a near miss.
//
// Unwraps here are test failures, not request paths.

use super::*;
use crate::serve::{Gateway, start_upstream};
use common::bin::write_temp;

/// The bundled policy with `deployment create` kept to `networks`.
fn restricted_policy(name: &str, networks: &str) -> String {
    let text = common::policy::camunda_edited(&[(
        "# allow_networks = [\"10.0.0.0/8\", \"2001:db8::/32\"]",
        &format!("allow_networks = {networks}"),
    )]);
    let path = write_temp(name, &text);
    path.to_str().unwrap().to_owned()
}

fn deployment() -> Req {
    let boundary = "b0";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"deployment-name\"\r\n\r\nx\r\n--{boundary}--\r\n"
    );
    Req::new("POST", "/engine-rest/deployment/create")
        .header(
            "content-type",
            &format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body.into_bytes())
}

/// A route restricted to a network without 127.0.0.1 refuses the loopback
/// client (403 `network-not-allowed`, never reaching the upstream) and lets
/// other routes be; a client vouched for by a trusted proxy is judged by
/// its own address, not the proxy's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn routes_restricted_to_networks_refuse_other_clients() {
    bounded(async {
        let upstream = start_upstream().await;
        let policy = restricted_policy("operators-only.toml", r#"["10.0.0.0/8"]"#);
        let gateway = Gateway::start_with_policy(&policy, Some(upstream.addr), &[]).await;
        let reply = send(gateway.addr, &deployment()).await;
        assert_eq!(reply.status, 403, "{}", reply.text());
        assert_eq!(reply.json()["code"], "network-not-allowed");
        assert!(upstream.seen().is_empty());
        // Other routes are open to the same client.
        let other = send(
            gateway.addr,
            &Req::new("GET", "/engine-rest/task?maxResults=1"),
        )
        .await;
        assert_eq!(other.status, 200);
        // A client claiming an operator address is not believed from an
        // untrusted peer.
        let claimed = send(
            gateway.addr,
            &deployment().header("x-forwarded-for", "10.1.2.3"),
        )
        .await;
        assert_eq!(claimed.status, 403);

        // Behind a trusted proxy (127.0.0.1 here), the forwarded client is judged.
        let behind = Gateway::start_with_policy(
            &policy,
            Some(upstream.addr),
            &["--trusted-proxy", "127.0.0.1"],
        )
        .await;
        let operator = send(
            behind.addr,
            &deployment().header("x-forwarded-for", "10.1.2.3"),
        )
        .await;
        assert_eq!(operator.status, 200, "{}", operator.text());
        let outsider = send(
            behind.addr,
            &deployment().header("x-forwarded-for", "203.0.113.9"),
        )
        .await;
        assert_eq!(outsider.status, 403);

        // The near miss: a network that holds loopback.
        let policy = restricted_policy("loopback.toml", r#"["127.0.0.0/8", "::1"]"#);
        let open = Gateway::start_with_policy(&policy, Some(upstream.addr), &[]).await;
        assert_eq!(send(open.addr, &deployment()).await.status, 200);
    })
    .await;
}

/// Each request-filtering limit of the bundled policy through the real
/// gateway: the request just past it is refused with its code, the one at
/// it passes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_filtering_limits_hold_through_the_gateway() {
    bounded(async {
        let upstream = start_upstream().await;
        let gateway = Gateway::start(Some(upstream.addr)).await;
        let status = |reply: &Reply| {
            let problem: Option<Value> = serde_json::from_str(&reply.text()).ok();
            let code = problem.and_then(|p| p["code"].as_str().map(str::to_owned));
            (reply.status, code)
        };

        // Methods: TRACE never; OPTIONS allowed.
        let trace = send(gateway.addr, &Req::new("TRACE", "/engine-rest/task")).await;
        assert_eq!(status(&trace), (405, Some("method-not-allowed".into())));
        assert!(trace.header("allow").is_some_and(|a| a.contains("GET")));
        let options = send(gateway.addr, &Req::new("OPTIONS", "/engine-rest/task")).await;
        assert_ne!(options.status, 405);

        // The URL, path and query: 8 KiB.
        let url = |len: usize| {
            let base = "/engine-rest/task?maxResults=1&x=";
            format!("{base}{}", "a".repeat(len - base.len()))
        };
        let over = send(gateway.addr, &Req::new("GET", url(8193))).await;
        assert_eq!(status(&over), (414, Some("url-too-long".into())));
        let at = send(gateway.addr, &Req::new("GET", url(8192))).await;
        assert_eq!(at.status, 200, "{}", at.text());

        // Header count: 100. Host and Connection, which the test client
        // adds, are two of them, and the X-Request-Id the gateway sets
        // before judging is a third.
        let headers = |n: usize| {
            (0..n).fold(Req::new("GET", "/engine-rest/task?maxResults=1"), |r, i| {
                r.header(&format!("x-h{i}"), "v")
            })
        };
        // (The demo engine answers: the test upstream, hyper too, would
        // itself refuse the headers the gateway adds past 100.)
        let demo = Gateway::start(None).await;
        let over = send(demo.addr, &headers(98)).await;
        assert_eq!(status(&over), (431, Some("too-many-headers".into())));
        let at = send(demo.addr, &headers(97)).await;
        assert_eq!(at.status, 200, "{}", at.text());

        // Header bytes: 8 KiB.
        let filled = |len: usize| {
            Req::new("GET", "/engine-rest/task?maxResults=1").header("x-fill", &"v".repeat(len))
        };
        let over = send(gateway.addr, &filled(8200)).await;
        assert_eq!(status(&over), (431, Some("headers-too-large".into())));
        let at = send(gateway.addr, &filled(8000)).await;
        assert_eq!(at.status, 200, "{}", at.text());

        // Double-encoded paths: refused; a single encoding is read as usual.
        let double = send(gateway.addr, &Req::new("GET", "/engine-rest/%2574ask?maxResults=1")).await;
        assert_eq!(status(&double), (400, Some("path-double-encoded".into())));
        let single = send(gateway.addr, &Req::new("GET", "/engine-rest/%74ask?maxResults=1")).await;
        assert_eq!(single.status, 200, "{}", single.text());

        // Framing: two Hosts, `chunked, chunked`.
        let two_hosts = send_raw(
            gateway.addr,
            b"GET /engine-rest/task?maxResults=1 HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n".to_vec(),
        )
        .await
        .unwrap();
        assert_eq!(status(&two_hosts), (400, Some("invalid-header".into())));
        let doubled = send_raw(
            gateway.addr,
            b"POST /engine-rest/message HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n".to_vec(),
        )
        .await;
        // hyper may refuse it before the guard sees it; either way it is refused.
        if let Ok(doubled) = doubled {
            assert_eq!(doubled.status, 400, "{}", doubled.text());
        }
        // The query alone, under a policy that bounds it below the URL.
        let policy = common::policy::camunda_edited(&[(
            "max_query_bytes = \"8KiB\"",
            "max_query_bytes = 1024",
        )]);
        let policy = write_temp("query-1k.toml", &policy);
        let tight =
            Gateway::start_with_policy(policy.to_str().unwrap(), Some(upstream.addr), &[]).await;
        let query = |len: usize| {
            let base = "maxResults=1&x=";
            format!("/engine-rest/task?{base}{}", "a".repeat(len - base.len()))
        };
        let over = send(tight.addr, &Req::new("GET", query(1025))).await;
        assert_eq!(status(&over), (414, Some("query-too-long".into())));
        let at = send(tight.addr, &Req::new("GET", query(1024))).await;
        assert_eq!(at.status, 200, "{}", at.text());

        // Two Content-Lengths, even equal ones: refused, by hyper or the guard.
        let two_lengths = send_raw(
            gateway.addr,
            b"POST /engine-rest/message HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}".to_vec(),
        )
        .await;
        if let Ok(two_lengths) = two_lengths {
            assert_eq!(two_lengths.status, 400, "{}", two_lengths.text());
        }
        // None of the framing tricks reached the engine.
        assert!(
            upstream.seen().iter().all(|s| s.method != "POST"),
            "{:?}",
            upstream.seen()
        );
        let refused_seen = upstream
            .seen()
            .iter()
            .filter(|s| s.uri.contains("%25") || s.method == "TRACE")
            .count();
        assert_eq!(refused_seen, 0);
    })
    .await;
}

/// `[cors]` through the gateway: the allowed origin's preflight is answered
/// at the edge and never forwarded, its request gets the CORS headers; a
/// state-changing request from another origin is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_is_answered_at_the_edge() {
    bounded(async {
        let upstream = start_upstream().await;
        let policy = common::policy::camunda_edited(&[
            ("# [cors]\n", "[cors]\n"),
            (
                "# allow_origins = [\"https://tasklist.example.com\"]",
                "allow_origins = [\"https://tasklist.example.com\"]",
            ),
        ]);
        let policy = write_temp("cors.toml", &policy);
        let gateway =
            Gateway::start_with_policy(policy.to_str().unwrap(), Some(upstream.addr), &[]).await;
        let tasklist = "https://tasklist.example.com";
        let preflight = send(
            gateway.addr,
            &Req::new("OPTIONS", "/engine-rest/task")
                .header("origin", tasklist)
                .header("access-control-request-method", "POST")
                .header("access-control-request-headers", "content-type"),
        )
        .await;
        assert_eq!(preflight.status, 204, "{}", preflight.text());
        assert_eq!(
            preflight.header("access-control-allow-origin"),
            Some(tasklist)
        );
        assert!(upstream.seen().is_empty(), "preflights stay at the edge");

        let allowed = send(
            gateway.addr,
            &Req::new("GET", "/engine-rest/task?maxResults=1").header("origin", tasklist),
        )
        .await;
        assert_eq!(allowed.status, 200);
        assert_eq!(
            allowed.header("access-control-allow-origin"),
            Some(tasklist)
        );

        let evil = Req::new("POST", "/engine-rest/message")
            .header("origin", "https://evil.example")
            .header("content-type", "application/json")
            .body(br#"{"messageName":"m"}"#.to_vec());
        let refused = send(gateway.addr, &evil).await;
        assert_eq!(refused.status, 403);
        assert_eq!(refused.json()["code"], "origin-not-allowed");
        assert_eq!(upstream.seen().len(), 1);
    })
    .await;
}

/// A per-route `mode = "report"` passes a violation on that route only, and
/// the audit event names the exception; the skip of a rule on another
/// route does the same for what that rule would refuse.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_route_exceptions_apply_on_their_route_only() {
    bounded(async {
        let upstream = start_upstream().await;
        let policy = common::policy::camunda_text()
            + r#"
[[routes]]
name = "legacy messages"
methods = ["POST"]
path = "/engine-rest/message"
mode = "report"

[[routes]]
name = "tasklist filters"
methods = ["POST", "PUT"]
path = "/engine-rest/filter/{create,*}"
task_query = true
skip = ["expression-not-allowed"]
"#;
        let policy = write_temp("exceptions.toml", &policy);
        let gateway = Gateway::start_with_policy(
            policy.to_str().unwrap(),
            Some(upstream.addr),
            &["--log-format", "json"],
        )
        .await;
        let xml = |path: &str| {
            Req::new("POST", path)
                .header("content-type", "application/xml")
                .body(b"<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>".to_vec())
        };
        let reported = send(gateway.addr, &xml("/engine-rest/message")).await;
        assert_eq!(reported.status, 200, "{}", reported.text());
        let refused = send(gateway.addr, &xml("/engine-rest/signal")).await;
        assert_eq!(refused.status, 400);

        let filter = Req::new("POST", "/engine-rest/filter/create")
            .header("content-type", "application/json")
            .body(
                br#"{"resourceType":"Task","name":"Mine","query":{"assigneeExpression":"${currentUser()}"}}"#
                    .to_vec(),
            );
        let saved = send(gateway.addr, &filter).await;
        assert_eq!(saved.status, 200, "{}", saved.text());
        assert_eq!(upstream.seen().len(), 2);

        tokio::time::sleep(Duration::from_millis(200)).await;
        let events: Vec<Value> = gateway
            .stderr()
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|l| l["target"] == "input_guard::audit")
            .collect();
        let exception = |code: &str| {
            events
                .iter()
                .find(|e| e["code"] == code && e["mode"] == "report")
                .and_then(|e| e["exception"].as_str().map(str::to_owned))
        };
        assert_eq!(
            exception("xml-doctype").as_deref(),
            Some("route `legacy messages`: mode = report")
        );
        assert_eq!(
            exception("expression-not-allowed").as_deref(),
            Some("route `tasklist filters`: skip expression-not-allowed")
        );
        // The refusal on the other route names no exception.
        assert!(
            events
                .iter()
                .any(|e| e["path"] == "/engine-rest/signal" && e["exception"].is_null()),
            "{events:?}"
        );
    })
    .await;
}
