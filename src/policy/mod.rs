//! Policies: what the guard allows, loaded once from TOML and validated.
//!
//! Every key has a safe default, so a file holding only
//! `[classes] allow = [...]` is a complete policy. Unknown keys are errors
//! (a typo must never silently fall back to a default), and every error
//! names the file, line, column and key. [`Policy::from_toml_all`] and
//! [`Policy::load_all`] report every error of a file at once (as
//! `input-guard validate` prints them); [`Policy::from_toml`] and
//! [`Policy::load`] the first. Byte sizes take units (`"10MiB"`, see
//! [`ByteSize`]). `policies/README.md` documents every key.
//!
//! ```
//! use input_guard::policy::{Mode, Policy};
//!
//! let policy = Policy::from_toml(r#"
//!     mode = "report"
//!     [body]
//!     max_bytes = 1048576
//!     [classes]
//!     allow = ["java.util.*", "com.acme.model.**"]
//!     deny = ["com.acme.model.internal.**"]
//! "#)?;
//! assert_eq!(policy.mode, Mode::Report);
//! assert_eq!(policy.body.max_bytes, 1 << 20);
//! assert_eq!(policy.classes.allow.len(), 2);
//! assert_eq!(policy.xml.max_depth, 256); // the default
//! # Ok::<(), input_guard::policy::PolicyError>(())
//! ```

mod cors;
mod error;
mod network;
mod path_glob;
mod raw;
mod units;
mod validate;

use std::path::Path;

pub use cors::CorsPolicy;
pub use error::{PolicyError, PolicyErrorKind, PolicyErrors};
pub use network::{Network, NetworkError};
pub(crate) use path_glob::{PathGlob, split_path};
pub use units::{ByteSize, ByteSizeError};

use crate::classes::{BuiltinValueTypes, ClassPattern};

/// What the guard does with a violation.
///
/// ```
/// use input_guard::{Code, Guard, Policy, Verdict, policy::Mode};
///
/// let (head, ()) = http::Request::get("/engine-rest/task").body(())?.into_parts();
///
/// let enforce = Guard::new(Policy::default())?;
/// assert_eq!(enforce.policy().mode, Mode::Enforce);
/// let verdict = enforce.check(&head, b"");
/// assert!(matches!(verdict, Verdict::Reject(v) if v.code() == Code::QueryUnbounded));
///
/// let report = Guard::new(Policy::from_toml("mode = \"report\"")?)?;
/// let verdict = report.check(&head, b"");
/// assert!(verdict.is_allowed());
/// assert!(matches!(verdict, Verdict::Report(v) if v.code() == Code::QueryUnbounded));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Reject the request (the default).
    #[default]
    Enforce,
    /// Log the violation as an audit event and let the request through:
    /// for trying a policy on live traffic before enforcing it.
    Report,
}

/// A validated policy. Build one with [`Policy::load`],
/// [`Policy::from_toml`] or `Policy::default()` (the safe defaults, which
/// allow no classes at all).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Policy {
    /// `engine`: the engine the policy guards (default `"camunda7"`); see
    /// [`crate::engine`].
    pub engine: Engine,
    /// `mode`: enforce or report.
    pub mode: Mode,
    /// `[request]`: what a request head may look like (methods, sizes,
    /// double-encoded paths, `Host`).
    pub request: RequestPolicy,
    /// `[body]`: limits on request bodies.
    pub body: BodyPolicy,
    /// `[classes]`: the classes typed payloads may name.
    pub classes: ClassPolicy,
    /// `[xml]`: XML structure limits.
    pub xml: XmlPolicy,
    /// `[json]`: JSON limits and type-id rules.
    pub json: JsonPolicy,
    /// `[query]`: query-string rules.
    pub query: QueryPolicy,
    /// `[[routes]]`: per-route rules, first match wins.
    pub routes: Vec<Route>,
    /// `builtin_routes`: the routes tried after [`Policy::routes`].
    pub builtin_routes: BuiltinRoutes,
    /// `[upstream]`: how the `input-guard serve` gateway treats the
    /// engine's answers.
    pub upstream: UpstreamPolicy,
    /// `[cors]`: browser origins allowed to call the API; `None` (no
    /// section): `Origin` is not judged.
    pub cors: Option<CorsPolicy>,
}

/// `[upstream]`: what the `input-guard serve` gateway does with the
/// engine's answers (the layer passes answers on untouched).
///
/// ```
/// use input_guard::policy::Policy;
///
/// let policy = Policy::from_toml("[upstream]\nmax_error_bytes = \"16KiB\"\n")?;
/// assert!(policy.upstream.mask_errors);
/// assert_eq!(policy.upstream.max_error_bytes, 16 * 1024);
/// # Ok::<(), input_guard::policy::PolicyError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UpstreamPolicy {
    /// Replace a 5xx answer whose body is not the engine's own short error
    /// (an HTML error page, a stack trace, an exception chain) with a
    /// generic problem+json naming the request id, logging the original;
    /// default `true`.
    pub mask_errors: bool,
    /// The largest 5xx body that can be the engine's own error; longer
    /// ones are masked unread. Default 4 KiB.
    pub max_error_bytes: u64,
}

impl Default for UpstreamPolicy {
    fn default() -> Self {
        UpstreamPolicy {
            mask_errors: true,
            max_error_bytes: 4 * 1024,
        }
    }
}

/// `engine`: the engine a policy guards; its profile is
/// [`Engine::profile`] (in [`crate::engine`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Engine {
    /// `"camunda7"`: Camunda Platform 7's REST API (the default).
    #[default]
    Camunda7,
}

