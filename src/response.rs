//! Chapters 5 and 6: the response a handler returns.
//!
//! A [`Response`] is a status, some headers and a [`Content`]: nothing, bytes in memory, a
//! stream of unknown length, or a file. The handler says *what* to send; the connection loop
//! decides *how* to frame it (`Content-Length` or `chunked`, or neither for `HEAD`, `204` and
//! `304`), so a handler cannot get the framing wrong. The headers that carry framing
//! (`Content-Length`, `Transfer-Encoding`) are therefore the server's alone: a handler that sets
//! them is ignored, with a debug log.
//!
// > ch07
//! What a handler returns becomes a `Response` through [`IntoResponse`] (chapter 7), which
//! lives here too, in `src/response/into_response.rs`.
// < ch07

/* ch05 < ch11
use std::borrow::Cow;
*/
use std::any::Any; // > ch08
use std::cell::Cell; // > ch11
use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use crate::http::{rules, ProtocolError};
use crate::small_list::SmallList; // > ch11

mod into_response; // > ch07
mod text; // > ch11

pub use into_response::{IntoResponse, Json}; // > ch07
pub use text::HeaderText; // > ch11

/* ch05 < ch11
/// A header name or value: borrowed when it is a literal, owned when it was built.
pub type HeaderText = Cow<'static, str>;

*/
// > ch11
// ANCHOR: header_list
/// A response's headers: the first four inline, so a response allocates nothing for them
/// when it has the `Content-Type` its constructor set and the three that chapter 9's default
/// layers add (`Vary`, `Server-Timing`, `X-Request-Id`). Each entry is 48 bytes, and a
/// `Response` is moved by value several times on its way to the writer, so not more.
pub(crate) type HeaderList = SmallList<(HeaderText, HeaderText), 4>;
// ANCHOR_END: header_list
// < ch11

// ANCHOR: content
/// What a response carries after its head.
pub enum Content {
    /// No body at all (`Content-Length: 0`).
    Empty,
    /// Bytes in memory; their length is the `Content-Length`.
    Bytes(Vec<u8>),
    // > ch11
    // ANCHOR: static_variant
    /// Bytes that live as long as the program (a literal, a `const`): sent as they are,
    /// never copied into a `Vec` first.
    Static(&'static [u8]),
    // ANCHOR_END: static_variant
    // < ch11
    /// Pieces produced one by one, total length unknown: sent `chunked`.
    Chunks(Box<dyn Iterator<Item = Vec<u8>>>),
    /// A reader of unknown length, read to its end: sent `chunked`.
    Reader(Box<dyn Read>),
    /// An open file of a known length, sent with that `Content-Length`.
    File(File, u64),
}
// ANCHOR_END: content

impl fmt::Debug for Content {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Content::Empty => f.write_str("Empty"),
            Content::Bytes(bytes) => write!(f, "Bytes({} bytes)", bytes.len()),
            Content::Static(bytes) => write!(f, "Static({} bytes)", bytes.len()), // > ch11
            Content::Chunks(_) => f.write_str("Chunks(..)"),
            Content::Reader(_) => f.write_str("Reader(..)"),
            Content::File(_, len) => write!(f, "File({len} bytes)"),
        }
    }
}

// ANCHOR: response
/// An HTTP response: status, headers and content.
#[derive(Debug)]
pub struct Response {
    status: u16,
    /* ch05 < ch11
    headers: Vec<(HeaderText, HeaderText)>,
    */
    headers: HeaderList, // > ch11
    content: Content,
    // > ch08
    /// The failure this response stands for, until the application renders its body
    /// (chapter 8). Type-erased, so that this chapter's type names nothing from the
    /// chapters above it; boxed twice, so that the slot is one thin pointer (8 bytes) in a
    /// value moved several times per request, and `None` costs no allocation.
    failure: Option<Box<Box<dyn Any>>>,
    // < ch08
}
// ANCHOR_END: response

