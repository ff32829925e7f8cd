//! Where accepted requests go: the engine upstream, with this hop's
//! headers dropped and the forwarding headers added, or the demo engine.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use http::header::{self, HeaderName, HeaderValue};
use http::{Request, Response, Uri};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use input_guard::layer::{InspectedBody, problem_response_for};
use input_guard::{Code, Violation};

use super::admin::Metrics;
use super::errors::ErrorMasking;
use super::logging::Summary;
use super::pool::Pool;

pub(super) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What the gateway answers with: the upstream's body streamed back, or
/// one it made itself (a rejection, the demo engine's echo).
pub(super) type Body = BoxBody<Bytes, BoxError>;

pub(super) fn full(bytes: impl Into<Bytes>) -> Body {
    boxed(Full::new(bytes.into()))
}

pub(super) fn boxed(body: Full<Bytes>) -> Body {
    body.map_err(|never| match never {}).boxed()
}

/// Headers that describe one hop, never forwarded (RFC 9110 section 7.6.1;
/// `transfer-encoding` is the framing of this hop, which hyper decoded and
/// re-frames for the next). `http2-settings` belongs to an HTTP/2 upgrade
/// of this connection (RFC 7540 section 3.2.1), which the gateway does not
/// pass on; `expect` was answered here (hyper sends `100 Continue` when the
/// guard starts reading the body), and the upstream receives a body that
/// is already complete.
static HOP_BY_HOP: [HeaderName; 11] = [
    header::CONNECTION,
    header::EXPECT,
    HeaderName::from_static("http2-settings"),
    HeaderName::from_static("keep-alive"),
    header::PROXY_AUTHENTICATE,
    header::PROXY_AUTHORIZATION,
    HeaderName::from_static("proxy-connection"),
    header::TE,
    header::TRAILER,
    header::TRANSFER_ENCODING,
    header::UPGRADE,
];

/// Removes the hop-by-hop headers, including those the `Connection`
/// header names (`Connection: close, X-Internal`).
fn strip_hop_by_hop(headers: &mut http::HeaderMap) {
    // One pass over the few names a message has, rather than a lookup for
    // each of the eleven: this runs on every request and every response,
    // and most have none of them.
    if !headers.keys().any(|name| HOP_BY_HOP.contains(name)) {
        return;
    }
    if headers.contains_key(header::CONNECTION) {
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
    }
    for name in &HOP_BY_HOP {
        headers.remove(name);
    }
}

/// The scheme clients reached the gateway with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Proto {
    Http,
    Https,
}

impl Proto {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Proto::Http => "http",
            Proto::Https => "https",
        }
    }
}

/// Where accepted requests go.
#[derive(Clone)]
pub(super) enum Backend {
    Demo,
    Proxy(Arc<Upstream>),
}

/// The engine the gateway forwards to.
pub(super) struct Upstream {
    /// Connections to it: HTTP or HTTPS, as the URI says; HTTPS verified
    /// (see `tls.rs`).
    pub(super) pool: Arc<Pool>,
    pub(super) uri: Uri,
}

/// 502, named by the request's id, and one log event saying why (the
/// client gets no detail of the failure).
fn bad_gateway(error: &dyn std::fmt::Display, request: &Summary) -> Response<Body> {
    let violation = Violation::new(
        Code::UpstreamUnavailable,
        "upstream",
        "the engine could not be reached",
    );
    request.refused(&violation, Some(error));
    problem_response_for(&violation, request.id()).map(boxed)
}

