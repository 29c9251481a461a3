//! The server: the acceptor, the pool it feeds, and what runs on the workers.
//!
//! One accept loop serves every chapter; each chapter turns on more of it:
//! - chapter 4, [`serve`]: one thread accepts, a [`Pool`] of workers serves. When the pool's
//!   queue is full the acceptor answers the connection itself with a short `503 Service
//!   Unavailable` and closes it: the client learns at once that the server is busy, and the
//!   server's memory and latency stay bounded however many clients arrive;
// > ch05
//! - chapter 5, [`serve_http`]: the job a worker runs is the HTTP connection loop (`conn.rs`),
//!   which reads requests with [`crate::http`], has a [`Service`] answer them (or refuse
//!   them, for a body that breaks the limits), and writes responses (chapter 6, `write.rs`);
// < ch05
// > ch10
//! - chapter 10, also [`serve_http`], as [`Limits`] asks: a gate on open connections, and
//!   a poller (`park.rs`) where idle connections wait without holding a worker.
// < ch10
// > ch13
//! - chapter 13, [`bind`] with [`Config::reuse_port`]: several processes share one port
//!   (`listen.rs`), and at shutdown the acceptor serves what is already queued.
// < ch13

pub(crate) mod conn; // > ch05
mod gate; // > ch10
mod listen; // > ch13
mod park; // > ch10
mod refuse;
mod service; // > ch05
mod write; // > ch05

pub(crate) use gate::{Gate, Ticket}; // > ch10
pub use listen::{bind, ACCEPT_PATIENCE}; // > ch13
pub use service::Service; // > ch05

use std::io;
use std::iter; // > ch13
use std::net::SocketAddr; // > ch13
use std::net::{TcpListener, TcpStream};
use std::panic; // > ch10
use std::thread;
use std::time::Duration;

use crate::http::wire::is_timeout; // > ch13
use crate::http::Limits; // > ch05
use crate::pool::{Drain, Pool, QueueFull};
use crate::shutdown::Shutdown;
use conn::Connection; // > ch05
use park::{Parking, PollerThread}; // > ch10
use refuse::refuse;

/// How the acceptor and its pool are sized.
#[derive(Debug, Clone)]
pub struct Config {
    /// Worker threads in the pool.
    pub workers: usize,
    /// Accepted connections that may wait for a worker; past this they get a `503`.
    pub queue: usize,
    /// How long shutdown waits for in-flight and queued connections before giving up.
    pub grace: Duration,
    // > ch13
    /// Chapter 13: whether [`bind`] shares the port with other processes (`SO_REUSEPORT`), so
    /// that several copies of a server can run, and be restarted one at a time, on one port.
    pub reuse_port: bool,
    // < ch13
}

impl Default for Config {
    /// 64 workers (a blocking worker mostly waits, so many more than cores), a queue of 1024,
    /// and ten seconds' grace; the port is not shared.
    fn default() -> Config {
        Config {
            workers: 64,
            queue: 1024,
            grace: Duration::from_secs(10),
            reuse_port: false, // > ch13
        }
    }
}

// ANCHOR: serve
/// Chapter 4: accepts connections on `listener` and runs `handler` on each in a pool of
/// workers, until `shutdown` is triggered; then drains the pool within `config.grace`.
pub fn serve<H>(listener: TcpListener, config: &Config, shutdown: &Shutdown, handler: H) -> Drain
where
    H: Fn(TcpStream) + Send + Sync + 'static,
{
    let pool = Pool::new(config.workers, config.queue, handler);
    /* ch04 < ch10
    accept(listener, config, shutdown, pool, Some)
    */
    // > ch10
    // Chapter 4 has neither a limit on open connections nor a poller: the queue bounds them.
    accept(listener, config, shutdown, pool, None, None, |stream, _| {
        Some(stream)
    })
    // < ch10
}
// ANCHOR_END: serve

