//! Chapter 5's server over loopback, in raw bytes: keep-alive by the rules of RFC 9112 §9.3,
//! pipelining, heads and bodies split across reads, request bodies (`Content-Length`,
//! `chunked`, `Expect: 100-continue`), unread bodies, timeouts and panics.

mod support;

use support::{Client, Server};

const EXAMPLE: &str = "ch05_http";

fn get(path: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nHost: test\r\n\r\n")
}

fn post(path: &str, body: &str) -> String {
    format!(
        "POST {path} HTTP/1.1\r\nHost: test\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

#[test]
fn http11_connections_are_kept_alive() {
    let server = Server::start(EXAMPLE, &["--workers", "2"]);
    let mut client = Client::connect(server.addr);
    for _ in 0..3 {
        client.send(get("/"));
        let reply = client.response();
        assert_eq!(reply.status, 200);
        assert_eq!(reply.text(), "Hello, World!");
        assert_eq!(reply.header("connection"), None, "1.1 persists by default");
        assert_eq!(reply.header("content-length"), Some("13"));
    }
}

#[test]
fn pipelined_requests_are_answered_in_order() {
    let server = Server::start(EXAMPLE, &["--workers", "2"]);
    let mut client = Client::connect(server.addr);
    // Three requests in one write; the first is slow, yet its answer must still come first.
    let batch = [
        post("/echo", "one"),
        get("/slow?ms=30"),
        post("/echo", "three"),
    ]
    .concat();
    client.send(batch);
    assert_eq!(client.response().text(), "one");
    assert_eq!(client.response().text(), "Hello, World!");
    assert_eq!(client.response().text(), "three");
    client.send(get("/"));
    assert_eq!(client.response().status, 200);
}

#[test]
fn a_request_sent_one_byte_at_a_time_is_understood() {
    let server = Server::start(EXAMPLE, &["--workers", "1"]);
    let mut client = Client::connect(server.addr).no_delay();
    let request = "POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n\
                   4\r\nbyte\r\n5;ext=1\r\n-wise\r\n0\r\nTrailer: x\r\n\r\n";
    for byte in request.bytes() {
        client.send([byte]);
    }
    assert_eq!(client.response().text(), "byte-wise");
}

#[test]
fn connection_close_from_the_client_ends_the_connection() {
    let server = Server::start(EXAMPLE, &["--workers", "1"]);
    let mut client = Client::connect(server.addr);
    client.send("GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
    let reply = client.response();
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("connection"), Some("close"));
    assert!(client.is_closed());
}

#[test]
fn http10_closes_unless_it_asks_for_keep_alive() {
    let server = Server::start(EXAMPLE, &["--workers", "1"]);
    let mut plain = Client::connect(server.addr);
    plain.send("GET / HTTP/1.0\r\n\r\n");
    let reply = plain.response();
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("connection"), Some("close"));
    assert!(plain.is_closed());

    let mut kept = Client::connect(server.addr);
    for _ in 0..2 {
        kept.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        let reply = kept.response();
        assert_eq!(reply.text(), "Hello, World!");
        assert_eq!(reply.header("connection"), Some("keep-alive"));
    }
}

#[test]
fn content_length_and_chunked_bodies_are_read() {
    let server = Server::start(EXAMPLE, &["--workers", "1"]);
    let mut client = Client::connect(server.addr);
    client.send(post("/echo", "hello, body"));
    assert_eq!(client.response().text(), "hello, body");
    client.send(
        "POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\
         Content-Type: text/plain\r\n\r\n\
         6;name=value\r\nchunks\r\n1\r\n!\r\n0\r\nX-Checksum: 42\r\n\r\n",
    );
    let reply = client.response();
    assert_eq!(reply.text(), "chunks!");
    assert_eq!(reply.header("content-type"), Some("text/plain"));
}

#[test]
fn a_large_body_is_streamed_to_the_handler() {
    let server = Server::start(EXAMPLE, &["--workers", "1"]);
    let mut client = Client::connect(server.addr);
    let piece = "x".repeat(10_000);
    client.send("POST /count HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n");
    for _ in 0..50 {
        client.send(format!("2710\r\n{piece}\r\n"));
    }
    client.send("0\r\n\r\n");
    assert_eq!(client.response().text(), "500000 bytes\n");
}

#[test]
fn expect_100_continue_is_answered_before_the_body() {
    let server = Server::start(EXAMPLE, &["--workers", "1"]);
    let mut client = Client::connect(server.addr);
    client.send(
        "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 7\r\nExpect: 100-continue\r\n\r\n",
    );
    // The client sends nothing more until told to continue.
    assert_eq!(client.response().status, 100);
    client.send("payload");
    let reply = client.response();
    assert_eq!((reply.status, reply.text().as_str()), (200, "payload"));
}

#[test]
fn expect_100_continue_with_a_body_over_the_limit_gets_413_at_once() {
    let server = Server::start(EXAMPLE, &["--workers", "1", "--max-body", "1000"]);
    let mut client = Client::connect(server.addr);
    client.send(
        "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n",
    );
    let reply = client.response();
    assert_eq!(reply.status, 413, "no 100 Continue first");
    assert_eq!(reply.header("connection"), Some("close"));
    assert!(client.is_closed());
}

#[test]
fn an_unread_body_is_drained_not_taken_for_the_next_request() {
    let server = Server::start(EXAMPLE, &["--workers", "1"]);
    let mut client = Client::connect(server.addr);
    // The body looks like a request: if it were misread, the echo below would answer it.
    let smuggled = "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\n\r\nEVIL!";
    client.send(post("/ignore", smuggled));
    let reply = client.response();
    assert_eq!(reply.text(), "I did not read your body\n");
    assert_eq!(
        reply.header("connection"),
        None,
        "a small leftover is drained"
    );
    client.send(post("/echo", "next"));
    assert_eq!(client.response().text(), "next");
}

#[test]
fn an_unread_body_too_large_to_drain_closes_the_connection() {
    let server = Server::start(EXAMPLE, &["--workers", "1"]);
    let mut client = Client::connect(server.addr);
    // 200 000 bytes announced: within the 1 MiB body limit, beyond the 64 KiB drain limit.
    client.send("POST /ignore HTTP/1.1\r\nHost: test\r\nContent-Length: 200000\r\n\r\nstart");
    let reply = client.response();
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("connection"), Some("close"));
    assert!(client.is_closed());
}

