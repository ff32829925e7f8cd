//! The guard meets real traffic, on 127.0.0.1 only.
//!
//! * an axum app with [`GuardLayer`], driven by a hand-written HTTP/1.1
//!   client over `TcpStream`: clean requests arrive byte-identical, every
//!   rejection class is a problem+json response, report mode lets requests
//!   through, clamped queries are rewritten;
//! * the same layer through `tower::ServiceExt::oneshot` (no network):
//!   rejections are `ResponseBody::is_rejection` and never call the inner service,
//!   clean requests pass through to it with the very same bytes, audit events;
//! * the `input-guard serve` gateway (feature `cli`) in front of a real
//!   upstream and with its demo engine: forwarding, hop-by-hop headers,
//!   `X-Forwarded-*`, rejections that never reach the upstream, 502s,
//!   oversized, endless, truncated and slow uploads, graceful shutdown.
//!
//! Every test is bounded in time; gateway children are killed on drop.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::routing::any;
use bytes::Bytes;
use http::{Request, Response};
use http_body::Frame;
use http_body_util::{BodyExt, Full};
use input_guard::layer::{GuardLayer, ResponseBody};
use input_guard::{Guard, Policy};
use serde_json::Value;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tower::{Layer, ServiceExt};

/// The whole of one test, at most.
const TEST_LIMIT: Duration = Duration::from_secs(25);
/// One request and its answer, at most.
const IO_LIMIT: Duration = Duration::from_secs(5);
/// The body limit of the policies the in-process tests use.
const SMALL_LIMIT: u64 = 64 * 1024;
/// `Content-Length: 1 GiB`.
const ONE_GIB: u64 = 1 << 30;

const CAMUNDA: &str = include_str!("../policies/camunda.toml");
const CAMUNDA_BODY_LIMIT: u64 = 10_485_760;

async fn bounded<F: Future<Output = ()>>(test: F) {
    tokio::time::timeout(TEST_LIMIT, test)
        .await
        .expect("the test did not finish within its time bound");
}

/// The bundled Camunda policy with some text replaced.
fn camunda_with(edits: &[(&str, &str)]) -> Policy {
    let mut text = CAMUNDA.to_owned();
    for (from, to) in edits {
        assert!(text.contains(from), "camunda.toml no longer holds {from:?}");
        text = text.replacen(from, to, 1);
    }
    Policy::from_toml(&text).expect("edited camunda policy")
}

/// The Camunda policy with a 64 KiB body limit.
fn small_policy() -> Policy {
    camunda_with(&[(
        "max_bytes = 10485760",
        &format!("max_bytes = {SMALL_LIMIT}"),
    )])
}

fn guard(policy: Policy) -> Arc<Guard> {
    Arc::new(Guard::new(policy).expect("a valid policy"))
}

// ---------------------------------------------------------------------------
// Requests, written by hand.

#[derive(Clone, Debug)]
struct Req {
    method: &'static str,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    chunked: bool,
}

impl Req {
    fn new(method: &'static str, target: impl Into<String>) -> Self {
        Req {
            method,
            target: target.into(),
            headers: Vec::new(),
            body: Vec::new(),
            chunked: false,
        }
    }

    fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    fn chunked(mut self) -> Self {
        self.chunked = true;
        self
    }

    fn has(&self, name: &str) -> bool {
        self.headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(name))
    }

    /// The headers as they go on the wire: the caller's, plus `Host`,
    /// `Content-Length` or `Transfer-Encoding`, as a client would add them.
    fn wire_headers(&self) -> Vec<(String, String)> {
        let mut headers = Vec::new();
        if !self.has("host") {
            headers.push(("Host".to_owned(), "127.0.0.1".to_owned()));
        }
        headers.extend(self.headers.iter().cloned());
        if self.chunked {
            headers.push(("Transfer-Encoding".to_owned(), "chunked".to_owned()));
        } else if !self.body.is_empty() && !self.has("content-length") {
            headers.push(("Content-Length".to_owned(), self.body.len().to_string()));
        }
        headers
    }

    /// The request as HTTP/1.1 bytes.
    fn to_bytes(&self) -> Vec<u8> {
        let mut out = format!("{} {} HTTP/1.1\r\n", self.method, self.target).into_bytes();
        for (name, value) in self.wire_headers() {
            out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
        }
        if !self.has("connection") {
            out.extend_from_slice(b"Connection: close\r\n");
        }
        out.extend_from_slice(b"\r\n");
        if self.chunked {
            out.extend_from_slice(&chunked(&self.body, 4096));
        } else {
            out.extend_from_slice(&self.body);
        }
        out
    }

    /// The request as an `http::Request`, as a server would hand it on.
    fn to_http(&self) -> Request<Full<Bytes>> {
        let mut builder = Request::builder()
            .method(self.method)
            .uri(self.target.as_str());
        for (name, value) in self.wire_headers() {
            builder = builder.header(name, value);
        }
        builder
            .body(Full::new(Bytes::from(self.body.clone())))
            .expect("valid request")
    }
}

/// `body` in chunked transfer coding, `size` bytes a chunk.
fn chunked(body: &[u8], size: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + body.len() / size * 8 + 8);
    for chunk in body.chunks(size) {
        out.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        out.extend_from_slice(chunk);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

// ---------------------------------------------------------------------------
// Responses, read by hand.

#[derive(Debug)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    #[cfg(feature = "cli")]
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.text()))
    }
}

