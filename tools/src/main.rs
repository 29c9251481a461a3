//! The weft showcase: `cargo run --release` serves [`weft_tools::showcase`] on 127.0.0.1:8080
//! (flags `--addr` and `--workers`) until Ctrl-C. Open <http://127.0.0.1:8080/> for the list
//! of routes.
// > ch13
//!
//! Chapter 13: with `--reuse-port` several copies share the port, and each can be restarted
//! (start a new one, then `SIGTERM` the old) without losing a request.
// < ch13

use std::process::ExitCode;

use weft::server::Config;
use weft_tools::cli::{self, Flags};
use weft_tools::showcase::{self, Options};

fn main() -> ExitCode {
    cli::init_logging();
    /* ch07 < ch13
    let flags = Flags::from_env(&["--addr", "--workers"]);
    */
    // ANCHOR: main
    let flags = Flags::from_env(&["--addr", "--workers", "--reuse-port"]); // > ch13
    let workers = flags.value_or_exit("--workers", Config::default().workers);
    let mut app = showcase::app(&Options::default());
    app.set_config(Config {
        workers,
        reuse_port: flags.value_or_exit("--reuse-port", false), // > ch13
        ..Config::default()
    });
    // ANCHOR_END: main
    cli::serve(app, flags.addr())
}
