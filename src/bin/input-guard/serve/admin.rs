//! The admin listener (`serve --admin-listen`): liveness, readiness and
//! Prometheus metrics, on an address of its own so that probes and
//! scrapes never share a port, a limit or a log with proxied traffic.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{self, HeaderValue};
use http::{Method, Request, Response, StatusCode, Uri};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use input_guard::layer::{BufferBudget, Inspection};
use input_guard::{Code, Verdict};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::Registry;

/// How recently the upstream must have answered (a TCP connect or a
/// response) for `/readyz` to say ready.
const READY_WINDOW: Duration = Duration::from_secs(10);
/// How often the upstream is probed, and how long a probe may take.
const PROBE_EVERY: Duration = Duration::from_secs(2);
const PROBE_TIMEOUT: Duration = Duration::from_secs(1);

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    verdict: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CodeLabels {
    code: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
}

/// What the gateway counts, and whether it is ready. Metrics are kept
/// whether or not an admin listener serves them: they are a few atomic
/// adds per request.
pub(super) struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    rejections: Family<CodeLabels, Counter>,
    reports: Family<CodeLabels, Counter>,
    body_bytes: Histogram,
    inspection: Histogram,
    upstream_latency: Histogram,
    upstream_errors: Counter,
    in_flight: Gauge,
    reloads: Family<OutcomeLabels, Counter>,
    buffered: Gauge,
    budget: BufferBudget,
    started: Instant,
    /// Milliseconds after `started` the upstream last answered, plus one
    /// (0: never).
    upstream_seen: AtomicU64,
    has_upstream: bool,
}

impl Metrics {
    pub(super) fn new(budget: BufferBudget, has_upstream: bool) -> Metrics {
        let mut registry = Registry::with_prefix("input_guard");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "requests",
            "Requests judged, by route (`-`: none) and verdict (allow, rewrite, report, reject)",
            requests.clone(),
        );
        let rejections = Family::<CodeLabels, Counter>::default();
        registry.register(
            "rejections",
            "Requests refused, by rejection code (the guard's, and the gateway's own 408, 502, 503)",
            rejections.clone(),
        );
        let reports = Family::<CodeLabels, Counter>::default();
        registry.register(
            "reports",
            "Violations report mode let through, by rejection code",
            reports.clone(),
        );
        let body_bytes = Histogram::new(exponential_buckets(64.0, 4.0, 12));
        registry.register(
            "inspected_body_bytes",
            "Size of the request bodies the guard inspected",
            body_bytes.clone(),
        );
        let inspection = Histogram::new(exponential_buckets(1e-6, 4.0, 12));
        registry.register(
            "inspection_seconds",
            "Time the guard took to judge a body (not counting its upload)",
            inspection.clone(),
        );
        let upstream_latency = Histogram::new(exponential_buckets(0.001, 2.5, 12));
        registry.register(
            "upstream_latency_seconds",
            "Time from forwarding a request to the upstream's response head",
            upstream_latency.clone(),
        );
        let upstream_errors = Counter::default();
        registry.register(
            "upstream_errors",
            "Requests the upstream did not answer (connection refused or broken)",
            upstream_errors.clone(),
        );
        let in_flight = Gauge::default();
        registry.register(
            "in_flight_requests",
            "Requests being judged, forwarded or answered",
            in_flight.clone(),
        );
        let reloads = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "policy_reloads",
            "Policy reloads on SIGHUP, by outcome (success, failure)",
            reloads.clone(),
        );
        let buffered = Gauge::default();
        registry.register(
            "buffered_body_bytes",
            "Request body bytes held in memory now (counted against --max-buffered-bytes)",
            buffered.clone(),
        );
        let limit = Gauge::<i64>::default();
        limit.set(i64::try_from(budget.limit()).unwrap_or(i64::MAX));
        registry.register(
            "buffer_budget_bytes",
            "The budget for buffered request bodies (--max-buffered-bytes)",
            limit,
        );
        registry.register(
            "build",
            "The gateway's version",
            Info::new(vec![("version", env!("CARGO_PKG_VERSION"))]),
        );
        // Both outcomes are there from the start, so a dashboard can
        // alert on `failure` rising from zero.
        for outcome in ["success", "failure"] {
            drop(reloads.get_or_create(&OutcomeLabels { outcome }));
        }
        Metrics {
            registry,
            requests,
            rejections,
            reports,
            body_bytes,
            inspection,
            upstream_latency,
            upstream_errors,
            in_flight,
            reloads,
            buffered,
            budget,
            started: Instant::now(),
            upstream_seen: AtomicU64::new(0),
            has_upstream,
        }
    }

    /// Counts one request the guard judged (the layer's inspection hook).
    pub(super) fn inspected(&self, inspection: &Inspection<'_>) {
        let (verdict, reported, rejected) = match inspection.verdict {
            Verdict::Allow => ("allow", None, None),
            Verdict::Rewrite(_) => ("rewrite", None, None),
            Verdict::Report(v) => ("report", Some(v.code()), None),
            Verdict::Reject(v) => ("reject", None, Some(v.code())),
        };
        self.requests
            .get_or_create(&RequestLabels {
                route: inspection.route.unwrap_or("-").to_owned(),
                verdict,
            })
            .inc();
        if let Some(code) = reported {
            self.reports
                .get_or_create(&CodeLabels {
                    code: code.as_str(),
                })
                .inc();
        }
        if let Some(code) = rejected {
            self.rejected(code);
        }
        if !inspection.elapsed.is_zero() {
            self.body_bytes.observe(inspection.body_bytes as f64);
            self.inspection.observe(inspection.elapsed.as_secs_f64());
        }
    }

    /// Counts a refusal (the guard's, or the gateway's own).
    pub(super) fn rejected(&self, code: Code) {
        self.rejections
            .get_or_create(&CodeLabels {
                code: code.as_str(),
            })
            .inc();
    }

    pub(super) fn upstream_answered(&self, latency: Duration) {
        self.upstream_latency.observe(latency.as_secs_f64());
        self.upstream_reachable();
    }

    pub(super) fn upstream_failed(&self) {
        self.upstream_errors.inc();
        self.rejected(Code::UpstreamUnavailable);
    }

    /// The process's budget for buffered bodies.
    pub(super) fn budget(&self) -> &BufferBudget {
        &self.budget
    }

    fn upstream_reachable(&self) {
        let now = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.upstream_seen
            .store(now.saturating_add(1), Ordering::Relaxed);
    }

    pub(super) fn reloaded(&self, success: bool) {
        let outcome = if success { "success" } else { "failure" };
        self.reloads.get_or_create(&OutcomeLabels { outcome }).inc();
    }

    /// Counts a request in flight until the returned guard is dropped.
    pub(super) fn in_flight(&self) -> InFlight {
        self.in_flight.inc();
        InFlight(self.in_flight.clone())
    }

    /// Ready: a policy is loaded (the gateway does not serve without one)
    /// and, with an upstream, it answered within [`READY_WINDOW`].
    fn ready(&self) -> bool {
        if !self.has_upstream {
            return true;
        }
        let seen = self.upstream_seen.load(Ordering::Relaxed);
        let now = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let window = u64::try_from(READY_WINDOW.as_millis()).unwrap_or(u64::MAX);
        seen != 0 && now.saturating_add(1).saturating_sub(seen) <= window
    }

    /// The Prometheus text (OpenMetrics) exposition.
    fn encode(&self) -> Result<String, std::fmt::Error> {
        self.buffered
            .set(i64::try_from(self.budget.in_use()).unwrap_or(i64::MAX));
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)?;
        Ok(text)
    }
}

