//! The first matching route wins; per-route body limits; a policy without
//! routes gets the built-in Camunda routes.

use super::*;

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
    let text = routes_first(&common::policy::camunda_text(), custom);
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
    let text = format!("{}\n{custom}", common::policy::camunda_text());
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
    check_with(&camunda_guard(), &cases, true);
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
