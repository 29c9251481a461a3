//! Chapter 10: the hardened server. Chapter 5's HTTP/1.1 server with idle connections parked
//! in a poller instead of a worker, a limit on open connections, a minimum body rate, and a
//! shutdown that closes idle connections at once.
//!
//! Run: `cargo run --release --example ch10_hardened -- --workers 64`
//!
//! Routes: `GET /` → `Hello, World!`; `GET /slow?ms=N` → the same after N ms (default 10);
//! `POST /count` → the body's length, read in pieces.

use std::io::Read;
use std::net::TcpListener;
use std::process::ExitCode;
use std::thread;
use std::time::Duration;

use weft::http::Limits;
use weft::pool::Drain;
use weft::request::Request;
use weft::response::Response;
use weft::server::{self, Config};
use weft::shutdown::Shutdown;
use weft_tools::cli::{self, Flags};

// ANCHOR: main
fn main() -> ExitCode {
    cli::init_logging();
    let flags = Flags::from_env(&[
        "--addr",
        "--workers",
        "--queue",
        "--grace-ms",
        "--idle-ms",
        "--head-ms",
        "--body-ms",
        "--min-body-rate",
        "--max-connections",
        "--max-parked",
        "--park-after-ms",
    ]);
    let (config, limits) = settings(&flags);
    let listener = TcpListener::bind(flags.addr()).expect("cannot bind");
    cli::announce(listener.local_addr().expect("bound address"));

    // Ctrl-C and SIGTERM (what `kill`, systemd and Kubernetes send) both start the shutdown.
    let shutdown = Shutdown::new();
    shutdown
        .on_ctrl_c()
        .expect("cannot install the signal handler");
    match server::serve_http(listener, &config, &limits, &shutdown, route) {
        Drain::Complete => ExitCode::SUCCESS,
        Drain::TimedOut { .. } => ExitCode::FAILURE,
    }
}
// ANCHOR_END: main

// ANCHOR: settings
/// The pool's size and the limits, from the command line; every default is `Limits::default()`.
fn settings(flags: &Flags) -> (Config, Limits) {
    let config = Config {
        workers: flags.value_or_exit("--workers", Config::default().workers),
        queue: flags.value_or_exit("--queue", Config::default().queue),
        grace: Duration::from_millis(flags.value_or_exit("--grace-ms", 10_000)),
        reuse_port: false, // > ch13
    };
    let defaults = Limits::default();
    let millis = |flag, default: Duration| {
        Duration::from_millis(flags.value_or_exit(flag, default.as_millis() as u64))
    };
    let limits = Limits {
        idle_timeout: millis("--idle-ms", defaults.idle_timeout),
        head_timeout: millis("--head-ms", defaults.head_timeout),
        body_timeout: millis("--body-ms", defaults.body_timeout),
        min_body_rate: flags.value_or_exit("--min-body-rate", defaults.min_body_rate),
        max_connections: flags.value_or_exit("--max-connections", defaults.max_connections),
        max_parked: flags.value_or_exit("--max-parked", defaults.max_parked),
        park_after: millis("--park-after-ms", defaults.park_after),
        ..defaults
    };
    (config, limits)
}
// ANCHOR_END: settings

/// Chooses the answer by method and path.
fn route(request: &mut Request<'_>) -> Response {
    match (request.method(), request.path()) {
        ("GET" | "HEAD", "/") => Response::text("Hello, World!"),
        ("GET" | "HEAD", "/slow") => {
            let ms = request.query_param("ms").and_then(|ms| ms.parse().ok());
            thread::sleep(Duration::from_millis(ms.unwrap_or(10)));
            Response::text("Hello, World!")
        }
        ("POST" | "PUT", "/count") => count(request),
        _ => Response::status_page(404),
    }
}

/// Counts the body's bytes, reading it in 8 KiB pieces.
fn count(request: &mut Request<'_>) -> Response {
    let mut piece = [0u8; 8192];
    let mut total = 0;
    loop {
        match request.body().read(&mut piece) {
            Ok(0) => break,
            Ok(n) => total += n,
            Err(err) => {
                return Response::text(format!("cannot read the body: {err}\n")).with_status(400)
            }
        }
    }
    Response::text(format!("{total} bytes\n"))
}
