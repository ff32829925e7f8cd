//! Rejections: a stable code, an HTTP status, a short public message and a
//! location.

use std::borrow::Cow;
use std::fmt;

/// The stable machine code of a rejection.
///
/// Codes are part of the public contract: clients, dashboards and alert
/// rules key on them, so a code's string never changes once released. Each
/// code has one HTTP status.
///
/// | code | status | meaning |
/// |---|---|---|
/// | `body-too-large` | 413 | the body (or its declared `Content-Length`) is over `body.max_bytes` |
/// | `unsupported-media-type` | 415 | a body without a content type, or of a type the guard cannot inspect |
/// | `unsupported-content-encoding` | 415 | a `Content-Encoding` the guard does not decode |
/// | `content-encoding-invalid` | 400 | a gzip or deflate body that does not decode (corrupt, truncated, trailing data) |
/// | `invalid-header` | 400 | a `Content-Length`, `Content-Type` or `Content-Encoding` header the guard cannot read unambiguously |
/// | `body-incomplete` | 400 | a request body that ended early or could not be read (truncated upload, broken connection) |
/// | `request-timeout` | 408 | the gateway's whole-request deadline passed (a stalled upload or a stalled engine); only the `input-guard serve` gateway answers this |
/// | `xml-malformed` | 400 | an XML document that is not well formed (namespaces included): unclosed or mismatched elements, duplicate attributes, more than one root, content outside the root, bad syntax |
/// | `xml-doctype` | 400 | a DOCTYPE, anywhere, in any letter case (DTDs, external and parameter entities, entity bombs) |
/// | `xml-entity` | 400 | an entity reference other than `&amp; &lt; &gt; &quot; &apos;`, or a character reference to a character XML does not allow |
/// | `xml-xinclude` | 400 | an element in the XInclude namespace, whatever its prefix |
/// | `xml-xslt` | 400 | an element in the XSLT namespace, unless `xml.allow_xslt` |
/// | `xml-schema-location` | 400 | an `xsi:schemaLocation` / `xsi:noNamespaceSchemaLocation` the policy does not allow (by default: not http(s), or a loopback, private or link-local literal host) |
/// | `xml-stylesheet` | 400 | an `xml-stylesheet` processing instruction with an absolute `href` |
/// | `xml-forbidden-element` | 400 | an element the policy lists in `xml.forbid_elements` (e.g. BPMN scripts) |
/// | `xml-forbidden-attribute` | 400 | an attribute the policy lists in `xml.forbid_attributes` |
/// | `xml-too-deep` | 400 | elements nested deeper than `xml.max_depth` |
/// | `xml-too-many-attributes` | 400 | more attributes on one element than `xml.max_attributes` |
/// | `xml-name-too-long` | 400 | an element or attribute name longer than `xml.max_name_length` |
/// | `xml-value-too-large` | 400 | a text node or attribute value larger than `xml.max_value_bytes` |
/// | `xml-too-many-elements` | 400 | more elements than `xml.max_elements` |
/// | `xml-too-many-namespaces` | 400 | more namespace declarations on one element than `xml.max_namespace_declarations` |
/// | `xml-unsupported-encoding` | 415 | XML in an encoding the guard does not read (UTF-32, UTF-7, EBCDIC, legacy sets the policy does not list) |
/// | `xml-encoding-mismatch` | 400 | the byte order mark, byte pattern, XML declaration and `charset` disagree on the encoding |
/// | `json-malformed` | 400 | JSON a strict RFC 8259 parser rejects: invalid UTF-8, control characters in strings, bad escapes or lone surrogates, comments, single quotes, NaN, leading zeros, trailing data |
/// | `json-duplicate-key` | 400 | the same key twice in one object, compared after unescaping (parsers disagree on which wins) |
/// | `json-too-deep` | 400 | objects and arrays nested deeper than `json.max_depth`, or JSON/XML in string values nested deeper than `json.max_embedded_depth` |
/// | `json-value-too-large` | 400 | a string longer than `json.max_string_bytes` or a number longer than `json.max_number_length` |
/// | `json-too-many-members` | 400 | more members in one object or elements in one array than `json.max_members` |
/// | `json-unsupported-encoding` | 415 | JSON in UTF-32, or in a `charset` other than UTF-8 and UTF-16 |
/// | `json-encoding-mismatch` | 400 | the byte order mark or byte pattern and the `charset` disagree |
/// | `class-not-allowed` | 400 | a type name (`objectTypeName`, `@class`, `$type`, ...) naming a class the class filter does not allow, or a string that is not a type name |
/// | `java-serialization-not-allowed` | 400 | a typed variable in `application/x-java-serialized-object` format, unless `classes.allow_java_serialization` |
/// | `typed-variable-invalid` | 400 | a typed variable the engine would misread: an `Object` value without `objectTypeName` or `serializationDataFormat`, a serialized value that is not a string, an unknown data format, a non-string `objectTypeName` |
/// | `path-invalid` | 400 | a path servers read differently: an encoded `/`, `\\` or `;`, a dot segment (`.` or `..`, raw or encoded), malformed percent-encoding, bytes that do not decode to UTF-8, control characters |
/// | `method-invalid` | 400 | a request method that differs from a standard method only in letter case (`get`, `Post`): the engine upper-cases it, route rules would not |
/// | `query-malformed` | 400 | a query string with malformed percent-encoding or bytes that do not decode to UTF-8 |
/// | `query-invalid-paging` | 400 | `maxResults` or `firstResult` that is not a non-negative integer in Java's `int` range |
/// | `query-max-results-exceeded` | 400 | `maxResults` above the route's cap (when the policy rejects rather than clamps) |
/// | `query-unbounded` | 400 | a list query without `maxResults` (also with `firstResult` alone), when the policy requires one and does not clamp |
/// | `expression-not-allowed` | 400 | a task-query expression parameter (`...Expression`) in the query string or JSON body of a route that forbids expressions |
/// | `multipart-malformed` | 400 | a `multipart/form-data` body the guard cannot split unambiguously: content outside the boundaries, a part without `Content-Disposition: form-data` or a name, a transfer encoding, a repeated part header, a nested multipart part |
/// | `multipart-too-many-parts` | 400 | more parts than `body.max_parts` |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Code {
    /// `body-too-large`.
    BodyTooLarge,
    /// `unsupported-media-type`.
    UnsupportedMediaType,
    /// `unsupported-content-encoding`.
    UnsupportedContentEncoding,
    /// `content-encoding-invalid`.
    ContentEncodingInvalid,
    /// `invalid-header`.
    InvalidHeader,
    /// `body-incomplete`.
    BodyIncomplete,
    /// `request-timeout`.
    RequestTimeout,
    /// `xml-malformed`.
    XmlMalformed,
    /// `xml-doctype`.
    XmlDoctype,
    /// `xml-entity`.
    XmlEntity,
    /// `xml-xinclude`.
    XmlXinclude,
    /// `xml-xslt`.
    XmlXslt,
    /// `xml-schema-location`.
    XmlSchemaLocation,
    /// `xml-stylesheet`.
    XmlStylesheet,
    /// `xml-forbidden-element`.
    XmlForbiddenElement,
    /// `xml-forbidden-attribute`.
    XmlForbiddenAttribute,
    /// `xml-too-deep`.
    XmlTooDeep,
    /// `xml-too-many-attributes`.
    XmlTooManyAttributes,
    /// `xml-name-too-long`.
    XmlNameTooLong,
    /// `xml-value-too-large`.
    XmlValueTooLarge,
    /// `xml-too-many-elements`.
    XmlTooManyElements,
    /// `xml-too-many-namespaces`.
    XmlTooManyNamespaces,
    /// `xml-unsupported-encoding`.
    XmlUnsupportedEncoding,
    /// `xml-encoding-mismatch`.
    XmlEncodingMismatch,
    /// `json-malformed`.
    JsonMalformed,
    /// `json-duplicate-key`.
    JsonDuplicateKey,
    /// `json-too-deep`.
    JsonTooDeep,
    /// `json-value-too-large`.
    JsonValueTooLarge,
    /// `json-too-many-members`.
    JsonTooManyMembers,
    /// `json-unsupported-encoding`.
    JsonUnsupportedEncoding,
    /// `json-encoding-mismatch`.
    JsonEncodingMismatch,
    /// `class-not-allowed`.
    ClassNotAllowed,
    /// `java-serialization-not-allowed`.
    JavaSerializationNotAllowed,
    /// `typed-variable-invalid`.
    TypedVariableInvalid,
    /// `path-invalid`.
    PathInvalid,
    /// `method-invalid`.
    MethodInvalid,
    /// `query-malformed`.
    QueryMalformed,
    /// `query-invalid-paging`.
    QueryInvalidPaging,
    /// `query-max-results-exceeded`.
    QueryMaxResultsExceeded,
    /// `query-unbounded`.
    QueryUnbounded,
    /// `expression-not-allowed`.
    ExpressionNotAllowed,
    /// `multipart-malformed`.
    MultipartMalformed,
    /// `multipart-too-many-parts`.
    MultipartTooManyParts,
}

