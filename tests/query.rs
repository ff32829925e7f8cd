//! The query guard (issue 5), driven through `Guard::check`: routes matched
//! on the path as the servlet container reads it, `maxResults` and
//! `firstResult` on list queries (reject or clamp), unbounded list queries,
//! task-query expression parameters in query strings and JSON bodies, and
//! the routes of the bundled `policies/camunda.toml`.
//!
//! Every table names its cases and prints every case that fails, with the
//! verdict it got and the one expected.

use input_guard::policy::Policy;
use input_guard::{Guard, Verdict};

// ---------------------------------------------------------------------------------------------
// Helpers

const BUNDLED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/policies/camunda.toml");

/// The expected outcome of a request that passes unchanged.
const ALLOW: &str = "allow";

fn bundled_text() -> String {
    std::fs::read_to_string(BUNDLED).unwrap_or_else(|e| panic!("{BUNDLED}: {e}"))
}

/// The bundled policy, loaded as a user would load it.
fn bundled() -> Guard {
    Guard::new(Policy::load(BUNDLED).unwrap_or_else(|e| panic!("{e}"))).expect("a valid policy")
}

/// A guard for policy text.
fn guard(text: &str) -> Guard {
    Guard::new(Policy::from_toml(text).unwrap_or_else(|e| panic!("{e}\n--- policy ---\n{text}")))
        .expect("a valid policy")
}

/// The bundled policy text with each `(from, to)` replaced; `from` must
/// occur exactly once, so an edit of the bundled file cannot silently turn
/// a test into a no-op.
fn bundled_edited(edits: &[(&str, &str)]) -> String {
    let mut text = bundled_text();
    for (from, to) in edits {
        assert_eq!(
            text.matches(from).count(),
            1,
            "`{from}` should occur once in camunda.toml"
        );
        text = text.replace(from, to);
    }
    text
}

