//! The showcase application: what `cargo run --release` serves, and what chapter 7's example
//! and the tests reuse. Its routes live here, in the library, so that the binary
//! (`tools/src/main.rs`), the example (`examples/ch07_app.rs`) and the tests share one definition.
//!
//! | route | answer |
//! |---|---|
//! | `GET /` | a small HTML page listing these routes |
//! | `GET /plaintext` | `Hello, World!` as `text/plain` |
//! | `GET /json` | `{"message":"Hello, World!"}` |
//! | `POST /echo` | the request body back, with its content type |
//! | `GET /users/:id` | the (decoded) id |
// > ch08
//! | `GET /panic` | a handler that panics: the application answers `500` (chapter 8) |
// < ch08
//! | `GET /static/*path` | the files in `examples/static/` |
//! | `GET /book/` | the book, when `mdbook build` has made `book/` |

use std::path::PathBuf;

use serde::Serialize; // > ch11

use weft::app::{App, Ctx, Json};
// > ch09
use weft::middleware::access_log::AccessLog;
use weft::middleware::gzip::Gzip;
use weft::middleware::request_id::AssignRequestId;
use weft::middleware::timing::ServerTiming;
// < ch09
use weft::request::Request;
use weft::response::Response;

/// Where the showcase finds its files.
#[derive(Debug, Clone)]
pub struct Options {
    /// Served under `/static/`.
    pub static_dir: PathBuf,
    /// Served under `/book/` when it is a directory; skipped otherwise.
    pub book_dir: PathBuf,
}

impl Default for Options {
    /// `examples/static/` and `book/` in the source tree this library was built from.
    fn default() -> Self {
        // This crate sits one level below the repository's root.
        let repo = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
        Options {
            static_dir: repo.join("examples/static"),
            book_dir: repo.join("book"),
        }
    }
}

// ANCHOR: app
/* ch07 < ch09
/// The whole showcase: the landing page, [`routes`], and the book when it has been built.
*/
// > ch09
/// The whole showcase: the landing page, [`routes`], and the book when it has been built,
/// behind the built-in middleware (chapter 9): the access log (at `RUST_LOG=info`), request
/// ids, `Server-Timing` and gzip.
// < ch09
pub fn app(options: &Options) -> App {
    let mut app = App::new();
    // > ch09
    // ANCHOR: layers
    app.wrap(AccessLog)
        .wrap(AssignRequestId)
        .wrap(ServerTiming)
        .wrap(Gzip::default());
    // ANCHOR_END: layers
    // < ch09
    app.get("/", |_, _| landing_page());
    routes(&mut app, options);
    if options.book_dir.is_dir() {
        // `/book` (no slash) is redirected to `/book/` by the trailing-slash rule.
        app.static_files("/book", &options.book_dir);
    }
    app
}
// ANCHOR_END: app

// ANCHOR: routes
/// The showcase's routes, for any application state.
pub fn routes<S: Send + Sync + 'static>(app: &mut App<S>, options: &Options) {
    /* ch07 < ch11
    app.get("/plaintext", |_, _| "Hello, World!");
    app.get("/json", |_, _| {
        Json(serde_json::json!({"message": "Hello, World!"}))
    });
    */
    // > ch11
    // ANCHOR: fast_routes
    // A literal lives as long as the program: `static_text` sends it without copying it.
    app.get("/plaintext", |_, _| Response::static_text("Hello, World!"));
    app.get("/json", |_, _| {
        Json(Message {
            message: "Hello, World!",
        })
    });
    // ANCHOR_END: fast_routes
    // < ch11
    app.post("/echo", echo);
    app.get("/users/:id", |_, cx| format!("user {}\n", cx.param("id")));
    // > ch08
    app.get("/panic", |_, _| -> &'static str {
        panic!("the handler for /panic panicked")
    });
    // < ch08
    app.static_files("/static", &options.static_dir);
}

// > ch11
/// The body of `GET /json`. A struct that derives `Serialize` is written out field by field
/// with no allocation of its own; a `serde_json::Value` built with `json!` would first
/// allocate a map, its key and its value.
// ANCHOR: message
#[derive(Serialize)]
struct Message {
    message: &'static str,
}
// ANCHOR_END: message
// < ch11

/// Sends the body back with its content type. The whole body is read into memory, so the
/// server's body limit applies.
fn echo<S>(request: &mut Request<'_>, _: &Ctx<'_, S>) -> Result<Response, (u16, String)> {
    let content_type = request
        .header("content-type")
        .unwrap_or("application/octet-stream")
        .to_string();
    match request.body_bytes() {
        Ok(body) => Ok(Response::bytes(body).with_header("Content-Type", content_type)),
        // The connection loop answers a broken body with its own status; this is a fallback.
        Err(err) => Err((400, format!("cannot read the body: {err}\n"))),
    }
}
// ANCHOR_END: routes

/// The page at `/`.
fn landing_page() -> Response {
    /* ch07 < ch11
    Response::text(LANDING).with_header("Content-Type", "text/html; charset=utf-8")
    */
    // > ch11
    Response::static_text(LANDING).with_header("Content-Type", "text/html; charset=utf-8")
    // < ch11
}

const LANDING: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>weft showcase</title>
<link rel="stylesheet" href="/static/style.css">
</head>
<body>
<h1><img src="/static/weft.png" alt="" width="32" height="32"> weft showcase</h1>
<p>A synchronous web framework, woven from threads. These routes are served by
<code>weft_tools::showcase</code>:</p>
<ul>
<li><a href="/plaintext"><code>GET /plaintext</code></a>: <code>Hello, World!</code> as plain text</li>
<li><a href="/json"><code>GET /json</code></a>: <code>{"message":"Hello, World!"}</code></li>
<li><code>POST /echo</code>: your request body, sent back
  (<code>curl --data hello localhost:8080/echo</code>)</li>
<li><a href="/users/42"><code>GET /users/:id</code></a>: the id, percent-decoded
  (try <a href="/users/caf%C3%A9">/users/caf%C3%A9</a>)</li>
<li><a href="/panic"><code>GET /panic</code></a>: a handler that panics; the application answers 500, logs it once with the request id, and the connection carries on</li>
<li><a href="/static/"><code>GET /static/*path</code></a>: files from <code>examples/static/</code></li>
<li><a href="/book/"><code>GET /book/</code></a>: the book, once <code>mdbook build</code> has made <code>book/</code></li>
</ul>
</body>
</html>
"#;