impl Code {
    /// Every code, for documentation and exhaustive tests.
    pub const ALL: &'static [Code] = &[
        Code::BodyTooLarge,
        Code::UnsupportedMediaType,
        Code::UnsupportedContentEncoding,
        Code::ContentEncodingInvalid,
        Code::InvalidHeader,
        Code::BodyIncomplete,
        Code::RequestTimeout,
        Code::XmlMalformed,
        Code::XmlDoctype,
        Code::XmlEntity,
        Code::XmlXinclude,
        Code::XmlXslt,
        Code::XmlSchemaLocation,
        Code::XmlStylesheet,
        Code::XmlForbiddenElement,
        Code::XmlForbiddenAttribute,
        Code::XmlTooDeep,
        Code::XmlTooManyAttributes,
        Code::XmlNameTooLong,
        Code::XmlValueTooLarge,
        Code::XmlTooManyElements,
        Code::XmlTooManyNamespaces,
        Code::XmlUnsupportedEncoding,
        Code::XmlEncodingMismatch,
        Code::JsonMalformed,
        Code::JsonDuplicateKey,
        Code::JsonTooDeep,
        Code::JsonValueTooLarge,
        Code::JsonTooManyMembers,
        Code::JsonUnsupportedEncoding,
        Code::JsonEncodingMismatch,
        Code::ClassNotAllowed,
        Code::JavaSerializationNotAllowed,
        Code::TypedVariableInvalid,
        Code::PathInvalid,
        Code::MethodInvalid,
        Code::QueryMalformed,
        Code::QueryInvalidPaging,
        Code::QueryMaxResultsExceeded,
        Code::QueryUnbounded,
        Code::ExpressionNotAllowed,
        Code::MultipartMalformed,
        Code::MultipartTooManyParts,
    ];

    /// The stable string form, e.g. `body-too-large`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::BodyTooLarge => "body-too-large",
            Code::UnsupportedMediaType => "unsupported-media-type",
            Code::UnsupportedContentEncoding => "unsupported-content-encoding",
            Code::ContentEncodingInvalid => "content-encoding-invalid",
            Code::InvalidHeader => "invalid-header",
            Code::BodyIncomplete => "body-incomplete",
            Code::RequestTimeout => "request-timeout",
            Code::XmlMalformed => "xml-malformed",
            Code::XmlDoctype => "xml-doctype",
            Code::XmlEntity => "xml-entity",
            Code::XmlXinclude => "xml-xinclude",
            Code::XmlXslt => "xml-xslt",
            Code::XmlSchemaLocation => "xml-schema-location",
            Code::XmlStylesheet => "xml-stylesheet",
            Code::XmlForbiddenElement => "xml-forbidden-element",
            Code::XmlForbiddenAttribute => "xml-forbidden-attribute",
            Code::XmlTooDeep => "xml-too-deep",
            Code::XmlTooManyAttributes => "xml-too-many-attributes",
            Code::XmlNameTooLong => "xml-name-too-long",
            Code::XmlValueTooLarge => "xml-value-too-large",
            Code::XmlTooManyElements => "xml-too-many-elements",
            Code::XmlTooManyNamespaces => "xml-too-many-namespaces",
            Code::XmlUnsupportedEncoding => "xml-unsupported-encoding",
            Code::XmlEncodingMismatch => "xml-encoding-mismatch",
            Code::JsonMalformed => "json-malformed",
            Code::JsonDuplicateKey => "json-duplicate-key",
            Code::JsonTooDeep => "json-too-deep",
            Code::JsonValueTooLarge => "json-value-too-large",
            Code::JsonTooManyMembers => "json-too-many-members",
            Code::JsonUnsupportedEncoding => "json-unsupported-encoding",
            Code::JsonEncodingMismatch => "json-encoding-mismatch",
            Code::ClassNotAllowed => "class-not-allowed",
            Code::JavaSerializationNotAllowed => "java-serialization-not-allowed",
            Code::TypedVariableInvalid => "typed-variable-invalid",
            Code::PathInvalid => "path-invalid",
            Code::MethodInvalid => "method-invalid",
            Code::QueryMalformed => "query-malformed",
            Code::QueryInvalidPaging => "query-invalid-paging",
            Code::QueryMaxResultsExceeded => "query-max-results-exceeded",
            Code::QueryUnbounded => "query-unbounded",
            Code::ExpressionNotAllowed => "expression-not-allowed",
            Code::MultipartMalformed => "multipart-malformed",
            Code::MultipartTooManyParts => "multipart-too-many-parts",
        }
    }

    /// The HTTP status a rejection with this code gets.
    pub fn status(self) -> http::StatusCode {
        match self {
            Code::BodyTooLarge => http::StatusCode::PAYLOAD_TOO_LARGE,
            Code::RequestTimeout => http::StatusCode::REQUEST_TIMEOUT,
            Code::UnsupportedMediaType
            | Code::UnsupportedContentEncoding
            | Code::XmlUnsupportedEncoding
            | Code::JsonUnsupportedEncoding => http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Code::InvalidHeader
            | Code::BodyIncomplete
            | Code::ContentEncodingInvalid
            | Code::XmlMalformed
            | Code::XmlDoctype
            | Code::XmlEntity
            | Code::XmlXinclude
            | Code::XmlXslt
            | Code::XmlSchemaLocation
            | Code::XmlStylesheet
            | Code::XmlForbiddenElement
            | Code::XmlForbiddenAttribute
            | Code::XmlTooDeep
            | Code::XmlTooManyAttributes
            | Code::XmlNameTooLong
            | Code::XmlValueTooLarge
            | Code::XmlTooManyElements
            | Code::XmlTooManyNamespaces
            | Code::XmlEncodingMismatch
            | Code::JsonMalformed
            | Code::JsonDuplicateKey
            | Code::JsonTooDeep
            | Code::JsonValueTooLarge
            | Code::JsonTooManyMembers
            | Code::JsonEncodingMismatch
            | Code::ClassNotAllowed
            | Code::JavaSerializationNotAllowed
            | Code::TypedVariableInvalid
            | Code::PathInvalid
            | Code::MethodInvalid
            | Code::QueryMalformed
            | Code::QueryInvalidPaging
            | Code::QueryMaxResultsExceeded
            | Code::QueryUnbounded
            | Code::ExpressionNotAllowed
            | Code::MultipartMalformed
            | Code::MultipartTooManyParts => http::StatusCode::BAD_REQUEST,
        }
    }

    /// A short title for problem details (`type`/`title` of RFC 9457).
    pub fn title(self) -> &'static str {
        match self {
            Code::BodyTooLarge => "Request body too large",
            Code::UnsupportedMediaType => "Unsupported media type",
            Code::UnsupportedContentEncoding => "Unsupported content encoding",
            Code::ContentEncodingInvalid => "Invalid compressed body",
            Code::InvalidHeader => "Invalid request header",
            Code::BodyIncomplete => "Request body incomplete",
            Code::RequestTimeout => "Request timeout",
            Code::XmlMalformed => "Malformed XML",
            Code::XmlDoctype => "XML document type declarations are not accepted",
            Code::XmlEntity => "XML entity reference not allowed",
            Code::XmlXinclude => "XInclude is not accepted",
            Code::XmlXslt => "XSLT is not accepted",
            Code::XmlSchemaLocation => "XML schema location not allowed",
            Code::XmlStylesheet => "XML stylesheet not allowed",
            Code::XmlForbiddenElement => "XML element not allowed",
            Code::XmlForbiddenAttribute => "XML attribute not allowed",
            Code::XmlTooDeep => "XML nested too deeply",
            Code::XmlTooManyAttributes => "Too many XML attributes",
            Code::XmlNameTooLong => "XML name too long",
            Code::XmlValueTooLarge => "XML text or attribute value too large",
            Code::XmlTooManyElements => "Too many XML elements",
            Code::XmlTooManyNamespaces => "Too many XML namespace declarations",
            Code::XmlUnsupportedEncoding => "Unsupported XML encoding",
            Code::XmlEncodingMismatch => "Conflicting XML encoding",
            Code::JsonMalformed => "Malformed JSON",
            Code::JsonDuplicateKey => "Duplicate JSON key",
            Code::JsonTooDeep => "JSON nested too deeply",
            Code::JsonValueTooLarge => "JSON value too large",
            Code::JsonTooManyMembers => "Too many JSON members",
            Code::JsonUnsupportedEncoding => "Unsupported JSON encoding",
            Code::JsonEncodingMismatch => "Conflicting JSON encoding",
            Code::ClassNotAllowed => "Class not allowed",
            Code::JavaSerializationNotAllowed => "Java serialization not allowed",
            Code::TypedVariableInvalid => "Invalid typed variable",
            Code::PathInvalid => "Invalid request path",
            Code::MethodInvalid => "Invalid request method",
            Code::QueryMalformed => "Malformed query string",
            Code::QueryInvalidPaging => "Invalid paging parameter",
            Code::QueryMaxResultsExceeded => "Too many results requested",
            Code::QueryUnbounded => "Unbounded query",
            Code::ExpressionNotAllowed => "Expressions not allowed",
            Code::MultipartMalformed => "Malformed multipart body",
            Code::MultipartTooManyParts => "Too many multipart parts",
        }
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    code: Code,
    location: Cow<'static, str>,
    message: Cow<'static, str>,
    offset: Option<usize>,
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
        }
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
    use super::*;

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
            assert!(code.status().is_client_error());
        }
    }
}
