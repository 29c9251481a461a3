//! Chapter 7: what a handler may return, anything that turns into a [`Response`].
//!
//! A handler that had to build a `Response` by hand for every answer would be mostly
//! ceremony. Instead it returns whatever reads best (a string, some JSON, a status and a
//! body, a `Result`) and [`IntoResponse`] turns that into the response. The conversions are
//! deliberately few and unsurprising.
//!
/* ch07 < ch08
//! The trait sits beside `Response`, below the application: the conversions of `Option` and
//! `Result` are in [`crate::error`], which builds on this module, and the application
//! re-exports the trait as `weft::app::IntoResponse`.
*/
// > ch08
//! The trait sits beside `Response`, below errors and the application: the conversions that
//! involve failure (`HttpError`, `Option`, `Result`) and reading a JSON body ([`Json::read`])
//! are in [`crate::error`], which builds on this module, and the application re-exports the
//! trait as `weft::app::IntoResponse`.
// < ch08

use serde::Serialize;

use super::{HeaderText, Response};

// ANCHOR: trait
/// A value a handler can return: it knows how to become a [`Response`].
// What the compiler says when a handler returns a type that is not a response.
#[diagnostic::on_unimplemented(
    message = "a handler cannot return `{Self}`: it is not a response",
    label = "the handler given here returns `{Self}`",
    note = "to send a value as JSON, wrap it: `Json(value)`; to send it as text, make it a `String`"
)]
pub trait IntoResponse {
    /// Turns `self` into the response the client gets.
    fn into_response(self) -> Response;
}
// ANCHOR_END: trait

/// A value sent as JSON: `Json(value)` is `200 OK` with `Content-Type: application/json`.
///
/// A value that fails to serialise (a map with non-string keys, say) is a bug in the
/// handler and is answered `500`, as [`Response::json`] does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Json<T>(pub T);

// ANCHOR: impls
impl IntoResponse for Response {
    fn into_response(self) -> Response {
        self
    }
}

/// Text is `200 OK`, `text/plain; charset=utf-8`.
impl IntoResponse for &'static str {
    fn into_response(self) -> Response {
        Response::text(self)
    }
}

impl IntoResponse for String {
    fn into_response(self) -> Response {
        Response::text(self)
    }
}

/// Bytes are `200 OK`, `application/octet-stream`.
impl IntoResponse for Vec<u8> {
    fn into_response(self) -> Response {
        Response::bytes(self)
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        Response::json(&self.0)
    }
}

/// Nothing to say is `204 No Content`.
impl IntoResponse for () {
    fn into_response(self) -> Response {
        Response::new(204)
    }
}

/// A status with a body: `(404, "no such user")`, `(201, Json(user))`.
///
/// # Panics
/// If the status is not a three-digit code, as [`Response::with_status`] does.
impl<T: IntoResponse> IntoResponse for (u16, T) {
    fn into_response(self) -> Response {
        let (status, body) = self;
        body.into_response().with_status(status)
    }
}
// ANCHOR_END: impls

