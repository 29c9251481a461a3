//! Chapter 7: the URL dispatcher, from a request path to a registered value and its
//! parameters.
//!
//! The router is a pure data structure: it knows nothing of HTTP. The application stores
//! a value per route (in weft, a table of handlers by method) and asks [`Router::at`] which
//! one a request path selects.
//!
//! # Patterns
//!
//! | pattern | matches | parameters |
//! |---|---|---|
//! | `/users` | `/users` only | none |
//! | `/users/` | `/users/` only (the trailing slash is a segment of its own) | none |
//! | `/users/:id` | `/users/42`, not `/users/` nor `/users/42/x` | `id` = `42` |
//! | `/files/*path` | `/files/a`, `/files/a/b/`, not `/files/` | `path` = `a/b/` |
//!
//! A parameter fills a whole segment and never matches an empty one; a catch-all ends the
//! pattern and takes the rest of the path, slashes included, but at least one byte (so
//! `/files/` stays free for an index page). Parameters are written `:name` rather than
//! `{name}`: since a parameter always fills a whole segment, one sigil at the start of the
//! segment is all the syntax needs, and it reads like Express, Rails or Sinatra. (Braces
//! earn their keep when parameters may sit inside a segment, `/files/{name}.txt`; weft
//! refuses those.)
//!
//! # Priority
//!
//! When several routes match, the most specific wins, segment by segment from the left:
//! static before parameter before catch-all. `/users/new` beats `/users/:id`, which beats
//! `/users/*rest`, whatever the order of registration. If the more specific branch
//! dead-ends further on, the lookup backs up and tries the next: with `/users/new` and
//! `/users/:id/edit` registered, `/users/new/edit` matches `/users/:id/edit` with `id` = `new`.
//!
//! # Conflicts
//!
//! Two patterns conflict when they match exactly the same paths, that is when they differ
//! only in parameter names (`/foo/:id` and `/foo/:name`). The second is refused with an
//! error naming the first. Everything else is allowed, since the priority rule always
//! decides.
//!
//! # Percent-encoding
//!
//! Matching works on the raw path, byte for byte, so an encoded `%2F` stays inside its
//! segment (`http::percent` explains). Parameters are decoded afterwards: value by value with
//! [`Params::decoded`], or, by a caller that has decoded the whole path already (weft's
//! request does, once), by finding each value's place in it with [`Params::ranges`].
//!
//! # Trailing slashes
//!
//! Strict: `/users` and `/users/` are different paths and only match the routes written that
//! way. [`Router::trailing_slash_redirect`] tells the application when the other spelling
//! would match, so it can answer `308 Permanent Redirect` to it instead of `404`.

mod error;
pub(crate) mod linear;
mod params;
mod pattern;

mod tree;

pub use error::InsertError;
pub use params::{ParamError, Params, MAX_PARAMS};

use params::Captures;
use tree::{Leaf, Node};

// ANCHOR: router
/// Maps route patterns to values of type `T` and request paths to the best route.
pub struct Router<T> {
    root: Node<T>,
    len: usize,
}

/// The route a path selected: its value, its pattern and the captured parameters.
#[derive(Debug)]
pub struct Match<'r, 'p, T> {
    /// The value registered with the route.
    pub value: &'r T,
    /// The route's pattern, as registered (handy for logs and metrics).
    pub route: &'r str,
    /// The parameters, borrowed from the path (`'p`) and the router (`'r`).
    pub params: Params<'r, 'p>,
}
// ANCHOR_END: router

impl<T> Default for Router<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Router<T> {
    /// An empty router.
    pub fn new() -> Self {
        Router {
            root: Node::new(),
            len: 0,
        }
    }

    // ANCHOR: insert
    /// Registers `value` under `route`.
    ///
    /// Refuses a malformed pattern, a pattern registered before ([`InsertError::Duplicate`])
    /// and one matching exactly the same paths as an earlier one ([`InsertError::Conflict`],
    /// which names it). A refused route leaves the router as it was.
    pub fn insert(&mut self, route: &str, value: T) -> Result<(), InsertError> {
        let segments = pattern::parse(route)?;
        self.root.insert(route, &segments, value)?;
        self.len += 1;
        Ok(())
    }
    // ANCHOR_END: insert

    // ANCHOR: at
    /// The route `path` selects, or `None`.
    ///
    /// `path` is the path of the request target as it came off the wire: still
    /// percent-encoded, without the query string.
    pub fn at<'r, 'p>(&'r self, path: &'p str) -> Option<Match<'r, 'p, T>> {
        let rest = path.strip_prefix('/')?;
        let mut captures = Captures::new();
        let leaf: &Leaf<T> = self.root.find(rest, &mut captures)?;
        Some(Match {
            value: &leaf.value,
            route: &leaf.route,
            params: Params::new(path, &leaf.names, captures),
        })
    }
    // ANCHOR_END: at

