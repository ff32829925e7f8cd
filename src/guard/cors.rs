//! Cross-origin requests judged on the head, by the policy's `[cors]`.

use http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_MAX_AGE, ACCESS_CONTROL_REQUEST_HEADERS,
    ACCESS_CONTROL_REQUEST_METHOD, HOST, ORIGIN, VARY,
};
use http::request::Parts;
use http::{HeaderMap, HeaderValue, Method};

use crate::policy::CorsPolicy;
use crate::violation::{Code, Violation};

/// What `[cors]` says of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Cors {
    /// Not a cross-origin request the policy judges (no `Origin`, the
    /// request's own origin, or a safe method from another origin, which
    /// the browser will not let the page read): passed on as it is.
    NotJudged,
    /// A preflight from an allowed origin: answered by the guard with
    /// these headers, never forwarded.
    Preflight(HeaderMap),
    /// A request from an allowed origin: passed on; its answer gets these
    /// headers.
    Allowed(HeaderMap),
    /// From an origin not allowed: refused.
    Refused(Violation),
}

fn refused(message: &'static str) -> Cors {
    Cors::Refused(Violation::new(
        Code::OriginNotAllowed,
        "header:origin",
        message,
    ))
}

/// Judges `head` by `policy`.
pub(crate) fn judge(policy: &CorsPolicy, head: &Parts) -> Cors {
    let mut origins = head.headers.get_all(ORIGIN).iter();
    let Some(origin) = origins.next() else {
        return Cors::NotJudged;
    };
    // Two `Origin` headers: no browser sends that.
    if origins.next().is_some() {
        return refused("more than one Origin header");
    }
    let Ok(origin_text) = origin.to_str() else {
        return refused("an Origin that is not ASCII");
    };
    let preflight =
        head.method == Method::OPTIONS && head.headers.contains_key(ACCESS_CONTROL_REQUEST_METHOD);
    if same_origin(origin_text, &head.headers) && !preflight {
        return Cors::NotJudged;
    }
    let allowed = policy
        .allow_origins
        .iter()
        .any(|o| o.eq_ignore_ascii_case(origin_text));
    if !allowed {
        let safe = matches!(head.method, Method::GET | Method::HEAD);
        return if preflight {
            refused("a preflight from an origin the policy does not allow")
        } else if safe {
            Cors::NotJudged
        } else {
            refused("a state-changing request from an origin the policy does not allow")
        };
    }
    let mut answer = HeaderMap::new();
    answer.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
    answer.insert(VARY, HeaderValue::from_static("Origin"));
    if policy.allow_credentials {
        answer.insert(
            ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        );
    }
    if !preflight {
        return Cors::Allowed(answer);
    }
    let asked = head
        .headers
        .get(ACCESS_CONTROL_REQUEST_METHOD)
        .and_then(|m| m.to_str().ok())
        .and_then(|m| m.parse::<Method>().ok());
    let Some(asked) = asked.filter(|m| policy.allow_methods.contains(m)) else {
        return refused("a preflight for a method the policy does not allow");
    };
    let headers_ok = head
        .headers
        .get_all(ACCESS_CONTROL_REQUEST_HEADERS)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .all(|h| {
            policy
                .allow_headers
                .iter()
                .any(|a| a.eq_ignore_ascii_case(h))
        });
    if !headers_ok {
        return refused("a preflight for a request header the policy does not allow");
    }
    let list = |items: Vec<&str>| HeaderValue::from_str(&items.join(", ")).ok();
    if let Some(methods) = list(policy.allow_methods.iter().map(Method::as_str).collect()) {
        answer.insert(ACCESS_CONTROL_ALLOW_METHODS, methods);
    }
    if let Some(headers) = list(policy.allow_headers.iter().map(String::as_str).collect())
        && !policy.allow_headers.is_empty()
    {
        answer.insert(ACCESS_CONTROL_ALLOW_HEADERS, headers);
    }
    answer.insert(
        ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from(policy.max_age_secs),
    );
    let _ = asked;
    Cors::Preflight(answer)
}

/// Whether `origin` names the host the request was sent to (any scheme:
/// the guard cannot tell which one the client used behind a proxy).
fn same_origin(origin: &str, headers: &HeaderMap) -> bool {
    let authority = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    let host = headers.get(HOST).and_then(|h| h.to_str().ok());
    matches!((authority, host), (Some(a), Some(h)) if a.eq_ignore_ascii_case(h))
}

