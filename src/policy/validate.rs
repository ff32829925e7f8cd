//! The rules a policy's values must meet, in one place: the loader applies
//! them to the file (with the line of the offending key), and
//! [`Guard::new`](crate::Guard::new) applies them again to the `Policy` it is
//! given, which code may have edited after loading.

use super::{Policy, PolicyError, PolicyErrorKind};

/// A numeric limit: its key, and the largest value it may take (the
/// smallest is 1: a limit of 0 would refuse everything, and is a typo).
pub(super) struct Limit {
    pub(super) key: &'static str,
    pub(super) max: u64,
    value: fn(&Policy) -> u64,
}

/// Every numeric limit of a policy.
///
/// The maxima are far above any real need; they keep arithmetic on the
/// limits clear of overflow and make a misplaced digit an error.
pub(super) const LIMITS: &[Limit] = &[
    limit("request.max_url_bytes", 1 << 20, |p| {
        p.request.max_url_bytes
    }),
    limit("request.max_query_bytes", 1 << 20, |p| {
        p.request.max_query_bytes
    }),
    limit("request.max_headers", 10_000, |p| p.request.max_headers),
    limit("upstream.max_error_bytes", 1 << 20, |p| {
        p.upstream.max_error_bytes
    }),
    limit("request.max_header_bytes", 1 << 20, |p| {
        p.request.max_header_bytes
    }),
    limit("body.max_inflate_ratio", 1_000_000, |p| {
        p.body.max_inflate_ratio
    }),
    limit("body.max_parts", 100_000, |p| p.body.max_parts as u64),
    limit("json.max_depth", 100_000, |p| p.json.max_depth as u64),
    limit("json.max_string_bytes", 1 << 32, |p| {
        p.json.max_string_bytes as u64
    }),
    limit("json.max_number_length", 1 << 20, |p| {
        p.json.max_number_length as u64
    }),
    limit("json.max_members", 1 << 32, |p| p.json.max_members as u64),
    limit("json.max_embedded_depth", 64, |p| {
        p.json.max_embedded_depth as u64
    }),
    limit("xml.max_depth", 65_536, |p| p.xml.max_depth as u64),
    limit("xml.max_attributes", 65_536, |p| {
        p.xml.max_attributes as u64
    }),
    limit("xml.max_name_length", 1 << 20, |p| {
        p.xml.max_name_length as u64
    }),
    limit("xml.max_value_bytes", 1 << 32, |p| {
        p.xml.max_value_bytes as u64
    }),
    limit("xml.max_elements", 1 << 32, |p| p.xml.max_elements as u64),
    limit("xml.max_namespace_declarations", 65_536, |p| {
        p.xml.max_namespace_declarations as u64
    }),
];

const fn limit(key: &'static str, max: u64, value: fn(&Policy) -> u64) -> Limit {
    Limit { key, max, value }
}

/// The largest value the limit `key` may take.
pub(super) fn max_of(key: &str) -> u64 {
    // A route's own section (`routes[2].xml.max_depth`) has the range of
    // the policy's (`xml.max_depth`).
    let key = match key.strip_prefix("routes[") {
        Some(rest) => rest.split_once("].").map_or(key, |(_, key)| key),
        None => key,
    };
    LIMITS
        .iter()
        .find(|l| l.key == key)
        .map_or(u64::MAX, |l| l.max)
}

/// Whether `value` is in range for a limit up to `max`.
pub(super) fn check_limit(value: u64, max: u64) -> Result<(), String> {
    if (1..=max).contains(&value) {
        Ok(())
    } else {
        Err(format!("must be between 1 and {max}, not {value}"))
    }
}

/// A `maxResults` cap: 0 (no cap) up to Java's `int` range, the engine's
/// own.
pub(super) fn max_results(value: u64) -> Result<u32, String> {
    match i32::try_from(value) {
        Ok(v) => Ok(v.unsigned_abs()),
        Err(_) => Err(format!(
            "must be at most {} (Java's int range), not {value}",
            i32::MAX
        )),
    }
}