/// `builtin_routes`: route tables compiled into the crate, tried after the
/// policy's own `[[routes]]`.
///
/// A policy that names no routes must still cap the queries of the engine
/// it guards: a `[query] max_results` that applied nowhere would be a trap.
/// So by default the list and task-query endpoints of Camunda 7's REST API
/// (`src/engine/camunda7_routes.toml`, listed in `policies/README.md`) are
/// routes of every policy.
///
/// ```
/// use input_guard::{Guard, Policy, Verdict, policy::BuiltinRoutes};
///
/// let (head, ()) = http::Request::get("/engine-rest/task").body(())?.into_parts();
///
/// // By default the task list is a list query, which must bound its results.
/// let camunda = Guard::new(Policy::default())?;
/// assert_eq!(camunda.policy().builtin_routes, BuiltinRoutes::Camunda7);
/// assert!(!camunda.check(&head, b"").is_allowed());
///
/// // Without the table, no route covers the path, so no paging rule applies.
/// let bare = Guard::new(Policy::from_toml("builtin_routes = \"none\"")?)?;
/// assert_eq!(bare.check(&head, b""), Verdict::Allow);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BuiltinRoutes {
    /// `"camunda7"`: Camunda 7's list endpoints (paging rules) and task
    /// queries (expression rules), for the default engine, named ones and
    /// the webapps' copy of the API (the default).
    #[default]
    Camunda7,
    /// `"none"`: only the policy's own routes.
    None,
}

/// `[request]`: request filtering on the head, before the body is read, in
/// the manner of IIS request filtering: which methods, how long a URL and
/// query string, how many and how large the headers, whether the path may
/// be double-encoded, whether `Host` is required.
///
/// The size defaults are what Tomcat, the container Camunda 7 runs in,
/// accepts with its own defaults (`maxHttpHeaderSize` 8 KiB for the request
/// line and headers together, `maxHeaderCount` 100): the guard refuses
/// early, with its own code, what the engine's server would refuse anyway.
///
/// ```
/// use input_guard::{Code, Guard, Policy};
///
/// let policy = Policy::from_toml(r#"
///     [request]
///     methods = ["GET", "POST"]
///     max_query_bytes = "2KiB"
/// "#)?;
/// assert_eq!(policy.request.max_query_bytes, 2048);
/// assert_eq!(policy.request.max_headers, 100); // the default
/// let guard = Guard::new(policy)?;
/// let code = |method: &str, uri: &str| -> Result<Option<Code>, http::Error> {
///     let (head, ()) = http::Request::builder().method(method).uri(uri).body(())?.into_parts();
///     Ok(guard.check_head(&head).violation().map(|v| v.code()))
/// };
/// assert_eq!(code("GET", "/engine-rest/version")?, None);
/// assert_eq!(code("DELETE", "/engine-rest/task/1")?, Some(Code::MethodNotAllowed));
/// // `x=` and 2046 bytes: 2 KiB of query string, the most allowed.
/// let query = |n: usize| format!("/engine-rest/version?x={}", "a".repeat(n));
/// assert_eq!(code("GET", &query(2046))?, None);
/// assert_eq!(code("GET", &query(2047))?, Some(Code::QueryTooLong));
/// assert_eq!(code("GET", "/engine-rest/deployment/%252e%252e/x")?, Some(Code::PathDoubleEncoded));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestPolicy {
    /// `methods`: the methods requests may use (default: what Camunda 7's
    /// REST API uses, `GET`, `POST`, `PUT`, `DELETE`, `OPTIONS`, `HEAD`);
    /// others get 405 `method-not-allowed`. `TRACE` and `CONNECT` cannot
    /// be listed.
    pub methods: Vec<http::Method>,
    /// `max_url_bytes`: bytes of the request target as sent, path and
    /// query string with their `?`, still percent-encoded (default 8 KiB);
    /// longer gets 414 `url-too-long`.
    pub max_url_bytes: u64,
    /// `max_query_bytes`: bytes of the query string as sent, without the
    /// `?` (default 8 KiB); longer gets 414 `query-too-long`.
    pub max_query_bytes: u64,
    /// `max_headers`: header fields, each repetition of a name counted
    /// (default 100, Tomcat's `maxHeaderCount`); more get 431
    /// `too-many-headers`.
    pub max_headers: u64,
    /// `max_header_bytes`: the header section as it goes on the HTTP/1.1
    /// wire, every field counted as `name: value` and its line end (name +
    /// value + 4 bytes), the request line not included (default 8 KiB,
    /// Tomcat's `maxHttpHeaderSize`); larger gets 431 `headers-too-large`.
    pub max_header_bytes: u64,
    /// `allow_double_encoded_paths`: let paths holding `%25` followed by
    /// two hex digits (`%252e%252e`) through (default false: 400
    /// `path-double-encoded`).
    pub allow_double_encoded_paths: bool,
    /// `require_host`: refuse HTTP/1.1 requests without a `Host` header, as
    /// Tomcat does (default false; see `policies/README.md` for why).
    pub require_host: bool,
}

impl Default for RequestPolicy {
    fn default() -> Self {
        RequestPolicy {
            methods: DEFAULT_METHODS.to_vec(),
            max_url_bytes: 8 * 1024,
            max_query_bytes: 8 * 1024,
            max_headers: 100,
            max_header_bytes: 8 * 1024,
            allow_double_encoded_paths: false,
            require_host: false,
        }
    }
}

/// What Camunda 7's REST API uses: its resources answer `GET`, `POST`,
/// `PUT` and `DELETE` (no `PATCH`), JAX-RS answers `OPTIONS` and `HEAD`.
const DEFAULT_METHODS: [http::Method; 6] = [
    http::Method::GET,
    http::Method::POST,
    http::Method::PUT,
    http::Method::DELETE,
    http::Method::OPTIONS,
    http::Method::HEAD,
];

/// `policies/camunda.toml`, shipped inside the crate.
const CAMUNDA7_POLICY: &str = include_str!("../../policies/camunda.toml");

