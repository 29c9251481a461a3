//! Chapter 8: errors as values.
//!
//! A handler that can fail returns `Result<T, HttpError>`. [`HttpError`] is a status, a
//! message the client may read, and a detail it may not: the detail (an I/O error's text,
//! a file path, a panic message) goes to the log, and to the client only when the
//! application runs with [`App::debug`](crate::app::App::debug) on.
//!
//! `?` works on the errors handlers meet most, because each has a `From` conversion that
//! decides its status once, here:
//!
//! | error | status | the client reads |
//! |---|---|---|
//! | [`std::io::Error`] from reading the body, caused by the client (too large, malformed, too slow) | its own: `413`, `400`, `408` | what was wrong |
//! | any other [`std::io::Error`] | `500` | nothing more |
//! | [`crate::http::Error`] | its own status | what was wrong |
//! | [`serde_json::Error`]: the body is not JSON | `400` | the parser's message |
//! | [`serde_json::Error`]: JSON of the wrong shape | `422` | the parser's message |
//!
//! The conversions are the one trait the chapter explains: `From<E> for HttpError`, which
//! `?` calls for us. The response is then made by [`IntoResponse`] like any other value,
//! and the application renders its body (plain text or JSON, see
//! [`App::handle`](crate::app::App::handle)).

use std::borrow::Cow;
use std::fmt;
use std::io;

use crate::app::IntoResponse;
use crate::http;
use crate::response::{reason, Response};

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
/// body later, when it knows what the client accepts (see
/// [`Response::error`](crate::response::Response::error)).
impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        Response::from_error(self)
    }
}
// ANCHOR_END: into_response

// ANCHOR: from
impl From<io::Error> for HttpError {
    /// An I/O error caused by the client's request body keeps that error's status (a body
    /// over the limit is `413`); any other is the server's problem: `500`, detail logged.
    fn from(err: io::Error) -> HttpError {
        match err
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<http::Error>())
        {
            Some(protocol) => HttpError::from(*protocol),
            None => HttpError::internal(format_args!("I/O error: {err}")),
        }
    }
}

impl From<http::Error> for HttpError {
    /// A request that broke the protocol: its status, and what was wrong (the client's own
    /// mistake, so it may read about it).
    fn from(err: http::Error) -> HttpError {
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
        let too_large = io::Error::new(io::ErrorKind::InvalidData, http::Error::BodyTooLarge);
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
        assert_eq!(HttpError::from(http::Error::Timeout).status(), 408);
        assert_eq!(HttpError::missing("query parameter q").status(), 400);
    }

    #[test]
    #[should_panic(expected = "200 is not an error status")]
    fn only_error_statuses() {
        let _ = HttpError::new(200, "fine");
    }
}
