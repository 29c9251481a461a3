//! Chapters 5 and 6: speaking HTTP/1.1.
//!
//! The pieces, in the order a request meets them:
//! - [`head`] parses a request head out of a buffer, and decides how its body is framed and
//!   whether the connection stays open: a pure function, no I/O;
//! - [`body`] finds where a body ends (`Content-Length` or `chunked`): a pure state machine;
//! - [`conn`] is the connection loop that owns the socket: read, parse, call the handler,
//!   write the response, and again while the connection is kept alive;
//! - [`Error`] names every way a request can break the protocol, and [`Limits`] bounds what a
//!   client may send;
//! - [`rules`] holds the small rules the layers above share: what a token is, which statuses
//!   never have a body.

pub mod body;
mod error;
pub mod head;
mod limits;
pub mod rules;

pub use error::Error;
pub use limits::{Limits, MAX_HEADERS_CEILING};

pub mod conn;
mod park;
mod write;

use std::net::TcpListener;
use std::sync::Arc;

use crate::pool::{Drain, Pool, QueueFull};
use crate::request::Request;
use crate::response::Response;
use crate::server::{self, Config, Gate};
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
    if limits.max_parked > 0 {
        return serve_parked(listener, config, &limits, shutdown, handler);
    }
    server::serve(listener, config, shutdown, move |stream| {
        conn::serve_connection(stream, &limits, &stop, &handler)
    })
}
// ANCHOR_END: serve

// ANCHOR: serve_parked
/// Chapter 10's server: chapter 4's acceptor and pool, plus a poller where idle connections
/// wait without a worker, and a limit on open connections.
fn serve_parked<H>(
    listener: TcpListener,
    config: &Config,
    limits: &Limits,
    shutdown: &Shutdown,
    handler: H,
) -> Drain
where
    H: Fn(&mut Request<'_>) -> Response + Send + Sync + 'static,
{
    if let Ok(addr) = listener.local_addr() {
        shutdown.watch(addr);
    }
    let parking = park::Parking::new(limits.max_parked).expect("cannot create a poller");
    let pool = {
        let (limits, stop, parking) = (limits.clone(), shutdown.clone(), parking.clone());
        Arc::new(Pool::new(config.workers, config.queue, move |conn| {
            conn::serve(conn, &limits, &stop, &handler, Some(&parking))
        }))
    };
    let poller = parking.start(Arc::clone(&pool), limits, shutdown);
    let gate = Gate::new(limits.max_connections);
    log::info!(
        "serving with {} workers, a queue of {}, at most {} connections of which {} parked",
        config.workers,
        config.queue,
        limits.max_connections,
        limits.max_parked
    );
    while !shutdown.is_triggered() {
        let stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(err) => {
                server::accept_failed(&err);
                continue;
            }
        };
        // Past the limit, the answer is the same as for a full queue: 503, try again later.
        let Some(ticket) = gate.enter() else {
            log::warn!("{} connections open: refusing one with 503", gate.open());
            server::refuse(stream);
            continue;
        };
        if let Some(conn) = conn::Connection::new(stream, limits, Some(ticket)) {
            if let Err(QueueFull(conn)) = pool.try_submit(conn) {
                server::refuse(conn.into_stream());
            }
        }
    }
    log::info!(
        "no longer accepting; draining {} queued, closing {} parked",
        pool.queued(),
        parking.parked()
    );
    drop(listener);
    // The poller closes the idle connections and hands back the rest; then the pool is ours
    // alone again, and drains as in chapter 4.
    let _ = poller.join();
    let drain = match Arc::try_unwrap(pool) {
        Ok(pool) => pool.shutdown(config.grace),
        Err(_) => unreachable!("only the poller thread shared the pool"),
    };
    match drain {
        Drain::Complete => log::info!("all connections finished"),
        Drain::TimedOut { unfinished } => {
            log::warn!("grace period over with {unfinished} workers still busy")
        }
    }
    drain
}
// ANCHOR_END: serve_parked
