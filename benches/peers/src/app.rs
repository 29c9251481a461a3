//! The app every peer serves, in the TechEmpower style.
//!
//! - `GET /plaintext` and `GET /` answer `Hello, World!` as `text/plain`;
//! - `GET /json` answers `{"message":"Hello, World!"}` as `application/json`, serialized with
//!   serde_json on every request (TechEmpower's rules forbid caching the serialized bytes);
//! - anything else is a 404.
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
    fn json_is_the_techempower_message() {
        assert_eq!(json_body(), br#"{"message":"Hello, World!"}"#);
    }
}
