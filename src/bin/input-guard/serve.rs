//! `input-guard serve`: a reverse proxy with the guard layer in front.
//!
//! With `--upstream` every accepted request is forwarded there (hop-by-hop
//! headers dropped, `X-Forwarded-For` and `Forwarded` appended, `X-Forwarded-Proto`/`-Host` set, the client's `Host` kept); with
//! no upstream a built-in demo engine answers 200 and echoes what reached
//! it, so a new user can watch the guard work with `curl` alone.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use bytes::Bytes;
use http::header::{self, HeaderName, HeaderValue};
use http::{Request, Response, Uri};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use input_guard::layer::{
    GuardLayer, InspectedBody, problem_response, problem_response_for, request_id,
};
use input_guard::{Code, Guard, Policy, Violation};
use tower::{ServiceBuilder, ServiceExt, service_fn};

/// How long a client may take to send its headers.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// How long in-flight requests get to finish after a shutdown signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What the gateway answers with: the upstream's body streamed back, or
/// one it made itself (a rejection, the demo engine's echo).
type Body = BoxBody<Bytes, BoxError>;

fn full(bytes: impl Into<Bytes>) -> Body {
    boxed(Full::new(bytes.into()))
}

fn boxed(body: Full<Bytes>) -> Body {
    body.map_err(|never| match never {}).boxed()
}

/// Headers that describe one hop, never forwarded (RFC 9110 section 7.6.1;
/// `transfer-encoding` is the framing of this hop, which hyper decoded and
/// re-frames for the next).
const HOP_BY_HOP: [&str; 9] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

/// Removes the hop-by-hop headers, including those the `Connection`
/// header names (`Connection: close, X-Internal`).
fn strip_hop_by_hop(headers: &mut http::HeaderMap) {
    let named: Vec<HeaderName> = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|name| HeaderName::from_bytes(name.trim().as_bytes()).ok())
        .collect();
    for name in named {
        headers.remove(name);
    }
    for name in HOP_BY_HOP {
        headers.remove(name);
    }
}

#[derive(Clone)]
enum Backend {
    Demo,
    Proxy {
        client: Box<Client<HttpConnector, InspectedBody>>,
        upstream: Uri,
    },
}

fn bad_gateway() -> Response<Body> {
    problem_response(&Violation::new(
        Code::UpstreamUnavailable,
        "upstream",
        "the engine could not be reached",
    ))
    .map(boxed)
}

