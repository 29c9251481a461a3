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

use std::io::Read;

use serde::de::DeserializeOwned;

use crate::app::App;
use crate::http::ProtocolError;
use crate::request::Request;
use crate::response::{Content, Response};
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
            Content::Static(bytes) => body = bytes.to_vec(),
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
    /// If the body is not UTF-8.
    pub fn text(&self) -> &str {
        std::str::from_utf8(&self.body).expect("the body is UTF-8")
    }

    /// The body parsed as JSON.
    ///
    /// # Panics
    /// If it is not JSON of type `T`.
    pub fn json<T: DeserializeOwned>(&self) -> T {
        serde_json::from_slice(&self.body).expect("the body is JSON of the expected type")
    }
}
