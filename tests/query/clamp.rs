//! `on_excess = "clamp"` rewrites the URI to the cap; `require_max_results
//! = false`; caps set on a route.

use super::*;

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