#[test]
fn an_idle_connection_is_closed_and_frees_its_worker() {
    let server = Server::start(EXAMPLE, &["--workers", "1", "--idle-ms", "200"]);
    let mut idle = Client::connect(server.addr);
    idle.send(get("/"));
    assert_eq!(idle.response().status, 200);
    // Say nothing more: the idle timeout closes the connection...
    assert!(idle.is_closed());
    // ...and the only worker is free for the next client.
    let mut next = Client::connect(server.addr);
    next.send(get("/"));
    assert_eq!(next.response().status, 200);
}

#[test]
fn a_head_that_never_ends_gets_408() {
    let server = Server::start(EXAMPLE, &["--workers", "1", "--head-ms", "200"]);
    let mut client = Client::connect(server.addr);
    client.send("GET / HTTP/1.1\r\nHost: te");
    let reply = client.response();
    assert_eq!(reply.status, 408);
    assert!(client.is_closed());
}

#[test]
fn a_body_that_stops_arriving_gets_408() {
    let server = Server::start(EXAMPLE, &["--workers", "1", "--body-ms", "200"]);
    let mut client = Client::connect(server.addr);
    client.send("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 10\r\n\r\nabc");
    let reply = client.response();
    assert_eq!(reply.status, 408);
    assert!(client.is_closed());
}

#[test]
fn ctrl_c_closes_kept_alive_connections_and_exits() {
    let server = Server::start(EXAMPLE, &["--workers", "2", "--idle-ms", "300"]);
    let mut client = Client::connect(server.addr);
    client.send(get("/"));
    assert_eq!(client.response().status, 200);
    server.interrupt();
    server.wait_for_log("signal received");
    // The idle connection is closed (at the latest when its idle timeout passes) and the
    // server drains and exits cleanly.
    assert!(client.is_closed());
    let status = server.wait_exit(std::time::Duration::from_secs(10));
    assert!(status.success(), "{status:?}");
}

#[test]
fn a_panicking_handler_gets_500_and_the_server_goes_on() {
    let server = Server::start(EXAMPLE, &["--workers", "1"]);
    for _ in 0..3 {
        let mut client = Client::connect(server.addr);
        client.send(get("/panic"));
        let reply = client.response();
        assert_eq!(reply.status, 500);
        assert_eq!(reply.header("connection"), Some("close"));
        server.wait_for_log("handler panicked");
    }
    let mut client = Client::connect(server.addr);
    client.send(get("/"));
    assert_eq!(client.response().text(), "Hello, World!");
}

#[test]
fn routes_answer_404_and_405() {
    let server = Server::start(EXAMPLE, &["--workers", "1"]);
    let mut client = Client::connect(server.addr);
    client.send(get("/nowhere"));
    assert_eq!(client.response().status, 404);
    client.send(get("/echo"));
    let reply = client.response();
    assert_eq!(reply.status, 405);
    assert_eq!(reply.header("allow"), Some("POST, PUT"));
}
