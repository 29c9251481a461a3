//! Chapters 8 and 9: a test client that runs requests through an [`App`] in the test's own
//! thread, without a socket, so that handlers and middleware can be unit-tested as in a
//! mature framework:
//!
//! ```
//! use weft::app::App;
//! use weft::testing::TestClient;
//!
//! let mut app = App::new();
//! app.get("/hello", |_, _| "Hello, World!");
//! let client = TestClient::new(app);
//! let response = client.get("/hello").header("Accept", "text/plain").send();
//! assert_eq!(response.status(), 200);
//! assert_eq!(response.text(), "Hello, World!");
//! ```
//!
//! The request is written out as HTTP/1.1 bytes and parsed by the same parser as the
//! server's, so what reaches the handler is what a real client's request would be. What the
//! client gets is the response as the application made it, with streamed bodies read to
//! their end. The request takes the connection loop's path through the application: a body
//! over the limit or with broken framing gets the application's own error answer, as over a
//! socket. The connection loop's own work (framing, `Date`, `Connection`) is not done,
//! which is what sockets-based tests in `tests/` are for.
//!
//! Each method has its shortcut ([`TestClient::get`], `post`, `put`, `patch`, `delete`,
//! `head`, `options`). The checks on a response ([`TestResponse::json`], `text`,
//! `assert_status`, `assert_header`) panic at the test's own line, with a message that shows
//! the response's status, headers and the start of its body: a test that expected JSON and
//! got an error page shows the page.

use std::fmt;
use std::io::Read;

use serde::de::DeserializeOwned;

use crate::app::App;
use crate::http::ProtocolError;
use crate::request::Request;
use crate::response::{reason, Content, Response};
use crate::server::conn;

// ANCHOR: client
/// Runs requests through an application, in process.
#[derive(Debug)]
pub struct TestClient<S = ()> {
    app: App<S>,
}

impl<S: Send + Sync + 'static> TestClient<S> {
    /// A client for `app`.
    pub fn new(app: App<S>) -> TestClient<S> {
        TestClient { app }
    }

    /// The application, to reach its state.
    pub fn app(&self) -> &App<S> {
        &self.app
    }

    /// A `GET` request for `target` (a path, with a query if wanted).
    pub fn get(&self, target: &str) -> TestRequest<'_, S> {
        self.request("GET", target)
    }

    /// A `POST` request for `target`; add a body with [`TestRequest::body`].
    pub fn post(&self, target: &str) -> TestRequest<'_, S> {
        self.request("POST", target)
    }

    /// A request with any method.
    pub fn request(&self, method: &str, target: &str) -> TestRequest<'_, S> {
        TestRequest {
            client: self,
            method: method.to_string(),
            target: target.to_string(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }
}

/// A request being built; [`TestRequest::send`] runs it.
#[derive(Debug)]
pub struct TestRequest<'c, S> {
    client: &'c TestClient<S>,
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl<S: Send + Sync + 'static> TestRequest<'_, S> {
    /// Adds header `name: value`.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// Sets the body (sent with its `Content-Length`).
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    /// Sets a JSON body and `Content-Type: application/json`.
    ///
    /// # Panics
    /// If `value` does not serialise (a map with non-string keys, say).
    #[track_caller]
    pub fn json(self, value: &impl serde::Serialize) -> Self {
        let body = serde_json::to_vec(value).expect("a test value serialises");
        self.header("Content-Type", "application/json").body(body)
    }

    /// Runs the request through the application and returns its response.
    ///
    /// # Panics
    /// If the request does not parse (a bad method or header in the test itself).
    pub fn send(self) -> TestResponse {
        let mut bytes = format!("{} {} HTTP/1.1\r\nHost: test\r\n", self.method, self.target);
        for (name, value) in &self.headers {
            bytes.push_str(&format!("{name}: {value}\r\n"));
        }
        if !self.body.is_empty() {
            bytes.push_str(&format!("Content-Length: {}\r\n", self.body.len()));
        }
        bytes.push_str("\r\n");
        let mut bytes = bytes.into_bytes();
        bytes.extend_from_slice(&self.body);
        let app = &self.client.app;
        let limits = app.limits();
        // As the connection loop does: a body announced over the limit is refused by the
        // application, unread; a head that does not parse gets the server's plain answer.
        let (parsed, refusal) = match Request::from_bytes(&bytes, limits) {
            Err(ProtocolError::BodyTooLarge) => (
                Request::from_bytes(&bytes, &conn::without_body_limit(limits)),
                Some(ProtocolError::BodyTooLarge),
            ),
            parsed => (parsed, None),
        };
        let response = match parsed {
            Err(err) => Response::for_protocol_error(err),
            Ok(mut request) => conn::answer(app, &mut request, refusal, limits.max_drain).0,
        };
        TestResponse::from_response(response, self.method == "HEAD")
    }
}
// ANCHOR_END: client

