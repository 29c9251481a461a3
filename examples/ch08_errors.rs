//! Chapter 8: when handlers fail. Handlers return `Result<_, HttpError>` and use `?`; a
//! panic is a `500` for that request only; a custom page answers `404`.
//!
//! Run: `cargo run --release --example ch08_errors` (add `--debug true` to see error details in
//! the responses, `--panic-every N` to make `GET /` panic on every Nth request; the default,
//! 0, is never).
//!
//! Routes: `GET /` → `Hello, World!` (or a panic, see `--panic-every`); `GET /users/:id` → a user as JSON, `400` for an id
//! that is not a number, `404` for one that does not exist; `POST /users` → the JSON body
//! read as a new user (`400`, `413`, `415`, `422` when it is not one); `GET /search?q=…`
//! (`400` without `q`); `GET /config` → an I/O error (`500`, detail in the log only);
//! `GET /panic` → a panic; anything else → the custom 404 page.

use std::fs;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};
use weft::app::{App, Ctx, HttpError, Json};
use weft::request::Request;
use weft::response::Response;
use weft::server::Config;
use weft_tools::cli::{self, Flags};

// ANCHOR: user
/// A user, as the API sends and receives it.
#[derive(Debug, Serialize, Deserialize)]
struct User {
    id: u32,
    name: String,
}
// ANCHOR_END: user

/// The application's state: how often `GET /` panics, and a request counter for it.
struct State {
    panic_every: u64,
    requests: AtomicU64,
}

fn main() -> ExitCode {
    cli::init_logging();
    let flags = Flags::from_env(&["--addr", "--workers", "--queue", "--panic-every", "--debug"]);
    let defaults = Config::default();
    let workers = flags.value_or_exit("--workers", defaults.workers);
    let queue = flags.value_or_exit("--queue", defaults.queue);
    let panic_every = flags.value_or_exit("--panic-every", 0);
    let debug = flags.value_or_exit("--debug", false);

    let mut app = app(panic_every);
    app.set_debug(debug).set_config(Config {
        workers,
        queue,
        ..defaults
    });
    cli::serve(app, flags.addr())
}

// ANCHOR: app
/// The chapter's application.
fn app(panic_every: u64) -> App<State> {
    let mut app = App::with_state(State {
        panic_every,
        requests: AtomicU64::new(0),
    });
    app.get("/", maybe_panic);
    app.get("/users/:id", get_user);
    app.post("/users", create_user);
    app.get("/search", search);
    app.get("/config", read_config);
    app.get("/panic", |_, _| -> &'static str {
        panic!("the handler for /panic panicked")
    });
    app.on_status(404, not_found_page);
    app
}
// ANCHOR_END: app

// ANCHOR: handlers
/// `400` for an id that is not a number, `404` for one nobody has.
fn get_user(_: &mut Request<'_>, cx: &Ctx<'_, State>) -> Result<Json<User>, HttpError> {
    let id: u32 = cx
        .param("id")
        .parse()
        .map_err(|_| HttpError::new(400, "the id must be a number"))?;
    match id {
        1 => Ok(Json(User {
            id,
            name: "Ada".to_string(),
        })),
        _ => Err(HttpError::new(404, format!("no user {id}"))),
    }
}

/// Reads a user from the JSON body: every way the body can be wrong has its status.
fn create_user(
    request: &mut Request<'_>,
    _: &Ctx<'_, State>,
) -> Result<(u16, Json<User>), HttpError> {
    let Json(user) = Json::<User>::read(request)?;
    Ok((201, Json(user)))
}

/// `400` when the query has no `q`.
fn search(request: &mut Request<'_>, _: &Ctx<'_, State>) -> Result<String, HttpError> {
    let q = request
        .query_param("q")
        .ok_or_else(|| HttpError::missing("query parameter q"))?;
    Ok(format!("results for {q}\n"))
}

/// An I/O error with `?`: the client gets a bare `500`, the log gets the path and the cause.
fn read_config(_: &mut Request<'_>, _: &Ctx<'_, State>) -> Result<String, HttpError> {
    Ok(fs::read_to_string("/nonexistent/weft/config.toml")?)
}
// ANCHOR_END: handlers

// ANCHOR: maybe_panic
/// Panics on every `panic_every`th request (never for 0): a bug that bites now and then.
fn maybe_panic(_: &mut Request<'_>, cx: &Ctx<'_, State>) -> &'static str {
    let n = cx.state().requests.fetch_add(1, Ordering::Relaxed) + 1;
    let every = cx.state().panic_every;
    if every > 0 && n % every == 0 {
        panic!("request {n} hit the bug");
    }
    "Hello, World!"
}
// ANCHOR_END: maybe_panic

// ANCHOR: not_found
/// The custom 404 page: HTML for a browser, with the error's message (`Not Found` when no
/// route matched, the handler's own when it said why).
fn not_found_page(request: &Request<'_>, err: &HttpError) -> Response {
    let page = format!(
        "<!doctype html><title>Not found</title><h1>{}</h1><p>Nothing at {}</p>\n",
        html_escape(err.message()),
        html_escape(request.path())
    );
    Response::text(page).with_header("Content-Type", "text/html; charset=utf-8")
}

/// `text` safe to put in HTML.
fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
// ANCHOR_END: not_found
