//! The request head, read once: method, request filtering (`[request]`),
//! path and route, the route's client networks, head hygiene, and the
//! framing headers the body is judged by.

use http::header::{
    CONNECTION, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, HOST, TRANSFER_ENCODING,
};
use http::request::Parts;
use http::{HeaderMap, HeaderName, Method, Version};

use super::cors::Cors;
use super::{ClientAddr, Guard, Verdict};
use crate::inspect::compression::{self, Coding};
use crate::inspect::path;
use crate::media_type::{self, MediaType};
use crate::policy::{RequestPolicy, Route};
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
    /// What `[cors]` says of the request's origin.
    cors: Cors,
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
        let request = &guard.policy.request;
        // In the order a server reads the head: request line, headers,
        // then what the path means (its route, who may use it), then the
        // headers the body is framed by.
        let route = check_method(&head.method)
            .and_then(|()| filter(request, head))
            .and_then(|()| path::normalize(head.uri.path()))
            .map(|path| guard.routes.find(&head.method, &path));
        let mut cors = Cors::NotJudged;
        let (route, framing) = match route {
            Ok(route) => {
                let limit = guard.max_bytes(route);
                let framing = admit(route, head)
                    .and_then(|()| hygiene(request, head))
                    .and_then(|()| {
                        // Only with a `[cors]` section: without one, `Origin`
                        // is the engine's business.
                        if let Some(policy) = &guard.policy.cors {
                            cors = super::cors::judge(policy, head);
                        }
                        match &cors {
                            Cors::Refused(violation) => Err(violation.clone()),
                            _ => Ok(()),
                        }
                    })
                    .and_then(|()| framing(&head.headers, limit));
                (route, framing)
            }
            Err(violation) => (None, Err(violation)),
        };
        HeadCheck {
            guard,
            head,
            route,
            body_limit: guard.max_bytes(route),
            framing,
            cors,
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

    /// For a CORS preflight from an origin the policy's `[cors]` allows:
    /// the headers to answer it with (204, never forwarded). The layer
    /// answers it so.
    pub fn cors_preflight(&self) -> Option<&HeaderMap> {
        match &self.cors {
            Cors::Preflight(headers) => Some(headers),
            _ => None,
        }
    }

    /// For a request from an origin the policy's `[cors]` allows: the
    /// `Access-Control-Allow-*` headers its answer gets. The layer adds
    /// them.
    pub fn cors_headers(&self) -> Option<&HeaderMap> {
        match &self.cors {
            Cors::Allowed(headers) => Some(headers),
            _ => None,
        }
    }

    /// The verdict on the head alone.
    pub fn verdict(&self) -> Verdict {
        self.verdict_for(self.framing.as_ref().map(|_| None).map_err(Clone::clone))
    }

    /// A finding on this request as a verdict: by the route's own `mode`
    /// when it has one, else the policy's. Adapters use it for what only
    /// they find (a body over its limit while it streams).
    pub(crate) fn verdict_for(&self, finding: Result<Option<http::Uri>, Violation>) -> Verdict {
        self.guard.verdict_on(self.route, finding)
    }

    /// Judges the request with its complete `body`.
    pub fn check(&self, body: &[u8]) -> Verdict {
        let found = self.inspect(body, true);
        // A route that relaxes a rule (`skip`, `classes_allow`) lets through
        // what the policy alone would refuse: that is recorded as a report
        // naming the exception, so that every use of an exception leaves a
        // trace. (A clamped query keeps its rewrite instead.)
        if let (Ok(None), Some(route)) = (&found, self.route.filter(|r| r.relaxes()))
            && let Err(violation) = self.inspect(body, false)
        {
            let code = violation.code();
            let how = if route.skips(code) {
                format!("skip {code}")
            } else if code == Code::ClassNotAllowed && !route.classes_allow.is_empty() {
                "classes_allow".to_owned()
            } else {
                "xml".to_owned()
            };
            let exception = format!("route `{}`: {how}", route.name);
            return Verdict::Report(violation.under_exception(exception));
        }
        self.verdict_for(found)
    }

    /// The finding: the rewritten URI if the query was clamped.
    fn inspect(&self, body: &[u8], exceptions: bool) -> Result<Option<http::Uri>, Violation> {
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
        super::query::QueryRules::new(self.guard, self.route, self.head, exceptions)
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

/// Request filtering (`[request]`): the method, the sizes of the request
/// target and of the header section, and double encoding in the path.
///
/// # Security
///
/// The sizes are what the engine's server refuses anyway (Tomcat: 8 KiB of
/// request line and headers, 100 headers); refusing them here, before any
/// parsing, keeps oversized heads from the guard's own work and the
/// upstream's, with a code of their own.
fn filter(request: &RequestPolicy, head: &Parts) -> Result<(), Violation> {
    if !request.methods.contains(&head.method) {
        return Err(Violation::new(
            Code::MethodNotAllowed,
            "method",
            format!("the method {} is not allowed", head.method),
        ));
    }
    // The request target as sent (origin form: path and query with its
    // `?`), whatever form the URI arrived in: HTTP/2's authority and an
    // absolute-form scheme and host are not part of what Tomcat's limit
    // and the engine's URL lengths count.
    let target = head
        .uri
        .path_and_query()
        .map_or(head.uri.path().len(), |pq| pq.as_str().len());
    if target as u64 > request.max_url_bytes {
        return Err(Violation::new(
            Code::UrlTooLong,
            "uri",
            format!(
                "the request URL is longer than {} bytes",
                request.max_url_bytes
            ),
        ));
    }
    let query = head.uri.query().map_or(0, str::len);
    if query as u64 > request.max_query_bytes {
        return Err(Violation::new(
            Code::QueryTooLong,
            "query",
            format!(
                "the query string is longer than {} bytes",
                request.max_query_bytes
            ),
        ));
    }
    // `len` counts every value, so a name sent twice counts twice, as on
    // the wire.
    if head.headers.len() as u64 > request.max_headers {
        return Err(Violation::new(
            Code::TooManyHeaders,
            "headers",
            format!("more than {} request headers", request.max_headers),
        ));
    }
    // Each field as it goes on the HTTP/1.1 wire: `name: value` and CRLF.
    let mut bytes = 0u64;
    for (name, value) in &head.headers {
        bytes = bytes.saturating_add((name.as_str().len() + value.len() + 4) as u64);
        if bytes > request.max_header_bytes {
            return Err(Violation::new(
                Code::HeadersTooLarge,
                "headers",
                format!(
                    "the request headers are larger than {} bytes",
                    request.max_header_bytes
                ),
            ));
        }
    }
    if !request.allow_double_encoded_paths && double_encoded(head.uri.path()) {
        return Err(Violation::new(
            Code::PathDoubleEncoded,
            "path",
            "the path is percent-encoded twice (`%25` followed by two hex digits)",
        ));
    }
    Ok(())
}

/// Whether `path` holds `%25` followed by two hex digits: an escape that
/// decodes to another escape.
///
/// # Security
///
/// The guard decodes the path once, as Tomcat does; `%252e%252e` is then
/// the text `%2e%2e`, harmless to the guard. Any layer behind it that
/// decodes once more (a second proxy, a servlet filter, an application
/// that decodes path parameters again) reads `..`: the guard and the
/// engine would judge different paths. No client needs to send a literal
/// `%` followed by hex digits in a path.
fn double_encoded(path: &str) -> bool {
    path.as_bytes().windows(5).any(|w| {
        w[0] == b'%'
            && w[1] == b'2'
            && w[2] == b'5'
            && w[3].is_ascii_hexdigit()
            && w[4].is_ascii_hexdigit()
    })
}

/// Whether the request's client may use `route` (`allow_networks`).
///
/// # Security
///
/// The client is the one the request's [`ClientAddr`] names: whoever
/// accepted the connection knows which proxies to trust, the guard does
/// not, and never reads `X-Forwarded-For` itself. Without a `ClientAddr`
/// the client is unknown and a restricted route is refused (fail closed).
fn admit(route: Option<&Route>, head: &Parts) -> Result<(), Violation> {
    let client = head.extensions.get::<ClientAddr>().map(ClientAddr::client);
    match route {
        Some(route) if !route.admits(client) => Err(Violation::new(
            Code::NetworkNotAllowed,
            "client",
            if client.is_some() {
                "this route is not open to the client's network"
            } else {
                "this route is open to some networks only, and the client is unknown"
            },
        )),
        _ => Ok(()),
    }
}

/// Head hygiene: what a proxy in front of Tomcat would pass on and Tomcat
/// refuses or reads otherwise than the guard.
///
/// # Security
///
/// * `Host` twice (or as a list): a proxy forwards both, `X-Forwarded-Host`
///   takes the first, Tomcat refuses the request or takes another; virtual
///   hosts and any rule keyed on the host would disagree.
/// * No `Host` on HTTP/1.1 (with `require_host`): Tomcat answers 400.
///   HTTP/2 and HTTP/3 carry the host as the `:authority` of the URI and
///   HTTP/1.0 has none, so only HTTP/1.1 needs the header.
/// * `Transfer-Encoding` other than exactly one `chunked` (`chunked,
///   chunked`, `gzip, chunked`, two headers), or beside a `Content-Length`:
///   the framing request smuggling lives on. Servers disagree on which
///   length wins, and on codings the guard did not decode.
fn hygiene(request: &RequestPolicy, head: &Parts) -> Result<(), Violation> {
    let headers = &head.headers;
    let mut hosts = headers.get_all(HOST).iter();
    match (hosts.next(), hosts.next()) {
        (Some(_), Some(_)) => return Err(unreadable(&HOST)),
        (Some(host), None) => {
            if !host.as_bytes().iter().all(|&b| host_byte(b)) {
                return Err(unreadable(&HOST));
            }
        }
        (None, _) => {
            if request.require_host && head.version == Version::HTTP_11 {
                return Err(Violation::new(
                    Code::InvalidHeader,
                    "header:host",
                    "an HTTP/1.1 request needs a Host header",
                ));
            }
        }
    }
    let mut codings = headers.get_all(TRANSFER_ENCODING).iter();
    if let Some(first) = codings.next() {
        let chunked = first
            .to_str()
            .is_ok_and(|v| v.trim_matches([' ', '\t']).eq_ignore_ascii_case("chunked"));
        if !chunked || codings.next().is_some() || headers.contains_key(CONTENT_LENGTH) {
            return Err(unreadable(&TRANSFER_ENCODING));
        }
    }
    Ok(())
}

/// A byte a `Host` value may hold: a host name, an IPv4 address, a
/// bracketed IPv6 address (with a zone's `%`), and a port. Separators
/// (`,` of a list, `/`, `@` of user information, `\`), blanks and
/// controls are refused: servers split such values differently.
fn host_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b':' | b'[' | b']' | b'%')
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
