//! Chapter 5: the connection loop, where bytes from a socket become requests and responses
//! go back, for as long as the connection is kept alive.
//!
//! ```text
//! loop:  read until a head is complete ──► call the service ──► finish the body ──► write
//!          ▲                                                                         │
//!          └──────────────────── keep-alive? ◄───────────────────────────────────────┘
//! ```
//!
//! This loop decides when to read and when to write; the protocol decides what the bytes
//! mean: the socket and its buffers are the `Wire`, heads are parsed by [`head`], bodies are
/* ch05 < ch10
//! read through [`Body`], all in [`crate::http`]. Responses are written by `write.rs`.
*/
// > ch10
//! read through [`Body`], all in [`crate::http`]. Responses are written by `write.rs`, and
//! (chapter 10) a connection that must wait for its client is parked by `park.rs`.
// < ch10

use std::borrow::Cow; // > ch11
use std::io;
use std::net::{SocketAddr, TcpStream};
use std::panic::{self, AssertUnwindSafe};
use std::time::{Duration, Instant};

use super::gate::Ticket; // > ch10
use super::service::Service;
use super::write::{self, Exchange};
use crate::http::body::Decoder;
use crate::http::head::{self, Framing, Head, Parsed};
use crate::http::wire::{is_timeout, Wire};
use crate::http::{Body, Limits, ProtocolError};
use crate::pool::panic_message;
use crate::request::Request;
use crate::response::Response;
use crate::shutdown::Shutdown;

// ANCHOR: connection
/// An accepted connection, between the acceptor, the workers and (chapter 10) the poller
/// where it waits for its next request.
pub struct Connection {
    wire: Wire,
    peer: SocketAddr,
    /// When the head being received must be complete: set at its first byte, so a client that
    /// sends one byte at a time cannot stretch it (and it survives parking).
    head_deadline: Option<Instant>,
    /// When the connection, idle between requests, is closed: set when it goes quiet, so that
    /// waiting in a worker a little at a time (chapter 10) does not stretch it.
    idle_deadline: Option<Instant>,
    // > ch10
    /// Whether the connection has waited its turn in the queue since its last request
    /// (chapter 10): then it is worth a short wait in a worker, and after that the poller.
    had_turn: bool,
    /// The connection's place under the open-connection limit, given back on drop.
    _ticket: Option<Ticket>,
    // < ch10
}
// ANCHOR_END: connection

impl Connection {
    /// Wraps an accepted stream; `None` if it is already closed (its peer is unknown).
    /* ch05 < ch10
    pub(crate) fn new(stream: TcpStream, limits: &Limits) -> Option<Self> {
    */
    // > ch10
    pub(crate) fn new(stream: TcpStream, limits: &Limits, ticket: Option<Ticket>) -> Option<Self> {
        // < ch10
        let peer = stream.peer_addr().ok()?;
        // Responses go out in one write each (or one per pipelined batch): waiting to coalesce
        // them with later writes (Nagle's algorithm) would only add latency.
        let _ = stream.set_nodelay(true);
        let _ = stream.set_write_timeout(Some(limits.write_timeout.max(Duration::from_millis(1))));
        Some(Connection {
            wire: Wire::new(stream, limits),
            peer,
            head_deadline: None,
            idle_deadline: None,
            // > ch10
            had_turn: false,
            _ticket: ticket,
            // < ch10
        })
    }

    // > ch10
    /// The socket, for the poller to watch.
    pub(crate) fn socket(&self) -> &TcpStream {
        self.wire.socket()
    }
    // < ch10

    /// The socket, taken out of the connection (for a `503` when nobody can serve it).
    pub(crate) fn into_stream(self) -> TcpStream {
        self.wire.into_stream()
    }

    // > ch10
    /// Whether the connection is between requests: nothing of the next one has arrived.
    pub(crate) fn is_idle(&self) -> bool {
        self.wire.buffered().is_empty()
    }

    /// When a parked connection stops waiting: at the end of its head's deadline if part of
    /// a head has arrived, or once it has been idle for `limits.idle_timeout`.
    pub(crate) fn parked_until(&self, now: Instant, limits: &Limits) -> Instant {
        self.head_deadline
            .or(self.idle_deadline)
            .unwrap_or_else(|| now + limits.idle_timeout)
    }

