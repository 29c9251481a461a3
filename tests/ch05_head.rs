//! Chapter 5's head example over loopback: what the parser makes of a head sent whole or in
//! pieces, what the headers decide, and the status each broken head is refused with.

mod support;

use std::io::Write;
use std::net::Shutdown;

use support::{read_to_close, status_of, Server};

const EXAMPLE: &str = "ch05_head";

/// Sends `request` on a new connection and returns the whole answer.
fn ask(server: &Server, request: &[u8]) -> String {
    let mut stream = server.connect();
    stream.write_all(request).unwrap();
    read_to_close(&mut stream)
}

/// The body of a whole response.
fn body(response: &str) -> &str {
    match response.split_once("\r\n\r\n") {
        Some((_, body)) => body,
        None => panic!("not a whole response: {response:?}"),
    }
}

#[test]
fn a_head_is_answered_with_what_the_parser_made_of_it() {
    let server = Server::start(EXAMPLE, &[]);
    let request = "GET /search?q=weft HTTP/1.1\r\nHost: test\r\nAccept: */*\r\n\r\n";
    assert_eq!(request.len(), 56);
    let response = ask(&server, request.as_bytes());
    assert_eq!(status_of(&response), 200, "{response}");
    assert!(response.contains("\r\nConnection: close\r\n"), "{response}");
    assert_eq!(
        body(&response),
        "method:       GET\n\
         target:       /search?q=weft\n\
         version:      HTTP/1.1\n\
         header:       Host: test\n\
         header:       Accept: */*\n\
         head length:  56 bytes\n\
         body:         none\n\
         keep-alive:   yes\n\
         100-continue: no\n"
    );
    server.wait_for_log("read 56 bytes, 56 in all: complete, a head of 56 bytes");
}

#[test]
fn a_head_in_pieces_is_partial_until_its_blank_line() {
    let server = Server::start(EXAMPLE, &[]);
    let mut stream = server.connect();
    // Each piece is sent once the server has parsed the one before, so each is a read.
    stream.write_all(b"GET /split HTTP/1.1\r\nHo").unwrap();
    server.wait_for_log("23 in all: partial");
    stream.write_all(b"st: test\r\n").unwrap();
    server.wait_for_log("33 in all: partial");
    stream.write_all(b"\r\n").unwrap();
    server.wait_for_log("35 in all: complete, a head of 35 bytes");
    let response = read_to_close(&mut stream);
    assert_eq!(status_of(&response), 200, "{response}");
    assert!(
        body(&response).contains("target:       /split\n"),
        "{response}"
    );
}

#[test]
fn the_headers_decide_framing_keep_alive_and_continue() {
    let cases: &[(&str, &[&str])] = &[
        (
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
            &[
                "body:         5 bytes (Content-Length)",
                "keep-alive:   yes",
            ],
        ),
        (
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            &["body:         chunked"],
        ),
        (
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\nhello",
            &["body:         5 bytes (Content-Length)"],
        ),
        (
            "GET / HTTP/1.0\r\n\r\n",
            &["version:      HTTP/1.0", "keep-alive:   no"],
        ),
        (
            "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
            &["keep-alive:   yes"],
        ),
        (
            "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
            &["keep-alive:   no"],
        ),
        (
            "PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n",
            &[
                "100-continue: yes",
                "body:         3 bytes (Content-Length)",
            ],
        ),
    ];
    let server = Server::start(EXAMPLE, &[]);
    for (request, facts) in cases {
        let response = ask(&server, request.as_bytes());
        assert_eq!(status_of(&response), 200, "{request:?}: {response}");
        for fact in *facts {
            assert!(
                body(&response).lines().any(|line| line == *fact),
                "{request:?}: expected {fact:?} in {response}"
            );
        }
    }
}

#[test]
fn each_broken_head_is_refused_with_its_own_status() {
    let long_target = format!("GET /{} HTTP/1.1\r\nHost: a\r\n\r\n", "a".repeat(5000));
    let many_headers = format!("GET / HTTP/1.1\r\nHost: a\r\n{}\r\n", "X: 1\r\n".repeat(64));
    let huge_header = format!(
        "GET / HTTP/1.1\r\nHost: a\r\nX: {}\r\n\r\n",
        "b".repeat(9000)
    );
    let cases: Vec<(&str, u16, &str)> =
        vec![
        ("GET / HTTP/1.1\rHost: a\r\n\r\n", 400, "bare CR (a CR not followed by LF)"),
        ("GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400, "malformed header name"),
        ("GET / HTTP/1.1\r\nHost: a\0b\r\n\r\n", 400, "control character in a header value"),
        ("GET / HTTP/1.1\r\n\r\n", 400, "an HTTP/1.1 request needs exactly one Host header"),
        (
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
            400,
            "Content-Length headers that disagree",
        ),
        (
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
            400,
            "both Content-Length and Transfer-Encoding",
        ),
        (
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n",
            400,
            "Content-Length is not a decimal number",
        ),
        (
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10737418240\r\n\r\n",
            413,
            "request body larger than the limit",
        ),
        (
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n",
            501,
            "transfer coding other than chunked",
        ),
        ("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505, "HTTP version not supported"),
        (&long_target, 414, "request target too long"),
        (&many_headers, 431, "too many header lines"),
        (&huge_header, 431, "request head too large"),
    ];
    let server = Server::start(EXAMPLE, &[]);
    for (request, status, reason) in cases {
        let response = ask(&server, request.as_bytes());
        let shown = &request[..request.len().min(60)];
        assert_eq!(status_of(&response), status, "{shown:?}: {response}");
        assert_eq!(body(&response), format!("{reason}\n"), "{shown:?}");
        server.wait_for_log(&format!("{reason} ({status})"));
    }
}

#[test]
fn a_client_that_leaves_mid_head_gets_no_answer() {
    let server = Server::start(EXAMPLE, &[]);
    let mut stream = server.connect();
    stream.write_all(b"GET / HTTP/1.1\r\nHost: a\r\n").unwrap();
    server.wait_for_log("25 in all: partial");
    stream.shutdown(Shutdown::Write).unwrap();
    assert_eq!(read_to_close(&mut stream), "", "nobody left to answer");
    // The server has moved on to the next connection.
    let response = ask(&server, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    assert_eq!(status_of(&response), 200, "{response}");
}
