//! Routes match the path as the servlet container reads it; paths it could
//! read two ways are refused everywhere.

use super::*;

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
        // Decoded once it is no route, but a second decoder behind the
        // guard would read `/task`: refused as `path-double-encoded` unless
        // `[request] allow_double_encoded_paths` (tests/request_filtering.rs).
        get(
            "double-encoded letter",
            "/engine-rest/%2574ask",
            reject("path-double-encoded", "path"),
        ),
        get("plural", "/engine-rest/tasks", ALLOW),
        get("letter case", "/engine-rest/Task", ALLOW),
        get("encoded space", "/engine-rest/task%20", ALLOW),
        get("single resource", "/engine-rest/task/x", ALLOW),
    ];
    check(&camunda_guard(), &cases);
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
    check(&camunda_guard(), &cases);
}
