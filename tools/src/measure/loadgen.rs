//! A closed-loop HTTP load generator over blocking sockets.
//!
//! `N` client threads each own one connection. Each sends a request, reads the whole response,
//! records how long that took, and sends the next one at once: the load is *closed*, so a slow
//! server is offered less load, never more. The book's appendix "How to measure" explains what
//! that means for the latencies it reports (coordinated omission) and why the book still uses
//! it.
//!
//! The generator speaks just enough HTTP/1.1 for the book's servers: `GET` requests, responses
//! framed by `Content-Length` or by the server closing, `Connection: close` detected so a
//! keep-alive client knows when to reconnect. Every socket operation has a timeout, so a server
//! that stops answering costs the run a counted error, never a hang.

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

/// Whether the client keeps a connection open between requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connection {
    /// One request per connection: send `Connection: close`, read the response and the
    /// server's close, connect again. Chapters 2–4 serve only this way.
    Close,
    /// Reuse the connection for the next request for as long as the server allows (it has
    /// not answered `Connection: close`). Chapter 5 onward.
    KeepAlive,
}

/// One load run: where, what, how many connections, and for how long.
#[derive(Debug, Clone)]
pub struct Load {
    /// The server's address.
    pub addr: SocketAddr,
    /// The request target every request asks for (`/`, `/slow`).
    pub path: String,
    /// Client connections, each driven by its own thread in a closed loop.
    pub connections: usize,
    /// Close after each response, or keep the connection alive.
    pub connection: Connection,
    /// Requests written back to back before any response is read (HTTP/1.1 pipelining);
    /// 1 means no pipelining. Only meaningful with [`Connection::KeepAlive`].
    pub pipeline: usize,
    /// Load applied before measuring starts, and discarded: it lets the server reach a steady
    /// state (threads spawned, caches warm) before anything is recorded.
    pub warmup: Duration,
    /// How long the measured part of the run lasts.
    pub duration: Duration,
    /// The longest any one connect, write or response may take before it counts as a timeout.
    pub timeout: Duration,
}

/// What went wrong during a run, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Errors {
    /// Connections that could not be opened (refused, or no answer within the timeout).
    pub connect: u64,
    /// Connections reset or closed by the server before a whole response arrived.
    pub reset: u64,
    /// Connects, writes or responses that took longer than [`Load::timeout`].
    pub timeout: u64,
    /// Whole responses whose status was not 2xx.
    pub status: u64,
    /// Responses this generator could not frame (bad head, bad or unsupported body framing).
    pub malformed: u64,
}

impl Errors {
    /// All errors of every kind.
    pub fn total(&self) -> u64 {
        self.connect + self.reset + self.timeout + self.status + self.malformed
    }

    /// Adds `other`'s counts to these.
    pub fn add(&mut self, other: &Errors) {
        self.connect += other.connect;
        self.reset += other.reset;
        self.timeout += other.timeout;
        self.status += other.status;
        self.malformed += other.malformed;
    }
}

impl fmt::Display for Errors {
    /// `0`, or the total followed by its kinds: `7 (5 timeout, 2 status)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.total())?;
        let kinds = [
            (self.connect, "connect"),
            (self.reset, "reset"),
            (self.timeout, "timeout"),
            (self.status, "status"),
            (self.malformed, "malformed"),
        ];
        let mut first = true;
        for (count, kind) in kinds.iter().filter(|(count, _)| *count > 0) {
            write!(f, "{}{count} {kind}", if first { " (" } else { ", " })?;
            first = false;
        }
        if !first {
            write!(f, ")")?;
        }
        Ok(())
    }
}

/// What a run measured: only what happened inside the measured window, after the warm-up.
#[derive(Debug, Clone)]
pub struct Report {
    /// Responses with a 2xx status completed inside the window.
    pub ok: u64,
    /// The length of the measured window.
    pub window: Duration,
    /// Latency of each 2xx response, in microseconds: from starting its request (connecting
    /// first, if the request needs a new connection) to reading the last byte of its body.
    pub latency: Histogram<u64>,
    /// Errors detected inside the window.
    pub errors: Errors,
}

