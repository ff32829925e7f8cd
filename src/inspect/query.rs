//! Query strings, read the way the engine's server reads them, and the
//! paging and expression rules of list queries.
//!
//! # Security
//!
//! Parameters are split on `&`, names and values percent-decoded with `+`
//! as space (the servlet rules), so `max%52esults` *is* `maxResults` and
//! `assignee%45xpression` *is* `assigneeExpression`. A parameter given more
//! than once is judged in every copy: JAX-RS binds the first, other code may
//! read the last, and a guard must not pick one. Malformed escapes are
//! refused: containers disagree on whether to drop such a parameter or keep
//! its raw text.

use std::borrow::Cow;

use super::percent::{self, Unit};
use crate::engine::{EngineProfile, PagingNames};
use crate::violation::{Code, Violation};

/// One `name=value` pair: raw as sent, and decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Param<'a> {
    /// The pair as it appears in the query string.
    pub(crate) raw: &'a str,
    /// The decoded name.
    pub(crate) name: Cow<'a, str>,
    /// The decoded value (`None` for a bare `name`).
    pub(crate) value: Option<Cow<'a, str>>,
}

fn malformed(message: &'static str) -> Violation {
    Violation::new(Code::QueryMalformed, "query", message)
}

/// `application/x-www-form-urlencoded` decoding: `+` is a space, `%XX` a
/// byte; the bytes must be UTF-8.
fn decode(text: &str) -> Result<Cow<'_, str>, Violation> {
    if !text.contains(['%', '+']) {
        return Ok(Cow::Borrowed(text));
    }
    let mut out = Vec::with_capacity(text.len());
    for unit in percent::units(text.as_bytes()) {
        out.push(
            match unit.map_err(|_| malformed("malformed percent-encoding in the query"))? {
                Unit::Literal(b'+') => b' ',
                Unit::Literal(b) | Unit::Escaped(b) => b,
            },
        );
    }
    String::from_utf8(out)
        .map(Cow::Owned)
        .map_err(|_| malformed("the query does not decode to UTF-8"))
}

/// Splits and decodes a query string (without the `?`).
pub(crate) fn parse(query: &str) -> Result<Vec<Param<'_>>, Violation> {
    let mut params = Vec::new();
    for raw in query.split('&') {
        if raw.is_empty() {
            continue;
        }
        let (name, value) = match raw.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (raw, None),
        };
        params.push(Param {
            raw,
            name: decode(name)?,
            value: value.map(decode).transpose()?,
        });
    }
    Ok(params)
}

/// A paging value: a non-negative integer in Java's `int` range, written
/// as digits only (no sign, no blanks: `Integer.parseInt` takes `+5`, but a
/// guard has no reason to).
fn paging_value(value: Option<&str>) -> Option<u32> {
    let value = value?;
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Leading zeros are still an int (`Integer.parseInt("007")` is 7).
    let digits = value.trim_start_matches('0');
    if digits.is_empty() {
        return Some(0);
    }
    if digits.len() > 10 {
        return None;
    }
    digits.parse::<u32>().ok().filter(|v| *v <= i32::MAX as u32)
}

/// What to do with `maxResults` on a list query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Paging {
    /// The cap; `None` means no cap.
    pub(crate) cap: Option<u32>,
    /// Clamp to the cap (rewriting the URI) instead of rejecting.
    pub(crate) clamp: bool,
    /// A list query without `maxResults` is unbounded: reject it (or, when
    /// clamping, add `maxResults` at the cap).
    pub(crate) require_max_results: bool,
    /// What the engine calls its paging parameters.
    pub(crate) names: PagingNames,
}