/// One request in flight; dropping it ends it.
pub(super) struct InFlight(Gauge);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// Connects to the upstream every [`PROBE_EVERY`], so `/readyz` knows it
/// is there even when no traffic flows.
pub(super) async fn probe_upstream(uri: Uri, metrics: Arc<Metrics>) {
    let Some(authority) = uri.authority() else {
        return;
    };
    let address = format!(
        "{}:{}",
        authority.host(),
        authority.port_u16().unwrap_or(80)
    );
    loop {
        let connected =
            tokio::time::timeout(PROBE_TIMEOUT, tokio::net::TcpStream::connect(&address)).await;
        if let Ok(Ok(_stream)) = connected {
            metrics.upstream_reachable();
        }
        tokio::time::sleep(PROBE_EVERY).await;
    }
}

/// Serves `/healthz`, `/readyz` and `/metrics` on `listener` until the
/// process ends.
pub(super) async fn serve_admin(listener: tokio::net::TcpListener, metrics: Arc<Metrics>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let metrics = metrics.clone();
        let service = hyper::service::service_fn(move |request: Request<Incoming>| {
            let response = answer(&metrics, request.method(), request.uri().path());
            async move { Ok::<_, Infallible>(response) }
        });
        tokio::spawn(async move {
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(Duration::from_secs(10))
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

fn answer(metrics: &Metrics, method: &Method, path: &str) -> Response<Full<Bytes>> {
    let text = |status: StatusCode, body: &'static str| (status, "text/plain", body.to_owned());
    let (status, content_type, body) = if method != Method::GET && method != Method::HEAD {
        text(StatusCode::METHOD_NOT_ALLOWED, "GET or HEAD\n")
    } else {
        match path {
            "/healthz" => text(StatusCode::OK, "ok\n"),
            "/readyz" if metrics.ready() => text(StatusCode::OK, "ready\n"),
            "/readyz" => text(
                StatusCode::SERVICE_UNAVAILABLE,
                "not ready: the upstream has not answered recently\n",
            ),
            "/metrics" => match metrics.encode() {
                Ok(body) => (
                    StatusCode::OK,
                    "application/openmetrics-text; version=1.0.0; charset=utf-8",
                    body,
                ),
                Err(_) => text(StatusCode::INTERNAL_SERVER_ERROR, "cannot encode\n"),
            },
            _ => text(StatusCode::NOT_FOUND, "/healthz, /readyz or /metrics\n"),
        }
    };
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Binds the admin listener before the gateway starts, so a bad address
/// fails the start, not a probe later.
pub(super) async fn bind(address: SocketAddr) -> Result<tokio::net::TcpListener, String> {
    tokio::net::TcpListener::bind(address)
        .await
        .map_err(|e| format!("--admin-listen {address}: {e}"))
}