    /// Gives the buffers back before parking (see [`Wire::shrink`]).
    pub(crate) fn shrink(&mut self) {
        self.wire.shrink();
    }

    /// The client's address.
    pub(crate) fn peer(&self) -> SocketAddr {
        self.peer
    }
    // < ch10
}

// ANCHOR: serve_connection
// > ch10
/// Chapter 10: how long a worker whose connection has gone quiet waits for its client before
/// it looks again at whether it should park it, while no other connection needs a worker.
/// Long enough that idle workers wake rarely; short enough that a crowd arriving is noticed
/// well within a client's patience.
const UNCROWDED_PATIENCE: Duration = Duration::from_millis(50);

/// Chapter 10: where the connection loop leaves a connection that must wait for its client,
/// so that the waiting costs no worker. The loop knows only this much of the poller that
/// chapter 10 builds (`park::Parking`), so the poller can be added on top of it.
pub(crate) trait WaitingRoom {
    /// Whether connections are queued for a worker: then an idle one is parked at once.
    fn others_waiting(&self) -> bool;

    /// Whether more connections are open than there are workers: only then can a connection
    /// waiting in a worker keep another from being served, so only then does parking pay.
    fn crowded(&self) -> bool;

    /// Puts `conn` at the back of the queue, behind the connections waiting there, or hands
    /// it back when the queue is full or closing. By the time a worker reaches it, its
    /// client has usually sent the next request: a turn costs no poller.
    // By value, as `park` below.
    #[allow(clippy::result_large_err)]
    fn take_turn(&self, conn: Connection) -> Result<(), Connection>;

    /// Takes `conn` until its client sends more, or hands it back when it cannot.
    // The connection goes in and comes back by value, once: boxing it to make the `Err`
    // smaller would cost an allocation on every park.
    #[allow(clippy::result_large_err)]
    fn park(&self, conn: Connection) -> Result<(), Connection>;
}
// < ch10

/* ch05 < ch10
/// Serves requests on `conn` until it closes.
*/
// > ch10
/// Serves requests on `conn` until it closes or, when there is a `parking`, until it must wait
/// for the client: then it is parked, and a worker picks it up again when bytes arrive.
// The connection goes into `park` and comes back from it by value (see `WaitingRoom::park`).
#[allow(clippy::result_large_err)]
// < ch10
pub(crate) fn serve_connection<H>(
    mut conn: Connection,
    limits: &Limits,
    shutdown: &Shutdown,
    service: &H,
    parking: Option<&dyn WaitingRoom>, // > ch10
) where
    H: Service,
{
    let peer = conn.peer;
    let mut may_park = parking.is_some(); // > ch10
    let linger = loop {
        // > ch10
        // ANCHOR: patience
        // How long to wait for the client before parking: `park_after` for a connection
        // back from its turn in the queue (its client had that long already), not at all
        // when other connections are queued for a worker (the wait would delay them),
        // `park_after` when more are open than there are workers, and longer when every
        // connection has a worker to itself: parking then only costs the poller's work, and
        // a worker that looks again now and then still notices when the crowd arrives.
        let patience = parking.filter(|_| may_park).map(|parking| {
            if conn.had_turn {
                limits.park_after
            } else if parking.others_waiting() {
                Duration::ZERO
            } else if parking.crowded() {
                limits.park_after
            } else {
                limits.park_after.max(UNCROWDED_PATIENCE)
            }
        });
        // < ch10
        /* ch05 < ch10
        let head = match read_head(&mut conn, limits) {
        */
        // > ch10
        let head = match read_head(&mut conn, limits, shutdown, patience) {
            // < ch10
            Ok(Step::Head(head)) => head,
            // > ch10
            // Nobody needs this worker: keep waiting for the client here.
            Ok(Step::Park)
                if conn.is_idle()
                    && parking.is_some_and(|p| !p.others_waiting() && !p.crowded()) =>
            {
                continue
            }
            Ok(Step::Park) => {
                let parking = parking.expect("read_head parks only when there is a parking");
                // Others are queued: an idle connection first goes behind them, once, as a
                // busy client's next request is likely to be there when its turn comes.
                // Still quiet after its turn and `park_after`, it waits in the poller.
                let turn = if conn.is_idle() && !conn.had_turn && parking.others_waiting() {
                    conn.had_turn = true;
                    parking.take_turn(conn)
                } else {
                    Err(conn)
                };
                match turn.or_else(|conn| parking.park(conn)) {
                    Ok(()) => return,
                    // Refused (the poller is full or shutting down): an idle connection
                    // closes, one in the middle of a head is finished here.
                    Err(back) => {
                        conn = back;
                        /* ch10 < ch13
                        if conn.is_idle() {
                            break false;
                        }
                        */
                        // > ch13
                        // Chapter 13: refused because shutdown began, an idle connection
                        // still gets its last call (see `read_head`).
                        if conn.is_idle() && !shutdown.is_triggered() {
                            break false;
                        }
                        // < ch13
                        may_park = false;
                        continue;
                    }
                }
            }
            // ANCHOR_END: patience
            // < ch10
            Ok(Step::Close) => break false,
            Err(err) => {
                reject(&mut conn.wire, err, peer);
                break true;
            }
        };
        let next = exchange(&mut conn.wire, head, peer, limits, shutdown, service);
        conn.wire.end_body(); // > ch10
        match next {
            Ok(Then::Request) => continue,
            Ok(Then::Close) => break false,
            Ok(Then::Linger) => break true,
            Err(err) => {
                log::debug!("{peer}: connection ended while writing: {err}");
                break false;
            }
        }
    };
    conn.wire.close(linger);
}
// ANCHOR_END: serve_connection

