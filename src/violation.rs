//! Rejections: a stable code, an HTTP status, a short public message and a
//! location.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

/// Declares [`Code`] from one table: each row gives the variant, the code
/// string, the HTTP status (number and `http::StatusCode` constant), the
/// problem title and the one-line meaning. The enum with its per-variant
/// docs, the Markdown table in its docs, [`Code::ALL`], [`Code::as_str`],
/// [`Code::status`], [`Code::title`], [`Code::meaning`] and the `FromStr`
/// impl all come from these rows, so they cannot drift apart (the pattern of
/// the `http` crate's `status_codes!`).
macro_rules! codes {
    (
        $(#[$meta:meta])*
        pub enum Code {
            $(
                ($variant:ident, $code:literal, $num:literal $konst:ident, $title:literal)
                    $meaning:literal;
            )+
        }
    ) => {
        $(#[$meta])*
        ///
        /// | code | status | meaning |
        /// |---|---|---|
        $(
            #[doc = concat!("| `", $code, "` | ", stringify!($num), " | ", $meaning, " |")]
        )+
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Code {
            $(
                #[doc = concat!("`", $code, "` (", stringify!($num), "): ", $meaning, ".")]
                $variant,
            )+
        }

        // The number in the docs is the status the code answers with.
        $(
            const _: () = assert!(http::StatusCode::$konst.as_u16() == $num);
        )+

        impl Code {
            /// Every code, in table order, for documentation and exhaustive
            /// tests.
            pub const ALL: &'static [Code] = &[$(Code::$variant),+];

            /// The stable string form, e.g. `body-too-large`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $code,)+
                }
            }

            /// The HTTP status a rejection with this code gets.
            pub const fn status(self) -> http::StatusCode {
                match self {
                    $(Code::$variant => http::StatusCode::$konst,)+
                }
            }

            /// A short title for problem details (`type`/`title` of RFC 9457).
            pub const fn title(self) -> &'static str {
                match self {
                    $(Code::$variant => $title,)+
                }
            }

            /// What the code means, in one line of Markdown: the `meaning`
            /// column of the table in [`Code`]'s docs.
            pub const fn meaning(self) -> &'static str {
                match self {
                    $(Code::$variant => $meaning,)+
                }
            }
        }

        impl FromStr for Code {
            type Err = UnknownCode;

            /// The code whose [`as_str`](Code::as_str) is `s`, exactly (no
            /// case folding, no trimming).
            fn from_str(s: &str) -> Result<Code, UnknownCode> {
                match s {
                    $($code => Ok(Code::$variant),)+
                    _ => Err(UnknownCode { _private: () }),
                }
            }
        }
    };
}

