use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::{Buf, Bytes, BytesMut};
use http::{Request, Response};
use http_body::Body;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, LengthLimitError};
use tower::Service;

use super::budget::Reservation;
use super::layer::{AuditEvent, Hooks, Inspection};
use super::{GuardLayer, InspectedBody, ResponseBody, ResponseFuture};
use crate::{Code, Guard, HeadCheck, Verdict, Violation};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The service [`GuardLayer`] builds: reads each request's body up to its
/// route's limit, asks the guard once, then calls the inner service with
/// the bytes it judged ([`InspectedBody`]) or answers the rejection itself.
///
/// ```
/// use std::sync::Arc;
/// use bytes::Bytes;
/// use http::{Request, Response};
/// use http_body_util::Full;
/// use input_guard::{Guard, Policy, layer::{GuardService, InspectedBody}};
/// use tower::{ServiceExt, service_fn};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let echo = service_fn(|req: Request<InspectedBody>| async move {
///     Ok::<_, std::convert::Infallible>(Response::new(Full::new(req.into_body().into_bytes().unwrap_or_default())))
/// });
/// let service = GuardService::new(echo, Arc::new(Guard::new(Policy::camunda7())?));
/// let request = Request::get("/engine-rest/task").body(Full::new(Bytes::new()))?;
/// let response = service.oneshot(request).await?;
/// assert_eq!(response.status(), 400); // query-unbounded: no maxResults
/// assert!(response.body().is_rejection());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct GuardService<S> {
    inner: S,
    layer: GuardLayer,
}

impl<S> GuardService<S> {
    /// Wraps `inner` with the default hooks (see [`GuardLayer::new`]).
    pub fn new(inner: S, guard: Arc<Guard>) -> Self {
        GuardService::from_layer(inner, GuardLayer::new(guard))
    }

    pub(super) fn from_layer(inner: S, layer: GuardLayer) -> Self {
        GuardService { inner, layer }
    }

