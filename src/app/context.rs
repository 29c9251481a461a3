//! What the application knows about a request that the request itself does not: the route
//! it matched, the path parameters (decoded) and the application's shared state.

use std::fmt;

// ANCHOR: ctx
/// A handler's second argument: the matched route, its parameters and the shared state.
///
/// The request (first argument) is what the client sent; the context is what the
/// application worked out about it. Keeping the two apart leaves chapter 5's `Request`
/// unchanged, and lets the context borrow from the router without borrowing the request.
pub struct Ctx<'a, S = ()> {
    route: &'a str,
    params: &'a [(&'a str, String)],
    state: &'a S,
}
// ANCHOR_END: ctx

impl<'a, S> Ctx<'a, S> {
    /// A context for a request that matched `route`, with decoded `params`.
    pub(crate) fn new(route: &'a str, params: &'a [(&'a str, String)], state: &'a S) -> Self {
        Ctx {
            route,
            params,
            state,
        }
    }

    // ANCHOR: param
    /// The percent-decoded value of path parameter `name` (`id` for a route `/users/:id`).
    ///
    /// # Panics
    /// If the route has no parameter called `name`. The route and the handler are written
    /// together, so that is a bug in the handler; the server answers it with `500`. Use
    /// [`Ctx::try_param`] when the handler serves routes with different parameters.
    pub fn param(&self, name: &str) -> &str {
        self.try_param(name).unwrap_or_else(|| {
            panic!(
                "route {} has no parameter {name:?} (it has {:?})",
                self.route,
                self.params.iter().map(|(n, _)| n).collect::<Vec<_>>()
            )
        })
    }

    /// The percent-decoded value of path parameter `name`, if the route has one.
    pub fn try_param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, value)| value.as_str())
    }
    // ANCHOR_END: param

    /// Every `(name, decoded value)`, in the order the route names them.
    pub fn params(&self) -> impl Iterator<Item = (&str, &str)> {
        self.params.iter().map(|(n, v)| (*n, v.as_str()))
    }

    /// The pattern of the route that matched, as registered (`/users/:id`): handy for logs.
    pub fn route(&self) -> &str {
        self.route
    }

    /// The application's shared state, given to [`App::with_state`](super::App::with_state).
    pub fn state(&self) -> &'a S {
        self.state
    }
}

impl<S> fmt::Debug for Ctx<'_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ctx")
            .field("route", &self.route)
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_by_name() {
        let params = [("id", "a b".to_string()), ("rest", "x/y".to_string())];
        let cx = Ctx::new("/u/:id/*rest", &params, &7);
        assert_eq!(cx.param("id"), "a b");
        assert_eq!(cx.try_param("rest"), Some("x/y"));
        assert_eq!(cx.try_param("nope"), None);
        assert_eq!(cx.params().count(), 2);
        assert_eq!(*cx.state(), 7);
        assert_eq!(cx.route(), "/u/:id/*rest");
    }

    #[test]
    #[should_panic(expected = "route /u/:id has no parameter \"name\"")]
    fn a_missing_param_is_a_bug_that_names_the_route() {
        let params = [("id", "1".to_string())];
        let _ = Ctx::new("/u/:id", &params, &()).param("name");
    }
}
