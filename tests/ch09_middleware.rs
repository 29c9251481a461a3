//! Chapter 9: the onion's order, short-circuits, group layers, and each built-in layer; in
//! process through `TestClient`, and the chapter's example over sockets.

mod support;

use std::io::Read;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use flate2::read::GzDecoder;
use support::{Client, Server};
use weft::app::{App, HttpError, IntoResponse};
use weft::middleware::cors::Cors;
use weft::middleware::gzip::Gzip;
use weft::middleware::request_id::{AssignRequestId, RequestId};
use weft::middleware::timing::ServerTiming;
use weft::middleware::{from_fn, Middleware, Next};
use weft::request::Request;
use weft::response::Response;
use weft::testing::TestClient;

// ANCHOR: trace
/// A layer that records its name on the way in and on the way out.
struct Trace(&'static str, Arc<Mutex<Vec<String>>>);

impl Middleware for Trace {
    fn call(&self, request: &mut Request<'_>, next: Next<'_>) -> Response {
        self.1.lock().unwrap().push(format!("{} in", self.0));
        let response = next.run(request);
        self.1.lock().unwrap().push(format!("{} out", self.0));
        response
    }
}
// ANCHOR_END: trace

// ANCHOR: order
#[test]
fn the_first_layer_wrapped_is_the_outermost() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let mut app = App::new();
    app.wrap(Trace("a", log.clone()))
        .wrap(Trace("b", log.clone()));
    app.group("/api", |api| {
        api.get("/x", |_, _| "x");
        // Added after the route, and still around it.
        api.wrap(Trace("g", log.clone()));
    });
    let client = TestClient::new(app);
    assert_eq!(client.get("/api/x").send().status(), 200);
    let expected = ["a in", "b in", "g in", "g out", "b out", "a out"];
    assert_eq!(*log.lock().unwrap(), expected);

    // App layers run for the application's own answers too. A group's layers run for them
    // on a path the group alone registered (the `405`), not where no route matched.
    log.lock().unwrap().clear();
    assert_eq!(client.get("/nowhere").send().status(), 404);
    assert_eq!(*log.lock().unwrap(), ["a in", "b in", "b out", "a out"]);
    log.lock().unwrap().clear();
    assert_eq!(client.request("DELETE", "/api/x").send().status(), 405);
    assert_eq!(*log.lock().unwrap(), expected);
}
// ANCHOR_END: order

#[test]
fn nested_groups_nest_their_layers() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let mut app = App::new();
    app.group("/a", |a| {
        a.wrap(Trace("outer", log.clone()));
        a.group("/b", |b| {
            b.wrap(Trace("inner", log.clone()));
            b.get("/c", |_, _| "c");
        });
        a.get("/d", |_, _| "d");
    });
    let client = TestClient::new(app);
    assert_eq!(client.get("/a/b/c").send().text(), "c");
    assert_eq!(
        *log.lock().unwrap(),
        ["outer in", "inner in", "inner out", "outer out"]
    );
    log.lock().unwrap().clear();
    assert_eq!(client.get("/a/d").send().text(), "d");
    assert_eq!(*log.lock().unwrap(), ["outer in", "outer out"]);
}

/// The names of the layers a request went through, in the application's state.
type Ran = Arc<Mutex<Vec<&'static str>>>;

