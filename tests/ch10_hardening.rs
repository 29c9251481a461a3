//! Chapter 10: each way the real world breaks a pool of blocking workers, shown first on
//! chapter 4's server (the test asserts the failure) and then survived by the hardened server
//! of `examples/ch10_hardened.rs`. Real loopback sockets; every wait is bounded.

mod support;

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Mutex, MutexGuard};
use std::thread;
use std::time::Duration;

use support::{connect, read_to_close, status_of, Client, Server};

const CH04: &str = "ch04_pool";
const CH10: &str = "ch10_hardened";

/// How many slow clients the slowloris tests open: the number chapter 10 quotes. Each costs
/// this process one descriptor and the server one, well under the usual `ulimit -n` of 1024.
const SLOW_CLIENTS: usize = 300;

/// Held by each test that opens hundreds of connections, so that however many tests run at
/// once, this process needs at most one such crowd of descriptors (plus a few dozen): it
/// stays under the common `ulimit -n` of 1024.
static CROWD: Mutex<()> = Mutex::new(());

/// Takes [`CROWD`] (a test that failed while holding it does not poison the others).
fn crowd() -> MutexGuard<'static, ()> {
    CROWD.lock().unwrap_or_else(|e| e.into_inner())
}

/// How long a test gives a request that must *not* be answered before it calls it stuck.
const STUCK: Duration = Duration::from_secs(1);

/// Opens `n` connections that each send the first byte of a request head and then nothing.
fn slowloris(server: &Server, n: usize) -> Vec<TcpStream> {
    (0..n)
        .map(|_| {
            let mut stream = server.connect();
            stream.write_all(b"G").unwrap();
            stream
        })
        .collect()
}

