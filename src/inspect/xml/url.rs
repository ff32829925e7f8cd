//! Is a URL one the engine may fetch? Used for schema locations and
//! stylesheet hrefs.
//!
//! # Security
//!
//! Java resolves literal hosts with `InetAddress.getByName`, which goes
//! through `inet_aton`-style parsing: `127.1`, `2130706433`, `0x7f.1` and
//! `0177.0.0.1` all mean loopback. So any host made only of digits, dots and
//! hex letters behind `0x` is read the way `inet_aton` reads it, and a host
//! that looks numeric but does not parse is refused rather than guessed at.
//! Names (`internal.example`) are not resolved: DNS is the deployment's job;
//! only literal addresses are judged here.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Whether `reference` has a scheme (`http:`) or is network-path (`//host`),
/// i.e. points away from the document.
pub(crate) fn is_absolute(reference: &str) -> bool {
    if reference.starts_with("//") || reference.starts_with("\\\\") {
        return true;
    }
    scheme(reference).is_some()
}

fn scheme(reference: &str) -> Option<&str> {
    let colon = reference.find(':')?;
    let scheme = &reference[..colon];
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then_some(scheme)
}

/// Whether `location` is an `http(s)` URL to a host that is not a literal
/// loopback, private, link-local or otherwise internal address.
pub(crate) fn is_public_http(location: &str) -> bool {
    let Some(scheme) = scheme(location) else {
        return false;
    };
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return false;
    }
    let Some(rest) = location[scheme.len() + 1..].strip_prefix("//") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    // Credentials in the authority are a classic way to confuse parsers
    // about which part is the host.
    if authority.contains(['@', '\\', '%']) || authority.is_empty() {
        return false;
    }
    let host = if let Some(v6) = authority.strip_prefix('[') {
        match v6.split_once(']') {
            Some((addr, _port)) => match addr.parse::<Ipv6Addr>() {
                Ok(addr) => return is_public_ip(IpAddr::V6(addr)),
                Err(_) => return false,
            },
            None => return false,
        }
    } else {
        authority.split(':').next().unwrap_or_default()
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if host.is_empty() || host == "localhost" || host.ends_with(".localhost") {
        return false;
    }
    if looks_numeric(&host) {
        return match inet_aton(&host) {
            Some(addr) => is_public_ip(IpAddr::V4(addr)),
            None => false,
        };
    }
    host.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

/// A relative reference that is a plain path below the document: no
/// scheme, no leading `/`, no `..`, no backslashes or escapes.
pub(crate) fn is_plain_relative(reference: &str) -> bool {
    !reference.is_empty()
        && !is_absolute(reference)
        && !reference.starts_with('/')
        && !reference.contains(['\\', '%', ':', '?', '#'])
        && reference
            .split('/')
            .all(|segment| segment != ".." && segment != ".")
}

/// Every dot-separated part is decimal/octal digits or `0x` hex: a literal
/// address to `inet_aton`, however odd.
fn looks_numeric(host: &str) -> bool {
    host.split('.').all(|part| {
        (!part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
            || part
                .strip_prefix("0x")
                .is_some_and(|hex| hex.bytes().all(|b| b.is_ascii_hexdigit()))
    })
}

/// `inet_aton`: 1 to 4 parts, each decimal, octal (leading 0) or hex (0x);
/// the last part fills the remaining bytes.
fn inet_aton(host: &str) -> Option<Ipv4Addr> {
    let parts: Vec<&str> = host.split('.').collect();
    if parts.is_empty() || parts.len() > 4 {
        return None;
    }
    let mut values = Vec::with_capacity(4);
    for part in &parts {
        let value = if let Some(hex) = part.strip_prefix("0x") {
            if hex.is_empty() {
                0
            } else {
                u64::from_str_radix(hex, 16).ok()?
            }
        } else if part.len() > 1 && part.starts_with('0') {
            u64::from_str_radix(&part[1..], 8).ok()?
        } else {
            part.parse::<u64>().ok()?
        };
        values.push(value);
    }
    let (last, init) = values.split_last()?;
    let mut addr: u64 = 0;
    for (i, v) in init.iter().enumerate() {
        if *v > 255 {
            return None;
        }
        addr |= v << (24 - 8 * i);
    }
    let room = 32 - 8 * init.len() as u32;
    if *last >= 1u64 << room {
        return None;
    }
    Some(Ipv4Addr::from((addr | last) as u32))
}

fn is_public_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || (first & 0xfe00) == 0xfc00 // unique local
                || (first & 0xffc0) == 0xfe80 // link-local
                || (first & 0xffc0) == 0xfec0 // site-local (deprecated)
                || v6.segments()[..6] == [0; 6]) // IPv4-compatible ::a.b.c.d
        }
    }
}

fn is_public_v4(v4: Ipv4Addr) -> bool {
    let [a, b, ..] = v4.octets();
    !(v4.is_loopback()
        || v4.is_private()
        || v4.is_link_local()
        || v4.is_unspecified()
        || v4.is_broadcast()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // carrier-grade NAT
        || (a == 192 && b == 0 && v4.octets()[2] == 0) // IETF protocol assignments
        || a >= 224) // multicast and reserved
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_http() {
        for ok in [
            "http://www.omg.org/spec/BPMN/20100524/BPMN20.xsd",
            "https://maven.apache.org/xsd/maven-4.0.0.xsd",
            "HTTP://example.com:8080/x.xsd",
            "http://8.8.8.8/x.xsd",
            "http://[2001:db8::1]/x.xsd",
            "https://example.com./x",
        ] {
            assert!(is_public_http(ok), "{ok}");
        }
        for bad in [
            "file:///etc/passwd",
            "jar:http://x/y.jar!/a.xsd",
            "ftp://example.com/x.xsd",
            "netdoc:/etc/passwd",
            "http://127.0.0.1/x",
            "http://127.1/x",
            "http://2130706433/x",
            "http://0x7f000001/x",
            "http://0x7f.1/x",
            "http://0177.0.0.1/x",
            "http://10.1.2.3/x",
            "http://192.168.0.1:80/x",
            "http://172.16.5.4/x",
            "http://169.254.169.254/latest/meta-data",
            "http://0.0.0.0/x",
            "http://[::1]/x",
            "http://[::ffff:127.0.0.1]/x",
            "http://[fe80::1]/x",
            "http://[fd00::1]/x",
            "http://localhost/x",
            "http://api.localhost/x",
            "http://user@example.com/x",
            "http://evil.com\\@127.0.0.1/x",
            "http://%31%32%37.0.0.1/x",
            "http:/example.com/x",
            "http://",
            "http://999.1.1.1/x",
            "BPMN20.xsd",
        ] {
            assert!(!is_public_http(bad), "{bad}");
        }
    }

    #[test]
    fn relative_and_absolute() {
        assert!(is_plain_relative("BPMN20.xsd"));
        assert!(is_plain_relative("xsd/BPMN20.xsd"));
        for bad in [
            "../x.xsd",
            "/etc/x.xsd",
            "a/../../x",
            "C:\\x.xsd",
            "x%2e.xsd",
            "",
            "//h/x",
        ] {
            assert!(!is_plain_relative(bad), "{bad}");
        }
        assert!(is_absolute("http://x/y.xsl"));
        assert!(is_absolute("//x/y.xsl"));
        assert!(is_absolute("file:/y.xsl"));
        assert!(!is_absolute("style.xsl"));
        assert!(!is_absolute("/style.xsl"));
    }
}