/// `[body]`.
///
/// ```
/// use input_guard::{Code, Guard, Policy};
///
/// let policy = Policy::from_toml("[body]\nmax_bytes = 1024")?;
/// assert_eq!(policy.body.max_bytes, 1024);
/// assert_eq!(policy.body.max_inflate_ratio, 100); // the default
/// let guard = Guard::new(policy)?;
///
/// // A declared length over the limit is refused before the body is read.
/// let (head, ()) = http::Request::post("/engine-rest/message")
///     .header("content-type", "application/json")
///     .header("content-length", "4096")
///     .body(())?
///     .into_parts();
/// let verdict = guard.check_head(&head);
/// let violation = verdict.violation().ok_or("refused")?;
/// assert_eq!(violation.code(), Code::BodyTooLarge);
/// assert_eq!(violation.location(), "header:content-length");
///
/// // So is a gzip body that inflates more than 100 times its size.
/// use std::io::Write;
/// let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
/// gzip.write_all(format!("[{}0]", "0,".repeat(50_000)).as_bytes())?;
/// let bomb = gzip.finish()?;
/// assert!(bomb.len() < 1024);
/// let (head, ()) = http::Request::post("/engine-rest/message")
///     .header("content-type", "application/json")
///     .header("content-encoding", "gzip")
///     .body(())?
///     .into_parts();
/// let verdict = guard.check(&head, &bomb);
/// assert_eq!(verdict.violation().map(|v| v.code()), Some(Code::BodyTooLarge));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BodyPolicy {
    /// `max_bytes`: larger bodies are rejected with 413 (default 10 MiB).
    pub max_bytes: u64,
    /// `max_inflated_bytes`: a gzip or deflate body may inflate to at most
    /// this many bytes (default 10 MiB); past it, 413.
    pub max_inflated_bytes: u64,
    /// `max_inflate_ratio`: and to at most this many times its compressed
    /// size (default 100), the usual sign of a decompression bomb.
    pub max_inflate_ratio: u64,
    /// `max_parts`: parts of one `multipart/form-data` body (default 100).
    pub max_parts: usize,
    /// `unknown_types`: what to do with a body whose content type the guard
    /// has no inspector for, or which has none.
    pub unknown_types: UnknownTypes,
}

impl Default for BodyPolicy {
    fn default() -> Self {
        BodyPolicy {
            max_bytes: 10 * 1024 * 1024,
            max_inflated_bytes: 10 * 1024 * 1024,
            max_inflate_ratio: 100,
            max_parts: 100,
            unknown_types: UnknownTypes::Reject,
        }
    }
}

/// `[body] unknown_types`.
///
/// ```
/// use input_guard::{Code, Guard, Policy, Verdict, policy::UnknownTypes};
///
/// let (head, ()) = http::Request::post("/engine-rest/message")
///     .header("content-type", "text/plain")
///     .body(())?
///     .into_parts();
/// let code = |guard: &Guard, body: &[u8]| guard.check(&head, body).violation().map(|v| v.code());
///
/// let reject = Guard::new(Policy::default())?;
/// assert_eq!(reject.policy().body.unknown_types, UnknownTypes::Reject);
/// assert_eq!(code(&reject, br#"{"a": 1}"#), Some(Code::UnsupportedMediaType));
///
/// let sniff = Guard::new(Policy::from_toml("[body]\nunknown_types = \"sniff\"")?)?;
/// assert_eq!(sniff.check(&head, br#" {"a": 1}"#), Verdict::Allow);
/// assert_eq!(code(&sniff, b"<!DOCTYPE x><x/>"), Some(Code::XmlDoctype));
/// assert_eq!(code(&sniff, b"plain text"), Some(Code::UnsupportedMediaType));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UnknownTypes {
    /// `"reject"`: 415 `unsupported-media-type` (the default).
    #[default]
    Reject,
    /// `"sniff"`: a body that starts (after white space) with `{` or `[`
    /// is inspected as JSON, with `<` as XML; anything else is rejected.
    Sniff,
}

/// `[classes]`.
///
/// ```
/// use input_guard::{Code, Guard, Policy};
///
/// let policy = Policy::from_toml(r#"
///     [classes]
///     allow = ["com.acme.model.**"]
///     deny = ["com.acme.model.internal.**"]
/// "#)?;
/// assert_eq!(policy.classes.allow[0].to_string(), "com.acme.model.**");
/// assert!(!policy.classes.allow_java_serialization);
/// let guard = Guard::new(policy)?;
///
/// // The filter checks every class a typed variable names.
/// let variable = |class: &str, format: &str| {
///     format!(r#"{{"variables": {{"order": {{"type": "Object", "value": "{{}}",
///         "valueInfo": {{"objectTypeName": "{class}", "serializationDataFormat": "{format}"}}}}}}}}"#)
/// };
/// let code = |body: String| guard.json().inspect(body.as_bytes(), None).map_err(|v| v.code());
/// let json = "application/json";
/// assert_eq!(code(variable("java.util.ArrayList<com.acme.model.Order>", json)), Ok(()));
/// assert_eq!(code(variable("com.acme.model.internal.Key", json)), Err(Code::ClassNotAllowed));
/// assert_eq!(
///     code(variable("com.acme.model.Order", "application/x-java-serialized-object")),
///     Err(Code::JavaSerializationNotAllowed),
/// );
/// # Ok::<(), input_guard::policy::PolicyError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ClassPolicy {
    /// `allow`: patterns of classes payloads may name (default: none).
    pub allow: Vec<ClassPattern>,
    /// `deny`: patterns denied even when allowed (default: none; the
    /// built-in gadget list always applies on top).
    pub deny: Vec<ClassPattern>,
    /// `allow_java_serialization`: accept typed variables in
    /// `application/x-java-serialized-object` format (default false, as
    /// Camunda's `javaSerializationFormatEnabled`). Their bytes are an
    /// opaque Java stream that no class filter can see into.
    pub allow_java_serialization: bool,
    /// `builtin_value_types`: the engine value types admitted without
    /// being listed in `allow` (default `"camunda7"`: `java.lang.String`,
    /// the boxed scalars, `java.lang.Object` and Camunda's default
    /// collections; `"none"` turns them off). See [`BuiltinValueTypes`].
    pub builtin_value_types: BuiltinValueTypes,
}