struct Buffered<'a, R> {
    reader: &'a mut R,
    buf: Vec<u8>,
}

impl<R: AsyncRead + Unpin> Buffered<'_, R> {
    /// Reads more; false at the end of the stream.
    async fn fill(&mut self) -> io::Result<bool> {
        let mut chunk = vec![0; 16 * 1024];
        let n = self.reader.read(&mut chunk).await?;
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(n > 0)
    }

    async fn line(&mut self) -> io::Result<String> {
        loop {
            if let Some(i) = self.buf.windows(2).position(|w| w == b"\r\n") {
                let line: Vec<u8> = self.buf.drain(..i + 2).collect();
                return Ok(String::from_utf8_lossy(&line[..i]).into_owned());
            }
            if !self.fill().await? {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
        }
    }

    async fn take(&mut self, n: usize) -> io::Result<Vec<u8>> {
        while self.buf.len() < n {
            if !self.fill().await? {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
        }
        Ok(self.buf.drain(..n).collect())
    }

    async fn rest(&mut self) -> io::Result<Vec<u8>> {
        while self.fill().await? {}
        Ok(std::mem::take(&mut self.buf))
    }
}

/// Reads one HTTP/1.1 response (skipping 1xx), its body framed by
/// `Content-Length`, chunked coding or the end of the stream.
async fn read_reply<R: AsyncRead + Unpin>(reader: &mut R) -> io::Result<Reply> {
    let mut r = Buffered {
        reader,
        buf: Vec::new(),
    };
    loop {
        let status_line = r.line().await?;
        let status = status_line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse::<u16>().ok())
            .ok_or_else(|| io::Error::other(format!("bad status line {status_line:?}")))?;
        let mut headers = Vec::new();
        loop {
            let line = r.line().await?;
            if line.is_empty() {
                break;
            }
            let (name, value) = line
                .split_once(':')
                .ok_or_else(|| io::Error::other(format!("bad header line {line:?}")))?;
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
        if (100..200).contains(&status) {
            continue;
        }
        let find = |name: &str| {
            headers
                .iter()
                .find(|(n, _): &&(String, String)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
        };
        let body = if find("transfer-encoding").is_some_and(|te| te.contains("chunked")) {
            let mut body = Vec::new();
            loop {
                let size_line = r.line().await?;
                let size =
                    usize::from_str_radix(size_line.split(';').next().unwrap_or("").trim(), 16)
                        .map_err(|_| io::Error::other(format!("bad chunk size {size_line:?}")))?;
                if size == 0 {
                    while !r.line().await?.is_empty() {}
                    break;
                }
                body.extend(r.take(size).await?);
                r.take(2).await?;
            }
            body
        } else if let Some(len) = find("content-length") {
            let len = len
                .parse()
                .map_err(|_| io::Error::other(format!("bad content-length {len:?}")))?;
            r.take(len).await?
        } else if status == 204 || status == 304 {
            Vec::new()
        } else {
            r.rest().await?
        };
        return Ok(Reply {
            status,
            headers,
            body,
        });
    }
}

/// Sends `bytes` on a new connection and reads the answer, writing and
/// reading at once (a server may answer, and close, before it has read
/// everything).
async fn send_raw(addr: SocketAddr, bytes: Vec<u8>) -> io::Result<Reply> {
    let stream = tokio::time::timeout(IO_LIMIT, TcpStream::connect(addr))
        .await
        .map_err(|_| io::Error::other("connect timed out"))??;
    let (mut rd, mut wr) = stream.into_split();
    let writer = tokio::spawn(async move {
        let _ = wr.write_all(&bytes).await;
        // Keep the write half open until the answer is read.
        wr
    });
    let reply = tokio::time::timeout(IO_LIMIT, read_reply(&mut rd))
        .await
        .map_err(|_| io::Error::other("no answer within the I/O limit"))?;
    writer.abort();
    reply
}

async fn send(addr: SocketAddr, req: &Req) -> Reply {
    send_raw(addr, req.to_bytes())
        .await
        .unwrap_or_else(|e| panic!("{} {}: {e}", req.method, req.target))
}

/// Sends `head`, then zeros (raw or as 64 KiB chunks) until the server
/// answers or `total` bytes are out. Returns the answer and how many body
/// bytes had been written when it was read.
async fn upload_until_answered(
    addr: SocketAddr,
    head: Vec<u8>,
    as_chunks: bool,
    total: u64,
) -> (io::Result<Reply>, u64) {
    let stream = TcpStream::connect(addr).await.expect("connect");
    let (mut rd, mut wr) = stream.into_split();
    wr.write_all(&head).await.expect("write the head");
    let sent = Arc::new(AtomicU64::new(0));
    let counter = sent.clone();
    let writer = tokio::spawn(async move {
        let zeros = vec![0u8; 64 * 1024];
        let piece = if as_chunks {
            let mut piece = format!("{:x}\r\n", zeros.len()).into_bytes();
            piece.extend_from_slice(&zeros);
            piece.extend_from_slice(b"\r\n");
            piece
        } else {
            zeros.clone()
        };
        while counter.load(Ordering::SeqCst) < total {
            if wr.write_all(&piece).await.is_err() {
                break;
            }
            counter.fetch_add(zeros.len() as u64, Ordering::SeqCst);
        }
        wr
    });
    let reply = match tokio::time::timeout(IO_LIMIT, read_reply(&mut rd)).await {
        Ok(reply) => reply,
        Err(_) => Err(io::Error::other("no answer within the I/O limit")),
    };
    let at_reply = sent.load(Ordering::SeqCst);
    writer.abort();
    eprintln!(
        "upload to {addr} (chunked: {as_chunks}): answer {:?} after {at_reply} body bytes",
        reply.as_ref().map(|r| r.status)
    );
    (reply, at_reply)
}

// ---------------------------------------------------------------------------
// Rejections: one request per class, and what must come back.

struct Rejection {
    name: &'static str,
    req: Req,
    status: u16,
    code: &'static str,
    location: &'static str,
}

const GADGET_JSON: &str = r#"{"variables":{"order":{"value":"{\"note\":\"BODY-MARKER-5150\"}","type":"Object","valueInfo":{"objectTypeName":"com.evil.Gadget","serializationDataFormat":"application/json"}}}}"#;
const DOCTYPE_XML: &str =
    r#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>"#;

/// Every rejection class, for a policy whose body limit is `limit`.
fn rejections(limit: u64) -> Vec<Rejection> {
    let json =
        |method, target: &str| Req::new(method, target).header("Content-Type", "application/json");
    vec![
        Rejection {
            name: "declared length over the limit, no body sent",
            req: json("POST", "/engine-rest/message")
                .header("Content-Length", &ONE_GIB.to_string()),
            status: 413,
            code: "body-too-large",
            location: "header:content-length",
        },
        Rejection {
            name: "chunked body over the limit",
            req: json("POST", "/engine-rest/message")
                .body(vec![b' '; usize::try_from(limit).unwrap() + 4096])
                .chunked(),
            status: 413,
            code: "body-too-large",
            location: "body",
        },
        Rejection {
            name: "text/plain body",
            req: Req::new("POST", "/engine-rest/message")
                .header("Content-Type", "text/plain")
                .body("hello engine"),
            status: 415,
            code: "unsupported-media-type",
            location: "header:content-type",
        },
        Rejection {
            name: "body without a content type",
            req: Req::new("POST", "/engine-rest/message").body("{}"),
            status: 415,
            code: "unsupported-media-type",
            location: "header:content-type",
        },
        Rejection {
            name: "brotli content encoding",
            req: json("POST", "/engine-rest/message")
                .header("Content-Encoding", "br")
                .body(&b"\x0b\x00\x80{}\x03"[..]),
            status: 415,
            code: "unsupported-content-encoding",
            location: "header:content-encoding",
        },
        Rejection {
            name: "stacked content encodings",
            req: json("POST", "/engine-rest/message")
                .header("Content-Encoding", "gzip, gzip")
                .body(gzip(&gzip(b"{}"))),
            status: 415,
            code: "unsupported-content-encoding",
            location: "header:content-encoding",
        },
        Rejection {
            name: "class not allowed, gzip-compressed",
            req: json("POST", "/engine-rest/process-definition/key/invoice/start")
                .header("Content-Encoding", "gzip")
                .body(gzip(GADGET_JSON.as_bytes())),
            status: 400,
            code: "class-not-allowed",
            location: "/variables/order/valueInfo/objectTypeName",
        },
        Rejection {
            name: "gzip bomb",
            req: json("POST", "/engine-rest/message")
                .header("Content-Encoding", "gzip")
                .body(gzip(&vec![b' '; 1 << 20])),
            status: 413,
            code: "body-too-large",
            location: "body",
        },
        Rejection {
            name: "corrupt gzip",
            req: json("POST", "/engine-rest/message")
                .header("Content-Encoding", "gzip")
                .body(&b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03not deflate at all"[..]),
            status: 400,
            code: "content-encoding-invalid",
            location: "body",
        },
        Rejection {
            name: "class not allowed",
            req: json("POST", "/engine-rest/process-definition/key/invoice/start")
                .body(GADGET_JSON),
            status: 400,
            code: "class-not-allowed",
            location: "/variables/order/valueInfo/objectTypeName",
        },
        Rejection {
            name: "XML with a DOCTYPE",
            req: Req::new("POST", "/engine-rest/process-instance/x/variables")
                .header("Content-Type", "application/xml")
                .body(DOCTYPE_XML),
            status: 400,
            code: "xml-doctype",
            location: "/",
        },
        Rejection {
            name: "list query without maxResults",
            req: Req::new("GET", "/engine-rest/task?assignee=demo"),
            status: 400,
            code: "query-unbounded",
            location: "query:maxResults",
        },
        Rejection {
            name: "maxResults over the cap",
            req: Req::new("GET", "/engine-rest/task?maxResults=5000"),
            status: 400,
            code: "query-max-results-exceeded",
            location: "query:maxResults",
        },
        Rejection {
            name: "expression in a task query",
            req: Req::new(
                "GET",
                "/engine-rest/task?maxResults=10&assigneeExpression=%24%7BcurrentUser()%7D",
            ),
            status: 400,
            code: "expression-not-allowed",
            location: "query:assigneeExpression",
        },
        Rejection {
            name: "encoded slash in the path",
            req: Req::new("GET", "/engine-rest/..%2ftask"),
            status: 400,
            code: "path-invalid",
            location: "path",
        },
        Rejection {
            name: "malformed JSON",
            req: json("POST", "/engine-rest/message").body(r#"{"a": [1, 2,, 3]}"#),
            status: 400,
            code: "json-malformed",
            location: "/a/2",
        },
    ]
}

fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).expect("gzip");
    encoder.finish().expect("gzip")
}

/// Strings that would betray the server's insides in a response.
fn assert_no_internals(context: &str, text: &str) {
    let forbidden = [
        env!("CARGO_MANIFEST_DIR"),
        "/src/",
        ".rs:",
        "panicked",
        "backtrace",
        "camunda.toml",
        "java.util.HashMap",
        "Error {",
        "Os {",
        "hyper",
        "tokio",
        "Connection refused",
        "os error",
    ];
    for needle in forbidden {
        assert!(
            !text.contains(needle),
            "{context}: response leaks {needle:?}: {text}"
        );
    }
}

/// A problem+json body as RFC 9457 and the issue specify it.
fn assert_problem(
    context: &str,
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
    want_status: u16,
    want_code: &str,
    want_location: Option<&str>,
) -> Value {
    let text = String::from_utf8_lossy(body);
    assert_eq!(status, want_status, "{context}: status; body {text}");
    assert_eq!(
        content_type,
        Some("application/problem+json"),
        "{context}: content type"
    );
    let problem: Value = serde_json::from_slice(body)
        .unwrap_or_else(|e| panic!("{context}: not JSON ({e}): {text}"));
    let object = problem
        .as_object()
        .unwrap_or_else(|| panic!("{context}: not an object: {text}"));
    for key in object.keys() {
        assert!(
            [
                "type", "title", "status", "detail", "code", "location", "offset"
            ]
            .contains(&key.as_str()),
            "{context}: unexpected member {key:?}: {text}"
        );
    }
    assert_eq!(
        problem["type"],
        format!("urn:input-guard:problem:{want_code}"),
        "{context}: {text}"
    );
    assert!(
        problem["title"].as_str().is_some_and(|t| !t.is_empty()),
        "{context}: title: {text}"
    );
    assert_eq!(problem["status"], want_status, "{context}: {text}");
    assert!(
        problem["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "{context}: detail: {text}"
    );
    assert_eq!(problem["code"], want_code, "{context}: {text}");
    match want_location {
        Some(location) => assert_eq!(problem["location"], location, "{context}: {text}"),
        None => assert!(
            problem["location"].is_string(),
            "{context}: location: {text}"
        ),
    }
    assert_no_internals(context, &text);
    problem
}

fn assert_rejection_reply(reply: &Reply, case: &Rejection) {
    assert_problem(
        case.name,
        reply.status,
        reply.header("content-type"),
        &reply.body,
        case.status,
        case.code,
        Some(case.location),
    );
    assert_eq!(
        reply.header("cache-control"),
        Some("no-store"),
        "{}",
        case.name
    );
}

// ---------------------------------------------------------------------------
// Clean requests.

const CLEAN_JSON: &str = "{ \"variables\" : {\n  \"amount\": {\"value\": 30.000, \"type\": \"Double\"},\n  \"note\": {\"value\": \"caf\\u00e9 \u{fc} \\\"quoted\\\" \u{1F600}\", \"type\": \"String\"},\n  \"order\": {\"value\": \"{\\\"id\\\":1}\", \"type\": \"Object\", \"valueInfo\": {\"objectTypeName\": \"java.util.HashMap\", \"serializationDataFormat\": \"application/json\"}}\n },\n \"businessKey\" : \"k-1\" }\n";

const CLEAN_XML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<bpmn:definitions xmlns:bpmn=\"http://www.omg.org/spec/BPMN/20100524/MODEL\" id=\"d\" targetNamespace=\"http://bpmn.io/schema/bpmn\">\n  <!-- a comment -->\n  <bpmn:process id=\"p\" isExecutable=\"true\"><bpmn:startEvent id=\"s\" name=\"caf\u{e9} &amp; &lt;more&gt;\"/><![CDATA[ <not a tag> ]]></bpmn:process>\n</bpmn:definitions>\n";

/// Requests the Camunda policy lets through, unchanged.
fn clean_requests() -> Vec<Req> {
    vec![
        // Compressed bodies are inspected inflated and handed on as sent.
        Req::new("POST", "/engine-rest/process-definition/key/invoice/start")
            .header("Content-Type", "application/json")
            .header("Content-Encoding", "gzip")
            .body(gzip(CLEAN_JSON.as_bytes())),
        Req::new("POST", "/engine-rest/process-definition/key/invoice/start")
            .header("Content-Type", "application/json; charset=utf-8")
            .body(CLEAN_JSON),
        Req::new("POST", "/engine-rest/message")
            .header("Content-Type", "application/json")
            .body(CLEAN_JSON)
            .chunked(),
        Req::new("PUT", "/engine-rest/process-instance/abc/variables/model")
            .header("Content-Type", "application/xml")
            .body(CLEAN_XML),
        Req::new(
            "GET",
            "/engine-rest/task?maxResults=10&firstResult=0&sortBy=created&sortOrder=desc&nameLike=%25caf%C3%A9%25",
        ),
        Req::new("GET", "/engine-rest/process-definition/key/my%20key/xml"),
        Req::new(
            "DELETE",
            "/engine-rest/process-instance/abc?skipCustomListeners=true",
        ),
    ]
}

// ---------------------------------------------------------------------------
// The axum app with the layer.

struct App {
    addr: SocketAddr,
    calls: Arc<AtomicUsize>,
}

/// Echoes the body bytes, and the method and URI in headers.
async fn echo(request: Request<Body>) -> Response<Body> {
    let (head, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .expect("the layer hands on a readable body");
    Response::builder()
        .header("x-echo-method", head.method.as_str())
        .header("x-echo-uri", head.uri.to_string())
        .header("content-type", "application/octet-stream")
        .body(Body::from(bytes))
        .expect("echo response")
}

async fn start_app(policy: Policy) -> App {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let handler = move |request: Request<Body>| {
        let counter = counter.clone();
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            echo(request).await
        }
    };
    let router = Router::new()
        .route("/", any(handler.clone()))
        .route("/{*rest}", any(handler))
        .layer(GuardLayer::new(guard(policy)));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move {
        axum::serve(listener, router).await.expect("serve");
    });
    App { addr, calls }
}

fn assert_echoed(reply: &Reply, req: &Req, want_target: &str) {
    let context = format!("{} {}", req.method, req.target);
    assert_eq!(reply.status, 200, "{context}: {}", reply.text());
    assert_eq!(reply.header("x-echo-method"), Some(req.method), "{context}");
    assert_eq!(reply.header("x-echo-uri"), Some(want_target), "{context}");
    assert!(reply.body == req.body, "{context}: body changed on the way");
}

#[tokio::test]
async fn axum_clean_requests_reach_the_handler_byte_identical() {
    bounded(async {
        let app = start_app(small_policy()).await;
        let requests = clean_requests();
        for req in &requests {
            let reply = send(app.addr, req).await;
            assert_echoed(&reply, req, &req.target);
        }
        assert_eq!(app.calls.load(Ordering::SeqCst), requests.len());
    })
    .await;
}

#[tokio::test]
async fn axum_clamped_max_results_reach_the_handler_rewritten() {
    bounded(async {
        let app = start_app(camunda_with(&[(
            "on_excess = \"reject\"",
            "on_excess = \"clamp\"",
        )]))
        .await;
        for (target, rewritten) in [
            (
                "/engine-rest/task?firstResult=20&maxResults=5000&sortBy=created",
                "/engine-rest/task?firstResult=20&maxResults=1000&sortBy=created",
            ),
            ("/engine-rest/task", "/engine-rest/task?maxResults=1000"),
            (
                "/engine-rest/history/process-instance?finished=true",
                "/engine-rest/history/process-instance?finished=true&maxResults=1000",
            ),
            // At or under the cap: untouched, byte for byte.
            (
                "/engine-rest/task?maxResults=1000&nameLike=%25x%25",
                "/engine-rest/task?maxResults=1000&nameLike=%25x%25",
            ),
        ] {
            let req = Req::new("GET", target);
            let reply = send(app.addr, &req).await;
            assert_echoed(&reply, &req, rewritten);
        }
    })
    .await;
}

#[tokio::test]
async fn axum_rejections_are_problem_json_and_never_reach_the_handler() {
    bounded(async {
        let app = start_app(small_policy()).await;
        for case in rejections(SMALL_LIMIT) {
            let reply = send(app.addr, &case.req).await;
            assert_rejection_reply(&reply, &case);
        }
        assert_eq!(
            app.calls.load(Ordering::SeqCst),
            0,
            "a rejected request reached the handler"
        );
    })
    .await;
}

#[tokio::test]
async fn axum_oversized_content_length_is_refused_before_the_body() {
    bounded(async {
        let app = start_app(small_policy()).await;
        // Headers only: the 413 must come without a byte of the body.
        let mut stream = TcpStream::connect(app.addr).await.expect("connect");
        stream
            .write_all(
                b"POST /engine-rest/message HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n",
            )
            .await
            .expect("write head");
        let reply = tokio::time::timeout(IO_LIMIT, read_reply(&mut stream))
            .await
            .expect("413 before the body was sent")
            .expect("a response");
        assert_problem(
            "1 GiB Content-Length",
            reply.status,
            reply.header("content-type"),
            &reply.body,
            413,
            "body-too-large",
            Some("header:content-length"),
        );

        // Streaming: the answer arrives while far less than 1 GiB is out.
        let head = b"POST /engine-rest/message HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n".to_vec();
        let (reply, sent) = upload_until_answered(app.addr, head, false, ONE_GIB).await;
        let reply = reply.expect("a response to the 1 GiB upload");
        assert_eq!(reply.status, 413, "{}", reply.text());
        assert!(sent < 64 << 20, "{sent} bytes sent before the 413");

        // Chunked, never ending: 413 once the limit is crossed.
        let head = b"POST /engine-rest/message HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        let (reply, sent) = upload_until_answered(app.addr, head, true, ONE_GIB).await;
        let reply = reply.expect("a response to the endless chunked upload");
        assert_problem(
            "endless chunked upload",
            reply.status,
            reply.header("content-type"),
            &reply.body,
            413,
            "body-too-large",
            Some("body"),
        );
        assert!(sent < SMALL_LIMIT + (64 << 20), "{sent} bytes sent before the 413");
        assert_eq!(app.calls.load(Ordering::SeqCst), 0);
    })
    .await;
}

#[tokio::test]
async fn axum_report_mode_lets_violations_through() {
    bounded(async {
        let app = start_app(camunda_with(&[("mode = \"enforce\"", "mode = \"report\"")])).await;
        let requests = [
            Req::new("POST", "/engine-rest/process-definition/key/invoice/start")
                .header("Content-Type", "application/json")
                .body(GADGET_JSON),
            Req::new("POST", "/engine-rest/process-instance/x/variables")
                .header("Content-Type", "application/xml")
                .body(DOCTYPE_XML),
            Req::new("GET", "/engine-rest/task?assignee=demo"),
            Req::new("POST", "/engine-rest/message")
                .header("Content-Type", "text/plain")
                .body("hello engine"),
        ];
        for req in &requests {
            let reply = send(app.addr, req).await;
            assert_echoed(&reply, req, &req.target);
        }
        assert_eq!(app.calls.load(Ordering::SeqCst), requests.len());
    })
    .await;
}

/// Content-Length 1000, 10 bytes, then the write half closed: the service
/// must answer 400 body-incomplete or end the connection, not wait.
async fn assert_truncated_body_does_not_hang(addr: SocketAddr) {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream
        .write_all(
            b"POST /engine-rest/message HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"a\":\"0123",
        )
        .await
        .expect("write");
    stream.shutdown().await.expect("close the write half");
    match tokio::time::timeout(IO_LIMIT, read_reply(&mut stream)).await {
        Err(_) => panic!("a truncated body hung the connection"),
        Ok(Ok(reply)) => {
            eprintln!(
                "truncated body at {addr}: {} {}",
                reply.status,
                reply.text()
            );
            assert_problem(
                "truncated body",
                reply.status,
                reply.header("content-type"),
                &reply.body,
                400,
                "body-incomplete",
                Some("body"),
            );
        }
        // The connection ended without an answer: acceptable.
        Ok(Err(error)) => eprintln!("truncated body at {addr}: connection ended ({error})"),
    }
}

#[tokio::test]
async fn axum_truncated_body_does_not_hang() {
    bounded(async {
        let app = start_app(small_policy()).await;
        assert_truncated_body_does_not_hang(app.addr).await;
        assert_eq!(app.calls.load(Ordering::SeqCst), 0);
    })
    .await;
}

// ---------------------------------------------------------------------------
// The layer through `oneshot`, no network.

/// An inner service that counts its calls and echoes the body it got.
#[derive(Clone)]
struct Echo {
    calls: Arc<AtomicUsize>,
}

impl<B> tower::Service<Request<B>> for Echo
where
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: std::fmt::Debug,
{
    type Response = Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        self.calls.fetch_add(1, Ordering::SeqCst);
        Box::pin(async move {
            let (head, body) = request.into_parts();
            let bytes = body
                .collect()
                .await
                .expect("the layer hands on a readable body")
                .to_bytes();
            let mut response = Response::new(Full::new(bytes));
            response.headers_mut().insert(
                "x-echo-uri",
                head.uri.to_string().parse().expect("header value"),
            );
            Ok(response)
        })
    }
}

async fn oneshot<B>(
    guard: &Arc<Guard>,
    request: Request<B>,
) -> (Response<ResponseBody<Full<Bytes>>>, usize)
where
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>> + std::fmt::Debug,
{
    let calls = Arc::new(AtomicUsize::new(0));
    let service = GuardLayer::new(guard.clone()).layer(Echo {
        calls: calls.clone(),
    });
    let response = service.oneshot(request).await.expect("infallible");
    (response, calls.load(Ordering::SeqCst))
}

async fn body_bytes(
    response: Response<ResponseBody<Full<Bytes>>>,
) -> (http::response::Parts, Bytes) {
    let (head, body) = response.into_parts();
    let bytes = body.collect().await.expect("response body").to_bytes();
    (head, bytes)
}

#[tokio::test]
async fn oneshot_rejections_are_left_and_skip_the_inner_service() {
    bounded(async {
        let guard = guard(small_policy());
        for case in rejections(SMALL_LIMIT) {
            let (response, calls) = oneshot(&guard, case.req.to_http()).await;
            assert!(
                response.body().is_rejection(),
                "{}: not a rejection",
                case.name
            );
            assert_eq!(calls, 0, "{}: the inner service was called", case.name);
            let (head, body) = body_bytes(response).await;
            assert_problem(
                case.name,
                head.status.as_u16(),
                head.headers
                    .get("content-type")
                    .and_then(|v| v.to_str().ok()),
                &body,
                case.status,
                case.code,
                Some(case.location),
            );
        }
    })
    .await;
}

#[tokio::test]
async fn oneshot_clean_requests_are_right_with_the_same_bytes() {
    bounded(async {
        let guard = guard(small_policy());
        for req in clean_requests() {
            let original = Bytes::from(req.body.clone());
            let mut request = req.to_http();
            *request.body_mut() = Full::new(original.clone());
            let (response, calls) = oneshot(&guard, request).await;
            assert!(
                !response.body().is_rejection(),
                "{} {}: rejected",
                req.method,
                req.target
            );
            assert_eq!(calls, 1);
            let (head, body) = body_bytes(response).await;
            assert_eq!(head.status, 200);
            assert_eq!(head.headers["x-echo-uri"], req.target.as_str());
            assert_eq!(body, original);
            if !original.is_empty() {
                // Not a copy: the inner service saw the buffer the client sent.
                assert_eq!(
                    body.as_ptr(),
                    original.as_ptr(),
                    "{} {}: the body was copied on the way",
                    req.method,
                    req.target
                );
            }
        }
    })
    .await;
}

#[tokio::test]
async fn oneshot_clamp_and_report_pass_through() {
    bounded(async {
        let clamp = guard(camunda_with(&[(
            "on_excess = \"reject\"",
            "on_excess = \"clamp\"",
        )]));
        let (response, calls) = oneshot(
            &clamp,
            Req::new("GET", "/engine-rest/task?maxResults=99999").to_http(),
        )
        .await;
        assert!(!response.body().is_rejection());
        assert_eq!(calls, 1);
        assert_eq!(
            response.headers()["x-echo-uri"],
            "/engine-rest/task?maxResults=1000"
        );

        let report = guard(camunda_with(&[("mode = \"enforce\"", "mode = \"report\"")]));
        for case in rejections(CAMUNDA_BODY_LIMIT) {
            // What cannot be read cannot be passed on, even in report mode.
            if case.code == "body-too-large" {
                continue;
            }
            let (response, calls) = oneshot(&report, case.req.to_http()).await;
            assert!(
                !response.body().is_rejection(),
                "{}: rejected in report mode",
                case.name
            );
            assert_eq!(calls, 1, "{}", case.name);
            let (_, body) = body_bytes(response).await;
            assert_eq!(body, case.req.body, "{}", case.name);
        }
    })
    .await;
}

/// A request body that breaks off with an error.
enum Breaking {
    Data(Option<Bytes>),
    Broken(Option<Bytes>),
}

impl From<Bytes> for Breaking {
    fn from(bytes: Bytes) -> Self {
        Breaking::Data(Some(bytes))
    }
}

impl http_body::Body for Breaking {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        Poll::Ready(match self.get_mut() {
            Breaking::Data(data) => data.take().map(|b| Ok(Frame::data(b))),
            Breaking::Broken(first) => Some(match first.take() {
                Some(b) => Ok(Frame::data(b)),
                None => Err(io::Error::new(
                    io::ErrorKind::ConnectionReset,
                    "internal detail at /var/lib/secret/socket.rs:42",
                )),
            }),
        })
    }
}

