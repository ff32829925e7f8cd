use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::Response;
use http::request::Parts;
use http_body_util::Full;
use tower::Layer;

use super::{BufferBudget, ClientAddr, GuardService};
use crate::{Guard, Verdict, Violation};

/// Puts a [`Guard`] in front of a service. Cheap to clone: the compiled
/// guard and the hooks are shared.
///
/// ```
/// use std::sync::Arc;
/// use input_guard::{Guard, Policy, layer::GuardLayer};
///
/// let layer = GuardLayer::new(Arc::new(Guard::new(Policy::camunda7())?));
/// assert_eq!(layer.guard().policy().body.max_bytes, 10 * 1024 * 1024);
/// # Ok::<(), input_guard::policy::PolicyError>(())
/// ```
#[derive(Clone)]
pub struct GuardLayer {
    pub(super) guard: Arc<Guard>,
    pub(super) hooks: Arc<Hooks>,
}

/// Builds the response to a rejected request; `None`: problem+json, with
/// the request's id as `instance` when it has one.
type RejectionHook = Option<Box<dyn Fn(&Violation) -> Response<Full<Bytes>> + Send + Sync>>;
/// Records a violation.
type AuditHook = Box<dyn Fn(&AuditEvent<'_>) + Send + Sync>;
/// Observes every verdict (metrics).
type InspectionHook = Option<Box<dyn Fn(&Inspection<'_>) + Send + Sync>>;

/// What the layer does besides judging: how it answers and records a
/// violation, whom it tells about every verdict, and the memory it may use.
pub(super) struct Hooks {
    pub(super) rejection: RejectionHook,
    pub(super) audit: AuditHook,
    pub(super) inspection: InspectionHook,
    pub(super) budget: Option<BufferBudget>,
}

impl fmt::Debug for GuardLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GuardLayer")
            .field("guard", &self.guard)
            .finish_non_exhaustive()
    }
}

impl GuardLayer {
    /// A layer applying `guard`, answering rejections with problem+json
    /// ([`problem_response`](super::problem_response); with the request's
    /// `X-Request-Id` as `instance`, `urn:request:ID`, when it carries a
    /// well-formed one) and recording audit events with `tracing` (see
    /// [`AuditEvent`]; the event names the request id too).
    pub fn new(guard: Arc<Guard>) -> Self {
        GuardLayer::builder(guard).build()
    }

    /// A builder for a layer with its own rejection response or audit
    /// hook; [`GuardLayerBuilder`] shows both at work.
    pub fn builder(guard: Arc<Guard>) -> GuardLayerBuilder {
        GuardLayerBuilder {
            guard,
            rejection: None,
            audit: Box::new(trace_audit_event),
            inspection: None,
            budget: None,
        }
    }

    /// The guard this layer applies.
    pub fn guard(&self) -> &Arc<Guard> {
        &self.guard
    }
}

impl<S> Layer<S> for GuardLayer {
    type Service = GuardService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        GuardService::from_layer(inner, self.clone())
    }
}

/// Builds a [`GuardLayer`]; see [`GuardLayer::builder`].
///
/// ```
/// use std::convert::Infallible;
/// use std::sync::Arc;
/// use bytes::Bytes;
/// use http::{HeaderValue, Request, Response};
/// use http_body_util::{BodyExt, Full};
/// use input_guard::{Code, Guard, Policy, layer::{GuardLayer, InspectedBody, problem_response}};
/// use tower::{Layer, ServiceExt, service_fn};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let (audit, audited) = std::sync::mpsc::channel();
/// let layer = GuardLayer::builder(Arc::new(Guard::new(Policy::camunda7())?))
///     // problem+json as usual, plus a header of our own.
///     .rejection(|violation| {
///         let mut response = problem_response(violation);
///         response.headers_mut().insert("x-refused-by", HeaderValue::from_static("input-guard"));
///         response
///     })
///     // Every violation to a channel instead of `tracing`.
///     .audit(move |event| {
///         let _ = audit.send((event.violation.code(), event.enforced));
///     })
///     .build();
/// let engine = layer.layer(service_fn(|_: Request<InspectedBody>| async {
///     Ok::<_, Infallible>(Response::new(Full::new(Bytes::new())))
/// }));
///
/// let request = Request::post("/engine-rest/message")
///     .header("content-type", "application/xml")
///     .body(Full::new(Bytes::from_static(b"<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>")))?;
/// let response = engine.oneshot(request).await?;
/// assert_eq!(response.status(), 400);
/// assert_eq!(response.headers()["x-refused-by"], "input-guard");
/// let body = response.into_body().collect().await?.to_bytes();
/// assert!(std::str::from_utf8(&body)?.contains(r#""code":"xml-doctype""#));
/// assert_eq!(audited.try_recv()?, (Code::XmlDoctype, true));
/// # Ok(())
/// # }
/// ```
pub struct GuardLayerBuilder {
    guard: Arc<Guard>,
    rejection: RejectionHook,
    audit: AuditHook,
    inspection: InspectionHook,
    budget: Option<BufferBudget>,
}

