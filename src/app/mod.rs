//! Chapter 7: the application, what a user of weft writes code against.
//!
//! An [`App`] is a [`Router`] whose value per route is a small table of handlers by method,
//! plus the application's shared state. It registers handlers, answers the HTTP rules of
//! dispatch (404, 405 with `Allow`, `HEAD`, `OPTIONS`, the trailing-slash redirect) on its
//! own, and serves itself with chapter 5's [`server::serve_http`], as a [`Service`] that
//! also answers the requests the server refuses after their head (see [`App::refuse`]).
//!
//! ```no_run
//! use weft::app::{App, Json};
//!
//! let mut app = App::new();
//! app.get("/", |_, _| "Hello, World!");
//! app.get("/users/:id", |_, cx| format!("user {}", cx.param("id")));
//! app.get("/json", |_, _| Json(serde_json::json!({"message": "Hello, World!"})));
//! app.run("127.0.0.1:8080").expect("cannot serve");
//! ```
//!
//! # Registration errors panic
//!
//! [`App::get`] and its siblings panic when a route cannot be registered (a malformed
//! pattern, a method registered twice, two patterns that match the same paths), with a
//! message naming both routes. Routes are registered once, at start-up, from code: a bad one
//! is a bug to fix before the server runs, not an error to handle, and a `Result` on every
//! `app.get` would only teach readers to write `.unwrap()`. Code that builds routes from
//! data can use [`App::try_route`], which returns the same error as a [`RouteError`].

mod context;
mod dispatch;
mod failure; // > ch08
mod group;
mod methods;
mod registrant; // > ch09
pub mod static_files;

pub use crate::error::HttpError; // > ch08
pub use crate::response::{IntoResponse, Json};
pub use context::Ctx;
pub use group::Group;

use std::fmt;
use std::io;
use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::path::Path;

/* ch07 < ch08
use crate::http::{rules, Limits};
*/
use crate::http::{rules, Limits, ProtocolError}; // > ch08
use crate::middleware::Middleware; // > ch09
use crate::pool::Drain;
use crate::request::Request;
use crate::response::Response;
use crate::router::{InsertError, Router};
use crate::server::{self, Config, Service};
use crate::shutdown::Shutdown;
use methods::{Handler, Methods};
use registrant::Registrant; // > ch09

// ANCHOR: app
/// A web application: routes with their handlers, shared state `S`, and how to serve them.
pub struct App<S = ()> {
    router: Router<Methods<S>>,
    state: S,
    config: Config,
    limits: Limits,
    // > ch09
    /// Middleware around every request, outermost first (chapter 9).
    layers: Vec<Box<dyn Middleware<S>>>,
    // < ch09
    // > ch08
    /// Custom error pages by status, and the fallback for every error (chapter 8).
    on_status: Vec<(u16, ErrorHandler)>,
    on_error: Option<ErrorHandler>,
    /// Whether error details reach the client (chapter 8).
    debug: bool,
    // < ch08
}
// ANCHOR_END: app

// > ch08
/// A custom error page: gets the request and the error, returns the page.
type ErrorHandler = Box<dyn Fn(&Request<'_>, &HttpError) -> Response + Send + Sync>;
// < ch08

/// Why a route could not be registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteError {
    /// The router refused the pattern: malformed, or in conflict with an earlier route
    /// (the error names both).
    Pattern {
        /// The method being registered.
        method: String,
        /// The router's reason.
        error: InsertError,
    },
    /// This method already has a handler on exactly this route.
    Duplicate {
        /// The method.
        method: String,
        /// The route.
        route: String,
    },
    /// The method is not a token (RFC 9110 §9.1), so no request could ever carry it.
    BadMethod {
        /// The method as given.
        method: String,
    },
}

impl fmt::Display for RouteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RouteError::Pattern { method, error } => write!(f, "{method}: {error}"),
            RouteError::Duplicate { method, route } => {
                write!(f, "{method} {route} is already registered")
            }
            RouteError::BadMethod { method } => write!(f, "{method:?} is not an HTTP method"),
        }
    }
}

impl std::error::Error for RouteError {}

impl App<()> {
    /// An application without shared state.
    pub fn new() -> App<()> {
        App::with_state(())
    }
}

impl Default for App<()> {
    fn default() -> Self {
        App::new()
    }
}

/// Generates the one-line shortcuts `get`, `post`, … for a type that has `route`, so that
/// [`App`] and [`Group`] offer the same ones without writing them out twice.
macro_rules! method_shortcuts {
    ($($name:ident => $method:literal),* $(,)?) => {$(
        #[doc = concat!("Registers `handler` for `", $method, "` requests to `pattern`.")]
        ///
        /// # Panics
        /// If the route cannot be registered; see [`App::try_route`].
        pub fn $name<H, R>(&mut self, pattern: &str, handler: H) -> &mut Self
        where
            H: Fn(&mut Request<'_>, &Ctx<'_, S>) -> R + Send + Sync + 'static,
            R: IntoResponse,
        {
            self.route($method, pattern, handler)
        }
    )*};
}
pub(crate) use method_shortcuts;