// The other methods' shortcuts, the same as `get` and `post`, kept out of chapter 8's listing.
impl<S: Send + Sync + 'static> TestClient<S> {
    /// A `PUT` request for `target`; add a body with [`TestRequest::json`] or
    /// [`TestRequest::body`].
    ///
    /// ```
    /// # use weft::prelude::*;
    /// # use weft::testing::TestClient;
    /// let mut app = App::new();
    /// app.put("/items/:id", |_, cx| format!("stored {}", cx.param("id")));
    /// let client = TestClient::new(app);
    /// let response = client.put("/items/7").json(&serde_json::json!({ "name": "pen" })).send();
    /// assert_eq!(response.assert_status(200).text(), "stored 7");
    /// ```
    pub fn put(&self, target: &str) -> TestRequest<'_, S> {
        self.request("PUT", target)
    }

    /// A `PATCH` request for `target`; add a body with [`TestRequest::json`] or
    /// [`TestRequest::body`].
    ///
    /// ```
    /// # use weft::prelude::*;
    /// # use weft::testing::TestClient;
    /// let mut app = App::new();
    /// app.patch("/items/:id", |_, cx| format!("changed {}", cx.param("id")));
    /// let client = TestClient::new(app);
    /// let response = client.patch("/items/7").json(&serde_json::json!({ "done": true })).send();
    /// assert_eq!(response.assert_status(200).text(), "changed 7");
    /// ```
    pub fn patch(&self, target: &str) -> TestRequest<'_, S> {
        self.request("PATCH", target)
    }

    /// A `DELETE` request for `target`.
    ///
    /// ```
    /// # use weft::prelude::*;
    /// # use weft::testing::TestClient;
    /// let mut app = App::new();
    /// app.delete("/items/:id", |_, _| ()); // 204 No Content
    /// let client = TestClient::new(app);
    /// client.delete("/items/7").send().assert_status(204);
    /// ```
    pub fn delete(&self, target: &str) -> TestRequest<'_, S> {
        self.request("DELETE", target)
    }

    /// A `HEAD` request for `target`: the response has the `GET` route's headers and an
    /// empty body, as a real client would receive it.
    ///
    /// ```
    /// # use weft::prelude::*;
    /// # use weft::testing::TestClient;
    /// let mut app = App::new();
    /// app.get("/hello", |_, _| "Hello, World!");
    /// let client = TestClient::new(app);
    /// let response = client.head("/hello").send().assert_status(200);
    /// assert!(response.bytes().is_empty());
    /// ```
    pub fn head(&self, target: &str) -> TestRequest<'_, S> {
        self.request("HEAD", target)
    }

    /// An `OPTIONS` request for `target`, which the application answers with the methods
    /// the path allows.
    ///
    /// ```
    /// # use weft::prelude::*;
    /// # use weft::testing::TestClient;
    /// let mut app = App::new();
    /// app.get("/hello", |_, _| "Hello, World!");
    /// let client = TestClient::new(app);
    /// let response = client.options("/hello").send();
    /// assert!(response.header("allow").unwrap().contains("GET"));
    /// ```
    pub fn options(&self, target: &str) -> TestRequest<'_, S> {
        self.request("OPTIONS", target)
    }
}

/// A response, with its body read into memory.
#[derive(Debug, Clone)]
pub struct TestResponse {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl TestResponse {
    fn from_response(response: Response, head: bool) -> TestResponse {
        let (status, headers, content) = response.into_parts();
        let mut body = Vec::new();
        match content {
            Content::Empty => {}
            Content::Bytes(bytes) => body = bytes,
            Content::Static(bytes) => body = bytes.to_vec(), // > ch11
            Content::Chunks(chunks) => chunks.for_each(|piece| body.extend(piece)),
            Content::Reader(mut reader) => {
                reader.read_to_end(&mut body).expect("the body reads");
            }
            Content::File(mut file, _) => {
                file.read_to_end(&mut body).expect("the file reads");
            }
        }
        if head || !crate::http::rules::status_has_body(status) {
            body.clear();
        }
        let headers = headers
            .into_iter()
            .map(|(name, value)| (name.into_owned(), value.into_owned()))
            .collect();
        TestResponse {
            status,
            headers,
            body,
        }
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
            .map(|(_, value)| value.as_str())
    }

    /// Every header, in order.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The body's bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.body
    }