impl Response {
    /// An empty response with `status`.
    ///
    /// # Panics
    /// If `status` is not a three-digit code (RFC 9110 §15): a bug in the handler.
    pub fn new(status: u16) -> Response {
        assert!(
            (100..=999).contains(&status),
            "{status} is not a status code"
        );
        Response {
            status,
            /* ch05 < ch11
            headers: Vec::new(),
            */
            headers: HeaderList::new(), // > ch11
            content: Content::Empty,
            failure: None, // > ch08
        }
    }

    // > ch08
    // ANCHOR: failure
    /// This response, standing for `failure`: a value the application looks at before the
    /// response is sent. Chapter 8's [`Response::from_error`] keeps its `HttpError` here.
    pub(crate) fn with_failure<T: Any>(mut self, failure: T) -> Response {
        self.failure = Some(Box::new(Box::new(failure)));
        self
    }

    /// The failure this response stands for, if there is one of type `T`.
    pub(crate) fn failure<T: Any>(&self) -> Option<&T> {
        let failure: &dyn Any = &**self.failure.as_deref()?;
        failure.downcast_ref()
    }

    /// Takes the failure out if it is of type `T`, for the code that renders it.
    pub(crate) fn take_failure<T: Any>(&mut self) -> Option<T> {
        // Checked first, so that a failure of another type stays where it is.
        self.failure::<T>()?;
        let failure: Box<dyn Any> = *self.failure.take()?;
        failure.downcast().ok().map(|failure| *failure)
    }
    // ANCHOR_END: failure
    // < ch08

    // ANCHOR: constructors
    /// `200 OK` with a plain-text body.
    pub fn text(body: impl Into<String>) -> Response {
        Response::new(200)
            .with_header("Content-Type", "text/plain; charset=utf-8")
            .with_content(Content::Bytes(body.into().into_bytes()))
    }

    // > ch11
    // ANCHOR: static_text
    /// `200 OK` with a plain-text body that lives as long as the program, such as a string
    /// literal: unlike [`Response::text`], it is never copied.
    pub fn static_text(body: &'static str) -> Response {
        Response::new(200)
            .with_header("Content-Type", "text/plain; charset=utf-8")
            .with_content(Content::Static(body.as_bytes()))
    }
    // ANCHOR_END: static_text
    // < ch11

    /// `200 OK` with a body of bytes, as `application/octet-stream` unless a `Content-Type`
    /// is set afterwards.
    pub fn bytes(body: impl Into<Vec<u8>>) -> Response {
        Response::new(200)
            .with_header("Content-Type", "application/octet-stream")
            .with_content(Content::Bytes(body.into()))
    }

    // > ch06
    /// `200 OK` with `value` serialised as JSON; a value that fails to serialise (a map with
    /// non-string keys, say) is a bug in the handler, answered `500`.
    /* ch06 < ch11
    pub fn json<T: serde::Serialize + ?Sized>(value: &T) -> Response {
        match serde_json::to_vec(value) {
            Ok(body) => Response::new(200)
                .with_header("Content-Type", "application/json")
                .with_content(Content::Bytes(body)),
            Err(err) => {
                log::error!("cannot serialise a JSON response: {err}");
                Response::status_page(500)
            }
        }
    }
    */
    // > ch11
    ///
    /// The body is serialised into a buffer that the writer gave back after sending an
    /// earlier response on this thread, when there is one, so that once the first has been
    /// sent a JSON response allocates nothing.
    pub fn json<T: serde::Serialize + ?Sized>(value: &T) -> Response {
        let mut body = SPARE_BODY.with(Cell::take);
        // The first JSON body on a thread: room for a small one, as `serde_json::to_vec` gives.
        body.reserve(128);
        match serde_json::to_writer(&mut body, value) {
            Ok(()) => Response::new(200)
                .with_header("Content-Type", "application/json")
                .with_content(Content::Bytes(body)),
            Err(err) => {
                log::error!("cannot serialise a JSON response: {err}");
                recycle(body);
                Response::status_page(500)
            }
        }
    }
    // < ch11
    // < ch06