/// What [`read_head`] found.
// > ch11
// `Head` keeps its first header positions inline (chapter 11), so it is some 200 bytes larger
// than the other variants; boxing it would bring back the allocation that saves.
#[allow(clippy::large_enum_variant)]
// < ch11
enum Step {
    /// A complete head, ready to be served.
    Head(Head),
    // > ch10
    /// Nothing to serve yet, and the connection should wait in the poller, not in a worker.
    Park,
    // < ch10
    /// The connection should just close: the client closed it, or it sat idle too long.
    Close,
}

// ANCHOR: read_head
/* ch05 < ch10
/// Reads until `conn` holds a complete head: it waits up to `limits.idle_timeout` between
/// requests and until the head's deadline within one.
*/
// > ch10
/// Reads until `conn` holds a complete head. With a `patience`, it waits only that long for
/// the client before asking to be parked (chapter 10); without, it waits up to
/// `limits.idle_timeout` between requests and until the head's deadline within one.
// < ch10
fn read_head(
    conn: &mut Connection,
    limits: &Limits,
    shutdown: &Shutdown,        // > ch10
    patience: Option<Duration>, // > ch10
) -> Result<Step, ProtocolError> {
    let may_park = patience.is_some(); // > ch10
    loop {
        if let Parsed::Complete(head) = parse_head(conn.wire.buffered(), limits)? {
            conn.head_deadline = None;
            conn.idle_deadline = None;
            conn.had_turn = false; // > ch10
            return Ok(Step::Head(head));
        }
        // About to wait for the client: first send the answers to the requests before.
        if conn.wire.flush().is_err() {
            return Ok(Step::Close);
        }
        let idle = conn.wire.buffered().is_empty();
        // > ch13
        // ANCHOR: last_call
        // Chapter 13: once shutdown has begun, an idle connection gets a last call: it waits
        // at most `last_call` more for a request (answered with `Connection: close`), here in
        // its worker, since nothing is parked any more.
        if idle && shutdown.is_triggered() {
            let last = Instant::now() + limits.last_call;
            let deadline = conn.idle_deadline.get_or_insert(last);
            *deadline = (*deadline).min(last);
        }
        let patience = patience.filter(|_| !shutdown.is_triggered());
        let may_park = may_park && patience.is_some();
        // ANCHOR_END: last_call
        // < ch13
        let timeout = if idle {
            // The clock for an idle connection starts when it goes quiet.
            let deadline = *conn
                .idle_deadline
                .get_or_insert_with(|| Instant::now() + limits.idle_timeout);
            deadline.saturating_duration_since(Instant::now())
        } else {
            // The clock for a whole head starts at its first byte.
            let deadline = *conn
                .head_deadline
                .get_or_insert_with(|| Instant::now() + limits.head_timeout);
            deadline.saturating_duration_since(Instant::now())
        };
        match (timeout.is_zero(), idle) {
            (true, false) => return Err(ProtocolError::Timeout),
            (true, true) => return Ok(Step::Close),
            (false, _) => {}
        }
        // > ch10
        // ANCHOR: park_wait
        /* ch10 < ch13
        // Chapter 10: an idle connection is not worth a worker once shutdown has begun, nor
        // beyond a short wait for a client that answers at once.
        if may_park && idle && shutdown.is_triggered() {
            return Ok(Step::Close);
        }
        */
        let wait = patience.map_or(timeout, |patience| patience.min(timeout));
        // A zero wait still looks once, without blocking: the poller may have handed the
        // connection back because bytes arrived, and they must be read before parking again.
        let read = if wait.is_zero() {
            conn.wire.fill_now()
        } else {
            conn.wire.set_timeout(wait);
            conn.wire.fill()
        };
        // < ch10
        /* ch05 < ch10
        conn.wire.set_timeout(timeout);
        let read = conn.wire.fill();
        */
        match read {
            Ok(0) if idle => return Ok(Step::Close),
            Ok(0) => return Err(ProtocolError::Incomplete),
            Ok(_) => conn.idle_deadline = None,
            // > ch10
            Err(err) if is_timeout(&err) && may_park && (wait < timeout || wait.is_zero()) => {
                return Ok(Step::Park)
            }
            // < ch10
            Err(err) if is_timeout(&err) && idle => return Ok(Step::Close),
            Err(err) if is_timeout(&err) => return Err(ProtocolError::Timeout),
            Err(_) => return Ok(Step::Close),
        }
        // > ch10
        // ANCHOR_END: park_wait
        // < ch10
    }
}
// ANCHOR_END: read_head

