//! The layer's own API: hooks, bodies, composition with tower-http.
//! Unwraps here are test failures, not request paths.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body::Body;
use http_body_util::{BodyExt, Full};
use tower::{Layer, ServiceBuilder, ServiceExt, service_fn};

use super::{BufferBudget, GuardLayer, InspectedBody};
use crate::{Code, Guard, Policy};

fn guard(toml: &str) -> Arc<Guard> {
    Arc::new(Guard::new(Policy::from_toml(toml).unwrap()).expect("a valid policy"))
}

fn echo() -> impl tower::Service<
    Request<InspectedBody>,
    Response = Response<Full<Bytes>>,
    Error = Infallible,
    Future = impl Send,
> + Clone
+ Send
+ 'static {
    service_fn(|req: Request<InspectedBody>| async move {
        Ok::<_, Infallible>(Response::new(Full::new(
            req.into_body().into_bytes().unwrap_or_default(),
        )))
    })
}

fn json(body: &'static [u8]) -> Request<Full<Bytes>> {
    Request::post("/x")
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from_static(body)))
        .unwrap()
}

type Seen = Arc<Mutex<Vec<(Code, bool)>>>;

fn recording(guard: Arc<Guard>, seen: &Seen) -> GuardLayer {
    let log = seen.clone();
    GuardLayer::builder(guard)
        .rejection(|violation| {
            let mut response = Response::new(Full::new(Bytes::from(violation.code().as_str())));
            *response.status_mut() = StatusCode::IM_A_TEAPOT;
            response
        })
        .audit(move |event| {
            log.lock()
                .unwrap()
                .push((event.violation.code(), event.enforced));
        })
        .build()
}