/// The demo engine: answers what it received.
async fn demo(request: Request<InspectedBody>) -> Response<Body> {
    let (head, body) = request.into_parts();
    // Whole, or (report mode, over the limit) streamed on: read it either way.
    let bytes = body
        .collect()
        .await
        .map(|collected| collected.to_bytes())
        .unwrap_or_default();
    let echo = serde_json::json!({
        "engine": "input-guard demo engine",
        "method": head.method.as_str(),
        "uri": head.uri.to_string(),
        "bodyBytes": bytes.len(),
        "body": String::from_utf8_lossy(&bytes),
    });
    let mut response = Response::new(full(echo.to_string()));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

async fn forward(
    client: &Client<HttpConnector, InspectedBody>,
    upstream: &Uri,
    peer: SocketAddr,
    request: Request<InspectedBody>,
) -> Response<Body> {
    let (mut head, body) = request.into_parts();
    let path_and_query = head
        .uri
        .path_and_query()
        .map_or("/", |pq| pq.as_str())
        .to_owned();
    let base = upstream.path().trim_end_matches('/');
    let target = format!(
        "{}://{}{base}{path_and_query}",
        upstream.scheme_str().unwrap_or("http"),
        upstream.authority().map_or("", |a| a.as_str()),
    );
    let Ok(uri) = target.parse::<Uri>() else {
        return bad_gateway();
    };
    let original_host = head.headers.get(header::HOST).cloned();
    strip_hop_by_hop(&mut head.headers);
    add_forwarding(&mut head.headers, peer, original_host.as_ref());
    head.uri = uri;
    head.version = http::Version::HTTP_11;
    match client.request(Request::from_parts(head, body)).await {
        Ok(response) => {
            let (mut head, body) = response.into_parts();
            strip_hop_by_hop(&mut head.headers);
            Response::from_parts(head, body.map_err(BoxError::from).boxed())
        }
        Err(error) => {
            tracing::warn!(target: "input_guard::gateway", %error, "upstream request failed");
            bad_gateway()
        }
    }
}

/// Records this hop for the upstream, as proxies do: the client address is
/// *appended* to `X-Forwarded-For` and `Forwarded` (RFC 7239), so that an
/// address a load balancer in front put there is kept and the upstream
/// decides whom to trust; `X-Forwarded-Proto` and `X-Forwarded-Host` say
/// what this hop saw, replacing whatever the client claimed.
fn add_forwarding(headers: &mut http::HeaderMap, peer: SocketAddr, host: Option<&HeaderValue>) {
    let ip = peer.ip();
    let joined = |name: &str| -> Option<String> {
        let values: Vec<&str> = headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    };
    let xff = match joined("x-forwarded-for") {
        Some(earlier) => format!("{earlier}, {ip}"),
        None => ip.to_string(),
    };
    // RFC 7239: an IPv6 node is quoted and bracketed; the host is a
    // quoted string (it holds a `:`), with `"` and `\` escaped.
    let node = match ip {
        std::net::IpAddr::V4(v4) => v4.to_string(),
        std::net::IpAddr::V6(v6) => format!("\"[{v6}]\""),
    };
    let mut element = format!("for={node};proto=http");
    if let Some(host) = host.and_then(|h| h.to_str().ok()) {
        let quoted: String = host
            .chars()
            .flat_map(|c| match c {
                '"' | '\\' => vec!['\\', c],
                c => vec![c],
            })
            .collect();
        element.push_str(&format!(";host=\"{quoted}\""));
    }
    let forwarded = match joined("forwarded") {
        Some(earlier) => format!("{earlier}, {element}"),
        None => element,
    };
    for (name, value) in [("x-forwarded-for", xff), ("forwarded", forwarded)] {
        headers.remove(name);
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(HeaderName::from_static(name), value);
        }
    }
    headers.insert(
        HeaderName::from_static("x-forwarded-proto"),
        HeaderValue::from_static("http"),
    );
    headers.remove("x-forwarded-host");
    if let Some(host) = host {
        headers.insert(HeaderName::from_static("x-forwarded-host"), host.clone());
    }
}

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
    fn init(self) -> Result<(), String> {
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

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// An address or a CIDR network (`--trusted-proxy`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Network {
    base: std::net::IpAddr,
    prefix: u32,
}

impl Network {
    /// `10.0.0.0/8`, `2001:db8::/32`, or a bare address.
    fn parse(text: &str) -> Option<Network> {
        let (addr, prefix) = match text.split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix.parse::<u32>().ok()?)),
            None => (text, None),
        };
        let base: std::net::IpAddr = addr.parse().ok()?;
        let bits = if base.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(bits);
        (prefix <= bits).then_some(Network { base, prefix })
    }

    fn contains(&self, ip: std::net::IpAddr) -> bool {
        let (a, b, bits) = match (self.base, ip.to_canonical()) {
            (std::net::IpAddr::V4(a), std::net::IpAddr::V4(b)) => {
                (u128::from(u32::from(a)), u128::from(u32::from(b)), 32)
            }
            (std::net::IpAddr::V6(a), std::net::IpAddr::V6(b)) => {
                (u128::from(a), u128::from(b), 128)
            }
            _ => return false,
        };
        let shift = bits - self.prefix;
        shift >= bits || (a >> shift) == (b >> shift)
    }
}

/// The request's id: its `X-Request-Id` when a trusted proxy sent a
/// well-formed one, otherwise a new UUIDv7 (time-ordered, so ids sort as
/// requests arrived). It replaces the header, so the layer's audit events
/// and problem bodies and the upstream all see the same id; anyone else's
/// id is never taken, so a client cannot forge entries in the audit trail.
fn assign_request_id(
    headers: &mut http::HeaderMap,
    peer: SocketAddr,
    trusted: &[Network],
) -> HeaderValue {
    let from_proxy = trusted.iter().any(|n| n.contains(peer.ip()));
    // The same rule the layer names rejections by: one header, safe to log.
    let kept = if from_proxy {
        request_id(headers)
    } else {
        None
    };
    let id = kept
        .and_then(|id| HeaderValue::from_str(id).ok())
        .unwrap_or_else(|| {
            HeaderValue::from_str(&uuid::Uuid::now_v7().to_string())
                .unwrap_or(HeaderValue::from_static("unassigned"))
        });
    headers.insert(REQUEST_ID, id.clone());
    id
}

