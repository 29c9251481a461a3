//! may_minihttp: a minimal HTTP server on `may`'s stackful coroutines (a coroutine per
//! connection, multiplexed over `--workers` scheduler threads, default one per core). It is
//! among the fastest entries in TechEmpower's plaintext test and does almost nothing else:
//! no router, fixed header slots, pipelined responses answered in one write.
//!
//! Chapter 12's `/slow?ms=N` waits with `may::coroutine::sleep`, which parks the coroutine and
//! frees its scheduler thread; `/slow-blocking?ms=N` waits with `std::thread::sleep`, which
//! blocks the scheduler thread and every coroutine waiting to run on it.

use std::io;
use std::net::{SocketAddr, TcpListener};
use std::time::Duration;

use may_minihttp::{HttpServer, HttpService, Request, Response};
use weft_peers::app::{self, Route};
use weft_peers::args::{self, Args};

#[derive(Clone)]
struct Peer;

impl HttpService for Peer {
    fn call(&mut self, request: Request, response: &mut Response) -> io::Result<()> {
        // ANCHOR: slow
        if let Some(slow) = app::slow(request.method(), request.path()) {
            let wait = Duration::from_millis(slow.ms);
            if slow.blocking {
                std::thread::sleep(wait); // the mistake: the scheduler thread sleeps
            } else {
                may::coroutine::sleep(wait); // parks this coroutine only
            }
            response.header("Content-Type: text/plain").body(app::HELLO);
            return Ok(());
        }
        // ANCHOR_END: slow
        match app::route(request.method(), request.path()) {
            Route::Plaintext => {
                response.header("Content-Type: text/plain").body(app::HELLO);
            }
            Route::Json => {
                response.header("Content-Type: application/json");
                response.body_vec(app::json_body());
            }
            Route::NotFound => {
                response.status_code(404, "Not Found");
            }
        }
        Ok(())
    }
}

fn main() {
    let args = Args::from_env();
    may::config().set_workers(args.workers_or_cores());
    let addr = resolve(args.addr).unwrap_or_else(|err| exit_cannot_listen(args.addr, err));
    let server = HttpServer(Peer)
        .start(addr)
        .unwrap_or_else(|err| exit_cannot_listen(addr, err));
    args::announce(addr);
    // The acceptor coroutine runs until the process is killed.
    let _ = server.join();
}

/// may_minihttp binds inside `start` and does not tell which port it got, so for port 0 we ask
/// the OS for a free port with a listener of our own, close it, and hand that port on. Another
/// process could take the port in between; then `start` fails with a clear message.
fn resolve(addr: SocketAddr) -> io::Result<SocketAddr> {
    if addr.port() != 0 {
        return Ok(addr);
    }
    TcpListener::bind(addr)?.local_addr()
}

fn exit_cannot_listen(addr: SocketAddr, err: io::Error) -> ! {
    eprintln!("error: cannot listen on {addr}: {err}");
    std::process::exit(1);
}
