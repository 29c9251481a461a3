//! A request id: one short string that names a request in every log line about it, in the
//! response (`X-Request-Id`), and in whatever the handler passes on to other services.
//!
//! An incoming `X-Request-Id` is kept when it is sane (1 to 64 characters of letters,
//! digits, `-`, `_`, `.`, `:`), so that a proxy in front can name requests for us; anything
//! else, which would end up in our logs, is replaced by an id of our own.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use super::{Middleware, Next};
use crate::request::Request;
use crate::response::Response;

/// The header that carries the id, both ways.
pub const HEADER: &str = "X-Request-Id";

/// The longest incoming id kept.
pub const MAX_LEN: usize = 64;

// ANCHOR: request_id
/// The request's id, attached to the request by [`AssignRequestId`]: handlers read it with
/// [`RequestId::of`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

impl RequestId {
    /// The id of `request`, if the layer gave it one.
    pub fn of<'r>(request: &'r Request<'_>) -> Option<&'r str> {
        request
            .extensions()
            .get::<RequestId>()
            .map(|id| id.0.as_str())
    }
}

/// The layer: gives every request a [`RequestId`] and sets `X-Request-Id` on its response.
#[derive(Debug, Default)]
pub struct AssignRequestId;

impl Middleware for AssignRequestId {
    fn call(&self, request: &mut Request<'_>, next: Next<'_>) -> Response {
        let id = match request.header(HEADER) {
            Some(incoming) if is_sane(incoming) => incoming.to_string(),
            _ => generate(),
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

/// A new id: 16 hex digits, unique in this process and unlikely to repeat across restarts.
///
/// A counter makes ids unique; mixing it with the start time (through the SplitMix64
/// finaliser) makes them look unrelated, so nobody reads an order or a count into them.
pub fn generate() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    static SEED: AtomicU64 = AtomicU64::new(0);
    let mut seed = SEED.load(Ordering::Relaxed);
    if seed == 0 {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let fresh = (now.as_nanos() as u64 ^ u64::from(std::process::id())) | 1;
        seed = match SEED.compare_exchange(0, fresh, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => fresh,
            Err(current) => current,
        };
    }
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let mut z = seed.wrapping_add(n.wrapping_mul(0x9e37_79b9_7f4a_7c15));
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    format!("{:016x}", z ^ (z >> 31))
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
    fn generated_ids_differ_and_are_sane() {
        let ids: std::collections::HashSet<String> = (0..1000).map(|_| generate()).collect();
        assert_eq!(ids.len(), 1000);
        assert!(ids.iter().all(|id| id.len() == 16 && is_sane(id)));
    }
}
