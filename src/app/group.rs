/* ch07 < ch09
//! Route groups: routes registered under a common prefix.
*/
// > ch09
//! Route groups: routes registered under a common prefix, with layers of their own.
// < ch09
//!
//! A group is a view of the application with a prefix. Its registration methods are the
//! application's own (the `Register` trait in `app/mod.rs`); what a group changes is only
//! its `add`, the one place a later chapter needs to touch to give a group its own
//! middleware: chapter 9 wraps the handler there, before it reaches the app.
// > ch09
//!
//! # Layers per handler, so per route and per method
//!
//! A group's layers wrap the handlers the group registers, and nothing else. The router
//! keeps one table of handlers per path, whoever registered them, so two registrations on
//! one path can sit behind different layers: the rule is that **a layer wraps exactly the
//! handlers registered through the group it was added to** (and the groups inside it),
//! even when another group, or the application, registers other methods on the same path.
//!
//! What the application answers itself on a path (`405`, `OPTIONS`, `HEAD` without a `GET`)
//! follows the handlers: **when one group registered every handler on the path, those
//! answers run inside that group's layers** (and those of the groups around it), so a
//! `Cors` layer on an API group answers the preflights to its routes. When the path has
//! handlers from two registrants (the application and a group, or two groups, a group inside
//! another counting as a second one), they run through the application's layers only. A
//! `404` has no route, so no group's layers.
//!
//! The prefix may be empty: `app.group("", ...)` is a set of routes with their own layers
//! and no common prefix. So an open `GET /todos` and a `POST /todos` behind an API key are
//! two registrations:
//!
//! ```
//! use weft::app::{App, HttpError, IntoResponse};
//! use weft::middleware::from_fn;
//! use weft::testing::TestClient;
//!
//! let mut app = App::new();
//! app.get("/todos", |_, _| "the list");
//! app.group("", |keyed| {
//!     keyed.wrap(from_fn(|request, next| match request.header("x-api-key") {
//!         Some("secret") => next.run(request),
//!         _ => HttpError::new(401, "an API key is required").into_response(),
//!     }));
//!     keyed.post("/todos", |_, _| "created");
//! });
//! let client = TestClient::new(app);
//! assert_eq!(client.get("/todos").send().status(), 200);
//! assert_eq!(client.post("/todos").send().status(), 401);
//! let keyed = client.post("/todos").header("X-Api-Key", "secret").send();
//! assert_eq!(keyed.text(), "created");
//! ```
// < ch09

use std::path::Path;

use crate::middleware::Middleware; // > ch09
use crate::request::Request;

use super::methods::Handler;
use super::registrant::{Registrant, Scope}; // > ch09
use super::{method_shortcuts, route, static_files, try_route, App, Ctx, IntoResponse};
use super::{Register, RouteError};

// ANCHOR: group
/// Routes under a prefix, created by [`App::group`].
pub struct Group<'a, S> {
    app: &'a mut App<S>,
    prefix: String,
    // > ch09
    /// Layers added with [`Group::wrap`] so far.
    layers: Vec<Box<dyn Middleware<S>>>,
    /// Where they go when the group is complete; this group's handlers read them there.
    scope: Scope<S>,
    /// The scopes of the groups around this one, outermost first.
    outer: Vec<Scope<S>>,
    // < ch09
}
// ANCHOR_END: group