// ANCHOR: assert_stuck
/// Sends `GET path` on a new connection and asserts no byte of an answer comes within
/// [`STUCK`]: the request is stuck behind the clients holding the workers.
fn assert_stuck(server: &Server, path: &str) {
    let mut fresh = server.connect();
    fresh.set_read_timeout(Some(STUCK)).unwrap();
    write!(
        fresh,
        "GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut byte = [0u8; 1];
    match fresh.read(&mut byte) {
        Err(err) if matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
        other => panic!("expected no answer while the workers are held, got {other:?}"),
    }
}
// ANCHOR_END: assert_stuck

/// Opens `n` keep-alive connections, each having been served one request, and so now idle.
fn idle_keep_alive(server: &Server, n: usize) -> Vec<Client> {
    (0..n)
        .map(|_| {
            let mut client = Client::connect(server.addr);
            client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
            assert_eq!(client.response().status, 200);
            client
        })
        .collect()
}

/// Whether `stream` has been neither answered nor closed: a read finds nothing waiting.
fn still_waiting(stream: &TcpStream) -> bool {
    stream.set_nonblocking(true).unwrap();
    let mut byte = [0u8; 1];
    let waiting =
        matches!((&*stream).read(&mut byte), Err(err) if err.kind() == ErrorKind::WouldBlock);
    stream.set_nonblocking(false).unwrap();
    waiting
}

// ---------------------------------------------------------------- slow clients (slowloris)

// ANCHOR: slowloris_ch04
#[test]
fn chapter_4_slow_clients_hold_every_worker() {
    let _crowd = crowd();
    let server = Server::start_with_log(CH04, &["--workers", "64"], "info");
    let _slow = slowloris(&server, SLOW_CLIENTS);
    // 64 workers each wait for a head that never ends; the rest of the 300 and the fresh
    // client wait in the queue behind them, for ever.
    assert_stuck(&server, "/");
}
// ANCHOR_END: slowloris_ch04

// ANCHOR: slowloris_test
#[test]
fn slow_clients_do_not_delay_a_fresh_client() {
    let _crowd = crowd();
    // The default 10 s head deadline: far longer than this test, even on a busy machine.
    let server = Server::start_with_log(CH10, &["--workers", "64"], "info");
    let slow = slowloris(&server, SLOW_CLIENTS);
    // The fresh client is answered while every slow client is still within its deadline:
    // it did not wait for any of them to be timed out.
    let response = support::get(server.addr, "/");
    assert_eq!(status_of(&response), 200, "{response}");
    assert!(
        slow.iter().all(still_waiting),
        "the fresh client was served only after slow clients were cut off"
    );
}

#[test]
fn slow_clients_are_cut_off_at_their_heads_deadline() {
    let server = Server::start_with_log(CH10, &["--head-ms", "500"], "info");
    for mut stream in slowloris(&server, 20) {
        let answer = read_to_close(&mut stream);
        assert_eq!(status_of(&answer), 408, "{answer}");
    }
}
// ANCHOR_END: slowloris_test

#[test]
fn a_body_trickled_below_the_minimum_rate_gets_408() {
    // Each byte comes well within the per-read timeout (500 ms), but 10 bytes a second is far
    // below 1000: after the 500 ms grace the body is too slow, and the request ends.
    let server = Server::start_with_log(
        CH10,
        &["--body-ms", "500", "--min-body-rate", "1000"],
        "info",
    );
    let mut stream = server.connect();
    stream
        .write_all(b"POST /count HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n")
        .unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let mut answer = Vec::new();
    // At most 100 bytes, 100 ms apart: the server must answer long before they run out.
    for _ in 0..100 {
        let _ = stream.write_all(b"x");
        let mut piece = [0u8; 512];
        match stream.read(&mut piece) {
            Ok(0) => break,
            Ok(n) => answer.extend_from_slice(&piece[..n]),
            Err(err) if matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                if !answer.is_empty() {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    let answer = String::from_utf8_lossy(&answer);
    assert_eq!(status_of(&answer), 408, "{answer}");
}

// ---------------------------------------------------------------- idle keep-alive connections

#[test]
fn chapter_4_idle_connections_hold_every_worker() {
    let server = Server::start(CH04, &["--workers", "8"]);
    let _idle: Vec<TcpStream> = (0..8).map(|_| server.connect()).collect();
    for _ in 0..8 {
        server.wait_for_log("accepted a connection");
    }
    assert_stuck(&server, "/");
}

// ANCHOR: idle_test
#[test]
fn idle_keep_alive_connections_wait_without_a_worker() {
    let _crowd = crowd();
    // 4 workers and 512 idle keep-alive connections: chapter 5's server would have all four
    // workers waiting on idle sockets. Here they wait in the poller.
    let server = Server::start_with_log(CH10, &["--workers", "4"], "info");
    let mut idle = idle_keep_alive(&server, 512);
    for _ in 0..20 {
        let response = support::get(server.addr, "/");
        assert_eq!(status_of(&response), 200, "{response}");
    }
    // A parked connection is picked up again when its client speaks, and two requests that
    // arrive together are answered in order (the second was buffered: it is not parked).
    let client = &mut idle[7];
    client.send(
        "GET /slow?ms=20 HTTP/1.1\r\nHost: t\r\n\r\nGET /nowhere HTTP/1.1\r\nHost: t\r\n\r\n",
    );
    assert_eq!(client.response().status, 200);
    assert_eq!(client.response().status, 404);
}
// ANCHOR_END: idle_test

#[test]
fn a_parked_connection_is_closed_after_the_idle_timeout() {
    let server = Server::start(CH10, &["--idle-ms", "200"]);
    let mut idle = idle_keep_alive(&server, 1);
    server.wait_for_log("parked");
    assert!(
        idle[0].is_closed(),
        "the server kept an idle connection open"
    );
}

#[test]
fn past_the_parking_limit_idle_connections_are_closed() {
    // One worker, so that two connections are already more than the workers can hold: only
    // then does an idle connection leave its worker for the poller.
    let server = Server::start(CH10, &["--max-parked", "2", "--workers", "1"]);
    let mut idle = idle_keep_alive(&server, 2);
    server.wait_for_log("parked");
    server.wait_for_log("parked");
    // Two wait in the poller; the third finds it full and is closed by its worker.
    idle.extend(idle_keep_alive(&server, 1));
    server.wait_for_log("parking is full");
    assert!(idle[2].is_closed());
    idle[0].send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_eq!(idle[0].response().status, 200);
}

// ---------------------------------------------------------------- overload

#[test]
fn chapter_4_leaves_a_client_past_its_workers_waiting_without_a_word() {
    // Two workers held; the queue has room for 1024 more, so a third client is accepted and
    // then waits in silence: no answer, no refusal.
    let server = Server::start(CH04, &["--workers", "2"]);
    let _held: Vec<TcpStream> = (0..2).map(|_| server.connect()).collect();
    for _ in 0..2 {
        server.wait_for_log("accepted a connection");
    }
    assert_stuck(&server, "/");
}

// ANCHOR: overload_test
#[test]
fn past_the_connection_limit_the_answer_is_503_at_once() {
    let server = Server::start(CH10, &["--workers", "2", "--max-connections", "4"]);
    let mut open = idle_keep_alive(&server, 4);
    for _ in 0..3 {
        let mut refused = server.connect();
        let answer = read_to_close(&mut refused);
        assert_eq!(status_of(&answer), 503, "{answer}");
        assert!(answer.contains("Retry-After: 1\r\n"), "{answer}");
    }
    server.wait_for_log("connections open: refusing one with 503");
    // The connections already open are still served.
    open[3].send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_eq!(open[3].response().status, 200);
}
// ANCHOR_END: overload_test

// ---------------------------------------------------------------- shutdown

#[test]
fn chapter_4_cannot_stop_while_an_idle_client_holds_a_worker() {
    let server = Server::start(CH04, &["--workers", "2", "--grace-ms", "500"]);
    let _idle = server.connect();
    server.wait_for_log("accepted a connection");
    server.terminate();
    let status = server.wait_exit(Duration::from_secs(5));
    assert!(!status.success(), "chapter 4 drained in time: {status}");
}

// ANCHOR: shutdown_test
#[test]
fn shutdown_closes_idle_connections_at_once_and_finishes_a_body_in_flight() {
    let server = Server::start(CH10, &["--workers", "4", "--grace-ms", "3000"]);
    let mut idle = idle_keep_alive(&server, 50);
    // A request whose body is still arriving when the signal comes.
    let mut upload = server.connect();
    upload
        .write_all(b"POST /count HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nhello")
        .unwrap();
    server.wait_for_log("POST /count");
    server.terminate();
    // Each idle connection is closed by the poller, or by its worker if it had not parked yet.
    server.wait_for_log("idle connections in");
    for client in &mut idle {
        assert!(
            client.is_closed(),
            "an idle connection outlived the shutdown"
        );
    }
    upload.write_all(b"world").unwrap();
    let answer = read_to_close(&mut upload);
    assert_eq!(status_of(&answer), 200, "{answer}");
    assert!(answer.contains("Connection: close\r\n"), "{answer}");
    assert!(answer.ends_with("10 bytes\n"), "{answer}");
    assert!(server.wait_exit(Duration::from_secs(5)).success());
}
// ANCHOR_END: shutdown_test

/// What one client of the shutdown test saw for one request.
#[derive(Debug, PartialEq, Eq)]
enum Seen {
    /// A whole response (its status).
    Complete(u16),
    /// The connection was refused, or reset before any byte of a response: the kernel had
    /// queued it, and the listener closed before the server took it.
    NotAccepted,
    /// Part of a response, or a reset after part of one: the failure this test looks for.
    Broken(String),
}

/// One `GET /slow?ms=5` on a new connection, classified.
fn one_request(addr: SocketAddr) -> Seen {
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, support::IO_TIMEOUT) else {
        return Seen::NotAccepted;
    };
    stream.set_read_timeout(Some(support::IO_TIMEOUT)).unwrap();
    if stream
        .write_all(b"GET /slow?ms=5 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        .is_err()
    {
        return Seen::NotAccepted;
    }
    let mut bytes = Vec::new();
    let result = stream.read_to_end(&mut bytes);
    let text = String::from_utf8_lossy(&bytes).into_owned();
    match result {
        // A reset with nothing read: the listener closed with this connection in its queue.
        Err(_) if bytes.is_empty() => Seen::NotAccepted,
        // A clean close with nothing read means the server took the connection and dropped
        // the request: exactly the failure this test is for.
        Ok(_) if bytes.is_empty() => Seen::Broken("closed without a response".into()),
        Ok(_) if is_complete(&text) => Seen::Complete(status_of(&text)),
        _ => Seen::Broken(text),
    }
}

/// Whether `text` is a whole response: a head and exactly `Content-Length` bytes after it.
fn is_complete(text: &str) -> bool {
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        return false;
    };
    head.lines()
        .find_map(|line| line.strip_prefix("Content-Length: "))
        .and_then(|len| len.trim().parse::<usize>().ok())
        == Some(body.len())
}

#[test]
fn every_request_accepted_during_shutdown_gets_a_whole_response() {
    let server = Server::start_with_log(CH10, &["--workers", "8"], "info");
    let (tx, rx) = crossbeam_channel::unbounded();
    thread::scope(|scope| {
        for _ in 0..4 {
            let (tx, addr) = (tx.clone(), server.addr);
            scope.spawn(move || loop {
                let seen = one_request(addr);
                let refused = seen == Seen::NotAccepted;
                tx.send(seen).unwrap();
                if refused {
                    // Keep trying until the listener is surely gone: connect is refused.
                    if connect_refused(addr) {
                        break;
                    }
                }
            });
        }
        // Let some requests through, then ask for the stop in the middle of the traffic.
        for _ in 0..20 {
            assert!(matches!(
                rx.recv_timeout(support::IO_TIMEOUT),
                Ok(Seen::Complete(200))
            ));
        }
        // Ctrl-C this time; the other shutdown tests send SIGTERM.
        server.interrupt();
    });
    assert!(server.wait_exit(Duration::from_secs(5)).success());
    drop(tx);
    let seen: Vec<Seen> = rx.iter().collect();
    let broken: Vec<&Seen> = seen
        .iter()
        .filter(|s| matches!(s, Seen::Broken(_)))
        .collect();
    assert!(broken.is_empty(), "{broken:?}");
}

/// Whether a new connection to the server is refused (its listener is closed).
fn connect_refused(addr: SocketAddr) -> bool {
    match TcpStream::connect_timeout(&addr, support::IO_TIMEOUT) {
        Err(err) => err.kind() == ErrorKind::ConnectionRefused,
        Ok(_) => false,
    }
}

#[test]
fn sigterm_with_nothing_in_flight_exits_0() {
    let server = Server::start(CH10, &[]);
    let mut probe = connect(server.addr);
    write!(
        probe,
        "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    assert_eq!(status_of(&read_to_close(&mut probe)), 200);
    server.terminate();
    assert!(server.wait_exit(Duration::from_secs(5)).success());
}

// ---------------------------------------------------------------- the comparison tool

// A load test of the compare tool, run with the others (`--features load-tests`, as CI does).
#[cfg(feature = "load-tests")]
#[test]
fn the_compare_tool_shows_each_failure_on_chapter_4_and_not_on_weft() {
    let child = std::process::Command::new(support::example_path("compare"))
        .args([
            "--short",
            "--servers",
            "ch04,ch10",
            "--workloads",
            "slow-clients,idle-keepalive,overload",
            "--slow",
            "100",
            "--idle",
            "100",
            "--timeout-ms",
            "500",
        ])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start the compare example");
    // Bounded: the run takes a few seconds; a hang is killed and fails the test.
    let pid = child.id();
    let (tx, rx) = crossbeam_channel::bounded(1);
    thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let output = match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(output) => output.expect("wait for compare"),
        Err(_) => {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            panic!("compare did not finish within a minute");
        }
    };
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "compare failed:\n{stderr}");
    // `| server | workload | connections | requests/s | …`, one row per server and workload.
    let rate = |server: &str, workload: &str| -> f64 {
        let line = stdout
            .lines()
            .find(|line| line.contains(server) && line.contains(&format!("| {workload} |")))
            .unwrap_or_else(|| panic!("no row for {server} × {workload}:\n{stdout}"));
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        cells[4].replace(',', "").parse().expect("requests/s")
    };
    // 100 slow or silent clients hold all 64 of chapter 4's workers for ever: the fresh
    // clients get nothing. On weft they are served.
    assert_eq!(rate("ch04 pool", "slow-clients"), 0.0, "{stdout}");
    assert_eq!(rate("ch04 pool", "idle-keepalive"), 0.0, "{stdout}");
    assert!(rate("ch10 hardened", "slow-clients") > 0.0, "{stdout}");
    assert!(rate("ch10 hardened", "idle-keepalive") > 0.0, "{stdout}");
    assert!(rate("ch10 hardened", "overload") > 0.0, "{stdout}");
}
