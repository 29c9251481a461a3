//! Chapter 10: the parking lot, where kept-alive connections wait for their next request
//! without holding a worker.
//!
//! ```text
//!  acceptor ──► queue ──► worker ──(nothing to read for park_after)──► park()
//!                 ▲                                                     │
//!                 │                                                     ▼
//!                 └──── readable ◄──── one poller thread: epoll over every parked socket
//!                                        ├─ idle past idle_timeout ──► close
//!                                        └─ head past its deadline ──► 408, close
//! ```
//!
//! A blocking worker that waits on an idle socket is a thread doing nothing; with 64 workers,
//! 64 idle clients stop the server. Here a worker that finds nothing to read hands the
//! connection to the poller and goes back to the queue. The poller asks the kernel to watch
//! every parked socket at once (`epoll` on Linux, through the `polling` crate) and, when one
//! becomes readable, hands the connection back to the pool like a newly accepted one.

use std::any::Any;
use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use polling::{Event, Events, Poller};

use super::conn::{Connection, WaitingRoom};
use super::refuse::refuse;
use crate::http::Limits;
use crate::pool::{panic_message, Backlog, Pool, QueueFull, Submitter};
use crate::shutdown::Shutdown;

// ANCHOR: parking
/// The workers' side of the poller: where they leave connections to wait.
#[derive(Clone)]
pub(crate) struct Parking {
    shared: Arc<Shared>,
}

struct Shared {
    poller: Poller,
    /// Connections parked since the poller last looked; it registers them when it wakes.
    arrivals: Mutex<Arrivals>,
    /// Connections parked now, arrivals included; at most `max`.
    parked: AtomicUsize,
    max: usize,
    /// The queue the poller feeds, to ask whether connections wait there for a worker. Set
    /// once the pool exists (its workers need this `Shared` first); read from the receiving
    /// side, so the workers holding it never keep the queue open.
    backlog: OnceLock<Backlog<Connection>>,
    /// Open connections (the gate's live count) and the pool's workers, when the gate counts:
    /// parking pays only when there are more connections than workers to hold them.
    crowd: Option<(Arc<AtomicUsize>, usize)>,
}

struct Arrivals {
    connections: Vec<Connection>,
    /// Set when shutdown begins: from then on nothing more is parked.
    closed: bool,
    /// The back of the pool's queue, for a connection taking its turn (`Parking::take_turn`):
    /// set when the poller starts, dropped when it closes, so that it never keeps the queue
    /// open while the pool drains.
    queue: Option<Submitter<Connection>>,
}
// ANCHOR_END: parking

impl Parking {
    /// An empty parking lot for at most `max` connections; [`Parking::start`] starts its thread.
    ///
    /// `crowd` is the count of open connections and the number of workers, if known: with it,
    /// a worker parks an idle connection only when more are open than the workers can hold.
    pub(crate) fn new(
        max: usize,
        crowd: Option<(Arc<AtomicUsize>, usize)>,
    ) -> std::io::Result<Parking> {
        Ok(Parking {
            shared: Arc::new(Shared {
                poller: Poller::new()?,
                arrivals: Mutex::new(Arrivals {
                    connections: Vec::new(),
                    closed: false,
                    queue: None,
                }),
                parked: AtomicUsize::new(0),
                max,
                backlog: OnceLock::new(),
                crowd,
            }),
        })
    }

