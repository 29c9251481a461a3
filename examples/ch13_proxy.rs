//! Chapter 13: the showcase behind nginx, to measure what the proxy costs.
//!
//! Starts `--processes` copies of itself as showcase servers, each on a port of its own (the
//! stand-ins for machines), and nginx in front of them with the configuration in
//! `tools/src/nginx.conf`; prints nginx's address and serves until Ctrl-C. Load it with wrk.
//!
//! Run: `cargo run --release --example ch13_proxy -- --processes 2 --workers 64`
//!
//! With `--serve` the program is one of the servers.

use std::net::SocketAddr;
use std::process::ExitCode;

use weft::server::Config;
use weft::shutdown::Shutdown;
use weft_tools::cli::{self, Flags};
use weft_tools::fleet::{free_port, Nginx, Process};
use weft_tools::showcase::{self, Options};

fn main() -> ExitCode {
    cli::init_logging();
    let flags = Flags::from_env(&[
        "--addr",
        "--workers",
        "--reuse-port",
        "--serve",
        "--processes",
    ]);
    let workers = flags.value_or_exit("--workers", Config::default().workers);
    if flags.value_or_exit("--serve", false) {
        let mut app = showcase::app(&Options::default());
        app.set_config(Config {
            workers,
            reuse_port: flags.value_or_exit("--reuse-port", false),
            ..Config::default()
        });
        return cli::serve(app, flags.addr());
    }
    let processes = flags.value_or_exit("--processes", 2usize);
    match front(processes, workers) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Starts the servers and nginx, and waits for Ctrl-C.
fn front(processes: usize, workers: usize) -> std::io::Result<()> {
    let me = std::env::current_exe()?;
    let args = ["--serve", "--workers", &workers.to_string()].map(String::from);
    let upstreams = (0..processes)
        .map(|_| {
            let addr = SocketAddr::from(([127, 0, 0, 1], free_port()?));
            Process::start(&me, &args, addr)
        })
        .collect::<std::io::Result<Vec<Process>>>()?;
    let addrs: Vec<SocketAddr> = upstreams.iter().map(Process::addr).collect();
    let nginx = Nginx::start(&addrs, "error timeout")?;
    cli::announce(nginx.addr);
    println!("nginx in front of {addrs:?}; Ctrl-C stops");
    let (stop, stopped) = crossbeam_channel::bounded(1);
    let shutdown = Shutdown::new();
    shutdown.on_trigger(move || {
        let _ = stop.try_send(());
    });
    shutdown.on_ctrl_c().map_err(std::io::Error::other)?;
    let _ = stopped.recv();
    drop(nginx);
    for upstream in upstreams {
        upstream.stop()?;
    }
    Ok(())
}