// > ch05
// ANCHOR: serve_http
/// Chapters 5 and 10: serves HTTP/1.1 on `listener` with a pool of workers sized by `config`,
/// each running the connection loop with `service`, until `shutdown` is triggered.
///
/// The service is usually a function from `&mut Request` to `Response`; an application is a
/// [`Service`] that also answers the requests the server refuses after their head (a body
/// over the limit, say), so that they get its error pages and pass through its middleware.
///
/// This is chapter 4's acceptor and pool with a handler that speaks HTTP: the `503` on a full
/// queue and the graceful stop are the same.
// > ch10
/// Chapter 10's additions are chosen by `limits`:
/// a poller where idle connections wait without a worker unless [`Limits::max_parked`] is
/// `0`, and a limit on open connections unless [`Limits::max_connections`] is `0`. Chapter 5's
/// example sets both to `0`.
///
/// # Panics
///
/// If the poller thread panicked (a bug in weft): the panic is logged when it happens, and
/// resumed on the caller's thread once the pool has drained, as `std::thread::scope` does
/// with a scoped thread's panic, so that it cannot go unnoticed.
// < ch10
pub fn serve_http<H>(
    listener: TcpListener,
    config: &Config,
    limits: &Limits,
    shutdown: &Shutdown,
    service: H,
) -> Drain
where
    H: Service,
{
    /* ch05 < ch10
    let pool = {
        let (limits, stop) = (limits.clone(), shutdown.clone());
        Pool::new(config.workers, config.queue, move |conn| {
            conn::serve_connection(conn, &limits, &stop, &service)
        })
    };
    accept(listener, config, shutdown, pool, |stream| {
        Connection::new(stream, limits)
    })
    */
    // > ch10
    // ANCHOR: wiring
    let gate = (limits.max_connections > 0).then(|| Gate::new(limits.max_connections));
    let crowd = gate.as_ref().map(|gate| (gate.counter(), config.workers));
    let parking = match limits.max_parked {
        0 => None,
        max => Parking::new(max, crowd)
            .map_err(|err| log::error!("cannot create a poller; not parking: {err}"))
            .ok(),
    };
    let pool = {
        let (limits, stop, parking) = (limits.clone(), shutdown.clone(), parking.clone());
        Pool::new(config.workers, config.queue, move |conn| {
            let parking = parking.as_ref().map(|p| p as &dyn conn::WaitingRoom);
            conn::serve_connection(conn, &limits, &stop, &service, parking)
        })
    };
    let poller = parking.map(|parking| parking.start(&pool, limits, shutdown));
    // ANCHOR_END: wiring
    if gate.is_some() {
        log::info!("at most {} connections open", limits.max_connections);
    }
    if poller.is_some() {
        log::info!("at most {} idle connections parked", limits.max_parked);
    }
    accept(
        listener,
        config,
        shutdown,
        pool,
        gate,
        poller,
        |stream, ticket| Connection::new(stream, limits, ticket),
    )
    // < ch10
}
// ANCHOR_END: serve_http
// < ch05

/// What the acceptor hands the pool: a bare stream (chapter 4) or an HTTP connection
/// (chapter 5). Either gives its stream back, for a `503` when the queue is full.
trait Job: Send + 'static {
    fn into_stream(self) -> TcpStream;
}

impl Job for TcpStream {
    fn into_stream(self) -> TcpStream {
        self
    }
}

// > ch05
impl Job for Connection {
    fn into_stream(self) -> TcpStream {
        Connection::into_stream(self)
    }
}
// < ch05