impl<S: Send + Sync + 'static> App<S> {
    /// An application whose handlers can all reach `state` through [`Ctx::state`].
    ///
    /// The state is shared by every worker thread, so it is read-only unless it brings its
    /// own synchronisation: an atomic counter, a `Mutex`, a connection pool. Pass an
    /// `Arc<T>` to keep a handle on it outside the application as well.
    pub fn with_state(state: S) -> App<S> {
        App {
            router: Router::new(),
            state,
            config: Config::default(),
            limits: Limits::default(),
            layers: Vec::new(), // > ch09
            // > ch08
            on_status: Vec::new(),
            on_error: None,
            debug: false,
            // < ch08
        }
    }

    // ANCHOR: route
    /// Registers `handler` for `method` requests to `pattern` (see [`crate::router`] for
    /// patterns).
    ///
    /// # Panics
    /// If the route cannot be registered, with the message of [`App::try_route`]'s error.
    pub fn route<H, R>(&mut self, method: &str, pattern: &str, handler: H) -> &mut Self
    where
        H: Fn(&mut Request<'_>, &Ctx<'_, S>) -> R + Send + Sync + 'static,
        R: IntoResponse,
    {
        route(self, method, pattern, handler);
        self
    }

    /// Registers `handler` like [`App::route`], or says why it cannot: a malformed pattern,
    /// a pattern that matches exactly the paths of an earlier one (the error names both), a
    /// method that already has a handler on this route, or a method that is not a token.
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
    // ANCHOR_END: route

    method_shortcuts! {
        get => "GET",
        post => "POST",
        put => "PUT",
        patch => "PATCH",
        delete => "DELETE",
    }

    // ANCHOR: group
    /// Registers the routes `build` adds to a [`Group`] under `prefix`: in
    /// `app.group("/api", |api| { api.get("/users", list); })` the route is `/api/users`.
    pub fn group(&mut self, prefix: &str, build: impl FnOnce(&mut Group<'_, S>)) -> &mut Self {
        /* ch07 < ch09
        Group::new(self, prefix).build(build);
        */
        Group::new(self, prefix, Vec::new()).build(build); // > ch09
        self
    }
    // ANCHOR_END: group

    // > ch09
    // ANCHOR: wrap
    /// Wraps every request in `layer` (see [`crate::middleware`]): those a handler answers,
    /// those the application answers itself (404, 405, `OPTIONS`) and those the server
    /// refuses after their head (a body over the limit: see [`App::refuse`]). The first
    /// layer added is the outermost: it sees the request first and the response last.
    pub fn wrap(&mut self, layer: impl Middleware<S> + 'static) -> &mut Self {
        self.layers.push(Box::new(layer));
        self
    }
    // ANCHOR_END: wrap
    // < ch09

    // > ch08
    // ANCHOR: on_status
    /// Answers errors with status `status` with `handler`'s page instead of the built-in
    /// one: `app.on_status(404, |_, _| (404, my_page()))`. The response keeps the error's
    /// status whatever the handler says. A handler that panics or returns an error itself is
    /// logged and replaced by the built-in page.
    pub fn on_status<H, R>(&mut self, status: u16, handler: H) -> &mut Self
    where
        H: Fn(&Request<'_>, &HttpError) -> R + Send + Sync + 'static,
        R: IntoResponse,
    {
        let handler: ErrorHandler =
            Box::new(move |request, err| handler(request, err).into_response());
        self.on_status.retain(|(old, _)| *old != status);
        self.on_status.push((status, handler));
        self
    }

    /// Answers every error that has no [`App::on_status`] handler with `handler`'s page.
    pub fn on_error<H, R>(&mut self, handler: H) -> &mut Self
    where
        H: Fn(&Request<'_>, &HttpError) -> R + Send + Sync + 'static,
        R: IntoResponse,
    {
        self.on_error = Some(Box::new(move |request, err| {
            handler(request, err).into_response()
        }));
        self
    }

    /// Sends error details (an I/O error's text, a panic's message and place) to the
    /// client in error bodies. Off by default: they are for the log, and can tell an
    /// attacker about the server. Turn it on while developing only.
    pub fn set_debug(&mut self, on: bool) -> &mut Self {
        self.debug = on;
        self
    }
    // ANCHOR_END: on_status
    // < ch08

    /// Serves the files under `dir` at `prefix`: `GET {prefix}/*path` and `GET {prefix}/`
    /// (see [`static_files`] for what is served and what is refused).
    ///
    /// # Panics
    /// If `dir` is not a directory, or the routes cannot be registered.
    pub fn static_files(&mut self, prefix: &str, dir: impl AsRef<Path>) -> &mut Self {
        static_files::register(self, prefix, dir.as_ref());
        self
    }

    /// The application's shared state.
    pub fn state(&self) -> &S {
        &self.state
    }

    /// Every registered `(method, pattern)`, most specific pattern first, methods in the
    /// order registered: for a start-up log or a landing page.
    pub fn routes(&self) -> Vec<(String, String)> {
        let mut routes = Vec::new();
        for (pattern, table) in self.router.routes() {
            for method in table.registered() {
                routes.push((method.to_string(), pattern.to_string()));
            }
        }
        routes
    }

    // ANCHOR: serve
    /// Sets the pool's size, queue and grace period (the default is [`Config::default`]).
    pub fn set_config(&mut self, config: Config) -> &mut Self {
        self.config = config;
        self
    }

    /// The pool's size, queue and grace period, as set by [`App::set_config`].
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Sets what a client may send (the default is [`Limits::default`]).
    pub fn set_limits(&mut self, limits: Limits) -> &mut Self {
        self.limits = limits;
        self
    }

    /// What a client may send, as set by [`App::set_limits`].
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Binds `addr`, ready to serve: the returned [`Bound`] knows the address the system
    /// gave (ask for port 0 to get a free one), and serves when told to.
    ///
    /// ```no_run
    /// # let app = weft::app::App::new();
    /// let bound = app.bind("127.0.0.1:0")?;
    /// log::info!("listening on {}", bound.local_addr());
    /// bound.run()?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn bind(self, addr: impl ToSocketAddrs) -> io::Result<Bound<S>> {
        /* ch07 < ch13
        let listener = TcpListener::bind(addr)?;
        */
        let listener = server::bind(addr, self.config.reuse_port)?; // > ch13
        let addr = listener.local_addr()?;
        Ok(Bound {
            app: self,
            listener,
            addr,
        })
    }

    /// Serves the application on `addr` until Ctrl-C or `SIGTERM`, then drains the
    /// connections in flight and returns how that went: [`App::bind`], then [`Bound::run`].
    /// The pool's size comes from [`App::set_config`].
    pub fn run(self, addr: impl ToSocketAddrs) -> io::Result<Drain> {
        self.bind(addr)?.run()
    }

    /// Serves the application on `listener` until `shutdown` is triggered: [`App::run`]
    /// without the binding and the signal handler, for tests and embedding.
    pub fn serve(self, listener: TcpListener, shutdown: &Shutdown) -> Drain {
        let (config, limits) = (self.config.clone(), self.limits.clone());
        server::serve_http(listener, &config, &limits, shutdown, self)
    }
    // ANCHOR_END: serve
}

// ANCHOR: service
/// How the server calls an application: [`App::handle`] answers requests, and
/// [`App::refuse`] the requests the server refuses after their head.
impl<S: Send + Sync + 'static> Service for App<S> {
    fn respond(&self, request: &mut Request<'_>) -> Response {
        self.handle(request)
    }

    // > ch08
    fn refuse(&self, request: &mut Request<'_>, error: ProtocolError) -> Response {
        App::refuse(self, request, error)
    }
    // < ch08
}
// ANCHOR_END: service

