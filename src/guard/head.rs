//! The request head, read once: method, path and route, and the framing
//! headers the body is judged by.

use http::header::{CONNECTION, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE};
use http::request::Parts;
use http::{HeaderMap, HeaderName, Method};

use super::{Guard, Verdict};
use crate::inspect::compression::{self, Coding};
use crate::inspect::path;
use crate::media_type::{self, MediaType};
use crate::policy::Route;
use crate::violation::{Code, Violation};

/// What [`Guard::head`] read in a request head, ready to judge its body.
///
/// It borrows the guard and the head, so a body can only be judged with
/// the head it came with; the head's headers are parsed here once and
/// never again.
///
/// ```
/// use input_guard::{Guard, Policy, Verdict};
///
/// let guard = Guard::new(Policy::default())?;
/// let (head, ()) = http::Request::post("/engine-rest/task")
///     .header("content-type", "application/json")
///     .body(())?
///     .into_parts();
/// let checked = guard.head(&head);
/// assert_eq!(checked.route().map(|r| r.name.as_str()), Some("task list"));
/// assert_eq!(checked.verdict(), Verdict::Allow);
/// // A task query must bound its results in the query string.
/// let verdict = checked.check(br#"{"assignee": "demo"}"#);
/// assert_eq!(verdict.violation().unwrap().code().as_str(), "query-unbounded");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct HeadCheck<'g, 'r> {
    guard: &'g Guard,
    head: &'r Parts,
    route: Option<&'g Route>,
    body_limit: u64,
    /// What the headers said, or why the head is refused.
    framing: Result<Framing<'r>, Violation>,
}

/// The framing headers, parsed.
#[derive(Debug, Clone)]
pub(super) struct Framing<'r> {
    /// The declared `Content-Length`.
    pub(super) declared: Option<u64>,
    pub(super) coding: Coding,
    /// The `Content-Type`: `Ok(None)` when there is none (or it is empty),
    /// `Err` when it cannot be read. Judged only when there is a body: a
    /// request without one is not refused for its content type.
    pub(super) media: Result<Option<MediaType<'r>>, Violation>,
}

impl<'g, 'r> HeadCheck<'g, 'r> {
    pub(super) fn read(guard: &'g Guard, head: &'r Parts) -> Self {
        let route = check_method(&head.method)
            .and_then(|()| path::normalize(head.uri.path()))
            .map(|path| guard.routes.find(&head.method, &path));
        let (route, framing) = match route {
            Ok(route) => {
                let limit = guard.max_bytes(route);
                (route, framing(&head.headers, limit))
            }
            Err(violation) => (None, Err(violation)),
        };
        HeadCheck {
            guard,
            head,
            route,
            body_limit: guard.max_bytes(route),
            framing,
        }
    }

    /// The route the request falls under, if any.
    pub fn route(&self) -> Option<&'g Route> {
        self.route
    }

    /// How many body bytes to collect at most: the route's `max_bytes`, or
    /// the policy's.
    pub fn body_limit(&self) -> u64 {
        self.body_limit
    }

    /// The body length the head declares (`Content-Length`), when it
    /// declares one the guard could read.
    pub fn declared_length(&self) -> Option<u64> {
        self.framing.as_ref().ok().and_then(|f| f.declared)
    }

    /// The verdict on the head alone.
    pub fn verdict(&self) -> Verdict {
        self.guard
            .verdict(self.framing.as_ref().map(|_| None).map_err(Clone::clone))
    }

    /// Judges the request with its complete `body`.
    pub fn check(&self, body: &[u8]) -> Verdict {
        self.guard.verdict(self.inspect(body))
    }

    /// The finding: the rewritten URI if the query was clamped.
    fn inspect(&self, body: &[u8]) -> Result<Option<http::Uri>, Violation> {
        let framing = self.framing.as_ref().map_err(Clone::clone)?;
        if body.len() as u64 > self.body_limit {
            return Err(too_large("body", self.body_limit));
        }
        // A length that disagrees with the body is a framing trick: the
        // engine's server may read a different body than the guard did.
        if framing.declared.is_some_and(|len| len != body.len() as u64) {
            return Err(Violation::new(
                Code::InvalidHeader,
                "header:content-length",
                "Content-Length does not match the body",
            ));
        }
        super::query::QueryRules::new(self.guard, self.route, self.head)
            .check(|rules| super::body::inspect(self.guard, framing, body, rules))
    }
}

