//! Whole requests through the guard with the bundled Camunda policy: the
//! first bytes pick a method, content type and encoding, the next line is
//! the URI, the rest is the body. Reaches every inspector, the path and
//! query readers, multipart splitting and inflation. No panic, no hang.
#![no_main]

use std::sync::OnceLock;

use input_guard::{Guard, Policy, Verdict};
use libfuzzer_sys::fuzz_target;

fn guard() -> &'static Guard {
    static GUARD: OnceLock<Guard> = OnceLock::new();
    GUARD.get_or_init(|| {
        let text = include_str!("../../policies/camunda.toml");
        let mut policy = Policy::from_toml(text).unwrap_or_default();
        policy.body.max_inflated_bytes = 1 << 20;
        Guard::new(policy).expect("a valid policy")
    })
}

const TYPES: [&str; 8] = [
    "application/json",
    "application/xml; charset=utf-16",
    "multipart/form-data; boundary=b",
    "text/plain",
    "application/hal+json; charset=UTF-8",
    "text/xml",
    "multipart/form-data",
    "application/octet-stream",
];
const METHODS: [&str; 4] = ["GET", "POST", "PUT", "HEAD"];

fuzz_target!(|data: &[u8]| {
    let [selector, rest @ ..] = data else {
        return;
    };
    let (uri, body) = match rest.iter().position(|&b| b == b'\n') {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (&b"/engine-rest/task"[..], rest),
    };
    let Ok(uri) = std::str::from_utf8(uri) else {
        return;
    };
    // The top bit spells the method in lower case (refused, `method-invalid`).
    let method = METHODS[usize::from(selector & 3)];
    let lower = method.to_ascii_lowercase();
    let method = if selector & 0x80 != 0 { &lower } else { method };
    let mut request = http::Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", TYPES[usize::from((selector >> 2) & 7)]);
    if selector & 0x20 != 0 {
        request = request.header(
            "content-encoding",
            if selector & 0x40 != 0 {
                "gzip"
            } else {
                "deflate"
            },
        );
    }
    let Ok(request) = request.body(()) else {
        return;
    };
    let (head, ()) = request.into_parts();
    let guard = guard();
    let verdict = guard.check(&head, body);
    if let Verdict::Reject(v) = &verdict {
        assert!(v.status().is_client_error());
    }
    let checked = guard.head(&head);
    assert_eq!(checked.check(body), verdict);
    // What the head alone refuses, the whole request refuses, for the same
    // reason: adapters answer the head's verdict before reading the body.
    if let Verdict::Reject(v) = checked.verdict() {
        assert_eq!(verdict, Verdict::Reject(v));
    }
});
