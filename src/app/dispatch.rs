//! Dispatch: from a request to the handler that answers it, and the answers the application
//! gives on its own when no handler does (RFC 9110 sections cited where each rule is).

/* ch07 < ch08
use crate::http::percent;
*/
use crate::error::HttpError; // > ch08
use crate::http::{percent, ProtocolError}; // > ch08
use crate::middleware::Next; // > ch09
use crate::request::Request;
use crate::response::Response;

use super::methods::Choice;
/* ch07 < ch08
use super::{App, Ctx};
*/
use super::{App, Ctx, IntoResponse}; // > ch08

impl<S> App<S> {
    // ANCHOR: handle
    /* ch07 < ch09
    /// Answers one request: [`App::dispatch`].
    pub fn handle(&self, request: &mut Request<'_>) -> Response {
        // > ch08
        let response = self.catching(request, |request| self.dispatch(request));
        self.finish(request, response)
        // < ch08
        /* < ch08
        self.dispatch(request)
        */
    }
    */
    // > ch09
    /// Answers one request: runs it through the middleware layers ([`App::wrap`]) to
    /// [`App::dispatch`], catching a panic in either (a `500`), and renders an error
    /// response's body (see [`App::on_status`]).
    ///
    /// A handler's panic is caught inside the layers, so that they see the `500` (the access
    /// log logs it, the request id is set on it); a layer's own panic is caught outside them
    /// all.
    pub fn handle(&self, request: &mut Request<'_>) -> Response {
        self.through_layers(request, |request| self.dispatch(request))
    }

    /// Runs `request` through the layers to `endpoint`, each caught and rendered as
    /// [`App::handle`] says.
    fn through_layers(
        &self,
        request: &mut Request<'_>,
        endpoint: impl Fn(&mut Request<'_>) -> Response,
    ) -> Response {
        let response = self.catching(request, |request| {
            let endpoint = |request: &mut Request<'_>| {
                let response = self.catching(request, &endpoint);
                self.finish(request, response)
            };
            Next::new(&self.layers, &self.state, &endpoint).run(request)
        });
        self.finish(request, response)
    }
    // < ch09
    // ANCHOR_END: handle

    // > ch08
    // ANCHOR: refuse
    /// Answers a request the server refuses after reading its head (a body over the limit,
    /// broken chunked framing, a body too slow: see [`Service`](crate::server::Service)) as
    /// if a handler had returned `HttpError::from(error)`: rendered like any error, with the
    /// [`App::on_status`] and [`App::on_error`] pages, JSON for a client that prefers it, and
    /// the details in debug mode.
    // > ch09
    ///
    /// It goes through the application's layers (the access log logs it with its status).
    /// Group layers do not run: no route was chosen, as for a `404`.
    // < ch09
    ///
    /// ```
    /// use weft::app::App;
    /// use weft::http::{Limits, ProtocolError};
    /// use weft::request::Request;
    ///
    /// let mut app = App::new();
    /// app.on_error(|_, err| format!("oops: {}", err.message()));
    /// let bytes = b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\nx";
    /// let mut request = Request::from_bytes(bytes, &Limits::default()).unwrap();
    /// let response = app.refuse(&mut request, ProtocolError::BodyTooLarge);
    /// assert_eq!(response.status(), 413);
    /// ```
    pub fn refuse(&self, request: &mut Request<'_>, error: ProtocolError) -> Response {
        /* ch08 < ch09
        let response = Response::from_error(HttpError::from(error));
        self.finish(request, response)
        */
        // > ch09
        self.through_layers(request, |_| Response::from_error(HttpError::from(error)))
        // < ch09
    }
    // ANCHOR_END: refuse
    // < ch08

    // ANCHOR: dispatch
    /// Finds the request's route, takes the path parameters' decoded values, and calls the
    /// handler registered for the method, or answers the request itself.
    ///
    /// - no route for the path: `404 Not Found`, or `308 Permanent Redirect` when the path
    ///   with its trailing slash added or removed has one;
    /// - a route, but not for this method: `405 Method Not Allowed` with `Allow`;
    /// - `HEAD` without a handler of its own: the `GET` handler answers;
    /// - `OPTIONS` without a handler of its own: `204 No Content` with `Allow`.
    // > ch09
    ///
    /// When one group registered every handler on the route, the `405` and the `OPTIONS`
    /// answer run inside that group's layers, as its handlers do.
    // < ch09
    ///
    /// A path that does not decode (a broken escape, `%00`) never gets here: the request
    /// layer answered it `400` when it parsed the target.
    pub fn dispatch(&self, request: &mut Request<'_>) -> Response {
        // Match on the raw path: decoding first would turn `%2F` into a segment break.
        let raw = raw_path(request);
        let Some(found) = self.router.at(raw) else {
            return self.no_route(request);
        };
        // The request decoded its path once, so each parameter's decoded value is already
        // there, at the place in `path()` that matches its place in the raw path. Owned
        // values: the context must not borrow the request the handler gets as `&mut`.
        let path = request.path();
        let params: Vec<(&str, String)> = found
            .params
            .ranges()
            .map(|(name, range)| (name, path[percent::decoded_range(raw, range)].to_string()))
            .collect();
        let table = found.value;
        match table.choose(request.method()) {
            Choice::Call(handler) => {
                let cx = Ctx::new(found.route, &params, &self.state);
                handler(request, &cx)
            }
            /* ch07 < ch09
            Choice::Options => Response::new(204).with_header("Allow", table.allowed().join(", ")),
            */
            /* ch07 < ch08
            Choice::NotAllowed => {
                Response::status_page(405).with_header("Allow", table.allowed().join(", "))
            }
            */
            /* ch08 < ch09
            Choice::NotAllowed => HttpError::from_status(405)
                .into_response()
                .with_header("Allow", table.allowed().join(", ")),
            */
            // > ch09
            // On a route one group registered, inside that group's layers (`app/group.rs`).
            Choice::Options => table.within(request, &self.state, &|_| {
                Response::new(204).with_header("Allow", table.allowed().join(", "))
            }),
            Choice::NotAllowed => table.within(request, &self.state, &|_| {
                HttpError::from_status(405)
                    .into_response()
                    .with_header("Allow", table.allowed().join(", "))
            }),
            // < ch09
        }
    }
    // ANCHOR_END: dispatch

    // ANCHOR: no_route
    /// The answer when no route matches the path.
    fn no_route(&self, request: &Request<'_>) -> Response {
        let path = raw_path(request);
        // RFC 9110 §9.3.7: `OPTIONS *` asks about the server as a whole.
        if path == "*" && request.method() == "OPTIONS" {
            return Response::new(204).with_header("Allow", self.all_methods().join(", "));
        }
        // A path starting `//` would redirect to `//host/...`, which a browser reads as
        // another site: never redirect there.
        let redirect = match path.starts_with("//") {
            true => None,
            false => self.router.trailing_slash_redirect(path),
        };
        match redirect {
            // §15.4.9: 308 keeps the method and the body, unlike 301.
            Some(mut location) => {
                if let Some(query) = request.query() {
                    location.push('?');
                    location.push_str(query);
                }
                Response::status_page(308).with_header("Location", location)
            }
            /* ch07 < ch08
            None => Response::status_page(404),
            */
            None => HttpError::from_status(404).into_response(), // > ch08
        }
    }
    // ANCHOR_END: no_route

    /// Every method some route answers, each once, for `OPTIONS *`.
    fn all_methods(&self) -> Vec<&str> {
        // OPTIONS itself is always answered, even by an application with no routes.
        let mut all = vec!["OPTIONS"];
        for (_, table) in self.router.routes() {
            for method in table.allowed() {
                if !all.contains(&method) {
                    all.push(method);
                }
            }
        }
        all
    }
}