/// `[json]`: limits for JSON bodies (and JSON carried in string values),
/// and where polymorphic type ids are looked for.
///
/// ```
/// use input_guard::{Code, Guard, Policy};
///
/// let guard = Guard::new(Policy::from_toml("[json]\nmax_depth = 3\ntype_id_keys = [\"@class\"]")?)?;
/// let code = |body: &[u8]| guard.json().inspect(body, None).map_err(|v| v.code());
///
/// assert_eq!(code(b"[[[1]]]"), Ok(()));
/// assert_eq!(code(b"[[[[1]]]]"), Err(Code::JsonTooDeep));
/// assert_eq!(code(br#"{"@class": "com.sun.rowset.JdbcRowSetImpl"}"#), Err(Code::ClassNotAllowed));
/// // `@type` is no longer a type-id key: plain data.
/// assert_eq!(code(br#"{"@type": "com.sun.rowset.JdbcRowSetImpl"}"#), Ok(()));
/// # Ok::<(), input_guard::policy::PolicyError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct JsonPolicy {
    /// `max_depth`: deepest nesting of objects and arrays (default 128,
    /// serde_json's own limit; Camunda bodies are a handful deep).
    pub max_depth: usize,
    /// `max_string_bytes`: bytes in one string, escapes as written
    /// (default 5 MiB, Jackson 2.15's first `maxStringLength`).
    pub max_string_bytes: usize,
    /// `max_number_length`: characters in one number (default 1000, as
    /// Jackson: long numbers make `BigDecimal` parsing quadratic).
    pub max_number_length: usize,
    /// `max_members`: members of one object or elements of one array
    /// (default 100,000).
    pub max_members: usize,
    /// `max_embedded_depth`: how deeply JSON and XML carried in string
    /// values may nest inside each other (default 4).
    pub max_embedded_depth: usize,
    /// `type_id_keys`: keys whose string values are class names, checked
    /// wherever they appear (default `@class`, `@type`, `@c`, `$type`).
    pub type_id_keys: Vec<String>,
    /// `wrapper_arrays`: also check Jackson's `WRAPPER_ARRAY` form, a
    /// two-element array whose first element is a class name (default
    /// false: plain data has such arrays too).
    pub wrapper_arrays: bool,
}

impl Default for JsonPolicy {
    fn default() -> Self {
        JsonPolicy {
            max_depth: 128,
            max_string_bytes: 5 * 1024 * 1024,
            max_number_length: 1000,
            max_members: 100_000,
            max_embedded_depth: 4,
            type_id_keys: ["@class", "@type", "@c", "$type"]
                .map(String::from)
                .to_vec(),
            wrapper_arrays: false,
        }
    }
}

/// `[xml]`: what XML bodies (and XML inside JSON and multipart) may hold.
///
/// DOCTYPEs, entity references other than the predefined five, XInclude and
/// malformed documents are always rejected; these keys set the limits and
/// the choices a deployment can make.
///
/// ```
/// use input_guard::{Code, Guard, Policy};
///
/// let guard = Guard::new(Policy::from_toml(r#"
///     [xml]
///     max_depth = 2
///     forbid_elements = ["{http://www.omg.org/spec/BPMN/20100524/MODEL}scriptTask"]
/// "#)?)?;
/// let code = |xml: &[u8]| guard.xml().inspect(xml, None).map_err(|v| v.code());
///
/// assert_eq!(code(b"<a><b/></a>"), Ok(()));
/// assert_eq!(code(b"<a><b><c/></b></a>"), Err(Code::XmlTooDeep));
/// assert_eq!(
///     code(br#"<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><scriptTask/></definitions>"#),
///     Err(Code::XmlForbiddenElement),
/// );
/// // Refused whatever the policy says:
/// assert_eq!(code(br#"<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>"#), Err(Code::XmlDoctype));
/// # Ok::<(), input_guard::policy::PolicyError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct XmlPolicy {
    /// `max_depth`: deepest element nesting (default 256).
    pub max_depth: usize,
    /// `max_attributes`: attributes per element (default 256).
    pub max_attributes: usize,
    /// `max_name_length`: bytes in an element or attribute name (default 1000).
    pub max_name_length: usize,
    /// `max_value_bytes`: bytes in a text node or attribute value (default 1 MiB).
    pub max_value_bytes: usize,
    /// `max_elements`: elements per document (default 1,000,000).
    pub max_elements: usize,
    /// `max_namespace_declarations`: `xmlns` attributes per element (default 64).
    pub max_namespace_declarations: usize,
    /// `allow_xslt`: accept elements in the XSLT namespace (default false).
    pub allow_xslt: bool,
    /// `allow_doctype`: accept a DOCTYPE whose internal subset only
    /// declares elements and attribute lists without defaults (default
    /// false: any DOCTYPE is refused). External DTDs, entity and notation
    /// declarations and parameter-entity references are refused always.
    pub allow_doctype: bool,
    /// `schema_locations`: which `xsi:schemaLocation` /
    /// `xsi:noNamespaceSchemaLocation` values, and `schemaLocation`s of XSD
    /// `import`/`include`/`redefine`/`override`, pass.
    pub schema_locations: SchemaLocations,
    /// `allow_absolute_stylesheets`: accept `<?xml-stylesheet href=...?>`
    /// pointing at an absolute URL (default false).
    pub allow_absolute_stylesheets: bool,
    /// `forbid_elements`: elements rejected wherever they appear, as
    /// `{namespace}local` or `local` (no namespace).
    pub forbid_elements: Vec<XmlName>,
    /// `forbid_attributes`: attributes rejected, as `{namespace}local` or
    /// `local` (no namespace: unprefixed attributes), on any element or,
    /// written `element@attribute`, only on that element.
    pub forbid_attributes: Vec<ForbiddenAttribute>,
    /// `encodings`: single-byte legacy encodings (ISO-8859-1, windows-1252)
    /// that are decoded as the JDK's XML parser decodes them and inspected;
    /// any other encoding than UTF-8, US-ASCII and UTF-16 is rejected
    /// (default none).
    pub encodings: Vec<LegacyEncoding>,
}

impl Default for XmlPolicy {
    fn default() -> Self {
        XmlPolicy {
            max_depth: 256,
            max_attributes: 256,
            max_name_length: 1000,
            max_value_bytes: 1024 * 1024,
            max_elements: 1_000_000,
            max_namespace_declarations: 64,
            allow_xslt: false,
            allow_doctype: false,
            schema_locations: SchemaLocations::default(),
            allow_absolute_stylesheets: false,
            forbid_elements: Vec::new(),
            forbid_attributes: Vec::new(),
            encodings: Vec::new(),
        }
    }
}