codes! {
    /// The stable machine code of a rejection.
    ///
    /// Codes are part of the public contract: clients, dashboards and alert
    /// rules key on them, so a code's string never changes once released. Each
    /// code has one HTTP status: 4xx for what the guard refuses, 5xx only for
    /// the problems the `input-guard serve` gateway answers itself.
    ///
    /// The string form parses back, e.g. when reading audit logs:
    ///
    /// ```
    /// use input_guard::Code;
    ///
    /// let code: Code = "body-too-large".parse().unwrap();
    /// assert_eq!(code, Code::BodyTooLarge);
    /// assert_eq!(code.as_str(), "body-too-large");
    /// assert_eq!(code.status(), 413);
    /// assert!("Body-Too-Large".parse::<Code>().is_err());
    /// ```
    pub enum Code {
        (BodyTooLarge, "body-too-large", 413 PAYLOAD_TOO_LARGE, "Request body too large")
            "the body (or its declared `Content-Length`) is over `body.max_bytes`";
        (UnsupportedMediaType, "unsupported-media-type", 415 UNSUPPORTED_MEDIA_TYPE, "Unsupported media type")
            "a body without a content type, or of a type the guard cannot inspect";
        (UnsupportedContentEncoding, "unsupported-content-encoding", 415 UNSUPPORTED_MEDIA_TYPE, "Unsupported content encoding")
            "a `Content-Encoding` the guard does not decode";
        (ContentEncodingInvalid, "content-encoding-invalid", 400 BAD_REQUEST, "Invalid compressed body")
            "a gzip or deflate body that does not decode (corrupt, truncated, trailing data)";
        (InvalidHeader, "invalid-header", 400 BAD_REQUEST, "Invalid request header")
            "a header the guard or the engine's server cannot read unambiguously: `Content-Length` (also twice with one value), `Content-Type`, `Content-Encoding`, `Transfer-Encoding` other than one `chunked` (or beside `Content-Length`), `Host` twice or as a list (missing, with `request.require_host`), `Connection` naming one of them";
        (BodyIncomplete, "body-incomplete", 400 BAD_REQUEST, "Request body incomplete")
            "a request body that ended early or could not be read (truncated upload, broken connection)";
        (RequestTimeout, "request-timeout", 408 REQUEST_TIMEOUT, "Request timeout")
            "the gateway's whole-request deadline passed (a stalled upload or a stalled engine); only the `input-guard serve` gateway answers this";
        (UpstreamUnavailable, "upstream-unavailable", 502 BAD_GATEWAY, "Upstream unavailable")
            "the gateway could not reach the engine, or the engine's connection failed; only the `input-guard serve` gateway answers this";
        (Overloaded, "overloaded", 503 SERVICE_UNAVAILABLE, "Overloaded")
            "the body would not fit the process-wide budget for buffered bodies (`serve --max-buffered-bytes`, `GuardLayerBuilder::buffer_budget`); answered with `Retry-After`; in report mode the body streams on uninspected instead";
        (XmlMalformed, "xml-malformed", 400 BAD_REQUEST, "Malformed XML")
            "an XML document that is not well formed (namespaces included): unclosed or mismatched elements, duplicate attributes, more than one root, content outside the root, bad syntax";
        (XmlDoctype, "xml-doctype", 400 BAD_REQUEST, "XML document type declarations are not accepted")
            "a DOCTYPE, anywhere, in any letter case (DTDs, external and parameter entities, entity bombs)";
        (XmlEntity, "xml-entity", 400 BAD_REQUEST, "XML entity reference not allowed")
            "an entity reference other than `&amp; &lt; &gt; &quot; &apos;`, or a character reference to a character XML does not allow";
        (XmlXinclude, "xml-xinclude", 400 BAD_REQUEST, "XInclude is not accepted")
            "an element in the XInclude namespace, whatever its prefix";
        (XmlXslt, "xml-xslt", 400 BAD_REQUEST, "XSLT is not accepted")
            "an element in the XSLT namespace, unless `xml.allow_xslt`";
        (XmlSchemaLocation, "xml-schema-location", 400 BAD_REQUEST, "XML schema location not allowed")
            "an `xsi:schemaLocation` / `xsi:noNamespaceSchemaLocation` the policy does not allow (by default: not http(s), or a loopback, private or link-local literal host)";
        (XmlStylesheet, "xml-stylesheet", 400 BAD_REQUEST, "XML stylesheet not allowed")
            "an `xml-stylesheet` processing instruction with an absolute `href`";
        (XmlForbiddenElement, "xml-forbidden-element", 400 BAD_REQUEST, "XML element not allowed")
            "an element the policy lists in `xml.forbid_elements` (e.g. BPMN scripts)";
        (XmlForbiddenAttribute, "xml-forbidden-attribute", 400 BAD_REQUEST, "XML attribute not allowed")
            "an attribute the policy lists in `xml.forbid_attributes`";
        (XmlTooDeep, "xml-too-deep", 400 BAD_REQUEST, "XML nested too deeply")
            "elements nested deeper than `xml.max_depth`";
        (XmlTooManyAttributes, "xml-too-many-attributes", 400 BAD_REQUEST, "Too many XML attributes")
            "more attributes on one element than `xml.max_attributes`";
        (XmlNameTooLong, "xml-name-too-long", 400 BAD_REQUEST, "XML name too long")
            "an element or attribute name longer than `xml.max_name_length`";
        (XmlValueTooLarge, "xml-value-too-large", 400 BAD_REQUEST, "XML text or attribute value too large")
            "a text node or attribute value larger than `xml.max_value_bytes`";
        (XmlTooManyElements, "xml-too-many-elements", 400 BAD_REQUEST, "Too many XML elements")
            "more elements than `xml.max_elements`";
        (XmlTooManyNamespaces, "xml-too-many-namespaces", 400 BAD_REQUEST, "Too many XML namespace declarations")
            "more namespace declarations on one element than `xml.max_namespace_declarations`";
        (XmlUnsupportedEncoding, "xml-unsupported-encoding", 415 UNSUPPORTED_MEDIA_TYPE, "Unsupported XML encoding")
            "XML in an encoding the guard does not read (UTF-32, UTF-7, EBCDIC, legacy sets the policy does not list)";
        (XmlEncodingMismatch, "xml-encoding-mismatch", 400 BAD_REQUEST, "Conflicting XML encoding")
            "the byte order mark, byte pattern, XML declaration and `charset` disagree on the encoding";
        (JsonMalformed, "json-malformed", 400 BAD_REQUEST, "Malformed JSON")
            "JSON a strict RFC 8259 parser rejects: invalid UTF-8, control characters in strings, bad escapes or lone surrogates, comments, single quotes, NaN, leading zeros, trailing data";
        (JsonDuplicateKey, "json-duplicate-key", 400 BAD_REQUEST, "Duplicate JSON key")
            "the same key twice in one object, compared after unescaping (parsers disagree on which wins)";
        (JsonTooDeep, "json-too-deep", 400 BAD_REQUEST, "JSON nested too deeply")
            "objects and arrays nested deeper than `json.max_depth`, or JSON/XML in string values nested deeper than `json.max_embedded_depth`";
        (JsonValueTooLarge, "json-value-too-large", 400 BAD_REQUEST, "JSON value too large")
            "a string longer than `json.max_string_bytes` or a number longer than `json.max_number_length`";
        (JsonTooManyMembers, "json-too-many-members", 400 BAD_REQUEST, "Too many JSON members")
            "more members in one object or elements in one array than `json.max_members`";
        (JsonUnsupportedEncoding, "json-unsupported-encoding", 415 UNSUPPORTED_MEDIA_TYPE, "Unsupported JSON encoding")
            "JSON in UTF-32, or in a `charset` other than UTF-8 and UTF-16";
        (JsonEncodingMismatch, "json-encoding-mismatch", 400 BAD_REQUEST, "Conflicting JSON encoding")
            "the byte order mark or byte pattern and the `charset` disagree";
        (ClassNotAllowed, "class-not-allowed", 400 BAD_REQUEST, "Class not allowed")
            "a type name (`objectTypeName`, `@class`, `$type`, ...) naming a class the class filter does not allow, or a string that is not a type name";
        (JavaSerializationNotAllowed, "java-serialization-not-allowed", 400 BAD_REQUEST, "Java serialization not allowed")
            "a typed variable in `application/x-java-serialized-object` format, unless `classes.allow_java_serialization`";
        (TypedVariableInvalid, "typed-variable-invalid", 400 BAD_REQUEST, "Invalid typed variable")
            "a typed variable the engine would misread: an `Object` value without `objectTypeName` or `serializationDataFormat`, a serialized value that is not a string, an unknown data format, a non-string `objectTypeName`";
        (PathInvalid, "path-invalid", 400 BAD_REQUEST, "Invalid request path")
            "a path servers read differently: an encoded `/`, `\\` or `;`, a dot segment (`.` or `..`, raw or encoded), malformed percent-encoding, bytes that do not decode to UTF-8, control characters";
        (MethodInvalid, "method-invalid", 400 BAD_REQUEST, "Invalid request method")
            "a request method that differs from a standard method only in letter case (`get`, `Post`): the engine upper-cases it, route rules would not";
        (MethodNotAllowed, "method-not-allowed", 405 METHOD_NOT_ALLOWED, "Method not allowed")
            "a method `request.methods` does not list (by default anything but `GET`, `POST`, `PUT`, `DELETE`, `OPTIONS`, `HEAD`; `TRACE` and `CONNECT` always); the layer's answer carries `Allow`";
        (UrlTooLong, "url-too-long", 414 URI_TOO_LONG, "Request URL too long")
            "a request target (path and query string, as sent) longer than `request.max_url_bytes`";
        (QueryTooLong, "query-too-long", 414 URI_TOO_LONG, "Query string too long")
            "a query string (as sent) longer than `request.max_query_bytes`";
        (TooManyHeaders, "too-many-headers", 431 REQUEST_HEADER_FIELDS_TOO_LARGE, "Too many request headers")
            "more header fields than `request.max_headers`";
        (HeadersTooLarge, "headers-too-large", 431 REQUEST_HEADER_FIELDS_TOO_LARGE, "Request headers too large")
            "a header section (every field as `name: value` and its line end) larger than `request.max_header_bytes`";
        (PathDoubleEncoded, "path-double-encoded", 400 BAD_REQUEST, "Double-encoded request path")
            "a path holding `%25` followed by two hex digits (`%252e%252e`), which decodes to another escape: a second decoder would read another path; unless `request.allow_double_encoded_paths`";
        (NetworkNotAllowed, "network-not-allowed", 403 FORBIDDEN, "Network not allowed")
            "a request on a route with `allow_networks` from a client in none of them, or whose client is unknown (no `ClientAddr`)";
        (OriginNotAllowed, "origin-not-allowed", 403 FORBIDDEN, "Origin not allowed")
            "a CORS preflight, or a state-changing request, from a browser `Origin` the policy's `[cors]` does not allow (only with a `[cors]` section)";
        (QueryMalformed, "query-malformed", 400 BAD_REQUEST, "Malformed query string")
            "a query string with malformed percent-encoding or bytes that do not decode to UTF-8";
        (QueryInvalidPaging, "query-invalid-paging", 400 BAD_REQUEST, "Invalid paging parameter")
            "`maxResults` or `firstResult` that is not a non-negative integer in Java's `int` range";
        (QueryMaxResultsExceeded, "query-max-results-exceeded", 400 BAD_REQUEST, "Too many results requested")
            "`maxResults` above the route's cap (when the policy rejects rather than clamps)";
        (QueryUnbounded, "query-unbounded", 400 BAD_REQUEST, "Unbounded query")
            "a list query without `maxResults` (also with `firstResult` alone), when the policy requires one and does not clamp";
        (ExpressionNotAllowed, "expression-not-allowed", 400 BAD_REQUEST, "Expressions not allowed")
            "a task-query expression parameter (`...Expression`) in the query string or JSON body of a route that forbids expressions";
        (MultipartMalformed, "multipart-malformed", 400 BAD_REQUEST, "Malformed multipart body")
            "a `multipart/form-data` body the guard cannot split unambiguously: content outside the boundaries, a part without `Content-Disposition: form-data` or a name, a transfer encoding, a repeated part header, a nested multipart part";
        (MultipartTooManyParts, "multipart-too-many-parts", 400 BAD_REQUEST, "Too many multipart parts")
            "more parts than `body.max_parts`";
    }
}

