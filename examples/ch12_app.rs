//! Chapter 12: the weft side of "where threads end". The showcase application (what
//! `cargo run --release` serves: router, Request/Response, the default middleware) plus a
//! slow route, with the idle timeout on the command line so that a crowd of idle keep-alive
//! clients can be held open for a whole measurement.
//!
//! Run: `cargo run --release --example ch12_app -- --workers 64 --idle-ms 60000`
//!
//! Routes: the showcase's (`/plaintext`, `/json`, …); `GET /slow?ms=N` → `Hello, World!` after
//! N ms (default 10). `GET /slow-blocking?ms=N` is the same handler: in weft every handler
//! blocks its worker, so the async peers' two ways of waiting are one way here.

use std::process::ExitCode;
use std::thread;
use std::time::Duration;

use weft::app::Ctx;
use weft::http::Limits;
use weft::request::Request;
use weft::server::Config;
use weft_tools::cli::{self, Flags};
use weft_tools::showcase::{self, Options};

/// The longest wait `/slow?ms=N` accepts (a minute), as in the peers: a larger N is clamped.
const MAX_SLOW_MS: u64 = 60_000;

// ANCHOR: main
fn main() -> ExitCode {
    cli::init_logging();
    let flags = Flags::from_env(&["--addr", "--workers", "--queue", "--idle-ms"]);
    let defaults = Config::default();
    let workers = flags.value_or_exit("--workers", defaults.workers);
    let queue = flags.value_or_exit("--queue", defaults.queue);
    let idle_ms = flags.value_or_exit("--idle-ms", 5_000);

    let mut app = showcase::app(&Options::default());
    app.get("/slow", slow);
    app.get("/slow-blocking", slow);
    app.set_config(Config {
        workers,
        queue,
        ..defaults
    });
    app.set_limits(Limits {
        idle_timeout: Duration::from_millis(idle_ms),
        ..Limits::default()
    });

    cli::serve(app, flags.addr())
}
// ANCHOR_END: main

// ANCHOR: slow
/// `Hello, World!` after `ms` milliseconds (default 10), like a database call. The worker
/// that runs it sleeps with it: while it waits it serves nobody else.
fn slow(request: &mut Request<'_>, _: &Ctx<'_, ()>) -> &'static str {
    let ms = request.query_param("ms").and_then(|ms| ms.parse().ok());
    thread::sleep(Duration::from_millis(ms.unwrap_or(10).min(MAX_SLOW_MS)));
    "Hello, World!"
}
// ANCHOR_END: slow