/// How long a whole request may take, body and upstream included
/// (`--request-timeout`): a slow or stalled upload cannot hold a connection
/// and its buffer forever.
pub(crate) fn run(
    policy_path: &std::path::Path,
    listen: SocketAddr,
    upstream: Option<String>,
    request_timeout: Duration,
    trusted_proxies: &[String],
    logging: Logging,
) -> Result<u8, String> {
    let trusted = trusted_proxies
        .iter()
        .map(|cidr| {
            Network::parse(cidr).ok_or_else(|| {
                format!("--trusted-proxy {cidr:?}: expected an address or ADDRESS/PREFIX")
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let policy = Policy::load(policy_path).map_err(|e| e.to_string())?;
    let guard = Guard::new(policy).map_err(|e| e.in_file(policy_path).to_string())?;
    let backend = match upstream {
        None => Backend::Demo,
        Some(upstream) => {
            let upstream: Uri = upstream
                .parse()
                .map_err(|e| format!("--upstream {upstream:?}: {e}"))?;
            if upstream.scheme_str() != Some("http") || upstream.authority().is_none() {
                return Err(format!(
                    "--upstream {upstream}: expected http://host:port[/base]"
                ));
            }
            let client = Client::builder(TokioExecutor::new())
                .pool_idle_timeout(Duration::from_secs(30))
                .build_http();
            Backend::Proxy {
                client: Box::new(client),
                upstream,
            }
        }
    };
    logging.init()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(serve(
        policy_path.to_owned(),
        Arc::new(RwLock::new(GuardLayer::new(Arc::new(guard)))),
        listen,
        backend,
        request_timeout,
        Arc::new(trusted),
    ))
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
/// with; the next ones get the new one.
async fn reload_on_hangup(policy_path: std::path::PathBuf, guard: CurrentGuard) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let Ok(mut hangups) = signal(SignalKind::hangup()) else {
            tracing::warn!(target: "input_guard::gateway", "cannot listen for SIGHUP; reloads are off");
            return;
        };
        while hangups.recv().await.is_some() {
            let loaded = Policy::load(&policy_path)
                .and_then(|policy| Guard::new(policy).map_err(|e| e.in_file(&policy_path)));
            match loaded {
                Ok(new) => {
                    *guard.write().unwrap_or_else(PoisonError::into_inner) =
                        GuardLayer::new(Arc::new(new));
                    tracing::info!(target: "input_guard::gateway", policy = %policy_path.display(), "policy reloaded");
                }
                Err(error) => {
                    tracing::error!(target: "input_guard::gateway", %error, "policy reload failed; the previous policy stays in force");
                }
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (policy_path, guard);
    }
}

async fn serve(
    policy_path: std::path::PathBuf,
    guard: CurrentGuard,
    listen: SocketAddr,
    backend: Backend,
    request_timeout: Duration,
    trusted: Arc<Vec<Network>>,
) -> Result<u8, String> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    match &backend {
        Backend::Demo => {
            tracing::info!(target: "input_guard::gateway", %local, "listening, answering with the demo engine")
        }
        Backend::Proxy { upstream, .. } => {
            tracing::info!(target: "input_guard::gateway", %local, %upstream, "listening, forwarding")
        }
    }
    let mut server = auto::Builder::new(TokioExecutor::new());
    server
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT);
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown_signal());
    tokio::spawn(reload_on_hangup(policy_path, guard.clone()));

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
        let inner = service_fn(move |request: Request<InspectedBody>| {
            let backend = backend.clone();
            async move {
                Ok::<_, Infallible>(match backend {
                    Backend::Demo => demo(request).await,
                    Backend::Proxy { client, upstream } => {
                        forward(&client, &upstream, peer, request).await
                    }
                })
            }
        });
        let trusted = trusted.clone();
        let guard = guard.clone();
        let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
            // Each request is judged by the guard current when it arrives.
            let guarded = ServiceBuilder::new()
                .layer(current(&guard))
                .service(inner.clone());
            let id = assign_request_id(request.headers_mut(), peer, &trusted);
            async move {
                let mut response =
                    match tokio::time::timeout(request_timeout, guarded.oneshot(request)).await {
                        Ok(Ok(response)) => response.map(|b| b.boxed()),
                        Ok(Err(never)) => match never {},
                        Err(_) => problem_response_for(
                            &Violation::new(
                                Code::RequestTimeout,
                                "request",
                                "the request took too long",
                            ),
                            Some(id.to_str().unwrap_or_default()),
                        )
                        .map(boxed),
                    };
                response.headers_mut().insert(REQUEST_ID, id);
                Ok::<_, Infallible>(response)
            }
        });
        let connection = server.serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection.into_owned());
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(target: "input_guard::gateway", %error, "connection ended with an error");
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

