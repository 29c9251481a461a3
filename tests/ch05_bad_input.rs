//! Chapter 5's server against requests that break the protocol. Each gets its own status and
//! the connection closes; the bytes after a rejected request are never served (no request
//! smuggling); and the server goes on serving everyone else.

mod support;

use support::{Client, Server};

const EXAMPLE: &str = "ch05_http";

/// A well-formed request sent right after each bad one: if it were ever answered, the server
/// would have trusted bytes after a request it could not frame.
const SMUGGLED: &str = "GET /smuggled HTTP/1.1\r\nHost: test\r\n\r\n";

/// Sends `request` followed by [`SMUGGLED`] on one connection, and checks the answer: one
/// response with `status` and `Connection: close`, then the close, with nothing after it.
///
/// The first response is read on its own and its status checked at once, so a server that
/// wrongly accepts a request fails here on the status, not later on a read timeout while
/// it waits for more.
fn assert_refused(server: &Server, what: &str, request: &[u8], status: u16) {
    let mut client = Client::connect(server.addr);
    client.send(request);
    client.send(SMUGGLED);
    let first = client.response();
    let body = String::from_utf8_lossy(&first.body);
    assert_eq!(first.status, status, "{what}: {body}");
    assert_eq!(first.header("connection"), Some("close"), "{what}");
    let rest = client.rest();
    assert!(rest.is_empty(), "{what}: smuggled: {rest}");
}

// ANCHOR: table
#[test]
fn each_protocol_mistake_gets_its_status_and_a_close() {
    let server = Server::start(EXAMPLE, &["--workers", "2"]);
    let long_target = format!("GET /{} HTTP/1.1\r\nHost: t\r\n\r\n", "a".repeat(5000));
    let big_head = format!(
        "GET / HTTP/1.1\r\nHost: t\r\nX-Big: {}\r\n\r\n",
        "b".repeat(9000)
    );
    let many_headers = format!(
        "GET / HTTP/1.1\r\nHost: t\r\n{}\r\n",
        "X-A: 1\r\n".repeat(70)
    );
    let cases: &[(&str, &[u8], u16)] = &[
        ("malformed request line", b"GET / HTTP/1.1 extra\r\nHost: t\r\n\r\n", 400),
        ("request line without version", b"GET /\r\nHost: t\r\n\r\n", 400),
        ("space before colon", b"GET / HTTP/1.1\r\nHost : t\r\n\r\n", 400),
        ("NUL in a header", b"GET / HTTP/1.1\r\nHost: t\r\nX: a\0b\r\n\r\n", 400),
        ("bare CR in a header", b"GET / HTTP/1.1\r\nHost: t\r\nX: a\rb\r\n\r\n", 400),
        ("bare CR ending a line", b"GET / HTTP/1.1\rHost: t\r\n\r\n", 400),
        ("no Host in 1.1", b"GET / HTTP/1.1\r\n\r\n", 400),
        ("bad percent-encoding", b"GET /%zz HTTP/1.1\r\nHost: t\r\n\r\n", 400),
        ("target too long", long_target.as_bytes(), 414),
        ("head too large", big_head.as_bytes(), 431),
        ("too many headers", many_headers.as_bytes(), 431),
        ("body over the limit", b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10737418240\r\n\r\n", 413),
        ("Content-Length and chunked", b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 400),
        ("Content-Length 0 and chunked", b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 400),
        ("chunked, then Content-Length", b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 400),
        ("a Content-Length list that disagrees", b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3, 4\r\n\r\nabcd", 400),
        ("junk after a Content-Length", b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3x\r\n\r\nabc", 400),
        ("junk after the chunk size digits", b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3g\r\nabc\r\n0\r\n\r\n", 400),
        ("a control byte after the chunk size", b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\x01\r\nabc\r\n0\r\n\r\n", 400),
        ("two Content-Lengths", b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400),
        ("non-numeric Content-Length", b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: abc\r\n\r\n", 400),
        ("negative Content-Length", b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: -1\r\n\r\n", 400),
        ("bad chunk size", b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
        ("overflowing chunk size", b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n", 400),
        ("bad chunk, body unread", b"POST /ignore HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n", 400),
        ("gzip transfer coding", b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
        ("chunked not last", b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked, identity\r\n\r\n", 400),
        ("HTTP/2.0", b"GET / HTTP/2.0\r\nHost: t\r\n\r\n", 505),
        ("HTTP/1.2", b"GET / HTTP/1.2\r\nHost: t\r\n\r\n", 505),
        ("unknown expectation", b"POST /echo HTTP/1.1\r\nHost: t\r\nExpect: tea\r\nContent-Length: 1\r\n\r\nx", 417),
    ];
    for (what, request, status) in cases {
        assert_refused(&server, what, request, *status);
    }
    // None of that disturbed the server.
    let mut client = Client::connect(server.addr);
    client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_eq!(client.response().text(), "Hello, World!");
}
// ANCHOR_END: table

#[test]
fn a_10_gb_upload_is_refused_before_any_of_it_is_sent() {
    let server = Server::start(EXAMPLE, &["--workers", "1"]);
    let mut client = Client::connect(server.addr);
    // Only the head is sent: a server that waited for the body would never answer, and this
    // test would fail on its read timeout.
    client.send("PUT /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10737418240\r\n\r\n");
    let reply = client.response();
    assert_eq!(reply.status, 413);
    assert!(
        reply.text().contains("larger than the limit"),
        "{}",
        reply.text()
    );
    assert!(client.is_closed());
    server.wait_for_log("request body larger than the limit (413)");
}

#[test]
fn a_chunked_body_past_the_limit_is_cut_off_with_413() {
    let server = Server::start(EXAMPLE, &["--workers", "1", "--max-body", "100"]);
    let mut client = Client::connect(server.addr);
    client.send("POST /count HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n");
    client.send(format!("50\r\n{}\r\n", "x".repeat(80)));
    // The next chunk would take the body past 100 bytes: refused as soon as its size is read.
    client.send("50\r\n");
    let reply = client.response();
    assert_eq!(reply.status, 413);
    assert!(client.is_closed());
}

#[test]
fn a_client_closing_mid_head_is_no_trouble() {
    let server = Server::start(EXAMPLE, &["--workers", "1"]);
    {
        let mut client = Client::connect(server.addr);
        client.send("GET / HTTP/1.1\r\nHo");
    }
    server.wait_for_log("closed in the middle of a head");
    let mut client = Client::connect(server.addr);
    client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_eq!(client.response().status, 200);
}
