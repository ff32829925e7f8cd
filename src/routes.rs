//! Routes compiled for matching: one glob set over every route's path.

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use crate::policy::Route;

/// The policy's routes, matched first-wins by method and normalised path.
#[derive(Debug)]
pub(crate) struct RouteTable {
    set: GlobSet,
    /// For each glob in `set`, the index of its route.
    routes: Vec<usize>,
}

impl RouteTable {
    /// Compiles the routes. Globs are validated when a policy is loaded; a
    /// glob that does not compile (a policy edited in code) matches nothing.
    pub(crate) fn new(routes: &[Route]) -> Self {
        let mut builder = GlobSetBuilder::new();
        let mut indices = Vec::with_capacity(routes.len());
        for (i, route) in routes.iter().enumerate() {
            if let Ok(glob) = GlobBuilder::new(&route.path)
                .literal_separator(true)
                .build()
            {
                builder.add(glob);
                indices.push(i);
            }
        }
        RouteTable {
            set: builder.build().unwrap_or_else(|_| GlobSet::empty()),
            routes: indices,
        }
    }

    /// The first route (in policy order) covering `method` and `path`.
    pub(crate) fn find<'r>(
        &self,
        routes: &'r [Route],
        method: &http::Method,
        path: &str,
    ) -> Option<&'r Route> {
        // Glob indices follow route order, so the first match that also
        // covers the method is the first route.
        let mut matched = self.set.matches(path);
        matched.sort_unstable();
        matched
            .into_iter()
            .filter_map(|g| self.routes.get(g).and_then(|&i| routes.get(i)))
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
