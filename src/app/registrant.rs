//! Who registered a route's handlers: a group, with the layers its handlers run inside.
//!
//! A group's handlers are wrapped in its layers when they are registered (`app/group.rs`).
//! The application's own answers on a route (a `405`, an `OPTIONS`) have no handler to be
//! wrapped, so a route's table keeps its registrant instead, while one group registered
//! every handler on it, and runs those answers inside the same layers (`app/methods.rs`).

use std::sync::{Arc, OnceLock};

use crate::middleware::{Middleware, Next};
use crate::request::Request;
use crate::response::Response;

/// A group's layers, known once the group's closure has returned.
pub(super) type Scope<S> = Arc<OnceLock<Vec<Box<dyn Middleware<S>>>>>;

// ANCHOR: registrant
/// The group that registered a handler: the scopes of the groups around it, outermost
/// first, then its own.
pub(super) struct Registrant<S> {
    scopes: Vec<Scope<S>>,
}

impl<S> Registrant<S> {
    /// The group whose layers are `own`, inside the groups whose layers are `outer`.
    pub(super) fn new(outer: &[Scope<S>], own: &Scope<S>) -> Self {
        let mut scopes = outer.to_vec();
        scopes.push(own.clone());
        Registrant { scopes }
    }

    /// Whether `other` is the same group: the same call to `group`, not merely one with the
    /// same prefix. A group inside it is another registrant.
    pub(super) fn same(&self, other: &Registrant<S>) -> bool {
        // The group's own scope comes last, and no other group shares it.
        let own = self.scopes.last().zip(other.scopes.last());
        own.is_some_and(|(own, other)| Arc::ptr_eq(own, other))
    }

    /// Runs `endpoint` inside the groups' layers, the outermost group's first.
    pub(super) fn run(
        &self,
        request: &mut Request<'_>,
        state: &S,
        endpoint: &dyn Fn(&mut Request<'_>) -> Response,
    ) -> Response {
        inside(&self.scopes, request, state, endpoint)
    }
}

/// `endpoint` inside the layers of `scopes`, the first scope's outermost.
fn inside<S>(
    scopes: &[Scope<S>],
    request: &mut Request<'_>,
    state: &S,
    endpoint: &dyn Fn(&mut Request<'_>) -> Response,
) -> Response {
    let Some((outer, inner)) = scopes.split_first() else {
        return endpoint(request);
    };
    let layers = outer.get().map_or(&[][..], Vec::as_slice);
    Next::new(layers, state, &|request| {
        inside(inner, request, state, endpoint)
    })
    .run(request)
}
// ANCHOR_END: registrant
