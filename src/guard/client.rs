//! Who sent a request, as a request extension.

use std::net::{IpAddr, SocketAddr};

/// The address a request came from, for audit events: the connection's
/// peer, and the client as the trusted-proxy rules determine it (the first
/// address in `X-Forwarded-For`, read from the right, that is not a
/// trusted proxy; the peer itself when the peer is not trusted).
///
/// Whoever accepts the connection inserts it into the request's
/// extensions (the `input-guard serve` gateway always does); the layer's
/// default audit event then names both addresses, and routes with
/// `allow_networks` are judged on [`ClientAddr::client`] (a request without
/// one is refused there: insert it before the layer if you use such
/// routes). The guard never reads `X-Forwarded-For` itself: only the
/// acceptor knows which proxies to trust.
///
/// ```
/// use input_guard::layer::ClientAddr;
///
/// let peer = "10.0.0.5:41000".parse()?;
/// let request = http::Request::get("/engine-rest/task")
///     .extension(ClientAddr::new(peer, "203.0.113.7".parse()?))
///     .body(())?;
/// let client = request.extensions().get::<ClientAddr>().expect("inserted");
/// assert_eq!(client.peer(), peer);
/// assert_eq!(client.client().to_string(), "203.0.113.7");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr {
    peer: SocketAddr,
    client: IpAddr,
}

impl ClientAddr {
    /// A request from `peer`, on behalf of `client`.
    pub fn new(peer: SocketAddr, client: IpAddr) -> Self {
        ClientAddr { peer, client }
    }

    /// The connection's peer.
    pub fn peer(&self) -> SocketAddr {
        self.peer
    }

    /// The client the trusted proxies vouch for.
    pub fn client(&self) -> IpAddr {
        self.client
    }
}
