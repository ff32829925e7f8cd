//! Rejections as RFC 9457 problem details.
//!
//! The body holds the stable code, the public message and the location the
//! guard found, and nothing else: no parser messages, no stack traces, no
//! paths on the server, no policy contents.

use bytes::Bytes;
use http::header::{CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER};
use http::{HeaderValue, Response};
use http_body_util::Full;

use crate::Violation;

fn push_json_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // Controls, and the two line separators some JavaScript
            // parsers still choke on.
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The problem+json body for `violation`: the code's problem type, title
/// and status, the violation's message as `detail`, its code, its location
/// and, when known, its byte offset.
///
/// ```
/// use input_guard::{Code, Violation, layer::problem_body};
///
/// let violation = Violation::new(Code::BodyTooLarge, "body", "request body is larger than 16 bytes");
/// assert_eq!(
///     problem_body(&violation),
///     concat!(
///         r#"{"type":"urn:input-guard:problem:body-too-large","title":"Request body too large","#,
///         r#""status":413,"detail":"request body is larger than 16 bytes","code":"body-too-large","#,
///         r#""location":"body"}"#,
///     ),
/// );
///
/// let at = Violation::new(Code::JsonDuplicateKey, "/a\"b", "duplicate key").at_offset(9);
/// assert!(problem_body(&at).ends_with(r#""location":"/a\"b","offset":9}"#));
/// ```
pub fn problem_body(violation: &Violation) -> String {
    body_with_instance(violation, None)
}

/// The problem body, with `instance` (RFC 9457) naming the request when
/// it has an id.
fn body_with_instance(violation: &Violation, request_id: Option<&str>) -> String {
    let code = violation.code();
    let mut out = String::with_capacity(256);
    out.push_str("{\"type\":");
    push_json_string(
        &mut out,
        &format!("urn:input-guard:problem:{}", code.as_str()),
    );
    out.push_str(",\"title\":");
    push_json_string(&mut out, code.title());
    out.push_str(&format!(",\"status\":{}", code.status().as_u16()));
    out.push_str(",\"detail\":");
    push_json_string(&mut out, violation.message());
    out.push_str(",\"code\":");
    push_json_string(&mut out, code.as_str());
    out.push_str(",\"location\":");
    push_json_string(&mut out, violation.location());
    if let Some(offset) = violation.offset() {
        out.push_str(&format!(",\"offset\":{offset}"));
    }
    if let Some(id) = request_id {
        out.push_str(",\"instance\":");
        push_json_string(&mut out, &format!("urn:request:{id}"));
    }
    out.push('}');
    out
}

/// A complete rejection response: the violation's status, problem+json.
///
/// ```
/// use http_body::Body;
/// use input_guard::{Code, Violation, layer::{problem_body, problem_response}};
///
/// let violation = Violation::new(Code::XmlDoctype, "body", "a DOCTYPE is not accepted");
/// let response = problem_response(&violation);
/// assert_eq!(response.status(), 400);
/// assert_eq!(response.headers()["content-type"], "application/problem+json");
/// assert_eq!(response.headers()["cache-control"], "no-store");
/// let length = problem_body(&violation).len() as u64;
/// assert_eq!(response.body().size_hint().exact(), Some(length));
/// ```
pub fn problem_response(violation: &Violation) -> Response<Full<Bytes>> {
    problem_response_for(violation, None)
}

/// [`problem_response`] for the request with id `request_id`, named as the
/// problem's `instance` (`urn:request:ID`), as the layer answers requests
/// that carry an `X-Request-Id`.
///
/// ```
/// use input_guard::{Code, Violation, layer::problem_response_for};
///
/// let timeout = Violation::new(Code::RequestTimeout, "request", "the request took too long");
/// let response = problem_response_for(&timeout, Some("0193a1b2"));
/// assert_eq!(response.status(), 408);
/// ```
pub fn problem_response_for(
    violation: &Violation,
    request_id: Option<&str>,
) -> Response<Full<Bytes>> {
    let body = body_with_instance(violation, request_id);
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = violation.status();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if violation.code() == crate::Code::Overloaded {
        // Buffers free as soon as the requests ahead finish.
        headers.insert(RETRY_AFTER, HeaderValue::from_static("1"));
    }
    response
}

/// A request's id: its `X-Request-Id`, when there is exactly one and it
/// is 1 to 128 characters of letters, digits, `.`, `_`, `:` and `-`, so
/// that it is safe in problem bodies and log lines; otherwise none. The
/// layer names rejections by it, and the gateway keeps a trusted proxy's
/// id only when it passes.
///
/// ```
/// use input_guard::http::{HeaderMap, HeaderValue};
/// use input_guard::layer::request_id;
///
/// let mut headers = HeaderMap::new();
/// assert_eq!(request_id(&headers), None);
/// headers.insert("x-request-id", HeaderValue::from_static("lb-7f3a"));
/// assert_eq!(request_id(&headers), Some("lb-7f3a"));
/// headers.insert("x-request-id", HeaderValue::from_static("no\"good"));
/// assert_eq!(request_id(&headers), None);
/// ```
pub fn request_id(headers: &http::HeaderMap) -> Option<&str> {
    let mut values = headers.get_all("x-request-id").iter();
    let value = values.next()?.to_str().ok()?;
    let safe = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '-');
    (values.next().is_none() && (1..=128).contains(&value.len()) && value.chars().all(safe))
        .then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Code;

    #[test]
    fn problem_bodies_are_json() {
        let v = Violation::new(
            Code::ClassNotAllowed,
            "/a\"b",
            "class `x\ny` is not allowed",
        )
        .at_offset(7);
        let body = problem_body(&v);
        assert_eq!(
            body,
            concat!(
                r#"{"type":"urn:input-guard:problem:class-not-allowed","title":"Class not allowed","#,
                r#""status":400,"detail":"class `x\ny` is not allowed","code":"class-not-allowed","#,
                r#""location":"/a\"b","offset":7}"#
            )
        );
        let response = problem_response(&v);
        assert_eq!(response.status(), 400);
        assert_eq!(response.headers()[CONTENT_TYPE], "application/problem+json");
    }
}
