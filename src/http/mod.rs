//! Chapters 5 and 6: the HTTP/1.1 protocol, apart from any server.
//!
//! The pieces, in the order a request meets them:
//! - the wire (`wire.rs`) is a connection's socket and its two buffers;
//! - `head` parses a request head out of a buffer, and decides how its body is framed and
//!   whether the connection stays open: a pure function, no I/O;
//! - `body` finds where a body ends (`Content-Length` or `chunked`): a pure state machine;
//! - [`Body`] is the reader a handler pulls the body through, from the wire;
//! - [`ProtocolError`] names every way a request can break the protocol, and [`Limits`] bounds what a
//!   client may send;
//! - `rules` holds the small rules the layers above share: what a token is, which statuses
//!   never have a body.
//!
//! This module imports nothing from the request, the response or the server: the connection
//! loop that drives these pieces, and the serving entry point, are in [`crate::server`].

pub(crate) mod body;
mod error;
pub(crate) mod head;
mod limits;
pub(crate) mod percent;
mod reader;
pub(crate) mod rules;
pub(crate) mod wire;

pub use error::ProtocolError;
pub use head::Version;
pub use limits::{Limits, MAX_HEADERS_CEILING};
pub use percent::DecodeError;
pub use reader::Body;
