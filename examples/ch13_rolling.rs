//! Chapter 13: a rolling restart under load, with the failed requests counted.
//!
//! Starts `--processes` copies of itself as servers on one port (the showcase application,
//! with `--reuse-port`), keeps `--clients` keep-alive clients busy, restarts every process in
//! turn `--rounds` times (start the new one, `SIGTERM` the old one, wait for it to exit),
//! and prints how many requests failed.
//!
//! Run: `cargo run --release --example ch13_rolling -- --processes 2 --clients 16 --rounds 5`
//!
//! `--last-call-ms 0` turns off the servers' last call at shutdown (`Limits::last_call`), to
//! see the requests it saves. With `--serve` the program is one of the servers.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use weft::http::Limits;
use weft::server::Config;
use weft_tools::cli::{self, Flags};
use weft_tools::fleet::{Fleet, Load};
use weft_tools::showcase::{self, Options};

/// Each client's bound on requests per run, so that a hung restart still ends the run.
const MAX_REQUESTS: u64 = 100_000_000;

fn main() -> ExitCode {
    cli::init_logging();
    let flags = Flags::from_env(&[
        "--addr",
        "--workers",
        "--reuse-port",
        "--serve",
        "--processes",
        "--clients",
        "--rounds",
        "--last-call-ms",
    ]);
    let last_call = flags.value_or_exit("--last-call-ms", 500u64);
    if flags.value_or_exit("--serve", false) {
        return serve(&flags, Duration::from_millis(last_call));
    }
    let processes = flags.value_or_exit("--processes", 2usize);
    let clients = flags.value_or_exit("--clients", 16usize);
    let rounds = flags.value_or_exit("--rounds", 5usize);
    match restart(processes, clients, rounds, last_call) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

// ANCHOR: serve
/// One of the servers: the showcase on a shared port, with the last call asked for.
fn serve(flags: &Flags, last_call: Duration) -> ExitCode {
    let mut app = showcase::app(&Options::default());
    app.set_config(Config {
        workers: flags.value_or_exit("--workers", 16),
        reuse_port: flags.value_or_exit("--reuse-port", false),
        ..Config::default()
    });
    app.set_limits(Limits {
        last_call,
        ..Limits::default()
    });
    cli::serve(app, flags.addr())
}
// ANCHOR_END: serve

// ANCHOR: restart
/// Restarts every process `rounds` times under load; prints what the clients saw and whether
/// every old process drained cleanly.
fn restart(
    processes: usize,
    clients: usize,
    rounds: usize,
    last_call: u64,
) -> std::io::Result<bool> {
    let me = std::env::current_exe()?;
    let args = ["--serve", "--last-call-ms", &last_call.to_string()];
    let mut fleet = Fleet::start(me, args.map(String::from).to_vec(), processes)?;
    let load = Load::start(fleet.addr, clients, "/plaintext", MAX_REQUESTS);
    load.wait_for(1000, Duration::from_secs(30));
    let start = Instant::now();
    let mut clean = true;
    for _ in 0..rounds {
        clean &= fleet.restart_each()?.iter().all(|status| status.success());
    }
    let took = start.elapsed();
    let tally = load.finish();
    clean &= fleet.stop()?.iter().all(|status| status.success());
    println!(
        "{processes} processes restarted {rounds} times in {took:.1?} under {clients} clients \
         (last call {last_call} ms): {} requests, {} failed, {} reconnections",
        tally.ok + tally.failed,
        tally.failed,
        tally.reconnects
    );
    for failure in &tally.failures {
        println!("  failed: {failure}");
    }
    Ok(clean && tally.failed == 0)
}
// ANCHOR_END: restart
