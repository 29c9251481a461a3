//! The value the router stores per route: one handler per method.
//!
//! A route has a handful of methods at most, so a short list, searched in order, beats a
//! hash map here, and it remembers the order the methods were registered in for `Allow`.

use crate::request::Request;
use crate::response::Response;

use super::context::Ctx;
use super::registrant::Registrant; // > ch09

// ANCHOR: handler
/// A handler once its return type has been turned into a [`Response`]: what the router
/// stores, one per method and route.
pub(crate) type Handler<S> = Box<dyn Fn(&mut Request<'_>, &Ctx<'_, S>) -> Response + Send + Sync>;

/// The handlers of one route, by method.
pub(crate) struct Methods<S> {
    handlers: Vec<(Box<str>, Handler<S>)>,
    // > ch09
    /// The group that registered every handler here, if one did (`None`: the application
    /// registered one, or two groups did).
    by: Option<Registrant<S>>,
    // < ch09
}
// ANCHOR_END: handler

/// What the application does with a request's method on a route it matched.
pub(crate) enum Choice<'t, S> {
    /// Call this handler.
    Call(&'t Handler<S>),
    /// Answer `OPTIONS` itself, with `Allow`.
    Options,
    /// `405 Method Not Allowed`, with `Allow`.
    NotAllowed,
}

impl<S> Methods<S> {
    /* ch07 < ch09
    /// A route with one method.
    pub(crate) fn new(method: &str, handler: Handler<S>) -> Self {
        Methods {
            handlers: vec![(method.into(), handler)],
        }
    }
    */
    // > ch09
    /// A route with one method, registered by the group `by` (`None`: the application).
    pub(crate) fn new(method: &str, handler: Handler<S>, by: Option<Registrant<S>>) -> Self {
        Methods {
            handlers: vec![(method.into(), handler)],
            by,
        }
    }
    // < ch09

    /// Whether `method` has a handler of its own on this route.
    pub(crate) fn has(&self, method: &str) -> bool {
        self.handlers.iter().any(|(m, _)| &**m == method)
    }

    /* ch07 < ch09
    /// Adds `method`; the caller has checked it is not there yet.
    pub(crate) fn add(&mut self, method: &str, handler: Handler<S>) {
        debug_assert!(!self.has(method));
        self.handlers.push((method.into(), handler));
    }
    */
    // > ch09
    // ANCHOR: sole_registrant
    /// Adds `method`, registered by the group `by` (`None`: the application); the caller
    /// has checked it is not there yet.
    pub(crate) fn add(&mut self, method: &str, handler: Handler<S>, by: Option<Registrant<S>>) {
        debug_assert!(!self.has(method));
        self.handlers.push((method.into(), handler));
        // One registrant for the route as long as every handler comes from the same group.
        let same = matches!((&self.by, &by), (Some(sole), Some(by)) if sole.same(by));
        if !same {
            self.by = None;
        }
    }

    /// Runs `endpoint`, an answer the application gives itself on this route, inside the
    /// layers of the group that registered every handler here, if one did: an `OPTIONS` or
    /// a `405` passes through the same layers as the route's handlers.
    pub(crate) fn within(
        &self,
        request: &mut Request<'_>,
        state: &S,
        endpoint: &dyn Fn(&mut Request<'_>) -> Response,
    ) -> Response {
        match &self.by {
            Some(by) => by.run(request, state, endpoint),
            None => endpoint(request),
        }
    }
    // ANCHOR_END: sole_registrant
    // < ch09

    /// The methods registered, in order (without the `HEAD` and `OPTIONS` answered for them).
    pub(crate) fn registered(&self) -> impl Iterator<Item = &str> {
        self.handlers.iter().map(|(m, _)| &**m)
    }

    fn handler(&self, method: &str) -> Option<&Handler<S>> {
        self.handlers
            .iter()
            .find(|(m, _)| &**m == method)
            .map(|(_, h)| h)
    }

    // ANCHOR: choose
    /// Chooses what answers `method` on this route.
    pub(crate) fn choose(&self, method: &str) -> Choice<'_, S> {
        if let Some(handler) = self.handler(method) {
            return Choice::Call(handler);
        }
        match method {
            // RFC 9110 §9.3.2: HEAD is GET without the content. The GET handler answers;
            // the connection loop sends its head and drops its body.
            "HEAD" => self.handler("GET").map_or(Choice::NotAllowed, Choice::Call),
            // §9.3.7: OPTIONS asks what the resource supports; `Allow` says it.
            "OPTIONS" => Choice::Options,
            _ => Choice::NotAllowed,
        }
    }
    // ANCHOR_END: choose

    /// Every method this route answers, in registration order, as `choose` sees them: `HEAD`
    /// right after `GET` when `GET` is there, and `OPTIONS` last.
    pub(crate) fn allowed(&self) -> Vec<&str> {
        let mut allowed = Vec::with_capacity(self.handlers.len() + 2);
        for (method, _) in &self.handlers {
            if !allowed.contains(&&**method) {
                allowed.push(&**method);
            }
            if &**method == "GET" && !self.has("HEAD") {
                allowed.push("HEAD");
            }
        }
        if !self.has("OPTIONS") {
            allowed.push("OPTIONS");
        }
        allowed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(methods: &[&str]) -> Methods<()> {
        let handler = || -> Handler<()> { Box::new(|_, _| Response::new(200)) };
        /* ch07 < ch09
        let mut table = Methods::new(methods[0], handler());
        for method in &methods[1..] {
            table.add(method, handler());
        }
        */
        // > ch09
        let mut table = Methods::new(methods[0], handler(), None);
        for method in &methods[1..] {
            table.add(method, handler(), None);
        }
        // < ch09
        table
    }

    #[test]
    fn allow_lists_head_after_get_and_options_last() {
        #[rustfmt::skip]
        let cases: &[(&[&str], &[&str])] = &[
            (&["GET"], &["GET", "HEAD", "OPTIONS"]),
            (&["POST"], &["POST", "OPTIONS"]),
            (&["POST", "GET", "DELETE"], &["POST", "GET", "HEAD", "DELETE", "OPTIONS"]),
            (&["HEAD", "GET"], &["HEAD", "GET", "OPTIONS"]),
            (&["OPTIONS", "PUT"], &["OPTIONS", "PUT"]),
        ];
        for (registered, allowed) in cases {
            assert_eq!(table(registered).allowed(), *allowed, "{registered:?}");
        }
    }

    #[test]
    fn head_falls_back_to_get_and_options_is_answered() {
        assert!(matches!(table(&["GET"]).choose("HEAD"), Choice::Call(_)));
        assert!(matches!(
            table(&["POST"]).choose("HEAD"),
            Choice::NotAllowed
        ));
        assert!(matches!(table(&["GET"]).choose("OPTIONS"), Choice::Options));
        assert!(matches!(
            table(&["OPTIONS"]).choose("OPTIONS"),
            Choice::Call(_)
        ));
        assert!(matches!(table(&["GET"]).choose("get"), Choice::NotAllowed));
    }
}