impl fmt::Debug for GuardLayerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GuardLayerBuilder")
            .field("guard", &self.guard)
            .finish_non_exhaustive()
    }
}

impl GuardLayerBuilder {
    /// Answers rejections with `response` instead of problem+json. Keep
    /// what it shows to what [`Violation`] says is safe to show.
    pub fn rejection(
        mut self,
        response: impl Fn(&Violation) -> Response<Full<Bytes>> + Send + Sync + 'static,
    ) -> Self {
        self.rejection = Some(Box::new(response));
        self
    }

    /// Calls `hook` for every violation, enforced or reported, instead of
    /// recording it with `tracing`.
    pub fn audit(mut self, hook: impl Fn(&AuditEvent<'_>) + Send + Sync + 'static) -> Self {
        self.audit = Box::new(hook);
        self
    }

    /// Calls `hook` once for every request the layer judged, whatever the
    /// verdict, with the route, the bytes inspected and the time the
    /// guard took: what metrics are made of (see [`Inspection`]). Without
    /// it the layer does not read the clock.
    pub fn on_inspection(mut self, hook: impl Fn(&Inspection<'_>) + Send + Sync + 'static) -> Self {
        self.inspection = Some(Box::new(hook));
        self
    }

    /// Buffers bodies only within `budget`, shared by every layer given a
    /// clone of it; a body that does not fit is answered 503 `overloaded`
    /// (see [`BufferBudget`]). Without a budget each body is bounded by its
    /// route's limit only.
    pub fn buffer_budget(mut self, budget: BufferBudget) -> Self {
        self.budget = Some(budget);
        self
    }

    /// The layer.
    pub fn build(self) -> GuardLayer {
        GuardLayer {
            guard: self.guard,
            hooks: Arc::new(Hooks {
                rejection: self.rejection,
                audit: self.audit,
                inspection: self.inspection,
                budget: self.budget,
            }),
        }
    }
}

/// A violation the layer found, enforced or only reported, with what an
/// audit record needs; never the body.
///
/// By default events go to `tracing` (target `input_guard::audit`, level
/// WARN); without a subscriber they go nowhere. An audit hook
/// ([`GuardLayerBuilder::audit`]) receives them instead; in report mode it
/// is the only trace a violation leaves:
///
/// ```
/// use std::convert::Infallible;
/// use std::sync::Arc;
/// use bytes::Bytes;
/// use http::{Request, Response};
/// use http_body_util::Full;
/// use input_guard::{Code, Guard, Policy, layer::{GuardLayer, InspectedBody}, policy::Mode};
/// use tower::{Layer, ServiceExt, service_fn};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let mut policy = Policy::camunda7();
/// policy.mode = Mode::Report;
/// let (audit, audited) = std::sync::mpsc::channel();
/// let layer = GuardLayer::builder(Arc::new(Guard::new(policy)?))
///     .audit(move |event| {
///         let route = event.route.map(str::to_owned);
///         let path = event.head.uri.path().to_owned();
///         let _ = audit.send((event.violation.code(), route, path, event.enforced));
///     })
///     .build();
/// let engine = layer.layer(service_fn(|_: Request<InspectedBody>| async {
///     Ok::<_, Infallible>(Response::new(Full::new(Bytes::new())))
/// }));
///
/// // An unbounded task query: reported, and let through.
/// let request = Request::get("/engine-rest/task").body(Full::new(Bytes::new()))?;
/// let response = engine.oneshot(request).await?;
/// assert_eq!(response.status(), 200);
/// let (code, route, path, enforced) = audited.try_recv()?;
/// assert_eq!(code, Code::QueryUnbounded);
/// assert_eq!(route.as_deref(), Some("task list"));
/// assert_eq!(path, "/engine-rest/task");
/// assert!(!enforced);
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct AuditEvent<'a> {
    /// What was found.
    pub violation: &'a Violation,
    /// The request head.
    pub head: &'a Parts,
    /// The name of the route the request fell under, if any.
    pub route: Option<&'a str>,
    /// Whether the request was refused (`false`: report mode let it on).
    pub enforced: bool,
}

/// One request the layer judged, as [`GuardLayerBuilder::on_inspection`]
/// reports it.
///
/// ```
/// use std::convert::Infallible;
/// use std::sync::Arc;
/// use bytes::Bytes;
/// use http::{Request, Response};
/// use http_body_util::Full;
/// use input_guard::{Guard, Policy, Verdict, layer::{GuardLayer, InspectedBody}};
/// use tower::{Layer, ServiceExt, service_fn};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let (seen, inspections) = std::sync::mpsc::channel();
/// let layer = GuardLayer::builder(Arc::new(Guard::new(Policy::camunda7())?))
///     .on_inspection(move |inspection| {
///         let verdict = match inspection.verdict {
///             Verdict::Allow | Verdict::Rewrite(_) => "allow",
///             Verdict::Report(_) => "report",
///             Verdict::Reject(_) => "reject",
///         };
///         let route = inspection.route.unwrap_or("-").to_owned();
///         let _ = seen.send((route, verdict, inspection.body_bytes));
///     })
///     .build();
/// let engine = layer.layer(service_fn(|_: Request<InspectedBody>| async {
///     Ok::<_, Infallible>(Response::new(Full::new(Bytes::new())))
/// }));
/// let request = Request::post("/engine-rest/task?maxResults=10")
///     .header("content-type", "application/json")
///     .body(Full::new(Bytes::from_static(br#"{"assignee":"demo"}"#)))?;
/// engine.oneshot(request).await?;
/// assert_eq!(inspections.try_recv()?, ("task list".to_owned(), "allow", 19));
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct Inspection<'a> {
    /// The request head.
    pub head: &'a Parts,
    /// The name of the route the request fell under, if any.
    pub route: Option<&'a str>,
    /// What the layer did: passed it on (rewritten or not), let it through
    /// with a report, or refused it.
    pub verdict: &'a Verdict,
    /// Body bytes the guard inspected (none when it refused or passed the
    /// request on before reading the body).
    pub body_bytes: usize,
    /// Time the guard took to judge the body, not counting the time the
    /// body took to arrive.
    pub elapsed: Duration,
}

/// The default audit hook: one `tracing` event, without the body.
fn trace_audit_event(event: &AuditEvent<'_>) {
    let violation = event.violation;
    let client = event.head.extensions.get::<ClientAddr>();
    tracing::warn!(
        target: "input_guard::audit",
        code = violation.code().as_str(),
        status = violation.status().as_u16(),
        location = violation.location(),
        offset = violation.offset(),
        method = %event.head.method,
        path = event.head.uri.path(),
        host = event
            .head
            .headers
            .get(http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("-"),
        route = event.route.unwrap_or("-"),
        class = violation.class(),
        rule = violation.rule(),
        exception = violation.exception(),
        peer = client.map(|c| tracing::field::display(c.peer())),
        client = client.map(|c| tracing::field::display(c.client())),
        request_id = super::problem::request_id(&event.head.headers).unwrap_or("-"),
        mode = if event.enforced { "enforce" } else { "report" },
        "{}",
        if event.enforced { "request rejected" } else { "request would be rejected" }
    );
}