/// An application bound to its address, not serving yet: from [`App::bind`].
pub struct Bound<S> {
    app: App<S>,
    listener: TcpListener,
    addr: SocketAddr,
}

impl<S: Send + Sync + 'static> Bound<S> {
    /// The address the application is bound to, with the port the system chose if the
    /// address asked for port 0.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves until Ctrl-C or `SIGTERM`, then drains the connections in flight and returns
    /// how that went. Fails only if the signal handler cannot be installed (a process has
    /// one, so a second `run` in the same process fails).
    pub fn run(self) -> io::Result<Drain> {
        let shutdown = Shutdown::new();
        shutdown.on_ctrl_c().map_err(io::Error::other)?;
        Ok(self.serve_until(&shutdown))
    }

    /// Serves until `shutdown` is triggered: [`Bound::run`] without the signal handler, for
    /// tests and for programs that decide themselves when to stop.
    pub fn serve_until(self, shutdown: &Shutdown) -> Drain {
        log::info!("listening on {}", self.addr);
        self.app.serve(self.listener, shutdown)
    }
}

impl<S> fmt::Debug for Bound<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bound")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

// ANCHOR: register
/// Where routes are registered: the application, or a [`Group`] of it. The two offer the
/// same public methods (`route`, `try_route`, `get` and its siblings, `static_files`), and
/// each of those is written once, in the functions below, on top of `add`, the one thing
/// that differs: the application puts a handler in its router, a group adds its prefix and
/// its layers first and then hands the handler to the application.
pub(crate) trait Register<S> {
    /// Adds `handler` for `method` at `pattern`.
    fn add(&mut self, method: &str, pattern: &str, handler: Handler<S>) -> Result<(), RouteError>;
}

