//! What the application knows about a request that the request itself does not: the route
//! it matched, the path parameters (decoded) and the application's shared state.

use std::fmt;
use std::str::FromStr; // > ch08

use crate::error::HttpError; // > ch08

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

    // > ch08
    /// Path parameter `name` parsed as a `T`: `let id: u64 = cx.param_as("id")?;`
    ///
    /// A value that does not parse is the client's mistake, so it is `400 Bad Request`, and
    /// the message names the parameter and the value: `path parameter "id": "seven" is not
    /// valid (invalid digit found in string)`. That is more than `cx.param("id").parse()?`
    /// can say, since the `From` conversions of the parse errors (see [`HttpError`]) know
    /// neither the name nor the value.
    ///
    /// ```
    /// use weft::prelude::*;
    /// use weft::testing::TestClient;
    ///
    /// let mut app = App::new();
    /// app.get("/todos/:id", |_, cx| -> Result<String, HttpError> {
    ///     let id: u32 = cx.param_as("id")?;
    ///     Ok(format!("todo {id}"))
    /// });
    /// let client = TestClient::new(app);
    /// assert_eq!(client.get("/todos/7").send().text(), "todo 7");
    /// let bad = client.get("/todos/seven").header("Accept", "text/plain").send();
    /// assert_eq!(bad.status(), 400);
    /// assert!(bad.text().contains(r#"path parameter "id": "seven" is not valid"#));
    /// ```
    ///
    /// # Panics
    /// If the route has no parameter called `name`, as [`Ctx::param`] does, and for the same
    /// reason: that is a bug in the handler, not in the request, and the server answers it
    /// with `500`. Returning that `500` as an `HttpError` instead would put it in the same
    /// `Result` as the client's mistakes, where a test that checks for `400` might not notice.
    pub fn param_as<T>(&self, name: &str) -> Result<T, HttpError>
    where
        T: FromStr,
        T::Err: fmt::Display,
    {
        let value = self.param(name);
        value.parse().map_err(|err| {
            let message = format!("path parameter {name:?}: {value:?} is not valid ({err})");
            HttpError::new(400, message)
        })
    }
    // < ch08

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

    // > ch08
    #[test]
    fn param_as_parses_or_names_the_parameter_and_the_value() {
        let params = [
            ("id", "7".to_string()),
            ("word", "seven".to_string()),
            ("big", "300".to_string()),
            ("flag", "true".to_string()),
            ("ip", "10.0.0.1".to_string()),
        ];
        let cx = Ctx::new("/t/:id/:word/:big/:flag/:ip", &params, &());
        assert_eq!(cx.param_as::<u32>("id"), Ok(7));
        assert_eq!(cx.param_as::<String>("word").as_deref(), Ok("seven"));
        assert_eq!(cx.param_as::<bool>("flag"), Ok(true));
        let ip: std::net::IpAddr = cx.param_as("ip").unwrap();
        assert_eq!(ip.to_string(), "10.0.0.1");
        // (parameter, what parsing it as the type says)
        let bad: [(&str, Result<(), HttpError>); 3] = [
            ("word", cx.param_as::<u32>("word").map(drop)),
            ("big", cx.param_as::<u8>("big").map(drop)),
            ("id", cx.param_as::<bool>("id").map(drop)),
        ];
        let expected = [
            r#"path parameter "word": "seven" is not valid (invalid digit found in string)"#,
            r#"path parameter "big": "300" is not valid (number too large to fit in target type)"#,
            r#"path parameter "id": "7" is not valid (provided string was not `true` or `false`)"#,
        ];
        for ((name, outcome), message) in bad.into_iter().zip(expected) {
            let err = outcome.expect_err(name);
            assert_eq!((err.status(), err.message()), (400, message), "{name}");
        }
    }

    #[test]
    #[should_panic(expected = "route /u/:id has no parameter \"n\"")]
    fn param_as_a_missing_param_is_a_bug_too() {
        let params = [("id", "1".to_string())];
        let _ = Ctx::new("/u/:id", &params, &()).param_as::<u32>("n");
    }
    // < ch08

    #[test]
    #[should_panic(expected = "route /u/:id has no parameter \"name\"")]
    fn a_missing_param_is_a_bug_that_names_the_route() {
        let params = [("id", "1".to_string())];
        let _ = Ctx::new("/u/:id", &params, &()).param("name");
    }
}