impl Report {
    fn empty(window: Duration) -> Report {
        Report {
            ok: 0,
            window,
            // One microsecond to one minute, to three significant figures.
            latency: Histogram::new_with_bounds(1, 60_000_000, 3).expect("valid bounds"),
            errors: Errors::default(),
        }
    }

    /// Adds another connection's figures to these.
    pub fn merge(&mut self, other: &Report) {
        self.ok += other.ok;
        self.latency
            .add(&other.latency)
            .expect("histograms with the same bounds add");
        self.errors.add(&other.errors);
    }

    /// Successful responses per second over the window.
    pub fn rate(&self) -> f64 {
        self.ok as f64 / self.window.as_secs_f64().max(f64::EPSILON)
    }

    /// The latency that `quantile` (0.5 for the median, 0.99) of the responses did not exceed;
    /// `None` when no response succeeded.
    pub fn latency_at(&self, quantile: f64) -> Option<Duration> {
        (!self.latency.is_empty())
            .then(|| Duration::from_micros(self.latency.value_at_quantile(quantile)))
    }
}

/// Runs `load` and returns what it measured. Blocks for the warm-up, the window, and at most
/// one [`Load::timeout`] more while the last requests finish.
pub fn run(load: &Load) -> Report {
    let start = Instant::now();
    let mut total = Report::empty(load.duration);
    thread::scope(|scope| {
        let clients: Vec<_> = (0..load.connections)
            .map(|_| scope.spawn(|| drive(load, start)))
            .collect();
        for client in clients {
            let report = client.join().expect("a load client panicked");
            total.merge(&report);
        }
    });
    total
}

// ANCHOR: closed_loop
/// One client's closed loop: request, whole response, record, repeat, until the window ends.
fn drive(load: &Load, start: Instant) -> Report {
    let measure_from = start + load.warmup;
    let end = measure_from + load.duration;
    let in_window = |at: Instant| at >= measure_from && at < end;
    let mut report = Report::empty(load.duration);
    let batch = request(load).repeat(load.pipeline.max(1));
    let mut open: Option<Client> = None;

    while Instant::now() < end {
        // A request's time starts before its connect, when it needs one: a client waiting
        // for a connection is waiting for its response.
        let began = Instant::now();
        let connected = open
            .take()
            .map_or_else(|| Client::connect(load.addr, load.timeout), Ok);
        let mut client = match connected {
            Ok(client) => client,
            Err(failure) => {
                if in_window(Instant::now()) {
                    report.count(failure);
                }
                pause_before_reconnecting(end);
                continue;
            }
        };
        let deadline = Instant::now() + load.timeout;
        let mut keep = load.connection == Connection::KeepAlive;
        let result = client.send(&batch, deadline).and_then(|()| {
            for _ in 0..load.pipeline.max(1) {
                let response = client.read_response(deadline)?;
                let done = Instant::now();
                keep &= !response.close;
                if in_window(done) {
                    if (200..300).contains(&response.status) {
                        report.ok += 1;
                        report.latency.saturating_record(micros(done - began));
                    } else {
                        report.errors.status += 1;
                    }
                }
            }
            Ok(())
        });
        match result {
            Ok(()) if keep => open = Some(client),
            // Wait for the server's close, so that the server, not this client, holds the
            // closed connection's TIME_WAIT state and the client never runs out of ports.
            Ok(()) => match client.read_to_close(deadline) {
                Err(failure) if in_window(Instant::now()) => report.count(failure),
                _ => {}
            },
            Err(failure) if in_window(Instant::now()) => report.count(failure),
            Err(_) => {}
        }
    }
    report
}
// ANCHOR_END: closed_loop

/// How long a client waits after a failed connect before trying again.
const CONNECT_BACKOFF: Duration = Duration::from_millis(10);