    /// `200 OK` streaming each piece `pieces` yields, as a chunked body (to HTTP/1.1 clients).
    pub fn chunks<I>(pieces: I) -> Response
    where
        I: IntoIterator + 'static,
        I::Item: Into<Vec<u8>>,
    {
        let pieces = pieces.into_iter().map(Into::into);
        Response::new(200)
            .with_header("Content-Type", "application/octet-stream")
            .with_content(Content::Chunks(Box::new(pieces)))
    }

    /// `200 OK` streaming everything `reader` yields, as a chunked body.
    pub fn reader(reader: impl Read + 'static) -> Response {
        Response::new(200)
            .with_header("Content-Type", "application/octet-stream")
            .with_content(Content::Reader(Box::new(reader)))
    }

    /// `200 OK` with the file at `path`, its `Content-Type` guessed from its extension.
    pub fn file(path: impl AsRef<Path>) -> io::Result<Response> {
        let path = path.as_ref();
        let file = File::open(path)?;
        let metadata = file.metadata()?;
        if !metadata.is_file() {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a file"));
        }
        Ok(Response::new(200)
            .with_header("Content-Type", content_type(path))
            .with_content(Content::File(file, metadata.len())))
    }
    // ANCHOR_END: constructors

    /// A short plain-text page for `status`: `404 Not Found`.
    pub fn status_page(status: u16) -> Response {
        Response::text(format!("{status} {}\n", reason(status))).with_status(status)
    }

    /// The answer to a request that broke the protocol: its status, and what was wrong.
    pub fn for_protocol_error(err: ProtocolError) -> Response {
        let status = err.status();
        Response::text(format!("{status} {}: {err}\n", reason(status))).with_status(status)
    }

    /// This response with another status (a three-digit code, as for [`Response::new`]).
    pub fn with_status(mut self, status: u16) -> Response {
        assert!(
            (100..=999).contains(&status),
            "{status} is not a status code"
        );
        self.status = status;
        self
    }

    /// This response with another content.
    pub fn with_content(mut self, content: Content) -> Response {
        self.content = content;
        self
    }

    // ANCHOR: with_header
    /// This response with header `name: value` added, or replacing a header of that name
    /// (any case) that a constructor set, such as `Content-Type`.
    ///
    /// # Panics
    /// If `name` is not a token or `value` holds a CR, LF or NUL: written out, such a header
    /// would end the head early and let whoever chose the value write their own response
    /// ("response splitting"). That is a bug in the handler, caught here.
    pub fn with_header(
        mut self,
        name: impl Into<HeaderText>,
        value: impl Into<HeaderText>,
    ) -> Response {
        let (name, value) = checked_header(name.into(), value.into());
        self.headers
            .retain(|(old, _)| !old.eq_ignore_ascii_case(&name));
        self.headers.push((name, value));
        self
    }
    // ANCHOR_END: with_header

    /// This response with header `name: value` added, even if one of that name is already set
    /// (for headers that repeat, such as `Set-Cookie`). Same rules as [`Response::with_header`].
    pub fn with_added_header(
        mut self,
        name: impl Into<HeaderText>,
        value: impl Into<HeaderText>,
    ) -> Response {
        self.headers.push(checked_header(name.into(), value.into()));
        self
    }

    /// This response without any header called `name` (any case).
    pub fn without_header(mut self, name: &str) -> Response {
        self.headers
            .retain(|(old, _)| !old.eq_ignore_ascii_case(name));
        self
    }

    /// Takes the content out, leaving [`Content::Empty`]: for middleware that transforms a
    /// body (compression) and puts the result back with [`Response::with_content`].
    pub fn take_content(&mut self) -> Content {
        std::mem::replace(&mut self.content, Content::Empty)
    }