/// The error of parsing a [`Code`] from a string that is no code's
/// [`as_str`](Code::as_str).
///
/// ```
/// use input_guard::{Code, UnknownCode};
///
/// fn status(code: &str) -> Result<u16, UnknownCode> {
///     Ok(code.parse::<Code>()?.status().as_u16())
/// }
/// assert_eq!(status("xml-doctype"), Ok(400));
/// let err = status("xml_doctype").unwrap_err();
/// assert_eq!(err.to_string(), "not an input-guard rejection code");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnknownCode {
    _private: (),
}

impl fmt::Display for UnknownCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not an input-guard rejection code")
    }
}

impl std::error::Error for UnknownCode {}

impl TryFrom<&str> for Code {
    type Error = UnknownCode;

    fn try_from(s: &str) -> Result<Code, UnknownCode> {
        s.parse()
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a request is rejected.
///
/// `message` and `location` are safe to show to the client: they never hold
/// parser internals, policy contents or server paths, only what the client
/// sent and what rule it broke.
///
/// ```
/// use input_guard::{Code, Guard, Policy, Violation};
///
/// let guard = Guard::new(Policy::default())?;
/// let (head, ()) = http::Request::post("/engine-rest/message")
///     .header("content-type", "application/json")
///     .body(())?
///     .into_parts();
/// let verdict = guard.check(&head, br#"{"a": 1, "a": 2}"#);
/// let violation = verdict.violation().ok_or("a duplicate key is refused")?;
/// assert_eq!(violation.code(), Code::JsonDuplicateKey);
/// assert_eq!(violation.status(), 400);
/// assert_eq!(violation.location(), "/a");
/// assert_eq!(violation.offset(), Some(9));
///
/// // Adapters build their own, e.g. for a body that was not read whole.
/// let v = Violation::new(Code::BodyIncomplete, "body", "the request body could not be read");
/// assert_eq!(v.to_string(), "body-incomplete at body: the request body could not be read");
/// assert_eq!(v.at_offset(512).offset(), Some(512));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    code: Code,
    location: Cow<'static, str>,
    message: Cow<'static, str>,
    offset: Option<usize>,
    /// Boxed: present only on class refusals, and a small `Violation`
    /// keeps the `Result`s of the inspectors' hot paths small.
    decided_by: Option<Box<ClassFinding>>,
    /// The route exception under which the violation was only reported
    /// (or enforced), for the audit trail.
    exception: Option<Box<str>>,
}

/// Which class a class refusal was about and the rule that decided it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ClassFinding {
    class: String,
    rule: String,
}

