//! Starts every peer on port 0 and checks it over real loopback sockets: the plaintext, JSON
//! and 404 answers, and that keep-alive works where the peer supports it (two requests on one
//! connection) or that the connection closes where it does not (the Rust Book design);
//! chapter 12's `/slow` and `/slow-blocking` on axum and may_minihttp; and pipelining and
//! `Connection: close` on the bare pool.
//!
//! Run with `cargo test --release --manifest-path benches/peers/Cargo.toml`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Every read and write on a test socket gives up after this long, so a broken peer fails the
/// test instead of hanging it.
const TIMEOUT: Duration = Duration::from_secs(5);

/// A peer process, killed when the test is done with it (even when the test panics).
struct Peer {
    name: &'static str,
    child: Child,
    addr: SocketAddr,
}

impl Peer {
    /// Starts the binary `exe` on `127.0.0.1:0` with two workers and reads the address from
    /// its first stdout line.
    fn start(name: &'static str, exe: &str) -> Peer {
        let mut child = Command::new(exe)
            .args(["--addr", "127.0.0.1:0", "--workers", "2"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|err| panic!("{name}: cannot start {exe}: {err}"));
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut first = String::new();
        // Blocks until the peer prints its line or exits (EOF); it cannot hang past that.
        BufReader::new(stdout)
            .read_line(&mut first)
            .unwrap_or_else(|err| panic!("{name}: reading stdout: {err}"));
        let addr = first
            .trim_end()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("{name}: first line was {first:?}"))
            .parse()
            .unwrap_or_else(|err| panic!("{name}: bad address in {first:?}: {err}"));
        Peer { name, child, addr }
    }

    fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(self.addr)
            .unwrap_or_else(|err| panic!("{}: connect {}: {err}", self.name, self.addr));
        stream.set_read_timeout(Some(TIMEOUT)).unwrap();
        stream.set_write_timeout(Some(TIMEOUT)).unwrap();
        stream
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One parsed response.
#[derive(Debug)]
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Sends `GET path` on `stream` (which may be reused) and reads exactly one response, framed
/// by its Content-Length, leaving the connection ready for the next request.
fn get(stream: &mut BufReader<TcpStream>, path: &str) -> Response {
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n");
    stream.get_mut().write_all(request.as_bytes()).unwrap();
    read_response(stream)
}

/// Reads exactly one response off `stream`, framed by its Content-Length.
fn read_response(stream: &mut BufReader<TcpStream>) -> Response {
    let mut status_line = String::new();
    stream.read_line(&mut status_line).expect("a status line");
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        stream.read_line(&mut line).expect("a header line");
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':').expect("a header has a colon");
        headers.push((name.to_string(), value.trim().to_string()));
    }
    let mut response = Response {
        status,
        headers,
        body: Vec::new(),
    };
    let length: usize = response
        .header("Content-Length")
        .unwrap_or_else(|| panic!("no Content-Length in {response:?}"))
        .parse()
        .expect("a numeric Content-Length");
    response.body = vec![0; length];
    stream
        .read_exact(&mut response.body)
        .expect("the whole body");
    response
}

fn assert_plaintext(name: &str, response: &Response) {
    assert_eq!(response.status, 200, "{name}: {response:?}");
    assert_eq!(response.body, b"Hello, World!", "{name}");
    let content_type = response.header("Content-Type").unwrap_or("");
    assert!(
        content_type.starts_with("text/plain"),
        "{name}: {response:?}"
    );
}

