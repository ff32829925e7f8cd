//! `input-guard serve`: a reverse proxy with the guard layer in front.
//!
//! With `--upstream` every accepted request is forwarded there (hop-by-hop
//! headers dropped, `X-Forwarded-For` and `Forwarded` appended,
//! `X-Forwarded-Proto`/`-Host` set, the client's `Host` kept); with no
//! upstream a built-in demo engine answers 200 and echoes what reached it,
//! so a new user can watch the guard work with `curl` alone.
//!
//! The gateway holds no state between requests but its counters: replicas
//! behind a load balancer need nothing shared.

mod admin;
mod clients;
mod errors;
mod forward;
mod framing;
mod logging;
mod pool;
mod tls;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use http::{Request, Uri};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use input_guard::layer::{
    BufferBudget, ClientAddr, GuardLayer, InspectedBody, problem_response_for,
};
use input_guard::policy::{ByteSize, Network};
use input_guard::{Code, Guard, Policy, Violation};
use tower::{ServiceBuilder, ServiceExt, service_fn};

use admin::Metrics;
use clients::{assign_request_id, client_address};
use forward::{Backend, Proto, Upstream, boxed, demo, forward};
use framing::FramedIo;
pub(crate) use logging::{LogFormat, Logging};
use logging::{Summary, Tracked};

/// How long in-flight requests get to finish after a shutdown signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
// `--max-buffered-bytes` defaults to 512 MiB: ten bodies at the bundled
// policy's largest route limit (50 MiB deployments), a small share of a
// server's memory, and a fixed figure an operator can reason about (a
// share of RAM would change with the machine, and read a container's
// limit wrongly).

/// `input-guard serve`'s options.
#[derive(clap::Args)]
pub(crate) struct Options {
    /// Policy file (TOML); SIGHUP reloads it.
    #[arg(long)]
    policy: PathBuf,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// The engine to forward to, e.g. http://127.0.0.1:8081 or https://engine:8443
    /// (default: the built-in demo engine, which echoes what reached it).
    #[arg(long)]
    upstream: Option<String>,
    /// CA certificates (PEM) to verify an HTTPS upstream with, instead of the system's.
    #[arg(long, value_name = "FILE")]
    upstream_ca: Option<PathBuf>,
    /// Serve HTTPS (TLS 1.2 and 1.3 only) with this PEM certificate chain, leaf first;
    /// reloaded on SIGHUP.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Seconds a whole request may take, upload and engine included (408 after).
    #[arg(long, default_value_t = 60)]
    request_timeout: u64,
    /// Seconds a client may take to send a request's headers; the connection is closed
    /// (and logged) after.
    #[arg(long, default_value_t = 10)]
    header_timeout: u64,
    /// A proxy in front whose `X-Request-Id` is kept and whose `X-Forwarded-For`
    /// names the client (an address or a CIDR network, e.g. 10.0.0.0/8; repeatable).
    #[arg(long = "trusted-proxy", value_name = "CIDR")]
    trusted_proxies: Vec<String>,
    /// Log format on standard error: `text` (for people) or `json` (one object a line,
    /// for a SIEM).
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    /// Log level or filter (`info`, `warn`, `input_guard::audit=warn`); default: `RUST_LOG`,
    /// else `info`.
    #[arg(long)]
    log_level: Option<String>,
    /// Also log one line per request passed on (method, path, status, bytes, latency),
    /// target `input_guard::access`.
    #[arg(long)]
    access_log: bool,
    /// Serve /healthz, /readyz and /metrics (Prometheus) on this address (off unless
    /// given; keep it off the public network).
    #[arg(long, value_name = "ADDR")]
    admin_listen: Option<SocketAddr>,
    /// Bytes of request bodies all requests together may hold in memory while they are
    /// inspected (503 `overloaded` past it), e.g. `512MiB`, `2GiB` or `100000000`.
    #[arg(long, value_name = "SIZE", default_value = "512MiB")]
    max_buffered_bytes: ByteSize,
}

