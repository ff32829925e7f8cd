//! Every list route of the bundled policy is capped, Camunda's reference
//! paging endpoints are list queries and their counts are not, and report
//! mode reports.

use super::*;
use common::policy::CAMUNDA_PATH;

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

/// Every `list_query` route of the bundled policy, as concrete paths for
/// the default and a named engine, with the methods it covers.
fn bundled_list_routes() -> Vec<(String, String, Vec<http::Method>)> {
    let policy = Policy::load(CAMUNDA_PATH).unwrap_or_else(|e| panic!("{e}"));
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
    check(&camunda_guard(), &cases);
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
    check(&camunda_guard(), &cases);
}

#[test]
fn report_mode_reports_paging() {
    let text = camunda_edited(&[(r#"mode = "enforce""#, r#"mode = "report""#)]);
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
