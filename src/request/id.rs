//! The request's id as a value: one short string that names a request in every log line about
//! it. The type lives with the request, not with the middleware that assigns it
//! ([`request_id`](crate::middleware::request_id)), so that the application's own log lines
//! (a panic, an error's detail) can name the id without the application knowing that layer.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use super::Request;

// ANCHOR: request_id
/// The request's id, attached to the request as an extension by whoever names requests (the
/// [`AssignRequestId`](crate::middleware::request_id::AssignRequestId) layer): handlers read
/// it with [`RequestId::of`].
///
/// Its text is kept in a fixed array inside the value, not in a `String` (chapter 11): an id
/// is made, attached and sent back on every request, and none of that allocates. Every id is
/// *sane*, safe to log and to send back in a header: 1 to [`RequestId::MAX_LEN`] letters,
/// digits, `-`, `_`, `.` or `:`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct RequestId {
    /// The id's bytes, `text[..len]`; the rest is zero.
    text: [u8; RequestId::MAX_LEN],
    len: u8,
}

impl RequestId {
    /// The longest id.
    pub const MAX_LEN: usize = 64;

    /// The id of `request`, if something gave it one.
    pub fn of<'r>(request: &'r Request<'_>) -> Option<&'r str> {
        request
            .extensions()
            .get::<RequestId>()
            .map(RequestId::as_str)
    }

    /// `id` as a request id, if it is sane (see [`RequestId`]); `None` for anything else,
    /// such as an empty id, a space, a newline or more than [`RequestId::MAX_LEN`] bytes.
    ///
    /// ```
    /// use weft::request::RequestId;
    ///
    /// assert_eq!(RequestId::new("edge-7f3a").unwrap().as_str(), "edge-7f3a");
    /// assert!(RequestId::new("<script>").is_none());
    /// ```
    pub fn new(id: &str) -> Option<RequestId> {
        let sane = (1..=RequestId::MAX_LEN).contains(&id.len())
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'));
        if !sane {
            return None;
        }
        let mut text = [0; RequestId::MAX_LEN];
        text[..id.len()].copy_from_slice(id.as_bytes());
        Some(RequestId {
            text,
            // At most `MAX_LEN`, 64: it fits.
            len: id.len() as u8,
        })
    }

    /// The id's text.
    pub fn as_str(&self) -> &str {
        // ASCII only, checked when the id was made.
        std::str::from_utf8(&self.text[..usize::from(self.len)]).unwrap_or_default()
    }
}
// ANCHOR_END: request_id

impl RequestId {
    /// A new id: 16 hex digits, unique in this process and unlikely to repeat across
    /// restarts.
    ///
    /// A counter makes ids unique; mixing it with the start time (through the SplitMix64
    /// finaliser) makes them look unrelated, so nobody reads an order or a count into them.
    ///
    /// ```
    /// use weft::request::RequestId;
    ///
    /// let (a, b) = (RequestId::generate(), RequestId::generate());
    /// assert_ne!(a, b);
    /// assert_eq!(a.as_str().len(), 16);
    /// ```
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
        z ^= z >> 31;
        // 16 hex digits, most significant first, written in place: no `format!`.
        let mut text = [0; RequestId::MAX_LEN];
        for (i, digit) in text[..16].iter_mut().enumerate() {
            *digit = b"0123456789abcdef"[(z >> (60 - 4 * i) & 0xf) as usize];
        }
        RequestId { text, len: 16 }
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RequestId").field(&self.as_str()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::Limits;

    #[test]
    fn generated_ids_differ_and_are_hex() {
        let ids: std::collections::HashSet<String> = (0..1000)
            .map(|_| RequestId::generate().to_string())
            .collect();
        assert_eq!(ids.len(), 1000);
        assert!(ids
            .iter()
            .all(|id| id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit())));
    }

    #[test]
    fn only_sane_ids_are_ids() {
        let longest = "a".repeat(RequestId::MAX_LEN);
        for good in ["abc", "0f-1e_2d.3c:4b", &longest] {
            assert_eq!(
                RequestId::new(good).map(|id| id.to_string()).as_deref(),
                Some(good)
            );
        }
        let too_long = "a".repeat(RequestId::MAX_LEN + 1);
        for bad in ["", "a b", "a\tb", "<script>", &too_long, "é", "a\0"] {
            assert_eq!(RequestId::new(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn read_back_from_the_request() {
        let bytes = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";
        let mut request = Request::from_bytes(bytes, &Limits::default()).unwrap();
        assert_eq!(RequestId::of(&request), None);
        request
            .extensions_mut()
            .insert(RequestId::new("abc").unwrap());
        assert_eq!(RequestId::of(&request), Some("abc"));
        request
            .extensions_mut()
            .insert(RequestId::new("def").unwrap());
        assert_eq!(RequestId::of(&request), Some("def"));
    }
}