/// Waits [`CONNECT_BACKOFF`], or until `end` if sooner. Without a pause a refused connect
/// would spin and steal the CPU the server needs; the pause paces retries, it synchronises
/// nothing.
fn pause_before_reconnecting(end: Instant) {
    thread::sleep(CONNECT_BACKOFF.min(end.saturating_duration_since(Instant::now())));
}

/// The most bytes of response head the generator reads before calling a response malformed.
const MAX_HEAD: usize = 64 * 1024;

/// The request `load` sends, once.
pub(super) fn request(load: &Load) -> Vec<u8> {
    let connection = match load.connection {
        Connection::Close => "Connection: close\r\n",
        Connection::KeepAlive => "",
    };
    format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: weft-compare\r\n{connection}\r\n",
        load.path, load.addr
    )
    .into_bytes()
}

fn micros(elapsed: Duration) -> u64 {
    u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX)
}

impl Report {
    fn count(&mut self, failure: Failure) {
        match failure {
            Failure::Connect => self.errors.connect += 1,
            Failure::Reset => self.errors.reset += 1,
            Failure::Timeout => self.errors.timeout += 1,
            Failure::Malformed => self.errors.malformed += 1,
        }
    }
}

/// Why one exchange failed; each maps to one [`Errors`] field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failure {
    Connect,
    Reset,
    Timeout,
    Malformed,
}

impl Failure {
    fn from_io(err: &io::Error) -> Failure {
        match err.kind() {
            // A socket read or write timeout shows up as either kind, depending on the OS.
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => Failure::Timeout,
            _ => Failure::Reset,
        }
    }
}

/// A response's status and whether the connection ends with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Response {
    status: u16,
    close: bool,
}

/// An open connection and the bytes read from it that no response has used yet (with
/// pipelining, the start of the next response).
struct Client {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Client {
    fn connect(addr: SocketAddr, timeout: Duration) -> Result<Client, Failure> {
        let stream = TcpStream::connect_timeout(&addr, timeout).map_err(|err| {
            match Failure::from_io(&err) {
                Failure::Timeout => Failure::Timeout,
                _ => Failure::Connect,
            }
        })?;
        // Requests go out in one write; waiting to batch them (Nagle) would only add latency.
        let _ = stream.set_nodelay(true);
        stream
            .set_write_timeout(Some(timeout))
            .map_err(|_| Failure::Connect)?;
        Ok(Client {
            stream,
            buf: Vec::with_capacity(4096),
        })
    }

    fn send(&mut self, bytes: &[u8], deadline: Instant) -> Result<(), Failure> {
        if Instant::now() >= deadline {
            return Err(Failure::Timeout);
        }
        self.stream
            .write_all(bytes)
            .map_err(|err| Failure::from_io(&err))
    }

    /// Reads more bytes into the buffer, waiting no later than `deadline`. `Ok(false)` means
    /// the server closed the connection.
    fn fill(&mut self, deadline: Instant) -> Result<bool, Failure> {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(Failure::Timeout);
        }
        // Each read waits only as long as the response has left, so a server that trickles
        // bytes cannot stretch one response past its deadline.
        self.stream
            .set_read_timeout(Some(left))
            .map_err(|err| Failure::from_io(&err))?;
        let mut chunk = [0u8; 4096];
        match self.stream.read(&mut chunk) {
            Ok(0) => Ok(false),
            Ok(n) => {
                self.buf.extend_from_slice(&chunk[..n]);
                Ok(true)
            }
            Err(err) => Err(Failure::from_io(&err)),
        }
    }

