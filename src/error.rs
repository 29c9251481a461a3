/* ch07 < ch08
//! Chapter 7: what `Option` and `Result` turn into.

use crate::response::{IntoResponse, Response};

*/
// > ch08
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
//! | [`ParseIntError`], [`ParseFloatError`], [`ParseBoolError`], [`ParseCharError`], [`AddrParseError`] | `400` | which kind of value was bad, and why |
//!
//! The parse errors cannot say which parameter held the bad value, nor what it was: for a
//! path parameter, [`Ctx::param_as`](crate::app::Ctx::param_as) can, so prefer it to
//! `cx.param("id").parse()?`; for the query, [`Request::query_as`] names the field.
//!
//! The conversions are the one trait the chapter explains: `From<E> for HttpError`, which
//! `?` calls for us. The response is then made by [`IntoResponse`] like any other value,
//! and the application renders its body (plain text or JSON, see
//! [`App::handle`](crate::app::App::handle)).
//!
//! This module sits one layer above responses: it adds what `Response` knows of errors
//! ([`Response::from_error`], [`Response::error`]), the conversions that may fail or stand
//! for a failure (`HttpError`, `Option`, `Result`), [`Json::read`], which fails with an
//! `HttpError`, and [`Request::query_as`], which does too. Chapter 6's `Response` keeps the
//! error in a slot that does not name its type.

use std::borrow::Cow;
use std::char::ParseCharError;
use std::fmt;
use std::io;
use std::net::AddrParseError;
use std::num::{ParseFloatError, ParseIntError};
use std::str::ParseBoolError;

use serde::de::DeserializeOwned;
use serde_path_to_error::Segment;

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
// < ch08