// ANCHOR: accept
/// The acceptor, the one loop every server in the book runs: takes connections off
/// `listener`, turns each into a job with `job` and hands it to `pool`, until `shutdown` is
/// triggered; then drains the pool within `config.grace`.
// > ch10
///
/// Chapter 10 adds the `gate` (a limit on open connections) and the `poller` (which must be
/// done with the queue before it closes); chapter 4 passes neither.
// < ch10
fn accept<T: Job>(
    listener: TcpListener,
    config: &Config,
    shutdown: &Shutdown,
    pool: Pool<T>,
    // > ch10
    gate: Option<Gate>,
    poller: Option<PollerThread>,
    job: impl Fn(TcpStream, Option<Ticket>) -> Option<T>,
    // < ch10
    /* ch04 < ch10
    job: impl Fn(TcpStream) -> Option<T>,
    */
) -> Drain {
    if let Ok(addr) = listener.local_addr() {
        shutdown.watch(addr);
    }
    log::info!(
        "serving with {} workers and a queue of {}",
        config.workers,
        config.queue
    );
    /* ch04 < ch13
    while !shutdown.is_triggered() {
        // A connection accepted as shutdown begins (the wake-up itself, or a real client)
        // is still served: nothing accepted is dropped unanswered.
        let (stream, peer) = match listener.accept() {
            Ok(accepted) => accepted,
            Err(err) => {
                accept_failed(&err);
                continue;
            }
        };
    */
    // > ch13
    // Chapter 13: once shutdown is triggered, what is already queued is served too.
    for (stream, peer) in accepted(&listener, shutdown) {
        // < ch13
        log::debug!("accepted a connection from {peer}");
        // > ch10
        // Chapter 10: past the limit on open connections, the answer is a full queue's.
        let ticket = gate.as_ref().map(Gate::enter);
        if let (Some(gate), Some(None)) = (&gate, &ticket) {
            log::warn!("{} connections open: refusing one with 503", gate.open());
            refuse(stream);
            continue;
        }
        // < ch10
        // `None` when the connection closed before it could be looked at.
        /* ch04 < ch10
        let Some(job) = job(stream) else {
            continue;
        };
        */
        // > ch10
        let Some(job) = job(stream, ticket.flatten()) else {
            continue;
        };
        // < ch10
        if let Err(QueueFull(job)) = pool.try_submit(job) {
            refuse(job.into_stream());
        }
    }
    log::info!("no longer accepting; draining {} queued", pool.queued());
    drop(listener);
    // > ch10
    // Chapter 10: the poller hands back the parked connections that must still be served,
    // closes the rest, and lets go of the queue; only then can the queue close.
    let poller_panic = poller.and_then(PollerThread::finish);
    // < ch10
    // A second Ctrl-C calls off the wait (see `Shutdown::on_ctrl_c`).
    let abandoner = pool.abandoner();
    shutdown.on_hurry(move || abandoner.abandon());
    let drain = pool.shutdown(config.grace);
    match drain {
        Drain::Complete => log::info!("all connections finished"),
        Drain::TimedOut { unfinished } => {
            log::warn!("stopped waiting with {unfinished} workers still busy")
        }
    }
    // > ch10
    if let Some(payload) = poller_panic {
        panic::resume_unwind(payload);
    }
    // < ch10
    drain
}
// ANCHOR_END: accept

// > ch13
// ANCHOR: accepted
/// Chapter 13: the connections the acceptor takes. Until `shutdown` is triggered, each comes
/// from a wait in `accept()` (failures are logged and skipped); then, once, those already in
/// `listener`'s queue, which closing it would reset.
fn accepted<'a>(
    listener: &'a TcpListener,
    shutdown: &'a Shutdown,
) -> impl Iterator<Item = (TcpStream, SocketAddr)> + 'a {
    // A connection accepted as shutdown begins (the wake-up itself, or a real client) is
    // still served: nothing accepted is dropped unanswered.
    let waited = iter::from_fn(move || loop {
        if shutdown.is_triggered() {
            return None;
        }
        match listener.accept() {
            Ok(accepted) => return Some(accepted),
            // A shared listener's bounded wait (see `ACCEPT_PATIENCE`) ran out: look again.
            Err(err) if is_timeout(&err) => continue,
            Err(err) => accept_failed(&err),
        }
    });
    let queued = iter::once_with(|| listen::queued(listener)).flatten();
    waited.chain(queued.filter_map(|stream| {
        let peer = stream.peer_addr().ok()?;
        Some((stream, peer))
    }))
}
// ANCHOR_END: accepted
// < ch13

/// Logs a failed `accept()` and, when the process is out of file descriptors, pauses briefly
/// instead of spinning: the error repeats until some connection closes.
pub(crate) fn accept_failed(err: &io::Error) {
    log::warn!("accept failed: {err}");
    let out_of_descriptors = matches!(err.raw_os_error(), Some(23 | 24)); // ENFILE, EMFILE
    if out_of_descriptors {
        thread::sleep(Duration::from_millis(50));
    }
}
