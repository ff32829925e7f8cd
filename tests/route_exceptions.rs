// Test code: unwraps here are test failures, not request paths.
//! Per-route exceptions, CRS-style (issue 15, item 7): a route's own
//! `mode`, `skip` of a rule by its code, and `classes_allow`. Each
//! exception lets through what the policy alone would refuse, records it as
//! a report naming the exception, and leaves every other rule in force.

mod common;

use common::outcome::{ALLOW, verdict};
use common::policy::{camunda_edited, guard};
use common::request::post;
use input_guard::policy::{Policy, PolicyErrorKind};
use input_guard::{Guard, Verdict};

/// The bundled policy plus `routes` (tried before the built-in ones).
fn with_routes(routes: &str) -> Guard {
    let text = camunda_edited(&[]) + "\n" + routes;
    guard(&text)
}

const TASKLIST: &str = r#"
[[routes]]
name = "tasklist filters"
methods = ["POST", "PUT"]
path = "/engine-rest/filter/{create,*}"
task_query = true
skip = ["expression-not-allowed"]
"#;

fn filter(query: &str) -> Vec<u8> {
    format!(r#"{{"resourceType":"Task","name":"Mine","query":{query}}}"#).into_bytes()
}

fn exception(v: &Verdict) -> Option<String> {
    v.violation().and_then(|v| v.exception()).map(str::to_owned)
}

#[test]
fn skipping_a_rule_reports_what_it_would_refuse_and_keeps_the_others() {
    let guard = with_routes(TASKLIST);
    let json = "application/json";
    // Tasklist's own filter: `${currentUser()}` goes through, recorded.
    let mine = filter(r#"{"assigneeExpression":"${currentUser()}"}"#);
    let v = guard.check(&post("/engine-rest/filter/create", json), &mine);
    assert!(
        verdict(&v).starts_with("report expression-not-allowed"),
        "{}",
        verdict(&v)
    );
    assert_eq!(
        exception(&v).as_deref(),
        Some("route `tasklist filters`: skip expression-not-allowed")
    );
    // Every other rule still runs on that route: a gadget is refused.
    let gadget = r#"{"assigneeExpression":"${currentUser()}","x":{"@class":"com.sun.rowset.JdbcRowSetImpl"}}"#;
    let v = guard.check(&post("/engine-rest/filter/create", json), &filter(gadget));
    assert!(
        verdict(&v).starts_with("reject class-not-allowed"),
        "{}",
        verdict(&v)
    );
    // A clean filter leaves no trace.
    let plain = filter(r#"{"assignee":"demo"}"#);
    assert_eq!(
        verdict(&guard.check(&post("/engine-rest/filter/create", json), &plain)),
        ALLOW
    );
    // The near miss: the same body on a task query (a built-in route) is refused.
    let v = guard.check(
        &post("/engine-rest/task?maxResults=5", json),
        br#"{"assigneeExpression":"${currentUser()}"}"#,
    );
    assert!(
        verdict(&v).starts_with("reject expression-not-allowed"),
        "{}",
        verdict(&v)
    );
    assert_eq!(exception(&v), None);
}

#[test]
fn a_route_may_report_while_the_policy_enforces_and_the_other_way_round() {
    let routes = r#"
[[routes]]
name = "legacy upload"
methods = ["POST"]
path = "/engine-rest/legacy/**"
mode = "report"
"#;
    let guard = with_routes(routes);
    let doctype = b"<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>";
    let v = guard.check(
        &post("/engine-rest/legacy/import", "application/xml"),
        doctype,
    );
    assert!(
        verdict(&v).starts_with("report xml-doctype"),
        "{}",
        verdict(&v)
    );
    assert_eq!(
        exception(&v).as_deref(),
        Some("route `legacy upload`: mode = report")
    );
    // The near miss: any other route enforces.
    let v = guard.check(&post("/engine-rest/message", "application/xml"), doctype);
    assert!(
        verdict(&v).starts_with("reject xml-doctype"),
        "{}",
        verdict(&v)
    );
    assert_eq!(exception(&v), None);

    // A reporting policy with one enforcing route.
    let text = camunda_edited(&[("mode = \"enforce\"", "mode = \"report\"")])
        + "\n[[routes]]\nname = \"messages\"\npath = \"/engine-rest/message\"\nmode = \"enforce\"\n";
    let guard = common::policy::guard(&text);
    let v = guard.check(&post("/engine-rest/message", "application/xml"), doctype);
    assert!(verdict(&v).starts_with("reject"), "{}", verdict(&v));
    assert_eq!(
        exception(&v).as_deref(),
        Some("route `messages`: mode = enforce")
    );
    let v = guard.check(&post("/engine-rest/signal", "application/xml"), doctype);
    assert!(verdict(&v).starts_with("report"), "{}", verdict(&v));
}

#[test]
fn a_route_may_allow_more_classes_and_the_gadget_list_still_holds() {
    let routes = r#"
[[routes]]
name = "legacy start"
methods = ["POST"]
path = "/engine-rest/process-definition/key/legacy/start"
classes_allow = ["com.acme.legacy.**", "com.sun.rowset.**"]
"#;
    let guard = with_routes(routes);
    let body = |class: &str| {
        format!(
            r#"{{"variables":{{"v":{{"type":"Object","value":"{{}}","valueInfo":{{"objectTypeName":"{class}","serializationDataFormat":"application/json"}}}}}}}}"#
        )
        .into_bytes()
    };
    let legacy = "/engine-rest/process-definition/key/legacy/start";
    let v = guard.check(
        &post(legacy, "application/json"),
        &body("com.acme.legacy.Order"),
    );
    assert!(
        verdict(&v).starts_with("report class-not-allowed"),
        "{}",
        verdict(&v)
    );
    assert_eq!(
        exception(&v).as_deref(),
        Some("route `legacy start`: classes_allow")
    );
    // The deny side still wins: a gadget is refused even when a route allows it.
    for gadget in [
        "com.sun.rowset.JdbcRowSetImpl",
        "com.sun.rowset.JdbcRowSetImpl[]",
    ] {
        let v = guard.check(&post(legacy, "application/json"), &body(gadget));
        assert!(
            verdict(&v).starts_with("reject class-not-allowed"),
            "{gadget}: {}",
            verdict(&v)
        );
    }
    // The near miss: another process's start refuses the class.
    let other = "/engine-rest/process-definition/key/other/start";
    let v = guard.check(
        &post(other, "application/json"),
        &body("com.acme.legacy.Order"),
    );
    assert!(
        verdict(&v).starts_with("reject class-not-allowed"),
        "{}",
        verdict(&v)
    );
}

#[test]
fn only_rules_that_can_be_switched_off_alone_can_be_skipped() {
    let text = "[[routes]]\npath = \"/x\"\nskip = [\"class-not-allowed\", \"no-such-code\", \"query-unbounded\"]\n";
    let errors = Policy::from_toml_all(text).unwrap_err();
    let found: Vec<(String, String)> = errors
        .iter()
        .map(|e| (e.key().to_owned(), e.to_string()))
        .collect();
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0].0, "routes[0].skip[0]");
    assert!(found[0].1.contains("cannot be skipped"), "{}", found[0].1);
    assert!(found[0].1.contains("classes_allow"), "{}", found[0].1);
    assert_eq!(found[1].0, "routes[0].skip[1]");
    assert!(matches!(errors.first().kind(), PolicyErrorKind::Invalid(_)));
    // The near miss: skippable codes load.
    let policy = Policy::from_toml("[[routes]]\npath = \"/x\"\nskip = [\"query-unbounded\", \"expression-not-allowed\"]\nmode = \"report\"\n").unwrap();
    assert_eq!(policy.routes[0].skip.len(), 2);
}

#[test]
fn an_unbounded_query_may_be_skipped_on_one_route() {
    let routes = r#"
[[routes]]
name = "report export"
methods = ["GET"]
path = "/engine-rest/history/process-instance"
list_query = true
skip = ["query-unbounded"]
"#;
    let guard = with_routes(routes);
    let get = |uri: &str| common::request::head("GET", uri, &[]);
    let v = guard.check(&get("/engine-rest/history/process-instance"), b"");
    assert!(
        verdict(&v).starts_with("report query-unbounded"),
        "{}",
        verdict(&v)
    );
    // The cap still holds on that route.
    let v = guard.check(
        &get("/engine-rest/history/process-instance?maxResults=5000"),
        b"",
    );
    assert!(
        verdict(&v).starts_with("reject query-max-results-exceeded"),
        "{}",
        verdict(&v)
    );
    // The near miss: another list refuses the unbounded query.
    let v = guard.check(&get("/engine-rest/task"), b"");
    assert!(
        verdict(&v).starts_with("reject query-unbounded"),
        "{}",
        verdict(&v)
    );
}

#[test]
fn a_route_may_change_xml_switches_and_limits_over_the_policys() {
    let routes = r#"
[[routes]]
name = "legacy xml"
methods = ["POST"]
path = "/engine-rest/legacy/xml"

[routes.xml]
allow_doctype = true
max_depth = 4
"#;
    let guard = with_routes(routes);
    let post_xml = |path: &str, body: &[u8]| guard.check(&post(path, "application/xml"), body);
    // An internal subset of element declarations: allowed here, recorded.
    let internal = b"<!DOCTYPE x [<!ELEMENT x (#PCDATA)>]><x>hi</x>";
    let v = post_xml("/engine-rest/legacy/xml", internal);
    assert!(
        verdict(&v).starts_with("report xml-doctype"),
        "{}",
        verdict(&v)
    );
    assert_eq!(exception(&v).as_deref(), Some("route `legacy xml`: xml"));
    // What XML always refuses stays refused on the route.
    let external = b"<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>";
    let v = post_xml("/engine-rest/legacy/xml", external);
    assert!(verdict(&v).starts_with("reject"), "{}", verdict(&v));
    // The route's own limit is stricter here, and holds.
    let deep = b"<a><b><c><d><e/></d></c></b></a>";
    let v = post_xml("/engine-rest/legacy/xml", deep);
    assert!(verdict(&v).starts_with("reject xml-"), "{}", verdict(&v));
    // Keys the route does not name are the policy's: BPMN scripts stay
    // forbidden, and a plain document passes.
    let script = br#"<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><scriptTask/></definitions>"#;
    let v = post_xml("/engine-rest/legacy/xml", script);
    assert!(verdict(&v).starts_with("reject xml-"), "{}", verdict(&v));
    assert_eq!(
        verdict(&post_xml("/engine-rest/legacy/xml", b"<x><y/></x>")),
        ALLOW
    );
    // The near miss: another route refuses the DOCTYPE.
    let v = post_xml("/engine-rest/message", internal);
    assert!(
        verdict(&v).starts_with("reject xml-doctype"),
        "{}",
        verdict(&v)
    );

    // A route's limits are held to the ranges of [xml]'s.
    let errors = Policy::from_toml_all(
        "[[routes]]\npath = \"/x\"\n[routes.xml]\nmax_depth = 0\nmax_dpeth = 3\n",
    )
    .unwrap_err();
    let keys: Vec<&str> = errors.iter().map(|e| e.key()).collect();
    assert_eq!(keys, ["routes[0].xml.max_depth", "routes[0].xml.max_dpeth"]);
}
