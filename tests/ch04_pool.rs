//! Chapter 4's worker pool, driven over loopback: concurrency up to the pool size, a `503`
//! when the queue is full, panics that do not shrink the pool, and a graceful Ctrl-C.

mod support;

use std::io::Write;
use std::time::Duration;

use support::{get, read_to_close, status_of, Server};

const EXAMPLE: &str = "ch04_pool";

#[test]
fn an_idle_client_holds_one_worker_not_the_server() {
    let server = Server::start(EXAMPLE, &["--workers", "2"]);
    // A client that connects and says nothing occupies a worker (the naive handler has no
    // timeout), but the second worker still serves everyone else.
    let _idle = server.connect();
    server.wait_for_log("accepted a connection");
    let response = get(server.addr, "/");
    assert_eq!(status_of(&response), 200);
    assert!(response.ends_with("Hello, World!"), "{response}");
}

// ANCHOR: full_queue
#[test]
fn a_full_queue_is_answered_with_503() {
    let server = Server::start(EXAMPLE, &["--workers", "1", "--queue", "1"]);
    // Hold the only worker: it logs the path once it has read the head and starts sleeping.
    let mut busy = server.connect();
    busy.write_all(b"GET /slow?ms=60000 HTTP/1.1\r\n\r\n")
        .unwrap();
    server.wait_for_log("naive: /slow");
    // Fill the queue's one place.
    let _queued = server.connect();
    server.wait_for_log("accepted a connection");
    // Every further connection is refused at the door, at once.
    for _ in 0..3 {
        let mut refused = server.connect();
        let response = read_to_close(&mut refused);
        assert_eq!(status_of(&response), 503, "{response}");
        assert!(response.contains("Retry-After: 1\r\n"), "{response}");
    }
    server.wait_for_log("queue full");
}
// ANCHOR_END: full_queue

#[test]
fn panicking_requests_do_not_shrink_the_pool() {
    let server = Server::start(EXAMPLE, &["--workers", "2"]);
    // Five panics against two workers: if a panic killed its worker, the pool would be empty
    // after two and the final request would time out.
    for _ in 0..5 {
        let response = get(server.addr, "/panic");
        assert_eq!(response, "", "a panicking handler closes without an answer");
        server.wait_for_log("job panicked");
    }
    let response = get(server.addr, "/");
    assert_eq!(status_of(&response), 200, "{response}");
}

#[test]
fn ctrl_c_finishes_in_flight_and_queued_requests_then_exits_0() {
    let server = Server::start(EXAMPLE, &["--workers", "1"]);
    let mut in_flight = support::connect(server.addr);
    in_flight
        .write_all(b"GET /slow?ms=300 HTTP/1.1\r\n\r\n")
        .unwrap();
    server.wait_for_log("naive: /slow");
    // The only worker is busy, so this one waits in the queue.
    let mut queued = support::connect(server.addr);
    queued.write_all(b"GET / HTTP/1.1\r\n\r\n").unwrap();
    server.wait_for_log("accepted a connection");

    server.interrupt();
    server.wait_for_log("signal received");
    for stream in [&mut in_flight, &mut queued] {
        let response = read_to_close(stream);
        assert_eq!(status_of(&response), 200, "{response}");
        assert!(response.ends_with("Hello, World!"), "{response}");
    }
    let status = server.wait_exit(Duration::from_secs(10));
    assert!(status.success(), "exit status {status}");
    // The listener is gone: nobody new is let in.
    assert!(std::net::TcpStream::connect(server.addr).is_err());
}