/// Runs the gateway until SIGTERM or Ctrl-C.
pub(crate) fn run(options: Options) -> Result<u8, String> {
    let trusted = options
        .trusted_proxies
        .iter()
        .map(|cidr| {
            cidr.parse::<Network>()
                .map_err(|e| format!("--trusted-proxy {cidr:?}: {e}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let guard = load(&options.policy)?;
    let backend = match &options.upstream {
        None => Backend::Demo,
        Some(upstream) => {
            let uri: Uri = upstream
                .parse()
                .map_err(|e| format!("--upstream {upstream:?}: {e}"))?;
            let https = match uri.scheme_str() {
                Some("http") => false,
                Some("https") => true,
                _ => return Err(format!("--upstream {uri}: expected http:// or https://")),
            };
            if uri.authority().is_none() {
                return Err(format!(
                    "--upstream {uri}: expected http[s]://host:port[/base]"
                ));
            }
            if options.upstream_ca.is_some() && !https {
                return Err("--upstream-ca is for an https:// upstream".into());
            }
            let tls = if https {
                tls::upstream_config(options.upstream_ca.as_deref())?
            } else {
                // Never used for an http:// upstream, so no roots are read.
                tls::upstream_config_unused()?
            };
            let connector = hyper_rustls::HttpsConnectorBuilder::new()
                .with_tls_config(tls)
                .https_or_http()
                .enable_http1()
                .build();
            let pool = Arc::new(pool::Pool::new(connector, uri.clone()));
            Backend::Proxy(Arc::new(Upstream { pool, uri }))
        }
    };
    let server_tls = match (options.tls_cert.clone(), options.tls_key.clone()) {
        (Some(cert), Some(key)) => Some(Arc::new(tls::ServerTls::load(cert, key)?)),
        _ => None,
    };
    let budget = usize::try_from(options.max_buffered_bytes.0).unwrap_or(usize::MAX);
    let budget = BufferBudget::new(budget);
    let metrics = Arc::new(Metrics::new(budget, matches!(backend, Backend::Proxy(_))));
    Logging {
        format: options.log_format,
        level: options.log_level.clone(),
    }
    .init()?;
    warn_if_over_budget(&guard, &metrics);
    let max_body = Arc::new(AtomicU64::new(largest_body_limit(&guard)));
    let layer = guard_layer(guard, &metrics);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(serve(
        options,
        Arc::new(RwLock::new(layer)),
        backend,
        Arc::new(trusted),
        metrics,
        server_tls,
        max_body,
    ))
}

/// The guard for the policy file at `path`; errors name the file, every
/// one of them, one a line.
fn load(path: &Path) -> Result<Guard, String> {
    let policy = Policy::load_all(path).map_err(|e| e.to_string())?;
    Guard::new(policy).map_err(|e| e.in_file(path).to_string())
}

/// The layer for `guard`, counting into `metrics` and buffering within
/// their budget (one budget for the process, whatever the policy).
fn guard_layer(guard: Guard, metrics: &Arc<Metrics>) -> GuardLayer {
    let counted = metrics.clone();
    GuardLayer::builder(Arc::new(guard))
        .on_inspection(move |inspection| counted.inspected(inspection))
        .buffer_budget(metrics.budget().clone())
        .build()
}

/// The largest body any route of `guard` allows: a chunk declared larger
/// can never be accepted, so the framing check refuses it at once.
fn largest_body_limit(guard: &Guard) -> u64 {
    let policy = guard.policy();
    policy
        .routes
        .iter()
        .filter_map(|r| r.max_bytes)
        .fold(policy.body.max_bytes, u64::max)
}

/// A route whose limit is over the whole budget can never buffer a body
/// of its full size: say so at start, not at the first large upload.
fn warn_if_over_budget(guard: &Guard, metrics: &Metrics) {
    let policy = guard.policy();
    let budget = metrics.budget().limit() as u64;
    let limits = std::iter::once(("body.max_bytes", policy.body.max_bytes)).chain(
        policy
            .routes
            .iter()
            .filter_map(|r| Some((r.name.as_str(), r.max_bytes?))),
    );
    for (name, limit) in limits {
        if limit > budget {
            tracing::warn!(target: "input_guard::gateway", limit, budget, "{name}: the body limit is over --max-buffered-bytes; bodies that large will be answered 503 overloaded");
        }
    }
}

/// The guard requests are judged by now, as a layer built once per policy
/// (taking it per request is two reference counts, no allocation); a
/// reload swaps it.
type CurrentGuard = Arc<RwLock<GuardLayer>>;

/// The guard to judge the next request by.
fn current(guard: &CurrentGuard) -> GuardLayer {
    // A poisoned lock still holds a whole guard (a swap cannot panic half
    // way), so it is used as it is.
    guard.read().unwrap_or_else(PoisonError::into_inner).clone()
}

/// Reloads the policy on every SIGHUP: the file is read and compiled
/// beside the running guard and swapped in only when it is valid, so a
/// broken edit leaves the old policy in force (and says where it is
/// broken). Requests already running finish under the guard they started
/// with; the next ones get the new one. Both outcomes are counted.
async fn reload_on_hangup(
    policy_path: PathBuf,
    guard: CurrentGuard,
    metrics: Arc<Metrics>,
    server_tls: Option<Arc<tls::ServerTls>>,
    max_body: Arc<AtomicU64>,
) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let Ok(mut hangups) = signal(SignalKind::hangup()) else {
            tracing::warn!(target: "input_guard::gateway", "cannot listen for SIGHUP; reloads are off");
            return;
        };
        while hangups.recv().await.is_some() {
            match load(&policy_path) {
                Ok(new) => {
                    warn_if_over_budget(&new, &metrics);
                    max_body.store(largest_body_limit(&new), Ordering::Relaxed);
                    *guard.write().unwrap_or_else(PoisonError::into_inner) =
                        guard_layer(new, &metrics);
                    metrics.reloaded(true);
                    tracing::info!(target: "input_guard::gateway", policy = %policy_path.display(), "policy reloaded");
                }
                Err(error) => {
                    metrics.reloaded(false);
                    tracing::error!(target: "input_guard::gateway", %error, "policy reload failed; the previous policy stays in force");
                }
            }
            // Certificates are renewed on their own schedule; a broken pair
            // leaves the running one in use, as a broken policy does.
            if let Some(server_tls) = &server_tls {
                match server_tls.reload() {
                    Ok(()) => {
                        tracing::info!(target: "input_guard::gateway", "TLS certificate reloaded")
                    }
                    Err(error) => {
                        tracing::error!(target: "input_guard::gateway", %error, "TLS certificate reload failed; the previous one stays in use")
                    }
                }
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (policy_path, guard, metrics, server_tls, max_body);
    }
}

async fn serve(
    options: Options,
    guard: CurrentGuard,
    backend: Backend,
    trusted: Arc<Vec<Network>>,
    metrics: Arc<Metrics>,
    server_tls: Option<Arc<tls::ServerTls>>,
    max_body: Arc<AtomicU64>,
) -> Result<u8, String> {
    let listen = options.listen;
    let proto = if server_tls.is_some() {
        Proto::Https
    } else {
        Proto::Http
    };
    let request_timeout = Duration::from_secs(options.request_timeout.max(1));
    let access_log = options.access_log;
    let header_timeout = Duration::from_secs(options.header_timeout.max(1));
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    if let Some(address) = options.admin_listen {
        let admin = admin::bind(address).await?;
        let bound = admin.local_addr().map_err(|e| e.to_string())?;
        tracing::info!(target: "input_guard::gateway", admin = %bound, "admin listener: /healthz, /readyz, /metrics");
        tokio::spawn(admin::serve_admin(admin, metrics.clone()));
    }
    match &backend {
        Backend::Demo => {
            tracing::info!(target: "input_guard::gateway", %local, proto = proto.as_str(), "listening, answering with the demo engine")
        }
        Backend::Proxy(upstream) => {
            tracing::info!(target: "input_guard::gateway", %local, proto = proto.as_str(), upstream = %upstream.uri, "listening, forwarding");
            tokio::spawn(admin::probe_upstream(upstream.uri.clone(), metrics.clone()));
        }
    }
    // hyper answers a request with more headers than it parses with a bare
    // 431 of its own; letting it parse one more than the policy allows
    // leaves the refusal, with its code and problem body, to the guard. A
    // reload that raises the policy's count past this needs a restart to
    // go beyond it (hyper's parser is set up once).
    let max_headers = {
        let layer = current(&guard);
        let allowed = layer.guard().policy().request.max_headers;
        usize::try_from(allowed.saturating_add(1))
            .unwrap_or(usize::MAX)
            .max(100)
    };
    let mut server = auto::Builder::new(TokioExecutor::new());
    server
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .max_headers(max_headers);
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown_signal());
    tokio::spawn(reload_on_hangup(
        options.policy.clone(),
        guard.clone(),
        metrics.clone(),
        server_tls.clone(),
        max_body.clone(),
    ));

    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    tracing::warn!(target: "input_guard::gateway", %error, "accept failed");
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let backend = backend.clone();
        let upstream_metrics = metrics.clone();
        let inner = service_fn(move |request: Request<InspectedBody>| {
            let backend = backend.clone();
            let metrics = upstream_metrics.clone();
            async move {
                Ok::<_, Infallible>(match backend {
                    Backend::Demo => demo(request).await,
                    Backend::Proxy(upstream) => {
                        forward(&upstream, &metrics, peer, proto, request).await
                    }
                })
            }
        });
        let trusted = trusted.clone();
        let guard = guard.clone();
        let metrics = metrics.clone();
        let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
            let started = Instant::now();
            let in_flight = metrics.in_flight();
            // Each request is judged by the guard current when it arrives.
            let layer = current(&guard);
            let upstream_policy = &layer.guard().policy().upstream;
            let masking = upstream_policy.mask_errors.then(|| errors::ErrorMasking {
                max_bytes: usize::try_from(upstream_policy.max_error_bytes).unwrap_or(usize::MAX),
            });
            let guarded = ServiceBuilder::new().layer(layer).service(inner.clone());
            assign_request_id(request.headers_mut(), peer, &trusted);
            // RFC 9112 section 3.2: an HTTP/1.1 request without `Host` is
            // refused (Tomcat answers 400); the gateway would otherwise
            // forward it with the upstream's host and the engine would
            // build its links from a host the client never named.
            let hostless = request.version() == http::Version::HTTP_11
                && !request.headers().contains_key(http::header::HOST);
            let client = client_address(request.headers(), peer, &trusted);
            request
                .extensions_mut()
                .insert(ClientAddr::new(peer, client));
            if let Some(masking) = masking {
                request.extensions_mut().insert(masking);
            }
            let (head, body) = request.into_parts();
            let summary = Summary::of(&head);
            let request = Request::from_parts(head, body);
            let metrics = metrics.clone();
            async move {
                let refuse = |violation: Violation| {
                    summary.refused(&violation, None);
                    metrics.rejected(violation.code());
                    let response = problem_response_for(&violation, summary.id());
                    (response.map(boxed), false)
                };
                let answered = if hostless {
                    Ok(refuse(Violation::new(
                        Code::InvalidHeader,
                        "header:host",
                        "an HTTP/1.1 request must have a Host header",
                    )))
                } else {
                    Err(request)
                };
                let (response, passed_on) = match answered {
                    Ok(answered) => answered,
                    Err(request) => {
                        match tokio::time::timeout(request_timeout, guarded.oneshot(request)).await
                        {
                            Ok(Ok(response)) => {
                                let passed_on = !response.body().is_rejection();
                                (response.map(|b| b.boxed()), passed_on)
                            }
                            Ok(Err(never)) => match never {},
                            Err(_) => refuse(Violation::new(
                                Code::RequestTimeout,
                                "request",
                                "the request took too long",
                            )),
                        }
                    }
                };
                let (mut head, body) = response.into_parts();
                if let Some(id) = summary
                    .id()
                    .and_then(|id| http::HeaderValue::from_str(id).ok())
                {
                    head.headers.insert(clients::REQUEST_ID, id);
                }
                let status = head.status;
                let body = Tracked::new(
                    body,
                    summary,
                    status,
                    started,
                    access_log && passed_on,
                    in_flight,
                );
                Ok::<_, Infallible>(http::Response::from_parts(head, body))
            }
        });
        let server = server.clone();
        let watcher = graceful.watcher();
        let acceptor = server_tls.as_ref().map(|t| t.acceptor());
        let max_body = max_body.clone();
        tokio::spawn(async move {
            let served = match acceptor {
                None => {
                    let stream = FramedIo::new(stream, max_body, peer);
                    let connection = server.serve_connection(TokioIo::new(stream), service);
                    watcher.watch(connection.into_owned()).await
                }
                Some(acceptor) => {
                    // The handshake gets the time the headers get: a client
                    // that stalls it holds nothing for longer.
                    let stream = match tokio::time::timeout(header_timeout, acceptor.accept(stream))
                        .await
                    {
                        Ok(Ok(stream)) => stream,
                        Ok(Err(error)) => {
                            tracing::debug!(target: "input_guard::gateway", %error, %peer, "TLS handshake failed");
                            return;
                        }
                        Err(_) => {
                            tracing::warn!(target: "input_guard::gateway", %peer, "closed a connection whose TLS handshake did not finish in time");
                            return;
                        }
                    };
                    let stream = FramedIo::new(stream, max_body, peer);
                    let connection = server.serve_connection(TokioIo::new(stream), service);
                    watcher.watch(connection.into_owned()).await
                }
            };
            if let Err(error) = served {
                log_connection_error(&*error, peer, header_timeout);
            }
        });
    }

    tracing::info!(target: "input_guard::gateway", "shutting down");
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {},
        () = tokio::time::sleep(SHUTDOWN_GRACE) => {
            tracing::warn!(target: "input_guard::gateway", "in-flight requests did not finish in time");
        }
    }
    Ok(0)
}

/// A connection that ended in error. One whose header section never
/// ended (a slowloris client) is closed after `--header-timeout` with no
/// request to answer, so it gets a log line of its own rather than passing
/// in silence; other errors (resets, clients gone) are routine.
fn log_connection_error(
    error: &(dyn std::error::Error + 'static),
    peer: SocketAddr,
    timeout: Duration,
) {
    let timed_out = error
        .downcast_ref::<hyper::Error>()
        .is_some_and(hyper::Error::is_timeout);
    if timed_out {
        tracing::warn!(target: "input_guard::gateway", %peer, timeout_secs = timeout.as_secs(), "closed a connection whose request headers did not arrive in time");
    } else {
        tracing::debug!(target: "input_guard::gateway", %error, %peer, "connection ended with an error");
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