/// The path as sent, still encoded; `/` for an absolute-form target with no path at all
/// (`GET http://example.com HTTP/1.1`): the same URI as with `/` (RFC 3986 §6.2.3).
fn raw_path<'r>(request: &'r Request<'_>) -> &'r str {
    match request.raw_path() {
        "" => "/",
        path => path,
    }
}

// > ch08
#[cfg(test)]
mod tests {
    use crate::app::App;
    use crate::testing::TestClient;

    #[test]
    fn parameters_are_the_decoded_path_at_their_place() {
        let mut app = App::new();
        app.get("/caf%C3%A9/:a/x%20y/*rest", |_, cx| {
            format!("{}|{}", cx.param("a"), cx.param("rest"))
        });
        let client = TestClient::new(app);
        #[rustfmt::skip]
        let cases = [
            ("/caf%C3%A9/1/x%20y/2", 200, "1|2"),
            ("/caf%C3%A9/%C3%A9%2F/x%20y/a%2F%20/b", 200, "é/|a/ /b"),
            ("http://h/caf%C3%A9/%41/x%20y/%42?q=%43", 200, "A|B"),
            ("/caf%C3%A9/%00/x%20y/2", 400, ""),
            ("/caf%C3%A9/1/x%20y/%zz", 400, ""),
        ];
        for (target, status, body) in cases {
            let response = client.get(target).send();
            assert_eq!(response.status(), status, "{target}");
            if status == 200 {
                assert_eq!(response.text(), body, "{target}");
            }
        }
    }

    #[test]
    fn the_application_answers_what_no_handler_is_for() {
        let mut app = App::new();
        app.get("/items", |_, _| "list");
        app.post("/items", |_, _| "made");
        app.get("/items/:id", |_, cx| cx.param("id").to_string());
        let client = TestClient::new(app);
        // (method, target, status, Allow header)
        #[rustfmt::skip]
        let cases: &[(&str, &str, u16, Option<&str>)] = &[
            ("GET", "/items", 200, None),
            ("DELETE", "/items", 405, Some("GET, HEAD, POST, OPTIONS")),
            ("PUT", "/items/7", 405, Some("GET, HEAD, OPTIONS")),
            ("OPTIONS", "/items", 204, Some("GET, HEAD, POST, OPTIONS")),
            ("HEAD", "/items/7", 200, None),
            ("GET", "/nothing", 404, None),
        ];
        for &(method, target, status, allow) in cases {
            let response = client.request(method, target).send();
            assert_eq!(response.status(), status, "{method} {target}");
            assert_eq!(response.header("allow"), allow, "{method} {target}");
        }
    }
}
// < ch08
