//! Who a request comes from: trusted proxies, the client address they
//! vouch for, and the request id.

use std::net::{IpAddr, SocketAddr};

use http::header::{HeaderName, HeaderValue};
use input_guard::layer::request_id;
use input_guard::policy::Network;

pub(super) const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The request's id: its `X-Request-Id` when a trusted proxy sent a
/// well-formed one, otherwise a new UUIDv7 (time-ordered, so ids sort as
/// requests arrived). It replaces the header, so the layer's audit events
/// and problem bodies and the upstream all see the same id; anyone else's
/// id is never taken, so a client cannot forge entries in the audit trail.
pub(super) fn assign_request_id(
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
            // `fast-rng`: the random bits come from a generator in user
            // space seeded by the OS, not from a `getrandom` call for
            // every request; written on the stack, not into a String.
            let mut text = [0u8; uuid::fmt::Hyphenated::LENGTH];
            let text = uuid::Uuid::now_v7().hyphenated().encode_lower(&mut text);
            HeaderValue::from_str(text).unwrap_or(HeaderValue::from_static("unassigned"))
        });
    headers.insert(REQUEST_ID, id.clone());
    id
}

/// The client a request is from, as the trusted proxies say: reading
/// `X-Forwarded-For` from the right (the hop nearest this gateway first),
/// the first address that is not a trusted proxy. A peer that is not a
/// trusted proxy is the client itself, whatever it wrote in the header;
/// an entry that is no address ends the walk at the hop that added it.
pub(super) fn client_address(
    headers: &http::HeaderMap,
    peer: SocketAddr,
    trusted: &[Network],
) -> IpAddr {
    let trusts = |ip: IpAddr| trusted.iter().any(|n| n.contains(ip));
    let mut client = peer.ip().to_canonical();
    if !trusts(client) {
        return client;
    }
    // Values are joined in order; the last header's last entry is the
    // nearest hop.
    let values: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    for entry in values.iter().rev().flat_map(|v| v.rsplit(',')) {
        let entry = entry.trim();
        if entry.is_empty() {
            continue;
        }
        let Some(ip) = parse_forwarded_address(entry) else {
            return client;
        };
        client = ip;
        if !trusts(ip) {
            break;
        }
    }
    client
}

/// An `X-Forwarded-For` entry: an address, IPv6 maybe bracketed, maybe
/// with a port (some proxies write `203.0.113.7:5000` or `[2001:db8::1]:80`).
fn parse_forwarded_address(entry: &str) -> Option<IpAddr> {
    if let Ok(ip) = entry.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    if let Ok(socket) = entry.parse::<SocketAddr>() {
        return Some(socket.ip().to_canonical());
    }
    entry
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .and_then(|inner| inner.parse::<IpAddr>().ok())
        .map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    // Unwraps here are test failures, not request paths.
    use super::*;

    #[test]
    fn request_ids_are_kept_only_from_trusted_proxies() {
        let peer: SocketAddr = "10.1.2.3:5000".parse().unwrap();
        let trusted = ["10.1.0.0/16".parse::<Network>().unwrap()];
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

    #[test]
    fn the_client_is_the_first_untrusted_forwarded_address() {
        let trusted = [
            "10.0.0.0/8".parse::<Network>().unwrap(),
            "2001:db8::/32".parse::<Network>().unwrap(),
        ];
        let headers = |values: &[&str]| {
            let mut headers = http::HeaderMap::new();
            for v in values {
                headers.append("x-forwarded-for", HeaderValue::from_str(v).unwrap());
            }
            headers
        };
        let lb: SocketAddr = "10.0.0.2:5000".parse().unwrap();
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        // A spoofed entry on the left is not believed: the nearest untrusted wins.
        let h = headers(&["6.6.6.6, 203.0.113.7", "10.9.9.9"]);
        assert_eq!(client_address(&h, lb, &trusted), ip("203.0.113.7"));
        // Ports and brackets are read.
        let h = headers(&["[2001:db9::5]:443, 10.1.1.1:80"]);
        assert_eq!(client_address(&h, lb, &trusted), ip("2001:db9::5"));
        // Every hop trusted: the leftmost.
        let h = headers(&["10.3.3.3, 10.4.4.4"]);
        assert_eq!(client_address(&h, lb, &trusted), ip("10.3.3.3"));
        // Garbage ends the walk at the hop that wrote it.
        let h = headers(&["203.0.113.9, junk, 10.4.4.4"]);
        assert_eq!(client_address(&h, lb, &trusted), ip("10.4.4.4"));
        // The near miss: an untrusted peer is the client, whatever it claims.
        let stranger: SocketAddr = "198.51.100.1:5000".parse().unwrap();
        let h = headers(&["203.0.113.7"]);
        assert_eq!(client_address(&h, stranger, &trusted), ip("198.51.100.1"));
        // No header: the peer.
        assert_eq!(client_address(&headers(&[]), lb, &trusted), ip("10.0.0.2"));
    }
}
