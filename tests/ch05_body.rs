//! Chapter 5's body example over loopback: bodies framed by `Content-Length` and `chunked`,
//! whole and split across reads, the bytes after a body left alone, `100 Continue`, and the
//! status each broken or oversized body is refused with.

mod support;

use std::io::{Read, Write};
use std::net::Shutdown;

use support::{read_to_close, status_of, Server};

const EXAMPLE: &str = "ch05_body";

/// Sends `request` on a new connection and returns the whole answer.
fn ask(server: &Server, request: &str) -> String {
    let mut stream = server.connect();
    stream.write_all(request.as_bytes()).unwrap();
    read_to_close(&mut stream)
}

/// The body of a whole response.
fn body(response: &str) -> &str {
    match response.split_once("\r\n\r\n") {
        Some((_, body)) => body,
        None => panic!("not a whole response: {response:?}"),
    }
}

/// A `POST` head with `framing` (a `Content-Length` or `Transfer-Encoding` line).
fn post(framing: &str) -> String {
    format!("POST /upload HTTP/1.1\r\nHost: test\r\n{framing}\r\n\r\n")
}

#[test]
fn a_content_length_body_is_read_to_its_length() {
    let server = Server::start(EXAMPLE, &[]);
    let response = ask(&server, &(post("Content-Length: 5") + "hello"));
    assert_eq!(status_of(&response), 200, "{response}");
    assert_eq!(
        body(&response),
        "framing:      Content-Length: 5\n\
         body:         5 bytes, \"hello\"\n\
         after it:     0 bytes, \"\"\n"
    );
    server.wait_for_log(r#"consumed "hello", data "hello""#);
}

#[test]
fn a_chunked_body_is_decoded_and_its_framing_dropped() {
    let server = Server::start(EXAMPLE, &[]);
    let chunks = "3;name=value\r\nhel\r\n2\r\nlo\r\n0\r\nTrailer: ignored\r\n\r\n";
    let response = ask(&server, &(post("Transfer-Encoding: chunked") + chunks));
    assert_eq!(status_of(&response), 200, "{response}");
    assert_eq!(
        body(&response),
        "framing:      chunked\n\
         body:         5 bytes, \"hello\"\n\
         after it:     0 bytes, \"\"\n"
    );
    // Each call hands back one run of data, with the framing before it consumed.
    let calls = server.logs_until(r#"consumed "\r\n0\r\nTrailer: ignored\r\n\r\n", data """#);
    let consumed: Vec<&str> = calls
        .iter()
        .filter_map(|line| line.split_once("] consumed ").map(|(_, rest)| rest))
        .collect();
    assert_eq!(
        consumed,
        [
            r#""3;name=value\r\nhel", data "hel""#,
            r#""\r\n2\r\nlo", data "lo""#,
            r#""\r\n0\r\nTrailer: ignored\r\n\r\n", data """#,
        ]
    );
}

#[test]
fn a_chunked_body_split_across_reads_is_decoded_where_it_stopped() {
    let server = Server::start(EXAMPLE, &[]);
    let mut stream = server.connect();
    // Each piece is sent once the server has decoded the one before, so each is a read; the
    // first ends inside a chunk's data, the second between a CR and its LF.
    stream
        .write_all((post("Transfer-Encoding: chunked") + "4\r\nby").as_bytes())
        .unwrap();
    server.wait_for_log(r#"consumed "4\r\nby", data "by""#);
    stream.write_all(b"te\r").unwrap();
    server.wait_for_log(r#"consumed "te", data "te""#);
    stream.write_all(b"\n0\r\n\r\n").unwrap();
    let response = read_to_close(&mut stream);
    assert_eq!(status_of(&response), 200, "{response}");
    assert!(
        body(&response).contains("body:         4 bytes, \"byte\"\n"),
        "{response}"
    );
}

#[test]
fn the_bytes_after_a_body_are_left_for_the_next_request() {
    let next = "GET /next HTTP/1.1\r\nHost: test\r\n\r\n";
    let server = Server::start(EXAMPLE, &[]);
    for request in [
        post("Content-Length: 5") + "hello" + next,
        post("Transfer-Encoding: chunked") + "5\r\nhello\r\n0\r\n\r\n" + next,
    ] {
        let response = ask(&server, &request);
        assert_eq!(status_of(&response), 200, "{response}");
        assert!(
            body(&response).ends_with(
                "body:         5 bytes, \"hello\"\n\
                 after it:     34 bytes, \"GET /next HTTP/1.1\\r\\nHost: test\\r\\n\\r\\n\"\n"
            ),
            "{response}"
        );
    }
}

#[test]
fn a_client_that_expects_100_continue_gets_it_before_sending() {
    let server = Server::start(EXAMPLE, &[]);
    let mut stream = server.connect();
    let head =
        "PUT /upload HTTP/1.1\r\nHost: test\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n";
    stream.write_all(head.as_bytes()).unwrap();
    let mut interim = [0u8; 25];
    stream.read_exact(&mut interim).unwrap();
    assert_eq!(&interim, b"HTTP/1.1 100 Continue\r\n\r\n");
    stream.write_all(b"hello").unwrap();
    let response = read_to_close(&mut stream);
    assert_eq!(status_of(&response), 200, "{response}");
    assert!(
        body(&response).contains("body:         5 bytes, \"hello\"\n"),
        "{response}"
    );
}

#[test]
fn each_broken_body_is_refused_with_its_own_status() {
    let chunked = post("Transfer-Encoding: chunked");
    let cases = [
        (
            "fffffffffffffffff\r\n",
            400,
            "malformed or overflowing chunk size",
        ),
        (
            "zz\r\nhello\r\n0\r\n\r\n",
            400,
            "malformed or overflowing chunk size",
        ),
        (
            "3\nhel\r\n0\r\n\r\n",
            400,
            "malformed or overflowing chunk size",
        ),
        ("3\r\nhelXX0\r\n\r\n", 400, "malformed chunked framing"),
    ];
    let server = Server::start(EXAMPLE, &[]);
    for (chunks, status, reason) in cases {
        let response = ask(&server, &(chunked.clone() + chunks));
        assert_eq!(status_of(&response), status, "{chunks:?}: {response}");
        assert_eq!(body(&response), format!("{reason}\n"), "{chunks:?}");
        server.wait_for_log(&format!("refused: {reason} ({status})"));
    }
}

#[test]
fn a_body_over_the_limit_gets_413_whichever_its_framing() {
    let server = Server::start(EXAMPLE, &["--max-body", "8"]);
    // Announced too large: refused on the head alone, before any of the body is sent.
    let response = ask(&server, &post("Content-Length: 9"));
    assert_eq!(status_of(&response), 413, "{response}");
    // Chunked: refused as soon as the size line that passes the limit arrives.
    let mut stream = server.connect();
    stream
        .write_all((post("Transfer-Encoding: chunked") + "5\r\nhello\r\n5\r\n").as_bytes())
        .unwrap();
    let response = read_to_close(&mut stream);
    // Closed, so that the server, which drains what a refused client still sends, moves on.
    drop(stream);
    assert_eq!(status_of(&response), 413, "{response}");
    assert_eq!(body(&response), "request body larger than the limit\n");
    // At the limit is fine.
    let response = ask(&server, &(post("Content-Length: 8") + "12345678"));
    assert_eq!(status_of(&response), 200, "{response}");
}

#[test]
fn a_body_cut_short_by_the_client_gets_400() {
    let server = Server::start(EXAMPLE, &[]);
    let mut stream = server.connect();
    stream
        .write_all((post("Content-Length: 10") + "abc").as_bytes())
        .unwrap();
    server.wait_for_log(r#"consumed "abc", data "abc""#);
    stream.shutdown(Shutdown::Write).unwrap();
    let response = read_to_close(&mut stream);
    assert_eq!(status_of(&response), 400, "{response}");
    assert_eq!(
        body(&response),
        "connection closed in the middle of a request\n"
    );
}