/// A single-byte encoding the guard can decode exactly as the JDK's XML
/// parser does, when the policy lists it (`[xml] encodings`).
///
/// ```
/// use input_guard::{Guard, Policy};
/// use input_guard::policy::LegacyEncoding;
///
/// assert_eq!(LegacyEncoding::for_label("Latin1"), Some(LegacyEncoding::Latin1));
/// assert_eq!(LegacyEncoding::for_label("shift_jis"), None);
/// let latin1 = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>caf\xe9</a>";
/// let off = Guard::new(Policy::default())?;
/// assert!(off.xml().inspect(latin1, None).is_err());
/// let on = Guard::new(Policy::from_toml("[xml]\nencodings = [\"ISO-8859-1\"]")?)?;
/// assert!(on.xml().inspect(latin1, None).is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LegacyEncoding {
    /// ISO-8859-1 as Xerces reads it: byte `n` is U+00nn, so 0x80-0x9F are
    /// the C1 controls (not windows-1252's punctuation, as in browsers).
    Latin1,
    /// windows-1252 as the JDK's `Cp1252` reads it. Its five unassigned
    /// bytes (0x81, 0x8D, 0x8F, 0x90, 0x9D), which the JDK replaces with
    /// U+FFFD, are refused as `xml-malformed`.
    Windows1252,
}

impl LegacyEncoding {
    /// The encoding an encoding label names, as the JDK's Xerces reads the
    /// label (ASCII letters in any case); `None` for labels of other
    /// encodings and for labels Xerces does not accept.
    pub fn for_label(label: &str) -> Option<LegacyEncoding> {
        let label = label.to_ascii_lowercase();
        match label.as_str() {
            "iso-8859-1" | "iso_8859-1" | "iso8859-1" | "iso8859_1" | "iso-ir-100" | "latin1"
            | "l1" | "ibm819" | "cp819" | "csisolatin1" => Some(LegacyEncoding::Latin1),
            "windows-1252" | "cp1252" => Some(LegacyEncoding::Windows1252),
            _ => None,
        }
    }

    /// The encoding's name (`ISO-8859-1`, `windows-1252`).
    pub fn name(self) -> &'static str {
        match self {
            LegacyEncoding::Latin1 => "ISO-8859-1",
            LegacyEncoding::Windows1252 => "windows-1252",
        }
    }
}

/// `[xml] schema_locations`: which schema locations pass.
///
/// ```
/// use input_guard::{Code, Guard, Policy, policy::SchemaLocations};
///
/// let document = |location: &str| {
///     format!(r#"<definitions xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
///         xsi:schemaLocation="http://www.omg.org/spec/BPMN/20100524/MODEL {location}"/>"#)
/// };
/// let code = |guard: &Guard, location: &str| {
///     guard.xml().inspect(document(location).as_bytes(), None).map_err(|v| v.code())
/// };
///
/// let public = Guard::new(Policy::default())?;
/// assert_eq!(public.policy().xml.schema_locations, SchemaLocations::PublicHttp);
/// assert_eq!(code(&public, "BPMN20.xsd"), Ok(()));
/// assert_eq!(code(&public, "https://www.omg.org/spec/BPMN/20100501/BPMN20.xsd"), Ok(()));
/// assert_eq!(code(&public, "http://169.254.169.254/latest/"), Err(Code::XmlSchemaLocation));
/// assert_eq!(code(&public, "file:///etc/passwd"), Err(Code::XmlSchemaLocation));
///
/// let none = Guard::new(Policy::from_toml("[xml]\nschema_locations = \"none\"")?)?;
/// assert_eq!(code(&none, "BPMN20.xsd"), Err(Code::XmlSchemaLocation));
/// # Ok::<(), input_guard::policy::PolicyError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SchemaLocations {
    /// `"public-http"` (default): `http`/`https` URLs whose host is not a
    /// literal loopback, private or link-local address, and plain relative
    /// file names (`BPMN20.xsd`); everything else is rejected.
    #[default]
    PublicHttp,
    /// `"any"`: every schema location passes.
    Any,
    /// `"none"`: every schema location attribute is rejected.
    None,
}

/// A namespace-qualified XML name, written `{namespace}local` or `local`.
///
/// ```
/// use input_guard::policy::XmlName;
///
/// let name: XmlName = "{http://camunda.org/schema/1.0/bpmn}script".parse().unwrap();
/// assert_eq!(name.namespace(), Some("http://camunda.org/schema/1.0/bpmn"));
/// assert_eq!(name.local(), "script");
/// assert_eq!("scriptFormat".parse::<XmlName>().unwrap().namespace(), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct XmlName {
    namespace: Option<Box<str>>,
    local: Box<str>,
}

impl XmlName {
    /// The namespace name, or `None` for names in no namespace.
    pub fn namespace(&self) -> Option<&str> {
        self.namespace.as_deref()
    }

    /// The local part.
    pub fn local(&self) -> &str {
        &self.local
    }
}

impl std::str::FromStr for XmlName {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (namespace, local) = match s.strip_prefix('{') {
            Some(rest) => {
                let (ns, local) = rest
                    .split_once('}')
                    .ok_or_else(|| format!("`{s}`: missing `}}` after the namespace"))?;
                if ns.is_empty() {
                    return Err(format!("`{s}`: empty namespace; write just the local name"));
                }
                (Some(ns), local)
            }
            None => (None, s),
        };
        let bad = |c: char| {
            c.is_whitespace()
                || matches!(
                    c,
                    ':' | '{' | '}' | '<' | '>' | '&' | '"' | '\'' | '=' | '/'
                )
        };
        if local.is_empty() || local.contains(bad) {
            return Err(format!("`{s}`: `{local}` is not an XML local name"));
        }
        Ok(XmlName {
            namespace: namespace.map(Into::into),
            local: local.into(),
        })
    }
}

/// An entry of `[xml] forbid_attributes`: `attribute` or
/// `element@attribute`, each `{namespace}local` or `local`.
///
/// ```
/// use input_guard::policy::ForbiddenAttribute;
///
/// let scoped: ForbiddenAttribute =
///     "{http://www.omg.org/spec/BPMN/20100524/MODEL}conditionExpression@language".parse().unwrap();
/// assert_eq!(scoped.element().map(|e| e.local()), Some("conditionExpression"));
/// assert_eq!(scoped.attribute().local(), "language");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ForbiddenAttribute {
    element: Option<XmlName>,
    attribute: XmlName,
}

