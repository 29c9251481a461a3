//! Chapter 3: a thread per connection. The main thread only accepts; each connection gets a
//! thread of its own running the naive handler. A slow client now holds up only its own
//! thread, a panic kills only its own thread, and the price is one thread (a stack, kernel
//! bookkeeping) for every open connection, with no upper bound.
//!
//! Run: `cargo run --release --example ch03_thread_per_connection -- --addr 127.0.0.1:8080`

use std::io;
use std::net::TcpListener;
use std::thread;
use std::time::Duration;

use weft_tools::cli::{self, Flags};

// ANCHOR: main
fn main() {
    cli::init_logging();
    let flags = Flags::from_env(&["--addr"]);
    let listener = TcpListener::bind(flags.addr()).expect("cannot bind");
    cli::announce(listener.local_addr().expect("bound address"));

    // ANCHOR: accept_loop
    loop {
        let (stream, peer) = match listener.accept() {
            Ok(accepted) => accepted,
            Err(err) => {
                accept_failed(&err);
                continue;
            }
        };
        log::debug!("accepted a connection from {peer}");
        // ANCHOR: spawn
        // `Builder::spawn`, unlike `thread::spawn`, returns an error instead of panicking when
        // the operating system will not give us another thread; then the closure, and the
        // stream inside it, are dropped, which closes this one connection. The name shows up
        // in panic messages and debuggers, saying whose thread it was.
        let spawned = thread::Builder::new()
            .name(format!("conn {peer}"))
            .spawn(move || {
                log::debug!("serving {peer} on a new thread");
                if let Err(err) = weft_tools::naive::handle(stream) {
                    log::debug!("connection from {peer} ended with an error: {err}");
                }
            });
        if let Err(err) = spawned {
            log::warn!("no thread for {peer}, closing its connection: {err}");
        }
        // ANCHOR_END: spawn
    }
    // ANCHOR_END: accept_loop
}
// ANCHOR_END: main

// ANCHOR: accept_failed
/// Logs a failed `accept()`. When the process is out of file descriptors (one per open
/// connection), `accept` fails at once until some connection closes; pausing briefly keeps
/// the loop from spinning a core on that error.
fn accept_failed(err: &io::Error) {
    log::warn!("accept failed: {err}");
    let out_of_descriptors = matches!(err.raw_os_error(), Some(23 | 24)); // ENFILE, EMFILE
    if out_of_descriptors {
        thread::sleep(Duration::from_millis(10));
    }
}
// ANCHOR_END: accept_failed