/// The bundled policy with `on_excess = "clamp"`.
fn bundled_clamp_text() -> String {
    bundled_edited(&[(r#"on_excess = "reject""#, r#"on_excess = "clamp""#)])
}

/// `text` with `routes` (`[[routes]]` tables) placed before its first route.
fn routes_first(text: &str, routes: &str) -> String {
    let at = text.find("\n[[routes]]\n").expect("the policy has routes") + 1;
    format!("{}{routes}\n{}", &text[..at], &text[at..])
}

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

/// `"allow"`, `"rewrite <uri>"`, `"reject <code> at <location>"` or
/// `"report <code> at <location>"`.
fn outcome(verdict: &Verdict) -> String {
    match verdict {
        Verdict::Allow => ALLOW.to_owned(),
        Verdict::Rewrite(uri) => rewrite(&uri.to_string()),
        Verdict::Reject(v) => reject(v.code().as_str(), v.location()),
        Verdict::Report(v) => format!("report {} at {}", v.code().as_str(), v.location()),
    }
}

/// One request and the verdict expected for it.
struct Case {
    name: String,
    method: &'static str,
    uri: String,
    headers: Vec<(&'static str, String)>,
    /// Sent as `application/json` when not empty.
    body: Vec<u8>,
    want: String,
}

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
        self.body = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        self
    }

    /// The request head, or why `http` refuses to build it.
    fn head(&self) -> Result<http::request::Parts, String> {
        let mut request = http::Request::builder()
            .method(self.method)
            .uri(self.uri.as_str());
        if !self.body.is_empty() {
            request = request.header("content-type", "application/json");
        }
        for (name, value) in &self.headers {
            request = request.header(*name, value.as_str());
        }
        let (head, ()) = request
            .body(())
            .map_err(|e| format!("the request does not build: {e}"))?
            .into_parts();
        Ok(head)
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
                Ok(head) if head_only => outcome(&guard.check_head(&head)),
                Ok(head) => outcome(&guard.check(&head, &case.body)),
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
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[track_caller]
fn check(guard: &Guard, cases: &[Case]) {
    check_with(guard, cases, false);
}

/// Camunda's task-query expression parameters
/// (`engine-rest/.../dto/task/TaskQueryDto.java`, reference section 5).
const EXPRESSION_PARAMETERS: &[&str] = &[
    "assigneeExpression",
    "assigneeLikeExpression",
    "ownerExpression",
    "candidateGroupExpression",
    "candidateGroupsExpression",
    "candidateUserExpression",
    "involvedUserExpression",
    "processInstanceBusinessKeyExpression",
    "processInstanceBusinessKeyLikeExpression",
    "dueDateExpression",
    "dueBeforeExpression",
    "dueAfterExpression",
    "followUpDateExpression",
    "followUpBeforeExpression",
    "followUpBeforeOrNotExistentExpression",
    "followUpAfterExpression",
    "createdOnExpression",
    "createdBeforeExpression",
    "createdAfterExpression",
    "updatedAfterExpression",
];

/// The paged GET endpoints of Camunda 7's REST API (OpenAPI
/// `pagination-params.ftl`, reference section 3), `{id}` as `123`.
const PAGED_GET: &[&str] = &[
    "/authorization",
    "/batch",
    "/batch/statistics",
    "/decision-definition",
    "/decision-requirements-definition",
    "/deployment",
    "/event-subscription",
    "/execution",
    "/external-task",
    "/filter",
    "/filter/123/list",
    "/group",
    "/history/activity-instance",
    "/history/batch",
    "/history/batch/cleanable-batch-report",
    "/history/decision-definition/cleanable-decision-instance-report",
    "/history/decision-instance",
    "/history/detail",
    "/history/external-task-log",
    "/history/identity-link-log",
    "/history/incident",
    "/history/job-log",
    "/history/process-definition/cleanable-process-instance-report",
    "/history/process-instance",
    "/history/task",
    "/history/user-operation",
    "/history/variable-instance",
    "/incident",
    "/job",
    "/job-definition",
    "/metrics",
    "/process-definition",
    "/process-instance",
    "/schema/log",
    "/task",
    "/tenant",
    "/user",
    "/variable-instance",
];

/// The paged POST query endpoints (JSON query in the body, paging in the
/// query string).
const PAGED_POST: &[&str] = &[
    "/execution",
    "/external-task",
    "/filter/123/list",
    "/group",
    "/history/activity-instance",
    "/history/detail",
    "/history/job-log",
    "/history/process-instance",
    "/history/task",
    "/history/variable-instance",
    "/job",
    "/job-definition",
    "/process-instance",
    "/schema/log",
    "/task",
    "/variable-instance",
];

// ---------------------------------------------------------------------------------------------
// maxResults and firstResult, rejecting (the bundled policy)

#[test]
fn paging_is_capped_and_bounded() {
    let t = "/engine-rest/task";
    let q = |query: &str| format!("{t}?{query}");
    let cases = vec![
        // The cap (1000): strictly greater is rejected, as Camunda's check.
        get("over the cap by one", q("maxResults=1001"), exceeded()),
        get("far over the cap", q("maxResults=5000"), exceeded()),
        get("equal to the cap", q("maxResults=1000"), ALLOW),
        get("under the cap", q("maxResults=999"), ALLOW),
        get("zero", q("maxResults=0"), ALLOW),
        get(
            "with other parameters",
            q("sortBy=name&sortOrder=asc&maxResults=10"),
            ALLOW,
        ),
        // Unbounded list queries.
        get("missing", t, unbounded()),
        get("empty query", q(""), unbounded()),
        get("only empty pairs", q("&&"), unbounded()),
        get(
            "only other parameters",
            q("sortBy=name&sortOrder=asc"),
            unbounded(),
        ),
        get("firstResult alone", q("firstResult=0"), unbounded()),
        get(
            "firstResult alone, large",
            q("firstResult=5000"),
            unbounded(),
        ),
        get(
            "firstResult with maxResults",
            q("firstResult=5000&maxResults=1000"),
            ALLOW,
        ),
        get(
            "firstResult after maxResults",
            q("maxResults=10&firstResult=20"),
            ALLOW,
        ),
        get(
            "firstResult with maxResults over",
            q("firstResult=0&maxResults=1001"),
            exceeded(),
        ),
        get(
            "firstResult at Java's int max",
            q("firstResult=2147483647&maxResults=1"),
            ALLOW,
        ),
        get(
            "firstResult overflow",
            q("firstResult=2147483648&maxResults=1"),
            bad_paging("firstResult"),
        ),
        get(
            "firstResult negative",
            q("firstResult=-1&maxResults=1"),
            bad_paging("firstResult"),
        ),
        get(
            "firstResult not a number",
            q("firstResult=abc&maxResults=1"),
            bad_paging("firstResult"),
        ),
        get(
            "firstResult empty",
            q("firstResult=&maxResults=1"),
            bad_paging("firstResult"),
        ),
        // Every copy of a repeated parameter counts.
        get(
            "repeated, second over",
            q("maxResults=10&maxResults=5000"),
            exceeded(),
        ),
        get(
            "repeated, first over",
            q("maxResults=5000&maxResults=10"),
            exceeded(),
        ),
        get(
            "repeated, both under",
            q("maxResults=10&maxResults=20"),
            ALLOW,
        ),
        get(
            "repeated, one at the cap",
            q("maxResults=1000&maxResults=1"),
            ALLOW,
        ),
        get(
            "repeated, second invalid",
            q("maxResults=10&maxResults=abc"),
            bad_paging("maxResults"),
        ),
        get(
            "repeated, second bare",
            q("maxResults=10&maxResults"),
            bad_paging("maxResults"),
        ),
        get(
            "repeated, second empty",
            q("maxResults=10&maxResults="),
            bad_paging("maxResults"),
        ),
        get(
            "repeated firstResult, second invalid",
            q("maxResults=10&firstResult=0&firstResult=x"),
            bad_paging("firstResult"),
        ),
        // Names and values are percent-decoded as the server decodes them.
        get("encoded name, over", q("max%52esults=5000"), exceeded()),
        get(
            "encoded name, lower-case hex, over",
            q("ma%78Results=5000"),
            exceeded(),
        ),
        get("encoded name, under", q("max%52esults=10"), ALLOW),
        get(
            "fully encoded name, under",
            q("%6d%61%78%52%65%73%75%6c%74%73=10"),
            ALLOW,
        ),
        get(
            "encoded name, invalid value",
            q("max%52esults=abc"),
            bad_paging("maxResults"),
        ),
        get(
            "encoded firstResult name alone",
            q("first%52esult=1"),
            unbounded(),
        ),
        get("encoded value, under", q("maxResults=%31%30"), ALLOW),
        get("encoded value, equal", q("maxResults=%31%30%30%30"), ALLOW),
        get(
            "encoded value, over",
            q("maxResults=%31%30%30%31"),
            exceeded(),
        ),
        // Names are case-sensitive (JAX-RS @QueryParam): another name binds nothing.
        get(
            "other letter case is another parameter",
            q("MaxResults=10"),
            unbounded(),
        ),
        get(
            "encoded lower r is another parameter",
            q("max%72esults=10"),
            unbounded(),
        ),
        get("encoded `=` in the name", q("maxResults%3D10"), unbounded()),
        get(
            "`+` in the name is a space",
            q("maxResults+=10"),
            unbounded(),
        ),
        get(
            "encoded `&` in a value is no separator",
            q("maxResults=10&q=%26maxResults%3D5000"),
            ALLOW,
        ),
        // `+` is a space; blanks and signs are not digits.
        get(
            "plus before the value",
            q("maxResults=+10"),
            bad_paging("maxResults"),
        ),
        get(
            "plus after the value",
            q("maxResults=10+"),
            bad_paging("maxResults"),
        ),
        get(
            "encoded space",
            q("maxResults=%2010"),
            bad_paging("maxResults"),
        ),
        get(
            "encoded plus sign",
            q("maxResults=%2B10"),
            bad_paging("maxResults"),
        ),
        get(
            "encoded plus sign on firstResult",
            q("maxResults=1&firstResult=%2B1"),
            bad_paging("firstResult"),
        ),
        get("minus one", q("maxResults=-1"), bad_paging("maxResults")),
        get("minus zero", q("maxResults=-0"), bad_paging("maxResults")),
        // Leading zeros are still an int (Integer.parseInt("007") == 7).
        get("leading zeros, equal", q("maxResults=0001000"), ALLOW),
        get("leading zeros, over", q("maxResults=0001001"), exceeded()),
        get(
            "many leading zeros",
            q("maxResults=000000000000000000010"),
            ALLOW,
        ),
        get("all zeros", q("maxResults=0000"), ALLOW),
        // Java's int range.
        get(
            "Java's int max, over the cap",
            q("maxResults=2147483647"),
            exceeded(),
        ),
        get(
            "int overflow",
            q("maxResults=2147483648"),
            bad_paging("maxResults"),
        ),
        get(
            "u32 overflow",
            q("maxResults=4294967296"),
            bad_paging("maxResults"),
        ),
        get(
            "20 digits",
            q("maxResults=99999999999999999999"),
            bad_paging("maxResults"),
        ),
        // Not numbers.
        get("letters", q("maxResults=abc"), bad_paging("maxResults")),
        get("exponent", q("maxResults=1e3"), bad_paging("maxResults")),
        get("hex", q("maxResults=0x10"), bad_paging("maxResults")),
        get("decimal", q("maxResults=10.0"), bad_paging("maxResults")),
        get("empty", q("maxResults="), bad_paging("maxResults")),
        get("bare", q("maxResults"), bad_paging("maxResults")),
        get(
            "non-ASCII digits",
            q("maxResults=%D9%A1%D9%A0"),
            bad_paging("maxResults"),
        ),
        get(
            "fullwidth digits",
            q("maxResults=%EF%BC%91"),
            bad_paging("maxResults"),
        ),
        // Escapes the server could read two ways.
        get("malformed escape", q("maxResults=10&x=%ZZ"), malformed()),
        get(
            "malformed escape in the value",
            q("maxResults=%ZZ"),
            malformed(),
        ),
        get(
            "malformed escape in a name",
            q("max%5Results=10"),
            malformed(),
        ),
        get("truncated escape", q("maxResults=10&x=%4"), malformed()),
        get("lone percent", q("maxResults=10%"), malformed()),
        get("invalid UTF-8", q("maxResults=10&x=%FF"), malformed()),
        get(
            "invalid UTF-8 in a name",
            q("%FF=1&maxResults=10"),
            malformed(),
        ),
        get("overlong UTF-8", q("maxResults=10&x=%C0%AE"), malformed()),
        get(
            "lone surrogate",
            q("maxResults=10&x=%ED%A0%80"),
            malformed(),
        ),
        get(
            "valid UTF-8 escape (near miss)",
            q("maxResults=10&x=%C3%A9"),
            ALLOW,
        ),
        get(
            "escaped percent (near miss)",
            q("maxResults=10&x=%25ZZ"),
            ALLOW,
        ),
        get("empty pairs (near miss)", q("&&maxResults=10&&"), ALLOW),
    ];
    check(&bundled(), &cases);
}

#[test]
fn paging_without_a_cap() {
    let text = bundled_edited(&[("max_results = 1000", "max_results = 0")]);
    let t = "/engine-rest/task";
    let q = |query: &str| format!("{t}?{query}");
    let cases = vec![
        get("Java's int max", q("maxResults=2147483647"), ALLOW),
        get("far over the usual cap", q("maxResults=5000"), ALLOW),
        get(
            "int overflow",
            q("maxResults=2147483648"),
            bad_paging("maxResults"),
        ),
        get("negative", q("maxResults=-1"), bad_paging("maxResults")),
        get(
            "not a number",
            q("maxResults=abc"),
            bad_paging("maxResults"),
        ),
        get(
            "firstResult overflow",
            q("firstResult=2147483648"),
            bad_paging("firstResult"),
        ),
        // With no cap, `require_max_results` has nothing to require or add:
        // a missing maxResults passes (the code's reading; the README is silent).
        get("missing", t, ALLOW),
        get("firstResult alone", q("firstResult=10"), ALLOW),
        get("malformed escape", q("maxResults=1&x=%ZZ"), malformed()),
    ];
    check(&guard(&text), &cases);
    // The same with clamping: nothing to clamp to.
    let text = text.replace(r#"on_excess = "reject""#, r#"on_excess = "clamp""#);
    check(&guard(&text), &cases);
}

// ---------------------------------------------------------------------------------------------
// Clamping

#[test]
fn clamp_rewrites_the_uri() {
    let t = "/engine-rest/task";
    let q = |query: &str| format!("{t}?{query}");
    let cases = vec![
        get(
            "over the cap",
            q("maxResults=5000"),
            rewrite("/engine-rest/task?maxResults=1000"),
        ),
        get(
            "over the cap by one",
            q("maxResults=1001"),
            rewrite("/engine-rest/task?maxResults=1000"),
        ),
        get("equal to the cap", q("maxResults=1000"), ALLOW),
        get("under the cap", q("maxResults=10"), ALLOW),
        get("zero", q("maxResults=0"), ALLOW),
        get(
            "other parameters are kept byte for byte, in order",
            q("sortBy=name&maxResults=5000&sortOrder=desc&nameLike=%25a+b%25&x=%7e"),
            rewrite(
                "/engine-rest/task?sortBy=name&maxResults=1000&sortOrder=desc&nameLike=%25a+b%25&x=%7e",
            ),
        ),
        get(
            "encoded name over",
            q("max%52esults=5000&x=1"),
            rewrite("/engine-rest/task?maxResults=1000&x=1"),
        ),
        get(
            "encoded value over",
            q("maxResults=%35%30%30%30"),
            rewrite("/engine-rest/task?maxResults=1000"),
        ),
        get("encoded value equal", q("maxResults=%31%30%30%30"), ALLOW),
        get(
            "leading zeros over",
            q("maxResults=0005000"),
            rewrite("/engine-rest/task?maxResults=1000"),
        ),
        get("leading zeros equal", q("maxResults=0001000"), ALLOW),
        get(
            "Java's int max",
            q("maxResults=2147483647"),
            rewrite("/engine-rest/task?maxResults=1000"),
        ),
        get(
            "repeated, only the copy over the cap changes",
            q("maxResults=10&maxResults=5000"),
            rewrite("/engine-rest/task?maxResults=10&maxResults=1000"),
        ),
        get(
            "repeated, both over",
            q("maxResults=5000&a=1&maxResults=2000"),
            rewrite("/engine-rest/task?maxResults=1000&a=1&maxResults=1000"),
        ),
        get(
            "repeated, both under",
            q("maxResults=10&maxResults=20"),
            ALLOW,
        ),
        // Unbounded queries get maxResults at the cap, appended.
        get("missing", t, rewrite("/engine-rest/task?maxResults=1000")),
        get(
            "empty query",
            q(""),
            rewrite("/engine-rest/task?maxResults=1000"),
        ),
        get(
            "missing, other parameters kept",
            q("sortBy=name&sortOrder=asc"),
            rewrite("/engine-rest/task?sortBy=name&sortOrder=asc&maxResults=1000"),
        ),
        get(
            "firstResult alone",
            q("firstResult=20"),
            rewrite("/engine-rest/task?firstResult=20&maxResults=1000"),
        ),
        get(
            "firstResult with maxResults over",
            q("firstResult=20&maxResults=5000"),
            rewrite("/engine-rest/task?firstResult=20&maxResults=1000"),
        ),
        get(
            "firstResult with maxResults under",
            q("firstResult=20&maxResults=50"),
            ALLOW,
        ),
        get(
            "another letter case is another parameter",
            q("MaxResults=5000"),
            rewrite("/engine-rest/task?MaxResults=5000&maxResults=1000"),
        ),
        get(
            "empty pairs are dropped",
            q("a=1&&maxResults=5000&"),
            rewrite("/engine-rest/task?a=1&maxResults=1000"),
        ),
        get(
            "raw non-ASCII kept",
            q("name=été&maxResults=5000"),
            rewrite("/engine-rest/task?name=été&maxResults=1000"),
        ),
        get(
            "bare and empty parameters kept",
            q("flag&x=&maxResults=5000"),
            rewrite("/engine-rest/task?flag&x=&maxResults=1000"),
        ),
        // The path is left as sent; only the query changes.
        get(
            "raw path kept",
            "/engine-rest//task/;jsessionid=1?maxResults=5000",
            rewrite("/engine-rest//task/;jsessionid=1?maxResults=1000"),
        ),
        get(
            "named engine",
            "/engine-rest/engine/default/task?maxResults=5000",
            rewrite("/engine-rest/engine/default/task?maxResults=1000"),
        ),
        get(
            "absolute-form URI keeps scheme and authority",
            "http://camunda:8080/engine-rest/task?maxResults=5000",
            rewrite("http://camunda:8080/engine-rest/task?maxResults=1000"),
        ),
        post(
            "POST query endpoint",
            "/engine-rest/process-instance?maxResults=5000",
            r#"{"processDefinitionKey":"invoice"}"#,
            rewrite("/engine-rest/process-instance?maxResults=1000"),
        ),
        post(
            "POST query endpoint, missing",
            "/engine-rest/process-instance",
            r#"{"processDefinitionKey":"invoice"}"#,
            rewrite("/engine-rest/process-instance?maxResults=1000"),
        ),
        get(
            "history list",
            "/engine-rest/history/process-instance?firstResult=0",
            rewrite("/engine-rest/history/process-instance?firstResult=0&maxResults=1000"),
        ),
        // What is invalid stays rejected: there is nothing sound to clamp.
        get("letters", q("maxResults=abc"), bad_paging("maxResults")),
        get("minus one", q("maxResults=-1"), bad_paging("maxResults")),
        get(
            "plus is a space",
            q("maxResults=+10"),
            bad_paging("maxResults"),
        ),
        get(
            "int overflow",
            q("maxResults=2147483648"),
            bad_paging("maxResults"),
        ),
        get("bare", q("maxResults"), bad_paging("maxResults")),
        get(
            "firstResult invalid",
            q("firstResult=x"),
            bad_paging("firstResult"),
        ),
        get(
            "over and invalid copies",
            q("maxResults=5000&maxResults=abc"),
            bad_paging("maxResults"),
        ),
        get("malformed escape", q("maxResults=5000&x=%ZZ"), malformed()),
        get("invalid UTF-8", q("maxResults=5000&x=%FF"), malformed()),
        get(
            "expression parameter",
            q("maxResults=5000&assigneeExpression=x"),
            expression("query:assigneeExpression"),
        ),
        get(
            "path invalid",
            "/engine-rest/task%2F?maxResults=5000",
            path_invalid(),
        ),
        // Not list queries: nothing added.
        get("count route", "/engine-rest/task/count", ALLOW),
        get("single resource", "/engine-rest/task/abc", ALLOW),
    ];
    check(&guard(&bundled_clamp_text()), &cases);
}

#[test]
fn require_max_results_false() {
    let routes = r#"
[[routes]]
path = "/engine-rest/task"
list_query = true
task_query = true
"#;
    for on_excess in ["reject", "clamp"] {
        let text =
            format!("[query]\non_excess = \"{on_excess}\"\nrequire_max_results = false\n{routes}");
        let over = if on_excess == "clamp" {
            rewrite("/engine-rest/task?maxResults=1000")
        } else {
            exceeded()
        };
        let cases = vec![
            get(format!("{on_excess}: missing"), "/engine-rest/task", ALLOW),
            get(
                format!("{on_excess}: firstResult alone"),
                "/engine-rest/task?firstResult=5",
                ALLOW,
            ),
            get(
                format!("{on_excess}: equal"),
                "/engine-rest/task?maxResults=1000",
                ALLOW,
            ),
            get(
                format!("{on_excess}: over"),
                "/engine-rest/task?maxResults=5000",
                over,
            ),
            get(
                format!("{on_excess}: invalid"),
                "/engine-rest/task?maxResults=x",
                bad_paging("maxResults"),
            ),
            get(
                format!("{on_excess}: invalid firstResult alone"),
                "/engine-rest/task?firstResult=-5",
                bad_paging("firstResult"),
            ),
        ];
        check(&guard(&text), &cases);
    }
}

#[test]
fn route_level_max_results() {
    let routes = r#"
[[routes]]
path = "/engine-rest/history/task"
list_query = true
max_results = 200
[[routes]]
path = "/engine-rest/task"
list_query = true
[[routes]]
path = "/engine-rest/job"
list_query = true
max_results = 0
"#;
    let reject_cases = vec![
        get(
            "route cap, equal",
            "/engine-rest/history/task?maxResults=200",
            ALLOW,
        ),
        get(
            "route cap, over",
            "/engine-rest/history/task?maxResults=201",
            exceeded(),
        ),
        get(
            "route cap, missing",
            "/engine-rest/history/task",
            unbounded(),
        ),
        get(
            "policy cap, over the route cap",
            "/engine-rest/task?maxResults=1000",
            ALLOW,
        ),
        get(
            "policy cap, over",
            "/engine-rest/task?maxResults=1001",
            exceeded(),
        ),
        get(
            "route without a cap",
            "/engine-rest/job?maxResults=2147483647",
            ALLOW,
        ),
        get("route without a cap, missing", "/engine-rest/job", ALLOW),
        get(
            "route without a cap, invalid",
            "/engine-rest/job?maxResults=1e9",
            bad_paging("maxResults"),
        ),
    ];
    check(
        &guard(&format!("[query]\nmax_results = 1000\n{routes}")),
        &reject_cases,
    );

    let clamp_cases = vec![
        get(
            "route cap, over",
            "/engine-rest/history/task?maxResults=500",
            rewrite("/engine-rest/history/task?maxResults=200"),
        ),
        get(
            "route cap, missing",
            "/engine-rest/history/task",
            rewrite("/engine-rest/history/task?maxResults=200"),
        ),
        get(
            "route cap, equal",
            "/engine-rest/history/task?maxResults=200",
            ALLOW,
        ),
        get(
            "policy cap, over",
            "/engine-rest/task?maxResults=5000",
            rewrite("/engine-rest/task?maxResults=1000"),
        ),
        get(
            "route without a cap",
            "/engine-rest/job?maxResults=5000",
            ALLOW,
        ),
        get("route without a cap, missing", "/engine-rest/job", ALLOW),
    ];
    check(
        &guard(&format!("[query]\non_excess = \"clamp\"\n{routes}")),
        &clamp_cases,
    );

    // A route cap with no policy-wide cap.
    let text = r#"
[query]
max_results = 0
[[routes]]
path = "/engine-rest/task"
list_query = true
max_results = 50
[[routes]]
path = "/engine-rest/job"
list_query = true
"#;
    let cases = vec![
        get("route cap, equal", "/engine-rest/task?maxResults=50", ALLOW),
        get(
            "route cap, over",
            "/engine-rest/task?maxResults=51",
            exceeded(),
        ),
        get("route cap, missing", "/engine-rest/task", unbounded()),
        get("no cap", "/engine-rest/job?maxResults=5000", ALLOW),
    ];
    check(&guard(text), &cases);
}

// ---------------------------------------------------------------------------------------------
// What is and is not a list query in the bundled policy

#[test]
fn count_routes_single_resources_post_queries_methods_and_engines() {
    let cases = vec![
        // Count endpoints are exempt from Camunda's limit: no paging rules.
        get("task count", "/engine-rest/task/count", ALLOW),
        get(
            "task count ignores paging",
            "/engine-rest/task/count?maxResults=abc",
            ALLOW,
        ),
        post(
            "task count POST",
            "/engine-rest/task/count",
            r#"{"assignee":"demo"}"#,
            ALLOW,
        ),
        get(
            "history process-instance count",
            "/engine-rest/history/process-instance/count",
            ALLOW,
        ),
        post(
            "history process-instance count POST",
            "/engine-rest/history/process-instance/count",
            r#"{"finished":true}"#,
            ALLOW,
        ),
        get(
            "process-instance count",
            "/engine-rest/process-instance/count",
            ALLOW,
        ),
        get("filter count", "/engine-rest/filter/abc/count", ALLOW),
        get(
            "history list (near miss)",
            "/engine-rest/history/process-instance",
            unbounded(),
        ),
        get("task list (near miss)", "/engine-rest/task", unbounded()),
        // Single resources.
        get("single task", "/engine-rest/task/abc", ALLOW),
        get(
            "single process instance",
            "/engine-rest/process-instance/123",
            ALLOW,
        ),
        get(
            "process instance variables",
            "/engine-rest/process-instance/123/variables",
            ALLOW,
        ),
        get("single filter", "/engine-rest/filter/abc", ALLOW),
        get(
            "single resource `..` back to the list",
            "/engine-rest/task/abc/..",
            path_invalid(),
        ),
        // POST query endpoints: the query in the body, paging in the query string.
        post(
            "POST query, under",
            "/engine-rest/process-instance?maxResults=10",
            r#"{"processDefinitionKey":"invoice"}"#,
            ALLOW,
        ),
        post(
            "POST query, equal",
            "/engine-rest/process-instance?firstResult=0&maxResults=1000",
            r#"{"processDefinitionKey":"invoice"}"#,
            ALLOW,
        ),
        post(
            "POST query, over",
            "/engine-rest/process-instance?maxResults=5000",
            r#"{"processDefinitionKey":"invoice"}"#,
            exceeded(),
        ),
        post(
            "POST query, missing",
            "/engine-rest/process-instance",
            r#"{"processDefinitionKey":"invoice"}"#,
            unbounded(),
        ),
        post(
            "POST query, paging in the body is not read by Camunda",
            "/engine-rest/process-instance",
            r#"{"firstResult":0,"maxResults":10}"#,
            unbounded(),
        ),
        post(
            "POST query, firstResult alone",
            "/engine-rest/process-instance?firstResult=0",
            "{}",
            unbounded(),
        ),
        post(
            "POST query, no body",
            "/engine-rest/process-instance?maxResults=10",
            "",
            ALLOW,
        ),
        post(
            "POST task query, over",
            "/engine-rest/task?maxResults=1001",
            r#"{"assignee":"demo"}"#,
            exceeded(),
        ),
        post(
            "POST filter list, under",
            "/engine-rest/filter/abc/list?maxResults=10",
            "{}",
            ALLOW,
        ),
        post(
            "POST filter list, missing",
            "/engine-rest/filter/abc/list",
            "{}",
            unbounded(),
        ),
        post(
            "POST history query, invalid",
            "/engine-rest/history/task?maxResults=-1",
            "{}",
            bad_paging("maxResults"),
        ),
        // Methods: only the methods a route names.
        call(
            "DELETE process-instance",
            "DELETE",
            "/engine-rest/process-instance",
            "",
            ALLOW,
        ),
        call("PUT task", "PUT", "/engine-rest/task", "", ALLOW),
        post(
            "POST history external-task-log",
            "/engine-rest/history/external-task-log?maxResults=100000",
            "{}",
            exceeded(),
        ),
        get(
            "webapp copy of the API",
            "/camunda/api/engine/engine/default/task?maxResults=1001",
            exceeded(),
        ),
        get(
            "webapp copy of the API, expression",
            "/camunda/api/engine/engine/default/task?maxResults=1&assigneeExpression=%24%7BcurrentUser()%7D",
            reject("expression-not-allowed", "query:assigneeExpression"),
        ),
        get(
            "webapp copy without an application path",
            "/api/engine/engine/default/process-instance",
            unbounded(),
        ),
        get(
            "webapp copy, near miss",
            "/camunda/api/engine/engine/default/task?maxResults=1000",
            ALLOW,
        ),
        post(
            "POST deployment (no POST list in Camunda: still held to paging)",
            "/engine-rest/deployment",
            "",
            unbounded(),
        ),
        post(
            "POST deployment bounded (near miss)",
            "/engine-rest/deployment?maxResults=10",
            "",
            ALLOW,
        ),
        post(
            "POST authorization (no POST list in Camunda: still held to paging)",
            "/engine-rest/authorization",
            "",
            unbounded(),
        ),
        post(
            "POST authorization bounded (near miss)",
            "/engine-rest/authorization?maxResults=10",
            "",
            ALLOW,
        ),
        // Named engines.
        get(
            "named engine, missing",
            "/engine-rest/engine/default/task",
            unbounded(),
        ),
        get(
            "named engine, equal",
            "/engine-rest/engine/default/task?maxResults=1000",
            ALLOW,
        ),
        get(
            "named engine, over",
            "/engine-rest/engine/default/task?maxResults=1001",
            exceeded(),
        ),
        get(
            "named engine, count",
            "/engine-rest/engine/default/task/count",
            ALLOW,
        ),
        get(
            "named engine, history",
            "/engine-rest/engine/other/history/process-instance?maxResults=5000",
            exceeded(),
        ),
        post(
            "named engine, POST",
            "/engine-rest/engine/default/process-instance",
            "{}",
            unbounded(),
        ),
        get(
            "engine name spanning segments",
            "/engine-rest/engine/a/b/task",
            ALLOW,
        ),
        get("another prefix", "/camunda/engine-rest/task", ALLOW),
        get("another API", "/api/task", ALLOW),
    ];
    check(&bundled(), &cases);
}

/// JAX-RS answers HEAD with the GET resource method when there is no
/// `@HEAD` method (JAX-RS 2.1 section 3.3.5; Camunda defines none), so
/// `HEAD /engine-rest/task` runs the same task query as GET and only drops
/// the body.
#[test]
fn head_runs_the_get_list_query() {
    let cases = vec![
        call(
            "HEAD, missing",
            "HEAD",
            "/engine-rest/task",
            "",
            unbounded(),
        ),
        call(
            "HEAD, over",
            "HEAD",
            "/engine-rest/task?maxResults=5000",
            "",
            exceeded(),
        ),
        call(
            "HEAD, firstResult alone",
            "HEAD",
            "/engine-rest/history/process-instance?firstResult=0",
            "",
            unbounded(),
        ),
        call(
            "HEAD, expression",
            "HEAD",
            "/engine-rest/task?maxResults=10&assigneeExpression=x",
            "",
            expression("query:assigneeExpression"),
        ),
        call(
            "HEAD, under (near miss)",
            "HEAD",
            "/engine-rest/task?maxResults=10",
            "",
            ALLOW,
        ),
        call(
            "HEAD, single resource (near miss)",
            "HEAD",
            "/engine-rest/task/abc",
            "",
            ALLOW,
        ),
    ];
    check(&bundled(), &cases);
}

// ---------------------------------------------------------------------------------------------
// Paths

#[test]
fn paths_are_read_as_the_server_reads_them() {
    // A route match shows as `query-unbounded` (no maxResults), no match as allow.
    let cases = vec![
        get("plain", "/engine-rest/task", unbounded()),
        get("leading double slash", "//engine-rest/task", unbounded()),
        get("double slash", "/engine-rest//task", unbounded()),
        get("many slashes", "/engine-rest///task//", unbounded()),
        get("trailing slash", "/engine-rest/task/", unbounded()),
        get(
            "jsessionid on the last segment",
            "/engine-rest/task;jsessionid=ABC",
            unbounded(),
        ),
        get(
            "jsessionid on a middle segment",
            "/engine-rest;jsessionid=ABC/task",
            unbounded(),
        ),
        get(
            "jsessionid after a trailing slash",
            "/engine-rest/task/;jsessionid=ABC",
            unbounded(),
        ),
        get("empty path parameter", "/engine-rest/task;", unbounded()),
        get(
            "path parameters everywhere",
            "/engine-rest;a=1/task;b=2;c=3/",
            unbounded(),
        ),
        // Dot segments, raw, encoded or with path parameters, are refused:
        // RESTEasy matches on the raw URI and does not resolve them.
        get("dot segment", "/engine-rest/./task", path_invalid()),
        get(
            "trailing dot segment",
            "/engine-rest/task/.",
            path_invalid(),
        ),
        get("dot-dot segment", "/engine-rest/x/../task", path_invalid()),
        get(
            "two dot-dot segments",
            "/engine-rest/a/b/../../task",
            path_invalid(),
        ),
        get(
            "dot-dot with a path parameter",
            "/engine-rest/x/..;a=b/task",
            path_invalid(),
        ),
        get(
            "encoded dot-dot",
            "/engine-rest/x/%2e%2e/task",
            path_invalid(),
        ),
        get(
            "encoded dot-dot, upper case",
            "/engine-rest/x/%2E%2E/task",
            path_invalid(),
        ),
        get(
            "half-encoded dot-dot",
            "/engine-rest/x/.%2e/task",
            path_invalid(),
        ),
        get("encoded dot", "/engine-rest/%2e/task", path_invalid()),
        get(
            "dot segment naming an engine",
            "/engine-rest/engine/./task?maxResults=5000",
            path_invalid(),
        ),
        get(
            "encoded dot segment naming an engine",
            "/engine-rest/engine/%2e/task?maxResults=5000",
            path_invalid(),
        ),
        get(
            "dot segment with a parameter naming an engine",
            "/engine-rest/engine/.;x/task?maxResults=5000",
            path_invalid(),
        ),
        get(
            "dot segment in a filter list",
            "/engine-rest/filter/./list?maxResults=5000",
            path_invalid(),
        ),
        get("encoded letter", "/engine-rest/%74ask", unbounded()),
        get(
            "encoded letters everywhere",
            "/%65ngine-rest/%74%61%73%6B",
            unbounded(),
        ),
        get("encoded hyphen", "/engine%2Drest/task", unbounded()),
        get(
            "named engine, messy",
            "/engine-rest//engine/default//task/",
            unbounded(),
        ),
        get(
            "named engine, encoded",
            "/engine-rest/engine/default/%74ask;jsessionid=1",
            unbounded(),
        ),
        get("encoded count route", "/engine-rest/task/%63ount", ALLOW),
        get(
            "messy path, under the cap",
            "/engine-rest//task/;jsessionid=1?maxResults=10",
            ALLOW,
        ),
        get(
            "messy path, over the cap",
            "/engine-rest//task/;jsessionid=1?maxResults=5000",
            exceeded(),
        ),
        // Near misses: other resources.
        get(
            "dot-dot away from the list",
            "/engine-rest/task/..",
            path_invalid(),
        ),
        get("dots inside a segment", "/engine-rest/task/..x", ALLOW),
        get("three dots", "/engine-rest/.../task", ALLOW),
        get(
            "double-encoded letter is decoded once",
            "/engine-rest/%2574ask",
            ALLOW,
        ),
        get("plural", "/engine-rest/tasks", ALLOW),
        get("letter case", "/engine-rest/Task", ALLOW),
        get("encoded space", "/engine-rest/task%20", ALLOW),
        get("single resource", "/engine-rest/task/x", ALLOW),
    ];
    check(&bundled(), &cases);
}

#[test]
fn ambiguous_paths_are_refused_everywhere() {
    let mut cases = Vec::new();
    let bad = [
        ("encoded slash", "/engine-rest%2Ftask"),
        ("encoded slash, lower case", "/engine-rest%2ftask"),
        ("encoded slash at the end", "/engine-rest/task%2F"),
        ("dot-dot and encoded slash", "/engine-rest/x/..%2Ftask"),
        ("encoded backslash", "/engine-rest%5Ctask"),
        ("encoded backslash, lower case", "/engine-rest%5ctask"),
        ("encoded semicolon", "/engine-rest/task%3Bjsessionid=1"),
        ("encoded semicolon, lower case", "/engine-rest/task%3b"),
        ("dot-dot at the root", "/.."),
        ("dot-dot above the root", "/../engine-rest/task"),
        ("dot-dot above the root later", "/engine-rest/../../task"),
        ("encoded dot-dot above the root", "/%2e%2e/engine-rest/task"),
        ("invalid UTF-8", "/engine-rest/task/%FF"),
        ("overlong UTF-8 dots", "/engine-rest/%C0%AE%C0%AE/task"),
        ("truncated UTF-8", "/engine-rest/%C3"),
        ("NUL", "/engine-rest/%00/task"),
        ("NUL at the end", "/engine-rest/task%00"),
        ("line feed", "/engine-rest/%0A"),
        ("DEL", "/engine-rest/%7F"),
        ("C1 control", "/engine-rest/%C2%85"),
        ("malformed escape", "/engine-rest/%ZZ"),
        ("truncated escape", "/engine-rest/%4"),
        ("lone percent", "/engine-rest/task%"),
        ("raw backslash", "/engine-rest\\task"),
        ("raw backslashes around dot-dot", "/engine-rest/x\\..\\task"),
        ("raw backslash at the end", "/engine-rest/task\\"),
    ];
    for (name, path) in bad {
        cases.push(get(format!("{name}: {path}"), path, path_invalid()));
        cases.push(get(
            format!("{name}, with a valid query: {path}"),
            format!("{path}?maxResults=10"),
            path_invalid(),
        ));
    }
    cases.extend([
        get(
            "unguarded path, encoded slash",
            "/foo%2Fbar",
            path_invalid(),
        ),
        get(
            "unguarded Camunda path, encoded slash",
            "/engine-rest/process-definition/key/a%2Fb",
            path_invalid(),
        ),
        get(
            "unguarded path, invalid UTF-8",
            "/other/%FF",
            path_invalid(),
        ),
        get("unguarded path, NUL", "/other/%00", path_invalid()),
        get(
            "unguarded path, above the root",
            "/../other",
            path_invalid(),
        ),
        post(
            "with a body",
            "/engine-rest/message%2F",
            r#"{"messageName":"m"}"#,
            path_invalid(),
        ),
        call(
            "DELETE",
            "DELETE",
            "/engine-rest/task/a%5Cb",
            "",
            path_invalid(),
        ),
        // Near misses.
        get(
            "encoded UTF-8 letter",
            "/engine-rest/process-definition/key/%C3%A9",
            ALLOW,
        ),
        get(
            "raw UTF-8 letter",
            "/engine-rest/process-definition/key/é",
            ALLOW,
        ),
        get(
            "encoded colon",
            "/engine-rest/process-definition/key/a%3Ab",
            ALLOW,
        ),
        get(
            "encoded percent",
            "/engine-rest/process-definition/key/a%25",
            ALLOW,
        ),
        get("dot-dot to the root", "/engine-rest/..", path_invalid()),
        get("dots in a name, not a segment", "/engine-rest/a..b", ALLOW),
    ]);
    check(&bundled(), &cases);
}

// ---------------------------------------------------------------------------------------------
// Expressions

#[test]
fn expressions_in_query_strings() {
    let mut cases = Vec::new();
    for name in EXPRESSION_PARAMETERS {
        cases.push(get(
            format!("GET task {name}"),
            format!("/engine-rest/task?maxResults=10&{name}=%24%7BcurrentUser()%7D"),
            expression(&format!("query:{name}")),
        ));
    }
    cases.extend([
        get(
            "encoded name",
            "/engine-rest/task?maxResults=10&assignee%45xpression=x",
            expression("query:assigneeExpression"),
        ),
        get(
            "encoded first letter",
            "/engine-rest/task?maxResults=10&%61ssigneeExpression=x",
            expression("query:assigneeExpression"),
        ),
        get(
            "empty value",
            "/engine-rest/task?maxResults=10&assigneeExpression=",
            expression("query:assigneeExpression"),
        ),
        get(
            "bare name",
            "/engine-rest/task?maxResults=10&dueBeforeExpression",
            expression("query:dueBeforeExpression"),
        ),
        get(
            "before a paging problem",
            "/engine-rest/task?maxResults=5000&assigneeExpression=x",
            expression("query:assigneeExpression"),
        ),
        get(
            "second copy",
            "/engine-rest/task?maxResults=10&assignee=a&assigneeExpression=x&assigneeExpression=y",
            expression("query:assigneeExpression"),
        ),
        get(
            "task count",
            "/engine-rest/task/count?assigneeExpression=x",
            expression("query:assigneeExpression"),
        ),
        get(
            "filter list",
            "/engine-rest/filter/abc/list?maxResults=10&dueBeforeExpression=x",
            expression("query:dueBeforeExpression"),
        ),
        get(
            "filter count",
            "/engine-rest/filter/abc/count?assigneeExpression=x",
            expression("query:assigneeExpression"),
        ),
        get(
            "filter single result",
            "/engine-rest/filter/abc/singleResult?assigneeExpression=x",
            expression("query:assigneeExpression"),
        ),
        get(
            "named engine",
            "/engine-rest/engine/default/task?maxResults=10&ownerExpression=x",
            expression("query:ownerExpression"),
        ),
        get(
            "messy path",
            "/engine-rest//task/;jsessionid=1?maxResults=10&ownerExpression=x",
            expression("query:ownerExpression"),
        ),
        post(
            "POST task, in the query string",
            "/engine-rest/task?maxResults=10&assigneeExpression=x",
            "{}",
            expression("query:assigneeExpression"),
        ),
        get(
            "task count, malformed query",
            "/engine-rest/task/count?x=%ZZ",
            malformed(),
        ),
        // `${` / `#{` in any parameter, however encoded.
        get(
            "${x} in assignee",
            "/engine-rest/task?maxResults=10&assignee=%24%7Bx%7D",
            expression("query:assignee"),
        ),
        get(
            "#{x} in assignee",
            "/engine-rest/task?maxResults=10&assignee=%23%7Bx%7D",
            expression("query:assignee"),
        ),
        get(
            "${x} sent unencoded",
            "/engine-rest/task?maxResults=10&assignee=${x}",
            expression("query:assignee"),
        ),
        get(
            "expression sent unencoded",
            "/engine-rest/task?maxResults=10&assigneeExpression=${currentUser()}",
            expression("query:assigneeExpression"),
        ),
        get(
            "raw non-ASCII value",
            "/engine-rest/task?maxResults=10&name=été",
            ALLOW,
        ),
        get(
            "in assigneeLike",
            "/engine-rest/task?maxResults=10&assigneeLike=%24%7BcurrentUser()%7D",
            expression("query:assigneeLike"),
        ),
        get(
            "in task count",
            "/engine-rest/task/count?assignee=%24%7Bx%7D",
            expression("query:assignee"),
        ),
        get(
            "`Expression` alone",
            "/engine-rest/task?maxResults=10&Expression=x",
            ALLOW,
        ),
        get(
            "lower-case suffix",
            "/engine-rest/task?maxResults=10&assigneeexpression=x",
            ALLOW,
        ),
        get(
            "truncated suffix",
            "/engine-rest/task?maxResults=10&assigneeExpressio=x",
            ALLOW,
        ),
        get(
            "longer suffix",
            "/engine-rest/task?maxResults=10&assigneeExpressions=x",
            ALLOW,
        ),
        get(
            "as a value",
            "/engine-rest/task?maxResults=10&sortBy=assigneeExpression",
            ALLOW,
        ),
        // Every query route refuses expressions in its query string.
        get(
            "process-instance list",
            "/engine-rest/process-instance?maxResults=1&fooExpression=x",
            expression("query:fooExpression"),
        ),
        get(
            "history task list",
            "/engine-rest/history/task?maxResults=1&assigneeExpression=x",
            expression("query:assigneeExpression"),
        ),
        get(
            "process-instance list, value",
            "/engine-rest/process-instance?maxResults=1&businessKey=a%24%7Bx%7D",
            expression("query:businessKey"),
        ),
        // Near misses: no `${` or `#{`.
        get(
            "dollar and brace apart",
            "/engine-rest/task?maxResults=10&name=%24x%7B&description=%24%20%7Bx%7D",
            ALLOW,
        ),
        get(
            "brace first",
            "/engine-rest/task?maxResults=10&name=%7B%24x%7D%23",
            ALLOW,
        ),
        get(
            "hash without brace",
            "/engine-rest/process-instance?maxResults=1&businessKey=%23x",
            ALLOW,
        ),
        get(
            "unrouted path",
            "/engine-rest/task/abc?assigneeExpression=x",
            ALLOW,
        ),
    ]);
    check(&bundled(), &cases);
}

#[test]
fn expressions_in_json_bodies() {
    let mut cases = Vec::new();
    for name in EXPRESSION_PARAMETERS {
        cases.push(post(
            format!("POST task {name}"),
            "/engine-rest/task?maxResults=10",
            format!(r#"{{"assignee":"demo","{name}":"${{currentUser()}}"}}"#),
            expression(&format!("/{name}")),
        ));
    }
    let task = "/engine-rest/task?maxResults=10";
    cases.extend([
        post(
            "escaped key",
            task,
            r#"{"assignee\u0045xpression":"${x}"}"#,
            expression("/assigneeExpression"),
        ),
        post(
            "in orQueries",
            task,
            r#"{"orQueries":[{"assignee":"a"},{"candidateGroupExpression":"${x}"}]}"#,
            expression("/orQueries/1/candidateGroupExpression"),
        ),
        post(
            "task count",
            "/engine-rest/task/count",
            r#"{"assigneeExpression":"${x}"}"#,
            expression("/assigneeExpression"),
        ),
        post(
            "filter create, in query",
            "/engine-rest/filter/create",
            r#"{"resourceType":"Task","name":"mine","query":{"assigneeExpression":"${currentUser()}"}}"#,
            expression("/query/assigneeExpression"),
        ),
        post(
            "filter create, in query orQueries",
            "/engine-rest/filter/create",
            r#"{"resourceType":"Task","name":"mine","query":{"orQueries":[{"dueBeforeExpression":"${now()}"}]}}"#,
            expression("/query/orQueries/0/dueBeforeExpression"),
        ),
        call(
            "filter update, in query",
            "PUT",
            "/engine-rest/filter/abc",
            r#"{"resourceType":"Task","name":"x","query":{"followUpBeforeExpression":"${now()}"}}"#,
            expression("/query/followUpBeforeExpression"),
        ),
        call(
            "filter update, named engine",
            "PUT",
            "/engine-rest/engine/default/filter/abc",
            r#"{"resourceType":"Task","name":"x","query":{"ownerExpression":"${x}"}}"#,
            expression("/query/ownerExpression"),
        ),
        post(
            "filter list",
            "/engine-rest/filter/abc/list?maxResults=10",
            r#"{"assigneeExpression":"${x}"}"#,
            expression("/assigneeExpression"),
        ),
        post(
            "filter list, orQueries",
            "/engine-rest/filter/abc/list?maxResults=10",
            r#"{"orQueries":[{"assigneeExpression":"${x}"}]}"#,
            expression("/orQueries/0/assigneeExpression"),
        ),
        post(
            "filter count",
            "/engine-rest/filter/abc/count",
            r#"{"dueAfterExpression":"${x}"}"#,
            expression("/dueAfterExpression"),
        ),
        post(
            "filter single result",
            "/engine-rest/filter/abc/singleResult",
            r#"{"dueAfterExpression":"${x}"}"#,
            expression("/dueAfterExpression"),
        ),
        post(
            "messy path",
            "/engine-rest//filter/abc/list;jsessionid=1?maxResults=10",
            r#"{"assigneeExpression":"${x}"}"#,
            expression("/assigneeExpression"),
        ),
        post(
            "UTF-16LE body",
            task,
            r#"{"assigneeExpression":"${x}"}"#,
            expression("/assigneeExpression"),
        )
        .utf16le(),
        post(
            "UTF-16LE body with an escaped key",
            task,
            r#"{"orQueries":[{"owner\u0045xpression":"${x}"}]}"#,
            expression("/orQueries/0/ownerExpression"),
        )
        .utf16le(),
        post(
            "UTF-16LE body, a value",
            task,
            r#"{"assignee":"${x}"}"#,
            expression("/assignee"),
        )
        .utf16le(),
        post("${x} in assignee", task, r#"{"assignee":"${x}"}"#, expression("/assignee")),
        post("#{x} in assignee", task, r##"{"assignee":"#{x}"}"##, expression("/assignee")),
        post(
            "escaped ${x}",
            task,
            r#"{"assignee":"\u0024\u007bx}"}"#,
            expression("/assignee"),
        ),
        post(
            "a value in orQueries",
            task,
            r#"{"orQueries":[{"assigneeLike":"${x}"}]}"#,
            expression("/orQueries/0/assigneeLike"),
        ),
        post(
            "in an array",
            task,
            r##"{"candidateGroups":["a","#{x}"]}"##,
            expression("/candidateGroups/1"),
        ),
        // Near misses.
        post(
            "dollar and brace apart",
            task,
            r#"{"assignee":"$x{","owner":"$ {x}","name":"{$x}#"}"#,
            ALLOW,
        ),
        post("null expression", task, r#"{"assigneeExpression":null}"#, ALLOW),
        post(
            "null expression in orQueries",
            task,
            r#"{"orQueries":[{"assigneeExpression":null}]}"#,
            ALLOW,
        ),
        post(
            "expression name as a value",
            task,
            r#"{"sorting":[{"sortBy":"assigneeExpression","sortOrder":"asc"}]}"#,
            ALLOW,
        ),
        post(
            "filter create, a value",
            "/engine-rest/filter/create",
            r#"{"resourceType":"Task","name":"x","query":{"assignee":"${x}"}}"#,
            expression("/query/assignee"),
        ),
        // The bodies of other queries are not evaluated.
        post(
            "process-instance query",
            "/engine-rest/process-instance?maxResults=10",
            r#"{"fooExpression":"${x}"}"#,
            ALLOW,
        ),
        post(
            "history task query",
            "/engine-rest/history/task?maxResults=10",
            r#"{"assigneeExpression":"${x}"}"#,
            ALLOW,
        ),
        post(
            "filter POST to a single filter (not a route)",
            "/engine-rest/filter/abc",
            r#"{"query":{"assigneeExpression":"${x}"}}"#,
            ALLOW,
        ),
    ]);
    check(&bundled(), &cases);
}

#[test]
fn expressions_allowed_by_policy() {
    // Policy-wide.
    let text = bundled_edited(&[(r#"expressions = "forbid""#, r#"expressions = "allow""#)]);
    let cases = vec![
        get(
            "query string",
            "/engine-rest/task?maxResults=10&assigneeExpression=%24%7Bx%7D",
            ALLOW,
        ),
        get(
            "task count query string",
            "/engine-rest/task/count?assigneeExpression=x",
            ALLOW,
        ),
        post(
            "body",
            "/engine-rest/task?maxResults=10",
            r#"{"assigneeExpression":"${x}"}"#,
            ALLOW,
        ),
        post(
            "filter create",
            "/engine-rest/filter/create",
            r#"{"resourceType":"Task","name":"x","query":{"assigneeExpression":"${currentUser()}"}}"#,
            ALLOW,
        ),
        get(
            "paging still applies",
            "/engine-rest/task?assigneeExpression=x",
            unbounded(),
        ),
        get(
            "paging still applies, over",
            "/engine-rest/task?maxResults=5000&assigneeExpression=x",
            exceeded(),
        ),
    ];
    check(&guard(&text), &cases);

    // One route: stored filter queries (Camunda's enableExpressionsInStoredQueries).
    let text = routes_first(
        &bundled_text(),
        r#"[[routes]]
name = "filters may store expressions"
methods = ["POST"]
path = "/engine-rest/filter/create"
task_query = true
expressions = "allow"
"#,
    );
    let cases = vec![
        post(
            "filter create allowed by its route",
            "/engine-rest/filter/create",
            r#"{"resourceType":"Task","name":"x","query":{"assigneeExpression":"${currentUser()}"}}"#,
            ALLOW,
        ),
        call(
            "filter update still forbidden",
            "PUT",
            "/engine-rest/filter/abc",
            r#"{"resourceType":"Task","name":"x","query":{"assigneeExpression":"${currentUser()}"}}"#,
            expression("/query/assigneeExpression"),
        ),
        post(
            "task query still forbidden",
            "/engine-rest/task?maxResults=10",
            r#"{"assigneeExpression":"${x}"}"#,
            expression("/assigneeExpression"),
        ),
    ];
    check(&guard(&text), &cases);

    // The other way round: allowed policy-wide, forbidden on one route.
    let text = r#"
[query]
expressions = "allow"
[[routes]]
path = "/engine-rest/task"
list_query = true
task_query = true
expressions = "forbid"
[[routes]]
path = "/engine-rest/task/count"
task_query = true
"#;
    let cases = vec![
        get(
            "route forbids",
            "/engine-rest/task?maxResults=10&assigneeExpression=x",
            expression("query:assigneeExpression"),
        ),
        post(
            "route forbids, body",
            "/engine-rest/task?maxResults=10",
            r#"{"assigneeExpression":"${x}"}"#,
            expression("/assigneeExpression"),
        ),
        get(
            "policy allows",
            "/engine-rest/task/count?assigneeExpression=x",
            ALLOW,
        ),
    ];
    check(&guard(text), &cases);
}

// ---------------------------------------------------------------------------------------------
// Route order and per-route body limits

#[test]
fn first_matching_route_wins() {
    let custom = r#"[[routes]]
name = "reports"
methods = ["GET"]
path = "/engine-rest/history/process-instance"
list_query = true
max_results = 200
[[routes]]
name = "task list without rules"
methods = ["GET"]
path = "/engine-rest/task"
"#;
    let text = routes_first(&bundled_text(), custom);
    let cases = vec![
        get(
            "custom cap, equal",
            "/engine-rest/history/process-instance?maxResults=200",
            ALLOW,
        ),
        get(
            "custom cap, over",
            "/engine-rest/history/process-instance?maxResults=201",
            exceeded(),
        ),
        post(
            "other method falls through to the bundled route",
            "/engine-rest/history/process-instance?maxResults=1000",
            "{}",
            ALLOW,
        ),
        post(
            "other method, bundled cap",
            "/engine-rest/history/process-instance?maxResults=1001",
            "{}",
            exceeded(),
        ),
        get(
            "named engine is not covered by the custom glob",
            "/engine-rest/engine/default/history/process-instance?maxResults=1000",
            ALLOW,
        ),
        get(
            "other routes keep the bundled cap",
            "/engine-rest/job?maxResults=1000",
            ALLOW,
        ),
        get(
            "a route without rules wins too",
            "/engine-rest/task?assigneeExpression=x",
            ALLOW,
        ),
        post(
            "its other method keeps the bundled rules",
            "/engine-rest/task",
            "{}",
            unbounded(),
        ),
    ];
    check(&guard(&text), &cases);

    // A policy's own routes come before the built-in ones wherever its
    // tables stand; with the built-in ones off, only its own apply.
    let text = format!("{}\n{custom}", bundled_text());
    let cases = vec![
        get(
            "custom cap, anywhere in the file",
            "/engine-rest/history/process-instance?maxResults=201",
            exceeded(),
        ),
        get(
            "built-in list route",
            "/engine-rest/process-instance",
            unbounded(),
        ),
    ];
    check(&guard(&text), &cases);
    let text = format!("builtin_routes = \"none\"\n{custom}");
    let cases = vec![
        get(
            "own route",
            "/engine-rest/history/process-instance?maxResults=201",
            exceeded(),
        ),
        get(
            "no built-in route",
            "/engine-rest/process-instance?maxResults=5000",
            ALLOW,
        ),
        get(
            "no built-in task route",
            "/engine-rest/task/count?assigneeExpression=x",
            ALLOW,
        ),
    ];
    check(&guard(&text), &cases);
}

#[test]
fn route_max_bytes() {
    let text = r#"
[body]
max_bytes = 16
[[routes]]
name = "bigger bodies"
methods = ["POST"]
path = "/engine-rest/message"
max_bytes = 64
"#;
    let body = |len: usize| {
        let padding = "a".repeat(len - r#"{"a":""}"#.len());
        format!(r#"{{"a":"{padding}"}}"#)
    };
    let b16 = body(16);
    let b17 = body(17);
    let b64 = body(64);
    let b65 = body(65);
    let too_large = reject("body-too-large", "body");
    let cases = vec![
        post(
            "route, 64 bytes",
            "/engine-rest/message",
            b64.clone(),
            ALLOW,
        ),
        post(
            "route, 65 bytes",
            "/engine-rest/message",
            b65.clone(),
            too_large.clone(),
        ),
        post(
            "route, 17 bytes",
            "/engine-rest/message",
            b17.clone(),
            ALLOW,
        ),
        post(
            "route, messy path",
            "/engine-rest//message/;jsessionid=1",
            b64.clone(),
            ALLOW,
        ),
        post(
            "elsewhere, 16 bytes",
            "/engine-rest/signal",
            b16.clone(),
            ALLOW,
        ),
        post(
            "elsewhere, 17 bytes",
            "/engine-rest/signal",
            b17.clone(),
            too_large.clone(),
        ),
        call(
            "route path, other method",
            "PUT",
            "/engine-rest/message",
            b17.clone(),
            too_large.clone(),
        ),
        post(
            "route, declared length over",
            "/engine-rest/message",
            b16.clone(),
            reject("body-too-large", "header:content-length"),
        )
        .header("content-length", "65"),
        post(
            "route, declared length equal",
            "/engine-rest/message",
            b64.clone(),
            ALLOW,
        )
        .header("content-length", "64"),
        post(
            "elsewhere, declared length over",
            "/engine-rest/signal",
            "",
            reject("body-too-large", "header:content-length"),
        )
        .header("content-length", "17"),
    ];
    assert!(b16.len() == 16 && b17.len() == 17 && b64.len() == 64 && b65.len() == 65);
    check(&guard(text), &cases);

    // The bundled deployment route: 50 MiB instead of 10 MiB, judged from
    // the declared length before the body is read.
    let declared_too_large = reject("body-too-large", "header:content-length");
    let cases = vec![
        post(
            "deployment, 20 MiB",
            "/engine-rest/deployment/create",
            "",
            ALLOW,
        )
        .header("content-length", (20 << 20).to_string()),
        post(
            "deployment, over 50 MiB",
            "/engine-rest/deployment/create",
            "",
            declared_too_large.clone(),
        )
        .header("content-length", ((50 << 20) + 1).to_string()),
        post(
            "elsewhere, 20 MiB",
            "/engine-rest/process-definition/key/x/start",
            "",
            declared_too_large,
        )
        .header("content-length", (20 << 20).to_string()),
        post(
            "elsewhere, 10 MiB",
            "/engine-rest/process-definition/key/x/start",
            "",
            ALLOW,
        )
        .header("content-length", (10 << 20).to_string()),
    ];
    check_with(&bundled(), &cases, true);
}

// ---------------------------------------------------------------------------------------------
// The bundled routes

/// Every `list_query` route of the bundled policy, as concrete paths for
/// the default and a named engine, with the methods it covers.
fn bundled_list_routes() -> Vec<(String, String, Vec<http::Method>)> {
    let policy = Policy::load(BUNDLED).unwrap_or_else(|e| panic!("{e}"));
    let mut out = Vec::new();
    let routes = policy.routes.iter().chain(policy.builtin_routes.routes());
    for route in routes.filter(|r| r.list_query) {
        let mut methods = route.methods.clone();
        if methods.is_empty() {
            methods.push(http::Method::GET);
        }
        for prefix in [
            "engine-rest",
            "engine-rest/engine/default",
            "camunda/api/engine/engine/default",
            "api/engine/engine/other",
        ] {
            let path = route
                .path
                .replace(
                    "{engine-rest,engine-rest/engine/*,api/engine/engine/*,*/api/engine/engine/*}",
                    prefix,
                )
                .replace('*', "123");
            assert!(
                !path.contains(['*', '?', '[', '{']),
                "route {:?}: glob {} is not concrete after substitution: {path}",
                route.name,
                route.path
            );
            out.push((route.name.clone(), path, methods.clone()));
        }
    }
    out
}

#[test]
fn every_bundled_list_route_is_capped() {
    let routes = bundled_list_routes();
    let mut cases = Vec::new();
    for (name, path, methods) in &routes {
        for method in methods {
            let m: &'static str = match *method {
                http::Method::GET => "GET",
                http::Method::POST => "POST",
                _ => panic!("route {name}: unexpected method {method}"),
            };
            let label = format!("{name}: {m} {path}");
            cases.push(call(
                format!("{label} at the cap"),
                m,
                format!("{path}?maxResults=1000"),
                "",
                ALLOW,
            ));
            cases.push(call(
                format!("{label} over"),
                m,
                format!("{path}?maxResults=1001"),
                "",
                exceeded(),
            ));
            cases.push(call(
                format!("{label} missing"),
                m,
                path.clone(),
                "",
                unbounded(),
            ));
            cases.push(call(
                format!("{label} firstResult alone"),
                m,
                format!("{path}?firstResult=0"),
                "",
                unbounded(),
            ));
        }
    }
    check(&bundled(), &cases);
    // And clamped in the clamp variant.
    let cases: Vec<Case> = routes
        .iter()
        .filter(|(_, _, methods)| methods.contains(&http::Method::GET))
        .map(|(name, path, _)| {
            get(
                format!("{name}: GET {path} clamped"),
                format!("{path}?maxResults=1001"),
                rewrite(&format!("{path}?maxResults=1000")),
            )
        })
        .collect();
    check(&guard(&bundled_clamp_text()), &cases);
}

#[test]
fn reference_paging_endpoints_are_list_queries_and_their_counts_are_not() {
    let mut cases = Vec::new();
    for prefix in ["/engine-rest", "/engine-rest/engine/default"] {
        for (method, paths) in [("GET", PAGED_GET), ("POST", PAGED_POST)] {
            for path in paths {
                let path = format!("{prefix}{path}");
                let body = if method == "POST" { "{}" } else { "" };
                cases.push(call(
                    format!("{method} {path} missing"),
                    method,
                    path.clone(),
                    body,
                    unbounded(),
                ));
                cases.push(call(
                    format!("{method} {path} over"),
                    method,
                    format!("{path}?maxResults=1001"),
                    body,
                    exceeded(),
                ));
                cases.push(call(
                    format!("{method} {path} equal"),
                    method,
                    format!("{path}?maxResults=1000"),
                    body,
                    ALLOW,
                ));
                if !path.ends_with("/list") {
                    cases.push(call(
                        format!("{method} {path}/count"),
                        method,
                        format!("{path}/count"),
                        body,
                        ALLOW,
                    ));
                }
            }
        }
    }
    check(&bundled(), &cases);
}

#[test]
fn report_mode_reports_paging() {
    let text = bundled_edited(&[(r#"mode = "enforce""#, r#"mode = "report""#)]);
    let cases = vec![
        get(
            "over",
            "/engine-rest/task?maxResults=5000",
            "report query-max-results-exceeded at query:maxResults",
        ),
        get(
            "missing",
            "/engine-rest/task",
            "report query-unbounded at query:maxResults",
        ),
        get("path", "/engine-rest%2Ftask", "report path-invalid at path"),
        get(
            "under (near miss)",
            "/engine-rest/task?maxResults=10",
            ALLOW,
        ),
    ];
    check(&guard(&text), &cases);
}

// ---------------------------------------------------------------------------------------------
// The binary

#[cfg(feature = "cli")]
mod cli {
    use std::path::PathBuf;
    use std::process::Command;

    use serde_json::{Value, json};

    const BIN: &str = env!("CARGO_BIN_EXE_input-guard");

    fn write_policy(name: &str, text: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("input-guard-query-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write policy");
        path
    }

    /// Runs `input-guard check --policy <policy> <args>`; returns the exit
    /// code and the one JSON line printed.
    fn check(policy: &PathBuf, args: &[&str]) -> Result<(i32, Value), String> {
        let out = Command::new(BIN)
            .arg("check")
            .arg("--policy")
            .arg(policy)
            .args(args)
            .output()
            .map_err(|e| format!("spawn: {e}"))?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let lines: Vec<&str> = stdout.lines().collect();
        if lines.len() != 1 || !stdout.ends_with('\n') {
            return Err(format!(
                "expected one line, got {stdout:?} (stderr {stderr:?})"
            ));
        }
        let line = serde_json::from_str(lines[0]).map_err(|e| format!("{e}: {stdout:?}"))?;
        Ok((out.status.code().unwrap_or(-1), line))
    }

    #[test]
    fn check_prints_the_rewritten_uri_and_exits_by_verdict() {
        let clamp = write_policy("clamp.toml", &super::bundled_clamp_text());
        let reject = PathBuf::from(super::BUNDLED);
        let rejected = |code: &str, location: &str| json!({"verdict": "reject", "status": 400, "code": code, "location": location});
        let cases: Vec<(&str, &PathBuf, Vec<&str>, i32, Value)> = vec![
            (
                "clamped",
                &clamp,
                vec!["--uri", "/engine-rest/task?maxResults=5000"],
                0,
                json!({"verdict": "allow", "uri": "/engine-rest/task?maxResults=1000"}),
            ),
            (
                "clamped, missing",
                &clamp,
                vec!["--uri", "/engine-rest/task?sortBy=name"],
                0,
                json!({"verdict": "allow", "uri": "/engine-rest/task?sortBy=name&maxResults=1000"}),
            ),
            (
                "clamped POST",
                &clamp,
                vec![
                    "--method",
                    "POST",
                    "--uri",
                    "/engine-rest/process-instance?maxResults=1001",
                ],
                0,
                json!({"verdict": "allow", "uri": "/engine-rest/process-instance?maxResults=1000"}),
            ),
            (
                "clamp policy, equal (no uri)",
                &clamp,
                vec!["--uri", "/engine-rest/task?maxResults=1000"],
                0,
                json!({"verdict": "allow"}),
            ),
            (
                "clamp policy, invalid",
                &clamp,
                vec!["--uri", "/engine-rest/task?maxResults=abc"],
                1,
                rejected("query-invalid-paging", "query:maxResults"),
            ),
            (
                "reject policy, over",
                &reject,
                vec!["--uri", "/engine-rest/task?maxResults=5000"],
                1,
                rejected("query-max-results-exceeded", "query:maxResults"),
            ),
            (
                "reject policy, missing",
                &reject,
                vec!["--uri", "/engine-rest/task"],
                1,
                rejected("query-unbounded", "query:maxResults"),
            ),
            (
                "reject policy, expression",
                &reject,
                vec![
                    "--uri",
                    "/engine-rest/task?maxResults=1&assigneeExpression=x",
                ],
                1,
                rejected("expression-not-allowed", "query:assigneeExpression"),
            ),
            (
                "path invalid",
                &reject,
                vec!["--uri", "/engine-rest/task%2F?maxResults=1"],
                1,
                rejected("path-invalid", "path"),
            ),
        ];
        let mut failures = Vec::new();
        for (name, policy, args, want_code, want) in &cases {
            match check(policy, args) {
                Err(e) => failures.push(format!("  {name}: {e}")),
                Ok((code, mut line)) => {
                    // A rejection's message is free text: present, not compared.
                    if let Some(map) = line.as_object_mut()
                        && map.get("verdict") == Some(&json!("reject"))
                    {
                        let message = map.remove("message");
                        if message
                            .as_ref()
                            .and_then(Value::as_str)
                            .is_none_or(str::is_empty)
                        {
                            failures.push(format!("  {name}: no message in {line}"));
                            continue;
                        }
                    }
                    if code != *want_code || line != *want {
                        failures.push(format!(
                            "  {name}: {args:?}\n    expected exit {want_code} {want}\n    got      exit {code} {line}"
                        ));
                    }
                }
            }
        }
        assert!(
            failures.is_empty(),
            "{} of {} cases failed:\n{}",
            failures.len(),
            cases.len(),
            failures.join("\n")
        );
    }
}

/// A policy that names no routes still caps Camunda's list endpoints: the
/// built-in routes apply, with the policy's own `[query]` settings.
#[test]
fn policies_without_routes_use_the_builtin_camunda_routes() {
    let minimal = guard("[query]\nmax_results = 50\n");
    let cases = vec![
        get(
            "at the policy's cap",
            "/engine-rest/process-instance?maxResults=50",
            ALLOW,
        ),
        get(
            "over the policy's cap",
            "/engine-rest/process-instance?maxResults=51",
            exceeded(),
        ),
        get("unbounded", "/engine-rest/history/task", unbounded()),
        get(
            "named engine",
            "/engine-rest/engine/other/job?firstResult=3",
            unbounded(),
        ),
        get(
            "task expressions",
            "/engine-rest/task/count?assigneeExpression=x",
            reject("expression-not-allowed", "query:assigneeExpression"),
        ),
        get(
            "count is no list",
            "/engine-rest/process-instance/count",
            ALLOW,
        ),
        get("not a Camunda path", "/api/orders?maxResults=5000", ALLOW),
    ];
    check(&minimal, &cases);
    // An empty policy and a classes-only one are complete policies too.
    for text in ["", "[classes]\nallow = [\"com.acme.**\"]\n"] {
        let cases = vec![
            get("default cap", "/engine-rest/task?maxResults=1000", ALLOW),
            get(
                "over the default cap",
                "/engine-rest/task?maxResults=1001",
                exceeded(),
            ),
        ];
        check(&guard(text), &cases);
    }
    let strict = Guard::new(
        Policy::load(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/strict.toml"))
            .unwrap_or_else(|e| panic!("{e}")),
    )
    .expect("a valid policy");
    let cap = strict.policy().query.max_results;
    let cases = vec![
        get(
            "strict: at its cap",
            format!("/engine-rest/deployment?maxResults={cap}"),
            ALLOW,
        ),
        get(
            "strict: over its cap",
            format!("/engine-rest/deployment?maxResults={}", cap + 1),
            exceeded(),
        ),
    ];
    check(&strict, &cases);
}

/// `maxResults`/`firstResult` at the top of a JSON query body meet the same
/// rules as in the query string, but only the query string bounds a query.
#[test]
fn paging_in_json_query_bodies() {
    let body_exceeded = || reject("query-max-results-exceeded", "/maxResults");
    let cases = vec![
        post(
            "body at the cap",
            "/engine-rest/process-instance?maxResults=10",
            r#"{"maxResults":1000}"#,
            ALLOW,
        ),
        post(
            "body over the cap",
            "/engine-rest/process-instance?maxResults=10",
            r#"{"maxResults":1001}"#,
            body_exceeded(),
        ),
        post(
            "body over the cap, as a string",
            "/engine-rest/task?maxResults=10",
            r#"{"maxResults":"5000"}"#,
            body_exceeded(),
        ),
        post(
            "body over the cap, escaped key",
            "/engine-rest/task?maxResults=10",
            r#"{"max\u0052esults":5000}"#,
            body_exceeded(),
        ),
        post(
            "body over the cap, UTF-16",
            "/engine-rest/task?maxResults=10",
            r#"{"maxResults":5000}"#,
            body_exceeded(),
        )
        .utf16le(),
        post(
            "body over Java's int range",
            "/engine-rest/task?maxResults=10",
            r#"{"maxResults":2147483648}"#,
            reject("query-invalid-paging", "/maxResults"),
        ),
        post(
            "body negative firstResult",
            "/engine-rest/task?maxResults=10",
            r#"{"firstResult":-1}"#,
            reject("query-invalid-paging", "/firstResult"),
        ),
        post(
            "body fraction",
            "/engine-rest/task?maxResults=10",
            r#"{"maxResults":10.5}"#,
            reject("query-invalid-paging", "/maxResults"),
        ),
        post(
            "body array",
            "/engine-rest/task?maxResults=10",
            r#"{"maxResults":[10]}"#,
            reject("query-invalid-paging", "/maxResults"),
        ),
        post(
            "body null means not given",
            "/engine-rest/task?maxResults=10",
            r#"{"maxResults":null,"firstResult":null}"#,
            ALLOW,
        ),
        post(
            "nested paging is data",
            "/engine-rest/task?maxResults=10",
            r#"{"orQueries":[{"maxResults":5000}],"x":{"maxResults":-1}}"#,
            ALLOW,
        ),
        post(
            "other case is another key",
            "/engine-rest/task?maxResults=10",
            r#"{"MaxResults":5000}"#,
            ALLOW,
        ),
        post(
            "body within the cap does not bound the query",
            "/engine-rest/task",
            r#"{"maxResults":10}"#,
            unbounded(),
        ),
        post(
            "not a list route",
            "/engine-rest/process-instance/count",
            r#"{"maxResults":5000}"#,
            ALLOW,
        ),
    ];
    check(&bundled(), &cases);
    // Clamping rewrites URIs, never bodies: a body over the cap is refused.
    let clamp = guard(&bundled_edited(&[(
        r#"on_excess = "reject""#,
        r#"on_excess = "clamp""#,
    )]));
    let cases = vec![
        post(
            "clamp: body over the cap",
            "/engine-rest/process-instance?maxResults=10",
            r#"{"maxResults":1001}"#,
            body_exceeded(),
        ),
        post(
            "clamp: body within, query added",
            "/engine-rest/process-instance",
            r#"{"maxResults":10}"#,
            rewrite("/engine-rest/process-instance?maxResults=1000"),
        ),
    ];
    check(&clamp, &cases);
}

/// RESTEasy upper-cases the method before dispatching, so a rule on `GET`
/// that `get` skipped would be a bypass: such methods are refused outright.
#[test]
fn methods_in_another_letter_case_are_refused() {
    let method_invalid = || reject("method-invalid", "method");
    let cases = vec![
        call(
            "lower-case get, over the cap",
            "get",
            "/engine-rest/task?maxResults=5000",
            "",
            method_invalid(),
        ),
        call(
            "mixed-case get, unbounded",
            "Get",
            "/engine-rest/process-instance",
            "",
            method_invalid(),
        ),
        call(
            "lower-case post, task query expression",
            "post",
            "/engine-rest/task?maxResults=10",
            r#"{"assigneeExpression":"${x}"}"#,
            method_invalid(),
        ),
        call(
            "lower-case head",
            "head",
            "/engine-rest/task",
            "",
            method_invalid(),
        ),
        call(
            "lower-case get, no route",
            "get",
            "/engine-rest/task/abc",
            "",
            method_invalid(),
        ),
        // Near misses: the standard spellings meet the route rules as
        // always, and an extension method is left to the engine.
        call(
            "GET over the cap",
            "GET",
            "/engine-rest/task?maxResults=5000",
            "",
            exceeded(),
        ),
        call(
            "GET under the cap",
            "GET",
            "/engine-rest/task?maxResults=10",
            "",
            ALLOW,
        ),
        call(
            "extension method",
            "PROPFIND",
            "/engine-rest/task",
            "",
            ALLOW,
        ),
    ];
    check(&bundled(), &cases);
}
