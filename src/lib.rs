//! # weft
//!
//! A synchronous web framework woven from threads, built one chapter at a time in the weft
//! book. The modules follow the book's table of contents; data flows one way through them:
//! acceptor → queue → worker → parse → dispatch → middleware → handler → write.
//!
//! | chapter | module |
//! |---|---|
//! | 2–3 | [`naive`]: the first, deliberately naive connection handler |
//! | 4 | [`pool`], [`server`], [`shutdown`]: a worker pool, its acceptor, a clean stop |
//! | 5 | [`http`], [`request`]: HTTP/1.1 parsing, the request; [`server::conn`]: the connection loop |
//! | 6 | [`response`], [`date`]: responses, their framing, the cached `Date` header |
//! | 7 | [`router`]: the URL dispatcher (a trie), with the linear list it replaces |
//! | 7 | [`app`]: the application users write against; [`showcase`]: weft's demo routes |
//! | 8 | [`error`]: failures as values ([`error::HttpError`]); panics caught in [`app`] |
//! | 9 | [`middleware`]: layers around handlers, and the built-in ones; [`negotiate`] |
//! | 8–9 | [`testing`]: a client that runs requests through an `App` without a socket |
//! | 10 | [`server`] parks idle connections in a poller; [`server::Gate`] limits open connections |
//! | all | [`cli`]: the flags every server in the book takes |
//! | measuring | [`measure`]: the load generator behind the step-comparison tool |
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
//! // In `main`, on a real socket with 16 workers, until Ctrl-C:
//! # if false {
//! app().run("127.0.0.1:8080", 16).expect("cannot serve");
//! # }
//! ```
#![deny(missing_docs)]

pub mod app;
pub mod cli;
pub mod date;
pub mod error;
pub mod http;
pub mod measure;
pub mod middleware;
pub mod naive;
pub mod negotiate;
pub mod pool;
pub mod request;
pub mod response;
pub mod router;
pub mod server;
pub mod showcase;
pub mod shutdown;
pub mod small_list;
pub mod testing;
