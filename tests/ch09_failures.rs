//! Chapter 9's layers and chapter 8's one error path: a handler's panic, a layer's panic and
//! every refusal of the server reach the layers as ordinary responses with their status, so
//! an access log or a request id layer sees each failure.

mod support;

use std::sync::{Arc, Mutex};

use support::app::{refusing, Running};
use support::{Client, Server};
use weft::app::App;
use weft::middleware::request_id::AssignRequestId;
use weft::middleware::{from_fn, Next};
use weft::request::Request;
use weft::response::Response;
use weft::testing::TestClient;

/// What the application's layer saw: each request's path and the status it was answered.
type Seen = Arc<Mutex<Vec<(String, u16)>>>;

// ANCHOR: record
/// A layer that records every answer in the application's state, as an access log would.
fn record(request: &mut Request<'_>, next: Next<'_, Seen>) -> Response {
    let seen = next.state();
    let response = next.run(request);
    let answer = (request.path().to_string(), response.status());
    seen.lock().unwrap().push(answer);
    response
}
// ANCHOR_END: record

/// An application behind `record`, refusing as `support::app::refusing` sets it up, and
/// `GET /panic`, which panics.
fn app(seen: &Seen) -> App<Seen> {
    let mut app = refusing(App::with_state(seen.clone()));
    app.wrap(from_fn(record));
    app.get("/panic", |_, _| -> &'static str {
        panic!("the handler broke")
    });
    app
}

/// A `POST` to `path` with `headers` (each ending in CRLF) and the start of a body.
fn post(path: &str, headers: &str, body: &str) -> String {
    format!("POST {path} HTTP/1.1\r\nHost: t\r\n{headers}\r\n{body}")
}

// ANCHOR: layers_see_refusals
#[test]
fn the_layers_see_every_refusal_with_the_status_the_client_got() {
    let seen = Seen::default();
    let server = Running::start(app(&seen));
    let over = format!("41\r\n{}\r\n0\r\n\r\n", "x".repeat(65));
    let chunked = "Transfer-Encoding: chunked\r\n";
    let requests = [
        post("/read", "Content-Length: 1000\r\n", ""),
        post("/ignore", chunked, &over),
        post("/ignore", chunked, "3\r\nabcX\r\n"),
        post("/read", "Content-Length: 10\r\n", "12345"),
    ];
    let mut statuses = Vec::new();
    for request in &requests {
        let mut client = Client::connect(server.addr);
        client.send(request);
        statuses.push(client.response().status);
    }
    assert_eq!(statuses, [413, 413, 400, 408]);
    // A drained body's request is answered twice inside the application: by the handler,
    // then by the refusal that replaced its answer. The layer sees both.
    let seen = seen.lock().unwrap().clone();
    let seen: Vec<(&str, u16)> = seen.iter().map(|(p, s)| (p.as_str(), *s)).collect();
    #[rustfmt::skip]
    let expected = [
        ("/read", 413), ("/ignore", 200), ("/ignore", 413),
        ("/ignore", 200), ("/ignore", 400), ("/read", 408),
    ];
    assert_eq!(seen, expected);
}
// ANCHOR_END: layers_see_refusals

#[test]
fn a_handler_panic_is_seen_by_the_layers_around_it() {
    let seen = Seen::default();
    let mut app = app(&seen);
    app.wrap(AssignRequestId);
    let client = TestClient::new(app);
    let response = client.get("/panic").header("X-Request-Id", "abc").send();
    assert_eq!(response.status(), 500);
    assert_eq!(response.header("x-request-id"), Some("abc"));
    assert_eq!(*seen.lock().unwrap(), [("/panic".to_string(), 500)]);
}

#[test]
fn a_panicking_layer_is_a_500_too() {
    let seen = Seen::default();
    let mut app = app(&seen);
    app.wrap(from_fn(|request, next| {
        if request.path() == "/ignore" {
            panic!("the layer broke");
        }
        next.run(request)
    }));
    let client = TestClient::new(app);
    let response = client.post("/ignore").send();
    assert_eq!(response.status(), 500);
    assert_eq!(response.text(), "500 Internal Server Error\n");
    assert_eq!(client.get("/nowhere").send().status(), 404);
}

#[test]
fn the_access_log_logs_a_refused_body_with_its_status_and_id() {
    let server = Server::start_main(&[]);
    let mut client = Client::connect(server.addr);
    client.send(concat!(
        "POST /echo HTTP/1.1\r\nHost: t\r\nAccept: application/json\r\n",
        "X-Request-Id: big-1\r\nContent-Length: 10485760\r\n\r\n"
    ));
    let reply = client.response();
    assert_eq!(reply.status, 413);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(reply.header("x-request-id"), Some("big-1"));
    let line = server.wait_for_log("POST /echo 413");
    assert!(line.contains("id=big-1"), "{line}");
}
