//! An axum app with the [`GuardLayer`], over TCP on 127.0.0.1.

use super::*;

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
pub(crate) async fn assert_truncated_body_does_not_hang(addr: SocketAddr) {
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
