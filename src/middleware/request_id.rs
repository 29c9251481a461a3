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
use crate::response::Response;

pub use crate::request::RequestId;

/// The header that carries the id, both ways.
pub const HEADER: &str = "X-Request-Id";

/// The longest incoming id kept.
pub const MAX_LEN: usize = 64;

// ANCHOR: request_id
/// The layer: gives every request a [`RequestId`] and sets `X-Request-Id` on its response.
#[derive(Debug, Default)]
pub struct AssignRequestId;

impl<S> Middleware<S> for AssignRequestId {
    fn call(&self, request: &mut Request<'_>, next: Next<'_, S>) -> Response {
        let id = match request.header(HEADER) {
            Some(incoming) if is_sane(incoming) => incoming.to_string(),
            _ => RequestId::generate().0,
        };
        request.extensions_mut().insert(RequestId(id.clone()));
        next.run(request).with_header(HEADER, id)
    }
}
// ANCHOR_END: request_id

/// Whether an incoming id is safe to log and to send back.
pub fn is_sane(id: &str) -> bool {
    (1..=MAX_LEN).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// A new id: 16 hex digits, unique in this process (see [`RequestId::generate`]).
pub fn generate() -> String {
    RequestId::generate().0
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