    /// The status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_ref())
    }

    /// Every header, in the order set.
    pub fn headers(&self) -> impl Iterator<Item = (&str, &str)> {
        self.headers.iter().map(|(k, v)| (k.as_ref(), v.as_ref()))
    }

    /// The content.
    pub fn content(&self) -> &Content {
        &self.content
    }

    /// Takes the response apart, for the code that writes it.
    pub fn into_parts(self) -> (u16, Vec<(HeaderText, HeaderText)>, Content) {
        /* ch05 < ch11
        (self.status, self.headers, self.content)
        */
        (self.status, self.headers.into_vec(), self.content) // > ch11
    }
    // > ch11

    /// Takes the response apart without moving its headers into a `Vec`, for the writer.
    pub(crate) fn into_raw_parts(self) -> (u16, HeaderList, Content) {
        (self.status, self.headers, self.content)
    }
    // < ch11
}

// > ch11
// ANCHOR: recycle
thread_local! {
    /// A body buffer given back by the writer, for the next [`Response::json`] on this thread
    /// (each worker serialises a response and writes it on the same thread).
    static SPARE_BODY: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
}

/// The largest buffer kept for reuse: a worker holds at most one, so a few kilobytes per
/// worker at most, and a larger body is rare enough that its allocation does not matter.
const SPARE_MAX: usize = 16 * 1024;

/// Chapter 11: keeps `bytes`, a body that has been sent, for this thread's next
/// [`Response::json`], so that a JSON response costs no allocation once the first has been
/// made. The larger of the buffers offered is kept, up to [`SPARE_MAX`].
pub(crate) fn recycle(mut bytes: Vec<u8>) {
    if bytes.capacity() > SPARE_MAX {
        return;
    }
    bytes.clear();
    SPARE_BODY.with(|spare| {
        let kept = spare.take();
        spare.set(if kept.capacity() >= bytes.capacity() {
            kept
        } else {
            bytes
        });
    });
}
// ANCHOR_END: recycle
// < ch11

// ANCHOR: checked_header
/// `(name, value)`, after checking that writing them out cannot split the response.
fn checked_header(name: HeaderText, value: HeaderText) -> (HeaderText, HeaderText) {
    assert!(
        rules::is_token(&name),
        "header name {name:?} is not a token"
    );
    assert!(
        !value.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0)),
        "header value {value:?} holds CR, LF or NUL"
    );
    (name, value)
}
// ANCHOR_END: checked_header

// > ch07
/// Names for the status codes [`reason`] knows: `(Status::CREATED, Json(todo))` reads better
/// than `(201, Json(todo))`, and both work.
///
/// An enum with no variants, so it is never a value, only a place for the constants; and the
/// constants are plain `u16`s, so every API that takes a status (`(u16, T)`,
/// [`Response::new`], [`Response::with_status`], `HttpError::new`) takes them unchanged, and
/// numbers keep working beside them. A newtype (or the `http` crate's `StatusCode`) would
/// make every one of those APIs change, or convert, and bring in a crate for a table of
/// numbers. A misspelt name still fails to compile, which is what names are for; what a
/// `u16` cannot stop is a code out of range, and the constructors check that already.
///
/// ```
/// use weft::prelude::*;
///
/// let response = (Status::CREATED, "made").into_response();
/// assert_eq!(response.status(), 201);
/// assert_eq!(Status::NOT_FOUND, 404);
/// ```
#[derive(Debug)]
pub enum Status {}

