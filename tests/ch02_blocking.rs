//! Chapter 2's blocking TCP server, over loopback: it answers, one slow client stalls every
//! other until it finishes, bad requests get a 4xx, and one panicking request ends the process.

mod support;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use support::{get, read_to_close, status_of, Server, IO_TIMEOUT};

const EXAMPLE: &str = "ch02_blocking_tcp";

/// How long a client waits before we call it stalled. The server has nothing else to do, so
/// an unstalled answer takes well under a millisecond; this is a margin, not a measurement.
const STALL: Duration = Duration::from_millis(300);

// ANCHOR: assert_stalled
/// Asserts that `stream` gets no answer within [`STALL`], then restores its usual timeout.
fn assert_stalled(stream: &mut TcpStream) {
    stream.set_read_timeout(Some(STALL)).unwrap();
    let mut byte = [0u8; 1];
    match stream.read(&mut byte) {
        Err(err) if matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
        other => panic!("expected no answer yet, got {other:?}"),
    }
    stream.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
}
// ANCHOR_END: assert_stalled

fn assert_hello(response: &str) {
    assert_eq!(status_of(response), 200, "{response}");
    assert!(response.ends_with("\r\n\r\nHello, World!"), "{response}");
}

#[test]
fn get_root_says_hello() {
    let server = Server::start(EXAMPLE, &[]);
    let response = get(server.addr, "/");
    assert_hello(&response);
    assert!(response.contains("Connection: close\r\n"), "{response}");
    // One connection at a time, but one after another: the next is served too.
    assert_hello(&get(server.addr, "/slow?ms=1"));
}

// ANCHOR: stall
#[test]
fn a_half_sent_request_stalls_the_next_client_until_it_completes() {
    let server = Server::start(EXAMPLE, &[]);
    let mut first = server.connect();
    first.write_all(b"GET / HTTP/1.1\r\nHost: a\r\n").unwrap();
    // The server has accepted the first client and sits in its read, waiting for the blank
    // line that ends the head.
    server.wait_for_log(&format!(
        "accepted a connection from {}",
        first.local_addr().unwrap()
    ));

    // The second client connects (the kernel completes the handshake and queues it) and sends
    // a whole request, but nobody reads it.
    let mut second = server.connect();
    second
        .write_all(b"GET / HTTP/1.1\r\nHost: b\r\n\r\n")
        .unwrap();
    assert_stalled(&mut second);

    // The first client finishes its head: it is answered, then the second one is.
    first.write_all(b"\r\n").unwrap();
    assert_hello(&read_to_close(&mut first));
    assert_hello(&read_to_close(&mut second));
}
// ANCHOR_END: stall

#[test]
fn a_silent_client_stalls_everyone_until_it_hangs_up() {
    let server = Server::start(EXAMPLE, &[]);
    let idle = server.connect();
    server.wait_for_log(&format!(
        "accepted a connection from {}",
        idle.local_addr().unwrap()
    ));
    let mut waiting = server.connect();
    waiting.write_all(b"GET / HTTP/1.1\r\n\r\n").unwrap();
    assert_stalled(&mut waiting);
    // Closing without a request lets the handler return, and the loop moves on.
    drop(idle);
    assert_hello(&read_to_close(&mut waiting));
}

#[test]
fn bad_requests_get_a_4xx_and_the_server_carries_on() {
    let server = Server::start(EXAMPLE, &[]);
    let cases: &[(&[u8], u16)] = &[
        (b"nonsense\r\n\r\n", 400),
        (b"\r\n\r\n", 400),
        // One byte more than naive::MAX_HEAD, and no blank line: the handler reads it all.
        (&[b'a'; 8 * 1024 + 1], 431),
    ];
    for (request, status) in cases {
        let mut stream = server.connect();
        stream.write_all(request).unwrap();
        let response = read_to_close(&mut stream);
        assert_eq!(status_of(&response), *status, "{request:?}: {response}");
    }
    assert_hello(&get(server.addr, "/"));
}

// ANCHOR: panic
#[test]
fn a_panicking_handler_takes_the_whole_server_down() {
    let server = Server::start(EXAMPLE, &[]);
    // The panic unwinds out of `main`: the client gets the connection closed, no answer...
    let response = get(server.addr, "/panic");
    assert_eq!(response, "", "a panicking handler closes without an answer");
    server.wait_for_log("panicked");
    // ...and the process exits with Rust's panic status, 101.
    let status = server.wait_exit(IO_TIMEOUT);
    assert_eq!(status.code(), Some(101), "exit status {status}");
    // With the listener gone, nobody else gets in.
    assert!(TcpStream::connect(server.addr).is_err());
}
// ANCHOR_END: panic