    /// The inner service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The inner service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Unwraps the inner service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, B, ResBody> Service<Request<B>> for GuardService<S>
where
    S: Service<Request<InspectedBody>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    type Response = Response<ResponseBody<ResBody>>;
    type Error = S::Error;
    type Future = ResponseFuture<ResBody, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        // The service that was polled ready goes into the future; a clone
        // stays behind for the next request (as axum's middleware does).
        let clone = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, clone);
        let guard = self.layer.guard.clone();
        let hooks = self.layer.hooks.clone();
        ResponseFuture {
            inner: Box::pin(async move {
                // The `Access-Control-Allow-*` headers the answer gets, for
                // a request from an origin the policy's `[cors]` allows.
                let mut cors: Option<http::HeaderMap> = None;
                let answered = async {
                    let (mut head, body) = request.into_parts();
                    let (verdict, body) = {
                        let checked = guard.head(&head);
                        let seen = Seen {
                            guard: &guard,
                            hooks: &hooks,
                            head: &head,
                            route: checked.route().map(|r| r.name.as_str()),
                        };
                        let limit = usize::try_from(checked.body_limit()).unwrap_or(usize::MAX);
                        // A preflight from an allowed origin is answered here
                        // and never reaches the engine.
                        if let Some(headers) = checked.cors_preflight()
                            && checked.verdict() == Verdict::Allow
                        {
                            return Ok(preflight(headers.clone()));
                        }
                        cors = checked.cors_headers().cloned();

                        // 1. The head, before reading anything. In report mode
                        // a declared length over the limit lets the body stream
                        // on unread; any other finding on the head is found
                        // again, and recorded once, with the body.
                        match checked.verdict() {
                            Verdict::Reject(violation) => return Ok(seen.refuse(&violation)),
                            Verdict::Report(violation)
                                if violation.code() == Code::BodyTooLarge =>
                            {
                                seen.report(&violation);
                                let verdict = Verdict::Report(violation);
                                seen.inspected(&verdict, 0, Duration::ZERO);
                                let body = InspectedBody::streamed(None, into_bytes_body(body));
                                (verdict, body)
                            }
                            Verdict::Allow | Verdict::Rewrite(_) | Verdict::Report(_) => {
                                // 2. The body, up to the route's limit, within
                                // the memory budget. The declared length (not
                                // over the limit, or step 1 answered) is
                                // reserved and allocated at once.
                                let declared = checked
                                    .declared_length()
                                    .map_or(0, |len| usize::try_from(len).unwrap_or(usize::MAX))
                                    .min(limit);
                                let reservation = match &hooks.budget {
                                    None => None,
                                    Some(budget) => match budget.reserve(declared) {
                                        Some(reservation) => Some(reservation),
                                        None => {
                                            let rest = into_bytes_body(body);
                                            let unread =
                                                Unbuffered::new(overloaded(), None, rest, None);
                                            return match unread.judge(&checked, &seen) {
                                                Ok(body) => finish(inner, head, body).await,
                                                Err(violation) => Ok(seen.refuse(&violation)),
                                            };
                                        }
                                    },
                                };
                                let read = read_body(Box::pin(body), limit, declared, reservation);
                                let (bytes, reservation) = match read.await {
                                    Read::Whole(bytes, reservation) => (bytes, reservation),
                                    Read::Unbuffered(unread) => {
                                        return match unread.judge(&checked, &seen) {
                                            Ok(body) => finish(inner, head, body).await,
                                            Err(violation) => Ok(seen.refuse(&violation)),
                                        };
                                    }
                                    Read::Limited => {
                                        // Read only in part, so not passed on.
                                        return Ok(seen.refuse(&too_large(limit)));
                                    }
                                    Read::Broken => {
                                        // A body that was not read whole cannot be
                                        // passed on, even in report mode.
                                        let violation = Violation::new(
                                            Code::BodyIncomplete,
                                            "body",
                                            "the request body could not be read",
                                        );
                                        return Ok(seen.refuse(&violation));
                                    }
                                };

                                // 3. One verdict.
                                let started = hooks.inspection.is_some().then(Instant::now);
                                let verdict = checked.check(&bytes);
                                let elapsed = started.map_or(Duration::ZERO, |t| t.elapsed());
                                seen.inspected(&verdict, bytes.len(), elapsed);
                                match &verdict {
                                    Verdict::Allow | Verdict::Rewrite(_) => {}
                                    Verdict::Report(violation) => seen.report(violation),
                                    Verdict::Reject(violation) => return Ok(seen.answer(violation)),
                                }
                                (verdict, InspectedBody::new(bytes).holding(reservation))
                            }
                        }
                    };
                    if let Verdict::Rewrite(uri) = verdict {
                        head.uri = uri;
                    }
                    finish(inner, head, body).await
                }
                .await;
                let mut response = answered?;
                if let Some(cors) = cors {
                    add_cors(response.headers_mut(), cors);
                }
                Ok(response)
            }),
        }
    }
}

/// The answer to an allowed CORS preflight: 204 with its headers.
fn preflight<B>(headers: http::HeaderMap) -> Response<ResponseBody<B>> {
    let mut response = Response::new(ResponseBody::rejection(http_body_util::Full::new(
        Bytes::new(),
    )));
    *response.status_mut() = http::StatusCode::NO_CONTENT;
    *response.headers_mut() = headers;
    response
}

/// Adds `cors` to an answer: `Vary` beside the engine's own, the rest in
/// place of any the engine set (the policy decides who may read it).
fn add_cors(headers: &mut http::HeaderMap, cors: http::HeaderMap) {
    let mut last = None;
    for (name, value) in cors {
        // The iterator names a header once, before all its values.
        let Some(name) = name.or_else(|| last.clone()) else {
            continue;
        };
        if name == http::header::VARY || last.as_ref() == Some(&name) {
            headers.append(name.clone(), value);
        } else {
            headers.insert(name.clone(), value);
        }
        last = Some(name);
    }
}