    // ANCHOR: read_response
    /// Reads one whole response: its head, then its body as the head frames it.
    fn read_response(&mut self, deadline: Instant) -> Result<Response, Failure> {
        let head = loop {
            if let Some(head) = parse_head(&self.buf)? {
                break head;
            }
            if self.buf.len() > MAX_HEAD {
                return Err(Failure::Malformed);
            }
            if !self.fill(deadline)? {
                return Err(Failure::Reset); // closed before the head was complete
            }
        };
        match head.body {
            Body::Length(length) => {
                let end = head.len.checked_add(length).ok_or(Failure::Malformed)?;
                while self.buf.len() < end {
                    if !self.fill(deadline)? {
                        return Err(Failure::Reset); // closed before the body was complete
                    }
                }
                // Whatever follows belongs to the next (pipelined) response.
                self.buf.drain(..end);
                Ok(head.response)
            }
            Body::UntilClose => {
                self.read_to_close(deadline)?;
                Ok(Response {
                    close: true,
                    ..head.response
                })
            }
        }
    }
    // ANCHOR_END: read_response

    /// Reads and discards until the server closes the connection.
    fn read_to_close(&mut self, deadline: Instant) -> Result<(), Failure> {
        while self.fill(deadline)? {
            self.buf.clear();
        }
        self.buf.clear();
        Ok(())
    }
}

/// How a response's body ends (RFC 9112, section 6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Body {
    /// Exactly this many bytes follow the head.
    Length(usize),
    /// The body runs until the server closes the connection.
    UntilClose,
}

/// A parsed response head: its length in bytes, what it says, and how its body is framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Head {
    len: usize,
    response: Response,
    body: Body,
}

/// Parses the response head at the start of `buf`: `Ok(None)` if more bytes are needed.
fn parse_head(buf: &[u8]) -> Result<Option<Head>, Failure> {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut parsed = httparse::Response::new(&mut headers);
    let len = match parsed.parse(buf) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(_) => return Err(Failure::Malformed),
    };
    let status = parsed.code.ok_or(Failure::Malformed)?;
    let mut length = None;
    let mut connection_close = None;
    for header in parsed.headers.iter() {
        let value = std::str::from_utf8(header.value).map_err(|_| Failure::Malformed)?;
        if header.name.eq_ignore_ascii_case("content-length") {
            let value: usize = value.trim().parse().map_err(|_| Failure::Malformed)?;
            // Two different lengths make the framing ambiguous (RFC 9112, section 6.3).
            if length.is_some_and(|seen| seen != value) {
                return Err(Failure::Malformed);
            }
            length = Some(value);
        } else if header.name.eq_ignore_ascii_case("transfer-encoding") {
            // The book's servers frame by length; chunked bodies are not decoded here.
            return Err(Failure::Malformed);
        } else if header.name.eq_ignore_ascii_case("connection") {
            for token in value.split(',').map(str::trim) {
                if token.eq_ignore_ascii_case("close") {
                    connection_close = Some(true);
                } else if token.eq_ignore_ascii_case("keep-alive") {
                    connection_close.get_or_insert(false);
                }
            }
        }
    }
    // HTTP/1.1 connections persist unless closed; HTTP/1.0 ones close unless kept alive
    // (RFC 9112, section 9.3).
    let close = connection_close.unwrap_or(parsed.version == Some(0));
    // 1xx, 204 and 304 responses never have a body (RFC 9112, section 6.3, rule 1).
    let body = if (100..200).contains(&status) || status == 204 || status == 304 {
        Body::Length(0)
    } else {
        match length {
            Some(length) => Body::Length(length),
            None => Body::UntilClose,
        }
    };
    Ok(Some(Head {
        len,
        response: Response { status, close },
        body,
    }))
}

/// Opens `count` connections to `addr` and leaves them idle, for measuring what an idle
/// connection costs the server. Returns the connections held and how many could not be opened.
///
/// Each connect waits at most `timeout`. A server that stops accepting (a full listen backlog
/// leaves the kernel to drop new handshakes) would make every further connect wait that long,
/// so after three failures in a row the rest are counted as failed without trying.
pub fn hold_idle(addr: SocketAddr, count: usize, timeout: Duration) -> (Vec<TcpStream>, u64) {
    let mut held = Vec::with_capacity(count);
    let mut failed_in_a_row = 0;
    for _ in 0..count {
        if failed_in_a_row == 3 {
            break;
        }
        match TcpStream::connect_timeout(&addr, timeout) {
            Ok(stream) => {
                held.push(stream);
                failed_in_a_row = 0;
            }
            Err(_) => failed_in_a_row += 1,
        }
    }
    let failed = (count - held.len()) as u64;
    (held, failed)
}

