//! A bare synchronous pool: weft's design with no framework in the way. One thread accepts and
//! hands each connection through a bounded crossbeam queue to a fixed pool of worker threads
//! (64 unless `--workers` says otherwise); a worker parses heads with httparse, keeps the
//! connection alive, and answers with bytes fixed at compile time. No router (a path match), no
//! request or response types, no per-request serialization, no `Date` header, no logging:
//! what is left is the cost of the design itself, the ceiling for any framework built on it.
//!
//! A worker serves its connection for as long as no other connection waits in the queue. When
//! one does, and this connection has no request already buffered, the worker puts it back at
//! the end of the queue and takes the waiting one: with more connections than workers, every
//! connection gets its turn instead of the first 64 holding the pool. A connection whose client
//! says nothing for [`IDLE`] is closed.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

use crossbeam_channel::{Receiver, Sender, TrySendError};
use weft_peers::args::{self, Args};

/// The pool's size when `--workers` is not given: weft's default.
const WORKERS: usize = 64;

/// Connections that may wait for a worker before the acceptor blocks: weft's default queue.
const QUEUE: usize = 1024;

/// How long a worker waits for a client's next request before closing its connection.
const IDLE: Duration = Duration::from_secs(5);

/// The most header lines a request may have.
const MAX_HEADERS: usize = 32;

/// The most bytes a request head may take before the connection is closed.
const MAX_HEAD: usize = 16 * 1024;

const PLAINTEXT: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!";
const JSON: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 27\r\n\r\n{\"message\":\"Hello, World!\"}";
const NOT_FOUND: &[u8] = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
const BAD_REQUEST: &[u8] =
    b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

/// A connection and the bytes read from it that no request has used yet.
struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

fn main() {
    let args = Args::from_env();
    let listener = TcpListener::bind(args.addr).unwrap_or_else(|err| {
        eprintln!("error: cannot listen on {}: {err}", args.addr);
        std::process::exit(1);
    });
    let bound = listener
        .local_addr()
        .expect("a bound listener has an address");
    args::announce(bound);

    let (queue, jobs) = crossbeam_channel::bounded::<Conn>(QUEUE);
    for i in 0..args.workers.unwrap_or(WORKERS) {
        let (queue, jobs) = (queue.clone(), jobs.clone());
        thread::Builder::new()
            .name(format!("worker-{i}"))
            .spawn(move || work(&queue, &jobs))
            .expect("spawn a worker thread");
    }
    for stream in listener.incoming() {
        // A failed accept (say, out of file descriptors) loses that one connection only.
        let Ok(stream) = stream else { continue };
        let _ = stream.set_nodelay(true);
        if stream.set_read_timeout(Some(IDLE)).is_err() {
            continue;
        }
        let conn = Conn {
            stream,
            buf: Vec::with_capacity(4096),
        };
        if queue.send(conn).is_err() {
            break;
        }
    }
}

/// A worker's loop: take a connection, serve it until it closes or someone else waits.
fn work(queue: &Sender<Conn>, jobs: &Receiver<Conn>) {
    for mut conn in jobs {
        // Until the client closes, times out, breaks or asks to close: then it is dropped.
        while let Ok(true) = serve(&mut conn) {
            if conn.buf.is_empty() && !jobs.is_empty() {
                // Others wait and this client has nothing buffered: its turn is over.
                match queue.try_send(conn) {
                    Ok(()) => break,
                    Err(TrySendError::Full(back) | TrySendError::Disconnected(back)) => conn = back,
                }
            }
        }
    }
}

/// Reads until at least one whole request head is buffered, then answers every whole request
/// in the buffer (pipelined ones included) in one write. `Ok(false)`: close the connection.
fn serve(conn: &mut Conn) -> io::Result<bool> {
    let mut out = Vec::new();
    let mut keep = true;
    loop {
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut request = httparse::Request::new(&mut headers);
        match request.parse(&conn.buf) {
            Ok(httparse::Status::Complete(len)) => {
                let mut body = 0usize;
                let mut close = request.version == Some(0);
                for header in request.headers.iter() {
                    if header.name.eq_ignore_ascii_case("content-length") {
                        match std::str::from_utf8(header.value)
                            .ok()
                            .and_then(|v| v.parse().ok())
                        {
                            Some(length) => body = length,
                            None => return reject(conn),
                        }
                    } else if header.name.eq_ignore_ascii_case("connection") {
                        let value = header.value.to_ascii_lowercase();
                        close = value.windows(5).any(|w| w == b"close")
                            || (close && !value.windows(10).any(|w| w == b"keep-alive"));
                    }
                }
                let answer = match (request.method, request.path) {
                    (Some("GET"), Some("/plaintext" | "/")) => PLAINTEXT,
                    (Some("GET"), Some("/json")) => JSON,
                    _ => NOT_FOUND,
                };
                if close {
                    // The fixed answers have no `Connection` header: add it before the body.
                    let head_end = answer
                        .windows(4)
                        .position(|w| w == b"\r\n\r\n")
                        .unwrap_or(0);
                    out.extend_from_slice(&answer[..head_end]);
                    out.extend_from_slice(b"\r\nConnection: close");
                    out.extend_from_slice(&answer[head_end..]);
                } else {
                    out.extend_from_slice(answer);
                }
                // A body, which none of the answers reads, is skipped with the head.
                let used = len.saturating_add(body);
                if conn.buf.len() < used {
                    // Rare: read the rest of the body before going on.
                    while conn.buf.len() < used {
                        if !fill(conn)? {
                            return Ok(false);
                        }
                    }
                }
                conn.buf.drain(..used);
                if close {
                    keep = false;
                    break;
                }
            }
            Ok(httparse::Status::Partial) if !out.is_empty() => break,
            Ok(httparse::Status::Partial) => {
                if conn.buf.len() > MAX_HEAD {
                    return reject(conn);
                }
                if !fill(conn)? {
                    return Ok(false);
                }
            }
            Err(_) => return reject(conn),
        }
    }
    conn.stream.write_all(&out)?;
    Ok(keep)
}

/// Reads more bytes into the buffer; `Ok(false)` when the client has closed.
fn fill(conn: &mut Conn) -> io::Result<bool> {
    let mut chunk = [0u8; 4096];
    let n = conn.stream.read(&mut chunk)?;
    conn.buf.extend_from_slice(&chunk[..n]);
    Ok(n > 0)
}

/// Answers a request that cannot be read with `400` and closes.
fn reject(conn: &mut Conn) -> io::Result<bool> {
    conn.stream.write_all(BAD_REQUEST)?;
    Ok(false)
}