impl Status {
    /// `100 Continue`.
    pub const CONTINUE: u16 = 100;
    /// `101 Switching Protocols`.
    pub const SWITCHING_PROTOCOLS: u16 = 101;
    /// `200 OK`.
    pub const OK: u16 = 200;
    /// `201 Created`.
    pub const CREATED: u16 = 201;
    /// `202 Accepted`.
    pub const ACCEPTED: u16 = 202;
    /// `204 No Content`.
    pub const NO_CONTENT: u16 = 204;
    /// `206 Partial Content`.
    pub const PARTIAL_CONTENT: u16 = 206;
    /// `301 Moved Permanently`.
    pub const MOVED_PERMANENTLY: u16 = 301;
    /// `302 Found`.
    pub const FOUND: u16 = 302;
    /// `303 See Other`.
    pub const SEE_OTHER: u16 = 303;
    /// `304 Not Modified`.
    pub const NOT_MODIFIED: u16 = 304;
    /// `307 Temporary Redirect`.
    pub const TEMPORARY_REDIRECT: u16 = 307;
    /// `308 Permanent Redirect`.
    pub const PERMANENT_REDIRECT: u16 = 308;
    /// `400 Bad Request`.
    pub const BAD_REQUEST: u16 = 400;
    /// `401 Unauthorized`.
    pub const UNAUTHORIZED: u16 = 401;
    /// `403 Forbidden`.
    pub const FORBIDDEN: u16 = 403;
    /// `404 Not Found`.
    pub const NOT_FOUND: u16 = 404;
    /// `405 Method Not Allowed`.
    pub const METHOD_NOT_ALLOWED: u16 = 405;
    /// `408 Request Timeout`.
    pub const REQUEST_TIMEOUT: u16 = 408;
    /// `409 Conflict`.
    pub const CONFLICT: u16 = 409;
    /// `411 Length Required`.
    pub const LENGTH_REQUIRED: u16 = 411;
    /// `413 Content Too Large`.
    pub const CONTENT_TOO_LARGE: u16 = 413;
    /// `414 URI Too Long`.
    pub const URI_TOO_LONG: u16 = 414;
    /// `415 Unsupported Media Type`.
    pub const UNSUPPORTED_MEDIA_TYPE: u16 = 415;
    /// `416 Range Not Satisfiable`.
    pub const RANGE_NOT_SATISFIABLE: u16 = 416;
    /// `417 Expectation Failed`.
    pub const EXPECTATION_FAILED: u16 = 417;
    /// `418 I'm a teapot` (RFC 2324; RFC 9110 §15.5.19 keeps the code from other uses).
    pub const IM_A_TEAPOT: u16 = 418;
    /// `422 Unprocessable Content`.
    pub const UNPROCESSABLE_CONTENT: u16 = 422;
    /// `429 Too Many Requests`.
    pub const TOO_MANY_REQUESTS: u16 = 429;
    /// `431 Request Header Fields Too Large`.
    pub const REQUEST_HEADER_FIELDS_TOO_LARGE: u16 = 431;
    /// `500 Internal Server Error`.
    pub const INTERNAL_SERVER_ERROR: u16 = 500;
    /// `501 Not Implemented`.
    pub const NOT_IMPLEMENTED: u16 = 501;
    /// `502 Bad Gateway`.
    pub const BAD_GATEWAY: u16 = 502;
    /// `503 Service Unavailable`.
    pub const SERVICE_UNAVAILABLE: u16 = 503;
    /// `504 Gateway Timeout`.
    pub const GATEWAY_TIMEOUT: u16 = 504;
    /// `505 HTTP Version Not Supported`.
    pub const HTTP_VERSION_NOT_SUPPORTED: u16 = 505;
}
// < ch07

/// A `Content-Type` for a file, from its extension; `application/octet-stream` when the
/// extension is not in this small table.
pub fn content_type(path: &Path) -> &'static str {
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    match extension.to_ascii_lowercase().as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "txt" | "md" | "rs" | "toml" => "text/plain; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "wasm" => "application/wasm",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        _ => "application/octet-stream",
    }
}

