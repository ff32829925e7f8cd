//! Client networks: CIDR blocks and single addresses, as route allowlists
//! (`[[routes]] allow_networks`) name them.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

/// An IPv4 or IPv6 network: `10.0.0.0/8`, `2001:db8::/32`, or a bare
/// address (`192.0.2.7`, `::1`), which is that one address.
///
/// # Security
///
/// Addresses compare after [`IpAddr::to_canonical`]: an IPv4 client seen on
/// a dual-stack socket as the IPv4-mapped `::ffff:10.1.2.3` is the IPv4
/// client `10.1.2.3`, and is in `10.0.0.0/8`. A network written in mapped
/// form (`::ffff:10.0.0.0/104`) is read as the IPv4 network it maps
/// (`10.0.0.0/8`). Other IPv6 networks never contain IPv4 clients, so
/// `::/0` is "every IPv6 client" and `0.0.0.0/0` "every IPv4 client".
///
/// Parsing is strict, since an allowlist read wrongly is open to someone:
/// no blanks, no sign or leading zeros in the prefix length, no zone
/// (`%eth0`), no leading zeros in IPv4 octets, and no address bits past the
/// prefix (`10.0.0.1/8` is refused: write `10.0.0.0/8` for the network or
/// `10.0.0.1/32` for the address).
///
/// ```
/// use input_guard::policy::Network;
///
/// let office: Network = "10.20.0.0/16".parse()?;
/// assert!(office.contains("10.20.3.4".parse()?));
/// assert!(!office.contains("10.21.0.1".parse()?));
/// // The same client on a dual-stack socket.
/// assert!(office.contains("::ffff:10.20.3.4".parse()?));
///
/// let one: Network = "2001:db8::7".parse()?;
/// assert_eq!(one.to_string(), "2001:db8::7/128");
/// assert!(one.contains("2001:db8::7".parse()?));
/// assert!(!one.contains("2001:db8::8".parse()?));
///
/// for bad in ["10.0.0.1/8", "10.0.0.0/33", "10.0.0.0/+8", " 10.0.0.0/8", "fe80::1%eth0", "010.0.0.0/8"] {
///     assert!(bad.parse::<Network>().is_err(), "{bad}");
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Network {
    base: IpAddr,
    prefix: u8,
}

impl Network {
    /// The network's first address (its address bits past the prefix are
    /// zero).
    ///
    /// ```
    /// use input_guard::policy::Network;
    ///
    /// let net: Network = "192.0.2.0/24".parse()?;
    /// assert_eq!(net.address().to_string(), "192.0.2.0");
    /// assert_eq!(net.prefix_len(), 24);
    /// # Ok::<(), input_guard::policy::NetworkError>(())
    /// ```
    pub fn address(&self) -> IpAddr {
        self.base
    }

    /// The prefix length: 0..=32 for IPv4, 0..=128 for IPv6.
    pub fn prefix_len(&self) -> u8 {
        self.prefix
    }

    /// Whether `ip` is in this network (both compared in canonical form;
    /// see the type's docs).
    ///
    /// ```
    /// use input_guard::policy::Network;
    ///
    /// let every_ipv4: Network = "0.0.0.0/0".parse()?;
    /// assert!(every_ipv4.contains("203.0.113.9".parse()?));
    /// assert!(!every_ipv4.contains("2001:db8::1".parse()?));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.base, ip.to_canonical()) {
            (IpAddr::V4(base), IpAddr::V4(ip)) => same_prefix(
                u128::from(base.to_bits()),
                u128::from(ip.to_bits()),
                32,
                self.prefix,
            ),
            (IpAddr::V6(base), IpAddr::V6(ip)) => {
                same_prefix(base.to_bits(), ip.to_bits(), 128, self.prefix)
            }
            _ => false,
        }
    }
}

/// Whether `a` and `b`, numbers of `bits` bits, agree on their first
/// `prefix` bits.
fn same_prefix(a: u128, b: u128, bits: u8, prefix: u8) -> bool {
    // A shift by the full width would overflow: a /0 holds everything.
    let shift = u32::from(bits.saturating_sub(prefix));
    shift >= u32::from(bits) || (a >> shift) == (b >> shift)
}

/// Why a text is not a [`Network`]; the display form is the message a
/// policy error shows.
///
/// ```
/// use input_guard::policy::{Network, NetworkError};
///
/// let err = "10.0.0.1/8".parse::<Network>().unwrap_err();
/// assert!(matches!(err, NetworkError::HostBits { .. }));
/// assert!(err.to_string().contains("10.0.0.0/8"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NetworkError {
    /// Not an IPv4 or IPv6 address, before the `/`.
    #[error("`{0}` is not an IP address or a network such as \"10.0.0.0/8\" or \"2001:db8::/32\"")]
    Address(String),
    /// The prefix length is not digits, or too large for the address.
    #[error("`{0}`: the prefix length must be 0 to 32 for IPv4, 0 to 128 for IPv6")]
    Prefix(String),
    /// Address bits set past the prefix.
    #[error(
        "`{input}` has address bits past the prefix: write `{network}` for the network, or the address alone"
    )]
    HostBits {
        /// The network as written.
        input: String,
        /// The network it would be with those bits cleared.
        network: String,
    },
}

