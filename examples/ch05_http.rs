//! Chapter 5: a real HTTP/1.1 server. Connections are kept alive, pipelined requests are
//! answered in order, request bodies are read by `Content-Length` or `chunked`, and every
//! malformed request gets its own status code.
//!
//! Run: `cargo run --release --example ch05_http -- --workers 64`
//!
//! Routes: `GET /` → `Hello, World!`; `GET /slow?ms=N` → the same after N ms (default 10);
//! `POST /echo` → the body back; `POST /count` → the body's length, read in pieces;
//! `POST /ignore` → an answer that never reads the body; `/panic` → a handler that panics.

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
        "--idle-ms",
        "--head-ms",
        "--body-ms",
        "--max-body",
    ]);
    let (config, limits) = settings(&flags);
    let listener = TcpListener::bind(flags.addr()).expect("cannot bind");
    cli::announce(listener.local_addr().expect("bound address"));

    let shutdown = Shutdown::new();
    shutdown
        .on_ctrl_c()
        .expect("cannot install the Ctrl-C handler");
    match server::serve_http(listener, &config, &limits, &shutdown, route) {
        Drain::Complete => ExitCode::SUCCESS,
        Drain::TimedOut { .. } => ExitCode::FAILURE,
    }
}
// ANCHOR_END: main

/// The pool's size and the HTTP limits, from the command line.
fn settings(flags: &Flags) -> (Config, Limits) {
    let config = Config {
        workers: flags.value_or_exit("--workers", Config::default().workers),
        queue: flags.value_or_exit("--queue", Config::default().queue),
        ..Config::default()
    };
    let defaults = Limits::default();
    let millis = |flag, default: Duration| {
        Duration::from_millis(flags.value_or_exit(flag, default.as_millis() as u64))
    };
    let limits = Limits {
        idle_timeout: millis("--idle-ms", defaults.idle_timeout),
        head_timeout: millis("--head-ms", defaults.head_timeout),
        body_timeout: millis("--body-ms", defaults.body_timeout),
        max_body: flags.value_or_exit("--max-body", defaults.max_body),
        // > ch10
        // Chapter 5's design: a worker waits on its idle connection, and the pool bounds the
        // open connections. Chapter 10 parks idle connections and limits open ones.
        max_parked: 0,
        max_connections: 0,
        // < ch10
        ..defaults
    };
    (config, limits)
}

// ANCHOR: route
/// Chooses the answer by method and path.
fn route(request: &mut Request<'_>) -> Response {
    match (request.method(), request.path()) {
        ("GET" | "HEAD", "/") => Response::text("Hello, World!"),
        ("GET" | "HEAD", "/slow") => {
            let ms = request.query_param("ms").and_then(|ms| ms.parse().ok());
            thread::sleep(Duration::from_millis(ms.unwrap_or(10)));
            Response::text("Hello, World!")
        }
        ("POST" | "PUT", "/echo") => echo(request),
        ("POST" | "PUT", "/count") => count(request),
        ("POST" | "PUT", "/ignore") => Response::text("I did not read your body\n"),
        (_, "/panic") => panic!("the handler for /panic panicked"),
        (_, "/" | "/slow") => Response::status_page(405).with_header("Allow", "GET, HEAD"),
        (_, "/echo" | "/count" | "/ignore") => {
            Response::status_page(405).with_header("Allow", "POST, PUT")
        }
        _ => Response::status_page(404),
    }
}
// ANCHOR_END: route

// ANCHOR: echo
/// Sends the body back, with its content type. The whole body is read into memory, so the
/// server's body limit applies.
fn echo(request: &mut Request<'_>) -> Response {
    let content_type = request
        .header("content-type")
        .unwrap_or("application/octet-stream")
        .to_string();
    match request.body_bytes() {
        Ok(body) => Response::bytes(body).with_header("Content-Type", content_type),
        // The connection loop answers a broken body with its own status; this is a fallback.
        Err(err) => Response::text(format!("cannot read the body: {err}\n")).with_status(400),
    }
}
// ANCHOR_END: echo

// ANCHOR: count
/// Counts the body's bytes, reading it in 8 KiB pieces: however large the upload, only one
/// piece is in memory at a time.
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
// ANCHOR_END: count