/// `try_route` for the application and for groups: boxes the handler and adds it.
pub(crate) fn try_route<S, H, R>(
    into: &mut impl Register<S>,
    method: &str,
    pattern: &str,
    handler: H,
) -> Result<(), RouteError>
where
    H: Fn(&mut Request<'_>, &Ctx<'_, S>) -> R + Send + Sync + 'static,
    R: IntoResponse,
{
    let handler: Handler<S> = Box::new(move |request, cx| handler(request, cx).into_response());
    into.add(method, pattern, handler)
}

/// `route` for the application and for groups: [`try_route`], and a refused route is a bug
/// in the program (see the module's documentation).
pub(crate) fn route<S, H, R>(into: &mut impl Register<S>, method: &str, pattern: &str, handler: H)
where
    H: Fn(&mut Request<'_>, &Ctx<'_, S>) -> R + Send + Sync + 'static,
    R: IntoResponse,
{
    if let Err(err) = try_route(into, method, pattern, handler) {
        panic!("cannot register a route: {err}");
    }
}

impl<S> Register<S> for App<S> {
    /* ch07 < ch09
    /// Adds a handler to the route's table, creating the route if it is new.
    fn add(&mut self, method: &str, pattern: &str, handler: Handler<S>) -> Result<(), RouteError> {
    */
    // > ch09
    /// Adds a handler the application registers itself, in no group.
    fn add(&mut self, method: &str, pattern: &str, handler: Handler<S>) -> Result<(), RouteError> {
        self.add_by(None, method, pattern, handler)
    }
}

impl<S> App<S> {
    /// Adds a handler that the group `by` registered (`None`: the application) to the
    /// route's table, creating the route if it is new.
    fn add_by(
        &mut self,
        by: Option<Registrant<S>>,
        method: &str,
        pattern: &str,
        handler: Handler<S>,
    ) -> Result<(), RouteError> {
        // < ch09
        if !rules::is_token(method) {
            let method = method.to_string();
            return Err(RouteError::BadMethod { method });
        }
        match self.router.route_mut(pattern) {
            Some(table) if table.has(method) => Err(RouteError::Duplicate {
                method: method.to_string(),
                route: pattern.to_string(),
            }),
            Some(table) => {
                /* ch07 < ch09
                table.add(method, handler);
                */
                table.add(method, handler, by); // > ch09
                Ok(())
            }
            None => self
                .router
                /* ch07 < ch09
                .insert(pattern, Methods::new(method, handler))
                */
                .insert(pattern, Methods::new(method, handler, by)) // > ch09
                .map_err(|error| RouteError::Pattern {
                    method: method.to_string(),
                    error,
                }),
        }
    }
}
// ANCHOR_END: register

impl<S> fmt::Debug for App<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("App")
            .field("routes", &self.router)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The application and a group take the same path: the same routes for the same calls
    /// (prefix aside), and the same errors.
    #[test]
    fn app_and_group_register_alike() {
        let dir = std::env::temp_dir();
        let mut app = App::new();
        app.get("/g/x", |_, _| "taken");
        let mut by_app = Vec::new();
        let mut by_group = Vec::new();
        #[rustfmt::skip]
        let calls: &[(&str, &str)] = &[
            ("GET", "/a"), ("PURGE", "/a"), ("GET", "/a"), ("GE T", "/b"), ("GET", "/c/{x}"),
            ("GET", "/x"), ("POST", "/u/:id"), ("GET", "/u/:name"),
        ];
        let mut plain = App::new();
        plain.get("/x", |_, _| "taken");
        for (method, pattern) in calls {
            let err = plain.try_route(method, pattern, |_, _| "").err();
            by_app.push(err.map(|err| err.to_string()));
        }
        plain.static_files("/s", &dir);
        app.group("/g", |group| {
            for (method, pattern) in calls {
                let err = group.try_route(method, pattern, |_, _| "").err();
                by_group.push(err.map(|err| err.to_string().replace("/g/", "/")));
            }
            group.static_files("/s", &dir);
        });
        assert_eq!(by_app, by_group);
        assert_eq!(by_app.iter().filter(|err| err.is_some()).count(), 5);
        let unprefixed: Vec<(String, String)> = app
            .routes()
            .into_iter()
            .map(|(method, pattern)| (method, pattern.replacen("/g/", "/", 1)))
            .collect();
        assert_eq!(plain.routes(), unprefixed);
    }
}