/// How [`hold`] leaves each connection it opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Held {
    /// Connected, nothing sent: a client that has not spoken yet.
    Silent,
    /// The first byte of a request head sent, and nothing more: a slowloris client.
    HalfHead,
    /// One whole request sent and its response read, the connection kept open: an idle
    /// keep-alive client between requests.
    KeptAlive,
}

// ANCHOR: hold
/// Opens `count` connections to `addr`, one after another, and leaves each as `how` says, for
/// measuring what such clients do to the server (chapter 10). Returns the connections held
/// and how many could not be opened (or, for `KeptAlive`, got no response that keeps them
/// open). Like [`hold_idle`], it gives up after three failed connects in a row; and after the
/// first kept-alive request that gets no answer in time, since a server that cannot answer
/// one more client will not answer the rest either (trying would cost a timeout each).
pub fn hold(addr: SocketAddr, count: usize, how: Held, timeout: Duration) -> (Vec<TcpStream>, u64) {
    let request = format!("GET / HTTP/1.1\r\nHost: {addr}\r\nUser-Agent: weft-compare\r\n\r\n");
    let mut held = Vec::with_capacity(count);
    let mut failed_in_a_row = 0;
    for _ in 0..count {
        if failed_in_a_row == 3 {
            break;
        }
        let Ok(client) = Client::connect(addr, timeout) else {
            failed_in_a_row += 1;
            continue;
        };
        let opened = Some(client).filter(|client| {
            let mut client = Client {
                stream: match client.stream.try_clone() {
                    Ok(stream) => stream,
                    Err(_) => return false,
                },
                buf: Vec::new(),
            };
            let deadline = Instant::now() + timeout;
            match how {
                Held::Silent => true,
                Held::HalfHead => client.send(b"G", deadline).is_ok(),
                Held::KeptAlive => {
                    client.send(request.as_bytes(), deadline).is_ok()
                        && client
                            .read_response(deadline)
                            .is_ok_and(|response| !response.close)
                }
            }
        });
        match opened {
            Some(client) => {
                held.push(client.stream);
                failed_in_a_row = 0;
            }
            None if how == Held::KeptAlive => break,
            None => failed_in_a_row += 1,
        }
    }
    let failed = (count - held.len()) as u64;
    (held, failed)
}
// ANCHOR_END: hold

