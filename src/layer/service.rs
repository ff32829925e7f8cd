use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::{Buf, Bytes, BytesMut};
use http::{Request, Response};
use http_body::Body;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, LengthLimitError};
use tower::Service;

use super::layer::{AuditEvent, Hooks};
use super::{GuardLayer, InspectedBody, ResponseBody, ResponseFuture};
use crate::{Code, Guard, Verdict, Violation};

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
                let (mut head, body) = request.into_parts();
                let (verdict, body) = {
                    let checked = guard.head(&head);
                    let route = checked.route().map(|r| r.name.as_str());
                    let limit = usize::try_from(checked.body_limit()).unwrap_or(usize::MAX);

                    // 1. The head, before reading anything. In report mode
                    // a declared length over the limit lets the body stream
                    // on unread; any other finding on the head is found
                    // again, and recorded once, with the body.
                    match checked.verdict() {
                        Verdict::Reject(violation) => {
                            return Ok(refuse(&hooks, &violation, &head, route));
                        }
                        Verdict::Report(violation) if violation.code() == Code::BodyTooLarge => {
                            report(&hooks, &violation, &head, route);
                            let body = InspectedBody::streamed(None, into_bytes_body(body));
                            (Verdict::Report(violation), body)
                        }
                        Verdict::Allow | Verdict::Rewrite(_) | Verdict::Report(_) => {
                            // 2. The body, up to the route's limit.
                            let bytes = match read_body(Box::pin(body), limit).await {
                                Read::Whole(bytes) => bytes,
                                Read::Over(prefix, rest) => {
                                    let over = too_large(limit);
                                    // Enforce refuses; report records it and
                                    // streams the body on uninspected, never
                                    // buffering past the limit.
                                    match guard.verdict(Err(over)) {
                                        Verdict::Report(violation) => {
                                            report(&hooks, &violation, &head, route);
                                            let body = InspectedBody::streamed(Some(prefix), rest);
                                            return finish(inner, head, body).await;
                                        }
                                        verdict => {
                                            let violation = verdict.violation().cloned();
                                            let violation =
                                                violation.unwrap_or_else(|| too_large(limit));
                                            return Ok(refuse(&hooks, &violation, &head, route));
                                        }
                                    }
                                }
                                Read::Limited => {
                                    // Read only in part, so not passed on.
                                    return Ok(refuse(&hooks, &too_large(limit), &head, route));
                                }
                                Read::Broken => {
                                    // A body that was not read whole cannot be
                                    // passed on, even in report mode.
                                    let violation = Violation::new(
                                        Code::BodyIncomplete,
                                        "body",
                                        "the request body could not be read",
                                    );
                                    return Ok(refuse(&hooks, &violation, &head, route));
                                }
                            };

                            // 3. One verdict.
                            let verdict = checked.check(&bytes);
                            if let Some(rejection) =
                                audit_and_answer(&hooks, &verdict, &head, route)
                            {
                                return Ok(rejection);
                            }
                            (verdict, InspectedBody::new(bytes))
                        }
                    }
                };
                if let Verdict::Rewrite(uri) = verdict {
                    head.uri = uri;
                }
                finish(inner, head, body).await
            }),
        }
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
    /// All of it, within the limit.
    Whole(Bytes),
    /// More than the limit: what was read (past the limit by at most one
    /// frame) and the rest, unread.
    Over(Bytes, UnsyncBoxBody<Bytes, BoxError>),
    /// The body broke off.
    Broken,
    /// A body limit below the guard stopped it.
    Limited,
}

/// Reads `body` up to `limit` bytes. A body of one frame is handed on as
/// that frame's own buffer, not a copy.
async fn read_body<B>(mut body: std::pin::Pin<Box<B>>, limit: usize) -> Read
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
        match (&mut joined, first.take()) {
            (Some(joined), _) => joined.extend_from_slice(&data),
            (None, None) => first = Some(data),
            (None, Some(previous)) => {
                let mut buf = BytesMut::with_capacity(previous.len() + data.len());
                buf.extend_from_slice(&previous);
                buf.extend_from_slice(&data);
                joined = Some(buf);
            }
        }
        if len > limit {
            let read = joined.map_or_else(|| first.unwrap_or_default(), BytesMut::freeze);
            return Read::Over(read, into_bytes_body(body));
        }
    }
    Read::Whole(joined.map_or_else(|| first.unwrap_or_default(), BytesMut::freeze))
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

/// Records a verdict's violation, if any, and returns the rejection to
/// answer with when the verdict refuses the request. The verdict alone
/// decides: the guard applied the mode.
fn audit_and_answer<B>(
    hooks: &Hooks,
    verdict: &Verdict,
    head: &http::request::Parts,
    route: Option<&str>,
) -> Option<Response<ResponseBody<B>>> {
    match verdict {
        Verdict::Allow | Verdict::Rewrite(_) => None,
        Verdict::Reject(violation) => Some(refuse(hooks, violation, head, route)),
        Verdict::Report(violation) => {
            report(hooks, violation, head, route);
            None
        }
    }
}

/// Records a violation report mode lets through.
fn report(hooks: &Hooks, violation: &Violation, head: &http::request::Parts, route: Option<&str>) {
    (hooks.audit)(&AuditEvent {
        violation,
        head,
        route,
        enforced: false,
    });
}

/// Records a refused request and answers it.
fn refuse<B>(
    hooks: &Hooks,
    violation: &Violation,
    head: &http::request::Parts,
    route: Option<&str>,
) -> Response<ResponseBody<B>> {
    (hooks.audit)(&AuditEvent {
        violation,
        head,
        route,
        enforced: true,
    });
    let response = match &hooks.rejection {
        Some(custom) => custom(violation),
        None => super::problem::problem_response_for(
            violation,
            super::problem::request_id(&head.headers),
        ),
    };
    response.map(ResponseBody::rejection)
}
