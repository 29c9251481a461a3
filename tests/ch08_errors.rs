//! Chapter 8 over real sockets: the `ch08_errors` example's failures, each with its status
//! and nothing internal in the body; a panic logged once; a burst of panics that leaves the
//! showcase's pool and memory as they were.

mod support;

use std::fs;
use std::time::Duration;

use support::{Client, Server};

/// `request` for `target` with the given extra header lines, sent on `client`.
fn send(client: &mut Client, method: &str, target: &str, extra: &str) -> support::Reply {
    client.send(format!(
        "{method} {target} HTTP/1.1\r\nHost: t\r\n{extra}\r\n"
    ));
    client.response()
}

#[test]
fn each_failure_has_its_status_and_no_internal_detail() {
    let server = Server::start("ch08_errors", &[]);
    let mut client = Client::connect(server.addr);
    #[rustfmt::skip]
    let cases: &[(&str, &str, &str, u16, &str)] = &[
        // method, target, extra header lines (and body), status, body contains
        ("GET", "/users/1", "", 200, "\"name\":\"Ada\""),
        ("GET", "/users/x", "", 400, "the id must be a number"),
        ("GET", "/users/7", "", 404, "no user 7"),
        ("GET", "/search", "", 400, "missing query parameter q"),
        ("GET", "/search?q=rust", "", 200, "results for rust"),
        ("POST", "/users", "Content-Type: application/json\r\nContent-Length: 3\r\n\r\n{,}", 400, "malformed JSON"),
        ("POST", "/users", "Content-Type: application/json\r\nContent-Length: 8\r\n\r\n{\"id\":1}", 422, "missing field"),
        ("POST", "/users", "Content-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi", 415, "expected a JSON body"),
        ("POST", "/users", "Content-Length: 23\r\n\r\n{\"id\":2,\"name\":\"Grace\"}", 201, "Grace"),
        ("GET", "/config", "", 500, "500 Internal Server Error\n"),
        ("GET", "/panic", "", 500, "500 Internal Server Error\n"),
    ];
    for (method, target, extra, status, needle) in cases {
        let reply = send(&mut client, method, target, extra);
        assert_eq!(reply.status, *status, "{method} {target}: {}", reply.text());
        assert!(
            reply.text().contains(needle),
            "{method} {target}: {}",
            reply.text()
        );
        for secret in ["nonexistent", "No such file", "panicked", ".rs:"] {
            assert!(
                !reply.text().contains(secret),
                "{target} leaks {secret}: {}",
                reply.text()
            );
        }
    }
    // The detail went to the log instead.
    server.wait_for_log("GET /config");
}

#[test]
fn a_body_over_the_limit_is_413() {
    let server = Server::start("ch08_errors", &[]);
    let mut client = Client::connect(server.addr);
    let big = format!("[{}1]", "1,".repeat(600_000));
    client.send(format!(
        "POST /users HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{big}",
        big.len()
    ));
    assert_eq!(client.response().status, 413);
}

#[test]
fn json_clients_get_json_errors_and_debug_shows_the_detail() {
    let server = Server::start("ch08_errors", &["--debug", "true"]);
    let mut client = Client::connect(server.addr);
    let reply = send(
        &mut client,
        "GET",
        "/users/x",
        "Accept: application/json\r\n",
    );
    assert_eq!(reply.status, 400);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    let body: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
    let message = "the id must be a number";
    let expected = serde_json::json!({"error": {"status": 400, "message": message}});
    assert_eq!(body, expected);
    // Debug mode: the panic's message and place reach the client.
    let reply = send(&mut client, "GET", "/panic", "");
    assert_eq!(reply.status, 500);
    assert!(
        reply.text().contains("the handler for /panic panicked"),
        "{}",
        reply.text()
    );
    assert!(reply.text().contains("ch08_errors.rs:"), "{}", reply.text());
}

