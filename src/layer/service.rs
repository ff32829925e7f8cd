use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Request, Response};
use http_body::Body;
use http_body_util::{BodyExt, Either, Full, LengthLimitError, Limited};
use tower::Service;

use super::problem::problem_response;
use crate::{Code, Guard, Verdict, Violation};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The service [`GuardLayer`](super::GuardLayer) builds: checks each
/// request, then calls the inner service with the same body type, rebuilt
/// from the bytes it read.
///
/// The request body type `B` must be buildable from `Bytes` (`Full<Bytes>`,
/// `axum::body::Body`, ...); the response is the inner response, or a
/// problem+json rejection, as an [`Either`] body.
#[derive(Debug, Clone)]
pub struct GuardService<S> {
    inner: S,
    guard: Arc<Guard>,
}

impl<S> GuardService<S> {
    /// Wraps `inner`.
    pub fn new(inner: S, guard: Arc<Guard>) -> Self {
        GuardService { inner, guard }
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

/// The response body: a rejection, or whatever the inner service answered.
pub type GuardBody<B> = Either<Full<Bytes>, B>;

/// Records a violation as an audit event, without the body.
fn audit(violation: &Violation, head: &http::request::Parts, route: Option<&str>, enforced: bool) {
    tracing::warn!(
        target: "input_guard::audit",
        code = violation.code().as_str(),
        status = violation.status().as_u16(),
        location = violation.location(),
        offset = violation.offset(),
        method = %head.method,
        path = head.uri.path(),
        route = route.unwrap_or("-"),
        mode = if enforced { "enforce" } else { "report" },
        "{}",
        if enforced { "request rejected" } else { "request would be rejected" }
    );
}

fn reject<B>(violation: &Violation) -> Response<GuardBody<B>> {
    problem_response(violation).map(Either::Left)
}

impl<S, B, ResBody> Service<Request<B>> for GuardService<S>
where
    S: Service<Request<B>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: Body + From<Bytes> + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    type Response = Response<GuardBody<ResBody>>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        // The service that was polled ready goes into the future; a clone
        // stays behind for the next request (as axum's middleware does).
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let guard = self.guard.clone();
        Box::pin(async move {
            let (mut head, body) = request.into_parts();
            let checked = guard.head(&head);
            let route = checked.route().map(|r| r.name.as_str());
            let enforce = |violation: Violation| -> Option<Response<GuardBody<ResBody>>> {
                let enforced = guard.policy().mode == crate::policy::Mode::Enforce;
                audit(&violation, &head, route, enforced);
                enforced.then(|| reject(&violation))
            };

            // 1. The head, before reading anything.
            if let Some(violation) = checked.verdict().violation().cloned()
                && let Some(rejection) = enforce(violation)
            {
                return Ok(rejection);
            }

            // 2. The body, up to the route's limit.
            let limit = usize::try_from(checked.body_limit()).unwrap_or(usize::MAX);
            let bytes = match Limited::new(body, limit).collect().await {
                Ok(collected) => collected.to_bytes(),
                Err(error) => {
                    let violation = if error.downcast_ref::<LengthLimitError>().is_some() {
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
                    };
                    // A body that could not be read cannot be passed on,
                    // even in report mode.
                    let _ = enforce(violation.clone());
                    return Ok(reject(&violation));
                }
            };

            // 3. One verdict.
            match guard.check_with(&checked, &head, &bytes) {
                Verdict::Allow => {}
                Verdict::Rewrite(uri) => head.uri = uri,
                Verdict::Reject(violation) | Verdict::Report(violation) => {
                    if let Some(rejection) = enforce(violation) {
                        return Ok(rejection);
                    }
                }
            }

            // 4. The same bytes, downstream.
            let response = inner
                .call(Request::from_parts(head, B::from(bytes)))
                .await?;
            Ok(response.map(Either::Right))
        })
    }
}