/// What the connection does after a response.
enum Then {
    /// Reads the next request.
    Request,
    /// Closes: every byte the client sent has been read, and it expects the close (it asked
    /// for it, or it speaks HTTP/1.0, or it was told `Connection: close`).
    Close,
    /// Closes while the client may still be sending (an unread body, pipelined requests after
    /// a `close`): linger first, see [`Wire::close`].
    Linger,
}

// ANCHOR: exchange
/// Serves one request whose head is in `wire`: builds the `Request`, has the service answer
/// it ([`answer`]), writes the response. Returns what the connection does next.
fn exchange<H: Service>(
    wire: &mut Wire,
    head: Head,
    peer: SocketAddr,
    limits: &Limits,
    shutdown: &Shutdown,
    service: &H,
) -> io::Result<Then> {
    let (version, keep_alive) = (head.version, head.keep_alive);
    // RFC 9110 §15.5.14: a body announced over the limit is refused before any of it is
    // read. `read_head` let the head through so that the service can give the answer.
    let too_large = matches!(head.framing, Framing::Length(n) if n > limits.max_body);
    let decoder = Decoder::new(head.framing, limits);
    let owe_continue = head.expect_continue;
    if head.framing != Framing::Empty {
        wire.set_timeout(limits.body_timeout);
        wire.start_body(limits); // > ch10
    }
    /* ch05 < ch11
    let raw = wire.take(head.len);
    let body = Body::from_wire(wire, decoder, owe_continue);
    let request = Request::new(raw, head, peer, body);
    */
    // > ch11
    // The request borrows the head's bytes from the connection's head buffer (chapter 11),
    // which comes back to the wire once the request is gone.
    let raw = wire.take_head(head.len);
    let body = Body::from_wire(wire, decoder, owe_continue);
    let request = Request::new(Cow::Borrowed(&raw), head, peer, body);
    // < ch11
    let (response, head_only, reusable) = match request {
        // A malformed target: no `Request`, so nothing to hand the service.
        Err((err, _body)) => {
            log::info!("{peer}: rejected a request: {err} ({})", err.status());
            (Response::for_protocol_error(err), false, false)
        }
        Ok(mut request) => {
            log::debug!("{peer}: {} {}", request.method(), request.target());
            let head_only = request.method() == "HEAD";
            let refusal = too_large.then_some(ProtocolError::BodyTooLarge);
            let (response, reusable) = answer(service, &mut request, refusal, limits.max_drain);
            (response, head_only, reusable)
        }
    };
    wire.return_head(raw); // > ch11
    let exchange = Exchange {
        head_only,
        version,
        // Asked at the last moment: a shutdown that began while the handler ran still gets
        // this connection closed after its response.
        keep_alive: keep_alive && reusable && !shutdown.is_triggered(),
    };
    Ok(if write::write(wire, response, exchange)? {
        Then::Request
    } else if reusable && wire.buffered().is_empty() {
        Then::Close
    } else {
        Then::Linger
    })
}
// ANCHOR_END: exchange

