//! The upstream's keep-alive connections: HTTP/1.1, one request at a time
//! each, reused last-in first-out.
//!
//! hyper-util's general-purpose client did this job before, and a profile
//! of GETs through the gateway put it at about a third of the gateway's
//! instructions per request: its pool is keyed by scheme and authority
//! (hashed with SipHash on every checkout and return), hands connections
//! over through channels, and rebuilds absolute URIs. The gateway has one
//! upstream, so its pool is a vector under a mutex held for a push or a
//! pop, and requests are sent in origin form as they will be written.
//!
//! # Reuse, and when not to
//!
//! A connection goes back to the pool only once its response body has
//! been read to the end (see [`PooledBody`]) *and* its request body has
//! gone out whole (see [`SentBody`]); one whose response was dropped
//! half-read, or whose request body failed, is closed, as the rest of
//! that exchange would otherwise be read as the next one's. The second
//! condition matters when the upstream answers an upload before reading
//! it (an engine refusing an unauthenticated deployment with 401): the
//! answer is read while the upload still streams, and a connection pooled
//! then would make the next request that took it wait for someone else's
//! upload to finish. A connection the upstream closed
//! while idle shows as closed, or fails the send before anything was
//! written, and the request then goes on a fresh connection. Idle
//! connections are closed after [`IDLE_TIMEOUT`] and beyond [`MAX_IDLE`];
//! an engine that closes them sooner (Tomcat's `keepAliveTimeout` follows
//! its `connectionTimeout`, 20 s in its sample `server.xml`) costs a new
//! connection, not a failed request.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use http::{Request, Response, Uri};
use http_body::{Body as HttpBody, Frame, SizeHint};
use hyper::body::Incoming;
use hyper::client::conn::http1::{self, SendRequest};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use input_guard::layer::InspectedBody;
use tower::ServiceExt;

use super::forward::BoxError;

/// Idle connections older than this are closed rather than reused.
pub(super) const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// Idle connections kept at most; more are closed when returned.
pub(super) const MAX_IDLE: usize = 256;

/// Connections to one upstream.
pub(super) struct Pool {
    connector: HttpsConnector<HttpConnector>,
    /// Where to connect: the upstream's scheme and authority.
    target: Uri,
    idle: Mutex<Vec<Idle>>,
}

struct Idle {
    sender: SendRequest<SentBody>,
    since: Instant,
}

impl Pool {
    pub(super) fn new(connector: HttpsConnector<HttpConnector>, target: Uri) -> Self {
        Pool {
            connector,
            target,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Sends `request` (its URI in origin form, its `Host` set) on an idle
    /// connection, or a new one, and answers with the response whose body
    /// returns the connection when read to the end.
    pub(super) async fn send(
        self: &Arc<Self>,
        request: Request<InspectedBody>,
    ) -> Result<Response<PooledBody>, BoxError> {
        // Bodies that are empty from the start (GETs) are sent with the
        // head: only the others need the hand-over.
        let handoff = (!request.body().is_end_stream()).then(Arc::<Handoff>::default);
        let mut request = request.map(|body| Watched {
            body,
            watch: RequestSent(handoff.clone()),
        });
        while let Some(mut sender) = self.checkout() {
            // A connection whose last response was just read may still be
            // finishing it: wait for it; one that closed meanwhile is gone.
            if sender.ready().await.is_err() {
                continue;
            }
            match sender.try_send_request(request).await {
                Ok(response) => return Ok(self.pooled(response, sender, handoff)),
                Err(mut failed) => match failed.take_message() {
                    // Not written: the connection closed under it (the
                    // upstream ended an idle keep-alive); try another.
                    Some(unsent) => request = unsent,
                    None => return Err(failed.into_error().into()),
                },
            }
        }
        // Boxed: a TLS connect's state is kilobytes, and every send's
        // future would otherwise be that big (and copied) for the rare
        // request that needs a new connection.
        let mut sender = Box::pin(self.connect()).await?;
        let response = sender.send_request(request).await?;
        Ok(self.pooled(response, sender, handoff))
    }

    fn checkout(&self) -> Option<SendRequest<SentBody>> {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        while let Some(entry) = idle.pop() {
            if !entry.sender.is_closed() && entry.since.elapsed() < IDLE_TIMEOUT {
                return Some(entry.sender);
            }
        }
        None
    }

    fn check_in(&self, sender: SendRequest<SentBody>) {
        if sender.is_closed() {
            return;
        }
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        // The oldest sit at the front: close those past their time, and
        // the oldest one when the pool is full.
        let fresh = idle
            .iter()
            .position(|e| e.since.elapsed() < IDLE_TIMEOUT)
            .unwrap_or(idle.len());
        idle.drain(..fresh);
        if idle.len() >= MAX_IDLE {
            idle.remove(0);
        }
        idle.push(Idle {
            sender,
            since: Instant::now(),
        });
    }

    async fn connect(&self) -> Result<SendRequest<SentBody>, BoxError> {
        let io = self.connector.clone().oneshot(self.target.clone()).await?;
        let (sender, connection) = http1::handshake(io).await?;
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(target: "input_guard::gateway", %error, "upstream connection ended with an error");
            }
        });
        Ok(sender)
    }

    fn pooled(
        self: &Arc<Self>,
        response: Response<Incoming>,
        sender: SendRequest<SentBody>,
        handoff: Option<Arc<Handoff>>,
    ) -> Response<PooledBody> {
        response.map(|body| {
            let mut pooled = Watched {
                body,
                watch: ResponseRead {
                    back: Some((sender, self.clone())),
                    handoff,
                },
            };
            // An empty body (204, 304, `Content-Length: 0`) may never be
            // polled: the connection is free already.
            if pooled.body.is_end_stream() {
                pooled.watch.ended();
            }
            pooled
        })
    }
}