impl ForbiddenAttribute {
    /// The element the rule is limited to, if any.
    pub fn element(&self) -> Option<&XmlName> {
        self.element.as_ref()
    }

    /// The attribute.
    pub fn attribute(&self) -> &XmlName {
        &self.attribute
    }
}

impl std::str::FromStr for ForbiddenAttribute {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // The `@` that separates element and attribute is outside braces.
        let mut depth = 0u32;
        let mut split = None;
        for (i, c) in s.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth = depth.saturating_sub(1),
                '@' if depth == 0 => {
                    if split.is_some() {
                        return Err(format!("`{s}`: more than one `@`"));
                    }
                    split = Some(i);
                }
                _ => {}
            }
        }
        match split {
            Some(at) => Ok(ForbiddenAttribute {
                element: Some(s[..at].parse()?),
                attribute: s[at + 1..].parse()?,
            }),
            None => Ok(ForbiddenAttribute {
                element: None,
                attribute: s.parse()?,
            }),
        }
    }
}

impl std::fmt::Display for ForbiddenAttribute {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(element) = &self.element {
            write!(f, "{element}@")?;
        }
        write!(f, "{}", self.attribute)
    }
}

impl std::fmt::Display for XmlName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{{{ns}}}{}", self.local),
            None => f.write_str(&self.local),
        }
    }
}

/// `[query]`: paging and expression rules for the routes that take
/// queries (see [`Route`]).
///
/// ```
/// use input_guard::{Code, Guard, Policy};
///
/// let guard = Guard::new(Policy::from_toml("[query]\nmax_results = 200\nrequire_max_results = false")?)?;
/// let code = |uri: &str| -> Result<Option<Code>, http::Error> {
///     let (head, ()) = http::Request::get(uri).body(())?.into_parts();
///     Ok(guard.check(&head, b"").violation().map(|v| v.code()))
/// };
/// assert_eq!(code("/engine-rest/process-instance?maxResults=200")?, None);
/// assert_eq!(code("/engine-rest/process-instance")?, None); // not required here
/// assert_eq!(code("/engine-rest/process-instance?maxResults=201")?, Some(Code::QueryMaxResultsExceeded));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct QueryPolicy {
    /// `max_results`: cap on `maxResults` of list queries (default 1000;
    /// 0 means no cap). At most `i32::MAX`, the engine's own range.
    pub max_results: u32,
    /// `on_excess`: reject `maxResults` above the cap (Camunda's own
    /// behaviour, the default) or clamp it, rewriting the URI.
    pub on_excess: OnExcess,
    /// `require_max_results`: a list query without `maxResults` (or with
    /// `firstResult` alone) is unbounded; reject it, or add `maxResults` at
    /// the cap when clamping (default true).
    pub require_max_results: bool,
    /// `expressions`: whether task-query routes accept `...Expression`
    /// parameters (default forbid, as Camunda's
    /// `enableExpressionsInAdhocQueries = false`).
    pub expressions: Expressions,
}

impl Default for QueryPolicy {
    fn default() -> Self {
        QueryPolicy {
            max_results: 1000,
            on_excess: OnExcess::Reject,
            require_max_results: true,
            expressions: Expressions::Forbid,
        }
    }
}

/// `[query] on_excess`.
///
/// ```
/// use input_guard::{Code, Guard, Policy, Verdict, policy::OnExcess};
///
/// let (head, ()) = http::Request::get("/engine-rest/task?maxResults=5000").body(())?.into_parts();
///
/// let reject = Guard::new(Policy::default())?;
/// let verdict = reject.check(&head, b"");
/// assert_eq!(verdict.violation().map(|v| v.code()), Some(Code::QueryMaxResultsExceeded));
///
/// let clamp = Guard::new(Policy::from_toml("[query]\non_excess = \"clamp\"")?)?;
/// assert_eq!(clamp.policy().query.on_excess, OnExcess::Clamp);
/// let Verdict::Rewrite(uri) = clamp.check(&head, b"") else {
///     panic!("a clamped query is rewritten");
/// };
/// assert_eq!(uri, "/engine-rest/task?maxResults=1000");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnExcess {
    /// `"reject"`: 400 `query-max-results-exceeded`.
    #[default]
    Reject,
    /// `"clamp"`: rewrite `maxResults` to the cap and let the request on.
    Clamp,
}

/// `expressions` (in `[query]` and on routes).
///
/// ```
/// use input_guard::{Code, Guard, Policy, Verdict, policy::Expressions};
///
/// let (head, ()) = http::Request::get("/engine-rest/task?maxResults=10&assigneeExpression=%24%7BcurrentUser()%7D")
///     .body(())?
///     .into_parts();
///
/// let forbid = Guard::new(Policy::default())?;
/// assert_eq!(forbid.policy().query.expressions, Expressions::Forbid);
/// let verdict = forbid.check(&head, b"");
/// assert_eq!(verdict.violation().map(|v| v.code()), Some(Code::ExpressionNotAllowed));
///
/// let allow = Guard::new(Policy::from_toml("[query]\nexpressions = \"allow\"")?)?;
/// assert_eq!(allow.check(&head, b""), Verdict::Allow);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Expressions {
    /// `"forbid"`: reject `...Expression` parameters.
    #[default]
    Forbid,
    /// `"allow"`: let them through.
    Allow,
}

