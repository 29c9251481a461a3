//! Chapter 3's thread-per-connection server, over loopback: a slow client no longer stalls
//! the others, a panic ends only its own thread, and every open connection costs a thread
//! that goes away when the connection closes.

mod support;

use std::io::Write;
use std::net::TcpStream;
use std::thread;
use std::time::{Duration, Instant};

use support::{get, read_to_close, status_of, Server};

const EXAMPLE: &str = "ch03_thread_per_connection";

fn assert_hello(response: &str) {
    assert_eq!(status_of(response), 200, "{response}");
    assert!(response.ends_with("\r\n\r\nHello, World!"), "{response}");
}

/// The number of threads in process `pid`, from the `Threads:` line of `/proc/<pid>/status`.
fn threads(pid: u32) -> usize {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("read /proc");
    status
        .lines()
        .find_map(|line| line.strip_prefix("Threads:"))
        .and_then(|count| count.trim().parse().ok())
        .expect("a Threads: line")
}

/// Checks `condition` until it holds, failing the test after five seconds. The short pause
/// between checks is a polling interval, not a guess at how long anything takes.
fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn get_root_says_hello() {
    let server = Server::start(EXAMPLE, &[]);
    assert_hello(&get(server.addr, "/"));
}

#[test]
fn a_half_sent_request_no_longer_stalls_anyone() {
    let server = Server::start(EXAMPLE, &[]);
    let mut first = server.connect();
    first.write_all(b"GET / HTTP/1.1\r\nHost: a\r\n").unwrap();
    server.wait_for_log(&format!(
        "serving {} on a new thread",
        first.local_addr().unwrap()
    ));
    // In chapter 2 this request waited for the first client; now it has a thread of its own.
    assert_hello(&get(server.addr, "/"));
    first.write_all(b"\r\n").unwrap();
    assert_hello(&read_to_close(&mut first));
}

#[test]
fn a_panic_ends_one_thread_not_the_server() {
    let server = Server::start(EXAMPLE, &[]);
    let response = get(server.addr, "/panic");
    assert_eq!(response, "", "a panicking handler closes without an answer");
    server.wait_for_log("panicked");
    assert_hello(&get(server.addr, "/"));
}

// ANCHOR: thread_count
#[test]
fn every_open_connection_holds_a_thread_until_it_closes() {
    const CLIENTS: usize = 50;
    let server = Server::start(EXAMPLE, &[]);
    let pid = server.pid();
    let before = threads(pid);

    // Fifty clients connect and say nothing: each gets a thread that waits in `read`.
    let idle: Vec<TcpStream> = (0..CLIENTS).map(|_| server.connect()).collect();
    for _ in 0..CLIENTS {
        server.wait_for_log("on a new thread");
    }
    let during = threads(pid);
    assert!(
        during >= before + CLIENTS,
        "{CLIENTS} idle clients, but threads went only from {before} to {during}"
    );

    // They hang up; each handler sees the end of the stream, returns, and its thread exits.
    drop(idle);
    wait_until("the threads are gone", || threads(pid) <= before);
    assert_hello(&get(server.addr, "/"));
}
// ANCHOR_END: thread_count