/// Whether the server still holds `stream` open without having answered on it: a read that
/// does not wait finds nothing. A close, a reset or any bytes (a `408`, a `503`) mean the
/// server let the client go.
pub fn still_open(stream: &TcpStream) -> bool {
    if stream.set_nonblocking(true).is_err() {
        return false;
    }
    let mut byte = [0u8; 1];
    let open =
        matches!((&*stream).read(&mut byte), Err(err) if err.kind() == io::ErrorKind::WouldBlock);
    let _ = stream.set_nonblocking(false);
    open
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    /// Runs `load` on another thread and fails the test, rather than hanging it, if the run
    /// does not return within a generous bound.
    fn run_guarded(load: Load) -> Report {
        let (tx, rx) = crossbeam_channel::bounded(1);
        thread::spawn(move || {
            let _ = tx.send(run(&load));
        });
        rx.recv_timeout(Duration::from_secs(20))
            .expect("the load run hung")
    }

    fn load(addr: SocketAddr, connection: Connection) -> Load {
        Load {
            addr,
            path: "/".into(),
            connections: 2,
            connection,
            pipeline: 1,
            warmup: Duration::from_millis(20),
            duration: Duration::from_millis(200),
            timeout: Duration::from_secs(2),
        }
    }

    /// A tiny server on `127.0.0.1:0`: each connection gets a thread running `serve`. Counts
    /// the connections it accepted.
    fn server<F>(serve: F) -> (SocketAddr, Arc<AtomicUsize>)
    where
        F: Fn(TcpStream) + Send + Sync + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let accepted = Arc::new(AtomicUsize::new(0));
        let count = Arc::clone(&accepted);
        let serve = Arc::new(serve);
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                count.fetch_add(1, Ordering::SeqCst);
                let serve = Arc::clone(&serve);
                thread::spawn(move || serve(stream));
            }
        });
        (addr, accepted)
    }

    /// Reads request heads off `stream` and answers each with `response`, `batch` at a time:
    /// it waits for `batch` whole heads before writing anything. Stops at EOF or an error.
    fn answer(mut stream: TcpStream, response: &'static [u8], batch: usize) {
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut buf = Vec::new();
        let mut chunk = [0u8; 1024];
        loop {
            while buf.windows(4).filter(|w| *w == b"\r\n\r\n").count() < batch {
                match stream.read(&mut chunk) {
                    Ok(0) | Err(_) => return,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            // Drop exactly `batch` heads from the front.
            for _ in 0..batch {
                let end = buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
                buf.drain(..end);
            }
            if stream.write_all(&response.repeat(batch)).is_err() {
                return;
            }
            if response.windows(17).any(|w| w == b"Connection: close") {
                return;
            }
        }
    }

    const OK_CLOSE: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
    const OK_KEEP: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    const ERROR_500: &[u8] = b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n";

    #[test]
    fn close_mode_reconnects_for_every_request() {
        let (addr, accepted) = server(|stream| answer(stream, OK_CLOSE, 1));
        let report = run_guarded(load(addr, Connection::Close));
        assert!(report.ok > 0, "no request succeeded: {:?}", report.errors);
        assert_eq!(report.errors, Errors::default());
        // Every response, warm-up ones included, came on a connection of its own.
        assert!(accepted.load(Ordering::SeqCst) as u64 >= report.ok);
        assert!(report.latency_at(0.5).is_some());
    }

    #[test]
    fn keep_alive_mode_reuses_its_connections() {
        let (addr, accepted) = server(|stream| answer(stream, OK_KEEP, 1));
        let report = run_guarded(load(addr, Connection::KeepAlive));
        assert_eq!(report.errors, Errors::default());
        assert!(report.ok > 2, "only {} responses", report.ok);
        assert_eq!(
            accepted.load(Ordering::SeqCst),
            2,
            "one connection per client"
        );
    }

    #[test]
    fn keep_alive_mode_reconnects_when_the_server_says_close() {
        let (addr, accepted) = server(|stream| answer(stream, OK_CLOSE, 1));
        let report = run_guarded(load(addr, Connection::KeepAlive));
        assert_eq!(report.errors, Errors::default());
        assert!(report.ok > 0);
        assert!(accepted.load(Ordering::SeqCst) as u64 >= report.ok);
    }

    #[test]
    fn pipelining_writes_the_whole_batch_before_reading() {
        // This server answers nothing until it holds four requests, so a client that waited
        // for each response before sending the next would only collect timeouts.
        let (addr, accepted) = server(|stream| answer(stream, OK_KEEP, 4));
        let report = run_guarded(Load {
            pipeline: 4,
            ..load(addr, Connection::KeepAlive)
        });
        assert_eq!(report.errors, Errors::default());
        assert!(report.ok >= 4, "only {} responses", report.ok);
        assert_eq!(accepted.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn non_2xx_statuses_are_errors_not_requests() {
        let (addr, _) = server(|stream| answer(stream, ERROR_500, 1));
        let report = run_guarded(load(addr, Connection::KeepAlive));
        assert_eq!(report.ok, 0);
        assert!(report.errors.status > 0, "{:?}", report.errors);
        assert_eq!(report.errors.total(), report.errors.status);
        assert!(report.latency_at(0.99).is_none());
    }

    #[test]
    fn resets_are_counted() {
        // Read the request, then close without answering: the client sees its connection end
        // before a response arrives.
        let (addr, _) = server(|mut stream| {
            let mut chunk = [0u8; 1024];
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let _ = stream.read(&mut chunk);
        });
        let report = run_guarded(load(addr, Connection::Close));
        assert_eq!(report.ok, 0);
        assert!(report.errors.reset > 0, "{:?}", report.errors);
    }

    #[test]
    fn refused_connections_are_counted() {
        // Hold a port on 127.0.0.1 (so nobody else takes it) and connect to the same port on
        // another loopback address, where nothing listens: the connection is refused.
        let held = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = held.local_addr().unwrap().port();
        let addr = SocketAddr::from(([127, 0, 0, 253], port));
        let report = run_guarded(load(addr, Connection::Close));
        assert_eq!(report.ok, 0);
        assert!(report.errors.connect > 0, "{:?}", report.errors);
    }

    #[test]
    fn a_silent_server_costs_timeouts_not_a_hang() {
        let (tx, rx) = crossbeam_channel::unbounded::<TcpStream>();
        // Accept and hold every connection without ever answering.
        let (addr, _) = server(move |stream| {
            let _ = tx.send(stream);
        });
        let report = run_guarded(Load {
            timeout: Duration::from_millis(50),
            ..load(addr, Connection::KeepAlive)
        });
        drop(rx);
        assert_eq!(report.ok, 0);
        assert!(report.errors.timeout > 0, "{:?}", report.errors);
    }

    #[test]
    fn hold_idle_opens_and_counts() {
        let (addr, _) = server(|stream| answer(stream, OK_KEEP, 1));
        let (held, failed) = hold_idle(addr, 10, Duration::from_secs(2));
        assert_eq!((held.len(), failed), (10, 0));
        let closed = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let (held, failed) = hold_idle(closed, 10, Duration::from_secs(2));
        assert_eq!(
            (held.len(), failed),
            (0, 10),
            "gives up after three refusals"
        );
    }

    #[test]
    fn parse_head_table() {
        use Body::*;
        // (response bytes, parsed as (status, closes, body framing) or more-needed or error)
        type Expected = Result<Option<(u16, bool, Body)>, Failure>;
        let cases: &[(&[u8], Expected)] = &[
            (
                b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
                Ok(Some((200, false, Length(5)))),
            ),
            (b"HTTP/1.1 200 OK\r\nContent-Len", Ok(None)),
            (
                b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
                Ok(Some((200, true, Length(0)))),
            ),
            (
                b"HTTP/1.1 200 OK\r\nConnection: Keep-Alive, CLOSE\r\n\r\n",
                Ok(Some((200, true, UntilClose))),
            ),
            (
                b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n",
                Ok(Some((200, true, Length(0)))),
            ),
            (
                b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n",
                Ok(Some((200, false, Length(0)))),
            ),
            (
                b"HTTP/1.1 204 No Content\r\nContent-Length: 9\r\n\r\n",
                Ok(Some((204, false, Length(0)))),
            ),
            (
                b"HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n",
                Ok(Some((503, false, Length(0)))),
            ),
            (
                b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n",
                Err(Failure::Malformed),
            ),
            (
                b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
                Err(Failure::Malformed),
            ),
            (
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                Err(Failure::Malformed),
            ),
            (b"SSH-2.0-OpenSSH\r\n\r\n", Err(Failure::Malformed)),
        ];
        for (bytes, expected) in cases {
            let got = parse_head(bytes)
                .map(|head| head.map(|h| (h.response.status, h.response.close, h.body)));
            assert_eq!(&got, expected, "{}", String::from_utf8_lossy(bytes));
        }
    }

    #[test]
    fn errors_display_names_the_kinds() {
        assert_eq!(Errors::default().to_string(), "0");
        let errors = Errors {
            timeout: 5,
            status: 2,
            ..Errors::default()
        };
        assert_eq!(errors.to_string(), "7 (5 timeout, 2 status)");
    }
}