#[test]
fn the_custom_404_page_keeps_its_status() {
    let server = Server::start("ch08_errors", &[]);
    let mut client = Client::connect(server.addr);
    let reply = send(&mut client, "GET", "/nowhere/<b>", "");
    assert_eq!(reply.status, 404);
    assert_eq!(
        reply.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(
        reply.text().contains("Nothing at /nowhere/&lt;b&gt;"),
        "{}",
        reply.text()
    );
}

// ANCHOR: logged_once
#[test]
fn a_panic_is_logged_once_and_the_connection_carries_on() {
    let server = Server::start_with_log("ch08_errors", &[], "info");
    let mut client = Client::connect(server.addr);
    let reply = send(&mut client, "GET", "/panic", "");
    assert_eq!(reply.status, 500);
    // Same connection: the panic did not close it. `/config` fails with an I/O error, whose
    // log line comes after everything the panic logged.
    let reply = send(&mut client, "GET", "/config", "");
    assert_eq!(reply.status, 500);
    let lines = server.logs_until("GET /config");
    let panics: Vec<&String> = lines.iter().filter(|l| l.contains("panicked")).collect();
    assert_eq!(panics.len(), 1, "logged once: {lines:#?}");
    assert!(panics[0].contains("GET /panic"), "{}", panics[0]);
    assert!(
        panics[0].contains("ch08_errors.rs:"),
        "with its place: {}",
        panics[0]
    );
    // The default hook's "thread '…' panicked at" line is not there.
    assert!(
        !lines.iter().any(|l| l.starts_with("thread '")),
        "{lines:#?}"
    );
}
// ANCHOR_END: logged_once

/// A field of `/proc/<pid>/status`, such as `Threads` or `VmRSS` (in kB), as a number.
fn proc_status(pid: u32, field: &str) -> u64 {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).expect("read /proc status");
    let line = status
        .lines()
        .find(|line| line.starts_with(&format!("{field}:")))
        .unwrap_or_else(|| panic!("no {field} in /proc/{pid}/status"));
    line.split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .expect("a number")
}

/// Sends `n` requests for `/panic` on one connection, checking each is a 500.
fn panics(server: &Server, n: usize) {
    let mut client = Client::connect(server.addr);
    for _ in 0..n {
        assert_eq!(send(&mut client, "GET", "/panic", "").status, 500);
    }
}

// ANCHOR: burst
#[test]
fn a_thousand_panics_leave_the_pool_and_memory_as_they_were() {
    let server = Server::start_main(&["--workers", "4"]);
    // Warm up: the first panics allocate what every later one reuses (log buffers, the
    // worker's stack pages, the allocator's arenas).
    panics(&server, 200);
    let (threads, rss) = (
        proc_status(server.pid(), "Threads"),
        proc_status(server.pid(), "VmRSS"),
    );
    panics(&server, 1000);
    let (threads_after, rss_after) = (
        proc_status(server.pid(), "Threads"),
        proc_status(server.pid(), "VmRSS"),
    );
    assert_eq!(threads_after, threads, "no worker was lost or added");
    // A leak of 2 KiB per panic would be 2 MiB here; allocator noise is far smaller.
    assert!(
        rss_after < rss + 2048,
        "RSS grew from {rss} kB to {rss_after} kB"
    );

    // Every showcase route still answers.
    let mut client = Client::connect(server.addr);
    for (target, status) in [
        ("/", 200),
        ("/plaintext", 200),
        ("/json", 200),
        ("/users/42", 200),
        ("/static/style.css", 200),
        ("/panic", 500),
        ("/nope", 404),
    ] {
        assert_eq!(
            send(&mut client, "GET", target, "").status,
            status,
            "{target}"
        );
    }
    let echo = send(&mut client, "POST", "/echo", "Content-Length: 2\r\n\r\nhi");
    assert_eq!((echo.status, echo.text()), (200, "hi".to_string()));
    drop(client);
    server.interrupt();
    assert!(server.wait_exit(Duration::from_secs(10)).success());
}
// ANCHOR_END: burst
