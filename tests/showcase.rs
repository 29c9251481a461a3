//! The showcase, as `cargo run --release` serves it: the `weft` binary itself over loopback,
//! and the book's routes through `weft_tools::showcase::app` with a stand-in `book/`.

mod support;

use std::fs;
use std::time::Duration;

use support::app::Running;
use support::{Client, Server};
use weft_tools::showcase::{self, Options};

#[test]
fn the_binary_serves_every_showcase_route() {
    let server = Server::start_main(&["--workers", "4"]);
    let mut client = Client::connect(server.addr);
    let mut get = |path: &str| {
        client.send(format!("GET {path} HTTP/1.1\r\nHost: t\r\n\r\n"));
        client.response()
    };

    let plaintext = get("/plaintext");
    assert_eq!(plaintext.text(), "Hello, World!");
    assert_eq!(
        plaintext.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    let json = get("/json");
    assert_eq!(json.text(), r#"{"message":"Hello, World!"}"#);
    assert_eq!(json.header("content-type"), Some("application/json"));
    assert_eq!(get("/users/caf%C3%A9").text(), "user café\n");

    let landing = get("/");
    assert_eq!(
        landing.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    for route in [
        "/plaintext",
        "/json",
        "/echo",
        "/users/",
        "/panic",
        "/static/",
        "/book/",
    ] {
        assert!(
            landing.text().contains(route),
            "the landing page lists {route}"
        );
    }
    #[rustfmt::skip]
    let files = [
        ("/static/", "text/html; charset=utf-8"),
        ("/static/style.css", "text/css; charset=utf-8"),
        ("/static/weft.png", "image/png"),
    ];
    for (path, content_type) in files {
        let reply = get(path);
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(reply.header("content-type"), Some(content_type), "{path}");
    }
    assert!(get("/static/weft.png").body.starts_with(b"\x89PNG"));

    client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Type: text/x-test\r\nContent-Length: 5\r\n\r\nhello");
    let echo = client.response();
    assert_eq!(
        (echo.text().as_str(), echo.header("content-type")),
        ("hello", Some("text/x-test"))
    );

    // > ch08
    // The panic is the handler's; the application answers 500 (chapter 8) and the
    // connection carries on.
    client.send("GET /panic HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_eq!(client.response().status, 500);
    server.wait_for_log("handler panicked");
    client.send("GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_eq!(client.response().status, 200);
    // < ch08

    server.interrupt();
    assert!(server.wait_exit(Duration::from_secs(10)).success());
}

#[test]
fn the_book_is_served_under_book_when_it_has_been_built() {
    let base = std::env::temp_dir().join(format!("weft-book-{}", std::process::id()));
    fs::create_dir_all(base.join("book")).unwrap();
    fs::write(base.join("book/index.html"), "<h1>the book</h1>").unwrap();
    let options = Options {
        book_dir: base.join("book"),
        ..Options::default()
    };
    let server = Running::start(showcase::app(&options));
    assert_eq!(server.call("GET", "/book/").text(), "<h1>the book</h1>");
    let bare = server.call("GET", "/book");
    assert_eq!(
        (bare.status, bare.header("location")),
        (308, Some("/book/"))
    );

    let without = Options {
        book_dir: base.join("not-built"),
        ..Options::default()
    };
    let server = Running::start(showcase::app(&without));
    assert_eq!(server.call("GET", "/book/").status, 404);
    let _ = fs::remove_dir_all(&base);
}
