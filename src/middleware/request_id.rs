//! A request id: one short string that names a request in every log line about it, in the
//! response (`X-Request-Id`), and in whatever the handler passes on to other services.
//!
//! An incoming `X-Request-Id` is kept when it is sane (1 to 64 characters of letters,
//! digits, `-`, `_`, `.`, `:`), so that a proxy in front can name requests for us; anything
//! else, which would end up in our logs, is replaced by an id of our own.
//!
//! The id's type, [`RequestId`], is the request's (`src/request/id.rs`), re-exported here:
//! the application names the id in its own log lines without depending on this layer.

use super::{Middleware, Next};
use crate::request::Request;
/* ch09 < ch11
use crate::response::Response;
*/
use crate::response::{HeaderText, Response}; // > ch11

pub use crate::request::RequestId;

/// The header that carries the id, both ways.
pub const HEADER: &str = "X-Request-Id";

/// The longest incoming id kept.
pub const MAX_LEN: usize = RequestId::MAX_LEN;

// ANCHOR: request_id
/// The layer: gives every request a [`RequestId`] and sets `X-Request-Id` on its response.
#[derive(Debug, Default)]
pub struct AssignRequestId;

impl<S> Middleware<S> for AssignRequestId {
    fn call(&self, request: &mut Request<'_>, next: Next<'_, S>) -> Response {
        let id = request
            .header(HEADER)
            .and_then(RequestId::new)
            .unwrap_or_else(RequestId::generate);
        // A `RequestId` is a plain value (`Copy`): one copy for the request, one for the
        // response.
        request.extensions_mut().insert(id);
        /* ch09 < ch11
        next.run(request).with_header(HEADER, id.as_str().to_string())
        */
        // > ch11
        // A generated id fits inline in the header's text.
        next.run(request)
            .with_header(HEADER, HeaderText::copied(id.as_str()))
        // < ch11
    }
}
// ANCHOR_END: request_id

/// Whether an incoming id is safe to log and to send back (see [`RequestId::new`]).
pub fn is_sane(id: &str) -> bool {
    RequestId::new(id).is_some()
}

/// A new id: 16 hex digits, unique in this process (see [`RequestId::generate`]).
pub fn generate() -> String {
    RequestId::generate().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sane_ids() {
        for good in ["abc", "0f-1e_2d.3c:4b", &"a".repeat(64)] {
            assert!(is_sane(good), "{good}");
        }
        for bad in ["", "a b", "a\tb", "<script>", &"a".repeat(65), "é"] {
            assert!(!is_sane(bad), "{bad}");
        }
    }

    #[test]
    fn generated_ids_are_sane() {
        assert!((0..100).all(|_| is_sane(&generate())));
    }
}
