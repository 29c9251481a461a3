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
//! answered 404 or 405) and [`Group::wrap`](crate::app::Group::wrap) (the group's routes).
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

use crate::request::Request;
use crate::response::Response;

// ANCHOR: middleware
/// A layer of the onion: gets the request and the rest of the chain, returns the response.
///
/// A layer is shared by every worker thread, so it is `Send + Sync` and takes `&self`;
/// state it keeps between requests needs its own synchronisation (an atomic counter).
pub trait Middleware: Send + Sync + 'static {
    /// Answers `request`, usually by calling `next.run(request)` and returning (or
    /// changing) what it returns.
    fn call(&self, request: &mut Request<'_>, next: Next<'_>) -> Response;
}

/// The rest of the chain: the layers still to run, then the application.
pub struct Next<'a> {
    layers: &'a [Box<dyn Middleware>],
    endpoint: &'a dyn Fn(&mut Request<'_>) -> Response,
}

impl<'a> Next<'a> {
    /// A chain of `layers` (outermost first) around `endpoint`.
    pub(crate) fn new(
        layers: &'a [Box<dyn Middleware>],
        endpoint: &'a dyn Fn(&mut Request<'_>) -> Response,
    ) -> Next<'a> {
        Next { layers, endpoint }
    }

    /// Runs the rest of the chain on `request`: the next layer, or the application when no
    /// layer is left. `self` is consumed: a layer calls the rest of the chain once at most.
    pub fn run(self, request: &mut Request<'_>) -> Response {
        match self.layers.split_first() {
            Some((layer, inner)) => layer.call(request, Next::new(inner, self.endpoint)),
            None => (self.endpoint)(request),
        }
    }
}
// ANCHOR_END: middleware

// ANCHOR: from_fn
/// A layer made of a function or closure, from [`from_fn`].
pub struct FromFn<F>(F);

/// Makes a layer of `f`: `app.wrap(from_fn(|request, next| next.run(request)))`.
///
/// The function's signature is spelled out here so that a closure's argument types are
/// inferred; a closure passed straight to `wrap` would need them written by hand.
pub fn from_fn<F>(f: F) -> FromFn<F>
where
    F: Fn(&mut Request<'_>, Next<'_>) -> Response + Send + Sync + 'static,
{
    FromFn(f)
}

impl<F> Middleware for FromFn<F>
where
    F: Fn(&mut Request<'_>, Next<'_>) -> Response + Send + Sync + 'static,
{
    fn call(&self, request: &mut Request<'_>, next: Next<'_>) -> Response {
        (self.0)(request, next)
    }
}
// ANCHOR_END: from_fn

impl<F> std::fmt::Debug for FromFn<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FromFn(..)")
    }
}

impl std::fmt::Debug for Next<'_> {
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