/// A connection on its way back to its pool.
type Back = (SendRequest<SentBody>, Arc<Pool>);

/// An upstream response body that returns its connection to the pool once
/// read to the end (and the request body is sent, see [`Handoff`]), and
/// closes it if dropped before.
pub(super) type PooledBody = Watched<Incoming, ResponseRead>;

/// A request body as the upstream connection sends it: the inspected body,
/// telling the [`Handoff`] when it has gone out whole.
pub(super) type SentBody = Watched<InspectedBody, RequestSent>;

/// What a [`Watched`] body does once it has ended whole, or broken off.
pub(super) trait EndWatch {
    /// The body ended whole (called again after, it does nothing).
    fn ended(&mut self);
    /// The body broke off: the connection it was on is not reused.
    fn broken(&mut self);
}

/// A body that tells its [`EndWatch`] when it has ended.
pub(super) struct Watched<B: HttpBody + Unpin, W: EndWatch> {
    body: B,
    watch: W,
}

impl<B: HttpBody + Unpin, W: EndWatch> Drop for Watched<B, W> {
    /// hyper may drop a request body it has sent whole without polling it
    /// to its end: what counts is the body's own word that nothing is left.
    fn drop(&mut self) {
        if self.body.is_end_stream() {
            self.watch.ended();
        }
    }
}

impl<B: HttpBody + Unpin, W: EndWatch + Unpin> HttpBody for Watched<B, W> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<B::Data>, B::Error>>> {
        let polled = Pin::new(&mut self.body).poll_frame(cx);
        match &polled {
            Poll::Ready(None) => self.watch.ended(),
            Poll::Ready(Some(Ok(_))) if self.body.is_end_stream() => self.watch.ended(),
            Poll::Ready(Some(Err(_))) => self.watch.broken(),
            _ => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// The response side: gives the connection back, or to the [`Handoff`].
pub(super) struct ResponseRead {
    back: Option<Back>,
    /// Shared with the request body, when it was not empty.
    handoff: Option<Arc<Handoff>>,
}

impl EndWatch for ResponseRead {
    fn ended(&mut self) {
        if let Some(back) = self.back.take() {
            match self.handoff.take() {
                None => back.1.check_in(back.0),
                Some(handoff) => handoff.response_read(back),
            }
        }
    }

    fn broken(&mut self) {
        self.back = None;
    }
}

/// The request side: tells the [`Handoff`] the body went out whole.
pub(super) struct RequestSent(Option<Arc<Handoff>>);

impl EndWatch for RequestSent {
    fn ended(&mut self) {
        if let Some(handoff) = self.0.take() {
            handoff.request_sent();
        }
    }

    fn broken(&mut self) {
        self.0 = None;
    }
}

/// Who returns a connection whose request had a body: the request body
/// when it ends after the response was read, the response body when it
/// ends after the request body went out. Whichever finishes first leaves
/// word here; the connection waits here (in no pool) in between, and is
/// closed with the last reference if the request body never ends.
#[derive(Default)]
pub(super) struct Handoff(Mutex<HandoffState>);

#[derive(Default)]
struct HandoffState {
    sent: bool,
    parked: Option<Back>,
}

impl Handoff {
    fn lock(&self) -> std::sync::MutexGuard<'_, HandoffState> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The response was read to the end.
    fn response_read(&self, back: Back) {
        let mut state = self.lock();
        if state.sent {
            drop(state);
            back.1.check_in(back.0);
        } else {
            state.parked = Some(back);
        }
    }

    /// The request body went out whole.
    fn request_sent(&self) {
        let mut state = self.lock();
        state.sent = true;
        let parked = state.parked.take();
        drop(state);
        if let Some((sender, pool)) = parked {
            pool.check_in(sender);
        }
    }
}