/// A method `[request] methods` may list.
///
/// # Security
///
/// `TRACE` echoes the request, credentials included, back to whoever can
/// make the browser send it (cross-site tracing); `CONNECT` asks a proxy
/// for a tunnel. Neither has a place in front of an engine's REST API, so
/// no policy may allow them.
pub(super) fn allowed_method(method: &http::Method) -> Result<(), String> {
    if method == http::Method::TRACE || method == http::Method::CONNECT {
        return Err(format!(
            "`{method}` is always refused; it cannot be allowed"
        ));
    }
    Ok(())
}

/// Checks a route's path glob (`*` does not cross `/`); the route table
/// compiles it (see [`PathGlob`](super::PathGlob)).
pub(crate) fn route_glob(path: &str) -> Result<(), String> {
    super::PathGlob::check(path)
}

/// An entry of a route's `uninspected_types`: a `type/subtype` that the
/// guard has no inspector for.
///
/// # Security
///
/// A type the guard inspects (JSON, XML, multipart form data) is refused
/// here: listing it would pass the very bodies the engine parses
/// uninspected. The body dispatch also inspects a listed type's `+json`
/// and `+xml` forms whatever the route says. Parameters and wildcards are
/// refused, so an entry means one type.
pub(super) fn uninspected_type(essence: &str) -> Result<(), String> {
    let parsed = crate::media_type::parse(essence)
        .filter(|m| m.essence == essence && m.top != "*" && m.sub != "*");
    let Some(media) = parsed else {
        return Err(format!("`{essence}` is not a media type `type/subtype`"));
    };
    if media.kind() != crate::media_type::BodyKind::Other {
        return Err(format!(
            "`{essence}` is a type the guard inspects; it cannot pass uninspected"
        ));
    }
    Ok(())
}

impl Policy {
    /// Checks the rules the loader checks, on a policy that code may have
    /// edited since: every limit in range, every `maxResults` cap in
    /// Java's `int` range, at least one allowed method and neither `TRACE`
    /// nor `CONNECT` among them, every route path a glob starting with `/`,
    /// no empty type-id key. [`Guard::new`](crate::Guard::new) calls it.
    ///
    /// ```
    /// use input_guard::Policy;
    ///
    /// let mut policy = Policy::camunda7();
    /// assert!(policy.validate().is_ok());
    /// policy.xml.max_depth = 0;
    /// assert_eq!(policy.validate().unwrap_err().key(), "xml.max_depth");
    /// ```
    pub fn validate(&self) -> Result<(), PolicyError> {
        let invalid =
            |message: String, key: String| PolicyError::new(PolicyErrorKind::Invalid(message), key);
        for limit in LIMITS {
            check_limit((limit.value)(self), limit.max)
                .map_err(|m| invalid(m, limit.key.to_owned()))?;
        }
        max_results(u64::from(self.query.max_results))
            .map_err(|m| invalid(m, "query.max_results".to_owned()))?;
        if self.request.methods.is_empty() {
            return Err(invalid(
                "list at least one method; an empty list would refuse every request".to_owned(),
                "request.methods".to_owned(),
            ));
        }
        for (i, method) in self.request.methods.iter().enumerate() {
            allowed_method(method).map_err(|m| invalid(m, format!("request.methods[{i}]")))?;
        }
        if let Some(cors) = &self.cors {
            for (i, origin) in cors.allow_origins.iter().enumerate() {
                super::cors::origin(origin)
                    .map_err(|m| invalid(m, format!("cors.allow_origins[{i}]")))?;
            }
        }
        for (i, key) in self.json.type_id_keys.iter().enumerate() {
            if key.is_empty() {
                return Err(invalid(
                    "empty key".to_owned(),
                    format!("json.type_id_keys[{i}]"),
                ));
            }
        }
        for (i, route) in self.routes.iter().enumerate() {
            route_glob(&route.path).map_err(|m| invalid(m, format!("routes[{i}].path")))?;
            if let Some(xml) = &route.xml {
                // The route's XML limits, held to the ranges of `[xml]`'s.
                let as_policy = Policy {
                    xml: xml.clone(),
                    ..Policy::default()
                };
                for limit in LIMITS.iter().filter(|l| l.key.starts_with("xml.")) {
                    check_limit((limit.value)(&as_policy), limit.max)
                        .map_err(|m| invalid(m, format!("routes[{i}].{}", limit.key)))?;
                }
            }
            for (c, code) in route.skip.iter().enumerate() {
                skippable(*code).map_err(|m| invalid(m, format!("routes[{i}].skip[{c}]")))?;
            }
            for (t, essence) in route.uninspected_types.iter().enumerate() {
                uninspected_type(essence)
                    .map_err(|m| invalid(m, format!("routes[{i}].uninspected_types[{t}]")))?;
            }
            if let Some(cap) = route.max_results {
                max_results(u64::from(cap))
                    .map_err(|m| invalid(m, format!("routes[{i}].max_results")))?;
            }
        }
        Ok(())
    }
}

