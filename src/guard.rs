//! The sans-IO core: a policy compiled once, asked once per request.

use http::header::{CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE};
use http::request::Parts;
use http::{HeaderMap, HeaderName, Uri};

use crate::classes::ClassFilter;
use crate::inspect::compression::{self, Coding};
use crate::inspect::json::{self, JsonInspector, PagingMember};
use crate::inspect::media_type::{self, BodyKind};
use crate::inspect::multipart;
use crate::inspect::path;
use crate::inspect::query::{self, Paging};
use crate::inspect::xml::XmlInspector;
use crate::policy::{Expressions, Mode, OnExcess, Policy, Route, UnknownTypes};
use crate::routes::RouteTable;
use crate::violation::{Code, Violation};

/// What to do with a request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub enum Verdict {
    /// Pass the request on unchanged.
    Allow,
    /// Pass the request on with this URI instead of its own (a clamped
    /// `maxResults`, for example).
    Rewrite(Uri),
    /// Refuse the request.
    Reject(Violation),
    /// The policy is in report mode: pass the request on, and record the
    /// violation that enforce mode would have rejected.
    Report(Violation),
}

impl Verdict {
    /// Whether the request goes on to the service (allow, rewrite, report).
    pub fn is_allowed(&self) -> bool {
        !matches!(self, Verdict::Reject(_))
    }

    /// The violation found, whether enforced or only reported.
    pub fn violation(&self) -> Option<&Violation> {
        match self {
            Verdict::Reject(v) | Verdict::Report(v) => Some(v),
            Verdict::Allow | Verdict::Rewrite(_) => None,
        }
    }
}

/// What [`Guard::head`] found in a request head.
#[derive(Debug, Clone)]
pub struct HeadCheck<'g> {
    /// `Err` when the path cannot be read (the verdict says why).
    route: Result<Option<&'g Route>, ()>,
    body_limit: u64,
    verdict: Verdict,
}

impl<'g> HeadCheck<'g> {
    /// The route the request falls under, if any.
    pub fn route(&self) -> Option<&'g Route> {
        self.route.ok().flatten()
    }

    /// How many body bytes to collect at most.
    pub fn body_limit(&self) -> u64 {
        self.body_limit
    }

    /// The verdict on the head alone.
    pub fn verdict(&self) -> &Verdict {
        &self.verdict
    }
}

/// A compiled policy that judges requests.
///
/// Build it once at start-up and share it (`Arc<Guard>`); checks take
/// `&self` and never allocate on the accept path.
///
/// ```
/// use input_guard::{Guard, Verdict, policy::Policy};
///
/// let guard = Guard::new(Policy::from_toml("[body]\nmax_bytes = 4\n")?);
/// let (head, ()) = http::Request::post("/engine-rest/message")
///     .header("content-type", "application/json")
///     .body(())?
///     .into_parts();
/// let verdict = guard.check(&head, b"{\"a\":1}");
/// assert_eq!(verdict.violation().unwrap().code().as_str(), "body-too-large");
/// assert_eq!(guard.check(&head, b""), Verdict::Allow);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Guard {
    policy: Policy,
    classes: ClassFilter,
    xml: XmlInspector,
    routes: RouteTable,
}

impl Guard {
    /// Compiles `policy`.
    pub fn new(policy: Policy) -> Self {
        let classes = ClassFilter::with_value_types(
            policy.classes.allow.iter().cloned(),
            policy.classes.deny.iter().cloned(),
            policy.classes.builtin_value_types,
        );
        let xml = XmlInspector::new(policy.xml.clone());
        let routes = RouteTable::new(&policy.routes, policy.builtin_routes);
        Guard {
            policy,
            classes,
            xml,
            routes,
        }
    }

