//! Chapter 7: an application. The routes are registered on an `App`, which answers 404, 405,
//! `HEAD`, `OPTIONS` and the trailing-slash redirect on its own, and serves itself.
//!
//! Run: `cargo run --release --example ch07_app -- --workers 64`
//!
//! Routes: `GET /` → `Hello, World!`; `GET /slow?ms=N` → the same after N ms (default 10);
//! `GET /api/hits` and `POST /api/hits` → a counter kept in the application's state; and the
//! showcase's routes (`/plaintext`, `/json`, `POST /echo`, `/users/:id`, `/panic`,
//! `/static/*path`), from `weft_tools::showcase::routes`.

use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::Duration;

use weft::app::{App, Ctx, Json};
use weft::request::Request;
use weft::server::Config;
use weft_tools::cli::{self, Flags};
use weft_tools::showcase::{self, Options};

// ANCHOR: state
/// The application's state: shared by every worker, so its counter is atomic.
#[derive(Default)]
struct Hits {
    count: AtomicU64,
}
// ANCHOR_END: state

// ANCHOR: main
fn main() -> ExitCode {
    cli::init_logging();
    let flags = Flags::from_env(&["--addr", "--workers", "--queue"]);
    let defaults = Config::default();
    let workers = flags.value_or_exit("--workers", defaults.workers);
    let queue = flags.value_or_exit("--queue", defaults.queue);

    let mut app = App::with_state(Hits::default());
    app.get("/", |_, _| "Hello, World!");
    app.get("/slow", slow);
    app.group("/api", |api| {
        api.get("/hits", |_, cx| {
            Json(cx.state().count.load(Ordering::Relaxed))
        });
        api.post("/hits", hit);
    });
    showcase::routes(&mut app, &Options::default());
    app.set_config(Config {
        workers,
        queue,
        ..defaults
    });

    cli::serve(app, flags.addr())
}
// ANCHOR_END: main

// ANCHOR: handlers
/// `Hello, World!` after `ms` milliseconds (default 10): stands for a slow database call.
fn slow(request: &mut Request<'_>, _: &Ctx<'_, Hits>) -> &'static str {
    let ms = request.query_param("ms").and_then(|ms| ms.parse().ok());
    thread::sleep(Duration::from_millis(ms.unwrap_or(10)));
    "Hello, World!"
}

/// Counts one more hit; answers `201 Created` with the new count.
fn hit(_: &mut Request<'_>, cx: &Ctx<'_, Hits>) -> (u16, Json<u64>) {
    let count = cx.state().count.fetch_add(1, Ordering::Relaxed) + 1;
    (201, Json(count))
}
// ANCHOR_END: handlers