impl FromStr for Network {
    type Err = NetworkError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (address, prefix) = match s.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (s, None),
        };
        // `IpAddr`'s parser takes no blanks, zones or leading-zero octets.
        let address: IpAddr = address
            .parse()
            .map_err(|_| NetworkError::Address(s.to_owned()))?;
        let bits: u8 = if address.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => bits,
            // Plain digits only: `u8::from_str` would take `+8`.
            Some(p)
                if !p.is_empty()
                    && p.len() <= 3
                    && p.bytes().all(|b| b.is_ascii_digit())
                    && (p == "0" || !p.starts_with('0')) =>
            {
                p.parse::<u8>()
                    .ok()
                    .filter(|&p| p <= bits)
                    .ok_or_else(|| NetworkError::Prefix(s.to_owned()))?
            }
            Some(_) => return Err(NetworkError::Prefix(s.to_owned())),
        };
        // A mapped IPv4 network is that IPv4 network: clients are compared
        // in canonical form, so it would otherwise never match.
        let (address, prefix) = match address {
            IpAddr::V6(v6) if prefix >= 96 => match v6.to_ipv4_mapped() {
                Some(v4) => (IpAddr::V4(v4), prefix - 96),
                None => (address, prefix),
            },
            _ => (address, prefix),
        };
        let masked = mask(address, prefix);
        if masked != address {
            return Err(NetworkError::HostBits {
                input: s.to_owned(),
                network: Network {
                    base: masked,
                    prefix,
                }
                .to_string(),
            });
        }
        Ok(Network {
            base: address,
            prefix,
        })
    }
}

/// `ip` with every bit past `prefix` cleared.
fn mask(ip: IpAddr, prefix: u8) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => {
            let keep = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V4((v4.to_bits() & keep).into())
        }
        IpAddr::V6(v6) => {
            let keep = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V6((v6.to_bits() & keep).into())
        }
    }
}

impl fmt::Display for Network {
    /// `address/prefix`, which parses back to the same network.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.base, self.prefix)
    }
}

#[cfg(test)]
mod tests {
    // Unwraps here are test failures on fixed inputs, not request paths.
    use super::*;

    fn net(s: &str) -> Network {
        s.parse().unwrap()
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn contains_by_prefix() {
        let lan = net("10.1.0.0/16");
        assert!(lan.contains(ip("10.1.200.3")));
        assert!(lan.contains(ip("10.1.0.0")));
        assert!(lan.contains(ip("10.1.255.255")));
        assert!(!lan.contains(ip("10.2.0.1")));
        assert!(!lan.contains(ip("10.0.255.255")));
        assert!(lan.contains(ip("::ffff:10.1.0.9")));
        assert!(!lan.contains(ip("::10.1.0.9")), "IPv4-compatible is IPv6");
        let v6 = net("2001:db8::/32");
        assert!(v6.contains(ip("2001:db8:ffff::5")));
        assert!(!v6.contains(ip("2001:db9::5")));
        assert!(!v6.contains(ip("10.0.0.1")));
        assert!(net("0.0.0.0/0").contains(ip("255.255.255.255")));
        assert!(net("::/0").contains(ip("::1")));
        assert!(!net("::/0").contains(ip("127.0.0.1")));
        assert!(net("127.0.0.1").contains(ip("127.0.0.1")));
        assert!(!net("127.0.0.1").contains(ip("127.0.0.2")));
        assert!(net("10.0.0.1/32").contains(ip("10.0.0.1")));
        assert!(net("::1/128").contains(ip("::1")));
        assert!(net("128.0.0.0/1").contains(ip("200.0.0.1")));
        assert!(!net("128.0.0.0/1").contains(ip("100.0.0.1")));
    }

    #[test]
    fn mapped_networks_are_ipv4() {
        let mapped = net("::ffff:10.0.0.0/104");
        assert_eq!(mapped, net("10.0.0.0/8"));
        assert!(mapped.contains(ip("10.9.9.9")));
        assert_eq!(net("::ffff:192.0.2.1").to_string(), "192.0.2.1/32");
    }

    #[test]
    fn strict_parsing() {
        for bad in [
            "",
            "/8",
            "10.0.0.0/",
            "10.0.0.0/33",
            "::/129",
            "10.0.0.0/-1",
            "10.0.0.0/+8",
            "10.0.0.0/08",
            "10.0.0.0/ 8",
            "10.0.0.0 /8",
            " 10.0.0.0/8",
            "10.0.0.0/8 ",
            "10.0.0/8",
            "010.0.0.0/8",
            "10.0.0.1/8",
            "2001:db8::1/32",
            "fe80::1%eth0",
            "10.0.0.0/8/8",
            "x",
            "localhost",
        ] {
            assert!(bad.parse::<Network>().is_err(), "{bad:?}");
        }
        for (text, shown) in [
            ("10.0.0.0/8", "10.0.0.0/8"),
            ("0.0.0.0/0", "0.0.0.0/0"),
            ("2001:DB8::/32", "2001:db8::/32"),
            ("192.0.2.7", "192.0.2.7/32"),
        ] {
            assert_eq!(net(text).to_string(), shown);
            assert_eq!(net(shown), net(text));
        }
    }
}