    // ANCHOR: park
    /// Parks `conn` until the client sends more. Hands it back if the lot is full or shutting
    /// down; the worker then closes an idle connection, or finishes a head itself.
    // The connection is handed back by value, once, on a path that then closes or blocks on
    // it: boxing it to make the `Err` smaller would cost an allocation on every park.
    #[allow(clippy::result_large_err)]
    pub(crate) fn park(&self, mut conn: Connection) -> Result<(), Connection> {
        let shared = &self.shared;
        // Take a place first (many workers park at once), and give it back if refused.
        let placed = shared
            .parked
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < shared.max).then_some(n + 1)
            });
        if placed.is_err() {
            log::debug!("{}: parking is full", conn.peer());
            return Err(conn);
        }
        let mut arrivals = lock(shared);
        if arrivals.closed {
            shared.parked.fetch_sub(1, Ordering::SeqCst);
            return Err(conn);
        }
        conn.shrink();
        log::debug!("{}: parked", conn.peer());
        arrivals.connections.push(conn);
        drop(arrivals);
        // Wake the poller so it starts watching this socket now.
        if let Err(err) = shared.poller.notify() {
            log::error!("cannot wake the poller: {err}");
        }
        Ok(())
    }
    // ANCHOR_END: park

    /// Puts `conn` at the back of the pool's queue; hands it back if the queue is full or
    /// shutdown has begun.
    #[allow(clippy::result_large_err)] // by value, as `park`
    pub(crate) fn take_turn(&self, conn: Connection) -> Result<(), Connection> {
        let arrivals = lock(&self.shared);
        match &arrivals.queue {
            Some(queue) if !arrivals.closed => queue.try_submit(conn).map_err(|QueueFull(c)| c),
            _ => Err(conn),
        }
    }

    /// Whether connections are waiting in the queue for a worker: then a worker with an idle
    /// connection should park it at once rather than wait for its client.
    pub(crate) fn others_waiting(&self) -> bool {
        let backlog = self.shared.backlog.get();
        backlog.is_some_and(|backlog| backlog.len() > 0)
    }

    /// Whether more connections are open than there are workers to hold them, so that one
    /// waiting in a worker may keep another from being served. Unknown counts as crowded.
    pub(crate) fn crowded(&self) -> bool {
        self.shared.crowd.as_ref().map_or(true, |(open, workers)| {
            open.load(Ordering::SeqCst) > *workers
        })
    }

    /// How many connections are parked now.
    pub(crate) fn parked(&self) -> usize {
        self.shared.parked.load(Ordering::SeqCst)
    }

    /// Starts the poller thread, which hands readable connections to `pool` until `shutdown`
    /// is triggered, then closes what is idle and hands back the rest.
    pub(crate) fn start(
        &self,
        pool: &Pool<Connection>,
        limits: &Limits,
        shutdown: &Shutdown,
    ) -> PollerThread {
        let _ = self.shared.backlog.set(pool.backlog());
        // The poller's own way into the queue: it keeps the queue open until the poller ends,
        // which is why the acceptor waits for the poller before it shuts the pool down.
        let submitter = pool.submitter();
        lock(&self.shared).queue = Some(pool.submitter());
        let shared = Arc::clone(&self.shared);
        // The poller sleeps in `wait`, not in `accept`: the shutdown must wake it itself.
        // Weak, so that a `Shutdown` that outlives this server does not keep its poller.
        let waker = Arc::downgrade(&self.shared);
        shutdown.on_trigger(move || {
            if let Some(shared) = waker.upgrade() {
                let _ = shared.poller.notify();
            }
        });
        let (limits, shutdown) = (limits.clone(), shutdown.clone());
        let thread = thread::Builder::new()
            .name("weft-poller".into())
            .spawn(move || {
                // AssertUnwindSafe: after a panic the `Lot` is dropped (which stops watching its
                // sockets) and `Shared` is only used to turn parking away, below.
                let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
                    watch(&shared, &submitter, &limits, &shutdown)
                }));
                if let Err(payload) = &outcome {
                    log::error!(
                        "the poller panicked: {}; idle connections are no longer parked",
                        panic_message(&**payload)
                    );
                    // Workers must stop parking connections nobody watches; those that were
                    // handed over but not yet watched are served or closed now.
                    for conn in close_arrivals(&shared) {
                        resume(&submitter, conn);
                    }
                }
                outcome
            })
            .expect("failed to spawn the poller thread");
        PollerThread {
            thread,
            parking: self.clone(),
        }
    }
}

/// The poller thread, for the acceptor to wait for at shutdown.
pub(crate) struct PollerThread {
    thread: JoinHandle<thread::Result<()>>,
    parking: Parking,
}

impl PollerThread {
    /// Waits for the poller to finish (it does once the shutdown is triggered); returns its
    /// panic, if it panicked, already logged.
    pub(crate) fn finish(self) -> Option<Box<dyn Any + Send>> {
        log::info!("closing {} parked connections", self.parking.parked());
        self.thread.join().and_then(|outcome| outcome).err()
    }
}

impl WaitingRoom for Parking {
    fn others_waiting(&self) -> bool {
        Parking::others_waiting(self)
    }

    fn crowded(&self) -> bool {
        Parking::crowded(self)
    }

    fn take_turn(&self, conn: Connection) -> Result<(), Connection> {
        Parking::take_turn(self, conn)
    }

    fn park(&self, conn: Connection) -> Result<(), Connection> {
        Parking::park(self, conn)
    }
}