#[tokio::test]
async fn oneshot_broken_body_is_body_incomplete_even_in_report_mode() {
    bounded(async {
        for policy in [
            small_policy(),
            camunda_with(&[("mode = \"enforce\"", "mode = \"report\"")]),
        ] {
            let guard = guard(policy);
            let request = Request::post("/engine-rest/message")
                .header("content-type", "application/json")
                .body(Breaking::Broken(Some(Bytes::from_static(b"{\"a\":"))))
                .expect("request");
            let (response, calls) = oneshot(&guard, request).await;
            assert!(response.body().is_rejection());
            assert_eq!(calls, 0);
            let (head, body) = body_bytes(response).await;
            let problem = assert_problem(
                "broken body",
                head.status.as_u16(),
                head.headers
                    .get("content-type")
                    .and_then(|v| v.to_str().ok()),
                &body,
                400,
                "body-incomplete",
                Some("body"),
            );
            let text = problem.to_string();
            assert!(
                !text.contains("secret") && !text.contains("reset"),
                "{text}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn oneshot_content_length_that_disagrees_with_the_body_is_refused() {
    bounded(async {
        let guard = guard(small_policy());
        let request = Req::new("POST", "/engine-rest/message")
            .header("Content-Type", "application/json")
            .header("Content-Length", "2")
            .body("{\"a\":1}")
            .to_http();
        let (response, calls) = oneshot(&guard, request).await;
        assert_eq!(calls, 0);
        let (head, body) = body_bytes(response).await;
        assert_problem(
            "length mismatch",
            head.status.as_u16(),
            head.headers
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            &body,
            400,
            "invalid-header",
            Some("header:content-length"),
        );
    })
    .await;
}

/// Audit events, captured by a minimal `tracing` subscriber.
mod audit {
    use std::fmt;
    use std::sync::{Arc, Mutex};

    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::subscriber::Interest;
    use tracing::{Event, Metadata, Subscriber};

    pub(super) type Fields = Vec<(String, String)>;

    #[derive(Clone, Default)]
    pub(super) struct Capture(pub(super) Arc<Mutex<Vec<(String, Fields)>>>);

    struct Visitor(Fields);

    impl Visit for Visitor {
        fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
            self.0.push((field.name().to_owned(), format!("{value:?}")));
        }

        fn record_str(&mut self, field: &Field, value: &str) {
            self.0.push((field.name().to_owned(), value.to_owned()));
        }
    }

    impl Subscriber for Capture {
        fn register_callsite(&self, _: &'static Metadata<'static>) -> Interest {
            Interest::sometimes()
        }

        fn enabled(&self, _: &Metadata<'_>) -> bool {
            true
        }

        fn new_span(&self, _: &Attributes<'_>) -> Id {
            Id::from_u64(1)
        }

        fn record(&self, _: &Id, _: &Record<'_>) {}

        fn record_follows_from(&self, _: &Id, _: &Id) {}

        fn event(&self, event: &Event<'_>) {
            let mut visitor = Visitor(Vec::new());
            event.record(&mut visitor);
            self.0
                .lock()
                .expect("capture lock")
                .push((event.metadata().target().to_owned(), visitor.0));
        }

        fn enter(&self, _: &Id) {}

        fn exit(&self, _: &Id) {}
    }
}

#[tokio::test(flavor = "current_thread")]
async fn oneshot_rejections_are_audit_events_without_the_body() {
    bounded(async {
        let capture = audit::Capture::default();
        let _default = tracing::dispatcher::set_default(&tracing::Dispatch::new(capture.clone()));
        let guard = guard(small_policy());
        let case = rejections(SMALL_LIMIT)
            .into_iter()
            .find(|c| c.code == "class-not-allowed")
            .expect("class case");
        let (response, _) = oneshot(&guard, case.req.to_http()).await;
        assert_eq!(response.status(), 400);
        let events = capture.0.lock().expect("capture lock").clone();
        let audit: Vec<_> = events
            .iter()
            .filter(|(target, _)| target == "input_guard::audit")
            .collect();
        assert_eq!(audit.len(), 1, "{events:?}");
        let fields = &audit[0].1;
        let get = |name: &str| {
            fields
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
                .unwrap_or_else(|| panic!("no {name} in {fields:?}"))
        };
        assert_eq!(get("code"), "class-not-allowed");
        assert_eq!(get("location"), "/variables/order/valueInfo/objectTypeName");
        assert_eq!(get("method"), "POST");
        assert_eq!(
            get("path"),
            "/engine-rest/process-definition/key/invoice/start"
        );
        assert_eq!(get("mode"), "enforce");
        let all = format!("{events:?}");
        assert!(
            !all.contains("BODY-MARKER"),
            "the body leaked into the audit log: {all}"
        );
    })
    .await;
}

// ---------------------------------------------------------------------------
// The `input-guard serve` gateway, a real process.

#[cfg(feature = "cli")]
mod gateway {
    use std::io::Read;
    use std::process::{Child, Command, Stdio};
    use std::sync::Mutex;
    use std::time::Instant;

    use super::*;

    const BIN: &str = env!("CARGO_BIN_EXE_input-guard");
    const POLICY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/policies/camunda.toml");

    /// A port nobody listens on right now.
    fn free_port() -> u16 {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("local addr").port()
    }

    fn drain(mut from: impl Read + Send + 'static) -> Arc<Mutex<Vec<u8>>> {
        let out = Arc::new(Mutex::new(Vec::new()));
        let sink = out.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = from.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().expect("log lock").extend_from_slice(&buf[..n]);
            }
        });
        out
    }

    /// The gateway process; killed on drop.
    struct Gateway {
        child: Child,
        addr: SocketAddr,
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
        async fn start(upstream: Option<SocketAddr>) -> Gateway {
            Gateway::start_with(upstream, &[]).await
        }

        async fn start_with(upstream: Option<SocketAddr>, extra: &[&str]) -> Gateway {
            let port = free_port();
            let addr: SocketAddr = ([127, 0, 0, 1], port).into();
            let mut command = Command::new(BIN);
            command
                .args(["serve", "--policy", POLICY, "--listen", &addr.to_string()])
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .env_remove("RUST_LOG");
            if let Some(upstream) = upstream {
                command.args(["--upstream", &format!("http://{upstream}")]);
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

        fn stdout(&self) -> String {
            String::from_utf8_lossy(&self.stdout.lock().expect("log lock")).into_owned()
        }

        fn stderr(&self) -> String {
            String::from_utf8_lossy(&self.stderr.lock().expect("log lock")).into_owned()
        }

        fn pid(&self) -> u32 {
            self.child.id()
        }

        /// Waits up to `limit` for the process to exit.
        async fn wait_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
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
        fn peak_rss(&self) -> Option<u64> {
            let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).ok()?;
            let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
            let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(kib * 1024)
        }
    }

    #[derive(Clone, Debug)]
    struct Seen {
        method: String,
        uri: String,
        headers: Vec<(String, String)>,
        body: Bytes,
    }

    impl Seen {
        fn all(&self, name: &str) -> Vec<&str> {
            self.headers
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
                .collect()
        }

        fn one(&self, name: &str) -> Option<&str> {
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
    struct Upstream {
        addr: SocketAddr,
        seen: Arc<Mutex<Vec<Seen>>>,
    }

    impl Upstream {
        fn seen(&self) -> Vec<Seen> {
            self.seen.lock().expect("seen lock").clone()
        }
    }

    async fn upstream_handler(
        seen: Arc<Mutex<Vec<Seen>>>,
        request: Request<Body>,
    ) -> Response<Body> {
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

    async fn start_upstream() -> Upstream {
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
            // The gateway's own peer is the last hop, whatever the client claims.
            let xff = seen[0].one("x-forwarded-for").expect("x-forwarded-for");
            assert!(
                xff == "127.0.0.1" || xff.ends_with(", 127.0.0.1"),
                "x-forwarded-for {xff:?}"
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
                let log = gateway.stdout();
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
                tokio::spawn(
                    async move { send(addr, &Req::new("GET", "/engine-rest/slow")).await },
                );
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
}
