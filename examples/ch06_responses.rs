//! Chapter 6: every kind of response body, framed by the server: text, JSON, a chunked
//! stream (from an iterator and from a reader), a file, `204 No Content`, `304 Not Modified`,
//! and `HEAD` for any of them.
//!
//! Run: `cargo run --release --example ch06_responses`, then `curl -i localhost:8080/json`.

use std::io::{self, Read};
use std::net::TcpListener;
use std::process::ExitCode;
use std::time::Duration;

use serde_json::json;
use weft::http::Limits;
use weft::pool::Drain;
use weft::request::Request;
use weft::response::Response;
use weft::server::{self, Config};
use weft::shutdown::Shutdown;
use weft_tools::cli::{self, Flags};

/// The file `/file` serves: this example's own source.
const SOURCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/ch06_responses.rs");

fn main() -> ExitCode {
    cli::init_logging();
    let flags = Flags::from_env(&["--addr", "--workers", "--queue", "--write-ms"]);
    let config = Config {
        workers: flags.value_or_exit("--workers", Config::default().workers),
        queue: flags.value_or_exit("--queue", Config::default().queue),
        ..Config::default()
    };
    let listener = TcpListener::bind(flags.addr()).expect("cannot bind");
    cli::announce(listener.local_addr().expect("bound address"));
    let shutdown = Shutdown::new();
    shutdown
        .on_ctrl_c()
        .expect("cannot install the Ctrl-C handler");
    let limits = Limits {
        write_timeout: Duration::from_millis(flags.value_or_exit("--write-ms", 10_000)),
        ..Limits::default()
    };
    match server::serve_http(listener, &config, &limits, &shutdown, route) {
        Drain::Complete => ExitCode::SUCCESS,
        Drain::TimedOut { .. } => ExitCode::FAILURE,
    }
}

// ANCHOR: route
/// One route per kind of body. `HEAD` is routed like `GET`: the server drops the body.
fn route(request: &mut Request<'_>) -> Response {
    if !matches!(request.method(), "GET" | "HEAD") {
        return Response::status_page(405).with_header("Allow", "GET, HEAD");
    }
    match request.path() {
        "/text" => Response::text("Hello from chapter 6!\n"),
        "/json" => Response::json(&json!({
            "server": "weft",
            "chapter": 6,
            "bodies": ["empty", "bytes", "json", "chunks", "reader", "file"],
        })),
        "/chunks" => Response::chunks((1..=5).map(|n| format!("line {n}\n")))
            .with_header("Content-Type", "text/plain; charset=utf-8"),
        "/reader" => {
            let size = request.query_param("bytes").and_then(|n| n.parse().ok());
            Response::reader(io::repeat(b'w').take(size.unwrap_or(100_000)))
        }
        "/file" => Response::file(SOURCE).unwrap_or_else(|err| {
            log::error!("cannot open {SOURCE}: {err}");
            Response::status_page(500)
        }),
        "/empty" => Response::new(204),
        "/cached" => Response::new(304).with_header("ETag", "\"v1\""),
        _ => Response::status_page(404),
    }
}
// ANCHOR_END: route