// ANCHOR: option_result
/// `None` is `404 Not Found`: a handler that looks something up can return the lookup.
impl<T: IntoResponse> IntoResponse for Option<T> {
    fn into_response(self) -> Response {
        match self {
            Some(value) => value.into_response(),
            /* ch07 < ch08
            None => Response::status_page(404),
            */
            None => HttpError::from_status(404).into_response(), // > ch08
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
// > ch08

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

/// What a request knows of errors: reading its query into a type, which can fail.
impl Request<'_> {
    /// The query string deserialised as a `T`, decoded as an HTML form sends it
    /// (`application/x-www-form-urlencoded`: `+` is a space, `%20` too). A request without a
    /// query reads as an empty one, so a struct whose fields are all `Option` (or have
    /// `#[serde(default)]`) always succeeds.
    ///
    /// A query that does not fit is `400 Bad Request`, naming the parameter and the value when
    /// one is to blame (``query parameter "done": "maybe" is not valid (provided string was
    /// not `true` or `false`)``), or else saying what is wrong (``invalid query: missing
    /// field `done` ``). Parameters the type does not name are ignored, as serde ignores
    /// unknown fields, unless the type says `#[serde(deny_unknown_fields)]`: then each is a
    /// `400` too, naming the parameter. `?n=` gives an `Option<u32>` field the empty string,
    /// which is not a number: a client leaves the parameter out for `None`.
    ///
    /// ```
    /// use serde::Deserialize;
    /// use weft::prelude::*;
    /// use weft::testing::TestClient;
    ///
    /// #[derive(Deserialize)]
    /// struct Filter {
    ///     done: bool,
    ///     limit: Option<u32>,
    /// }
    ///
    /// let mut app = App::new();
    /// app.get("/todos", |request, _| -> Result<String, HttpError> {
    ///     let filter: Filter = request.query_as()?;
    ///     Ok(format!("done={} limit={:?}", filter.done, filter.limit))
    /// });
    /// let client = TestClient::new(app);
    /// assert_eq!(client.get("/todos?done=true").send().text(), "done=true limit=None");
    /// let bad = client.get("/todos?done=maybe").header("Accept", "text/plain").send();
    /// assert_eq!(bad.status(), 400);
    /// assert!(bad.text().contains(r#"query parameter "done": "maybe" is not valid"#));
    /// ```
    pub fn query_as<T: DeserializeOwned>(&self) -> Result<T, HttpError> {
        let query = self.query().unwrap_or("");
        let form = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(form).map_err(|err| {
            // A form is flat, so a value to blame is one step into the map: its key.
            let mut path = err.path().iter();
            let message = match (path.next(), path.next()) {
                (Some(Segment::Map { key }), None) => {
                    let value = self.query_param(key).unwrap_or_default();
                    let err = err.inner();
                    format!("query parameter {key:?}: {value:?} is not valid ({err})")
                }
                _ => format!("invalid query: {}", err.inner()),
            };
            HttpError::new(400, message)
        })
    }
}

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

// ANCHOR: from_parse
/// A value in the request that is not of the kind the handler expected: `400`, saying which
/// kind. These conversions let `cx.param("n").parse::<u32>()?` compile, but they assume the
/// text came from the client: a handler that parses its own data (a file, the environment)
/// should turn that failure into [`HttpError::internal`] instead.
fn bad_value(kind: &str, err: impl fmt::Display) -> HttpError {
    HttpError::new(400, format!("not a valid {kind} ({err})"))
}

impl From<ParseIntError> for HttpError {
    fn from(err: ParseIntError) -> HttpError {
        bad_value("integer", err)
    }
}
// ANCHOR_END: from_parse

impl From<ParseFloatError> for HttpError {
    fn from(err: ParseFloatError) -> HttpError {
        bad_value("number", err)
    }
}

impl From<ParseBoolError> for HttpError {
    fn from(err: ParseBoolError) -> HttpError {
        bad_value("boolean", err)
    }
}

impl From<ParseCharError> for HttpError {
    fn from(err: ParseCharError) -> HttpError {
        bad_value("character", err)
    }
}

impl From<AddrParseError> for HttpError {
    fn from(err: AddrParseError) -> HttpError {
        bad_value("network address", err)
    }
}

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

    #[test]
    fn parse_errors_are_400_and_name_the_kind() {
        // (what `?` turns the parse error into, the message)
        let cases: [(HttpError, &str); 6] = [
            (
                "seven".parse::<u32>().unwrap_err().into(),
                "not a valid integer (invalid digit found in string)",
            ),
            (
                "".parse::<i64>().unwrap_err().into(),
                "not a valid integer (cannot parse integer from empty string)",
            ),
            (
                "1.5x".parse::<f64>().unwrap_err().into(),
                "not a valid number (invalid float literal)",
            ),
            (
                "yes".parse::<bool>().unwrap_err().into(),
                "not a valid boolean (provided string was not `true` or `false`)",
            ),
            (
                "ab".parse::<char>().unwrap_err().into(),
                "not a valid character (too many characters in string)",
            ),
            (
                "10.0.0".parse::<std::net::IpAddr>().unwrap_err().into(),
                "not a valid network address (invalid IP address syntax)",
            ),
        ];
        for (err, message) in cases {
            assert_eq!((err.status(), err.message()), (400, message));
            assert_eq!(err.detail(), None);
        }
    }

    #[test]
    fn question_mark_converts_a_parse_error() {
        fn double(text: &str) -> Result<u32, HttpError> {
            Ok(text.parse::<u32>()? * 2)
        }
        assert_eq!(double("21"), Ok(42));
        assert_eq!(double("x").map_err(|e| e.status()), Err(400));
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Filter {
        done: bool,
        limit: u32,
        tag: Option<String>,
    }

    #[derive(Debug, Clone, PartialEq, serde::Deserialize)]
    struct Optional {
        tag: Option<String>,
        limit: Option<u32>,
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Strict {
        tag: Option<String>,
    }

    fn query_as<T: DeserializeOwned>(target: &str) -> Result<T, HttpError> {
        let bytes = format!("GET {target} HTTP/1.1\r\nHost: a\r\n\r\n");
        let request = Request::from_bytes(bytes.as_bytes(), &http::Limits::default()).unwrap();
        request.query_as()
    }

    #[test]
    fn query_as_deserialises_the_form() {
        let filter = |done, limit, tag: Option<&str>| Filter {
            done,
            limit,
            tag: tag.map(str::to_string),
        };
        // (target, what it reads as)
        let cases = [
            ("/t?done=true&limit=5", filter(true, 5, None)),
            (
                "/t?limit=0&done=false&tag=a+b%21",
                filter(false, 0, Some("a b!")),
            ),
            // A parameter the struct does not name is ignored.
            ("/t?done=true&limit=1&page=9", filter(true, 1, None)),
            ("/t?done=true&limit=1&tag=", filter(true, 1, Some(""))),
        ];
        for (target, expected) in cases {
            assert_eq!(query_as::<Filter>(target), Ok(expected), "{target}");
        }
        let none = Optional {
            tag: None,
            limit: None,
        };
        for target in ["/t", "/t?", "/t?other=1"] {
            assert_eq!(query_as::<Optional>(target), Ok(none.clone()), "{target}");
        }
        assert_eq!(
            query_as::<std::collections::HashMap<String, String>>("/t?a=1&b=%C3%A9")
                .unwrap()
                .get("b")
                .map(String::as_str),
            Some("é")
        );
    }

    #[test]
    fn query_as_names_the_bad_field() {
        // (target, the message of the 400)
        let cases = [
            (
                "/t?done=maybe&limit=1",
                r#"query parameter "done": "maybe" is not valid (provided string was not `true` or `false`)"#,
            ),
            (
                "/t?done=true&limit=-1",
                r#"query parameter "limit": "-1" is not valid (invalid digit found in string)"#,
            ),
            (
                "/t?done=true&limit=%2B%2B",
                r#"query parameter "limit": "++" is not valid (invalid digit found in string)"#,
            ),
            ("/t?limit=1", "invalid query: missing field `done`"),
            ("/t", "invalid query: missing field `done`"),
            (
                "/t?done=true&done=false&limit=1",
                "invalid query: duplicate field `done`",
            ),
        ];
        for (target, message) in cases {
            let err = query_as::<Filter>(target).unwrap_err();
            assert_eq!((err.status(), err.message()), (400, message), "{target}");
        }
        // `?limit=` is the empty string, not `None`.
        let err = query_as::<Optional>("/t?limit=").unwrap_err();
        assert_eq!(
            err.message(),
            r#"query parameter "limit": "" is not valid (cannot parse integer from empty string)"#
        );
        // A type that denies unknown fields names the one it did not expect.
        assert_eq!(
            query_as::<Strict>("/t?tag=x").map(|s| s.tag),
            Ok(Some("x".into()))
        );
        let err = query_as::<Strict>("/t?tag=x&page=2").unwrap_err();
        assert_eq!(
            (err.status(), err.message()),
            (
                400,
                r#"query parameter "page": "2" is not valid (unknown field `page`, expected `tag`)"#
            )
        );
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
// < ch08
