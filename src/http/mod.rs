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

pub mod conn;
mod write;

use std::net::TcpListener;

use crate::pool::Drain;
use crate::request::Request;
use crate::response::Response;
use crate::server::{self, Config};
use crate::shutdown::Shutdown;

// ANCHOR: serve
/// Serves HTTP/1.1 on `listener` with a pool of workers sized by `config`, each running the
/// connection loop with `handler`, until `shutdown` is triggered.
///
/// This is chapter 4's [`server::serve`] with a handler that speaks HTTP: the acceptor, the
/// pool, the `503` on a full queue and the graceful stop are the same.
pub fn serve<H>(
    listener: TcpListener,
    config: &Config,
    limits: &Limits,
    shutdown: &Shutdown,
    handler: H,
) -> Drain
where
    H: Fn(&mut Request<'_>) -> Response + Send + Sync + 'static,
{
    let limits = limits.clone();
    let stop = shutdown.clone();
    server::serve(listener, config, shutdown, move |stream| {
        conn::serve_connection(stream, &limits, &stop, &handler)
    })
}
// ANCHOR_END: serve