/// Refuses a method that differs from a standard one only in letter case.
///
/// # Security
///
/// Methods are case-sensitive (RFC 9110), and so are route rules, but
/// RESTEasy upper-cases the method before dispatching
/// (`HttpServletDispatcher.service`) and Tomcat passes any token through:
/// `get /engine-rest/task` would skip every `GET` rule and still run the
/// task list. Refusing is simpler to reason about than routing the
/// upper-cased method (the upstream would still receive `get`), and no real
/// client sends such methods. Methods that are no standard method in any
/// case are left to the routes (and the engine answers them 405).
fn check_method(method: &Method) -> Result<(), Violation> {
    const STANDARD: [&str; 9] = [
        "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
    ];
    let name = method.as_str();
    if STANDARD
        .iter()
        .any(|m| m.eq_ignore_ascii_case(name) && *m != name)
    {
        return Err(Violation::new(
            Code::MethodInvalid,
            "method",
            "the request method differs from a standard method only in letter case",
        ));
    }
    Ok(())
}

/// Reads the framing headers once; `max_bytes` is the body limit a
/// declared length is held to.
fn framing(headers: &HeaderMap, max_bytes: u64) -> Result<Framing<'_>, Violation> {
    // A compressed body is inspected as the engine would read it, so an
    // unknown coding is refused before the body is read.
    let coding = match single_header(headers, &CONTENT_ENCODING)? {
        Some(value) => compression::coding(value)?,
        None => Coding::Identity,
    };
    // `Connection` names headers a proxy must drop: one that names the
    // headers the verdict rests on would have the engine read the body
    // differently from the guard.
    for value in headers.get_all(CONNECTION) {
        let value = value.to_str().map_err(|_| unreadable(&CONNECTION))?;
        let framing = value.split(',').map(str::trim).any(|name| {
            [
                "content-type",
                "content-length",
                "content-encoding",
                "transfer-encoding",
                "host",
            ]
            .iter()
            .any(|h| name.eq_ignore_ascii_case(h))
        });
        if framing {
            return Err(unreadable(&CONNECTION));
        }
    }
    let declared = match single_header(headers, &CONTENT_LENGTH)? {
        None => None,
        Some(value) => {
            // RFC 9110: 1*DIGIT. No sign, no blanks, no list.
            if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
                return Err(unreadable(&CONTENT_LENGTH));
            }
            // All digits, so the only parse failure is overflow: too large.
            let declared = value.parse::<u64>().unwrap_or(u64::MAX);
            if declared > max_bytes {
                return Err(too_large("header:content-length", max_bytes));
            }
            Some(declared)
        }
    };
    let media = match single_header(headers, &CONTENT_TYPE) {
        // An empty value names no type: 415 as for none, not 400.
        Ok(Some(value)) if value.trim_matches([' ', '\t']).is_empty() => Ok(None),
        Ok(Some(value)) => media_type::parse(value)
            .map(Some)
            .ok_or_else(|| unreadable(&CONTENT_TYPE)),
        Ok(None) => Ok(None),
        Err(violation) => Err(violation),
    };
    Ok(Framing {
        declared,
        coding,
        media,
    })
}

pub(super) fn too_large(location: &'static str, max: u64) -> Violation {
    Violation::new(
        Code::BodyTooLarge,
        location,
        format!("request body is larger than {max} bytes"),
    )
}

fn unreadable(name: &HeaderName) -> Violation {
    Violation::new(
        Code::InvalidHeader,
        format!("header:{name}"),
        format!("the {name} header cannot be read unambiguously"),
    )
}

/// The value of a header that must appear at most once, as text.
fn single_header<'h>(
    headers: &'h HeaderMap,
    name: &HeaderName,
) -> Result<Option<&'h str>, Violation> {
    let mut values = headers.get_all(name).iter();
    let Some(first) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(unreadable(name));
    }
    first.to_str().map(Some).map_err(|_| unreadable(name))
}