/// Hands the request on and wraps the answer.
async fn finish<S, ResBody>(
    mut inner: S,
    head: http::request::Parts,
    body: InspectedBody,
) -> Result<Response<ResponseBody<ResBody>>, S::Error>
where
    S: Service<Request<InspectedBody>, Response = Response<ResBody>>,
{
    let response = inner.call(Request::from_parts(head, body)).await?;
    Ok(response.map(ResponseBody::inner))
}

/// What reading a body up to its limit gave.
enum Read {
    /// All of it, within the limit, and the budget it holds.
    Whole(Bytes, Option<Reservation>),
    /// Not all of it: over the limit, or over the memory budget.
    Unbuffered(Unbuffered),
    /// The body broke off.
    Broken,
    /// A body limit below the guard stopped it.
    Limited,
}

/// A body the layer will not buffer whole, because it is over its
/// route's limit or over the memory budget: what was read of it, the
/// rest, unread, and the budget the read part holds.
struct Unbuffered {
    why: Violation,
    read: Option<Bytes>,
    rest: UnsyncBoxBody<Bytes, BoxError>,
    reservation: Option<Reservation>,
}

impl Unbuffered {
    fn new(
        why: Violation,
        read: Option<Bytes>,
        rest: UnsyncBoxBody<Bytes, BoxError>,
        reservation: Option<Reservation>,
    ) -> Self {
        Unbuffered {
            why,
            read,
            rest,
            reservation,
        }
    }

    /// Enforce mode: the violation to refuse with. Report mode records it
    /// and gives the body to stream on uninspected: what was read, then
    /// the rest as it arrives, never buffered further, so report mode
    /// neither refuses the request nor lets it outgrow the budget.
    fn judge(
        self,
        checked: &HeadCheck<'_, '_>,
        seen: &Seen<'_>,
    ) -> Result<InspectedBody, Violation> {
        let fallback = self.why.clone();
        // The route's own mode, when it has one, decides.
        match checked.verdict_for(Err(self.why)) {
            verdict @ Verdict::Report(_) => {
                if let Verdict::Report(violation) = &verdict {
                    seen.report(violation);
                }
                seen.inspected(&verdict, 0, Duration::ZERO);
                Ok(InspectedBody::streamed(self.read, self.rest).holding(self.reservation))
            }
            verdict => Err(verdict.violation().cloned().unwrap_or(fallback)),
        }
    }
}

/// Reads `body` up to `limit` bytes, expecting about `expected` bytes, and
/// holding what it buffers in `reservation`. A body of one frame is handed
/// on as that frame's own buffer, not a copy; a body of several is joined
/// in one buffer of the expected size, grown only if the body is longer.
async fn read_body<B>(
    mut body: std::pin::Pin<Box<B>>,
    limit: usize,
    expected: usize,
    mut reservation: Option<Reservation>,
) -> Read
where
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    let mut first: Option<Bytes> = None;
    let mut joined: Option<BytesMut> = None;
    let mut len = 0usize;
    loop {
        let data = match body.frame().await {
            None => break,
            Some(Err(error)) => {
                // A body limit below the guard (tower-http's) says so with
                // its own error: that body is too large, not broken.
                let error: BoxError = error.into();
                return if error.downcast_ref::<LengthLimitError>().is_some() {
                    Read::Limited
                } else {
                    Read::Broken
                };
            }
            Some(Ok(frame)) => match frame.into_data() {
                Ok(mut data) => data.copy_to_bytes(data.remaining()),
                // Trailers are not passed on (as before): nothing reads them.
                Err(_) => continue,
            },
        };
        len = len.saturating_add(data.len());
        let held = match (&mut joined, first.take()) {
            (Some(joined), _) => {
                joined.extend_from_slice(&data);
                joined.capacity()
            }
            (None, None) => {
                first = Some(data);
                len
            }
            (None, Some(previous)) => {
                let mut buf = BytesMut::with_capacity(len.max(expected));
                buf.extend_from_slice(&previous);
                buf.extend_from_slice(&data);
                let held = buf.capacity();
                joined = Some(buf);
                held
            }
        };
        // What is held counts, capacity and all, so the budget bounds the
        // memory and not only the bytes.
        let over = if reservation.as_mut().is_some_and(|r| !r.grow_to(held)) {
            Some(overloaded())
        } else if len > limit {
            Some(too_large(limit))
        } else {
            None
        };
        if let Some(why) = over {
            let read = joined.map_or_else(|| first.unwrap_or_default(), BytesMut::freeze);
            let rest = into_bytes_body(body);
            return Read::Unbuffered(Unbuffered::new(why, Some(read), rest, reservation));
        }
    }
    let whole = joined.map_or_else(|| first.unwrap_or_default(), BytesMut::freeze);
    Read::Whole(whole, reservation)
}

