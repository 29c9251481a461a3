//! Chapters 5 and 6: speaking HTTP/1.1.
//!
//! The pieces, in the order a request meets them:
//! - [`head`] parses a request head out of a buffer, and decides how its body is framed and
//!   whether the connection stays open: a pure function, no I/O;
//! - [`body`] finds where a body ends (`Content-Length` or `chunked`): a pure state machine;
//! - [`conn`] is the connection loop that owns the socket: read, parse, call the handler,
//!   write the response, and again while the connection is kept alive;
//! - [`Error`] names every way a request can break the protocol, and [`Limits`] bounds what a
//!   client may send.

pub mod body;
mod error;
pub mod head;
mod limits;

pub use error::Error;
pub use limits::{Limits, MAX_HEADERS_CEILING};