/// The demo engine: answers what it received.
pub(super) async fn demo(request: Request<InspectedBody>) -> Response<Body> {
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

pub(super) async fn forward(
    upstream: &Upstream,
    metrics: &Metrics,
    peer: SocketAddr,
    proto: Proto,
    request: Request<InspectedBody>,
) -> Response<Body> {
    let (mut head, body) = request.into_parts();
    let summary = Summary::of(&head);
    let masking = head.extensions.get::<ErrorMasking>().copied();
    // Origin form, as it goes on the wire: the upstream's base path, then
    // the request's path and query.
    let uri = match origin_form(&upstream.uri, head.uri.path_and_query()) {
        Ok(uri) => uri,
        Err(error) => return bad_gateway(&error, &summary),
    };
    let original_host = head.headers.get(header::HOST).cloned();
    strip_hop_by_hop(&mut head.headers);
    add_forwarding(&mut head.headers, peer, proto, original_host.as_ref());
    if original_host.is_none()
        && let Some(authority) = upstream.uri.authority()
        && let Ok(host) = HeaderValue::from_str(authority.as_str())
    {
        // HTTP/1.0 without Host goes on as HTTP/1.1, which needs one.
        head.headers.insert(header::HOST, host);
    }
    head.uri = uri;
    head.version = http::Version::HTTP_11;
    let started = Instant::now();
    match upstream.pool.send(Request::from_parts(head, body)).await {
        // The gateway never asks for a protocol switch (`Upgrade` is not
        // forwarded), so an informational status as the answer (`101
        // Switching Protocols` above all) is the upstream confused or
        // smuggling: relaying it would turn the client's connection into a
        // tunnel the guard cannot see into.
        Ok(response) if response.status().is_informational() => {
            metrics.upstream_failed();
            let status = response.status();
            bad_gateway(
                &format!("the upstream answered {status} to a plain request"),
                &summary,
            )
        }
        Ok(response) => {
            metrics.upstream_answered(started.elapsed());
            if let Some(masking) = masking.filter(|_| response.status().is_server_error()) {
                // Boxed: rare, and its state would otherwise be part of
                // every forward's future.
                let mut response =
                    Box::pin(super::errors::screen(response, masking, &summary)).await;
                strip_hop_by_hop(response.headers_mut());
                return response;
            }
            let (mut head, body) = response.into_parts();
            strip_hop_by_hop(&mut head.headers);
            Response::from_parts(head, body.map_err(BoxError::from).boxed())
        }
        Err(error) => {
            metrics.upstream_failed();
            bad_gateway(&error, &summary)
        }
    }
}

/// Appends `ip` as `Display` writes it. IPv4 addresses are written digit
/// by digit: through `Display` they cost more than all the other
/// forwarding headers together, on every request.
fn push_ip(out: &mut String, ip: std::net::IpAddr) {
    use std::fmt::Write as _;
    match ip {
        std::net::IpAddr::V4(v4) => {
            for (i, octet) in v4.octets().into_iter().enumerate() {
                if i > 0 {
                    out.push('.');
                }
                if octet >= 100 {
                    out.push(char::from(b'0' + octet / 100));
                }
                if octet >= 10 {
                    out.push(char::from(b'0' + octet / 10 % 10));
                }
                out.push(char::from(b'0' + octet % 10));
            }
        }
        // Writing to a String cannot fail.
        std::net::IpAddr::V6(v6) => {
            let _ = write!(out, "{v6}");
        }
    }
}

/// The request target for the upstream: `base` (the upstream URI's path,
/// without its trailing `/`) then the request's path and query.
fn origin_form(
    upstream: &Uri,
    path_and_query: Option<&http::uri::PathAndQuery>,
) -> Result<Uri, http::Error> {
    let base = upstream.path().trim_end_matches('/');
    let path_and_query = match path_and_query {
        Some(pq) if base.is_empty() => pq.clone(),
        Some(pq) => format!("{base}{}", pq.as_str()).try_into()?,
        None if base.is_empty() => http::uri::PathAndQuery::from_static("/"),
        None => format!("{base}/").try_into()?,
    };
    Ok(Uri::from(path_and_query))
}

/// Records this hop for the upstream, as proxies do: the client address is
/// *appended* to `X-Forwarded-For` and `Forwarded` (RFC 7239), so that an
/// address a load balancer in front put there is kept and the upstream
/// decides whom to trust; `X-Forwarded-Proto` and `X-Forwarded-Host` say
/// what this hop saw, replacing whatever the client claimed.
fn add_forwarding(
    headers: &mut http::HeaderMap,
    peer: SocketAddr,
    proto: Proto,
    host: Option<&HeaderValue>,
) {
    const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
    const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
    const X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");
    let proto = proto.as_str();
    let ip = peer.ip();
    // The earlier hops' values, joined, then this hop's: one buffer each,
    // as this runs on every request. (Writing to a String cannot fail.)
    let append = |name: &HeaderName, this: &dyn Fn(&mut String)| -> String {
        let mut out = String::with_capacity(64);
        for earlier in headers.get_all(name).iter().filter_map(|v| v.to_str().ok()) {
            let earlier = earlier.trim();
            if !earlier.is_empty() {
                out.push_str(earlier);
                out.push_str(", ");
            }
        }
        this(&mut out);
        out
    };
    let xff = append(&X_FORWARDED_FOR, &|out| push_ip(out, ip));
    // RFC 7239: an IPv6 node is quoted and bracketed; the host is a
    // quoted string (it holds a `:`), with `"` and `\` escaped.
    let host_text = host.and_then(|h| h.to_str().ok());
    let forwarded = append(&header::FORWARDED, &|out| {
        match ip {
            std::net::IpAddr::V4(_) => {
                out.push_str("for=");
                push_ip(out, ip);
            }
            std::net::IpAddr::V6(_) => {
                out.push_str("for=\"[");
                push_ip(out, ip);
                out.push_str("]\"");
            }
        }
        out.push_str(";proto=");
        out.push_str(proto);
        if let Some(host) = host_text {
            out.push_str(";host=\"");
            for c in host.chars() {
                if matches!(c, '"' | '\\') {
                    out.push('\\');
                }
                out.push(c);
            }
            out.push('"');
        }
    });
    // `insert` replaces every earlier value of the name.
    for (name, value) in [(X_FORWARDED_FOR, xff), (header::FORWARDED, forwarded)] {
        match HeaderValue::from_str(&value) {
            Ok(value) => headers.insert(name, value),
            Err(_) => headers.remove(name),
        };
    }
    headers.insert(X_FORWARDED_PROTO, HeaderValue::from_static(proto));
    match host {
        Some(host) => headers.insert(X_FORWARDED_HOST, host.clone()),
        None => headers.remove(X_FORWARDED_HOST),
    };
}

#[cfg(test)]
mod tests {
    // Unwraps here are test failures, not request paths.
    use super::*;

    #[test]
    fn addresses_are_written_as_display_writes_them() {
        let mut samples: Vec<std::net::IpAddr> = [
            "0.0.0.0",
            "127.0.0.1",
            "10.9.99.100",
            "255.255.255.255",
            "192.168.1.20",
            "::1",
            "2001:db8::1",
            "::ffff:10.0.0.1",
        ]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
        samples.extend((0..=255u8).map(|n| std::net::IpAddr::from([n, 255 - n, n / 3, 7])));
        for ip in samples {
            let mut out = String::new();
            push_ip(&mut out, ip);
            assert_eq!(out, ip.to_string());
        }
    }

    #[test]
    fn forwarding_headers_append_quote_and_replace() {
        let mut headers = http::HeaderMap::new();
        headers.append("x-forwarded-for", HeaderValue::from_static("203.0.113.1"));
        headers.append("x-forwarded-for", HeaderValue::from_static("10.0.0.2"));
        headers.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        headers.insert("x-forwarded-host", HeaderValue::from_static("spoofed"));
        let peer: SocketAddr = "[2001:db8::1]:4000".parse().unwrap();
        let host = HeaderValue::from_static("odd\"host\\:80");
        add_forwarding(&mut headers, peer, Proto::Http, Some(&host));
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
        add_forwarding(
            &mut bare,
            "127.0.0.1:1".parse().unwrap(),
            Proto::Https,
            None,
        );
        assert_eq!(bare["x-forwarded-for"], "127.0.0.1");
        assert_eq!(bare["forwarded"], "for=127.0.0.1;proto=https");
        assert_eq!(bare["x-forwarded-proto"], "https");
        assert!(bare.get("x-forwarded-host").is_none());
    }
}
