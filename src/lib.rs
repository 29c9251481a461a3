//! # weft
//!
//! A synchronous web framework woven from threads, built one chapter at a time in the weft
//! book. The modules follow the book's table of contents; data flows one way through them:
//! acceptor → queue → worker → parse → dispatch → middleware → handler → write.
//!
//! | chapter | module |
//! |---|---|
//! | 4 | [`pool`], [`server`], [`shutdown`]: a worker pool, its acceptor, a clean stop |
//! | 5 | [`http`], [`request`]: HTTP/1.1 parsing, the request; [`server::conn`]: the connection loop |
//! | 6 | [`response`], [`date`]: responses, their framing, the cached `Date` header |
//! | 7 | [`router`]: the URL dispatcher (a trie), with the linear list it replaces |
//! | 7 | [`app`]: the application users write against |
//! | 8 | [`error`]: failures as values ([`error::HttpError`]); panics caught in [`app`] |
//! | 9 | [`middleware`]: layers around handlers, and the built-in ones; [`negotiate`] |
//! | 8–9 | [`testing`]: a client that runs requests through an `App` without a socket |
//! | 10 | [`server`] parks idle connections in a poller; [`server::Gate`] limits open connections |
//!
//! What the book needs beside the framework (the showcase app that `cargo run` serves, the
//! flags its examples take, chapter 2's naive handler, the measuring tools) lives in the
//! `weft-tools` crate in `tools/`, so that a service built on weft compiles none of it.
//!
//! ## Layers
//!
//! The framework's modules stack in layers, and a module imports only from its own layer and
//! the ones below it, never from above (a doc link may point anywhere). So the crate reads
//! bottom up, there is no ring of imports, and each layer can be tested without the ones
//! above it. Where a lower layer must carry something an upper one defines, it holds it
//! without naming its type: a [`Response`](response::Response) keeps the
//! [`HttpError`](error::HttpError) it stands for in a type-erased slot, and the request id
//! that the application logs is a type of the request's ([`request::RequestId`]), which the
//! middleware fills in.
//!
//! | layer | modules | chapter |
//! |---|---|---|
//! | 7 (top) | [`testing`] | 8–9 |
//! | 6 | [`app`] | 7–8 |
//! | 5 | [`middleware`]: the `Middleware` trait, `Next`, `from_fn`, `add_vary`, the built-in layers | 9 |
//! | 4 | [`router`] | 7 |
//! | 3 | [`error`]: [`HttpError`](error::HttpError), and what a response knows of it | 8 |
//! | 2 | [`request`]; [`response`], with [`IntoResponse`](response::IntoResponse) and [`Json`](response::Json) | 5–7 |
//! | 1 | [`http`]: parsing, the connection loop | 5, 10 |
//! | 0 | helpers that import none of the above: [`small_list`], [`date`], [`negotiate`], [`pool`], [`shutdown`], [`server`] | 4–6, 9–11 |
//!
//! ## A small service
//!
//! Handlers are plain functions or closures; whatever they return becomes a response. The
//! state is shared by every worker; the middleware wraps every request.
//!
//! ```
//! use std::sync::atomic::{AtomicU64, Ordering};
//!
//! use weft::app::{App, HttpError, Json};
//! use weft::middleware::access_log::AccessLog;
//! use weft::testing::TestClient;
//!
//! struct Visits(AtomicU64);
//!
//! fn app() -> App<Visits> {
//!     let mut app = App::with_state(Visits(AtomicU64::new(0)));
//!     app.wrap(AccessLog);
//!     app.get("/hello/:name", |_, cx| {
//!         let n = cx.state().0.fetch_add(1, Ordering::Relaxed) + 1;
//!         format!("hello, {} (visit {n})", cx.param("name"))
//!     });
//!     app.get("/items/:id", |_, cx| {
//!         let id: u32 = cx
//!             .param("id")
//!             .parse()
//!             .map_err(|_| HttpError::new(400, "the id must be a number"))?;
//!         Ok::<_, HttpError>(Json(serde_json::json!({ "id": id })))
//!     });
//!     app
//! }
//!
//! // In a test, without a socket:
//! let client = TestClient::new(app());
//! assert_eq!(client.get("/hello/caf%C3%A9").send().text(), "hello, café (visit 1)");
//! assert_eq!(client.get("/items/7").send().text(), r#"{"id":7}"#);
//! assert_eq!(client.get("/items/seven").send().status(), 400);
//! assert_eq!(client.get("/nowhere").send().status(), 404);
//!
//! // In `main`, on a real socket, until Ctrl-C:
//! # if false {
//! app().run("127.0.0.1:8080").expect("cannot serve");
//! # }
//! ```
#![deny(missing_docs)]

pub mod app;
pub mod date;
pub mod error;
pub mod http;
pub mod middleware;
pub mod negotiate;
pub mod pool;
pub mod request;
pub mod response;
pub mod router;
pub mod server;
pub mod shutdown;
pub mod small_list;
pub mod testing;