impl Violation {
    /// A violation of `code` at `location` (a JSON Pointer, an XML element
    /// path, `header:<name>`, `body`, ...).
    pub fn new(
        code: Code,
        location: impl Into<Cow<'static, str>>,
        message: impl Into<Cow<'static, str>>,
    ) -> Self {
        Violation {
            code,
            location: location.into(),
            message: message.into(),
            offset: None,
            decided_by: None,
            exception: None,
        }
    }

    /// The same violation, naming the route exception that decided what
    /// became of it.
    pub(crate) fn under_exception(mut self, exception: String) -> Self {
        self.exception = Some(exception.into_boxed_str());
        self
    }

    /// The per-route exception (`[[routes]] mode`, `skip`,
    /// `classes_allow`) that decided what became of this violation: why a
    /// violation was only reported on a route of an enforcing policy, or
    /// enforced on a route of a reporting one. For the audit trail.
    pub fn exception(&self) -> Option<&str> {
        self.exception.as_deref()
    }

    /// The same violation, naming the class that was refused and the rule
    /// that refused it (`classes.deny \`com.acme.internal.*\``, `gadget
    /// denylist ... (group)`, `no classes.allow pattern`).
    pub(crate) fn decided_by(mut self, class: &str, rule: String) -> Self {
        self.decided_by = Some(Box::new(ClassFinding {
            class: class.to_owned(),
            rule,
        }));
        self
    }

