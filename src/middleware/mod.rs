//! Chapter 9: middleware, code that wraps every request.
//!
//! One model: an onion. A layer receives the request and [`Next`], the rest of the chain
//! (the layers inside it, and at the centre the application), and returns a response. It
//! may do something before calling `next.run(request)`, something after (change the
//! response: add a header, compress the body), or not call it at all (short-circuit: refuse
//! a request without credentials).
//!
//! ```text
//!   request ─► [ access log ─► [ request id ─► [ handler ] ─► ] ─► ] ─► response
//! ```
//!
//! Layers are added with [`App::wrap`](crate::app::App::wrap) (every request, even those
//! answered 404 or 405, and those the server refuses after their head, such as a body over
//! the limit) and [`Group::wrap`](crate::app::Group::wrap) (the group's routes). A layer
//! reaches the application's state with [`Next::state`].
//! **The first layer added is the outermost**: it sees the request first and the response
//! last. The built-in layers, one module each:
//!
//! - [`access_log`]: a log line per request (method, path, status, bytes, duration);
//! - [`request_id`]: an id per request, taken from `X-Request-Id` or made up;
//! - [`timing`]: a `Server-Timing` header with the time the application took;
//! - [`cors`]: cross-origin requests and their preflight (the Fetch standard);
//! - [`gzip`]: compression of responses worth compressing.

pub mod access_log;
pub mod cors;
pub mod gzip;
pub mod request_id;
pub mod timing;

use std::marker::PhantomData;

use crate::request::Request;
use crate::response::Response;

// ANCHOR: middleware
/// A layer of the onion: gets the request and the rest of the chain, returns the response.
///
/// `S` is the application's state type, which the layer reaches with [`Next::state`]. A
/// layer that does not need the state implements `Middleware<S>` for every `S`, as the
/// built-in ones do, and can wrap any application; `impl Middleware for X` is for
/// applications without state (`S = ()`).
///
/// A layer is shared by every worker thread, so it is `Send + Sync` and takes `&self`;
/// state it keeps between requests needs its own synchronisation (an atomic counter). The
/// application keeps it as long as it lives, so `wrap` asks for a `'static` layer too.
pub trait Middleware<S = ()>: Send + Sync {
    /// Answers `request`, usually by calling `next.run(request)` and returning (or
    /// changing) what it returns.
    fn call(&self, request: &mut Request<'_>, next: Next<'_, S>) -> Response;
}

/// The rest of the chain: the layers still to run, then the application, whose state it
/// carries.
pub struct Next<'a, S = ()> {
    layers: &'a [Box<dyn Middleware<S>>],
    state: &'a S,
    endpoint: &'a dyn Fn(&mut Request<'_>) -> Response,
}

impl<'a, S> Next<'a, S> {
    /// A chain of `layers` (outermost first) around `endpoint`, in an application with
    /// `state`.
    pub(crate) fn new(
        layers: &'a [Box<dyn Middleware<S>>],
        state: &'a S,
        endpoint: &'a dyn Fn(&mut Request<'_>) -> Response,
    ) -> Next<'a, S> {
        Next {
            layers,
            state,
            endpoint,
        }
    }

    /// The application's shared state (the one handlers get from
    /// [`Ctx::state`](crate::app::Ctx::state)).
    pub fn state(&self) -> &'a S {
        self.state
    }

    /// Runs the rest of the chain on `request`: the next layer, or the application when no
    /// layer is left. `self` is consumed: a layer calls the rest of the chain once at most.
    pub fn run(self, request: &mut Request<'_>) -> Response {
        match self.layers.split_first() {
            Some((layer, inner)) => {
                layer.call(request, Next::new(inner, self.state, self.endpoint))
            }
            None => (self.endpoint)(request),
        }
    }
}
// ANCHOR_END: middleware

// ANCHOR: from_fn
/// A layer made of a function or closure, from [`from_fn`].
pub struct FromFn<F, S = ()> {
    f: F,
    /// The state type the function's `Next` carries (`fn(&S)`: the layer holds no `S`, and
    /// is `Send + Sync` whatever `S` is).
    state: PhantomData<fn(&S)>,
}

/// Makes a layer of `f`: `app.wrap(from_fn(|request, next| next.run(request)))`.
///
/// The function's signature is spelled out here so that a closure's argument types are
/// inferred; a closure passed straight to `wrap` would need them written by hand. The
/// state type `S` is the application's, and `next.state()` is the state handlers see. The
/// compiler learns `S` only from `wrap`, after it has read the closure's body, so a closure
/// that uses the state names its type once, in `next`'s (a `fn` names it in its signature):
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
///
/// use weft::app::App;
/// use weft::middleware::{from_fn, Next};
/// use weft::testing::TestClient;
///
/// let mut app = App::with_state(AtomicU64::new(0));
/// app.wrap(from_fn(|request, next: Next<'_, AtomicU64>| {
///     next.state().fetch_add(1, Ordering::Relaxed);
///     next.run(request)
/// }));
/// app.get("/", |_, _| "hi");
/// let client = TestClient::new(app);
/// client.get("/").send();
/// client.get("/nowhere").send();
/// assert_eq!(client.app().state().load(Ordering::Relaxed), 2);
/// ```
pub fn from_fn<F, S>(f: F) -> FromFn<F, S>
where
    F: Fn(&mut Request<'_>, Next<'_, S>) -> Response + Send + Sync + 'static,
{
    FromFn {
        f,
        state: PhantomData,
    }
}

impl<F, S> Middleware<S> for FromFn<F, S>
where
    F: Fn(&mut Request<'_>, Next<'_, S>) -> Response + Send + Sync + 'static,
{
    fn call(&self, request: &mut Request<'_>, next: Next<'_, S>) -> Response {
        (self.f)(request, next)
    }
}
// ANCHOR_END: from_fn

impl<F, S> std::fmt::Debug for FromFn<F, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FromFn(..)")
    }
}

impl<S> std::fmt::Debug for Next<'_, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Next({} layers left)", self.layers.len())
    }
}

/// `response` with `token` added to its `Vary` header (RFC 9110 §12.5.5), once: a layer
/// whose answer depends on a request header says so, so that caches keep one copy per
/// value of that header.
pub fn add_vary(response: Response, token: &'static str) -> Response {
    match response.header("vary") {
        Some(vary)
            if vary
                .split(',')
                .any(|t| t.trim().eq_ignore_ascii_case(token)) =>
        {
            response
        }
        Some(vary) => {
            let value = format!("{vary}, {token}");
            response.with_header("Vary", value)
        }
        None => response.with_header("Vary", token),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vary_accumulates_once() {
        let response = add_vary(Response::new(200), "Origin");
        let response = add_vary(response, "Accept-Encoding");
        let response = add_vary(response, "origin");
        assert_eq!(response.header("vary"), Some("Origin, Accept-Encoding"));
    }
}
