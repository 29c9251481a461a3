//! Chapter 8: errors as values.
//!
//! A handler that can fail returns `Result<T, HttpError>`. [`HttpError`] is a status, a
//! message the client may read, and a detail it may not: the detail (an I/O error's text,
//! a file path, a panic message) goes to the log, and to the client only when the
//! application runs with [`App::set_debug`](crate::app::App::set_debug) on.
//!
//! `?` works on the errors handlers meet most, because each has a `From` conversion that
//! decides its status once, here:
//!
//! | error | status | the client reads |
//! |---|---|---|
//! | [`std::io::Error`] from reading the body, caused by the client (too large, malformed, too slow) | its own: `413`, `400`, `408` | what was wrong |
//! | any other [`std::io::Error`] | `500` | nothing more |
//! | [`crate::http::ProtocolError`] | its own status | what was wrong |
//! | [`serde_json::Error`]: the body is not JSON | `400` | the parser's message |
//! | [`serde_json::Error`]: JSON of the wrong shape | `422` | the parser's message |
//!
//! The conversions are the one trait the chapter explains: `From<E> for HttpError`, which
//! `?` calls for us. The response is then made by [`IntoResponse`] like any other value,
//! and the application renders its body (plain text or JSON, see
//! [`App::handle`](crate::app::App::handle)).
//!
//! This module sits one layer above responses: it adds what `Response` knows of errors
//! ([`Response::from_error`], [`Response::error`]), the conversions that may fail or stand
//! for a failure (`HttpError`, `Option`, `Result`), and [`Json::read`], which fails with an
//! `HttpError`. Chapter 6's `Response` keeps the error in a slot that does not name its type.

use std::borrow::Cow;
use std::fmt;
use std::io;

use serde::de::DeserializeOwned;

use crate::http;
use crate::request::Request;
use crate::response::{reason, Content, IntoResponse, Json, Response};

// ANCHOR: http_error
/// A failure with the status it is answered with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpError {
    status: u16,
    /// What the client may read.
    message: Cow<'static, str>,
    /// What only the log (and a debug build of the application) may read.
    detail: Option<String>,
    /// Whether the detail has been logged already (a panic is logged where it is caught).
    pub(crate) logged: bool,
}
// ANCHOR_END: http_error

impl HttpError {
    /// A failure answered with `status` (400 to 599) and `message`, which the client reads.
    ///
    /// # Panics
    /// If `status` is not an error status: a bug in the handler.
    pub fn new(status: u16, message: impl Into<Cow<'static, str>>) -> HttpError {
        assert!(
            (400..=599).contains(&status),
            "{status} is not an error status"
        );
        HttpError {
            status,
            message: message.into(),
            detail: None,
            logged: false,
        }
    }

    /// A failure with nothing to say but its status: the message is the reason phrase
    /// (`Not Found`).
    pub fn from_status(status: u16) -> HttpError {
        HttpError::new(status, reason(status))
    }

    /// `500 Internal Server Error`, with `detail` for the log only.
    pub fn internal(detail: impl fmt::Display) -> HttpError {
        HttpError::from_status(500).with_detail(detail)
    }

    /// `400 Bad Request` for a missing input: `missing("query parameter q")`.
    pub fn missing(what: &str) -> HttpError {
        HttpError::new(400, format!("missing {what}"))
    }

    /// This error with `detail` attached, for the log (and the client in debug mode).
    pub fn with_detail(mut self, detail: impl fmt::Display) -> HttpError {
        self.detail = Some(detail.to_string());
        self
    }

    /// The status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The message the client reads.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The detail kept from the client, if any.
    pub fn detail(&self) -> Option<&str> {
        self.detail.as_deref()
    }
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.status, self.message)?;
        if let Some(detail) = &self.detail {
            write!(f, " ({detail})")?;
        }
        Ok(())
    }
}

impl std::error::Error for HttpError {}

// ANCHOR: into_response
/// An error becomes a response that carries the error itself: the application renders the
/// body later, when it knows what the client accepts (see [`Response::error`]).
impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        Response::from_error(self)
    }
}
// ANCHOR_END: into_response

// ANCHOR: from_error
/// What a response knows of errors. These methods are `Response`'s own, written here rather
/// than in chapter 6's module, so that the response layer does not import this one.
impl Response {
    /// The response for `error`: its status, a plain-text body for now, and the error itself,
    /// which the application uses to render the final body (plain or JSON, with a custom
    /// page) once it knows the request. See [`Response::error`].
    pub fn from_error(error: HttpError) -> Response {
        let mut response = Response::status_page(error.status());
        if error.message() != reason(error.status()) {
            let body = format!(
                "{} {}: {}\n",
                error.status(),
                reason(error.status()),
                error.message()
            );
            response = response.with_content(Content::Bytes(body.into_bytes()));
        }
        response.with_failure(error)
    }

    /// The failure this response stands for, if it was made from an [`HttpError`] and its
    /// body has not been rendered yet. The application renders it right after the handler
    /// (and again after its middleware, for an error a layer returned), so a group's layers
    /// can still tell an error from a page here; the application's layers see the page.
    pub fn error(&self) -> Option<&HttpError> {
        self.failure()
    }

    /// Takes the failure out, for the code that renders it.
    pub(crate) fn take_error(&mut self) -> Option<HttpError> {
        self.take_failure()
    }
}
// ANCHOR_END: from_error

// ANCHOR: option_result
/// `None` is `404 Not Found`: a handler that looks something up can return the lookup.
impl<T: IntoResponse> IntoResponse for Option<T> {
    fn into_response(self) -> Response {
        match self {
            Some(value) => value.into_response(),
            None => HttpError::from_status(404).into_response(),
        }
    }
}

