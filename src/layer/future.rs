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