/// `[[routes]]`: rules for requests by method and path.
///
/// Paths are matched after normalisation (percent-decoded, `//` merged,
/// `;` parameters and a trailing slash dropped; dot segments and encoded
/// `/`, `\\` or `;` are refused as `path-invalid`) against a glob: `*` matches within
/// one segment, `**` across segments, `{a,b}` either. The first route that
/// matches method and path applies; a request no route matches gets the
/// policy-wide rules only.
///
/// ```toml
/// [[routes]]
/// name = "task list"
/// methods = ["GET", "POST"]
/// path = "/engine-rest{,/engine/*}/task"
/// list_query = true
/// task_query = true
///
/// [[routes]]
/// name = "deployment create"
/// methods = ["POST"]
/// path = "/engine-rest{,/engine/*}/deployment/create"
/// allow_networks = ["10.0.0.0/8", "2001:db8::/32"]
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Route {
    /// `name`: shown in audit events (default: the path).
    pub name: String,
    /// `methods`: HTTP methods the route covers (default: all). A route
    /// that covers GET also covers HEAD, which servers run as GET.
    pub methods: Vec<http::Method>,
    /// `path`: the glob.
    pub path: String,
    /// `list_query`: paging rules apply (`maxResults`, `firstResult`).
    pub list_query: bool,
    /// `max_results`: this route's cap, instead of `[query] max_results`.
    pub max_results: Option<u32>,
    /// `task_query`: the query string and JSON body carry task-query
    /// parameters, so the expression rules apply.
    pub task_query: bool,
    /// `expressions`: this route's expression rule, instead of `[query]`'s.
    pub expressions: Option<Expressions>,
    /// `max_bytes`: this route's body limit, instead of `[body] max_bytes`.
    pub max_bytes: Option<u64>,
    /// `uninspected_types`: media types (`application/grpc`) whose bodies
    /// this route passes on without inspection, for services behind the
    /// guard that speak protocols the engine does not. An entry also
    /// covers its `+suffix` forms (`application/grpc+proto`). Body limits
    /// and framing rules still apply. Types the guard inspects (JSON, XML,
    /// multipart) cannot be listed: the policy would not load.
    pub uninspected_types: Vec<String>,
    /// `allow_networks`: the client networks that may use this route
    /// (default: every client). A request from any other client, or one
    /// whose client the guard does not know, gets 403
    /// `network-not-allowed`; see [`Route::admits`].
    pub allow_networks: Vec<Network>,
    /// `mode`: this route's mode, instead of the policy's (report one
    /// endpoint while enforcing the rest, or the other way round). The
    /// audit event names the exception.
    pub mode: Option<Mode>,
    /// `skip`: rules that do not apply on this route, by the code they
    /// refuse with (only codes whose rule can be switched off alone:
    /// `expression-not-allowed`, `query-unbounded`). What a skipped rule
    /// would have refused is let through and recorded as a report naming
    /// the exception; every other rule still applies.
    pub skip: Vec<crate::Code>,
    /// `classes_allow`: class patterns this route allows besides
    /// `[classes] allow` (the deny list and the gadget list still apply).
    /// A class only these patterns admit is let through and recorded as a
    /// report naming the exception.
    pub classes_allow: Vec<ClassPattern>,
    /// `[routes.xml]`: this route's XML switches and limits, read over the
    /// policy's `[xml]` (a route changes only the keys it names). Where
    /// they let through what the policy's would refuse, that is recorded
    /// as a report naming the exception.
    pub xml: Option<XmlPolicy>,
}

impl Route {
    /// Whether the route relaxes a rule of the policy (`skip`,
    /// `classes_allow`, `[routes.xml]`): then what the relaxation lets
    /// through is recorded.
    pub(crate) fn relaxes(&self) -> bool {
        !self.skip.is_empty() || !self.classes_allow.is_empty() || self.xml.is_some()
    }

    /// Whether `code`'s rule is skipped on this route.
    pub(crate) fn skips(&self, code: crate::Code) -> bool {
        self.skip.contains(&code)
    }
}

impl Route {
    /// Whether this route passes bodies of `essence` (a media type's
    /// `type/subtype`) on uninspected.
    ///
    /// ```
    /// use input_guard::Policy;
    ///
    /// let policy = Policy::from_toml(r#"
    ///     [[routes]]
    ///     path = "/grpc/**"
    ///     uninspected_types = ["application/grpc"]
    /// "#)?;
    /// let route = &policy.routes[0];
    /// assert!(route.passes_uninspected("application/grpc"));
    /// assert!(route.passes_uninspected("Application/GRPC+proto"));
    /// assert!(!route.passes_uninspected("application/grpc-web"));
    /// # Ok::<(), input_guard::policy::PolicyError>(())
    /// ```
    pub fn passes_uninspected(&self, essence: &str) -> bool {
        self.uninspected_types.iter().any(|listed| {
            let Some(head) = essence.get(..listed.len()) else {
                return false;
            };
            head.eq_ignore_ascii_case(listed)
                && matches!(essence.as_bytes().get(listed.len()), None | Some(b'+'))
        })
    }

    /// Whether a request from `client` may use this route: every client
    /// when the route lists no `allow_networks`, otherwise a client in one
    /// of them. An unknown client (`None`) is refused by a route with
    /// networks: the guard fails closed.
    ///
    /// The guard asks this with the client of the request's
    /// [`ClientAddr`](crate::layer::ClientAddr) extension, the address the
    /// trusted-proxy rules determine. The `input-guard serve` gateway always
    /// inserts it; a service that uses the library on its own must insert
    /// it before the layer (or before [`Guard::head`](crate::Guard::head)),
    /// or every request on such a route is refused.
    ///
    /// ```
    /// use input_guard::{Code, Guard, Policy, layer::ClientAddr};
    ///
    /// let policy = Policy::from_toml(r#"
    ///     [[routes]]
    ///     name = "deployment create"
    ///     path = "/engine-rest/deployment/create"
    ///     allow_networks = ["10.0.0.0/8", "2001:db8::/32"]
    /// "#)?;
    /// let route = &policy.routes[0];
    /// assert!(route.admits(Some("10.1.2.3".parse()?)));
    /// assert!(route.admits(Some("::ffff:10.1.2.3".parse()?)));
    /// assert!(!route.admits(Some("192.0.2.1".parse()?)));
    /// assert!(!route.admits(None));
    ///
    /// // In a request, the client comes from the `ClientAddr` extension.
    /// let guard = Guard::new(policy)?;
    /// let from = |client: &str| -> Result<_, Box<dyn std::error::Error>> {
    ///     let (head, ()) = http::Request::get("/engine-rest/deployment/create")
    ///         .extension(ClientAddr::new("127.0.0.1:50000".parse()?, client.parse()?))
    ///         .body(())?
    ///         .into_parts();
    ///     Ok(guard.check_head(&head).violation().map(|v| v.code()))
    /// };
    /// assert_eq!(from("10.9.8.7")?, None);
    /// assert_eq!(from("203.0.113.5")?, Some(Code::NetworkNotAllowed));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn admits(&self, client: Option<std::net::IpAddr>) -> bool {
        if self.allow_networks.is_empty() {
            return true;
        }
        client.is_some_and(|ip| self.allow_networks.iter().any(|n| n.contains(ip)))
    }
}

