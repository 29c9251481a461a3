//! Chapter 7: the application's dispatch rules, over real loopback sockets: 404, 405 with
//! `Allow`, `HEAD` through `GET`, `OPTIONS`, the trailing-slash redirect, decoded parameters,
//! state, groups and what handlers may return; registration errors; and the chapter's example.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};

use support::app::Running;
use support::{Client, Server};
use weft::app::{App, Json, RouteError};
/* ch07 < ch08
use weft::response::Response;
*/
use weft::error::HttpError; // > ch08
use weft::response::{Response, Status}; // > ch08

/// A small application with one route per rule under test.
fn app() -> App {
    let mut app = App::new();
    app.get("/", |_, _| "home");
    app.get("/users/:id", |_, cx| format!("user {}", cx.param("id")));
    app.delete("/users/:id", |_, cx| {
        (202, format!("deleted {}", cx.param("id")))
    });
    app.get("/users/new", |_, _| "form");
    app.get("/files/*path", |_, cx| format!("file {}", cx.param("path")));
    app.get("/docs/", |_, _| "docs index");
    app.post("/submit", |_, _| "submitted");
    app.route("OPTIONS", "/custom", |_, _| {
        Response::new(200).with_header("Allow", "GET, CUSTOM")
    });
    app.get("/custom", |_, _| "custom");
    app.route("PURGE", "/cache", |_, _| "purged");
    app
}

#[test]
fn a_path_without_a_route_is_404() {
    let server = Running::start(app());
    for path in ["/nope", "/users", "/files/", "/docs/x", "/users/1/x"] {
        let reply = server.call("GET", path);
        assert_eq!(reply.status, 404, "{path}");
        assert_eq!(reply.text(), "404 Not Found\n");
    }
}

#[test]
fn a_route_without_the_method_is_405_with_allow() {
    let server = Running::start(app());
    let reply = server.call("PUT", "/users/7");
    assert_eq!(reply.status, 405);
    assert_eq!(reply.header("allow"), Some("GET, HEAD, DELETE, OPTIONS"));
    let reply = server.call("GET", "/submit");
    assert_eq!(reply.status, 405);
    assert_eq!(reply.header("allow"), Some("POST, OPTIONS"));
    // Methods are case-sensitive (RFC 9110 §9.1): `get` is not `GET`.
    assert_eq!(server.call("get", "/").status, 405);
    // The most specific route owns the path: /users/new has GET only, although the less
    // specific /users/:id also has DELETE.
    let reply = server.call("DELETE", "/users/new");
    assert_eq!(reply.status, 405);
    assert_eq!(reply.header("allow"), Some("GET, HEAD, OPTIONS"));
}