/// `body` with `Bytes` frames and boxed errors, to stream on.
fn into_bytes_body<B>(body: B) -> UnsyncBoxBody<Bytes, BoxError>
where
    B: Body + Send + 'static,
    B::Error: Into<BoxError>,
{
    body.map_frame(|frame| frame.map_data(|mut d| d.copy_to_bytes(d.remaining())))
        .map_err(Into::into)
        .boxed_unsync()
}

fn too_large(limit: usize) -> Violation {
    Violation::new(
        Code::BodyTooLarge,
        "body",
        format!("request body is larger than {limit} bytes"),
    )
}

fn overloaded() -> Violation {
    Violation::new(
        Code::Overloaded,
        "body",
        "the gateway is buffering too many request bodies; retry shortly",
    )
}

/// A request the layer judged, and what it tells about it.
struct Seen<'a> {
    guard: &'a Guard,
    hooks: &'a Hooks,
    head: &'a http::request::Parts,
    route: Option<&'a str>,
}

impl Seen<'_> {
    /// Tells the inspection hook, if any, the verdict.
    fn inspected(&self, verdict: &Verdict, body_bytes: usize, elapsed: Duration) {
        if let Some(hook) = &self.hooks.inspection {
            hook(&Inspection {
                head: self.head,
                route: self.route,
                verdict,
                body_bytes,
                elapsed,
            });
        }
    }

    /// Records a violation report mode lets through.
    fn report(&self, violation: &Violation) {
        self.audit(violation, false);
    }

    /// Refuses the request before the body was judged.
    fn refuse<B>(&self, violation: &Violation) -> Response<ResponseBody<B>> {
        if self.hooks.inspection.is_some() {
            self.inspected(&Verdict::Reject(violation.clone()), 0, Duration::ZERO);
        }
        self.answer(violation)
    }

    /// Records a refused request and answers it.
    fn answer<B>(&self, violation: &Violation) -> Response<ResponseBody<B>> {
        self.audit(violation, true);
        let mut response = match &self.hooks.rejection {
            Some(custom) => custom(violation),
            None => super::problem::problem_response_for(
                violation,
                super::problem::request_id(&self.head.headers),
            ),
        };
        // RFC 9110: a 405 says which methods the resource takes.
        if response.status() == http::StatusCode::METHOD_NOT_ALLOWED
            && !response.headers().contains_key(http::header::ALLOW)
        {
            let methods: Vec<&str> = self
                .guard
                .policy()
                .request
                .methods
                .iter()
                .map(http::Method::as_str)
                .collect();
            if let Ok(allow) = http::HeaderValue::from_str(&methods.join(", ")) {
                response.headers_mut().insert(http::header::ALLOW, allow);
            }
        }
        response.map(ResponseBody::rejection)
    }

    fn audit(&self, violation: &Violation, enforced: bool) {
        (self.hooks.audit)(&AuditEvent {
            violation,
            head: self.head,
            route: self.route,
            enforced,
        });
    }
}
