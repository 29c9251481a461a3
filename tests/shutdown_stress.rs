//! Chapter 10's shutdown, many times over: a server with parked idle connections and clients
//! busy sending requests is stopped fifty times in a row, and every stop must be a clean drain.
//! A race between the acceptor's drain and the workers or the poller shows up here as a panic,
//! a hang (every wait is bounded) or a response cut short.

mod support;

use std::io::{BufRead, BufReader, ErrorKind, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::panic;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crossbeam_channel::{RecvTimeoutError, Sender};
use support::{connect, Client, IO_TIMEOUT};
use weft::app::App;
use weft::http::Limits;
use weft::pool::Drain;
use weft::server::Config;
use weft::shutdown::Shutdown;

const RUNS: usize = 50;
const WORKERS: usize = 4;
/// Idle keep-alive connections per run: three times the workers, so that they can only all be
/// served if the earlier ones were parked and gave their workers back.
const IDLE: usize = 3 * WORKERS;
/// Clients sending requests back to back while the shutdown happens.
const BUSY: usize = 4;
/// How long a run's server may take to drain once stopped before the test calls it stuck.
const DRAIN_LIMIT: Duration = Duration::from_secs(10);

const REQUEST: &[u8] = b"GET / HTTP/1.1\r\nHost: t\r\n\r\n";

#[test]
fn fifty_shutdowns_with_parked_and_busy_connections_all_drain_cleanly() {
    for run in 0..RUNS {
        one_run(run);
    }
}

/// Starts a server, parks idle connections on it, keeps clients busy, stops it, and checks
/// that it drained completely and that every client saw whole responses and then a close.
fn one_run(run: usize) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().unwrap();
    let mut app = App::new();
    app.get("/", |_, _| "ok");
    app.set_config(Config {
        workers: WORKERS,
        queue: 32,
        grace: Duration::from_secs(5),
        reuse_port: false, // > ch13
    });
    app.set_limits(Limits {
        max_parked: 64,
        park_after: Duration::from_millis(1),
        // Far longer than the test: an idle connection is closed by the shutdown, not by this.
        idle_timeout: Duration::from_secs(60),
        // > ch13
        // Short, so that fifty stops stay quick: every run's idle connections wait out the
        // whole last call (chapter 13) before they are closed.
        last_call: Duration::from_millis(20),
        // < ch13
        ..Limits::default()
    });
    let shutdown = Shutdown::new();
    let (drained_tx, drained) = crossbeam_channel::bounded(1);
    let server = {
        let shutdown = shutdown.clone();
        thread::spawn(move || {
            let drain = app.serve(listener, &shutdown);
            let _ = drained_tx.send(drain);
        })
    };

    // Each idle connection is answered once; with an idle timeout of a minute, the later ones
    // are answered within the read timeout only because the earlier ones were parked.
    let idle: Vec<Client> = (0..IDLE)
        .map(|_| {
            let mut client = Client::connect(addr);
            client.send(REQUEST);
            assert_eq!(client.response().status, 200, "run {run}");
            client
        })
        .collect();
    let (answered_tx, answered) = crossbeam_channel::unbounded();
    let busy: Vec<JoinHandle<usize>> = (0..BUSY)
        .map(|_| {
            let answered_tx = answered_tx.clone();
            thread::spawn(move || busy_client(addr, &answered_tx))
        })
        .collect();
    // Stop only once every busy client is in its loop, so the shutdown lands among requests.
    for _ in 0..BUSY {
        answered
            .recv_timeout(IO_TIMEOUT)
            .unwrap_or_else(|_| panic!("run {run}: a busy client got no first response"));
    }

    shutdown.trigger();
    match drained.recv_timeout(DRAIN_LIMIT) {
        Ok(drain) => assert_eq!(drain, Drain::Complete, "run {run}"),
        Err(RecvTimeoutError::Disconnected) => match server.join() {
            Err(payload) => panic::resume_unwind(payload),
            Ok(()) => unreachable!("the server thread sends its drain before it ends"),
        },
        Err(RecvTimeoutError::Timeout) => panic!("run {run}: no drain within {DRAIN_LIMIT:?}"),
    }
    server
        .join()
        .unwrap_or_else(|_| panic!("run {run}: the server thread panicked"));
    for client in busy {
        let whole = client.join().expect("a busy client failed");
        assert!(whole >= 1, "run {run}");
    }
    for mut client in idle {
        assert!(
            client.is_closed(),
            "run {run}: an idle connection was left open"
        );
    }
}

/// Sends requests on one keep-alive connection until the server closes it, and returns how
/// many whole responses came back. Sends one message on `answered` after the first.
///
/// A request the server never read (the connection closed before a byte of its answer) is
/// fine: RFC 9112 §9.3.1 lets a client retry it. A response cut short is not.
fn busy_client(addr: SocketAddr, answered: &Sender<()>) -> usize {
    let mut stream = connect(addr);
    let mut reader = BufReader::new(stream.try_clone().expect("clone the stream"));
    let mut whole = 0;
    loop {
        if stream.write_all(REQUEST).is_err() {
            return whole;
        }
        match read_answer(&mut reader) {
            Answer::Whole { close } => {
                whole += 1;
                if whole == 1 {
                    answered.send(()).unwrap();
                }
                if close {
                    return whole;
                }
            }
            Answer::Nothing => return whole,
        }
    }
}

/// What came back for one request.
enum Answer {
    /// A whole response; `close` if it said the connection ends after it.
    Whole { close: bool },
    /// The connection closed before the first byte of a response.
    Nothing,
}

/// Reads one response whose body has a `Content-Length`; fails the test if it is cut short or
/// the server neither answers nor closes within the read timeout.
fn read_answer(reader: &mut BufReader<TcpStream>) -> Answer {
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let before = head.len();
        match reader.read_until(b'\n', &mut head) {
            Ok(0) if head.is_empty() => return Answer::Nothing,
            Err(err) if head.is_empty() && is_closed(&err) => return Answer::Nothing,
            Ok(0) => panic!("a response cut short: {:?}", String::from_utf8_lossy(&head)),
            Err(err) => panic!(
                "no whole response ({err}) after {:?}",
                String::from_utf8_lossy(&head[..before])
            ),
            Ok(_) => {}
        }
    }
    let head = String::from_utf8(head).expect("a text head");
    assert!(head.starts_with("HTTP/1.1 200 "), "{head}");
    let header = |name: &str| {
        head.lines()
            .filter_map(|line| line.split_once(':'))
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.trim().to_ascii_lowercase())
    };
    let length: usize = header("content-length")
        .and_then(|length| length.parse().ok())
        .expect("a Content-Length");
    let mut body = vec![0u8; length];
    std::io::Read::read_exact(reader, &mut body).expect("a response cut short in its body");
    assert_eq!(body, b"ok");
    Answer::Whole {
        close: header("connection").is_some_and(|value| value.contains("close")),
    }
}

/// Whether a read failed because the server closed (reset) the connection, as opposed to a
/// timeout, which means it neither answered nor closed.
fn is_closed(err: &std::io::Error) -> bool {
    matches!(
        err.kind(),
        ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted | ErrorKind::BrokenPipe
    )
}
