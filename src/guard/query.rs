//! The rules of query routes: paging on list queries (`maxResults`,
//! `firstResult`, clamping by rewriting the URI) and expressions on task
//! queries, in the query string and in the body.

use http::Uri;
use http::request::Parts;

use super::Guard;
use crate::classes::ClassFilter;
use crate::inspect::json::PagingMember;
use crate::inspect::query::{self, Paging};
use crate::inspect::xml::XmlInspector;
use crate::policy::{Expressions, OnExcess, Route};
use crate::violation::{Code, Violation};

/// What the route's rules ask of the body inspection.
#[derive(Debug, Clone, Copy)]
pub(super) struct BodyRules<'a> {
    /// The route, whose `uninspected_types` pass on uninspected.
    pub(super) route: Option<&'a Route>,
    /// Refuse task-query expression parameters in a JSON body.
    pub(super) forbid_expressions: bool,
    /// The route is a list query: report the body's paging members.
    pub(super) list_query: bool,
    /// The class filter typed variables and type fields are judged by:
    /// the route's own when it adds `classes_allow` (and exceptions
    /// apply), else the policy's.
    pub(super) classes: &'a ClassFilter,
    /// The XML inspector, the route's own under the same condition.
    pub(super) xml: &'a XmlInspector,
}

impl BodyRules<'_> {
    /// Whether the route passes bodies of type `essence` uninspected.
    pub(super) fn passes_uninspected(&self, essence: &str) -> bool {
        self.route.is_some_and(|r| r.passes_uninspected(essence))
    }
}

/// The query rules for one request.
pub(super) struct QueryRules<'a> {
    guard: &'a Guard,
    route: Option<&'a Route>,
    head: &'a Parts,
    /// Whether the route's exceptions (`skip`, `classes_allow`) apply.
    exceptions: bool,
}

impl<'a> QueryRules<'a> {
    /// The rules for `head` under `route`, with the route's exceptions
    /// applied when `exceptions`.
    pub(super) fn new(
        guard: &'a Guard,
        route: Option<&'a Route>,
        head: &'a Parts,
        exceptions: bool,
    ) -> Self {
        QueryRules {
            guard,
            route,
            head,
            exceptions,
        }
    }

    /// Whether the route skips the rule of `code` here.
    fn skips(&self, code: Code) -> bool {
        self.exceptions && self.route.is_some_and(|r| r.skips(code))
    }

    /// Checks the query string, runs `inspect_body` with what the rules
    /// ask of the body, then holds the body's paging members to the same
    /// rules. Returns the rewritten URI when clamping changed the query.
    pub(super) fn check(
        self,
        inspect_body: impl FnOnce(BodyRules<'a>) -> Result<Vec<PagingMember>, Violation>,
    ) -> Result<Option<Uri>, Violation> {
        let policy = &self.guard.policy;
        // Expressions are refused in the query string of every query
        // route, and in the body of task queries (whose JSON bodies are
        // queries the engine evaluates).
        let query_route = self.route.filter(|r| r.list_query || r.task_query);
        let no_expressions = query_route.is_some_and(|r| {
            r.expressions.unwrap_or(policy.query.expressions) == Expressions::Forbid
        }) && !self.skips(Code::ExpressionNotAllowed);
        let list_query = self.route.filter(|r| r.list_query);
        let rules = BodyRules {
            route: self.route,
            forbid_expressions: no_expressions && self.route.is_some_and(|r| r.task_query),
            list_query: list_query.is_some(),
            classes: if self.exceptions {
                self.guard.classes_for(self.route)
            } else {
                &self.guard.classes
            },
            xml: if self.exceptions {
                self.guard.xml_for(self.route)
            } else {
                &self.guard.xml
            },
        };
        let query = self.head.uri.query().unwrap_or("");
        let params = if list_query.is_some() || no_expressions {
            query::parse(query)?
        } else {
            Vec::new()
        };
        if no_expressions {
            query::check_expressions(&params, policy.engine.profile())?;
        }
        let paging = list_query.map(|route| {
            let cap = route.max_results.unwrap_or(policy.query.max_results);
            Paging {
                cap: (cap > 0).then_some(cap),
                clamp: policy.query.on_excess == OnExcess::Clamp,
                require_max_results: policy.query.require_max_results
                    && !self.skips(Code::QueryUnbounded),
                names: policy.engine.profile().paging,
            }
        });
        if let Some(paging) = paging {
            // The query string's paging values first: a bad one fails
            // before the body is inspected. Whether the query is bounded
            // at all also depends on the body.
            let values_only = Paging {
                require_max_results: false,
                ..paging
            };
            query::check_paging(query, &params, &[], values_only)?;
        }
        let body_paging = inspect_body(rules)?;
        let Some(paging) = paging else {
            return Ok(None);
        };
        let Some(new_query) = query::check_paging(query, &params, &body_paging, paging)? else {
            return Ok(None);
        };
        let uri = &self.head.uri;
        let mut parts = uri.clone().into_parts();
        parts.path_and_query = format!("{}?{new_query}", uri.path()).parse().ok();
        Uri::from_parts(parts).map(Some).map_err(|_| {
            Violation::new(
                Code::QueryMalformed,
                "query",
                "the query cannot be rewritten",
            )
        })
    }
}