impl<'a, S: Send + Sync + 'static> Group<'a, S> {
    /// A group of `app`'s routes under `prefix`.
    ///
    /// # Panics
    /// If `prefix` is neither empty nor starts with `/` without ending with one (`""` or
    /// `/api`, not `api` or `/api/`): the routes are written with their own leading slash.
    /* ch07 < ch09
    pub(crate) fn new(app: &'a mut App<S>, prefix: &str) -> Self {
    */
    // > ch09
    pub(crate) fn new(app: &'a mut App<S>, prefix: &str, outer: Vec<Scope<S>>) -> Self {
        // < ch09
        assert!(
            prefix.is_empty() || (prefix.starts_with('/') && !prefix.ends_with('/')),
            "group prefix {prefix:?} must be empty, or start with '/' and not end with one"
        );
        Group {
            app,
            prefix: prefix.to_string(),
            // > ch09
            layers: Vec::new(),
            scope: Scope::default(),
            outer,
            // < ch09
        }
    }

    /* ch07 < ch09
    /// Runs `build` on the group.
    pub(crate) fn build(mut self, build: impl FnOnce(&mut Group<'_, S>)) {
        build(&mut self);
    }
    */
    // > ch09
    /// Runs `build` on the group, then fixes its layers.
    pub(crate) fn build(mut self, build: impl FnOnce(&mut Group<'_, S>)) {
        build(&mut self);
        let _ = self.scope.set(self.layers);
    }
    // < ch09

    // > ch09
    // ANCHOR: wrap
    /// Wraps the group's routes in `layer`, inside the application's layers. Every route
    /// of the group gets every layer of the group, whether it was registered before or
    /// after this call; the first layer added is the outermost. Only the handlers this group
    /// (or a group inside it) registers are wrapped: another method on the same path,
    /// registered by the application or another group, is not. So `GET /todos` can be open
    /// while `POST /todos`, registered in `app.group("", ...)`, is behind this layer. The
    /// application's own answers on a path (`405`, `OPTIONS`) run inside the layer too when
    /// this group alone registered the path, and not when it shares the path.
    pub fn wrap(&mut self, layer: impl Middleware<S> + 'static) -> &mut Self {
        self.layers.push(Box::new(layer));
        self
    }
    // ANCHOR_END: wrap
    // < ch09

    /// The prefix, such as `/api`.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Registers `handler` for `method` at the group's prefix followed by `pattern`: in a
    /// group `/api`, pattern `/users` is the route `/api/users`, and pattern `""` the route
    /// `/api` itself.
    ///
    /// # Panics
    /// If the route cannot be registered; see [`Group::try_route`].
    pub fn route<H, R>(&mut self, method: &str, pattern: &str, handler: H) -> &mut Self
    where
        H: Fn(&mut Request<'_>, &Ctx<'_, S>) -> R + Send + Sync + 'static,
        R: IntoResponse,
    {
        route(self, method, pattern, handler);
        self
    }

    /// Registers `handler` like [`Group::route`], or says why it cannot, as
    /// [`App::try_route`] does (with the whole route, prefix included, in the message).
    pub fn try_route<H, R>(
        &mut self,
        method: &str,
        pattern: &str,
        handler: H,
    ) -> Result<&mut Self, RouteError>
    where
        H: Fn(&mut Request<'_>, &Ctx<'_, S>) -> R + Send + Sync + 'static,
        R: IntoResponse,
    {
        try_route(self, method, pattern, handler)?;
        Ok(self)
    }

    method_shortcuts! {
        get => "GET",
        post => "POST",
        put => "PUT",
        patch => "PATCH",
        delete => "DELETE",
    }

    /// A group inside this one: `api.group("/v1", ...)` registers under `/api/v1`.
    pub fn group(&mut self, prefix: &str, build: impl FnOnce(&mut Group<'_, S>)) -> &mut Self {
        let prefix = format!("{}{prefix}", self.prefix);
        /* ch07 < ch09
        Group::new(self.app, &prefix).build(build);
        */
        // > ch09
        let mut outer = self.outer.clone();
        outer.push(self.scope.clone());
        Group::new(self.app, &prefix, outer).build(build);
        // < ch09
        self
    }

    /// Serves the files under `dir` at the group's prefix followed by `prefix`, as
    /* ch07 < ch09
    /// [`App::static_files`] does.
     */
    // > ch09
    /// [`App::static_files`] does, behind the group's layers.
    // < ch09
    ///
    /// # Panics
    /// If `dir` is not a directory, or the routes cannot be registered.
    pub fn static_files(&mut self, prefix: &str, dir: impl AsRef<Path>) -> &mut Self {
        static_files::register(self, prefix, dir.as_ref());
        self
    }
}

/* ch07 < ch09
impl<S: 'static> Register<S> for Group<'_, S> {
    /// Adds the prefix to the pattern, and hands the handler to the application's own `add`.
    fn add(&mut self, method: &str, pattern: &str, handler: Handler<S>) -> Result<(), RouteError> {
        let route = format!("{}{pattern}", self.prefix);
        self.app.add(method, &route, handler)
    }
}
*/
// > ch09
// ANCHOR: layered
impl<S: 'static> Register<S> for Group<'_, S> {
    /// Adds the prefix to the pattern and the group's layers around the handler, and hands
    /// both to the application, saying which group registered the handler.
    fn add(&mut self, method: &str, pattern: &str, handler: Handler<S>) -> Result<(), RouteError> {
        let route = format!("{}{pattern}", self.prefix);
        let handler = layered(self.registrant(), handler);
        self.app
            .add_by(Some(self.registrant()), method, &route, handler)
    }
}

impl<S> Group<'_, S> {
    /// This group, as the registrant of its handlers.
    fn registrant(&self) -> Registrant<S> {
        Registrant::new(&self.outer, &self.scope)
    }
}

/// `handler` inside the layers of `by`, the group that registers it.
fn layered<S: 'static>(by: Registrant<S>, handler: Handler<S>) -> Handler<S> {
    Box::new(move |request, cx| by.run(request, cx.state(), &|request| handler(request, cx)))
}
// ANCHOR_END: layered
// < ch09

impl<S> std::fmt::Debug for Group<'_, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Group")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}
