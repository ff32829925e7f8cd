//! Request heads (`http::request::Parts`), the first argument of
//! `Guard::check`.

use http::request::Parts;

/// The head of a request with this method, URI and headers, or why `http`
/// refuses to build it (a test may send what `http` does not accept).
pub fn try_head(method: &str, uri: &str, headers: &[(&str, &str)]) -> Result<Parts, http::Error> {
    let mut request = http::Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let (head, ()) = request.body(())?.into_parts();
    Ok(head)
}

/// The head of a request with this method, URI and headers.
#[track_caller]
pub fn head(method: &str, uri: &str, headers: &[(&str, &str)]) -> Parts {
    try_head(method, uri, headers).unwrap_or_else(|e| panic!("{method} {uri}: {e}"))
}

/// The head of a `POST` to `uri` with this `Content-Type`.
#[track_caller]
pub fn post(uri: &str, content_type: &str) -> Parts {
    head("POST", uri, &[("content-type", content_type)])
}