// ANCHOR: lot
/// The poller thread's own records: every parked connection by key, and when each must stop
/// waiting, in order, so the next deadline is always the first.
struct Lot<'a> {
    shared: &'a Shared,
    waiting: HashMap<usize, (Connection, Instant)>,
    deadlines: BTreeSet<(Instant, usize)>,
    next_key: usize,
}

impl Lot<'_> {
    /// Starts watching `conn` for bytes to read.
    fn admit(&mut self, conn: Connection, now: Instant, limits: &Limits) {
        let key = self.next_key;
        self.next_key += 1;
        // SAFETY: `Poller::add` requires the socket to be deleted from the poller before it is
        // closed. The connection (and so the socket) is owned by `waiting` from here on, and
        // the only ways out of `waiting` are `Lot::take` and dropping the `Lot` (at the end of
        // `watch`, or when it unwinds), and both delete the socket from the poller first.
        if let Err(err) = unsafe { self.shared.poller.add(conn.socket(), Event::readable(key)) } {
            log::warn!("{}: cannot watch the connection: {err}", conn.peer());
            self.shared.parked.fetch_sub(1, Ordering::SeqCst);
            return;
        }
        let until = conn.parked_until(now, limits);
        self.deadlines.insert((until, key));
        self.waiting.insert(key, (conn, until));
    }

    /// Stops watching the connection with `key`, if it is still parked, and hands it over.
    fn take(&mut self, key: usize) -> Option<Connection> {
        let (conn, until) = self.waiting.remove(&key)?;
        self.deadlines.remove(&(until, key));
        if let Err(err) = self.shared.poller.delete(conn.socket()) {
            log::warn!(
                "{}: cannot stop watching the connection: {err}",
                conn.peer()
            );
        }
        self.shared.parked.fetch_sub(1, Ordering::SeqCst);
        Some(conn)
    }

    /// The key of the first connection whose wait is over at `now`.
    fn expired(&self, now: Instant) -> Option<usize> {
        self.deadlines
            .first()
            .filter(|(until, _)| *until <= now)
            .map(|&(_, key)| key)
    }

    /// How long the poller may sleep before the next deadline (`None`: nothing parked).
    fn sleep(&self, now: Instant) -> Option<Duration> {
        self.deadlines
            .first()
            .map(|(until, _)| until.saturating_duration_since(now))
    }
}
// ANCHOR_END: lot

impl Drop for Lot<'_> {
    /// Stops watching what is still parked before it is closed (nothing is, after `close_all`;
    /// everything may be, when the poller panics).
    fn drop(&mut self) {
        for (conn, _) in self.waiting.values() {
            let _ = self.shared.poller.delete(conn.socket());
        }
        let left = self.waiting.len();
        self.shared.parked.fetch_sub(left, Ordering::SeqCst);
    }
}

// ANCHOR: watch
/// The poller thread: register what was parked, sleep until a socket is readable or the next
/// deadline, hand the readable to the pool and close the expired; until shutdown.
fn watch(shared: &Shared, pool: &Submitter<Connection>, limits: &Limits, shutdown: &Shutdown) {
    let mut lot = Lot {
        shared,
        waiting: HashMap::new(),
        deadlines: BTreeSet::new(),
        next_key: 0,
    };
    let mut events = Events::new();
    loop {
        let arrived = std::mem::take(&mut lock(shared).connections);
        let now = Instant::now();
        for conn in arrived {
            lot.admit(conn, now, limits);
        }
        if shutdown.is_triggered() {
            break;
        }
        events.clear();
        if let Err(err) = shared.poller.wait(&mut events, lot.sleep(now)) {
            log::error!("the poller failed: {err}");
        }
        for event in events.iter() {
            if let Some(conn) = lot.take(event.key) {
                resume(pool, conn);
            }
        }
        let now = Instant::now();
        while let Some(key) = lot.expired(now) {
            if let Some(conn) = lot.take(key) {
                expire(conn);
            }
        }
    }
    close_all(lot, pool, &mut events);
}
// ANCHOR_END: watch

// ANCHOR: close_all
/// At shutdown: parks nothing more; hands back every connection whose client has sent
/// something (its request is served, with `Connection: close`) and closes the idle rest.
fn close_all(mut lot: Lot<'_>, pool: &Submitter<Connection>, events: &mut Events) {
    let shared = lot.shared;
    let now = Instant::now();
    for conn in close_arrivals(shared) {
        resume(pool, conn);
    }
    // One last look, without waiting, for requests that have just arrived.
    events.clear();
    let _ = shared.poller.wait(events, Some(Duration::ZERO));
    for event in events.iter() {
        if let Some(conn) = lot.take(event.key) {
            resume(pool, conn);
        }
    }
    let keys: Vec<usize> = lot.waiting.keys().copied().collect();
    let mut closed = 0;
    for key in keys {
        if let Some(conn) = lot.take(key) {
            // Part of a head has arrived: that request is in flight, and is finished.
            if conn.is_idle() {
                closed += 1;
            } else {
                resume(pool, conn);
            }
        }
    }
    log::info!("closed {closed} idle connections in {:?}", now.elapsed());
}
// ANCHOR_END: close_all