// ANCHOR: answer
/// The answer to `request`, and whether the connection can carry another request after it.
///
/// With a `refusal` (the head alone broke a rule), the service's [`Service::refuse`]
/// answers and no byte of the body is read. Otherwise [`Service::respond`] answers, then
/// the body is finished: what the handler left of it is read and thrown away (up to
/// `max_drain` bytes). If the body broke the protocol, while the handler read it or while
/// it was drained, the service answers that error instead, unless its response already
/// has the error's status (an application's handler met the error and returned it with
/// `?`): a body that broke the protocol decides the status, whatever the handler said.
///
/// The test client (`weft::testing`) answers its requests here too.
pub(crate) fn answer<H: Service>(
    service: &H,
    request: &mut Request<'_>,
    refusal: Option<ProtocolError>,
    max_drain: u64,
) -> (Response, bool) {
    let peer = request.peer();
    if let Some(err) = refusal {
        log::info!("{peer}: refused a request: {err} ({})", err.status());
        request.body().refuse(err);
        return (guarded(peer, || service.refuse(request, err)), false);
    }
    // AssertUnwindSafe: after a panic the request is only dropped, never used again, and
    // the connection is closed, so nothing half-updated is seen afterwards.
    let response = match panic::catch_unwind(AssertUnwindSafe(|| service.respond(request))) {
        Ok(response) => response,
        Err(payload) => {
            log::error!("{peer}: handler panicked: {}", panic_message(&*payload));
            return (Response::status_page(500), false);
        }
    };
    match request.body().finish(max_drain) {
        Ok(true) => (response, true),
        Ok(false) => {
            log::debug!("{peer}: body left unread; closing after the response");
            (response, false)
        }
        Err(err) if response.status() == err.status() => (response, false),
        Err(err) => {
            log::info!("{peer}: rejected a request body: {err} ({})", err.status());
            (guarded(peer, || service.refuse(request, err)), false)
        }
    }
}
// ANCHOR_END: answer

/// `refuse`'s answer, or a `500` if it panicked (a service's own `refuse`, not an
/// application's, which catches its panics itself).
fn guarded(peer: SocketAddr, refuse: impl FnOnce() -> Response) -> Response {
    panic::catch_unwind(AssertUnwindSafe(refuse)).unwrap_or_else(|payload| {
        log::error!("{peer}: refusal panicked: {}", panic_message(&*payload));
        Response::status_page(500)
    })
}

/// [`head::parse`], except that a `Content-Length` over `limits.max_body` is no error here:
/// `exchange` refuses it once it has built the `Request`, so that the service answers it.
/// Only that error is looked at twice, so a head within the limits is parsed once.
pub(crate) fn parse_head(bytes: &[u8], limits: &Limits) -> Result<Parsed, ProtocolError> {
    match head::parse(bytes, limits) {
        Err(ProtocolError::BodyTooLarge) => head::parse(bytes, &without_body_limit(limits)),
        parsed => parsed,
    }
}

/// `limits` without a limit on the body: for parsing a head whose body will be refused.
pub(crate) fn without_body_limit(limits: &Limits) -> Limits {
    Limits {
        max_body: u64::MAX,
        ..limits.clone()
    }
}

/// Answers a request whose head broke the protocol; the connection then closes.
fn reject(wire: &mut Wire, err: ProtocolError, peer: SocketAddr) {
    if err == ProtocolError::Incomplete {
        log::debug!("{peer}: closed in the middle of a head");
        return;
    }
    log::info!("{peer}: rejected a request: {err} ({})", err.status());
    let exchange = Exchange {
        head_only: false,
        version: head::Version::Http11,
        keep_alive: false,
    };
    let _ = write::write(wire, Response::for_protocol_error(err), exchange);
}
