//! Chapter 6's server over loopback: each kind of response body, framed right (a correct
//! `Content-Length`, or `chunked`, or neither), `Date` and `Server` on every response, `HEAD`
//! answered with the `GET` head and no body, and no body on `204` and `304`.
//!
//! Every test sends a second request on the same connection after the one it checks: if a
//! response carried a byte more or less than its framing said, that second answer would be
//! garbled, so keep-alive doubles as a check of the framing.

mod support;

use support::{Client, Reply, Server};

const EXAMPLE: &str = "ch06_responses";

/// Sends `method path` on `client` and reads the reply, then checks that the connection still
/// carries a request.
fn exchange(client: &mut Client, method: &str, path: &str) -> Reply {
    client.send(format!("{method} {path} HTTP/1.1\r\nHost: test\r\n\r\n"));
    let reply = if method == "HEAD" {
        client.head_response()
    } else {
        client.response()
    };
    client.send("GET /text HTTP/1.1\r\nHost: test\r\n\r\n");
    let next = client.response();
    assert_eq!(
        next.text(),
        "Hello from chapter 6!\n",
        "after {method} {path}"
    );
    reply
}

#[test]
fn text_has_a_right_length_a_date_and_a_server() {
    let server = Server::start(EXAMPLE, &["--workers", "1"]);
    let mut client = Client::connect(server.addr);
    let reply = exchange(&mut client, "GET", "/text");
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-length"), Some("22"));
    assert_eq!(
        reply.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    let date = reply.header("date").expect("a Date header");
    assert!(date.len() == 29 && date.ends_with(" GMT"), "{date}");
    assert!(reply.header("server").unwrap().starts_with("weft/"));
}

#[test]
fn json_is_serialised_with_its_type() {
    let server = Server::start(EXAMPLE, &["--workers", "1"]);
    let mut client = Client::connect(server.addr);
    let reply = exchange(&mut client, "GET", "/json");
    assert_eq!(reply.header("content-type"), Some("application/json"));
    let value: serde_json::Value = serde_json::from_slice(&reply.body).expect("valid JSON");
    assert_eq!(value["server"], "weft");
    assert_eq!(value["chapter"], 6);
    assert_eq!(
        reply.header("content-length"),
        Some(reply.body.len().to_string().as_str())
    );
}

#[test]
fn an_iterator_is_streamed_chunked() {
    let server = Server::start(EXAMPLE, &["--workers", "1"]);
    let mut client = Client::connect(server.addr);
    let reply = exchange(&mut client, "GET", "/chunks");
    assert_eq!(reply.header("transfer-encoding"), Some("chunked"));
    assert_eq!(reply.header("content-length"), None);
    assert_eq!(reply.text(), "line 1\nline 2\nline 3\nline 4\nline 5\n");
}

#[test]
fn a_reader_is_streamed_chunked() {
    let server = Server::start(EXAMPLE, &["--workers", "1"]);
    let mut client = Client::connect(server.addr);
    let reply = exchange(&mut client, "GET", "/reader?bytes=100000");
    assert_eq!(reply.header("transfer-encoding"), Some("chunked"));
    assert_eq!(reply.body.len(), 100_000);
    assert!(reply.body.iter().all(|&b| b == b'w'));
}

#[test]
fn a_file_is_sent_with_its_length() {
    let server = Server::start(EXAMPLE, &["--workers", "1"]);
    let mut client = Client::connect(server.addr);
    let reply = exchange(&mut client, "GET", "/file");
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/ch06_responses.rs");
    let on_disk = std::fs::read(path).unwrap();
    assert_eq!(
        reply.header("content-length"),
        Some(on_disk.len().to_string().as_str())
    );
    assert_eq!(reply.body, on_disk);
}

#[test]
fn no_content_and_not_modified_have_no_body() {
    let server = Server::start(EXAMPLE, &["--workers", "1"]);
    let mut client = Client::connect(server.addr);
    let empty = exchange(&mut client, "GET", "/empty");
    assert_eq!(empty.status, 204);
    assert_eq!(
        empty.header("content-length"),
        None,
        "RFC 9110 §8.6: never on 204"
    );
    assert_eq!(empty.header("transfer-encoding"), None);
    let cached = exchange(&mut client, "GET", "/cached");
    assert_eq!(cached.status, 304);
    assert_eq!(cached.header("etag"), Some("\"v1\""));
}

#[test]
fn head_gets_the_get_head_and_no_body() {
    let server = Server::start(EXAMPLE, &["--workers", "1"]);
    let mut client = Client::connect(server.addr);
    for path in ["/text", "/json", "/file", "/chunks"] {
        let get = exchange(&mut client, "GET", path);
        let head = exchange(&mut client, "HEAD", path);
        assert_eq!(head.status, get.status, "{path}");
        for name in ["content-type", "content-length", "transfer-encoding"] {
            assert_eq!(head.header(name), get.header(name), "{path}: {name}");
        }
        assert!(head.body.is_empty());
    }
}

#[test]
fn an_http10_client_gets_a_stream_delimited_by_close() {
    let server = Server::start(EXAMPLE, &["--workers", "1"]);
    let mut client = Client::connect(server.addr);
    client.send("GET /chunks HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    let reply = client.response(); // no length, no chunking: the body runs to the close
    assert_eq!(
        reply.header("transfer-encoding"),
        None,
        "chunked is 1.1 only"
    );
    assert_eq!(reply.header("connection"), Some("close"));
    assert_eq!(reply.text(), "line 1\nline 2\nline 3\nline 4\nline 5\n");
}

#[test]
fn unknown_paths_and_methods_get_status_pages() {
    let server = Server::start(EXAMPLE, &["--workers", "1"]);
    let mut client = Client::connect(server.addr);
    let missing = exchange(&mut client, "GET", "/nothing-here");
    assert_eq!(
        (missing.status, missing.text().as_str()),
        (404, "404 Not Found\n")
    );
    let wrong = exchange(&mut client, "DELETE", "/text");
    assert_eq!(wrong.status, 405);
    assert_eq!(wrong.header("allow"), Some("GET, HEAD"));
}

#[test]
fn a_client_that_never_reads_does_not_keep_its_worker() {
    let server = Server::start(EXAMPLE, &["--workers", "1", "--write-ms", "200"]);
    // Ten gigabytes, and this client reads none of it: the server's writes fill the socket
    // buffers and then wait, until the write timeout gives the worker back.
    let mut hog = Client::connect(server.addr);
    hog.send("GET /reader?bytes=10000000000 HTTP/1.1\r\nHost: test\r\n\r\n");
    server.wait_for_log("GET /reader");
    let mut next = Client::connect(server.addr);
    next.send("GET /text HTTP/1.1\r\nHost: test\r\n\r\n");
    assert_eq!(next.response().text(), "Hello from chapter 6!\n");
    server.wait_for_log("connection ended while writing");
}
