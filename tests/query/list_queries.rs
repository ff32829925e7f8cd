//! What is and is not a list query in the bundled policy: count routes,
//! single resources, POST queries, methods (HEAD runs the GET query;
//! methods in another letter case are refused) and named engines.

use super::*;

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
    check(&camunda_guard(), &cases);
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
    check(&camunda_guard(), &cases);
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
        // always, and an extension method is no case trick: it is refused
        // because the engine uses no such method (`[request] methods`).
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
            reject("method-not-allowed", "method"),
        ),
    ];
    check(&camunda_guard(), &cases);
}
