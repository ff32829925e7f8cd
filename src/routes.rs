//! Routes compiled for matching: one glob set over every route's path.

use globset::{GlobSet, GlobSetBuilder};

use crate::policy::{BuiltinRoutes, PolicyError, PolicyErrorKind, Route, route_glob};

/// The policy's routes, then its built-in ones, matched first-wins by
/// method and normalised path.
#[derive(Debug)]
pub(crate) struct RouteTable {
    /// One glob per route, in route order.
    set: GlobSet,
    routes: Vec<Route>,
}

impl RouteTable {
    /// Compiles `own` followed by `builtin`.
    ///
    /// # Security
    ///
    /// A route that does not compile is an error, never a route that
    /// matches nothing: a paging cap or a body limit that silently applies
    /// nowhere fails open. The same holds for the table as a whole.
    pub(crate) fn new(own: &[Route], builtin: BuiltinRoutes) -> Result<Self, PolicyError> {
        let routes: Vec<Route> = own.iter().chain(builtin.routes()).cloned().collect();
        let mut builder = GlobSetBuilder::new();
        for (i, route) in routes.iter().enumerate() {
            let key = match i.checked_sub(own.len()) {
                None => format!("routes[{i}].path"),
                Some(b) => format!("builtin_routes[{b}].path"),
            };
            let glob = route_glob(&route.path)
                .map_err(|m| PolicyError::new(PolicyErrorKind::Invalid(m), key))?;
            builder.add(glob);
        }
        let set = builder.build().map_err(|e| {
            PolicyError::new(
                PolicyErrorKind::Invalid(format!("the routes do not compile together: {e}")),
                "routes",
            )
        })?;
        Ok(RouteTable { set, routes })
    }

    /// The first route (in policy order) covering `method` and `path`.
    /// Where `route`, one of this table's, stands in it (own routes come
    /// first, in policy order).
    pub(crate) fn index_of(&self, route: &Route) -> Option<usize> {
        self.routes.iter().position(|r| std::ptr::eq(r, route))
    }

    pub(crate) fn find(&self, method: &http::Method, path: &str) -> Option<&Route> {
        // Glob indices follow route order, so the first match that also
        // covers the method is the first route.
        let mut matched = self.set.matches(path);
        matched.sort_unstable();
        matched
            .into_iter()
            .filter_map(|g| self.routes.get(g))
            .find(|r| covers(&r.methods, method))
    }
}

/// Whether a route listing `methods` covers `method`. HEAD counts as GET:
/// JAX-RS answers HEAD by running the GET resource method (and Camunda
/// defines no HEAD methods), so a GET rule that HEAD could skip would be a
/// bypass.
fn covers(methods: &[http::Method], method: &http::Method) -> bool {
    methods.is_empty()
        || methods.contains(method)
        || (method == http::Method::HEAD && methods.contains(&http::Method::GET))
}
