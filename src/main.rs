//! The weft showcase: `cargo run --release` serves [`weft::showcase`] on 127.0.0.1:8080
//! (flags `--addr` and `--workers`) until Ctrl-C. Open <http://127.0.0.1:8080/> for the list
//! of routes.

use std::process::ExitCode;

use weft::cli::{self, Flags};
use weft::pool::Drain;
use weft::server::Config;
use weft::showcase::{self, Options};

fn main() -> ExitCode {
    cli::init_logging();
    let flags = Flags::from_env(&["--addr", "--workers"]);
    let workers = flags.value_or_exit("--workers", Config::default().workers);
    let app = showcase::app(&Options::default());
    match app.run(flags.addr(), workers) {
        Ok(Drain::Complete) => ExitCode::SUCCESS,
        Ok(Drain::TimedOut { .. }) => ExitCode::FAILURE,
        Err(err) => {
            eprintln!("error: cannot serve on {}: {err}", flags.addr());
            ExitCode::FAILURE
        }
    }
}
