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
//! | 5 | [`http`], [`request`]: HTTP/1.1 parsing, the connection loop, the request |
//! | 6 | [`response`], [`date`]: responses, their framing, the cached `Date` header |
//! | 7 | [`router`]: the URL dispatcher (a trie), with the linear list it replaces |
//! | 7 | [`app`]: the application users write against; [`showcase`]: weft's demo routes |
//! | all | [`cli`]: the flags every server in the book takes |
//! | measuring | [`measure`]: the load generator behind the step-comparison tool |
#![deny(missing_docs)]

pub mod app;
pub mod cli;
pub mod date;
pub mod http;
pub mod measure;
pub mod naive;
pub mod pool;
pub mod request;
pub mod response;
pub mod router;
pub mod server;
pub mod showcase;
pub mod shutdown;
pub mod small_list;
