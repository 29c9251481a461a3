//! Chapter 4: a worker pool. One acceptor thread feeds a fixed set of workers through a
//! bounded queue; a full queue gets a `503`; Ctrl-C drains the pool and exits.
//!
//! Run: `cargo run --release --example ch04_pool -- --workers 64 --queue 1024`

use std::net::TcpListener;
use std::process::ExitCode;
use std::time::Duration;

use weft::pool::Drain;
use weft::server::{self, Config};
use weft::shutdown::Shutdown;
use weft_tools::cli::{self, Flags};

// ANCHOR: main
fn main() -> ExitCode {
    cli::init_logging();
    let flags = Flags::from_env(&["--addr", "--workers", "--queue", "--grace-ms"]);
    let defaults = Config::default();
    let config = Config {
        workers: flags.value_or_exit("--workers", defaults.workers),
        queue: flags.value_or_exit("--queue", defaults.queue),
        grace: Duration::from_millis(flags.value_or_exit("--grace-ms", 10_000)),
        reuse_port: false, // > ch13
    };
    let listener = TcpListener::bind(flags.addr()).expect("cannot bind");
    cli::announce(listener.local_addr().expect("bound address"));

    let shutdown = Shutdown::new();
    shutdown
        .on_ctrl_c()
        .expect("cannot install the Ctrl-C handler");
    let drain = server::serve(listener, &config, &shutdown, |stream| {
        if let Err(err) = weft_tools::naive::handle(stream) {
            log::debug!("connection ended with an error: {err}");
        }
    });
    match drain {
        Drain::Complete => ExitCode::SUCCESS,
        Drain::TimedOut { .. } => ExitCode::FAILURE,
    }
}
// ANCHOR_END: main
