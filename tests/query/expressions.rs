//! Task-query expression parameters (`assigneeExpression`, ...) in query
//! strings and JSON bodies, refused unless the policy allows them.

use super::*;

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
    check(&camunda_guard(), &cases);
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
    check(&camunda_guard(), &cases);
}

#[test]
fn expressions_allowed_by_policy() {
    // Policy-wide.
    let text = camunda_edited(&[(r#"expressions = "forbid""#, r#"expressions = "allow""#)]);
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
        &common::policy::camunda_text(),
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