    /// The policy the guard was built from.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The JSON inspector, borrowing this guard's class filter and XML
    /// inspector.
    pub fn json(&self) -> JsonInspector<'_> {
        JsonInspector::new(&self.policy, &self.classes, &self.xml)
    }

    /// The XML inspector.
    pub fn xml(&self) -> &XmlInspector {
        &self.xml
    }

    /// The compiled class filter (policy rules plus the gadget list).
    pub fn class_filter(&self) -> &ClassFilter {
        &self.classes
    }

    /// Checks what can be checked before the body is read: the declared
    /// length, encoding and type. Adapters call this first so that an
    /// oversized upload is refused without reading it; [`Guard::check`]
    /// repeats it, so calling it is an optimisation, never a requirement.
    pub fn check_head(&self, head: &Parts) -> Verdict {
        self.head(head).verdict
    }

    /// Judges a whole request: its head and its complete body.
    pub fn check(&self, head: &Parts, body: &[u8]) -> Verdict {
        self.check_with(&self.head(head), head, body)
    }

    /// Reads the head once: the route, the body limit, and the verdict on
    /// the head alone. Adapters keep it for [`Guard::check_with`], so the
    /// path is normalised and matched once per request.
    pub fn head(&self, head: &Parts) -> HeadCheck<'_> {
        match self.route(head) {
            Ok(route) => {
                let body_limit = self.max_bytes(route);
                let violation = self.inspect_head(&head.headers, body_limit).err();
                HeadCheck {
                    route: Ok(route),
                    body_limit,
                    verdict: self.verdict(violation, None),
                }
            }
            Err(violation) => HeadCheck {
                route: Err(()),
                body_limit: self.policy.body.max_bytes,
                verdict: self.verdict(Some(violation), None),
            },
        }
    }

    /// [`Guard::check`] for a head already read with [`Guard::head`].
    pub fn check_with(&self, checked: &HeadCheck<'_>, head: &Parts, body: &[u8]) -> Verdict {
        let Ok(route) = checked.route else {
            return checked.verdict.clone();
        };
        match self.inspect(head, route, checked.body_limit, body) {
            Ok(rewritten) => self.verdict(None, rewritten),
            Err(violation) => self.verdict(Some(violation), None),
        }
    }

    /// The route the request falls under, after reading its method and path
    /// the way the server will (see [`path::normalize`]); an unreadable path,
    /// or a method spelled in another letter case, is a violation.
    pub fn route(&self, head: &Parts) -> Result<Option<&Route>, Violation> {
        check_method(&head.method)?;
        let path = path::normalize(head.uri.path())?;
        Ok(self.routes.find(&head.method, &path))
    }

    /// The body limit for this request: its route's `max_bytes`, or the
    /// policy's. Adapters collect at most this much.
    pub fn body_limit(&self, head: &Parts) -> u64 {
        self.max_bytes(self.route(head).ok().flatten())
    }

    fn max_bytes(&self, route: Option<&Route>) -> u64 {
        route
            .and_then(|r| r.max_bytes)
            .unwrap_or(self.policy.body.max_bytes)
    }

    fn verdict(&self, violation: Option<Violation>, rewritten: Option<Uri>) -> Verdict {
        match (violation, self.policy.mode, rewritten) {
            (None, _, None) => Verdict::Allow,
            (None, _, Some(uri)) => Verdict::Rewrite(uri),
            (Some(v), Mode::Enforce, _) => Verdict::Reject(v),
            (Some(v), Mode::Report, _) => Verdict::Report(v),
        }
    }

    /// Returns the rewritten URI, if the query was clamped.
    fn inspect(
        &self,
        head: &Parts,
        route: Option<&Route>,
        max_bytes: u64,
        body: &[u8],
    ) -> Result<Option<Uri>, Violation> {
        let declared = self.inspect_head(&head.headers, max_bytes)?;
        if body.len() as u64 > max_bytes {
            return Err(too_large("body", max_bytes));
        }
        // A length that disagrees with the body is a framing trick: the
        // engine's server may read a different body than the guard did.
        if declared.is_some_and(|len| len != body.len() as u64) {
            return Err(Violation::new(
                Code::InvalidHeader,
                "header:content-length",
                "Content-Length does not match the body",
            ));
        }
        // Expressions are refused in the query string of every query
        // route, and in the body of task queries (whose JSON bodies are
        // queries the engine evaluates).
        let query_route = route.filter(|r| r.list_query || r.task_query);
        let no_expressions = query_route.is_some_and(|r| {
            r.expressions.unwrap_or(self.policy.query.expressions) == Expressions::Forbid
        });
        let forbid_expressions = no_expressions && route.is_some_and(|r| r.task_query);
        let list_query = route.filter(|r| r.list_query);
        let query = head.uri.query().unwrap_or("");
        let params = if list_query.is_some() || no_expressions {
            query::parse(query)?
        } else {
            Vec::new()
        };
        if no_expressions {
            query::check_expressions(&params)?;
        }
        let paging = list_query.map(|route| self.paging(route));
        if let Some(paging) = paging {
            // The query string's paging values first: a bad one fails
            // before the body is inspected. Whether the query is bounded
            // at all also depends on the body.
            let values_only = Paging {
                require_max_results: false,
                ..paging
            };
            query::check_paging(query, &params, &[], values_only)?;
        }
        let body_paging = self.inspect_body(head, body, forbid_expressions, paging.is_some())?;
        let Some(paging) = paging else {
            return Ok(None);
        };
        let Some(new_query) = query::check_paging(query, &params, &body_paging, paging)? else {
            return Ok(None);
        };
        let mut parts = head.uri.clone().into_parts();
        parts.path_and_query = format!("{}?{new_query}", head.uri.path()).parse().ok();
        Uri::from_parts(parts).map(Some).map_err(|_| {
            Violation::new(
                Code::QueryMalformed,
                "query",
                "the query cannot be rewritten",
            )
        })
    }

    fn paging(&self, route: &Route) -> Paging {
        let cap = route.max_results.unwrap_or(self.policy.query.max_results);
        Paging {
            cap: (cap > 0).then_some(cap),
            clamp: self.policy.query.on_excess == OnExcess::Clamp,
            require_max_results: self.policy.query.require_max_results,
        }
    }

    /// Inspects the body; for a list query (`paging`), returns the paging
    /// members of a JSON body.
    fn inspect_body(
        &self,
        head: &Parts,
        body: &[u8],
        forbid_expressions: bool,
        paging: bool,
    ) -> Result<Vec<PagingMember>, Violation> {
        if body.is_empty() {
            return Ok(Vec::new());
        }
        // A compressed body is inspected as the engine would read it.
        let coding = match single_header(&head.headers, &CONTENT_ENCODING)? {
            Some(value) => compression::coding(value)?,
            None => Coding::Identity,
        };
        let inflated;
        let body = if coding == Coding::Identity {
            body
        } else {
            let limits = &self.policy.body;
            inflated = compression::inflate(
                body,
                coding,
                limits.max_inflated_bytes,
                limits.max_inflate_ratio,
            )?;
            &inflated[..]
        };
        let media = match single_header(&head.headers, &CONTENT_TYPE)? {
            // An empty value names no type: 415 as for none, not 400.
            Some(value) if value.trim_matches([' ', '\t']).is_empty() => None,
            Some(value) => Some(media_type::parse(value).ok_or_else(|| unreadable(&CONTENT_TYPE))?),
            None => None,
        };
        let kind = match &media {
            Some(media) => media.kind(),
            None => BodyKind::Other,
        };
        let charset = media.as_ref().and_then(|m| m.charset);
        match kind {
            BodyKind::Multipart => {
                let boundary = media.as_ref().and_then(|m| m.boundary).unwrap_or_default();
                let parts = multipart::parse(body, boundary, self.policy.body.max_parts)?;
                for part in &parts {
                    self.inspect_part(part, forbid_expressions)?;
                }
                Ok(Vec::new())
            }
            BodyKind::Other => match (self.policy.body.unknown_types, sniff(body)) {
                (UnknownTypes::Sniff, Some(kind)) => {
                    self.inspect_document(kind, body, None, forbid_expressions)?;
                    Ok(paging_of(kind, body, None, paging)?)
                }
                _ => Err(Violation::new(
                    Code::UnsupportedMediaType,
                    "header:content-type",
                    match &media {
                        Some(media) => format!("content type {} is not accepted", media.essence),
                        None => "a request body needs a Content-Type".to_owned(),
                    },
                )),
            },
            kind => {
                self.inspect_document(kind, body, charset, forbid_expressions)?;
                Ok(paging_of(kind, body, charset, paging)?)
            }
        }
    }

    /// An XML or JSON document.
    fn inspect_document(
        &self,
        kind: BodyKind,
        body: &[u8],
        charset: Option<&str>,
        forbid_expressions: bool,
    ) -> Result<(), Violation> {
        match kind {
            BodyKind::Xml => self.xml.inspect(body, charset),
            BodyKind::Json => self
                .json()
                .forbid_expressions(forbid_expressions)
                .inspect(body, charset),
            BodyKind::Multipart | BodyKind::Other => Err(Violation::new(
                Code::MultipartMalformed,
                "body",
                "a multipart part of a kind that cannot be inspected here",
            )),
        }
    }

    /// One part of a `multipart/form-data` body: by its content type, or by
    /// its file name (deployment resources), or, for Camunda's variable
    /// upload `type` field, as a Java type name. Other parts (form fields,
    /// binary files) carry nothing an engine parses as code or XML.
    fn inspect_part(
        &self,
        part: &multipart::Part<'_>,
        forbid_expressions: bool,
    ) -> Result<(), Violation> {
        let label = part.filename.as_deref().unwrap_or(&part.name);
        let media = match part.content_type {
            Some(value) => Some(media_type::parse(value).ok_or_else(|| {
                Violation::new(
                    Code::MultipartMalformed,
                    format!("part:{label}"),
                    "an unreadable part Content-Type",
                )
            })?),
            None => None,
        };
        // Camunda matches part content types as lower-cased text, not as
        // parsed media types; these rules do the same, on one copy.
        let lower_type = part.content_type.map(str::to_ascii_lowercase);
        let lower_type = lower_type.as_deref().unwrap_or("");
        let mut by_type = media.as_ref().map_or(BodyKind::Other, |m| m.kind());
        // Camunda's variable upload deserializes a `data` part with Jackson
        // when its content type merely *contains* `application/json`
        // (`AbstractVariablesResource`: `toLowerCase().contains(...)`), so
        // `application/json-seq` or `text/plain; x=application/json` is JSON too.
        if by_type == BodyKind::Other && lower_type.contains("application/json") {
            by_type = BodyKind::Json;
        }
        // The deprecated `type` field names the class that part is read
        // into. Camunda takes the field by name alone, file name or not.
        if part.name == "type" {
            self.check_type_part(part.body)
                .map_err(|v| v.relocated(&format!("part:{label}"), part.offset))?;
        }
        // Camunda refuses serialized Java in a variable upload itself today;
        // the guard refuses it wherever a part declares it, as it does for
        // typed variables, so that an engine configured otherwise is covered.
        if !self.policy.classes.allow_java_serialization
            && lower_type.contains("application/x-java-serialized-object")
        {
            return Err(Violation::new(
                Code::JavaSerializationNotAllowed,
                format!("part:{label}"),
                "a part declared as serialized Java",
            )
            .at_offset(part.offset));
        }
        // commons-fileupload reads a part of type `multipart/mixed` as a
        // nested body whose files it hands on under the outer name; the guard
        // refuses every nested multipart type rather than split it too.
        if by_type == BodyKind::Multipart || lower_type.starts_with("multipart") {
            return Err(Violation::new(
                Code::MultipartMalformed,
                format!("part:{label}"),
                "nested multipart bodies are not accepted",
            ));
        }
        // A resource the engine parses by its name is inspected as what the
        // engine parses it as, whatever its content type says; a content
        // type that announces something else is inspected as that too (a
        // body cannot pass both unless it is both).
        let by_name = part
            .filename
            .as_deref()
            .map_or(BodyKind::Other, kind_of_file);
        // The engine reads a part's bytes without its `charset`: Xerces
        // settles a model's encoding from its byte order mark and declaration,
        // Jackson a JSON part's from its first bytes. So does the guard.
        let charset = None;
        let second = if by_name == by_type {
            BodyKind::Other
        } else {
            by_name
        };
        for kind in [by_type, second] {
            if matches!(kind, BodyKind::Xml | BodyKind::Json) {
                self.inspect_document(kind, part.body, charset, forbid_expressions)
                    .map_err(|v| v.relocated(&format!("part:{label}"), part.offset))?;
            }
        }
        Ok(())
    }

    /// Camunda's deprecated variable upload sends the Java type to
    /// deserialize the `data` part into as a `type` form field.
    fn check_type_part(&self, body: &[u8]) -> Result<(), Violation> {
        let name = std::str::from_utf8(body)
            .map(str::trim)
            .unwrap_or("\u{fffd}");
        match self.classes.check(name) {
            crate::classes::TypeDecision::Allowed => Ok(()),
            _ => Err(Violation::new(
                Code::ClassNotAllowed,
                "",
                "the type part names a class that is not allowed",
            )),
        }
    }

    /// Returns the declared `Content-Length`, if any.
    fn inspect_head(&self, headers: &HeaderMap, max_bytes: u64) -> Result<Option<u64>, Violation> {
        if let Some(value) = single_header(headers, &CONTENT_ENCODING)? {
            compression::coding(value)?;
        }
        // `Connection` names headers a proxy must drop: one that names the
        // headers the verdict rests on would have the engine read the body
        // differently from the guard.
        for value in headers.get_all(http::header::CONNECTION) {
            let value = value
                .to_str()
                .map_err(|_| unreadable(&http::header::CONNECTION))?;
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
                return Err(unreadable(&http::header::CONNECTION));
            }
        }
        let Some(value) = single_header(headers, &CONTENT_LENGTH)? else {
            return Ok(None);
        };
        // RFC 9110: 1*DIGIT. No sign, no blanks, no list.
        if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(unreadable(&CONTENT_LENGTH));
        }
        // All digits, so the only parse failure is overflow: too large.
        let declared = value.parse::<u64>().unwrap_or(u64::MAX);
        if declared > max_bytes {
            return Err(too_large("header:content-length", max_bytes));
        }
        Ok(Some(declared))
    }
}