    /// The body as text.
    ///
    /// # Panics
    /// If the body is not UTF-8; the message shows the response (see [`TestResponse`]'s
    /// `Display`) and points at the caller's line.
    #[track_caller]
    pub fn text(&self) -> &str {
        match std::str::from_utf8(&self.body) {
            Ok(text) => text,
            Err(err) => panic!("expected a UTF-8 body ({err}), got {self}"),
        }
    }

    /// The body parsed as JSON of type `T`.
    ///
    /// ```
    /// # use weft::prelude::*;
    /// # use weft::testing::TestClient;
    /// let mut app = App::new();
    /// app.get("/items/:id", |_, cx| Json(serde_json::json!({ "id": cx.param("id") })));
    /// let client = TestClient::new(app);
    /// let item: serde_json::Value = client.get("/items/7").send().json();
    /// assert_eq!(item["id"], "7");
    /// ```
    ///
    /// # Panics
    /// If the body is not JSON of type `T`. The message says why and shows the response's
    /// status, headers and the start of its body, so that a test that expected JSON and
    /// got an error page shows the page:
    ///
    /// ```text
    /// expected a JSON body as serde_json::value::Value (trailing characters at line 1 column 5), got 404 Not Found
    /// Content-Type: text/plain; charset=utf-8
    ///
    /// 404 Not Found
    /// ```
    #[track_caller]
    pub fn json<T: DeserializeOwned>(&self) -> T {
        match serde_json::from_slice(&self.body) {
            Ok(value) => value,
            Err(err) => panic!(
                "expected a JSON body as {} ({err}), got {self}",
                std::any::type_name::<T>()
            ),
        }
    }

    /// Checks that the status is `status`, and returns the response for more checks:
    /// `let todo: Todo = client.get("/todos/1").send().assert_status(200).json();`
    ///
    /// ```
    /// # use weft::prelude::*;
    /// # use weft::testing::TestClient;
    /// let mut app = App::new();
    /// app.post("/todos", |_, _| (201, "created"));
    /// let client = TestClient::new(app);
    /// let response = client.post("/todos").send().assert_status(201);
    /// assert_eq!(response.text(), "created");
    /// ```
    ///
    /// # Panics
    /// If the status differs; the message shows the response, as [`TestResponse::json`]'s
    /// does, and points at the caller's line.
    #[track_caller]
    pub fn assert_status(self, status: u16) -> Self {
        if self.status != status {
            panic!("expected status {status}, got {self}");
        }
        self
    }

    /// Checks that header `name` (any case) has the value `value`, and returns the response
    /// for more checks.
    ///
    /// ```
    /// # use weft::prelude::*;
    /// # use weft::testing::TestClient;
    /// let mut app = App::new();
    /// app.get("/items/7", |_, _| Json(serde_json::json!({ "id": 7 })));
    /// let client = TestClient::new(app);
    /// client
    ///     .get("/items/7")
    ///     .send()
    ///     .assert_status(200)
    ///     .assert_header("Content-Type", "application/json");
    /// ```
    ///
    /// # Panics
    /// If the header is missing or has another value; the message shows the response and
    /// points at the caller's line.
    #[track_caller]
    pub fn assert_header(self, name: &str, value: &str) -> Self {
        if self.header(name) != Some(value) {
            panic!("expected header {name}: {value}, got {self}");
        }
        self
    }
}

/// How many bytes of the body a failure message shows: enough for an error page or the
/// start of a JSON document, not a screenful of a large body.
const SHOWN_BODY: usize = 512;

/// The response as a failure message shows it: the status line, the headers, a blank line
/// and the start of the body (its first 512 bytes, lossily as UTF-8, with "…" when cut).
/// The test's own assertions can use it too: `assert!(ok, "{response}")`.
impl fmt::Display for TestResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.status)?;
        let phrase = reason(self.status);
        if !phrase.is_empty() {
            write!(f, " {phrase}")?;
        }
        for (name, value) in &self.headers {
            write!(f, "\n{name}: {value}")?;
        }
        f.write_str("\n\n")?;
        if self.body.is_empty() {
            return f.write_str("(empty body)");
        }
        let cut = self.body.len() > SHOWN_BODY;
        let mut shown = &self.body[..self.body.len().min(SHOWN_BODY)];
        if cut {
            // Stop before a character that the cut split, rather than show it as U+FFFD.
            if let Err(err) = std::str::from_utf8(shown) {
                if err.error_len().is_none() {
                    shown = &shown[..err.valid_up_to()];
                }
            }
        }
        f.write_str(&String::from_utf8_lossy(shown))?;
        if cut {
            f.write_str("…")?;
        }
        Ok(())
    }
}
