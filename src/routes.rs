//! Routes compiled for matching: one glob set over every route's path.

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use crate::policy::{BuiltinRoutes, Route};

/// The policy's routes, then its built-in ones, matched first-wins by
/// method and normalised path.
#[derive(Debug)]
pub(crate) struct RouteTable {
    set: GlobSet,
    /// For each glob in `set`, the index of its route in `routes`.
    globs: Vec<usize>,
    routes: Vec<Route>,
}

impl RouteTable {
    /// Compiles `own` followed by `builtin`. Globs are validated when a
    /// policy is loaded; a glob that does not compile (a policy edited in
    /// code) matches nothing.
    pub(crate) fn new(own: &[Route], builtin: BuiltinRoutes) -> Self {
        let routes: Vec<Route> = own.iter().chain(builtin.routes()).cloned().collect();
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
            globs: indices,
            routes,
        }
    }

    /// The first route (in policy order) covering `method` and `path`.
    pub(crate) fn find(&self, method: &http::Method, path: &str) -> Option<&Route> {
        // Glob indices follow route order, so the first match that also
        // covers the method is the first route.
        let mut matched = self.set.matches(path);
        matched.sort_unstable();
        matched
            .into_iter()
            .filter_map(|g| self.globs.get(g).and_then(|&i| self.routes.get(i)))
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
