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
/// | `invalid-header` | 400 | a `Content-Length`, `Content-Type` or `Content-Encoding` header the guard cannot read unambiguously |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Code {
    /// `body-too-large`.
    BodyTooLarge,
    /// `unsupported-media-type`.
    UnsupportedMediaType,
    /// `unsupported-content-encoding`.
    UnsupportedContentEncoding,
    /// `invalid-header`.
    InvalidHeader,
}

impl Code {
    /// Every code, for documentation and exhaustive tests.
    pub const ALL: &'static [Code] = &[
        Code::BodyTooLarge,
        Code::UnsupportedMediaType,
        Code::UnsupportedContentEncoding,
        Code::InvalidHeader,
    ];

    /// The stable string form, e.g. `body-too-large`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::BodyTooLarge => "body-too-large",
            Code::UnsupportedMediaType => "unsupported-media-type",
            Code::UnsupportedContentEncoding => "unsupported-content-encoding",
            Code::InvalidHeader => "invalid-header",
        }
    }

    /// The HTTP status a rejection with this code gets.
    pub fn status(self) -> http::StatusCode {
        match self {
            Code::BodyTooLarge => http::StatusCode::PAYLOAD_TOO_LARGE,
            Code::UnsupportedMediaType | Code::UnsupportedContentEncoding => {
                http::StatusCode::UNSUPPORTED_MEDIA_TYPE
            }
            Code::InvalidHeader => http::StatusCode::BAD_REQUEST,
        }
    }

    /// A short title for problem details (`type`/`title` of RFC 9457).
    pub fn title(self) -> &'static str {
        match self {
            Code::BodyTooLarge => "Request body too large",
            Code::UnsupportedMediaType => "Unsupported media type",
            Code::UnsupportedContentEncoding => "Unsupported content encoding",
            Code::InvalidHeader => "Invalid request header",
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
        }
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
        write!(f, "{} at {}: {}", self.code, self.location, self.message)
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