// ANCHOR: mark
/// A layer that writes its name into the application's state, reached through `next`.
struct Mark(&'static str);

impl Middleware<Ran> for Mark {
    fn call(&self, request: &mut Request<'_>, next: Next<'_, Ran>) -> Response {
        next.state().lock().unwrap().push(self.0);
        next.run(request)
    }
}
// ANCHOR_END: mark

/// A layer that lets through only requests with `X-Api-Key: k`.
fn api_key(request: &mut Request<'_>, next: Next<'_, Ran>) -> Response {
    next.state().lock().unwrap().push("key");
    match request.header("x-api-key") {
        Some("k") => next.run(request),
        _ => HttpError::new(401, "an API key is required").into_response(),
    }
}

// ANCHOR: per_method
#[test]
fn a_groups_layers_wrap_only_its_own_handlers_even_on_a_shared_path() {
    let ran = Ran::default();
    let mut app = App::with_state(ran.clone());
    app.wrap(Mark("app"));
    // `GET /todos` is open; `POST /todos` and `DELETE /todos/:id` are behind the key,
    // registered in a group with no prefix; `PUT /todos/:id` is in a prefixed group.
    app.get("/todos", |_, _| "list");
    app.group("", |keyed| {
        keyed.wrap(from_fn(api_key));
        keyed.post("/todos", |_, _| "created");
        keyed.delete("/todos/:id", |_, _| "deleted");
        keyed.group("/admin", |admin| {
            admin.wrap(Mark("admin"));
            admin.get("", |_, _| "admin");
        });
    });
    app.group("/todos", |todos| {
        todos.wrap(Mark("todos"));
        todos.put("/:id", |_, _| "replaced");
    });
    let client = TestClient::new(app);
    #[rustfmt::skip]
    let cases: &[(&str, &str, &str, u16, &[&str])] = &[
        // method, target, X-Api-Key, status, layers that ran
        ("GET", "/todos", "", 200, &["app"]),
        ("HEAD", "/todos", "", 200, &["app"]),
        ("POST", "/todos", "", 401, &["app", "key"]),
        ("POST", "/todos", "k", 200, &["app", "key"]),
        // The application's own answers on a path of two registrants: its layers only.
        ("OPTIONS", "/todos", "", 204, &["app"]),
        ("DELETE", "/todos", "k", 405, &["app"]),
        ("PUT", "/todos/1", "", 200, &["app", "todos"]),
        ("DELETE", "/todos/1", "", 401, &["app", "key"]),
        ("DELETE", "/todos/1", "k", 200, &["app", "key"]),
        ("GET", "/todos/1", "k", 405, &["app"]),
        ("GET", "/admin", "", 401, &["app", "key"]),
        ("GET", "/admin", "k", 200, &["app", "key", "admin"]),
        // On a path of one group: that group's layers, and those of the groups around it.
        ("OPTIONS", "/admin", "", 401, &["app", "key"]),
        ("OPTIONS", "/admin", "k", 204, &["app", "key", "admin"]),
        ("POST", "/admin", "k", 405, &["app", "key", "admin"]),
        ("GET", "/nowhere", "k", 404, &["app"]),
    ];
    for (method, target, key, status, layers) in cases {
        ran.lock().unwrap().clear();
        let mut request = client.request(method, target);
        if !key.is_empty() {
            request = request.header("X-Api-Key", key);
        }
        assert_eq!(request.send().status(), *status, "{method} {target} {key}");
        assert_eq!(*ran.lock().unwrap(), *layers, "{method} {target} {key}");
    }
}
// ANCHOR_END: per_method

#[test]
fn group_prefixes_are_empty_or_a_slash_and_a_name() {
    for (prefix, ok) in [
        ("", true),
        ("/api", true),
        ("api", false),
        ("/api/", false),
        ("/", false),
    ] {
        let registered = std::panic::catch_unwind(|| {
            let mut app = App::new();
            app.group(prefix, |group| {
                group.get("/x", |_, _| "x");
            });
        });
        assert_eq!(registered.is_ok(), ok, "{prefix:?}");
    }
}

// ANCHOR: short_circuit
#[test]
fn a_layer_can_refuse_and_can_change_the_response() {
    let mut app = App::new();
    app.wrap(from_fn(|request, next| {
        if request.header("authorization") != Some("Bearer ok") {
            return HttpError::new(401, "who are you?").into_response();
        }
        next.run(request).with_header("X-Checked", "yes")
    }));
    app.get("/", |_, _| "secret");
    let client = TestClient::new(app);
    let refused = client.get("/").send();
    assert_eq!(
        (refused.status(), refused.text()),
        (401, "401 Unauthorized: who are you?\n")
    );
    let allowed = client.get("/").header("Authorization", "Bearer ok").send();
    assert_eq!(
        (allowed.text(), allowed.header("x-checked")),
        ("secret", Some("yes"))
    );
}
// ANCHOR_END: short_circuit

#[test]
fn request_ids_are_honoured_when_sane_and_reach_the_handler() {
    let mut app = App::new();
    app.wrap(AssignRequestId);
    app.get("/", |request, _| {
        RequestId::of(request).unwrap_or("none").to_string()
    });
    let client = TestClient::new(app);
    let kept = client.get("/").header("X-Request-Id", "abc-123").send();
    assert_eq!(
        (kept.text(), kept.header("x-request-id")),
        ("abc-123", Some("abc-123"))
    );
    for insane in ["a b", &"x".repeat(65), "<script>"] {
        let replaced = client.get("/").header("X-Request-Id", insane).send();
        let id = replaced.header("x-request-id").unwrap();
        assert_ne!(id, insane);
        assert_eq!(replaced.text(), id);
    }
    let fresh = client.get("/").send();
    assert_eq!(fresh.header("x-request-id").map(str::len), Some(16));
}

#[test]
fn server_timing_says_how_long_the_app_took() {
    let mut app = App::new();
    app.wrap(ServerTiming);
    app.get("/", |_, _| "hi");
    let response = TestClient::new(app).get("/").send();
    let timing = response.header("server-timing").unwrap();
    let ms: f64 = timing.strip_prefix("app;dur=").unwrap().parse().unwrap();
    // A handler that answers at once takes well under a second, and a duration is finite and
    // not negative: a unit mix-up (µs or ns for ms) or a garbled number fails here.
    assert!(ms.is_finite() && (0.0..1000.0).contains(&ms), "{timing}");
}

/// An application with CORS `cors` in front of `GET /data`.
fn cors_client(cors: Cors) -> TestClient {
    let mut app = App::new();
    app.wrap(cors);
    app.get("/data", |_, _| "data");
    TestClient::new(app)
}

// ANCHOR: cors
#[test]
fn cors_preflight_and_the_credentials_rule() {
    let client = cors_client(Cors::origins(&["https://app.example"]).allow_credentials(true));
    let preflight = client
        .request("OPTIONS", "/data")
        .header("Origin", "https://app.example")
        .header("Access-Control-Request-Method", "POST")
        .send();
    assert_eq!(preflight.status(), 204);
    let header = |name| preflight.header(name);
    assert_eq!(
        header("access-control-allow-origin"),
        Some("https://app.example")
    );
    assert_eq!(
        header("access-control-allow-methods"),
        Some("GET, HEAD, POST")
    );
    assert_eq!(header("access-control-allow-headers"), Some("Content-Type"));
    assert_eq!(header("access-control-max-age"), Some("600"));
    assert_eq!(header("access-control-allow-credentials"), Some("true"));
    assert_eq!(header("vary"), Some("Origin"));

    let other = client
        .request("OPTIONS", "/data")
        .header("Origin", "https://evil.example")
        .header("Access-Control-Request-Method", "POST")
        .send();
    assert_eq!(other.status(), 403);
    let simple = client
        .get("/data")
        .header("Origin", "https://evil.example")
        .send();
    assert_eq!(simple.text(), "data");
    assert_eq!(simple.header("access-control-allow-origin"), None);
}
// ANCHOR_END: cors

#[test]
fn cors_any_origin_is_a_star_without_credentials_and_an_echo_with_them() {
    let any = cors_client(Cors::any());
    let response = any
        .get("/data")
        .header("Origin", "https://a.example")
        .send();
    assert_eq!(response.header("access-control-allow-origin"), Some("*"));
    assert_eq!(response.header("vary"), None);
    let without_origin = any.get("/data").send();
    assert_eq!(without_origin.header("access-control-allow-origin"), None);

    let credentials = cors_client(Cors::any().allow_credentials(true).max_age(60));
    let response = credentials
        .get("/data")
        .header("Origin", "https://a.example")
        .send();
    assert_eq!(
        response.header("access-control-allow-origin"),
        Some("https://a.example")
    );
    assert_eq!(
        response.header("access-control-allow-credentials"),
        Some("true")
    );
    assert_eq!(response.header("vary"), Some("Origin"));
    let preflight = credentials
        .request("OPTIONS", "/data")
        .header("Origin", "https://b.example")
        .header("Access-Control-Request-Method", "GET")
        .send();
    assert_eq!(
        preflight.header("access-control-allow-origin"),
        Some("https://b.example")
    );
    assert_eq!(preflight.header("access-control-max-age"), Some("60"));
}

// ANCHOR: cors_group
#[test]
fn a_groups_cors_answers_preflights_on_the_paths_it_alone_registered() {
    let mut app = App::new();
    app.group("/api", |api| {
        api.wrap(Cors::origins(&["https://app.example"]));
        api.get("/report", |_, _| "report");
        api.group("/v1", |v1| {
            v1.post("/items", |_, _| "made");
        });
    });
    // `/mixed` has two registrants: the application's own answers there skip the group's CORS.
    app.get("/mixed", |_, _| "open");
    app.group("", |cors| {
        cors.wrap(Cors::any());
        cors.post("/mixed", |_, _| "made");
    });
    let client = TestClient::new(app);
    let (ours, get) = (Some("https://app.example"), Some("GET, HEAD, OPTIONS"));
    #[rustfmt::skip]
    let cases = [
        // method, target, preflight, status, Access-Control-Allow-Origin, Allow
        ("OPTIONS", "/api/report", true, 204, ours, None),
        ("OPTIONS", "/api/report", false, 204, ours, get),
        ("DELETE", "/api/report", false, 405, ours, get),
        ("OPTIONS", "/api/v1/items", true, 204, ours, None),
        ("OPTIONS", "/mixed", true, 204, None, Some("GET, HEAD, POST, OPTIONS")),
        ("POST", "/mixed", false, 200, Some("*"), None),
    ];
    for (method, target, preflight, status, origin, allow) in cases {
        let mut request = client
            .request(method, target)
            .header("Origin", "https://app.example");
        if preflight {
            request = request.header("Access-Control-Request-Method", "POST");
        }
        let response = request.send();
        let case = format!("{method} {target} preflight={preflight}");
        assert_eq!(response.status(), status, "{case}");
        let allow_origin = response.header("access-control-allow-origin");
        assert_eq!(allow_origin, origin, "{case}");
        assert_eq!(response.header("allow"), allow, "{case}");
    }
}
// ANCHOR_END: cors_group

/// A body worth compressing.
fn long_text() -> String {
    "All work and no play makes Jack a dull boy.\n".repeat(100)
}

/// An application with gzip in front of text, small text, JSON, PNG and streamed routes.
fn gzip_client() -> TestClient {
    let mut app = App::new();
    app.wrap(Gzip::default());
    app.get("/text", |_, _| long_text());
    app.get("/small", |_, _| "tiny");
    app.get("/png", |_, _| {
        Response::bytes(vec![0u8; 4096]).with_header("Content-Type", "image/png")
    });
    app.get("/stream", |_, _| {
        Response::chunks((0..100).map(|_| "a chunk of text\n"))
            .with_header("Content-Type", "text/plain")
    });
    app.get("/encoded", |_, _| {
        Response::text(long_text()).with_header("Content-Encoding", "br")
    });
    app.get("/empty", |_, _| ());
    app.get("/tagged", |_, _| {
        Response::text(long_text()).with_header("ETag", "\"v1\"")
    });
    TestClient::new(app)
}

/// `bytes`, gunzipped.
fn gunzip(bytes: &[u8]) -> String {
    let mut text = String::new();
    GzDecoder::new(bytes)
        .read_to_string(&mut text)
        .expect("valid gzip");
    text
}

// ANCHOR: gzip
#[test]
fn gzip_compresses_what_is_worth_it_for_clients_that_accept_it() {
    let client = gzip_client();
    let get =
        |target: &str, accept: &str| client.get(target).header("Accept-Encoding", accept).send();
    let packed = get("/text", "gzip, deflate");
    assert_eq!(packed.header("content-encoding"), Some("gzip"));
    assert_eq!(packed.header("vary"), Some("Accept-Encoding"));
    assert!(packed.bytes().len() < long_text().len() / 10);
    assert_eq!(gunzip(packed.bytes()), long_text());

    // Refused by weight, not asked for, too small, not text, already encoded:
    for (target, accept) in [
        ("/text", "gzip;q=0"),
        ("/text", "*;q=0"),
        ("/text", "br"),
        ("/small", "gzip"),
        ("/png", "gzip"),
        ("/encoded", "gzip"),
    ] {
        // Refused means served as it is: the same status and the same bytes, not compressed
        // (and not an error the check would also count as "not gzip").
        let response = get(target, accept);
        assert_eq!(response.status(), 200, "{target} {accept}");
        // `/encoded` keeps the coding its handler gave it; the others have none.
        let own_coding = (target == "/encoded").then_some("br");
        assert_eq!(
            response.header("content-encoding"),
            own_coding,
            "{target} {accept}"
        );
        let plain = client.get(target).send();
        assert_eq!(response.bytes(), plain.bytes(), "{target} {accept}");
    }
    assert_eq!(get("/text", "br").header("vary"), Some("Accept-Encoding"));
    assert_eq!(get("/text", "*").header("content-encoding"), Some("gzip"));
}
// ANCHOR_END: gzip

#[test]
fn gzip_streams_and_skips_head_and_bodiless_responses() {
    let client = gzip_client();
    let streamed = client
        .get("/stream")
        .header("Accept-Encoding", "gzip")
        .send();
    assert_eq!(streamed.header("content-encoding"), Some("gzip"));
    assert_eq!(gunzip(streamed.bytes()), "a chunk of text\n".repeat(100));

    let head = client
        .request("HEAD", "/text")
        .header("Accept-Encoding", "gzip")
        .send();
    assert_eq!(head.header("content-encoding"), None);
    let empty = client
        .get("/empty")
        .header("Accept-Encoding", "gzip")
        .send();
    assert_eq!(
        (empty.status(), empty.header("content-encoding")),
        (204, None)
    );
    let tagged = client
        .get("/tagged")
        .header("Accept-Encoding", "gzip")
        .send();
    assert_eq!(tagged.header("etag"), Some("W/\"v1\""));
}

#[test]
fn the_example_logs_each_request_and_guards_its_admin_routes() {
    let server = Server::start_with_log("ch09_middleware", &["--layers", "3"], "info");
    let mut client = Client::connect(server.addr);
    client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_eq!(client.response().text(), "Hello, World!");

    client.send(concat!(
        "GET /api/report HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\n",
        "Origin: http://localhost:3000\r\nX-Request-Id: report-1\r\n\r\n"
    ));
    let report = client.response();
    assert_eq!(report.status, 200);
    assert_eq!(report.header("content-encoding"), Some("gzip"));
    assert_eq!(
        report.header("access-control-allow-origin"),
        Some("http://localhost:3000")
    );
    assert!(report
        .header("server-timing")
        .is_some_and(|t| t.starts_with("app;dur=")));
    let line = server.wait_for_log("GET /api/report 200");
    assert!(line.contains("id=report-1"), "{line}");

    // The route is the `/api` group's alone, so its CORS layer answers the preflight.
    client.send(concat!(
        "OPTIONS /api/report HTTP/1.1\r\nHost: t\r\nOrigin: http://localhost:3000\r\n",
        "Access-Control-Request-Method: POST\r\n\r\n"
    ));
    let preflight = client.response();
    assert_eq!(preflight.status, 204);
    assert_eq!(
        preflight.header("access-control-allow-origin"),
        Some("http://localhost:3000")
    );
    assert_eq!(
        preflight.header("access-control-allow-methods"),
        Some("GET, POST")
    );
    server.wait_for_log("OPTIONS /api/report 204");
    // The `405` runs inside the group's layers too: CORS adds its header, and the counting
    // layer sees it but does not count it as a report (checked below).
    client.send("DELETE /api/report HTTP/1.1\r\nHost: t\r\nOrigin: http://localhost:3000\r\n\r\n");
    let not_allowed = client.response();
    assert_eq!(not_allowed.status, 405);
    assert_eq!(
        not_allowed.header("access-control-allow-origin"),
        Some("http://localhost:3000")
    );

    client.send("GET /admin/stats HTTP/1.1\r\nHost: t\r\n\r\n");
    let refused = client.response();
    assert_eq!(
        (refused.status, refused.header("www-authenticate")),
        (401, Some("Bearer"))
    );
    client.send("GET /admin/stats HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer let-me-in\r\n\r\n");
    let stats = client.response();
    assert_eq!(
        (stats.status, stats.header("cache-control")),
        (200, Some("no-store"))
    );
    // The counting layer reached the state the handler reads.
    assert!(stats.text().starts_with("1 reports;"), "{}", stats.text());
    drop(client);
    server.interrupt();
    assert!(server.wait_exit(Duration::from_secs(10)).success());
}

#[test]
fn the_showcase_runs_behind_the_built_in_layers() {
    let server = Server::start_main(&[]);
    let mut client = Client::connect(server.addr);
    client.send("GET / HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\n\r\n");
    let landing = client.response();
    assert_eq!(landing.status, 200);
    assert_eq!(landing.header("content-encoding"), Some("gzip"));
    assert!(gunzip(&landing.body).contains("weft showcase"));
    let id = landing
        .header("x-request-id")
        .expect("a request id")
        .to_string();
    assert!(landing.header("server-timing").is_some());
    let line = server.wait_for_log("GET / 200");
    assert!(line.contains(&format!("id={id}")), "{line}");
    drop(client);
    server.interrupt();
    assert!(server.wait_exit(Duration::from_secs(10)).success());
}

#[test]
fn a_groups_static_files_are_behind_its_layers() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/static");
    let mut app = App::new();
    app.group("/assets", |assets| {
        assets.static_files("", dir).wrap(from_fn(|request, next| {
            next.run(request).with_header("Cache-Control", "max-age=60")
        }));
    });
    let client = TestClient::new(app);
    let css = client.get("/assets/style.css").send();
    assert_eq!(
        (css.status(), css.header("cache-control")),
        (200, Some("max-age=60"))
    );
}