impl Policy {
    /// Reads and validates the policy file at `path`; errors carry the path.
    /// The error is the first in the file; [`Policy::load_all`] has them all.
    pub fn load(path: impl AsRef<Path>) -> Result<Policy, PolicyError> {
        Policy::load_all(path).map_err(PolicyErrors::into_first)
    }

    /// Reads and validates the policy file at `path`, reporting every
    /// problem in it (each naming the path), as `input-guard validate`
    /// prints them.
    ///
    /// ```
    /// use input_guard::policy::{Policy, PolicyErrorKind};
    ///
    /// let path = std::env::temp_dir().join(format!("load-all-{}.toml", std::process::id()));
    /// std::fs::write(&path, "mode = \"loud\"\n[xml]\nmax_depth = 0\n")?;
    /// let errors = Policy::load_all(&path).unwrap_err();
    /// std::fs::remove_file(&path)?;
    /// assert_eq!(errors.len(), 2);
    /// assert!(errors.iter().all(|e| e.file() == Some(path.as_path())));
    ///
    /// let missing = Policy::load_all("/no/such/policy.toml").unwrap_err();
    /// assert!(matches!(missing.first().kind(), PolicyErrorKind::Io(_)));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn load_all(path: impl AsRef<Path>) -> Result<Policy, PolicyErrors> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .map_err(|e| PolicyError::new(PolicyErrorKind::Io(e), "").in_file(path))?;
        Policy::from_toml_all(&text).map_err(|e| e.in_file(path))
    }

    /// Parses and validates policy text. The error is the first in the
    /// text; [`Policy::from_toml_all`] has them all.
    ///
    /// ```
    /// use input_guard::policy::{Policy, PolicyErrorKind};
    ///
    /// let policy = Policy::from_toml("[query]\nmax_results = 200")?;
    /// assert_eq!(policy.query.max_results, 200);
    ///
    /// let typo = Policy::from_toml("[query]\nmax_result = 200").unwrap_err();
    /// assert!(matches!(typo.kind(), PolicyErrorKind::UnknownKey { .. }));
    /// assert_eq!(typo.line(), Some(2));
    /// # Ok::<(), input_guard::policy::PolicyError>(())
    /// ```
    pub fn from_toml(text: &str) -> Result<Policy, PolicyError> {
        Policy::from_toml_all(text).map_err(PolicyErrors::into_first)
    }

    /// Parses and validates policy text, reporting every problem in it:
    /// unknown keys, values of the wrong type, values out of range, class
    /// patterns, XML names and route globs that do not parse, each with its
    /// line, column and dotted key, in file order. (Text that is not TOML
    /// at all gives the one syntax error that stopped the parser.)
    ///
    /// ```
    /// use input_guard::policy::Policy;
    ///
    /// let errors = Policy::from_toml_all(r#"
    ///     mode = "strict"
    ///     [classes]
    ///     allow = ["com.acme.**", "com.*.Order"]
    ///     [xml]
    ///     max_depth = 0
    ///     [[routes]]
    ///     path = "engine-rest/task"
    /// "#).unwrap_err();
    /// let found: Vec<(usize, &str)> = errors
    ///     .iter()
    ///     .map(|e| (e.line().unwrap_or(0), e.key()))
    ///     .collect();
    /// assert_eq!(found, [
    ///     (2, "mode"),
    ///     (4, "classes.allow[1]"),
    ///     (6, "xml.max_depth"),
    ///     (8, "routes[0].path"),
    /// ]);
    /// assert!(errors.first().to_string().contains("expected one of: enforce, report"));
    ///
    /// // Byte sizes may carry a unit.
    /// let policy = Policy::from_toml_all("[body]\nmax_bytes = \"10MiB\"")?;
    /// assert_eq!(policy.body.max_bytes, 10 * 1024 * 1024);
    /// # Ok::<(), input_guard::policy::PolicyErrors>(())
    /// ```
    pub fn from_toml_all(text: &str) -> Result<Policy, PolicyErrors> {
        raw::parse(text)
    }

    /// The bundled Camunda 7 policy, `policies/camunda.toml` as shipped
    /// with this crate: Camunda's default value classes and collections,
    /// the gadget list, BPMN scripts refused, list queries capped at 1000,
    /// expressions in task queries refused, 10 MiB bodies (50 MiB
    /// deployments).
    ///
    /// Add your own classes to it in code (or copy the file and edit it):
    ///
    /// ```
    /// use input_guard::{Guard, Policy};
    ///
    /// let mut policy = Policy::camunda7();
    /// policy.classes.allow.push("com.acme.model.**".parse()?);
    /// let guard = Guard::new(policy)?;
    /// assert!(guard.class_filter().check("com.acme.model.Order").is_allowed());
    /// // The gadget list wins over any allow pattern.
    /// assert!(!guard.class_filter().check("java.lang.Runtime").is_allowed());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn camunda7() -> Policy {
        static BUNDLED: std::sync::OnceLock<Policy> = std::sync::OnceLock::new();
        BUNDLED
            .get_or_init(|| {
                // Compiled-in text, not input: a unit test parses it, and
                // were it ever broken, failing loudly beats running with a
                // policy nobody wrote.
                Policy::from_toml(CAMUNDA7_POLICY).expect("the bundled Camunda 7 policy parses")
            })
            .clone()
    }
}

#[cfg(test)]
mod tests {
    // Unwraps here are test failures, not request paths.
    use super::*;

    #[test]
    fn the_bundled_policy_is_the_shipped_file() {
        let file = Policy::load(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/policies/camunda.toml"
        ));
        assert_eq!(Policy::camunda7(), file.unwrap());
        assert_ne!(Policy::camunda7(), Policy::default());
    }
}
