//! Upstream errors shown to clients without their technical details.
//!
//! Camunda's REST API answers its own errors as a short JSON object,
//! `{"type": "...", "message": "..."}`, which clients rely on and which
//! says nothing about the server's insides. Everything else a 5xx can carry
//! (the container's HTML error page, a Java stack trace, an exception
//! chain with SQL or file paths in it) tells an attacker what runs behind
//! the gateway and how it failed, which the hardening guides ask to keep
//! from remote clients. Such a body is replaced by a generic problem+json
//! naming the request id; the original goes to the log, bounded.

use super::pool::PooledBody;
use bytes::Bytes;
use http::header::{self, HeaderValue};
use http::{Response, StatusCode};
use http_body_util::{BodyExt, Limited};

use super::forward::{Body, full};
use super::logging::Summary;

/// How much of a masked body the log keeps.
const LOGGED_BYTES: usize = 2048;

/// Whether to mask, and the largest body an engine error may have.
#[derive(Debug, Clone, Copy)]
pub(super) struct ErrorMasking {
    pub(super) max_bytes: usize,
}

/// The upstream's 5xx `response`, passed on when its body is the engine's
/// own short error, else replaced (same status) and logged.
pub(super) async fn screen(
    response: Response<PooledBody>,
    masking: ErrorMasking,
    request: &Summary,
) -> Response<Body> {
    let (mut head, body) = response.into_parts();
    let content_type = head
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    // Read at most one byte past the bound: a longer body is masked
    // without being held.
    let read = Limited::new(body, masking.max_bytes).collect().await;
    let bytes = match read {
        Ok(collected) => Some(collected.to_bytes()),
        Err(_) => None,
    };
    if let Some(bytes) = &bytes
        && is_engine_error(content_type.as_deref(), bytes)
    {
        head.headers.remove(header::CONTENT_LENGTH);
        return Response::from_parts(head, full(bytes.clone()));
    }
    let logged = bytes
        .as_ref()
        .map_or(&b""[..], |b| &b[..b.len().min(LOGGED_BYTES)]);
    tracing::warn!(
        target: "input_guard::gateway",
        status = head.status.as_u16(),
        content_type = content_type.as_deref().unwrap_or("-"),
        over_bound = bytes.is_none(),
        body = %String::from_utf8_lossy(logged),
        request_id = request.id().unwrap_or("-"),
        "masked an upstream error that showed technical details"
    );
    masked(head.status, request.id())
}

/// A stack trace line (`\tat org.acme.Thing.method(Thing.java:42)`), or a
/// chained cause (`...: java.sql.SQLException: ...`, `Caused by:`).
fn shows_internals(text: &str) -> bool {
    text.contains("\tat ")
        || text.contains("\n\tat")
        || text.contains("Caused by:")
        || text.contains("Exception:")
        || text.contains("Error:")
        || text.contains(".java:")
}

/// The engine's own error: a JSON object whose `type` and `message` are
/// strings, whose other members are scalars (Camunda adds `code`), and
/// that shows no stack trace or exception chain.
fn is_engine_error(content_type: Option<&str>, body: &[u8]) -> bool {
    let json = content_type.is_some_and(|ct| {
        let essence = ct.split(';').next().unwrap_or_default().trim();
        essence.eq_ignore_ascii_case("application/json")
    });
    if !json {
        return false;
    }
    let Ok(serde_json::Value::Object(members)) = serde_json::from_slice(body) else {
        return false;
    };
    let text = |key: &str| members.get(key).and_then(serde_json::Value::as_str);
    let (Some(kind), Some(message)) = (text("type"), text("message")) else {
        return false;
    };
    let scalars = members.values().all(|v| !v.is_object() && !v.is_array());
    scalars && !shows_internals(kind) && !shows_internals(message)
}

/// The generic answer: the upstream's status, nothing of its body.
fn masked(status: StatusCode, request_id: Option<&str>) -> Response<Body> {
    let mut problem = serde_json::json!({
        "type": "urn:input-guard:problem:upstream-error",
        "title": "Upstream error",
        "status": status.as_u16(),
        "detail": "the engine could not complete the request; the gateway's log has the details under this request's id",
        "code": "upstream-error",
    });
    if let (Some(id), Some(object)) = (request_id, problem.as_object_mut()) {
        object.insert(
            "instance".into(),
            serde_json::Value::String(format!("urn:request:{id}")),
        );
    }
    let mut response = Response::new(full(Bytes::from(problem.to_string())));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    // Unwraps here are test failures, not request paths.
    use super::*;

    const JSON: Option<&str> = Some("application/json");

    #[test]
    fn the_engines_own_errors_pass() {
        for body in [
            r#"{"type":"InvalidRequestException","message":"Cannot find task with id abc"}"#,
            r#"{"type":"ProcessEngineException","message":"ENGINE-13033 no deployment","code":0}"#,
            r#"{"type":"AuthorizationException","message":"The user 'demo' does not have 'READ' permission","userId":"demo"}"#,
        ] {
            assert!(is_engine_error(JSON, body.as_bytes()), "{body}");
        }
        assert!(is_engine_error(
            Some("application/json; charset=utf-8"),
            br#"{"type":"RestException","message":"bad"}"#
        ));
    }

    #[test]
    fn pages_traces_and_chains_are_masked() {
        let cases: [(Option<&str>, &str); 8] = [
            (
                Some("text/html"),
                "<html><body><h1>HTTP Status 500</h1><pre>java.lang.NullPointerException\n\tat org.acme.X.y(X.java:1)</pre>",
            ),
            (
                JSON,
                r#"{"type":"ProcessEngineException","message":"ENGINE-03004 failed. Cause: org.h2.jdbc.JdbcSQLException: Table T not found; SQL statement: SELECT * FROM T"}"#,
            ),
            (
                JSON,
                r#"{"type":"X","message":"boom\n\tat org.camunda.bpm.engine.impl.Foo.bar(Foo.java:10)"}"#,
            ),
            (
                JSON,
                r#"{"type":"X","message":"m","stackTrace":["at org.x"]}"#,
            ),
            (JSON, r#"{"message":"no type"}"#),
            (JSON, r#"["type","message"]"#),
            (None, r#"{"type":"X","message":"m"}"#),
            (JSON, "not json"),
        ];
        for (content_type, body) in cases {
            assert!(!is_engine_error(content_type, body.as_bytes()), "{body}");
        }
    }

    #[test]
    fn the_masked_answer_keeps_the_status_and_names_the_request() {
        let response = masked(StatusCode::SERVICE_UNAVAILABLE, Some("abc-1"));
        assert_eq!(response.status(), 503);
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
    }
}
