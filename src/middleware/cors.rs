//! Cross-origin resource sharing, as the Fetch standard (§3.2, "CORS protocol") defines it.
//!
//! A page from `https://app.example` that calls our API on `https://api.example` is a
//! cross-origin request: the browser sends it with an `Origin` header and only lets the page
//! read the answer if it carries `Access-Control-Allow-Origin` naming that origin (or `*`).
//! A request that could change something on the server (a `PUT`, a JSON `POST`, a custom
//! header) is first asked about in a *preflight*: an `OPTIONS` request with
//! `Access-Control-Request-Method` (and `-Headers`), which this layer answers itself, with
//! the methods, headers and how long the answer may be cached (`Max-Age`).
//!
//! The credentials rule: a response to a request with cookies (`credentials: "include"`)
//! is only readable if it says `Access-Control-Allow-Credentials: true` **and** names the
//! origin exactly; the browser refuses `*` with credentials. So with credentials on, this
//! layer echoes the origin it was sent (when allowed), never `*`. Whenever the answer
//! depends on `Origin`, it says `Vary: Origin`, so a cache does not hand one origin's answer
//! to another.
//!
//! Where it goes: on the application (`app.wrap`), it sees every preflight. On a group, it
//! sees the preflights to the paths that group alone registered, whose `OPTIONS` the
//! application answers inside the group's layers; a path the group shares with the
//! application or another group gets its `OPTIONS` through the application's layers only
//! (see [`Group::wrap`](crate::app::Group::wrap)). Put it outside a layer that asks for credentials: a
//! browser sends none with a preflight.

use super::{add_vary, Middleware, Next};
use crate::error::HttpError;
use crate::request::Request;
use crate::response::{IntoResponse, Response};

// ANCHOR: cors
/// The CORS layer and its policy.
#[derive(Debug, Clone)]
pub struct Cors {
    /// `None`: any origin; `Some(list)`: exactly these (`https://app.example`).
    origins: Option<Vec<String>>,
    methods: String,
    headers: String,
    credentials: bool,
    max_age: u32,
}

impl Cors {
    /// Allows any origin, without credentials.
    pub fn any() -> Cors {
        Cors {
            origins: None,
            methods: "GET, HEAD, POST".to_string(),
            headers: "Content-Type".to_string(),
            credentials: false,
            max_age: 600,
        }
    }

    /// Allows the origins in `list` only (scheme, host and port: `https://app.example`).
    pub fn origins(list: &[&str]) -> Cors {
        let origins = list.iter().map(|origin| origin.to_string()).collect();
        Cors {
            origins: Some(origins),
            ..Cors::any()
        }
    }

    /// The methods a preflight allows (default `GET, HEAD, POST`).
    pub fn allow_methods(mut self, methods: &[&str]) -> Cors {
        self.methods = methods.join(", ");
        self
    }

    /// The request headers a preflight allows (default `Content-Type`).
    pub fn allow_headers(mut self, headers: &[&str]) -> Cors {
        self.headers = headers.join(", ");
        self
    }

    /// Lets pages send cookies and read the answer (`Access-Control-Allow-Credentials`).
    pub fn allow_credentials(mut self, on: bool) -> Cors {
        self.credentials = on;
        self
    }

    /// How many seconds a browser may cache a preflight's answer (default 600).
    pub fn max_age(mut self, seconds: u32) -> Cors {
        self.max_age = seconds;
        self
    }

    /// The `Access-Control-Allow-Origin` value for `origin`, or `None` if not allowed.
    fn allow_origin(&self, origin: &str) -> Option<String> {
        match &self.origins {
            // `*` only without credentials: the browser refuses it with them.
            None if !self.credentials => Some("*".to_string()),
            None => Some(origin.to_string()),
            Some(list) if list.iter().any(|o| o == origin) => Some(origin.to_string()),
            Some(_) => None,
        }
    }

    /// Whether the answer depends on the `Origin` header (anything but a plain `*`).
    fn varies(&self) -> bool {
        self.origins.is_some() || self.credentials
    }
}

impl<S> Middleware<S> for Cors {
    fn call(&self, request: &mut Request<'_>, next: Next<'_, S>) -> Response {
        let Some(origin) = request.header("origin").map(str::to_string) else {
            // Not a cross-origin request: nothing to add, but a cache must still know.
            let response = next.run(request);
            return if self.varies() {
                add_vary(response, "Origin")
            } else {
                response
            };
        };
        let allowed = self.allow_origin(&origin);
        let preflight = request.method() == "OPTIONS"
            && request.header("access-control-request-method").is_some();
        if preflight {
            return self.preflight(allowed);
        }
        let mut response = next.run(request);
        if let Some(allowed) = allowed {
            response = response.with_header("Access-Control-Allow-Origin", allowed);
            if self.credentials {
                response = response.with_header("Access-Control-Allow-Credentials", "true");
            }
        }
        if self.varies() {
            response = add_vary(response, "Origin");
        }
        response
    }
}

impl Cors {
    /// The answer to a preflight: `204` with the policy, or `403` for an origin not allowed
    /// (the browser would refuse the answer anyway; the status says why in its console).
    fn preflight(&self, allowed: Option<String>) -> Response {
        let Some(allowed) = allowed else {
            let refused = HttpError::new(403, "origin not allowed").into_response();
            return add_vary(refused, "Origin");
        };
        let mut response = Response::new(204)
            .with_header("Access-Control-Allow-Origin", allowed)
            .with_header("Access-Control-Allow-Methods", self.methods.clone())
            .with_header("Access-Control-Allow-Headers", self.headers.clone())
            .with_header("Access-Control-Max-Age", self.max_age.to_string());
        if self.credentials {
            response = response.with_header("Access-Control-Allow-Credentials", "true");
        }
        if self.varies() {
            response = add_vary(response, "Origin");
        }
        response
    }
}
// ANCHOR_END: cors
