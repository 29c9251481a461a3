//! The weft showcase: `cargo run --release` serves [`weft_tools::showcase`] on 127.0.0.1:8080
//! (flags `--addr` and `--workers`) until Ctrl-C. Open <http://127.0.0.1:8080/> for the list
//! of routes.

use std::process::ExitCode;

use weft::server::Config;
use weft_tools::cli::{self, Flags};
use weft_tools::showcase::{self, Options};

fn main() -> ExitCode {
    cli::init_logging();
    let flags = Flags::from_env(&["--addr", "--workers"]);
    let workers = flags.value_or_exit("--workers", Config::default().workers);
    let mut app = showcase::app(&Options::default());
    app.set_config(Config {
        workers,
        ..Config::default()
    });
    cli::serve(app, flags.addr())
}