/// Either side answers: `Ok` the usual way, `Err` by its own conversion, so the error type
/// decides its status (`Err((400, "bad id"))`).
impl<T: IntoResponse, E: IntoResponse> IntoResponse for Result<T, E> {
    fn into_response(self) -> Response {
        match self {
            Ok(value) => value.into_response(),
            Err(err) => err.into_response(),
        }
    }
}
// ANCHOR_END: option_result

// ANCHOR: read_json
impl<T: DeserializeOwned> Json<T> {
    /// Reads the request's body as JSON of type `T`: `let Json(user) = Json::read(request)?;`
    ///
    /// Fails with `415` when the body says it is not JSON (a `Content-Type` other than
    /// `application/json` or `…+json`), with `413` when it is over the body limit, `400`
    /// when it is not JSON and `422` when it is JSON of another shape (see
    /// [`HttpError`]'s conversions).
    pub fn read(request: &mut Request<'_>) -> Result<Json<T>, HttpError> {
        if let Some(content_type) = request.header("content-type") {
            let essence = content_type.split(';').next().unwrap_or("").trim();
            let essence = essence.to_ascii_lowercase();
            if essence != "application/json" && !essence.ends_with("+json") {
                let message = format!("expected a JSON body, not {essence}");
                return Err(HttpError::new(415, message));
            }
        }
        let body = request.body_bytes()?;
        Ok(Json(serde_json::from_slice(&body)?))
    }
}
// ANCHOR_END: read_json

// ANCHOR: from
impl From<io::Error> for HttpError {
    /// An I/O error caused by the client's request body keeps that error's status (a body
    /// over the limit is `413`); any other is the server's problem: `500`, detail logged.
    fn from(err: io::Error) -> HttpError {
        match err
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<http::ProtocolError>())
        {
            Some(protocol) => HttpError::from(*protocol),
            None => HttpError::internal(format_args!("I/O error: {err}")),
        }
    }
}

impl From<http::ProtocolError> for HttpError {
    /// A request that broke the protocol: its status, and what was wrong (the client's own
    /// mistake, so it may read about it).
    fn from(err: http::ProtocolError) -> HttpError {
        HttpError::new(err.status(), err.to_string())
    }
}

impl From<serde_json::Error> for HttpError {
    /// Not JSON at all is `400 Bad Request`; JSON of the wrong shape (a missing field, a
    /// string for a number) is `422 Unprocessable Content` (RFC 9110 §15.5.21). The
    /// parser's message names the line and column, which is the client's own input.
    fn from(err: serde_json::Error) -> HttpError {
        use serde_json::error::Category;
        match err.classify() {
            Category::Syntax | Category::Eof => {
                HttpError::new(400, format!("malformed JSON: {err}"))
            }
            Category::Data => HttpError::new(422, format!("unexpected JSON: {err}")),
            Category::Io => HttpError::from(io::Error::from(err)),
        }
    }
}
// ANCHOR_END: from

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_choose_the_status() {
        let too_large = io::Error::new(
            io::ErrorKind::InvalidData,
            http::ProtocolError::BodyTooLarge,
        );
        assert_eq!(HttpError::from(too_large).status(), 413);
        let disk = io::Error::new(io::ErrorKind::NotFound, "/etc/secret: no such file");
        let err = HttpError::from(disk);
        assert_eq!(
            (err.status(), err.message()),
            (500, "Internal Server Error")
        );
        assert!(err.detail().unwrap().contains("/etc/secret"));
        let syntax = serde_json::from_str::<serde_json::Value>("{,").unwrap_err();
        assert_eq!(HttpError::from(syntax).status(), 400);
        let shape = serde_json::from_str::<u32>("\"x\"").unwrap_err();
        assert_eq!(HttpError::from(shape).status(), 422);
        assert_eq!(HttpError::from(http::ProtocolError::Timeout).status(), 408);
        assert_eq!(HttpError::missing("query parameter q").status(), 400);
    }

    /// The status and the body of a response with an in-memory body.
    fn parts(value: impl IntoResponse) -> (u16, Vec<u8>) {
        let response = value.into_response();
        let body = match response.content() {
            Content::Bytes(bytes) => bytes.clone(),
            other => panic!("unexpected content {other:?}"),
        };
        (response.status(), body)
    }

    #[test]
    fn errors_become_responses_that_carry_them() {
        let mut response = HttpError::new(400, "bad id").into_response();
        assert_eq!(
            parts(HttpError::new(400, "bad id")),
            (400, b"400 Bad Request: bad id\n".to_vec())
        );
        assert_eq!(response.error().map(HttpError::message), Some("bad id"));
        assert_eq!(response.take_error().map(|e| e.status()), Some(400));
        assert!(response.error().is_none());
        assert!(Response::text("fine").error().is_none());
    }

    #[test]
    fn options_and_results_answer_with_either_side() {
        assert_eq!(parts(Some("here")), (200, b"here".to_vec()));
        assert_eq!(parts(None::<&str>), (404, b"404 Not Found\n".to_vec()));
        assert!(None::<&str>.into_response().error().is_some());
        let ok: Result<&str, (u16, String)> = Ok("fine");
        assert_eq!(parts(ok), (200, b"fine".to_vec()));
        let err: Result<&str, (u16, String)> = Err((400, "bad id".to_string()));
        assert_eq!(parts(err), (400, b"bad id".to_vec()));
        let response: Result<Response, Response> = Err(Response::status_page(503));
        assert_eq!(parts(response).0, 503);
    }

    #[test]
    #[should_panic(expected = "200 is not an error status")]
    fn only_error_statuses() {
        let _ = HttpError::new(200, "fine");
    }
}