/// The paging members of a list query's body, when it is JSON.
fn paging_of(
    kind: BodyKind,
    body: &[u8],
    charset: Option<&str>,
    paging: bool,
) -> Result<Vec<PagingMember>, Violation> {
    if paging && kind == BodyKind::Json {
        json::paging_members(body, charset)
    } else {
        Ok(Vec::new())
    }
}

/// Deployment resources by file name, as Camunda's deployers recognise
/// them and, beyond that, by the guard's own extension rules.
///
/// # Security
///
/// A deployer parses a resource when its name *ends with* one of its
/// suffixes, with no dot and case-sensitively
/// (`AbstractDefinitionDeployer.isResourceHandled`; `bpmn20.xml`, `bpmn`,
/// `cmmn11.xml`, `cmmn10.xml`, `cmmn`, `dmn11.xml`, `dmn`): `pbpmn` and
/// `p.xbpmn` are BPMN to the engine. The guard matches the same suffixes
/// without regard to case (a superset), plus `.xml`. The name is the one
/// the engine sees, already trimmed as commons-fileupload trims it.
///
/// `.json` resources are inspected as JSON; Camunda Forms (`.form`) are
/// stored as they are and never parsed by the engine, so they are not
/// required to be JSON.
fn kind_of_file(filename: &str) -> BodyKind {
    let lower = filename.to_ascii_lowercase();
    if ["bpmn", "cmmn", "dmn", ".xml"]
        .iter()
        .any(|suffix| lower.ends_with(suffix))
    {
        BodyKind::Xml
    } else if lower.ends_with(".json") {
        BodyKind::Json
    } else {
        BodyKind::Other
    }
}

/// What a body without a usable content type looks like: JSON by `{` or
/// `[`, XML by `<`, after white space (and a UTF-8 BOM).
fn sniff(body: &[u8]) -> Option<BodyKind> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{' | b'[') => Some(BodyKind::Json),
        Some(b'<') => Some(BodyKind::Xml),
        _ => None,
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
fn check_method(method: &http::Method) -> Result<(), Violation> {
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

fn too_large(location: &'static str, max: u64) -> Violation {
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