/// Whether a route may `skip` the rule of `code`: only rules that can be
/// switched off alone, so that skipping one leaves every other rule
/// running on the same request.
pub(crate) fn skippable(code: crate::Code) -> Result<(), String> {
    use crate::Code;
    const SKIPPABLE: [Code; 2] = [Code::ExpressionNotAllowed, Code::QueryUnbounded];
    if SKIPPABLE.contains(&code) {
        Ok(())
    } else {
        Err(format!(
            "`{code}` cannot be skipped: only {} can (for classes, use `classes_allow`; for limits, the route's own keys)",
            SKIPPABLE.map(|c| format!("`{c}`")).join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    // Unwraps here are test failures, not request paths.
    use super::*;

    #[test]
    fn edited_policies_are_held_to_the_loader_rules() {
        assert!(Policy::default().validate().is_ok());
        for limit in LIMITS {
            assert_eq!(max_of(limit.key), limit.max);
        }
        let mut p = Policy::default();
        p.json.max_embedded_depth = 65;
        assert_eq!(p.validate().unwrap_err().key(), "json.max_embedded_depth");
        let mut p = Policy::default();
        p.json.max_embedded_depth = 64;
        assert!(p.validate().is_ok());
        let mut p = Policy::default();
        p.query.max_results = i32::MAX as u32 + 1;
        assert_eq!(p.validate().unwrap_err().key(), "query.max_results");
        let mut p = Policy::default();
        p.json.type_id_keys.push(String::new());
        assert_eq!(p.validate().unwrap_err().key(), "json.type_id_keys[4]");
        let mut p = Policy::from_toml("[[routes]]\npath = \"/a/*\"\nmax_results = 5\n").unwrap();
        assert!(p.validate().is_ok());
        p.routes[0].path = "/a/[".to_owned();
        assert_eq!(p.validate().unwrap_err().key(), "routes[0].path");
        p.routes[0].path = "a/*".to_owned();
        assert_eq!(p.validate().unwrap_err().key(), "routes[0].path");
        p.routes[0].path = "/a/*".to_owned();
        p.routes[0].max_results = Some(u32::MAX);
        assert_eq!(p.validate().unwrap_err().key(), "routes[0].max_results");
        let mut p = Policy::default();
        p.request.methods.push(http::Method::TRACE);
        assert_eq!(p.validate().unwrap_err().key(), "request.methods[6]");
        p.request.methods.clear();
        assert_eq!(p.validate().unwrap_err().key(), "request.methods");
        p.request.methods.push(http::Method::PATCH);
        assert!(p.validate().is_ok());
        p.request.max_headers = 0;
        assert_eq!(p.validate().unwrap_err().key(), "request.max_headers");
    }
}