fn assert_json(name: &str, response: &Response) {
    assert_eq!(response.status, 200, "{name}: {response:?}");
    assert_eq!(response.body, br#"{"message":"Hello, World!"}"#, "{name}");
    let content_type = response.header("Content-Type").unwrap_or("");
    assert!(
        content_type.starts_with("application/json"),
        "{name}: {response:?}"
    );
}

/// The checks for a keep-alive peer: /plaintext, /json and a 404 on one connection, then `/`.
fn check_keep_alive(name: &'static str, exe: &str) {
    let peer = Peer::start(name, exe);
    let mut conn = BufReader::new(peer.connect());
    assert_plaintext(name, &get(&mut conn, "/plaintext"));
    assert_json(name, &get(&mut conn, "/json"));
    assert_eq!(get(&mut conn, "/nope").status, 404, "{name}");
    assert_plaintext(name, &get(&mut conn, "/"));
}

#[test]
fn tiny_http_serves_and_keeps_alive() {
    check_keep_alive("tiny_http", env!("CARGO_BIN_EXE_peer-tiny-http"));
}

#[test]
fn actix_serves_and_keeps_alive() {
    check_keep_alive("actix-web", env!("CARGO_BIN_EXE_peer-actix"));
}

#[test]
fn axum_serves_and_keeps_alive() {
    check_keep_alive("axum", env!("CARGO_BIN_EXE_peer-axum"));
}

#[test]
fn bare_pool_serves_and_keeps_alive() {
    check_keep_alive("bare-pool", env!("CARGO_BIN_EXE_peer-bare-pool"));
}

#[test]
fn bare_pool_answers_pipelined_requests_and_closes_when_asked() {
    let name = "bare-pool";
    let peer = Peer::start(name, env!("CARGO_BIN_EXE_peer-bare-pool"));
    let mut conn = BufReader::new(peer.connect());
    // Three requests in one write: three answers, in order, on the same connection.
    conn.get_mut()
        .write_all(
            b"GET /json HTTP/1.1\r\nHost: a\r\n\r\nGET /plaintext HTTP/1.1\r\nHost: a\r\n\r\n\
              GET /plaintext HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
        )
        .unwrap();
    assert_json(name, &read_response(&mut conn));
    assert_plaintext(name, &read_response(&mut conn));
    let last = read_response(&mut conn);
    assert_plaintext(name, &last);
    assert_eq!(last.header("Connection"), Some("close"), "{name}");
    let mut rest = Vec::new();
    conn.read_to_end(&mut rest)
        .expect("the server closes the connection");
    assert!(
        rest.is_empty(),
        "{name}: bytes after the response: {rest:?}"
    );
}

#[test]
fn may_minihttp_serves_and_keeps_alive() {
    check_keep_alive("may_minihttp", env!("CARGO_BIN_EXE_peer-may-minihttp"));
}

/// Chapter 12's routes, on the async peers that have them: both ways of waiting answer like
/// `/plaintext`, and the connection stays usable after each.
fn check_slow_routes(name: &'static str, exe: &str) {
    let peer = Peer::start(name, exe);
    let mut conn = BufReader::new(peer.connect());
    for path in [
        "/slow?ms=1",
        "/slow-blocking?ms=1",
        "/slow?ms=nope",
        "/plaintext",
    ] {
        assert_plaintext(&format!("{name} {path}"), &get(&mut conn, path));
    }
}

#[test]
fn axum_serves_the_slow_routes() {
    check_slow_routes("axum", env!("CARGO_BIN_EXE_peer-axum"));
}

#[test]
fn may_minihttp_serves_the_slow_routes() {
    check_slow_routes("may_minihttp", env!("CARGO_BIN_EXE_peer-may-minihttp"));
}

#[test]
fn rustbook_serves_one_request_per_connection() {
    let name = "rustbook";
    let peer = Peer::start(name, env!("CARGO_BIN_EXE_peer-rustbook"));
    for (path, check) in [
        ("/plaintext", assert_plaintext as fn(&str, &Response)),
        ("/json", assert_json),
        ("/", assert_plaintext),
    ] {
        let mut conn = BufReader::new(peer.connect());
        let response = get(&mut conn, path);
        check(name, &response);
        assert_eq!(response.header("Connection"), Some("close"), "{name}");
        // After the one response the server closes: the next read sees end of file.
        let mut rest = Vec::new();
        conn.read_to_end(&mut rest)
            .expect("the server closes the connection");
        assert!(
            rest.is_empty(),
            "{name}: bytes after the response: {rest:?}"
        );
    }
    let mut conn = BufReader::new(peer.connect());
    assert_eq!(get(&mut conn, "/nope").status, 404, "{name}");
}

#[test]
fn bad_flags_exit_with_status_2() {
    let output = Command::new(env!("CARGO_BIN_EXE_peer-rustbook"))
        .args(["--worker", "3"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown flag"));
}
