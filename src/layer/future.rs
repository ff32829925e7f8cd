use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::Response;

use super::ResponseBody;

/// The response future of [`GuardService`](super::GuardService).
///
/// It owns the request head while the body is read and judged, and the
/// guard's reading of that head borrows it; a future that borrows from
/// itself is what `async` blocks are for, so this names one, boxed (one
/// allocation per request, beside the body buffer the guard needs anyway).
///
/// Having a name, it can be written down wherever a service's future has
/// to be:
///
/// ```
/// use std::convert::Infallible;
/// use std::sync::Arc;
/// use bytes::Bytes;
/// use http::{Request, Response};
/// use http_body_util::Full;
/// use input_guard::{Guard, Policy, layer::{GuardService, InspectedBody, ResponseFuture}};
/// use tower::{Service, ServiceExt, service_fn};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let ok = service_fn(|_: Request<InspectedBody>| async {
///     Ok::<_, Infallible>(Response::new(Full::new(Bytes::from_static(b"[]"))))
/// });
/// let mut service = GuardService::new(ok, Arc::new(Guard::new(Policy::camunda7())?));
///
/// type Req = Request<Full<Bytes>>;
/// let request: Req = Request::get("/engine-rest/task?maxResults=10").body(Full::new(Bytes::new()))?;
/// let ready = ServiceExt::<Req>::ready(&mut service).await?;
/// let future: ResponseFuture<Full<Bytes>, Infallible> = ready.call(request);
/// let response = future.await?;
/// assert_eq!(response.status(), 200);
/// assert!(!response.body().is_rejection());
/// # Ok(())
/// # }
/// ```
pub struct ResponseFuture<B, E> {
    pub(super) inner: BoxFuture<Result<Response<ResponseBody<B>>, E>>,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<B, E> Future for ResponseFuture<B, E> {
    type Output = Result<Response<ResponseBody<B>>, E>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.inner.as_mut().poll(cx)
    }
}

impl<B, E> fmt::Debug for ResponseFuture<B, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}
