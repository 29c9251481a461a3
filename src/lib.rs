//! # weft
//!
//! A synchronous web framework woven from threads, built one chapter at a time in the weft
//! book. The modules follow the book's table of contents; data flows one way through them:
//! acceptor → queue → worker → parse → dispatch → middleware → handler → write.
//!
// > ch07
//! Start with [`prelude`]: `use weft::prelude::*;` brings what a handler author needs.
//!
// < ch07
// > ch04
//! | chapter | module |
//! |---|---|
//! | 4 | [`pool`], [`server`], [`shutdown`]: a worker pool, its acceptor, a clean stop |
// < ch04
// > ch05
//! | 5 | [`http`]: the protocol (head, body framing, limits); [`request`]; [`server`]'s connection loop |
// < ch05
// > ch06
//! | 6 | [`response`]: responses, their framing, the cached `Date` header |
// < ch06
// > ch07
//! | 7 | [`router`]: the URL dispatcher (a trie); [`app`]: the application users write against |
// < ch07
// > ch08
//! | 8 | [`error`]: failures as values ([`error::HttpError`]); panics caught in [`app`] |
// < ch08
// > ch09
//! | 9 | [`middleware`]: layers around handlers, and the built-in ones |
//! | 8–9 | [`testing`]: a client that runs requests through an `App` without a socket |
// < ch09
// > ch10
//! | 10 | [`server`] parks idle connections in a poller and limits open connections |
// < ch10
// > ch04
//!
// < ch04
//! What the book needs beside the framework (the showcase app that `cargo run` serves, the
//! flags its examples take, chapter 2's naive handler, the measuring tools) lives in the
//! `weft-tools` crate in `tools/`, so that a service built on weft compiles none of it.
//!
// > ch10
//! ## Layers
//!
//! The framework's modules stack in layers, and a module imports only from its own layer and
//! the ones below it, never from above (a doc link may point anywhere); no files import each
//! other in a ring. So the crate reads bottom up, and each layer can be tested without the
//! ones above it. `.ci/check_layers.py` holds the same order and fails CI on an import that
//! breaks it. Where a lower layer must carry something an upper one defines, it holds it
//! without naming its type: a [`Response`](response::Response) keeps the
//! [`HttpError`](error::HttpError) it stands for in a type-erased slot, the request id that
//! the application logs is a type of the request's ([`request::RequestId`]), which the
//! middleware fills in, and the connection loop knows chapter 10's poller only as a trait of
//! its own.
//!
//! | layer | modules | chapter |
//! |---|---|---|
//! | 9 (top) | [`prelude`] | |
//! | 8 | [`testing`] | 8–9 |
//! | 7 | [`app`] | 7–8 |
//! | 6 | [`middleware`]: the `Middleware` trait, `Next`, `from_fn`, the built-in layers | 9 |
//! | 5 | [`server`]: the accept loop, the connection loop, the response writer, parking; [`router`] | 4–5, 7, 10 |
//! | 4 | [`error`]: [`HttpError`](error::HttpError), and what a response knows of it | 8 |
//! | 3 | [`request`]; [`response`], with [`IntoResponse`](response::IntoResponse) and [`Json`](response::Json) | 5–7 |
//! | 2 | [`http`]: the protocol, no I/O but the socket's buffers | 5, 10 |
//! | 1 | [`pool`], [`shutdown`] | 4 |
//! | 0 | private helpers: a small inline list, the `Date` cache, `Accept` negotiation | 6, 9, 11 |
//!
// < ch10
// > ch09
//! ## A small service
//!
//! Handlers are plain functions or closures; whatever they return becomes a response. The
//! state is shared by every worker; the middleware wraps every request; errors, the
//! application's own 404s included, are rendered as JSON for every client (a browser or
//! `curl` that accepts `*/*` would otherwise get plain text).
//!
//! ```
//! use std::sync::atomic::{AtomicU64, Ordering};
//!
//! use serde_json::{json, Value};
//! use weft::middleware::access_log::AccessLog;
//! use weft::prelude::*;
//! use weft::testing::TestClient;
//!
//! struct Visits(AtomicU64);
//!
//! fn app() -> App<Visits> {
//!     let mut app = App::with_state(Visits(AtomicU64::new(0)));
//!     app.wrap(AccessLog);
//!     app.on_error(|_, err| Json(json!({ "error": err.message() })));
//!     app.get("/hello/:name", |_, cx| {
//!         let n = cx.state().0.fetch_add(1, Ordering::Relaxed) + 1;
//!         format!("hello, {} (visit {n})", cx.param("name"))
//!     });
//!     app.put("/items/:id", |request, cx| {
//!         let id: u32 = cx
//!             .param("id")
//!             .parse()
//!             .map_err(|_| HttpError::new(400, "the id must be a number"))?;
//!         let Json(name) = Json::<String>::read(request)?;
//!         Ok::<_, HttpError>(Json(json!({ "id": id, "name": name })))
//!     });
//!     app.delete("/items/:id", |_, _| ()); // 204 No Content
//!     app
//! }
//!
//! // In a test, without a socket:
//! let client = TestClient::new(app());
//! assert_eq!(client.get("/hello/caf%C3%A9").send().text(), "hello, café (visit 1)");
//! let item: Value = client.put("/items/7").json(&"pen").send().assert_status(200).json();
//! assert_eq!(item, json!({ "id": 7, "name": "pen" }));
//! let error: Value = client.put("/items/seven").send().assert_status(400).json();
//! assert_eq!(error["error"], "the id must be a number");
//! client.delete("/items/7").send().assert_status(204);
//! let error: Value = client.get("/nowhere").send().assert_status(404).json();
//! assert_eq!(error["error"], "Not Found");
//!
//! // In `main`, on a real socket, until Ctrl-C:
//! # if false {
//! app().run("127.0.0.1:8080").expect("cannot serve");
//! # }
//! ```
//!
//! A complete one, with its tests, is the book's `examples/ch09_todo.rs`.
//!
// < ch09
// > ch04
//! ## Logging and exit codes
//!
//! weft logs through the [`log`](https://docs.rs/log) crate and never prints: install any
//! logger in `main` (`env_logger::init()` is the usual one) to see the access log, refused
//! requests and panics. [`App::run`](app::App::run) returns how the drain at shutdown went, a
//! [`Drain`](pool::Drain) that converts into the process's exit code:
//! `std::process::ExitCode::from(app.run("127.0.0.1:8080")?)`.
// < ch04
#![deny(missing_docs)]