/// Turns every later `park` away, and returns the connections parked but not watched yet
/// whose client has sent something (the idle ones are closed).
fn close_arrivals(shared: &Shared) -> Vec<Connection> {
    let late = {
        let mut arrivals = lock(shared);
        arrivals.closed = true;
        arrivals.queue = None;
        std::mem::take(&mut arrivals.connections)
    };
    shared.parked.fetch_sub(late.len(), Ordering::SeqCst);
    late.into_iter().filter(|conn| !conn.is_idle()).collect()
}

/// Hands a connection whose client has sent something back to the pool, or answers `503` if
/// the queue is full (the same answer the acceptor gives).
fn resume(pool: &Submitter<Connection>, conn: Connection) {
    if let Err(QueueFull(conn)) = pool.try_submit(conn) {
        refuse(conn.into_stream());
    }
}

/// The answer to a client whose head did not arrive in time.
const TOO_SLOW: &[u8] = b"HTTP/1.1 408 Request Timeout\r\n\
Content-Length: 0\r\n\
Connection: close\r\n\
\r\n";

/// Closes a connection whose wait is over: quietly if it was idle (RFC 9112 §9.5 lets a
/// server close an idle connection at any time), with a `408` if a head was half sent.
fn expire(conn: Connection) {
    let peer = conn.peer();
    if conn.is_idle() {
        log::debug!("{peer}: idle too long; closing");
        return;
    }
    log::info!("{peer}: rejected a request: the head took too long (408)");
    let mut stream = conn.into_stream();
    // Never block the poller: if the client's receive window is full, it gets no 408.
    if stream.set_nonblocking(true).is_ok() {
        let _ = stream.write_all(TOO_SLOW);
    }
}

fn lock(shared: &Shared) -> std::sync::MutexGuard<'_, Arrivals> {
    shared.arrivals.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parking_pays_only_when_more_connections_are_open_than_workers() {
        let open = Arc::new(AtomicUsize::new(0));
        let parking = Parking::new(8, Some((Arc::clone(&open), 2))).unwrap();
        for (connections, crowded) in [(0, false), (1, false), (2, false), (3, true), (9, true)] {
            open.store(connections, Ordering::SeqCst);
            assert_eq!(parking.crowded(), crowded, "{connections} open, 2 workers");
        }
        // Without a count of open connections (no gate), a worker cannot tell: it parks.
        assert!(Parking::new(8, None).unwrap().crowded());
    }

    #[test]
    fn a_turn_goes_to_the_back_of_the_queue_only_while_the_poller_runs() {
        use std::net::{TcpListener, TcpStream};
        let limits = Limits::default();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let accept = || {
            let client = TcpStream::connect(addr).unwrap();
            let (stream, _) = listener.accept().unwrap();
            (Connection::new(stream, &limits, None).unwrap(), client)
        };
        let parking = Parking::new(8, None).unwrap();
        // Before the poller starts there is no queue to go back to.
        let (conn, _first) = accept();
        let conn = parking.take_turn(conn).unwrap_err();

        // The pool's one worker hands every connection it is given to the test.
        let (served, taken) = crossbeam_channel::unbounded();
        let pool = Pool::new(1, 4, move |conn: Connection| {
            served.send(conn.peer()).unwrap()
        });
        let shutdown = Shutdown::new();
        let poller = parking.start(&pool, &limits, &shutdown);
        let peer = conn.peer();
        assert!(parking.take_turn(conn).is_ok(), "the queue has room");
        let timeout = Duration::from_secs(5);
        assert_eq!(taken.recv_timeout(timeout).unwrap(), peer);

        // Once shutdown has closed the poller, a turn would keep the draining queue open.
        shutdown.trigger();
        assert!(poller.finish().is_none(), "the poller did not panic");
        let (conn, _second) = accept();
        assert!(parking.take_turn(conn).is_err());
        assert_eq!(pool.shutdown(timeout), crate::pool::Drain::Complete);
    }
}
