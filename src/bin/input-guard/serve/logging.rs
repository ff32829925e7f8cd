//! What the gateway logs, on standard error: its own refusals (408, 502,
//! 503) in the shape of the layer's audit events, and with
//! `--access-log` one line per request passed on. Never a body, never a
//! header value beyond the host and the request id.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use bytes::Bytes;
use http::{HeaderValue, Method, StatusCode, Uri};
use http_body::{Frame, SizeHint};
use input_guard::Violation;
use input_guard::layer::ClientAddr;

use super::admin::InFlight;
use super::forward::{Body, BoxError};

/// `--log-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum LogFormat {
    /// Lines for people.
    Text,
    /// One JSON object a line, fields at the top level, for log pipelines.
    Json,
}

/// How the gateway logs: to standard error, never the body.
pub(crate) struct Logging {
    pub(crate) format: LogFormat,
    /// `--log-level`; `RUST_LOG` when not given; `info` when neither is.
    pub(crate) level: Option<String>,
}

impl Logging {
    pub(super) fn init(self) -> Result<(), String> {
        use tracing_subscriber::EnvFilter;
        let filter = match self.level {
            Some(level) => {
                EnvFilter::try_new(&level).map_err(|e| format!("--log-level {level:?}: {e}"))?
            }
            None => EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        };
        let builder = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .with_target(true);
        match self.format {
            LogFormat::Text => builder
                .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
                .init(),
            LogFormat::Json => builder.json().flatten_event(true).init(),
        }
        Ok(())
    }
}

/// What a log line says about a request: its head, never its body.
pub(super) struct Summary {
    method: Method,
    uri: Uri,
    host: Option<HeaderValue>,
    id: Option<HeaderValue>,
    client: Option<ClientAddr>,
}

impl Summary {
    pub(super) fn of(head: &http::request::Parts) -> Summary {
        Summary {
            method: head.method.clone(),
            uri: head.uri.clone(),
            host: head.headers.get(http::header::HOST).cloned(),
            id: head.headers.get(super::clients::REQUEST_ID).cloned(),
            client: head.extensions.get::<ClientAddr>().copied(),
        }
    }

    /// The request id, as the problem's `instance` names it.
    pub(super) fn id(&self) -> Option<&str> {
        self.id.as_ref().and_then(|id| id.to_str().ok())
    }

    /// One audit event for a request the gateway itself refused, with the
    /// fields the layer's events carry (and the cause, for the operator
    /// only).
    pub(super) fn refused(&self, violation: &Violation, cause: Option<&dyn std::fmt::Display>) {
        let client = self.client;
        tracing::warn!(
            target: "input_guard::audit",
            code = violation.code().as_str(),
            status = violation.status().as_u16(),
            location = violation.location(),
            method = %self.method,
            path = self.uri.path(),
            host = self.host.as_ref().and_then(|h| h.to_str().ok()).unwrap_or("-"),
            route = "-",
            peer = client.map(|c| tracing::field::display(c.peer())),
            client = client.map(|c| tracing::field::display(c.client())),
            request_id = self.id().unwrap_or("-"),
            mode = "enforce",
            cause = cause.map(tracing::field::display),
            "request rejected"
        );
    }
}

/// A response body on its way out: counts its bytes and, when it is done
/// (or dropped: the client went away), ends the request's in-flight count
/// and writes its access-log line.
pub(super) struct Tracked {
    inner: Body,
    bytes: u64,
    finish: Option<Finish>,
}

struct Finish {
    summary: Summary,
    status: StatusCode,
    started: Instant,
    access_log: bool,
    _in_flight: InFlight,
}

impl Tracked {
    /// `inner`, answering `summary`'s request with `status`; logged when
    /// `access_log` (requests passed on, not the ones refused and audited).
    pub(super) fn new(
        inner: Body,
        summary: Summary,
        status: StatusCode,
        started: Instant,
        access_log: bool,
        in_flight: InFlight,
    ) -> Tracked {
        Tracked {
            inner,
            bytes: 0,
            finish: Some(Finish {
                summary,
                status,
                started,
                access_log,
                _in_flight: in_flight,
            }),
        }
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        let Some(finish) = self.finish.take() else {
            return;
        };
        if finish.access_log {
            let summary = &finish.summary;
            let client = summary.client;
            tracing::info!(
                target: "input_guard::access",
                method = %summary.method,
                path = summary.uri.path(),
                host = summary.host.as_ref().and_then(|h| h.to_str().ok()).unwrap_or("-"),
                status = finish.status.as_u16(),
                bytes = self.bytes,
                latency_ms = finish.started.elapsed().as_secs_f64() * 1000.0,
                peer = client.map(|c| tracing::field::display(c.peer())),
                client = client.map(|c| tracing::field::display(c.client())),
                request_id = summary.id().unwrap_or("-"),
                "request"
            );
        }
    }
}

impl http_body::Body for Tracked {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_frame(cx);
        if let Poll::Ready(Some(Ok(frame))) = &polled
            && let Some(data) = frame.data_ref()
        {
            this.bytes = this.bytes.saturating_add(data.len() as u64);
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