pub mod app; // > ch07
pub(crate) mod date; // > ch05
pub mod error; // > ch07
pub mod http; // > ch05
pub mod middleware; // > ch09
pub(crate) mod negotiate; // > ch08
pub mod pool; // > ch04
pub mod prelude; // > ch07
pub mod request; // > ch05
pub mod response; // > ch05
pub mod router; // > ch07
pub mod server; // > ch04
pub mod shutdown; // > ch04
pub(crate) mod small_list; // > ch11
pub mod testing; // > ch08

// > ch05
/// Not part of weft's API: the parser's and the router's inner pieces, public only so that
/// the benchmarks (`benches/`), the property tests (`tests/http_properties.rs`,
/// `tests/router.rs`) and chapter 5's examples of the parser and the body decoder
/// (`examples/ch05_head.rs`, `examples/ch05_body.rs`) can reach them. They change whenever
/// the book needs them to.
#[doc(hidden)]
pub mod internals {
    /// The request-head parser of chapter 5.
    pub mod head {
        pub use crate::http::head::{parse, Framing, Head, Parsed, Span};
    }
    /// The body framing of chapter 5.
    pub mod body {
        pub use crate::http::body::Decoder;
    }
    // > ch07
    /// Chapter 7's linear list of routes, which the trie replaces.
    pub mod linear {
        pub use crate::router::linear::LinearRouter;
    }
    // < ch07
}
// < ch05