#[tokio::test]
async fn builder_hooks_answer_and_record_rejections() {
    let seen = Seen::default();
    let service = ServiceBuilder::new()
        .layer(recording(guard("[body]\nmax_bytes = 8"), &seen))
        .service(echo());
    let response = service
        .clone()
        .oneshot(json(b"{\"a\": \"too long\"}"))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::IM_A_TEAPOT);
    assert!(response.body().is_rejection());
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(&body[..], b"body-too-large");
    assert_eq!(*seen.lock().unwrap(), [(Code::BodyTooLarge, true)]);

    // The near miss: a clean request reaches the inner service, unrecorded.
    let response = service.oneshot(json(b"{}")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(!response.body().is_rejection());
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn report_mode_records_and_passes_on() {
    let seen = Seen::default();
    let service = ServiceBuilder::new()
        .layer(recording(guard("mode = \"report\""), &seen))
        .service(echo());
    let response = service.oneshot(json(b"{\"a\":1,\"a\":2}")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(&body[..], b"{\"a\":1,\"a\":2}");
    assert_eq!(*seen.lock().unwrap(), [(Code::JsonDuplicateKey, false)]);
}

#[tokio::test]
async fn inspected_bodies_yield_their_bytes_once() {
    let mut body = InspectedBody::new(Bytes::from_static(b"abc"));
    assert!(!body.is_end_stream());
    assert_eq!(body.size_hint().exact(), Some(3));
    let frame = body.frame().await.unwrap().unwrap();
    assert_eq!(frame.into_data().unwrap(), Bytes::from_static(b"abc"));
    assert!(body.is_end_stream());
    assert!(body.frame().await.is_none());
    let empty = InspectedBody::new(Bytes::new());
    assert!(empty.is_end_stream());
    assert_eq!(empty.size_hint().exact(), Some(0));
}

#[tokio::test]
async fn composes_with_tower_http_body_limits() {
    use tower_http::limit::RequestBodyLimitLayer;

    // The documented order: the guard outside, answering problem+json.
    let limited = ServiceBuilder::new()
        .layer(RequestBodyLimitLayer::new(1024))
        .service(service_fn(limited_echo));
    let outside = GuardLayer::new(guard("[body]\nmax_bytes = 8")).layer(limited);
    let response = ServiceExt::<Request<Full<Bytes>>>::oneshot(
        outside.clone(),
        json(b"{\"a\": \"too long\"}"),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let response = ServiceExt::<Request<Full<Bytes>>>::oneshot(outside, json(b"{}")).await;
    assert_eq!(response.unwrap().status(), 200);

    // Inside a tighter tower-http limit it compiles and runs too; a body
    // over that limit without a declared length is the guard's
    // `body-too-large`.
    let inside = ServiceBuilder::new()
        .layer(RequestBodyLimitLayer::new(4))
        .layer(GuardLayer::new(guard("")))
        .service(echo());
    let unsized_body = Unsized(Some(Bytes::from_static(b"{\"a\": 1}")));
    let request = Request::post("/x")
        .header("content-type", "application/json")
        .body(unsized_body)
        .unwrap();
    let response = inside.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert!(
        std::str::from_utf8(&body)
            .unwrap()
            .contains("body-too-large")
    );
    let small = Request::post("/x")
        .header("content-type", "application/json")
        .body(Unsized(Some(Bytes::from_static(b"{}"))))
        .unwrap();
    assert_eq!(inside.oneshot(small).await.unwrap().status(), 200);
}

/// A body of one data frame whose length is not known in advance.
struct Unsized(Option<Bytes>);

impl Body for Unsized {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, Infallible>>> {
        std::task::Poll::Ready(self.0.take().map(|b| Ok(http_body::Frame::data(b))))
    }
}

async fn limited_echo(
    req: Request<tower_http::body::Limited<InspectedBody>>,
) -> Result<Response<Full<Bytes>>, Box<dyn std::error::Error + Send + Sync>> {
    let bytes = req.into_body().collect().await?.to_bytes();
    Ok(Response::new(Full::new(bytes)))
}

#[tokio::test]
async fn rejections_name_the_request_id() {
    let service = ServiceBuilder::new()
        .layer(GuardLayer::new(guard("[body]\nmax_bytes = 8")))
        .service(echo());
    let with_id = |id: &str| {
        let mut request = json(b"{\"a\": \"too long\"}");
        request
            .headers_mut()
            .insert("x-request-id", http::HeaderValue::from_str(id).unwrap());
        request
    };
    let body = |response: Response<super::ResponseBody<Full<Bytes>>>| async move {
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        String::from_utf8(bytes.to_vec()).unwrap()
    };
    let named = body(
        service
            .clone()
            .oneshot(with_id("0193a1b2-77ab-7cde"))
            .await
            .unwrap(),
    )
    .await;
    assert!(
        named.ends_with(",\"instance\":\"urn:request:0193a1b2-77ab-7cde\"}"),
        "{named}"
    );
    // Near misses: no id, or one that is not safe to echo, names nothing.
    let unnamed = body(
        service
            .clone()
            .oneshot(json(b"{\"a\": \"too long\"}"))
            .await
            .unwrap(),
    )
    .await;
    assert!(!unnamed.contains("instance"), "{unnamed}");
    let odd = body(service.oneshot(with_id("a\"b")).await.unwrap()).await;
    assert!(!odd.contains("instance"), "{odd}");
}

/// A body sent in frames, with no length declared.
struct Frames(std::collections::VecDeque<Bytes>);

impl Body for Frames {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, Infallible>>> {
        std::task::Poll::Ready(self.0.pop_front().map(|b| Ok(http_body::Frame::data(b))))
    }
}

fn framed(parts: &[&'static [u8]], declared: Option<usize>) -> Request<Frames> {
    let mut request = Request::post("/x").header("content-type", "application/json");
    if let Some(len) = declared {
        request = request.header("content-length", len);
    }
    let frames = parts.iter().map(|p| Bytes::from_static(p)).collect();
    request.body(Frames(frames)).unwrap()
}

fn budgeted(toml: &str, budget: &BufferBudget) -> GuardLayer {
    GuardLayer::builder(guard(toml))
        .buffer_budget(budget.clone())
        .build()
}

#[tokio::test]
async fn bodies_over_the_budget_are_overloaded_or_in_report_mode_streamed_on() {
    for mode in ["enforce", "report"] {
        let budget = BufferBudget::new(16);
        let seen = Seen::default();
        let policy = format!("mode = \"{mode}\"");
        let layer = GuardLayer::builder(guard(&policy))
            .buffer_budget(budget.clone())
            .audit({
                let seen = seen.clone();
                move |event| {
                    let mut seen = seen.lock().unwrap();
                    seen.push((event.violation.code(), event.enforced));
                }
            })
            .build();
        // The whole body, read by the inner service whether or not the
        // layer inspected it.
        let service = layer.layer(service_fn(|req: Request<InspectedBody>| async move {
            let bytes = req.into_body().collect().await.unwrap().to_bytes();
            Ok::<_, Infallible>(Response::new(Full::new(bytes)))
        }));
        let enforced = mode == "enforce";
        // 17 bytes in three frames, none declared: over as it grows; and
        // 17 declared: over before a byte is read.
        let requests = [
            framed(&[b"{\"a\":", b"\"123456", b"789\"}"], None),
            framed(&[b"{\"a\":\"123456789\"}"], Some(17)),
        ];
        for request in requests {
            let response = service.clone().oneshot(request).await.unwrap();
            if enforced {
                assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
                assert!(response.body().is_rejection());
                assert_eq!(response.headers()["retry-after"], "1");
            } else {
                assert_eq!(response.status(), StatusCode::OK);
                let body = response.into_body().collect().await.unwrap().to_bytes();
                assert_eq!(&body[..], b"{\"a\":\"123456789\"}", "streamed on whole");
            }
        }
        assert_eq!(
            *seen.lock().unwrap(),
            [(Code::Overloaded, enforced), (Code::Overloaded, enforced)],
            "{mode}"
        );
        assert_eq!(budget.in_use(), 0, "given back");
        // The near miss: 16 bytes fit, in frames or declared.
        let fits = framed(&[b"{\"a\":", b"\"12345678\"}"], None);
        let response = service.clone().oneshot(fits).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{mode}");
        let fits = framed(&[b"{\"a\":\"12345678\"}"], Some(16));
        let response = service.clone().oneshot(fits).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{mode}");
        assert_eq!(seen.lock().unwrap().len(), 2, "nothing more recorded");
        assert_eq!(budget.in_use(), 0);
    }
}

#[tokio::test]
async fn a_body_holds_its_budget_until_the_inner_service_drops_it() {
    let budget = BufferBudget::new(1024);
    let (kept, mut bodies) = tokio::sync::mpsc::unbounded_channel();
    let keeper = service_fn(move |req: Request<InspectedBody>| {
        let kept = kept.clone();
        async move {
            let _ = kept.send(req.into_body());
            Ok::<_, Infallible>(Response::new(Full::new(Bytes::new())))
        }
    });
    let service = budgeted("", &budget).layer(keeper);
    let response = service
        .clone()
        .oneshot(framed(&[b"{\"a\":", b"1}"], Some(7)))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let held = bodies.recv().await.unwrap();
    assert_eq!(budget.in_use(), 7, "the declared length, allocated once");
    // Another body does not fit while this one is held; once it is
    // dropped, it does.
    let big = || framed(&[b"{\"a\":1}"], Some(1020));
    let refused = service.clone().oneshot(big()).await.unwrap();
    assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
    drop(held);
    assert_eq!(budget.in_use(), 0);
    // The near miss: the same request, with the budget free, passes the
    // budget (and is then judged: 7 bytes do not match 1020 declared).
    let judged = service.clone().oneshot(big()).await.unwrap();
    assert_eq!(judged.status(), StatusCode::BAD_REQUEST);
}

const CORS: &str = r#"
[cors]
allow_origins = ["https://tasklist.example.com"]
allow_headers = ["content-type", "authorization"]
"#;

fn from(origin: &str, method: &str, extra: &[(&str, &str)]) -> Request<Full<Bytes>> {
    let mut request = Request::builder()
        .method(method)
        .uri("/x")
        .header("origin", origin)
        .header("content-type", "application/json");
    for (name, value) in extra {
        request = request.header(*name, *value);
    }
    request.body(Full::new(Bytes::from_static(b"{}"))).unwrap()
}

#[tokio::test]
async fn cors_preflights_are_answered_and_other_origins_refused() {
    let called = Arc::new(Mutex::new(0usize));
    let counter = called.clone();
    let engine = service_fn(move |_: Request<InspectedBody>| {
        *counter.lock().unwrap() += 1;
        async {
            let mut response = Response::new(Full::new(Bytes::new()));
            response
                .headers_mut()
                .insert("vary", http::HeaderValue::from_static("Accept-Encoding"));
            Ok::<_, Infallible>(response)
        }
    });
    let service = GuardLayer::new(guard(CORS)).layer(engine);
    let tasklist = "https://tasklist.example.com";

    // A preflight from the allowed origin: answered here, never forwarded.
    let asked = from(
        tasklist,
        "OPTIONS",
        &[
            ("access-control-request-method", "POST"),
            ("access-control-request-headers", "authorization"),
        ],
    );
    let response = service.clone().oneshot(asked).await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(response.headers()["access-control-allow-origin"], tasklist);
    assert_eq!(response.headers()["access-control-max-age"], "600");
    assert_eq!(*called.lock().unwrap(), 0);

    // The real request: passed on, its answer readable by that origin.
    let response = service
        .clone()
        .oneshot(from(tasklist, "POST", &[]))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["access-control-allow-origin"], tasklist);
    let vary: Vec<_> = response.headers().get_all("vary").iter().collect();
    assert_eq!(vary, ["Accept-Encoding", "Origin"]);
    assert_eq!(*called.lock().unwrap(), 1);

    // Another origin: a POST is refused, a GET passes without the headers.
    let evil = "https://evil.example";
    let response = service
        .clone()
        .oneshot(from(evil, "POST", &[]))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert!(
        std::str::from_utf8(&body)
            .unwrap()
            .contains("origin-not-allowed")
    );
    let response = service
        .clone()
        .oneshot(from(evil, "GET", &[]))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    assert_eq!(*called.lock().unwrap(), 2);

    // The near miss: without a [cors] section, Origin is not judged and a
    // preflight goes to the engine.
    let open = GuardLayer::new(guard("")).layer(echo());
    let asked = from(
        evil,
        "OPTIONS",
        &[("access-control-request-method", "POST")],
    );
    let response = open.oneshot(asked).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(!response.body().is_rejection());
}