/// A status, headers and a body: `(Status::CREATED, [("Location", url)], Json(todo))`.
///
/// The headers are any list of `(name, value)` pairs (an array, a `Vec`), each part a
/// `&'static str` or a `String`. Each is set as [`Response::with_header`] sets it, replacing
/// a header of that name that the body set (so `Content-Type` can be overridden), and with
/// the same rules: the framing headers stay the server's.
///
/// ```
/// use weft::prelude::*;
///
/// let id = 7;
/// let response = (
///     Status::CREATED,
///     [("Location", format!("/todos/{id}"))],
///     Json(serde_json::json!({ "id": id })),
/// )
///     .into_response();
/// assert_eq!(response.status(), 201);
/// assert_eq!(response.header("location"), Some("/todos/7"));
/// assert_eq!(response.header("content-type"), Some("application/json"));
/// ```
///
/// # Panics
/// If the status is not a three-digit code, or a header would split the response, as
/// [`Response::with_status`] and [`Response::with_header`] do.
impl<T, H, N, V> IntoResponse for (u16, H, T)
where
    T: IntoResponse,
    H: IntoIterator<Item = (N, V)>,
    N: Into<HeaderText>,
    V: Into<HeaderText>,
{
    fn into_response(self) -> Response {
        let (status, headers, body) = self;
        let response = body.into_response().with_status(status);
        headers
            .into_iter()
            .fold(response, |response, (name, value)| {
                response.with_header(name, value)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::response::Content;

    /// The status, the Content-Type and the bytes of a response with an in-memory body.
    fn parts(value: impl IntoResponse) -> (u16, Option<String>, Vec<u8>) {
        let response = value.into_response();
        let content_type = response.header("content-type").map(str::to_string);
        let body = match response.content() {
            Content::Empty => Vec::new(),
            Content::Bytes(bytes) => bytes.clone(),
            other => panic!("unexpected content {other:?}"),
        };
        (response.status(), content_type, body)
    }

    const TEXT: Option<&str> = Some("text/plain; charset=utf-8");

    #[test]
    fn text_and_bytes() {
        assert_eq!(parts("hi"), (200, TEXT.map(Into::into), b"hi".to_vec()));
        assert_eq!(
            parts(String::from("hi")),
            (200, TEXT.map(Into::into), b"hi".to_vec())
        );
        let octets = Some("application/octet-stream".to_string());
        assert_eq!(parts(vec![0u8, 1]), (200, octets, vec![0, 1]));
    }

    #[test]
    fn json_wraps_a_serialisable_value() {
        let json = Some("application/json".to_string());
        let body = br#"{"message":"Hello, World!"}"#.to_vec();
        let value = serde_json::json!({"message": "Hello, World!"});
        assert_eq!(parts(Json(value)), (200, json, body));
        let unserialisable: std::collections::HashMap<(u8, u8), u8> = [((1, 2), 3)].into();
        assert_eq!(parts(Json(unserialisable)).0, 500);
    }

    #[test]
    fn statuses_and_unit() {
        assert_eq!(
            parts((201, "made")),
            (201, TEXT.map(Into::into), b"made".to_vec())
        );
        assert_eq!(parts(()), (204, None, Vec::new()));
        let response = (503, Response::status_page(503)).into_response();
        assert_eq!(response.status(), 503);
    }

    #[test]
    fn status_headers_and_body() {
        let text = "text/plain; charset=utf-8";
        /// A response, its status, every header in order, its body.
        type Case = (
            Response,
            u16,
            Vec<(&'static str, &'static str)>,
            &'static [u8],
        );
        let cases: [Case; 4] = [
            (
                (201, [("Location", "/todos/7".to_string())], Json(7)).into_response(),
                201,
                vec![
                    ("Content-Type", "application/json"),
                    ("Location", "/todos/7"),
                ],
                b"7",
            ),
            (
                (
                    crate::response::Status::ACCEPTED,
                    vec![("X-One", "1"), ("X-Two", "2")],
                    "queued",
                )
                    .into_response(),
                202,
                vec![("Content-Type", text), ("X-One", "1"), ("X-Two", "2")],
                b"queued",
            ),
            (
                // A header the body set is replaced, as `with_header` does.
                (200, [("content-type", "text/html")], "<p>hi</p>").into_response(),
                200,
                vec![("content-type", "text/html")],
                b"<p>hi</p>",
            ),
            (
                (404, Vec::<(String, String)>::new(), ()).into_response(),
                404,
                vec![],
                b"",
            ),
        ];
        for (response, status, headers, body) in cases {
            assert_eq!(response.headers().collect::<Vec<_>>(), headers);
            let content_type = response.header("content-type").map(str::to_string);
            assert_eq!(parts(response), (status, content_type, body.to_vec()));
        }
    }

    #[test]
    #[should_panic(expected = "holds CR, LF or NUL")]
    fn tuple_headers_cannot_split_the_response() {
        let _ = (200, [("Location", "/x\r\nSet-Cookie: a=1")], "x").into_response();
    }
}