#[cfg(test)]
mod tests {
    // Unwraps here are test failures, not request paths.
    use super::*;

    #[test]
    fn forwarding_headers_append_quote_and_replace() {
        let mut headers = http::HeaderMap::new();
        headers.append("x-forwarded-for", HeaderValue::from_static("203.0.113.1"));
        headers.append("x-forwarded-for", HeaderValue::from_static("10.0.0.2"));
        headers.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        headers.insert("x-forwarded-host", HeaderValue::from_static("spoofed"));
        let peer: SocketAddr = "[2001:db8::1]:4000".parse().unwrap();
        let host = HeaderValue::from_static("odd\"host\\:80");
        add_forwarding(&mut headers, peer, Some(&host));
        assert_eq!(
            headers["x-forwarded-for"],
            "203.0.113.1, 10.0.0.2, 2001:db8::1"
        );
        assert_eq!(
            headers["forwarded"],
            "for=\"[2001:db8::1]\";proto=http;host=\"odd\\\"host\\\\:80\""
        );
        assert_eq!(headers["x-forwarded-proto"], "http");
        assert_eq!(headers["x-forwarded-host"], host);
        // The near miss: no earlier hops and no Host, nothing invented.
        let mut bare = http::HeaderMap::new();
        add_forwarding(&mut bare, "127.0.0.1:1".parse().unwrap(), None);
        assert_eq!(bare["x-forwarded-for"], "127.0.0.1");
        assert_eq!(bare["forwarded"], "for=127.0.0.1;proto=http");
        assert!(bare.get("x-forwarded-host").is_none());
    }

    #[test]
    fn trusted_networks_match_by_prefix() {
        let lb = Network::parse("10.1.0.0/16").unwrap();
        assert!(lb.contains("10.1.200.3".parse().unwrap()));
        assert!(!lb.contains("10.2.0.1".parse().unwrap()));
        // An IPv4 peer seen as an IPv4-mapped IPv6 address is the same peer.
        assert!(lb.contains("::ffff:10.1.0.9".parse().unwrap()));
        let one = Network::parse("127.0.0.1").unwrap();
        assert!(one.contains("127.0.0.1".parse().unwrap()));
        assert!(!one.contains("127.0.0.2".parse().unwrap()));
        let v6 = Network::parse("2001:db8::/32").unwrap();
        assert!(v6.contains("2001:db8:1::5".parse().unwrap()));
        assert!(!v6.contains("2001:db9::5".parse().unwrap()));
        assert!(
            Network::parse("0.0.0.0/0")
                .unwrap()
                .contains("192.0.2.1".parse().unwrap())
        );
        for bad in ["10.0.0.0/33", "10.0.0/8", "x", "::/129", "10.0.0.0/-1"] {
            assert!(Network::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn request_ids_are_kept_only_from_trusted_proxies() {
        let peer: SocketAddr = "10.1.2.3:5000".parse().unwrap();
        let trusted = [Network::parse("10.1.0.0/16").unwrap()];
        let offered = |id: &str| {
            let mut headers = http::HeaderMap::new();
            headers.insert(REQUEST_ID, HeaderValue::from_str(id).unwrap());
            headers
        };
        let mut headers = offered("lb-42");
        assert_eq!(assign_request_id(&mut headers, peer, &trusted), "lb-42");
        assert_eq!(headers[REQUEST_ID], "lb-42");
        // Near misses: an untrusted peer, or an id unsafe to log, gets a new one.
        let stranger: SocketAddr = "192.0.2.9:5000".parse().unwrap();
        for (mut headers, from) in [(offered("lb-42"), stranger), (offered("a b"), peer)] {
            let id = assign_request_id(&mut headers, from, &trusted);
            let id = id.to_str().unwrap();
            assert_eq!(id.len(), 36, "{id}");
            assert_eq!(&id[14..15], "7", "a UUIDv7: {id}");
            assert_eq!(headers[REQUEST_ID], id);
        }
    }
}