    /// For a refused class: the class, as the request named it. For the
    /// audit trail; the problem+json a client sees does not carry it.
    ///
    /// ```
    /// use input_guard::{Code, Guard, Policy};
    ///
    /// let guard = Guard::new(Policy::camunda7())?;
    /// let request = http::Request::post("/engine-rest/process-definition/key/p/start")
    ///     .header("content-type", "application/json")
    ///     .body(())?;
    /// let body = br#"{"variables":{"v":{"type":"Object","value":"{}",
    ///     "valueInfo":{"objectTypeName":"com.sun.rowset.JdbcRowSetImpl","serializationDataFormat":"application/json"}}}}"#;
    /// let verdict = guard.check(&request.into_parts().0, body);
    /// let violation = verdict.violation().expect("a gadget is refused");
    /// assert_eq!(violation.code(), Code::ClassNotAllowed);
    /// assert_eq!(violation.class(), Some("com.sun.rowset.JdbcRowSetImpl"));
    /// assert!(violation.rule().is_some_and(|rule| rule.starts_with("gadget denylist")));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn class(&self) -> Option<&str> {
        self.decided_by.as_deref().map(|f| f.class.as_str())
    }

    /// For a refused class: the rule that refused it, as `input-guard
    /// check-class` names it (the pattern and where it comes from: the
    /// policy's deny list, the gadget list and its group, or no allow
    /// pattern at all). For the audit trail, like [`Violation::class`].
    pub fn rule(&self) -> Option<&str> {
        self.decided_by.as_deref().map(|f| f.rule.as_str())
    }

    /// The same violation, pinned to byte `offset` of the inspected input.
    pub fn at_offset(mut self, offset: usize) -> Self {
        self.offset = Some(offset);
        self
    }

    /// The same violation inside a carrier: `prefix` goes before the
    /// location, `base` is added to the offset.
    pub(crate) fn relocated(self, prefix: &str, base: usize) -> Self {
        let location = if self.location.is_empty() || self.location == "/" {
            prefix.to_owned()
        } else {
            format!("{prefix}{}", self.location)
        };
        Violation {
            location: location.into(),
            offset: Some(base + self.offset.unwrap_or(0)),
            ..self
        }
    }

    /// Byte offset of the problem in the inspected input, when known.
    pub fn offset(&self) -> Option<usize> {
        self.offset
    }

    /// The stable code.
    pub fn code(&self) -> Code {
        self.code
    }

    /// The HTTP status to answer with.
    pub fn status(&self) -> http::StatusCode {
        self.code.status()
    }

    /// Where in the request the problem is.
    pub fn location(&self) -> &str {
        &self.location
    }

    /// A short public explanation.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at {}", self.code, self.location)?;
        if let Some(offset) = self.offset {
            write!(f, " (byte {offset})")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for Violation {}

#[cfg(test)]
mod tests {
    //! Unit tests only: an `unwrap` here is a test assertion on fixed
    //! inputs, not a path a request can reach.
    use super::*;

    /// The released contract, written out by hand: code string, status and
    /// title of every variant. The `match` is exhaustive, so a new variant
    /// does not compile until it is added here, and a changed string, status
    /// or title fails [`the_table_keeps_the_contract`].
    #[rustfmt::skip]
    fn contract(code: Code) -> (&'static str, u16, &'static str) {
        match code {
            Code::BodyTooLarge => ("body-too-large", 413, "Request body too large"),
            Code::UnsupportedMediaType => ("unsupported-media-type", 415, "Unsupported media type"),
            Code::UnsupportedContentEncoding => ("unsupported-content-encoding", 415, "Unsupported content encoding"),
            Code::ContentEncodingInvalid => ("content-encoding-invalid", 400, "Invalid compressed body"),
            Code::InvalidHeader => ("invalid-header", 400, "Invalid request header"),
            Code::BodyIncomplete => ("body-incomplete", 400, "Request body incomplete"),
            Code::RequestTimeout => ("request-timeout", 408, "Request timeout"),
            Code::UpstreamUnavailable => ("upstream-unavailable", 502, "Upstream unavailable"),
            Code::Overloaded => ("overloaded", 503, "Overloaded"),
            Code::XmlMalformed => ("xml-malformed", 400, "Malformed XML"),
            Code::XmlDoctype => ("xml-doctype", 400, "XML document type declarations are not accepted"),
            Code::XmlEntity => ("xml-entity", 400, "XML entity reference not allowed"),
            Code::XmlXinclude => ("xml-xinclude", 400, "XInclude is not accepted"),
            Code::XmlXslt => ("xml-xslt", 400, "XSLT is not accepted"),
            Code::XmlSchemaLocation => ("xml-schema-location", 400, "XML schema location not allowed"),
            Code::XmlStylesheet => ("xml-stylesheet", 400, "XML stylesheet not allowed"),
            Code::XmlForbiddenElement => ("xml-forbidden-element", 400, "XML element not allowed"),
            Code::XmlForbiddenAttribute => ("xml-forbidden-attribute", 400, "XML attribute not allowed"),
            Code::XmlTooDeep => ("xml-too-deep", 400, "XML nested too deeply"),
            Code::XmlTooManyAttributes => ("xml-too-many-attributes", 400, "Too many XML attributes"),
            Code::XmlNameTooLong => ("xml-name-too-long", 400, "XML name too long"),
            Code::XmlValueTooLarge => ("xml-value-too-large", 400, "XML text or attribute value too large"),
            Code::XmlTooManyElements => ("xml-too-many-elements", 400, "Too many XML elements"),
            Code::XmlTooManyNamespaces => ("xml-too-many-namespaces", 400, "Too many XML namespace declarations"),
            Code::XmlUnsupportedEncoding => ("xml-unsupported-encoding", 415, "Unsupported XML encoding"),
            Code::XmlEncodingMismatch => ("xml-encoding-mismatch", 400, "Conflicting XML encoding"),
            Code::JsonMalformed => ("json-malformed", 400, "Malformed JSON"),
            Code::JsonDuplicateKey => ("json-duplicate-key", 400, "Duplicate JSON key"),
            Code::JsonTooDeep => ("json-too-deep", 400, "JSON nested too deeply"),
            Code::JsonValueTooLarge => ("json-value-too-large", 400, "JSON value too large"),
            Code::JsonTooManyMembers => ("json-too-many-members", 400, "Too many JSON members"),
            Code::JsonUnsupportedEncoding => ("json-unsupported-encoding", 415, "Unsupported JSON encoding"),
            Code::JsonEncodingMismatch => ("json-encoding-mismatch", 400, "Conflicting JSON encoding"),
            Code::ClassNotAllowed => ("class-not-allowed", 400, "Class not allowed"),
            Code::JavaSerializationNotAllowed => ("java-serialization-not-allowed", 400, "Java serialization not allowed"),
            Code::TypedVariableInvalid => ("typed-variable-invalid", 400, "Invalid typed variable"),
            Code::PathInvalid => ("path-invalid", 400, "Invalid request path"),
            Code::MethodInvalid => ("method-invalid", 400, "Invalid request method"),
            Code::MethodNotAllowed => ("method-not-allowed", 405, "Method not allowed"),
            Code::UrlTooLong => ("url-too-long", 414, "Request URL too long"),
            Code::QueryTooLong => ("query-too-long", 414, "Query string too long"),
            Code::TooManyHeaders => ("too-many-headers", 431, "Too many request headers"),
            Code::HeadersTooLarge => ("headers-too-large", 431, "Request headers too large"),
            Code::PathDoubleEncoded => ("path-double-encoded", 400, "Double-encoded request path"),
            Code::NetworkNotAllowed => ("network-not-allowed", 403, "Network not allowed"),
            Code::OriginNotAllowed => ("origin-not-allowed", 403, "Origin not allowed"),
            Code::QueryMalformed => ("query-malformed", 400, "Malformed query string"),
            Code::QueryInvalidPaging => ("query-invalid-paging", 400, "Invalid paging parameter"),
            Code::QueryMaxResultsExceeded => ("query-max-results-exceeded", 400, "Too many results requested"),
            Code::QueryUnbounded => ("query-unbounded", 400, "Unbounded query"),
            Code::ExpressionNotAllowed => ("expression-not-allowed", 400, "Expressions not allowed"),
            Code::MultipartMalformed => ("multipart-malformed", 400, "Malformed multipart body"),
            Code::MultipartTooManyParts => ("multipart-too-many-parts", 400, "Too many multipart parts"),
        }
    }

    /// The codes no policy violation gives (the gateway's deadline and
    /// upstream, the layer's memory budget): the only ones allowed a 5xx
    /// status.
    fn gateway_only(code: Code) -> bool {
        matches!(
            code,
            Code::RequestTimeout | Code::UpstreamUnavailable | Code::Overloaded
        )
    }

    #[test]
    fn codes_are_distinct_kebab_case() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "duplicate code {s}");
            assert!(
                s.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{s}"
            );
            let status = code.status();
            assert!(
                status.is_client_error() || (status.is_server_error() && gateway_only(*code)),
                "{s}: {status}"
            );
        }
    }

    #[test]
    fn all_lists_every_variant_once() {
        // `contract` has one arm per variant (53) or does not compile; the
        // discriminants run 0..n in declaration order, so `ALL` holding
        // 0..53 in order, once each, is `ALL` holding every variant.
        for (i, &code) in Code::ALL.iter().enumerate() {
            assert_eq!(code as usize, i, "{code}");
        }
        let mut seen = std::collections::HashSet::new();
        for &code in Code::ALL {
            assert!(seen.insert(code), "{code} twice in ALL");
        }
        assert_eq!(Code::ALL.len(), 53);
    }

    #[test]
    fn the_table_keeps_the_contract() {
        for &code in Code::ALL {
            let (s, status, title) = contract(code);
            assert_eq!(code.as_str(), s);
            assert_eq!(code.to_string(), s);
            assert_eq!(code.status().as_u16(), status, "{s}");
            assert_eq!(code.title(), title, "{s}");
            let meaning = code.meaning();
            assert!(
                !meaning.is_empty() && !meaning.contains('|') && !meaning.contains('\n'),
                "{s}: {meaning:?}"
            );
        }
    }

    #[test]
    fn codes_parse_back() {
        for &code in Code::ALL {
            assert_eq!(code.as_str().parse::<Code>(), Ok(code));
            assert_eq!(Code::try_from(code.as_str()), Ok(code));
            assert_eq!(code.to_string().parse::<Code>(), Ok(code));
        }
        for s in [
            "",
            "Body-Too-Large",
            "BODY-TOO-LARGE",
            " body-too-large",
            "body-too-large ",
            "body_too_large",
            "BodyTooLarge",
            "body-too-larg",
            "body-too-large\0",
        ] {
            assert!(s.parse::<Code>().is_err(), "{s:?}");
            assert!(Code::try_from(s).is_err(), "{s:?}");
        }
        assert_eq!(
            "nope".parse::<Code>().unwrap_err().to_string(),
            "not an input-guard rejection code"
        );
    }
}
