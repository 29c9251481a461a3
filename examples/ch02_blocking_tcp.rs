//! Chapter 2: a blocking TCP server. It accepts one connection, serves it with the naive
//! handler, and only then accepts the next. One slow client or one slow request stalls
//! everyone behind it, and a panicking handler takes the whole server down.
//!
//! Run: `cargo run --release --example ch02_blocking_tcp -- --addr 127.0.0.1:8080`

use std::net::TcpListener;

use weft_tools::cli::{self, Flags};

// ANCHOR: main
fn main() {
    cli::init_logging();
    let flags = Flags::from_env(&["--addr"]);
    let listener = TcpListener::bind(flags.addr()).expect("cannot bind");
    cli::announce(listener.local_addr().expect("bound address"));

    // ANCHOR: accept_loop
    loop {
        // Blocks until a client has connected.
        let (stream, peer) = match listener.accept() {
            Ok(accepted) => accepted,
            Err(err) => {
                log::warn!("accept failed: {err}");
                continue;
            }
        };
        log::debug!("accepted a connection from {peer}");
        // Blocks until this client is served. Nobody else is, meanwhile.
        if let Err(err) = weft_tools::naive::handle(stream) {
            log::debug!("connection from {peer} ended with an error: {err}");
        }
    }
    // ANCHOR_END: accept_loop
}
// ANCHOR_END: main
