//! Routes compiled for matching: each route's path glob (see
//! `policy::path_glob`), and an index from a path's last segment to the
//! routes that can match it.

use std::collections::HashMap;

use crate::policy::{BuiltinRoutes, PathGlob, PolicyError, PolicyErrorKind, Route, split_path};

/// The policy's routes, then its built-in ones, matched first-wins by
/// method and normalised path.
#[derive(Debug)]
pub(crate) struct RouteTable {
    routes: Vec<Route>,
    /// One compiled glob per route, in route order.
    globs: Vec<PathGlob>,
    /// Routes whose every alternative ends in a literal segment, by that
    /// segment: a path can only match those listed under its own last
    /// segment. Lists are in route order.
    by_last: HashMap<Box<[u8]>, Vec<u32>>,
    /// The other routes, in route order: tried for every path.
    anywhere: Vec<u32>,
}

impl RouteTable {
    /// Compiles `own` followed by `builtin`.
    ///
    /// # Security
    ///
    /// A route that does not compile is an error, never a route that
    /// matches nothing: a paging cap or a body limit that silently applies
    /// nowhere fails open.
    pub(crate) fn new(own: &[Route], builtin: BuiltinRoutes) -> Result<Self, PolicyError> {
        let routes: Vec<Route> = own.iter().chain(builtin.routes()).cloned().collect();
        let mut globs = Vec::with_capacity(routes.len());
        let mut by_last: HashMap<Box<[u8]>, Vec<u32>> = HashMap::new();
        let mut anywhere = Vec::new();
        for (i, route) in routes.iter().enumerate() {
            let key = match i.checked_sub(own.len()) {
                None => format!("routes[{i}].path"),
                Some(b) => format!("builtin_routes[{b}].path"),
            };
            let glob = PathGlob::new(&route.path)
                .map_err(|m| PolicyError::new(PolicyErrorKind::Invalid(m), key.clone()))?;
            let index = u32::try_from(i).map_err(|_| {
                PolicyError::new(PolicyErrorKind::Invalid("too many routes".into()), key)
            })?;
            match glob.last_literals() {
                Some(mut lasts) => {
                    lasts.sort_unstable();
                    lasts.dedup();
                    for last in lasts {
                        by_last.entry(last.into()).or_default().push(index);
                    }
                }
                None => anywhere.push(index),
            }
            globs.push(glob);
        }
        Ok(RouteTable {
            routes,
            globs,
            by_last,
            anywhere,
        })
    }

    /// Where `route`, one of this table's, stands in it (own routes come
    /// first, in policy order).
    pub(crate) fn index_of(&self, route: &Route) -> Option<usize> {
        self.routes.iter().position(|r| std::ptr::eq(r, route))
    }

    /// The first route (in policy order) covering `method` and `path`.
    pub(crate) fn find(&self, method: &http::Method, path: &str) -> Option<&Route> {
        let (mut buffer, mut spill) = ([&[][..]; 32], Vec::new());
        let segments = split_path(path, &mut buffer, &mut spill);
        let last = segments.last().copied().unwrap_or_default();
        let listed = self.by_last.get(last).map_or(&[][..], Vec::as_slice);
        // Both candidate lists are in route order: walk them merged, so the
        // first that matches is the first route.
        let (mut a, mut b) = (listed.iter().peekable(), self.anywhere.iter().peekable());
        loop {
            let next = match (a.peek(), b.peek()) {
                (Some(&&x), Some(&&y)) if x < y => a.next(),
                (Some(_), Some(_)) | (None, Some(_)) => b.next(),
                (Some(_), None) => a.next(),
                (None, None) => return None,
            };
            let &i = next?;
            let i = i as usize;
            let (Some(route), Some(glob)) = (self.routes.get(i), self.globs.get(i)) else {
                continue;
            };
            if covers(&route.methods, method) && glob.is_match(path, segments) {
                return Some(route);
            }
        }
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

#[cfg(test)]
mod tests {
    //! Unwraps here are test failures, not request paths.
    use super::*;
    use crate::Policy;

    /// A table of the policy's own routes: `(name, methods, path)`.
    fn table(routes: &[(&str, &str, &str)]) -> RouteTable {
        let toml: String = routes
            .iter()
            .map(|(name, methods, path)| {
                let methods: Vec<String> = methods
                    .split_whitespace()
                    .map(|m| format!("\"{m}\""))
                    .collect();
                format!(
                    "[[routes]]\nname = \"{name}\"\nmethods = [{}]\npath = \"{path}\"\n",
                    methods.join(", ")
                )
            })
            .collect();
        let policy = Policy::from_toml(&toml).unwrap();
        RouteTable::new(&policy.routes, BuiltinRoutes::None).unwrap()
    }

    fn found(table: &RouteTable, method: &str, path: &str) -> Option<String> {
        let method = http::Method::from_bytes(method.as_bytes()).unwrap();
        table.find(&method, path).map(|r| r.name.clone())
    }

    /// Routes indexed by their last segment and routes tried for every
    /// path are one list in policy order: the first route that covers the
    /// method and the path wins, whichever kind it is.
    #[test]
    fn the_first_route_in_policy_order_wins_across_both_kinds() {
        let t = table(&[
            ("wild first", "POST", "/x/*"),
            ("literal", "GET POST", "/x/{y,z}"),
            ("deep", "", "/x/**"),
        ]);
        assert_eq!(found(&t, "POST", "/x/y").as_deref(), Some("wild first"));
        assert_eq!(found(&t, "GET", "/x/y").as_deref(), Some("literal"));
        assert_eq!(found(&t, "HEAD", "/x/z").as_deref(), Some("literal"));
        assert_eq!(found(&t, "PUT", "/x/y").as_deref(), Some("deep"));
        assert_eq!(found(&t, "GET", "/x/q").as_deref(), Some("deep"));
        assert_eq!(found(&t, "GET", "/x").as_deref(), None);

        let t = table(&[("literal", "", "/x/y"), ("wild", "", "/x/*")]);
        assert_eq!(found(&t, "POST", "/x/y").as_deref(), Some("literal"));
        assert_eq!(found(&t, "POST", "/x/w").as_deref(), Some("wild"));
        // A glob globset compiles (a class) sits among the others in order.
        let t = table(&[("class", "", "/x/[yz]"), ("literal", "", "/x/y")]);
        assert_eq!(found(&t, "GET", "/x/y").as_deref(), Some("class"));
        assert_eq!(found(&t, "GET", "/x/w").as_deref(), None);
    }
}