#[test]
fn head_is_answered_by_the_get_route_without_a_body() {
    let server = Running::start(app());
    let get = server.call("GET", "/users/42");
    let head = server.call("HEAD", "/users/42");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(head.header("content-length"), get.header("content-length"));
    assert_eq!(head.header("content-type"), get.header("content-type"));
    // Only through GET: a POST-only route has no HEAD.
    assert_eq!(server.call("HEAD", "/submit").status, 405);
    // And the connection stays usable: the next response starts where the head ended.
    let mut client = Client::connect(server.addr);
    client.send("HEAD / HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_eq!(client.head_response().header("content-length"), Some("4"));
    assert_eq!(client.response().text(), "home");
}

#[test]
fn options_lists_the_methods_unless_the_route_answers_it() {
    let server = Running::start(app());
    let reply = server.call("OPTIONS", "/users/1");
    assert_eq!(reply.status, 204);
    assert_eq!(reply.header("allow"), Some("GET, HEAD, DELETE, OPTIONS"));
    assert!(reply.body.is_empty());
    let custom = server.call("OPTIONS", "/custom");
    assert_eq!(custom.status, 200);
    assert_eq!(custom.header("allow"), Some("GET, CUSTOM"));
    // `OPTIONS *` is about the whole server: every method some route answers.
    let star = server.call("OPTIONS", "*");
    assert_eq!(star.status, 204);
    let allow = star.header("allow").unwrap();
    for method in ["GET", "HEAD", "DELETE", "POST", "OPTIONS", "PURGE"] {
        assert!(
            allow.split(", ").any(|m| m == method),
            "{method} in {allow}"
        );
    }
    assert_eq!(server.call("PURGE", "/cache").text(), "purged");
    let empty = Running::start(App::new()).call("OPTIONS", "*");
    assert_eq!(
        (empty.status, empty.header("allow")),
        (204, Some("OPTIONS"))
    );
}

#[test]
fn the_app_lists_its_routes_most_specific_first() {
    let routes = app().routes();
    let routes: Vec<(&str, &str)> = routes.iter().map(|(m, p)| (&**m, &**p)).collect();
    assert_eq!(routes.len(), 10);
    assert_eq!(routes[0], ("GET", "/"));
    let at = |route| routes.iter().position(|r| *r == route).unwrap();
    assert!(at(("GET", "/users/new")) < at(("GET", "/users/:id")));
    // Methods in the order registered: OPTIONS before GET here.
    assert_eq!(at(("OPTIONS", "/custom")) + 1, at(("GET", "/custom")));
    assert_eq!(at(("GET", "/users/:id")) + 1, at(("DELETE", "/users/:id")));
}

#[test]
fn the_other_spelling_of_a_trailing_slash_is_a_308_that_keeps_the_query() {
    let server = Running::start(app());
    #[rustfmt::skip]
    let cases = [
        ("/docs", "/docs/"),
        ("/docs?page=2&q=a%20b", "/docs/?page=2&q=a%20b"),
        ("/users/7/", "/users/7"),
        ("/users/7/?x=1", "/users/7?x=1"),
    ];
    for (path, location) in cases {
        let reply = server.call("GET", path);
        assert_eq!(reply.status, 308, "{path}");
        assert_eq!(reply.header("location"), Some(location), "{path}");
    }
    // POST is redirected too: 308 tells the client to repeat the method and the body.
    assert_eq!(server.call("POST", "/submit/").status, 308);
    // An absolute-form target without a path is a request for `/`, not a redirect to it.
    assert_eq!(server.call("GET", "http://test").text(), "home");
    assert_eq!(server.call("GET", "http://test/users/7?x").text(), "user 7");
    // Never to a protocol-relative `//host/` location.
    assert_eq!(server.call("GET", "//docs").status, 404);
}

#[test]
fn parameters_are_percent_decoded_after_matching() {
    let server = Running::start(app());
    #[rustfmt::skip]
    let cases = [
        ("/users/caf%C3%A9", "user café"),
        ("/users/a%20b", "user a b"),
        ("/users/a%2Fb", "user a/b"),   // one segment: matched raw, decoded after
        ("/users/a+b", "user a+b"),     // `+` is a space only in queries
        ("/users/new", "form"),         // static beats parameter
        ("/users/%6Eew", "user new"),   // ... compared raw, so this is the parameter
        ("/files/a/b%2Fc/", "file a/b/c/"),
        ("/files/%C3%A9/x%20y/%41", "file é/x y/A"),
    ];
    for (path, body) in cases {
        let reply = server.call("GET", path);
        assert_eq!((reply.status, reply.text().as_str()), (200, body), "{path}");
    }
    // A path that does not decode never reaches the router: the HTTP layer refuses it,
    // whether the bad escape falls in a parameter, a static segment or a catch-all; and
    // NUL is never legitimate, encoded or not.
    for path in [
        "/users/%zz",
        "/users/%00",
        "/users/a%00b",
        "/%00/users/7",
        "/files/a/%00",
        "/users/%FF",
    ] {
        assert_eq!(server.call("GET", path).status, 400, "{path}");
    }
}

#[test]
fn handlers_reach_the_state_and_groups_prefix_their_routes() {
    let mut app = App::with_state(AtomicUsize::new(0));
    app.group("/api", |api| {
        api.get("", |_, _| "api root");
        api.post("/count", |_, cx| {
            Json(cx.state().fetch_add(1, Ordering::SeqCst) + 1)
        });
        api.group("/v1", |v1| {
            v1.get("/ping", |_, cx| format!("pong from {}", cx.route()));
        });
    });
    let server = Running::start(app);
    assert_eq!(server.call("POST", "/api/count").text(), "1");
    let second = server.call("POST", "/api/count");
    assert_eq!(second.text(), "2");
    assert_eq!(second.header("content-type"), Some("application/json"));
    assert_eq!(server.call("GET", "/api").text(), "api root");
    assert_eq!(
        server.call("GET", "/api/v1/ping").text(),
        "pong from /api/v1/ping"
    );
    assert_eq!(server.call("GET", "/count").status, 404);
}

#[test]
fn what_a_handler_returns_becomes_the_response() {
    let mut app = App::new();
    app.get("/unit", |_, _| ());
    app.get("/bytes", |_, _| vec![1u8, 2, 3]);
    app.get("/missing", |_, _| None::<String>);
    app.get("/number/:n", |_, cx| match cx.param("n").parse::<u32>() {
        Ok(n) => Ok(Json(n * 2)),
        Err(_) => Err((422, format!("{:?} is not a number\n", cx.param("n")))),
    });
    app.get("/wrong-param", |_, cx| cx.param("nope").to_string());
    let server = Running::start(app);
    assert_eq!(server.call("GET", "/unit").status, 204);
    let bytes = server.call("GET", "/bytes");
    assert_eq!(bytes.body, [1, 2, 3]);
    assert_eq!(
        bytes.header("content-type"),
        Some("application/octet-stream")
    );
    assert_eq!(server.call("GET", "/missing").status, 404);
    assert_eq!(server.call("GET", "/number/21").text(), "42");
    let bad = server.call("GET", "/number/x");
    assert_eq!(
        (bad.status, bad.text().as_str()),
        (422, "\"x\" is not a number\n")
    );
    // Asking for a parameter the route does not have is a bug: the handler panics, 500.
    assert_eq!(server.call("GET", "/wrong-param").status, 500);
}

// > ch08
#[test]
fn typed_parameters_named_statuses_and_header_tuples() {
    #[derive(serde::Deserialize)]
    struct Filter {
        done: bool,
        limit: Option<u32>,
    }
    let mut app = App::new();
    app.get("/todos/:id", |request, cx| -> Result<_, HttpError> {
        let id: u32 = cx.param_as("id")?;
        let filter: Filter = request.query_as()?;
        let body = format!("todo {id} done={} limit={:?}", filter.done, filter.limit);
        Ok((
            Status::CREATED,
            // A framing header is the server's: this one is ignored.
            [
                ("Location", format!("/todos/{id}")),
                ("Content-Length", "999".into()),
            ],
            body,
        ))
    });
    let server = Running::start(app);
    let made = server.call("GET", "/todos/7?done=true");
    assert_eq!(made.status, 201);
    assert_eq!(made.header("location"), Some("/todos/7"));
    assert_eq!(made.text(), "todo 7 done=true limit=None");
    // (target, the message in the 400's body)
    let bad = [
        (
            "/todos/seven?done=true",
            r#"path parameter "id": "seven" is not valid (invalid digit found in string)"#,
        ),
        (
            "/todos/7?done=maybe",
            r#"query parameter "done": "maybe" is not valid (provided string was not `true` or `false`)"#,
        ),
        ("/todos/7", "invalid query: missing field `done`"),
    ];
    for (target, message) in bad {
        let reply = server.call("GET", target);
        assert_eq!(reply.status, 400, "{target}");
        assert!(reply.text().contains(message), "{target}: {}", reply.text());
    }
}
// < ch08

#[test]
fn conflicting_routes_are_refused_naming_both() {
    let mut app = App::new();
    app.get("/users/:id", |_, _| "a");
    let err = app
        .try_route("POST", "/users/:name", |_, _| "b")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "POST: route /users/:name conflicts with /users/:id: both match exactly the same paths"
    );
    assert!(matches!(err, RouteError::Pattern { .. }));
    let err = app.try_route("GET", "/users/:id", |_, _| "c").unwrap_err();
    assert_eq!(err.to_string(), "GET /users/:id is already registered");
    let err = app.try_route("GE T", "/x", |_, _| "d").unwrap_err();
    assert_eq!(err.to_string(), "\"GE T\" is not an HTTP method");
    let err = app
        .try_route("GET", "/files/{name}", |_, _| "e")
        .unwrap_err();
    assert!(
        err.to_string().contains("write parameters as ':name'"),
        "{err}"
    );
    // In a group the message has the whole route.
    app.group("/api", |api| {
        api.get("/items/:id", |_, _| "f");
        let err = api
            .try_route("GET", "/items/:item", |_, _| "g")
            .unwrap_err();
        assert!(err
            .to_string()
            .contains("/api/items/:item conflicts with /api/items/:id"));
    });
    // A refused route changes nothing: the first one still answers.
    let server = Running::start(app);
    assert_eq!(server.call("GET", "/users/1").text(), "a");
    assert_eq!(server.call("POST", "/users/1").status, 405);
}

#[test]
#[should_panic(expected = "cannot register a route: GET: route /a/:y conflicts with /a/:x")]
fn the_shortcuts_panic_on_a_conflict() {
    let mut app = App::new();
    app.get("/a/:x", |_, _| "x");
    app.get("/a/:y", |_, _| "y");
}

#[test]
fn the_chapter_example_serves_hello_slow_and_its_state() {
    let server = Server::start("ch07_app", &["--workers", "4"]);
    let mut client = Client::connect(server.addr);
    client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_eq!(client.response().text(), "Hello, World!");
    client.send("GET /slow?ms=1 HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_eq!(client.response().text(), "Hello, World!");
    client.send("POST /api/hits HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
    let hit = client.response();
    assert_eq!((hit.status, hit.text().as_str()), (201, "1"));
    client.send("GET /api/hits HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_eq!(client.response().text(), "1");
    client.send("GET /users/7 HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_eq!(client.response().text(), "user 7\n");
    // Closed first: an idle kept-alive connection would hold a worker until its idle timeout.
    drop(client);
    server.interrupt();
    assert!(server
        .wait_exit(std::time::Duration::from_secs(10))
        .success());
}
