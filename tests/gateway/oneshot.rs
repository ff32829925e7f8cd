//! The layer through `tower::ServiceExt::oneshot`, no network.

use std::convert::Infallible;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use http_body::Frame;
use http_body_util::BodyExt;
use input_guard::layer::ResponseBody;
use tower::{Layer, ServiceExt};

use super::*;

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
            // Bodies over the limit too: report mode streams them on
            // uninspected (and records the violation).
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
        let dispatch = tracing::Dispatch::new(capture.clone());
        // While a single dispatcher exists, tracing-core asks only the
        // current thread's subscriber about a callsite it meets first: an
        // audit event of another test, on another thread, would cache
        // "never" for the callsite and hide this test's event. A second
        // dispatcher makes it ask every registered one.
        let _second = tracing::Dispatch::new(audit::Capture::default());
        let _default = tracing::dispatcher::set_default(&dispatch);
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
