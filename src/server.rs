//! Chapter 4: the acceptor, which takes connections off the listener and feeds the pool.
//!
//! One thread accepts; a [`Pool`] of workers serves. When the pool's queue is full the
//! acceptor answers the connection itself with a short `503 Service Unavailable` and closes
//! it: the client learns at once that the server is busy, and the server's memory and latency
//! stay bounded however many clients arrive.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
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
pub(crate) fn refuse(mut stream: TcpStream) {
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
pub(crate) fn accept_failed(err: &io::Error) {
    log::warn!("accept failed: {err}");
    let out_of_descriptors = matches!(err.raw_os_error(), Some(23 | 24)); // ENFILE, EMFILE
    if out_of_descriptors {
        thread::sleep(Duration::from_millis(50));
    }
}

// ANCHOR: gate
/// Chapter 10: a count of open connections with a ceiling.
///
/// The queue bounds connections *waiting for a worker*; once connections can also wait
/// parked in the poller, nothing else bounds how many are open, and every open connection
/// costs a file descriptor and a little memory. The acceptor asks the gate for a [`Ticket`]
/// before it takes a connection on; the ticket travels with the connection and gives its
/// place back when the connection is dropped, however that happens.
#[derive(Debug, Clone)]
pub struct Gate {
    open: Arc<AtomicUsize>,
    max: usize,
}

/// A place in a [`Gate`], held for as long as one connection is open.
#[derive(Debug)]
pub struct Ticket(Arc<AtomicUsize>);

impl Gate {
    /// A gate that lets at most `max` connections be open at once.
    pub fn new(max: usize) -> Gate {
        Gate {
            open: Arc::new(AtomicUsize::new(0)),
            max,
        }
    }

    /// A ticket for one more connection, or `None` if `max` are already open.
    pub fn enter(&self) -> Option<Ticket> {
        // Only the acceptor enters, so a load and an add cannot race with another enter;
        // tickets dropped meanwhile only make the count smaller.
        if self.open.load(Ordering::SeqCst) >= self.max {
            return None;
        }
        self.open.fetch_add(1, Ordering::SeqCst);
        Some(Ticket(Arc::clone(&self.open)))
    }

    /// How many connections are open now.
    pub fn open(&self) -> usize {
        self.open.load(Ordering::SeqCst)
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}
// ANCHOR_END: gate

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gate_lets_max_in_and_takes_a_place_back_when_a_ticket_drops() {
        let gate = Gate::new(2);
        let first = gate.enter().expect("room for one");
        let _second = gate.enter().expect("room for two");
        assert!(gate.enter().is_none(), "a third must wait");
        assert_eq!(gate.open(), 2);
        drop(first);
        assert_eq!(gate.open(), 1);
        assert!(
            gate.enter().is_some(),
            "the dropped ticket's place is free again"
        );
    }
}
