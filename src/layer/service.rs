use std::sync::Arc;
use std::task::{Context, Poll};

use http::{Request, Response};
use http_body::Body;
use http_body_util::{BodyExt, LengthLimitError, Limited};
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
///     Ok::<_, std::convert::Infallible>(Response::new(Full::new(req.into_body().into_bytes())))
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
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let guard = self.layer.guard.clone();
        let hooks = self.layer.hooks.clone();
        ResponseFuture {
            inner: Box::pin(async move {
                let (mut head, body) = request.into_parts();
                let (verdict, bytes) = {
                    let checked = guard.head(&head);
                    let route = checked.route().map(|r| r.name.as_str());
                    let answer =
                        |verdict: &Verdict| audit_and_answer(&hooks, verdict, &head, route);

                    // 1. The head, before reading anything.
                    let verdict = checked.verdict();
                    if let Some(rejection) = answer(&verdict) {
                        return Ok(rejection);
                    }

                    // 2. The body, up to the route's limit.
                    let limit = usize::try_from(checked.body_limit()).unwrap_or(usize::MAX);
                    let bytes = match Limited::new(body, limit).collect().await {
                        Ok(collected) => collected.to_bytes(),
                        Err(error) => {
                            // A body that was not read whole cannot be
                            // passed on, so this is refused even in report
                            // mode.
                            let violation = unread_body(&*error, limit);
                            return Ok(refuse(&hooks, &violation, &head, route));
                        }
                    };

                    // 3. One verdict.
                    let verdict = checked.check(&bytes);
                    if let Some(rejection) = answer(&verdict) {
                        return Ok(rejection);
                    }
                    (verdict, bytes)
                };
                if let Verdict::Rewrite(uri) = verdict {
                    head.uri = uri;
                }

                // 4. The same bytes, downstream.
                let response = inner
                    .call(Request::from_parts(head, InspectedBody::new(bytes)))
                    .await?;
                Ok(response.map(ResponseBody::inner))
            }),
        }
    }
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
            (hooks.audit)(&AuditEvent {
                violation,
                head,
                route,
                enforced: false,
            });
            None
        }
    }
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
    (hooks.rejection)(violation).map(ResponseBody::rejection)
}

/// Why a body could not be read whole.
fn unread_body(error: &(dyn std::error::Error + 'static), limit: usize) -> Violation {
    if error.downcast_ref::<LengthLimitError>().is_some() {
        Violation::new(
            Code::BodyTooLarge,
            "body",
            format!("request body is larger than {limit} bytes"),
        )
    } else {
        Violation::new(
            Code::BodyIncomplete,
            "body",
            "the request body could not be read",
        )
    }
}
