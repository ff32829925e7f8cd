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
//! been read to the end (see [`PooledBody`]); one whose body was dropped
//! half-read is closed with it, as the rest of that response would
//! otherwise be read as the next one's. A connection the upstream closed
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

use bytes::Bytes;
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
    sender: SendRequest<InspectedBody>,
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
        mut request: Request<InspectedBody>,
    ) -> Result<Response<PooledBody>, BoxError> {
        while let Some(mut sender) = self.checkout() {
            // A connection whose last response was just read may still be
            // finishing it: wait for it; one that closed meanwhile is gone.
            if sender.ready().await.is_err() {
                continue;
            }
            match sender.try_send_request(request).await {
                Ok(response) => return Ok(self.pooled(response, sender)),
                Err(mut failed) => match failed.take_message() {
                    // Not written: the connection closed under it (the
                    // upstream ended an idle keep-alive); try another.
                    Some(unsent) => request = unsent,
                    None => return Err(failed.into_error().into()),
                },
            }
        }
        let mut sender = self.connect().await?;
        let response = sender.send_request(request).await?;
        Ok(self.pooled(response, sender))
    }

    fn checkout(&self) -> Option<SendRequest<InspectedBody>> {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        while let Some(entry) = idle.pop() {
            if !entry.sender.is_closed() && entry.since.elapsed() < IDLE_TIMEOUT {
                return Some(entry.sender);
            }
        }
        None
    }

    fn check_in(&self, sender: SendRequest<InspectedBody>) {
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

    async fn connect(&self) -> Result<SendRequest<InspectedBody>, BoxError> {
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
        sender: SendRequest<InspectedBody>,
    ) -> Response<PooledBody> {
        response.map(|body| {
            let mut pooled = PooledBody {
                body,
                back: Some((sender, self.clone())),
            };
            // An empty body (204, 304, `Content-Length: 0`) may never be
            // polled: the connection is free already.
            if pooled.body.is_end_stream() {
                pooled.give_back();
            }
            pooled
        })
    }
}

/// An upstream response body that returns its connection to the pool once
/// read to the end, and closes it if dropped before.
pub(super) struct PooledBody {
    body: Incoming,
    back: Option<(SendRequest<InspectedBody>, Arc<Pool>)>,
}

impl PooledBody {
    fn give_back(&mut self) {
        if let Some((sender, pool)) = self.back.take() {
            pool.check_in(sender);
        }
    }
}

impl HttpBody for PooledBody {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let polled = Pin::new(&mut self.body).poll_frame(cx);
        match &polled {
            Poll::Ready(None) => self.give_back(),
            Poll::Ready(Some(Ok(_))) if self.body.is_end_stream() => self.give_back(),
            // An error ends the connection's usefulness: drop it.
            Poll::Ready(Some(Err(_))) => self.back = None,
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