    /// The value registered under exactly `route` (same text, parameter names included), to
    /// change it in place: the application adds a method to a route this way.
    pub fn route_mut(&mut self, route: &str) -> Option<&mut T> {
        let segments = pattern::parse(route).ok()?;
        let leaf = self.root.leaf_mut(&segments)?;
        (*leaf.route == *route).then_some(&mut leaf.value)
    }

    // ANCHOR: redirect
    /// For a path that matched nothing: the same path with its trailing slash removed or
    /// added, if *that* matches a route. The application answers `308` to it.
    ///
    /// `/` has no other spelling; a path that itself matches is not this method's business
    /// (call it only after [`Router::at`] came back empty).
    pub fn trailing_slash_redirect(&self, path: &str) -> Option<String> {
        let other = match path.strip_suffix('/') {
            Some("") => return None,
            Some(without) => without.to_string(),
            None => format!("{path}/"),
        };
        self.at(&other).is_some().then_some(other)
    }
    // ANCHOR_END: redirect

    /// Every registered `(pattern, value)`, most specific first (the order lookups prefer).
    pub fn routes(&self) -> impl Iterator<Item = (&str, &T)> {
        let mut leaves = Vec::with_capacity(self.len);
        self.root.collect(&mut leaves);
        leaves.into_iter().map(|leaf| (&*leaf.route, &leaf.value))
    }

    /// How many routes are registered.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no route is registered.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl<T> std::fmt::Debug for Router<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.routes().map(|(r, _)| r))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_router_counts_its_routes() {
        let mut router: Router<u8> = Router::new();
        assert!(router.is_empty());
        assert_eq!(router.len(), 0);
        router.insert("/a", 1).unwrap();
        router.insert("/b/:id", 2).unwrap();
        assert!(!router.is_empty());
        assert_eq!(router.len(), 2);
    }

    #[test]
    fn a_match_counts_its_parameters() {
        let router = router(&["/", "/users/:id", "/files/:dir/*rest"]);
        #[rustfmt::skip]
        let cases = [("/", 0), ("/users/7", 1), ("/files/a/b/c", 2)];
        for (path, count) in cases {
            let found = router.at(path).expect(path);
            assert_eq!(found.params.len(), count, "{path}");
            assert_eq!(found.params.is_empty(), count == 0, "{path}");
        }
    }

    fn router(routes: &[&'static str]) -> Router<&'static str> {
        let mut router = Router::new();
        for route in routes {
            router.insert(route, *route).unwrap();
        }
        router
    }

    #[test]
    fn route_mut_needs_the_exact_pattern() {
        let mut r = router(&["/users/:id"]);
        *r.route_mut("/users/:id").unwrap() = "changed";
        assert_eq!(*r.at("/users/1").unwrap().value, "changed");
        assert!(r.route_mut("/users/:name").is_none());
        assert!(r.route_mut("/users").is_none());
        assert!(r.route_mut("not a pattern").is_none());
    }

    #[test]
    fn a_refused_route_leaves_the_router_unchanged() {
        let mut r = router(&["/a/:x"]);
        assert!(r.insert("/a/:y", "again").is_err());
        assert_eq!(r.len(), 1);
        assert_eq!(r.routes().map(|(p, _)| p).collect::<Vec<_>>(), ["/a/:x"]);
    }

    #[test]
    fn routes_are_listed_most_specific_first() {
        let r = router(&["/*all", "/u/:id", "/u/new", "/"]);
        let listed: Vec<&str> = r.routes().map(|(p, _)| p).collect();
        assert_eq!(listed, ["/", "/u/new", "/u/:id", "/*all"]);
        assert_eq!(r.len(), 4);
        assert!(!r.is_empty());
        assert_eq!(format!("{r:?}"), r#"["/", "/u/new", "/u/:id", "/*all"]"#);
    }

    #[test]
    fn lookups_never_panic_on_odd_paths() {
        let r = router(&["/", "/a/:b/*c", "/a/", "/:x"]);
        for path in [
            "", "?", "//", "///", "/a//", "/a///x", "/%", "/\u{0}", "/a/b/",
        ] {
            let _ = r.at(path);
            let _ = r.trailing_slash_redirect(path);
        }
        assert!(r.at("").is_none(), "a path must start with '/'");
    }
}
