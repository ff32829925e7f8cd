//! Integration tests of the JSON inspector (issue 4), one test binary
//! (`cargo test --test json`), one module a topic:
//!
//! | module | what it holds |
//! |---|---|
//! | [`locations`] | typed variables in every body location Camunda 7 reads them from (camunda7.md table 2.2) |
//! | [`member_order`] | a typed variable's members in every order |
//! | [`escapes`] | escaped keys and values; type names in any letter case |
//! | [`typed_variables`] | `objectTypeName` values, the `Object` variable rules, `objectTypeName` anywhere |
//! | [`carried`] | JSON and XML carried in strings, nested up to `max_embedded_depth` |
//! | [`type_ids`] | every type-id key, custom keys, Jackson wrapper arrays |
//! | [`strict`] | strict RFC 8259 parsing with a near miss for each rule, duplicate keys, invalid UTF-8 |
//! | [`encodings`] | UTF-8 BOM, UTF-16, UTF-32, `charset` parameters |
//! | [`limits`] | every limit at and one past the limit |
//! | [`through_guard`] | the whole request through the [`Guard`] |
//!
//! Most tests are tables of [`Case`]s: a name, a body, and the expected
//! outcome, either [`OK`] or `"<code> at <JSON Pointer>"` ([`code_at`]). A
//! table reports every case that disagrees, not just the first.

#[path = "../common/mod.rs"]
mod common;

mod carried;
mod encodings;
mod escapes;
mod limits;
mod locations;
mod member_order;
mod strict;
mod through_guard;
mod type_ids;
mod typed_variables;

use common::json::{js, typed};
use common::outcome::{OK, assert_all_passed, code_at, inspected};
use common::text::{shorten, utf16, utf32};
use input_guard::policy::Policy;
use input_guard::{Guard, Violation};

// ---------------------------------------------------------------- codes

const MALFORMED: &str = "json-malformed";
const DUPLICATE: &str = "json-duplicate-key";
const TOO_DEEP: &str = "json-too-deep";
const TOO_LARGE: &str = "json-value-too-large";
const TOO_MANY: &str = "json-too-many-members";
const UNSUPPORTED: &str = "json-unsupported-encoding";
const MISMATCH: &str = "json-encoding-mismatch";
const CLASS: &str = "class-not-allowed";
const JAVA: &str = "java-serialization-not-allowed";
const INVALID: &str = "typed-variable-invalid";
const DOCTYPE: &str = "xml-doctype";
const XML_MALFORMED: &str = "xml-malformed";
const XINCLUDE: &str = "xml-xinclude";

// ---------------------------------------------------------------- policies

/// The test policy's allow list. `java.lang.*` is allowed on purpose, so that
/// `java.lang.Runtime` is refused by the built-in gadget list alone; nothing
/// under `com.evil` is allowed.
const ALLOW_LIST: &str = r#"allow = [
    "java.util.*",
    "java.lang.*",
    "com.acme.**",
    "Acme.**",
    "System.Collections.Generic.*",
    "System.String",
]"#;

/// A Java serialization stream (`java.util.HashMap`), base64.
const JAVA_STREAM: &str = "rO0ABXNyABFqYXZhLnV0aWwuSGFzaE1hcA==";

/// A guard for the test policy plus `classes` lines in `[classes]` and
/// `json` lines in `[json]`.
fn guard_with(classes: &str, json: &str) -> Guard {
    let toml = format!("[classes]\n{ALLOW_LIST}\n{classes}\n[json]\n{json}\n");
    let policy = Policy::from_toml(&toml).unwrap_or_else(|e| panic!("test policy: {e}\n{toml}"));
    Guard::new(policy).expect("a valid policy")
}

/// A guard for the test policy as it is.
fn test_guard() -> Guard {
    guard_with("", "")
}

// ---------------------------------------------------------------- tables

/// One body for the JSON inspector and the outcome expected for it.
struct Case {
    name: String,
    body: Vec<u8>,
    /// The `charset` parameter of the request's content type, if any.
    charset: Option<&'static str>,
    /// [`OK`] or `"<code> at <JSON Pointer>"` ([`code_at`]).
    expected: String,
}

/// A case without a `charset`; add one with [`Case::charset`].
fn case(name: impl Into<String>, body: impl AsRef<[u8]>, expected: impl Into<String>) -> Case {
    Case {
        name: name.into(),
        body: body.as_ref().to_vec(),
        charset: None,
        expected: expected.into(),
    }
}

impl Case {
    fn charset(mut self, charset: &'static str) -> Self {
        self.charset = Some(charset);
        self
    }
}

/// Inspects every case with `guard`'s JSON inspector and fails listing every
/// case whose outcome differs from the expected one.
#[track_caller]
fn check(guard: &Guard, cases: &[Case]) {
    let inspector = guard.json();
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|c| {
            let result = inspector.inspect(&c.body, c.charset);
            let got = inspected(&result);
            (got != c.expected).then(|| {
                let detail = match &result {
                    Ok(()) => String::new(),
                    Err(v) => format!(" ({v})"),
                };
                format!(
                    "  {}: expected {}, got {got}{detail}\n    input {} charset {:?}",
                    c.name,
                    c.expected,
                    shorten(&c.body, 240),
                    c.charset,
                )
            })
        })
        .collect();
    assert_all_passed(&failures, cases.len());
}

/// Inspects `body` and returns the violation, failing unless it is `code`
/// at `location`.
#[track_caller]
fn rejected(guard: &Guard, body: &str, code: &str, location: &str) -> Violation {
    match guard.json().inspect(body.as_bytes(), None) {
        Ok(()) => panic!("expected {code} at {location}, but it passed: {body}"),
        Err(v) => {
            assert_eq!(
                code_at(v.code().as_str(), v.location()),
                code_at(code, location),
                "{v}\n  input {body}"
            );
            v
        }
    }
}

// ---------------------------------------------------------------- bodies

/// Replaces every `(placeholder, value)` in `template`.
fn fill(template: &str, pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .fold(template.to_owned(), |acc, (from, to)| acc.replace(from, to))
}

/// A serialized `Object` variable in JSON format naming `class`.
fn object_var(class: &str) -> String {
    typed(r#""{}""#, "Object", class, "application/json")
}

/// The same as a `TriggerVariableValueDto` (modification instructions,
/// CMMN triggers): one more member, `local`.
fn trigger(var: &str) -> String {
    format!("{{\"local\":true,{}", &var[1..])
}

/// `{"variables":{"x": var}}`; its variable sits at `/variables/x`.
fn in_variables(var: &str) -> String {
    format!(r#"{{"variables":{{"x":{var}}}}}"#)
}