/// The reason phrase for a status code (RFC 9110 §15), or "" for one we do not name.
pub fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        101 => "Switching Protocols",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        206 => "Partial Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        411 => "Length Required",
        413 => "Content Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Range Not Satisfiable",
        417 => "Expectation Failed",
        418 => "I'm a teapot",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constructors_set_type_and_content() {
        let text = Response::text("hi");
        assert_eq!(
            text.header("content-type"),
            Some("text/plain; charset=utf-8")
        );
        assert!(matches!(text.content(), Content::Bytes(b) if b == b"hi"));
        // > ch06
        let json = Response::json(&serde_json::json!({"n": 1}));
        assert!(matches!(json.content(), Content::Bytes(b) if b == br#"{"n":1}"#));
        // < ch06
        // > ch11
        let literal = Response::static_text("hi");
        assert_eq!(literal.header("content-type"), text.header("content-type"));
        assert!(matches!(literal.content(), Content::Static(b) if b == b"hi"));
        // < ch11
        let page = Response::status_page(404);
        assert_eq!(page.status(), 404);
        assert!(matches!(page.content(), Content::Bytes(b) if b == b"404 Not Found\n"));
    }

    #[test]
    fn with_header_replaces_and_added_header_repeats() {
        let response = Response::text("x")
            .with_header("content-type", "text/html")
            .with_added_header("Set-Cookie", "a=1")
            .with_added_header("Set-Cookie", "b=2");
        let headers: Vec<(&str, &str)> = response.headers().collect();
        assert_eq!(
            headers,
            [
                ("content-type", "text/html"),
                ("Set-Cookie", "a=1"),
                ("Set-Cookie", "b=2")
            ]
        );
    }

    #[test]
    #[should_panic(expected = "holds CR, LF or NUL")]
    fn header_values_cannot_split_the_response() {
        let _ = Response::new(200).with_header("Location", "/x\r\nSet-Cookie: evil=1");
    }

    // > ch07
    #[test]
    fn every_named_status_has_a_reason_and_every_reason_a_name() {
        let named = [
            Status::CONTINUE,
            Status::SWITCHING_PROTOCOLS,
            Status::OK,
            Status::CREATED,
            Status::ACCEPTED,
            Status::NO_CONTENT,
            Status::PARTIAL_CONTENT,
            Status::MOVED_PERMANENTLY,
            Status::FOUND,
            Status::SEE_OTHER,
            Status::NOT_MODIFIED,
            Status::TEMPORARY_REDIRECT,
            Status::PERMANENT_REDIRECT,
            Status::BAD_REQUEST,
            Status::UNAUTHORIZED,
            Status::FORBIDDEN,
            Status::NOT_FOUND,
            Status::METHOD_NOT_ALLOWED,
            Status::REQUEST_TIMEOUT,
            Status::CONFLICT,
            Status::LENGTH_REQUIRED,
            Status::CONTENT_TOO_LARGE,
            Status::URI_TOO_LONG,
            Status::UNSUPPORTED_MEDIA_TYPE,
            Status::RANGE_NOT_SATISFIABLE,
            Status::EXPECTATION_FAILED,
            Status::IM_A_TEAPOT,
            Status::UNPROCESSABLE_CONTENT,
            Status::TOO_MANY_REQUESTS,
            Status::REQUEST_HEADER_FIELDS_TOO_LARGE,
            Status::INTERNAL_SERVER_ERROR,
            Status::NOT_IMPLEMENTED,
            Status::BAD_GATEWAY,
            Status::SERVICE_UNAVAILABLE,
            Status::GATEWAY_TIMEOUT,
            Status::HTTP_VERSION_NOT_SUPPORTED,
        ];
        for status in named {
            assert_ne!(reason(status), "", "{status}");
        }
        let known = (100..=999).filter(|&code| !reason(code).is_empty()).count();
        assert_eq!(named.len(), known);
        assert_eq!(
            (Status::OK, Status::CREATED, Status::NOT_FOUND),
            (200, 201, 404)
        );
    }
    // < ch07

    #[test]
    fn file_of_a_directory_is_refused() {
        assert!(Response::file(".").is_err());
        assert!(Response::file("no/such/file").is_err());
    }
}
