//! Chapter 8's one error path, over real loopback sockets: what the server refuses once it
//! has a request's head (a body over the limit, broken chunked framing, a body too slow) is
//! answered by the application as a returned `HttpError` is: JSON for a JSON client, and its
//! own error pages.

mod support;

use support::app::{refusing, Running};
use support::Client;
use weft::app::{App, Json};

/// A `POST` to `path` with `headers` (each ending in CRLF) and the start of a body.
fn post(path: &str, headers: &str, body: &str) -> String {
    format!("POST {path} HTTP/1.1\r\nHost: t\r\nAccept: application/json\r\n{headers}\r\n{body}")
}

// ANCHOR: json_refusals
#[test]
fn refusals_are_the_applications_json_errors() {
    let server = Running::start(refusing(App::new()));
    let over = format!("41\r\n{}\r\n0\r\n\r\n", "x".repeat(65));
    let chunked = "Transfer-Encoding: chunked\r\n";
    #[rustfmt::skip]
    let cases: &[(&str, String, u16, &str)] = &[
        // what, request, status, message
        ("announced over the limit", post("/read", "Content-Length: 1000\r\n", ""), 413, "request body larger than the limit"),
        ("chunked past the limit, read", post("/read", chunked, &over), 413, "request body larger than the limit"),
        ("chunked past the limit, drained", post("/ignore", chunked, &over), 413, "request body larger than the limit"),
        ("broken chunk, drained", post("/ignore", chunked, "3\r\nabcX\r\n"), 400, "malformed chunked framing"),
        ("too slow, read", post("/read", "Content-Length: 10\r\n", "12345"), 408, "client too slow"),
    ];
    for (what, request, status, message) in cases {
        let mut client = Client::connect(server.addr);
        client.send(request);
        let reply = client.response();
        assert_eq!(reply.status, *status, "{what}: {}", reply.text());
        assert_eq!(
            reply.header("content-type"),
            Some("application/json"),
            "{what}"
        );
        let body: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
        let expected = serde_json::json!({"error": {"status": status, "message": message}});
        assert_eq!(body, expected, "{what}");
        assert_eq!(reply.header("connection"), Some("close"), "{what}");
        assert!(client.is_closed(), "{what}: the connection closes");
    }
}
// ANCHOR_END: json_refusals

#[test]
fn an_error_page_answers_refusals_too() {
    let mut app = refusing(App::new());
    app.on_error(|request, err| {
        Json(serde_json::json!({"oops": err.status(), "path": request.path()}))
    });
    app.on_status(408, |_, _| "come back when you are ready\n");
    let server = Running::start(app);
    let cases: &[(&str, String, u16, &str)] = &[
        (
            "over the limit",
            post("/read", "Content-Length: 100\r\n", ""),
            413,
            r#"{"oops":413,"path":"/read"}"#,
        ),
        (
            "too slow",
            post("/read", "Content-Length: 10\r\n", "1"),
            408,
            "come back when you are ready\n",
        ),
    ];
    for (what, request, status, page) in cases {
        let mut client = Client::connect(server.addr);
        client.send(request);
        let reply = client.response();
        assert_eq!(
            (reply.status, reply.text().as_str()),
            (*status, *page),
            "{what}"
        );
    }
}
