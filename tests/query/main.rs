//! The query guard (issue 5), driven through `Guard::check`, one test binary
//! (`cargo test --test query`), one module a topic:
//!
//! | module | what it holds |
//! |---|---|
//! | [`paging`] | `maxResults` and `firstResult` on list queries, rejecting; paging in JSON query bodies |
//! | [`clamp`] | `on_excess = "clamp"` rewrites the URI; `require_max_results`; route-level caps |
//! | [`list_queries`] | what is and is not a list query in the bundled policy: counts, single resources, POST queries, methods, named engines |
//! | [`paths`] | routes matched on the path as the servlet container reads it |
//! | [`expressions`] | task-query expression parameters in query strings and JSON bodies |
//! | [`routes`] | route order, per-route body limits, the built-in Camunda routes |
//! | [`bundled_routes`] | every list route of the bundled `policies/camunda.toml` |
//! | [`cli`] | `input-guard check --uri` (feature `cli`) |
//!
//! Every table names its cases and prints every case that fails, with the
//! verdict it got and the one expected.

#[path = "../common/mod.rs"]
mod common;

mod bundled_routes;
mod clamp;
#[cfg(feature = "cli")]
mod cli;
mod expressions;
mod list_queries;
mod paging;
mod paths;
mod routes;

use common::outcome::{ALLOW, assert_all_passed, verdict};
use common::policy::{camunda_edited, camunda_guard, guard};
use input_guard::Guard;
use input_guard::policy::Policy;

// ---------------------------------------------------------------------------------------------
// Policies

/// The bundled policy with `on_excess = "clamp"`.
fn bundled_clamp_text() -> String {
    camunda_edited(&[(r#"on_excess = "reject""#, r#"on_excess = "clamp""#)])
}

/// `text` with `routes` (`[[routes]]` tables) placed before its first route.
fn routes_first(text: &str, routes: &str) -> String {
    let at = text.find("\n[[routes]]\n").expect("the policy has routes") + 1;
    format!("{}{routes}\n{}", &text[..at], &text[at..])
}

// ---------------------------------------------------------------------------------------------
// Expected verdicts, as `common::outcome::verdict` writes them

fn rewrite(uri: &str) -> String {
    format!("rewrite {uri}")
}

fn reject(code: &str, location: &str) -> String {
    format!("reject {code} at {location}")
}

fn unbounded() -> String {
    reject("query-unbounded", "query:maxResults")
}

fn exceeded() -> String {
    reject("query-max-results-exceeded", "query:maxResults")
}

fn bad_paging(name: &str) -> String {
    reject("query-invalid-paging", &format!("query:{name}"))
}

fn malformed() -> String {
    reject("query-malformed", "query")
}

fn path_invalid() -> String {
    reject("path-invalid", "path")
}

fn expression(location: &str) -> String {
    reject("expression-not-allowed", location)
}

// ---------------------------------------------------------------------------------------------
// Tables

/// One request and the verdict expected for it.
struct Case {
    name: String,
    method: &'static str,
    uri: String,
    headers: Vec<(&'static str, String)>,
    /// Sent as `application/json` when not empty.
    body: Vec<u8>,
    /// As [`verdict`] writes it: [`ALLOW`], `"rewrite <uri>"`,
    /// `"reject <code> at <location>"`, `"report <code> at <location>"`.
    want: String,
}

/// A request with any method; a non-empty body is sent as
/// `application/json`.
fn call(
    name: impl Into<String>,
    method: &'static str,
    uri: impl Into<String>,
    body: impl Into<String>,
    want: impl Into<String>,
) -> Case {
    Case {
        name: name.into(),
        method,
        uri: uri.into(),
        headers: Vec::new(),
        body: body.into().into_bytes(),
        want: want.into(),
    }
}

/// A GET without a body.
fn get(name: impl Into<String>, uri: impl Into<String>, want: impl Into<String>) -> Case {
    call(name, "GET", uri, "", want)
}

/// A POST; a non-empty body is sent as `application/json`.
fn post(
    name: impl Into<String>,
    uri: impl Into<String>,
    body: impl Into<String>,
    want: impl Into<String>,
) -> Case {
    call(name, "POST", uri, body, want)
}

impl Case {
    fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// The body re-encoded as UTF-16LE without a BOM, which Jackson
    /// detects from the zero bytes.
    fn utf16le(mut self) -> Self {
        let text = String::from_utf8(std::mem::take(&mut self.body)).expect("a UTF-8 body");
        self.body = common::text::utf16(&text, true, false);
        self
    }

    /// The request head, or why `http` refuses to build it.
    fn head(&self) -> Result<http::request::Parts, String> {
        let mut headers: Vec<(&str, &str)> = Vec::new();
        if !self.body.is_empty() {
            headers.push(("content-type", "application/json"));
        }
        headers.extend(
            self.headers
                .iter()
                .map(|(name, value)| (*name, value.as_str())),
        );
        common::request::try_head(self.method, &self.uri, &headers)
            .map_err(|e| format!("the request does not build: {e}"))
    }

    fn describe(&self) -> String {
        let mut text = format!("{} {}", self.method, self.uri);
        for (name, value) in &self.headers {
            text.push_str(&format!(" [{name}: {value}]"));
        }
        if !self.body.is_empty() {
            text.push_str(&format!(" body {:?}", String::from_utf8_lossy(&self.body)));
        }
        text
    }
}

/// Runs every case through `guard.check` (or, with `head_only`,
/// `guard.check_head`) and fails listing every case whose verdict differs.
#[track_caller]
fn check_with(guard: &Guard, cases: &[Case], head_only: bool) {
    assert!(!cases.is_empty(), "an empty table tests nothing");
    let mut names = std::collections::HashSet::new();
    for case in cases {
        assert!(
            names.insert(&case.name),
            "duplicate case name {}",
            case.name
        );
    }
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            let got = match case.head() {
                Ok(head) if head_only => verdict(&guard.check_head(&head)),
                Ok(head) => verdict(&guard.check(&head, &case.body)),
                Err(e) => e,
            };
            (got != case.want).then(|| {
                format!(
                    "  {}:\n    request  {}\n    expected {}\n    got      {got}",
                    case.name,
                    case.describe(),
                    case.want
                )
            })
        })
        .collect();
    assert_all_passed(&failures, cases.len());
}

#[track_caller]
fn check(guard: &Guard, cases: &[Case]) {
    check_with(guard, cases, false);
}