#[cfg(test)]
mod tests {
    // Unwraps here are test failures, not request paths.
    use super::*;

    fn policy() -> CorsPolicy {
        CorsPolicy {
            allow_origins: vec!["https://tasklist.example.com".into()],
            allow_headers: vec!["content-type".into(), "authorization".into()],
            ..CorsPolicy::default()
        }
    }

    fn head(method: &str, headers: &[(&str, &str)]) -> Parts {
        let mut request = http::Request::builder()
            .method(method)
            .uri("/engine-rest/task");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.body(()).unwrap().into_parts().0
    }

    const TASKLIST: (&str, &str) = ("origin", "https://tasklist.example.com");
    const EVIL: (&str, &str) = ("origin", "https://evil.example");

    #[test]
    fn preflights_from_allowed_origins_are_answered() {
        let asked = head(
            "OPTIONS",
            &[
                TASKLIST,
                ("access-control-request-method", "POST"),
                (
                    "access-control-request-headers",
                    "Content-Type, Authorization",
                ),
            ],
        );
        let Cors::Preflight(answer) = judge(&policy(), &asked) else {
            panic!("{:?}", judge(&policy(), &asked));
        };
        assert_eq!(
            answer[ACCESS_CONTROL_ALLOW_ORIGIN],
            "https://tasklist.example.com"
        );
        assert_eq!(
            answer[ACCESS_CONTROL_ALLOW_METHODS],
            "GET, POST, PUT, DELETE"
        );
        assert_eq!(
            answer[ACCESS_CONTROL_ALLOW_HEADERS],
            "content-type, authorization"
        );
        assert_eq!(answer[ACCESS_CONTROL_MAX_AGE], "600");
        assert_eq!(answer[VARY], "Origin");
        // Near misses: a method or a header not allowed, an origin not allowed.
        for refused in [
            head(
                "OPTIONS",
                &[TASKLIST, ("access-control-request-method", "PATCH")],
            ),
            head(
                "OPTIONS",
                &[
                    TASKLIST,
                    ("access-control-request-method", "POST"),
                    ("access-control-request-headers", "x-admin"),
                ],
            ),
            head("OPTIONS", &[EVIL, ("access-control-request-method", "GET")]),
        ] {
            assert!(
                matches!(judge(&policy(), &refused), Cors::Refused(v) if v.code() == Code::OriginNotAllowed)
            );
        }
    }

    #[test]
    fn state_changing_requests_from_other_origins_are_refused() {
        for method in ["POST", "PUT", "DELETE", "PATCH"] {
            assert!(
                matches!(judge(&policy(), &head(method, &[EVIL])), Cors::Refused(_)),
                "{method}"
            );
            assert!(
                matches!(
                    judge(&policy(), &head(method, &[TASKLIST])),
                    Cors::Allowed(_)
                ),
                "{method}"
            );
        }
        // Safe methods from elsewhere pass, without CORS headers.
        assert_eq!(judge(&policy(), &head("GET", &[EVIL])), Cors::NotJudged);
        // No Origin, or the request's own: not judged.
        assert_eq!(judge(&policy(), &head("POST", &[])), Cors::NotJudged);
        let own = head(
            "POST",
            &[
                ("origin", "https://engine.example:8443"),
                ("host", "engine.example:8443"),
            ],
        );
        assert_eq!(judge(&policy(), &own), Cors::NotJudged);
        // Two Origins, or one spelled `null`, are not an allowed origin.
        let two = head("POST", &[TASKLIST, TASKLIST]);
        assert!(matches!(judge(&policy(), &two), Cors::Refused(_)));
        assert!(matches!(
            judge(&policy(), &head("POST", &[("origin", "null")])),
            Cors::Refused(_)
        ));
    }

    #[test]
    fn credentials_are_allowed_only_when_the_policy_says_so() {
        let answer = |policy: &CorsPolicy| match judge(policy, &head("POST", &[TASKLIST])) {
            Cors::Allowed(answer) => answer,
            other => panic!("{other:?}"),
        };
        assert!(
            answer(&policy())
                .get(ACCESS_CONTROL_ALLOW_CREDENTIALS)
                .is_none()
        );
        let with = CorsPolicy {
            allow_credentials: true,
            ..policy()
        };
        assert_eq!(answer(&with)[ACCESS_CONTROL_ALLOW_CREDENTIALS], "true");
    }
}
