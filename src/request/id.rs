//! The request's id as a value: one short string that names a request in every log line about
//! it. The type lives with the request, not with the middleware that assigns it
//! ([`request_id`](crate::middleware::request_id)), so that the application's own log lines
//! (a panic, an error's detail) can name the id without the application knowing that layer.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use super::Request;

// ANCHOR: request_id
/// The request's id, attached to the request as an extension by whoever names requests (the
/// [`AssignRequestId`](crate::middleware::request_id::AssignRequestId) layer): handlers read
/// it with [`RequestId::of`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

impl RequestId {
    /// The id of `request`, if something gave it one.
    pub fn of<'r>(request: &'r Request<'_>) -> Option<&'r str> {
        request
            .extensions()
            .get::<RequestId>()
            .map(|id| id.0.as_str())
    }
}
// ANCHOR_END: request_id

impl RequestId {
    /// A new id: 16 hex digits, unique in this process and unlikely to repeat across
    /// restarts.
    ///
    /// A counter makes ids unique; mixing it with the start time (through the SplitMix64
    /// finaliser) makes them look unrelated, so nobody reads an order or a count into them.
    pub fn generate() -> RequestId {
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
        RequestId(format!("{:016x}", z ^ (z >> 31)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::Limits;

    #[test]
    fn generated_ids_differ_and_are_hex() {
        let ids: std::collections::HashSet<String> =
            (0..1000).map(|_| RequestId::generate().0).collect();
        assert_eq!(ids.len(), 1000);
        assert!(ids
            .iter()
            .all(|id| id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit())));
    }

    #[test]
    fn read_back_from_the_request() {
        let bytes = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";
        let mut request = Request::from_bytes(bytes, &Limits::default()).unwrap();
        assert_eq!(RequestId::of(&request), None);
        request
            .extensions_mut()
            .insert(RequestId("abc".to_string()));
        assert_eq!(RequestId::of(&request), Some("abc"));
    }
}
