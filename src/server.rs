//! Chapter 4: the acceptor, which takes connections off the listener and feeds the pool.
//!
//! One thread accepts; a [`Pool`] of workers serves. When the pool's queue is full the
//! acceptor answers the connection itself with a short `503 Service Unavailable` and closes
//! it: the client learns at once that the server is busy, and the server's memory and latency
//! stay bounded however many clients arrive.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

use crate::pool::{Drain, Pool, QueueFull};
use crate::shutdown::Shutdown;

/// How the acceptor and its pool are sized.
#[derive(Debug, Clone)]
pub struct Config {
    /// Worker threads in the pool.
    pub workers: usize,
    /// Accepted connections that may wait for a worker; past this they get a `503`.
    pub queue: usize,
    /// How long shutdown waits for in-flight and queued connections before giving up.
    pub grace: Duration,
}

impl Default for Config {
    /// 64 workers (a blocking worker mostly waits, so many more than cores), a queue of 1024,
    /// and ten seconds' grace.
    fn default() -> Config {
        Config {
            workers: 64,
            queue: 1024,
            grace: Duration::from_secs(10),
        }
    }
}

// ANCHOR: serve
/// Accepts connections on `listener` and runs `handler` on each in a pool of workers, until
/// `shutdown` is triggered; then drains the pool within `config.grace`.
pub fn serve<H>(listener: TcpListener, config: &Config, shutdown: &Shutdown, handler: H) -> Drain
where
    H: Fn(TcpStream) + Send + Sync + 'static,
{
    if let Ok(addr) = listener.local_addr() {
        shutdown.watch(addr);
    }
    let pool = Pool::new(config.workers, config.queue, handler);
    log::info!(
        "serving with {} workers and a queue of {}",
        config.workers,
        config.queue
    );
    while !shutdown.is_triggered() {
        match listener.accept() {
            // A connection accepted as shutdown begins (the wake-up itself, or a real client)
            // is still served: nothing accepted is dropped unanswered.
            Ok((stream, peer)) => {
                log::debug!("accepted a connection from {peer}");
                if let Err(QueueFull(stream)) = pool.try_submit(stream) {
                    refuse(stream);
                }
            }
            Err(err) => accept_failed(&err),
        }
    }
    log::info!("no longer accepting; draining {} queued", pool.queued());
    drop(listener);
    let drain = pool.shutdown(config.grace);
    match drain {
        Drain::Complete => log::info!("all connections finished"),
        Drain::TimedOut { unfinished } => {
            log::warn!("grace period over with {unfinished} workers still busy")
        }
    }
    drain
}
// ANCHOR_END: serve

// ANCHOR: refuse
/// The acceptor's answer when every worker is busy and the queue is full.
const OVERLOADED: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\n\
Retry-After: 1\r\n\
Content-Length: 0\r\n\
Connection: close\r\n\
\r\n";

/// Answers `503` on a connection the pool cannot take, without ever blocking the acceptor.
fn refuse(mut stream: TcpStream) {
    log::warn!("queue full: refusing a connection with 503");
    // Closing a socket with unread bytes makes the kernel send a reset, which can destroy the
    // 503 before the client reads it; so first read whatever request has already arrived.
    // Non-blocking throughout: a slow client must not hold up the acceptor.
    if stream.set_nonblocking(true).is_ok() {
        let mut scratch = [0u8; 4096];
        for _ in 0..16 {
            if !matches!(stream.read(&mut scratch), Ok(n) if n > 0) {
                break;
            }
        }
        let _ = stream.write_all(OVERLOADED);
    }
}
// ANCHOR_END: refuse

/// Logs a failed `accept()` and, when the process is out of file descriptors, pauses briefly
/// instead of spinning: the error repeats until some connection closes.
fn accept_failed(err: &io::Error) {
    log::warn!("accept failed: {err}");
    let out_of_descriptors = matches!(err.raw_os_error(), Some(23 | 24)); // ENFILE, EMFILE
    if out_of_descriptors {
        thread::sleep(Duration::from_millis(50));
    }
}