/// Checks the paging parameters of a list query: those of the query
/// string, and `body`, the paging members of its JSON body (see
/// [`JsonInspector::inspect_list_query`](crate::inspect::json::JsonInspector::inspect_list_query)).
/// Returns the
/// rewritten query string when clamping changed it.
///
/// A body's paging members are held to the same rules, and above the cap
/// rejected even when clamping (the guard rewrites URIs, never bodies). But
/// they do not bound the query: Camunda reads paging from the query string
/// only, so a body's `maxResults` with none in the query string is still
/// an unbounded query to the engine.
pub(crate) fn check_paging(
    query: &str,
    params: &[Param<'_>],
    body: &[(&str, Option<String>)],
    paging: Paging,
) -> Result<Option<String>, Violation> {
    let names = paging.names;
    let mut max_results = 0;
    let mut over = false;
    for (name, value) in body {
        // Locations are only written for a violation: this runs on every
        // list request.
        let location = || format!("/{name}");
        let Some(value) = paging_value(value.as_deref()) else {
            return Err(Violation::new(
                Code::QueryInvalidPaging,
                location(),
                "paging members must be non-negative integers in Java's int range",
            ));
        };
        if *name == names.max_results
            && let Some(cap) = paging.cap.filter(|&cap| value > cap)
        {
            return Err(Violation::new(
                Code::QueryMaxResultsExceeded,
                location(),
                format!("{} is limited to {cap}", names.max_results),
            ));
        }
    }
    for param in params {
        let is_max = param.name == names.max_results;
        if !is_max && param.name != names.first_result {
            continue;
        }
        let location = || format!("query:{}", param.name);
        let Some(value) = paging_value(param.value.as_deref()) else {
            return Err(Violation::new(
                Code::QueryInvalidPaging,
                location(),
                "paging parameters must be non-negative integers in Java's int range",
            ));
        };
        if is_max {
            max_results += 1;
            if paging.cap.is_some_and(|cap| value > cap) {
                if !paging.clamp {
                    return Err(Violation::new(
                        Code::QueryMaxResultsExceeded,
                        location(),
                        format!(
                            "{} is limited to {}",
                            names.max_results,
                            paging.cap.unwrap_or_default()
                        ),
                    ));
                }
                over = true;
            }
        }
    }
    let Some(cap) = paging.cap else {
        return Ok(None);
    };
    let missing = max_results == 0 && paging.require_max_results;
    if missing && !paging.clamp {
        return Err(Violation::new(
            Code::QueryUnbounded,
            format!("query:{}", names.max_results),
            format!("list queries need {} (at most {cap})", names.max_results),
        ));
    }
    if !over && !missing {
        return Ok(None);
    }
    // Rewrite: every copy over the cap becomes `maxResults=cap`, every
    // other pair stays byte for byte; a missing one is appended.
    let mut out = String::with_capacity(query.len() + 16);
    for param in params {
        if !out.is_empty() {
            out.push('&');
        }
        let clamp = param.name == names.max_results
            && paging_value(param.value.as_deref()).is_some_and(|v| v > cap);
        if clamp {
            out.push_str(&format!("{}={cap}", names.max_results));
        } else {
            out.push_str(param.raw);
        }
    }
    if missing {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(&format!("{}={cap}", names.max_results));
    }
    Ok(Some(out))
}

/// Rejects expression parameters: the engine's expression parameter names
/// (task-query `...Expression`), and any value that opens an expression
/// (see `carries_expression`).
pub(crate) fn check_expressions(
    params: &[Param<'_>],
    engine: &EngineProfile,
) -> Result<(), Violation> {
    let found = params.iter().find(|p| {
        engine.is_expression(&p.name) || p.value.as_deref().is_some_and(carries_expression)
    });
    match found {
        Some(param) => Err(Violation::new(
            Code::ExpressionNotAllowed,
            format!("query:{}", param.name),
            "expressions are not accepted in queries",
        )),
        None => Ok(()),
    }
}

/// Whether `text` holds an EL expression opening, `${` or `#{`: where an
/// engine might evaluate text (a query parameter it hands to the expression
/// manager, a stored filter), an expression runs code (JUEL can call
/// methods), so on query routes where expressions are forbidden the
/// guard refuses any value that could open one.
pub(crate) fn carries_expression(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr_iter(b'{', bytes).any(|i| i > 0 && matches!(bytes.get(i - 1), Some(b'$' | b'#')))
}

#[cfg(test)]
mod tests {
    //! Unit tests only (never compiled into the library): an `unwrap` or
    //! `expect` here is a test assertion on fixed inputs, not a path a
    //! request can reach.
    use super::*;

    /// What the item's documentation promises.
    #[test]
    fn parse_documented() -> Result<(), crate::Violation> {
        let params = parse("max%52esults=10&assignee=a+b&flag").unwrap();
        assert_eq!(params[0].name, "maxResults");
        assert_eq!(params[1].value.as_deref(), Some("a b"));
        assert_eq!(params[2].value, None);
        Ok(())
    }

    #[test]
    fn paging_values() {
        for (value, expected) in [
            ("0", Some(0)),
            ("10", Some(10)),
            ("2147483647", Some(i32::MAX as u32)),
            ("0000000000010", Some(10)),
            ("2147483648", None),
            ("99999999999", None),
            ("-1", None),
            ("+1", None),
            (" 1", None),
            ("1 ", None),
            ("", None),
            ("1e3", None),
            ("0x10", None),
            ("١٢", None),
        ] {
            assert_eq!(paging_value(Some(value)), expected, "{value:?}");
        }
        assert_eq!(paging_value(None), None);
    }

    /// One strict decoder: `%` and two hex digits, never a sign (which
    /// `from_str_radix` and Java's `Integer.parseInt` accept).
    #[test]
    fn escapes_are_two_hex_digits() {
        for query in [
            "a=%+f",
            "a=%-f",
            "a=% f",
            "%+dmaxResults=1",
            "max%+52esults=1",
            "a=%4",
            "a=%",
            "a=%zz",
        ] {
            assert_eq!(
                parse(query).unwrap_err().code(),
                Code::QueryMalformed,
                "{query}"
            );
        }
        // Near misses: an escaped `+` is a plus, a bare one a space.
        let params = parse("a=%2Bf&b=+f&c=%2b").unwrap();
        assert_eq!(params[0].value.as_deref(), Some("+f"));
        assert_eq!(params[1].value.as_deref(), Some(" f"));
        assert_eq!(params[2].value.as_deref(), Some("+"));
    }

    #[test]
    fn rewrites_keep_other_parameters() {
        let paging = Paging {
            names: crate::engine::Engine::Camunda7.profile().paging,
            cap: Some(100),
            clamp: true,
            require_max_results: true,
        };
        let q = "sortBy=id&max%52esults=500&a=%20";
        let params = parse(q).unwrap();
        assert_eq!(
            check_paging(q, &params, &[], paging).unwrap().as_deref(),
            Some("sortBy=id&maxResults=100&a=%20")
        );
        let q = "firstResult=5";
        let params = parse(q).unwrap();
        assert_eq!(
            check_paging(q, &params, &[], paging).unwrap().as_deref(),
            Some("firstResult=5&maxResults=100")
        );
        let q = "maxResults=100";
        assert_eq!(
            check_paging(q, &parse(q).unwrap(), &[], paging).unwrap(),
            None
        );
    }
}
