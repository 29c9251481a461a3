//! tiny_http 0.12: a synchronous server. tiny_http's own threads accept connections and parse
//! requests (a thread per connection, keep-alive and pipelining included); the `--workers`
//! threads here (default: one per core) take parsed requests off its queue and answer them.

use std::sync::Arc;
use std::thread;

use tiny_http::{Header, Request, Response, Server, StatusCode};
use weft_peers::app::{self, Route};
use weft_peers::args::{self, Args};

fn main() {
    let args = Args::from_env();
    let server = match Server::http(args.addr) {
        Ok(server) => Arc::new(server),
        Err(err) => {
            eprintln!("error: cannot listen on {}: {err}", args.addr);
            std::process::exit(1);
        }
    };
    let bound = server
        .server_addr()
        .to_ip()
        .expect("an HTTP server bound to a SocketAddr has an IP address");
    args::announce(bound);

    let workers: Vec<_> = (0..args.workers_or_cores())
        .map(|i| {
            let server = Arc::clone(&server);
            thread::Builder::new()
                .name(format!("worker-{i}"))
                .spawn(move || {
                    for request in server.incoming_requests() {
                        respond(request);
                    }
                })
                .expect("spawn a worker thread")
        })
        .collect();
    for worker in workers {
        let _ = worker.join();
    }
}

/// Answers one request. A failed write means the client went away; there is nobody to tell.
fn respond(request: Request) {
    let route = app::route(request.method().as_str(), request.url());
    let _ = match route {
        Route::Plaintext => request
            .respond(Response::from_data(app::HELLO).with_header(content_type(app::TEXT_PLAIN))),
        Route::Json => request.respond(
            Response::from_data(app::json_body()).with_header(content_type(app::APPLICATION_JSON)),
        ),
        Route::NotFound => request.respond(Response::empty(StatusCode(404))),
    };
}

fn content_type(value: &str) -> Header {
    Header::from_bytes("Content-Type", value).expect("a constant header is valid")
}
