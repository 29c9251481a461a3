//! The app every peer serves, in the TechEmpower style.
//!
//! - `GET /plaintext` and `GET /` answer `Hello, World!` as `text/plain`;
//! - `GET /json` answers `{"message":"Hello, World!"}` as `application/json`, serialized with
//!   serde_json on every request (TechEmpower's rules forbid caching the serialized bytes);
//! - anything else is a 404.
//!
//! Chapter 12 adds two routes to the async peers (axum, may_minihttp), see [`slow`]:
//! - `GET /slow?ms=N` answers `Hello, World!` after N ms (default 10), waiting the async way:
//!   the task (or coroutine) sleeps on a timer and holds no thread;
//! - `GET /slow-blocking?ms=N` does the same with `std::thread::sleep`, the classic mistake of
//!   blocking inside async code: the sleeping handler holds its runtime thread.
//!
//! The framework peers route with their own routers; the hand-rolled ones (tiny_http,
//! may_minihttp, the Rust Book design) call [`route`].

use serde::Serialize;

/// The plaintext body.
pub const HELLO: &str = "Hello, World!";

/// The `Content-Type` of the plaintext answer.
pub const TEXT_PLAIN: &str = "text/plain";

/// The `Content-Type` of the JSON answer.
pub const APPLICATION_JSON: &str = "application/json";

/// The JSON answer's shape: `{"message":"Hello, World!"}`.
#[derive(Debug, Serialize)]
pub struct Message {
    /// Always [`HELLO`].
    pub message: &'static str,
}

/// The JSON answer, serialized afresh on each call.
pub fn json_body() -> Vec<u8> {
    // Serializing a struct of one `&str` into a Vec cannot fail.
    serde_json::to_vec(&Message { message: HELLO }).expect("a Message always serializes")
}

/// What a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// `GET /` or `GET /plaintext`.
    Plaintext,
    /// `GET /json`.
    Json,
    /// Anything else.
    NotFound,
}

/// Picks the route for a method and a request target (a query string is ignored).
pub fn route(method: &str, target: &str) -> Route {
    let path = target.split_once('?').map_or(target, |(path, _)| path);
    match (method, path) {
        ("GET", "/" | "/plaintext") => Route::Plaintext,
        ("GET", "/json") => Route::Json,
        _ => Route::NotFound,
    }
}

/// How long `/slow` waits when no `ms` is given, in milliseconds: weft's `/slow` default.
pub const SLOW_DEFAULT_MS: u64 = 10;

/// The longest wait `/slow?ms=N` accepts (a minute); a larger N is clamped to it, so that a
/// typo cannot park a handler for days.
pub const SLOW_MAX_MS: u64 = 60_000;

/// A chapter-12 slow request: how long to wait, and whether to wait by blocking the thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slow {
    /// Milliseconds to wait.
    pub ms: u64,
    /// `true` for `/slow-blocking` (`std::thread::sleep`), `false` for `/slow` (a timer).
    pub blocking: bool,
}

/// `GET /slow?ms=N` or `GET /slow-blocking?ms=N` as a [`Slow`]; `None` for anything else.
/// A missing or unreadable `ms` means [`SLOW_DEFAULT_MS`].
pub fn slow(method: &str, target: &str) -> Option<Slow> {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let blocking = match (method, path) {
        ("GET", "/slow") => false,
        ("GET", "/slow-blocking") => true,
        _ => return None,
    };
    Some(Slow {
        ms: slow_ms(query),
        blocking,
    })
}

/// The `ms` parameter of a query string (`ms=25&x=1` → 25), or [`SLOW_DEFAULT_MS`].
pub fn slow_ms(query: &str) -> u64 {
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix("ms="))
        .and_then(|ms| ms.parse::<u64>().ok())
        .map_or(SLOW_DEFAULT_MS, |ms| ms.min(SLOW_MAX_MS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        let cases = [
            ("GET", "/", Route::Plaintext),
            ("GET", "/plaintext", Route::Plaintext),
            ("GET", "/plaintext?x=1", Route::Plaintext),
            ("GET", "/json", Route::Json),
            ("GET", "/json/", Route::NotFound),
            ("POST", "/json", Route::NotFound),
            ("GET", "/nope", Route::NotFound),
        ];
        for (method, target, expected) in cases {
            assert_eq!(route(method, target), expected, "{method} {target}");
        }
    }

    #[test]
    fn slow_routes() {
        let slow = |ms, blocking| Some(Slow { ms, blocking });
        let cases = [
            ("GET", "/slow", slow(10, false)),
            ("GET", "/slow?ms=25", slow(25, false)),
            ("GET", "/slow?x=1&ms=3", slow(3, false)),
            ("GET", "/slow?ms=lots", slow(10, false)),
            ("GET", "/slow?ms=999999999", slow(60_000, false)),
            ("GET", "/slow-blocking?ms=7", slow(7, true)),
            ("POST", "/slow", None),
            ("GET", "/slower", None),
        ];
        for (method, target, expected) in cases {
            assert_eq!(super::slow(method, target), expected, "{method} {target}");
        }
    }

    #[test]
    fn json_is_the_techempower_message() {
        assert_eq!(json_body(), br#"{"message":"Hello, World!"}"#);
    }
}
