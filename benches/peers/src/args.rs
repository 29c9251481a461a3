//! `--addr ADDR` and `--workers N`, parsed by hand like weft's own `cli` module, plus the
//! `listening on ADDR` announcement the comparison tool waits for.

use std::io::Write;
use std::net::SocketAddr;

/// The address a peer binds when `--addr` is not given.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";

/// The flags every peer takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Args {
    /// Where to listen; port 0 asks the OS for a free port.
    pub addr: SocketAddr,
    /// How many worker threads to run, if given; each peer has its own default.
    pub workers: Option<usize>,
}

impl Args {
    /// Reads the process's arguments, exiting with status 2 and a usage line if they are bad.
    pub fn from_env() -> Args {
        match Args::parse(std::env::args().skip(1)) {
            Ok(args) => args,
            Err(err) => {
                eprintln!("error: {err}");
                eprintln!("usage: [--addr ADDR (default {DEFAULT_ADDR})] [--workers N]");
                std::process::exit(2);
            }
        }
    }

    /// Parses `--addr ADDR` and `--workers N` (also `--name=value`); anything else is an error.
    pub fn parse<I: IntoIterator<Item = String>>(args: I) -> Result<Args, String> {
        let mut addr = DEFAULT_ADDR.to_string();
        let mut workers = None;
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let (name, inline) = match arg.split_once('=') {
                Some((name, value)) => (name.to_string(), Some(value.to_string())),
                None => (arg, None),
            };
            if name != "--addr" && name != "--workers" {
                return Err(format!("{name}: unknown flag"));
            }
            let value = match inline.or_else(|| args.next()) {
                Some(value) => value,
                None => return Err(format!("{name}: needs a value")),
            };
            if name == "--addr" {
                addr = value;
            } else {
                match value.parse::<usize>() {
                    Ok(n) if n > 0 => workers = Some(n),
                    _ => return Err(format!("--workers: {value:?} is not a positive number")),
                }
            }
        }
        let addr = addr
            .parse()
            .map_err(|err| format!("--addr: {addr:?}: {err}"))?;
        Ok(Args { addr, workers })
    }

    /// `--workers`, or the number of cores the OS lets this process use.
    pub fn workers_or_cores(&self) -> usize {
        self.workers.unwrap_or_else(cores)
    }
}

/// The number of cores available to this process (1 if the OS will not say).
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Prints `listening on ADDR` as the first stdout line and flushes it, so a parent process
/// reading our stdout through a pipe sees it at once.
pub fn announce(addr: SocketAddr) {
    let mut out = std::io::stdout().lock();
    // If stdout is gone nobody is waiting for the line; the server can still serve.
    let _ = writeln!(out, "listening on {addr}");
    let _ = out.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Args, String> {
        Args::parse(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn defaults() {
        let args = parse(&[]).unwrap();
        assert_eq!(args.addr, DEFAULT_ADDR.parse().unwrap());
        assert_eq!(args.workers, None);
    }

    #[test]
    fn both_spellings() {
        let args = parse(&["--addr", "127.0.0.1:0", "--workers=3"]).unwrap();
        assert_eq!(args.addr, "127.0.0.1:0".parse().unwrap());
        assert_eq!(args.workers, Some(3));
    }

    #[test]
    fn bad_input_is_named() {
        assert!(parse(&["--worker", "3"])
            .unwrap_err()
            .contains("unknown flag"));
        assert!(parse(&["--addr"]).unwrap_err().contains("needs a value"));
        assert!(parse(&["--workers", "0"]).unwrap_err().contains("positive"));
        assert!(parse(&["--addr", "localhost"])
            .unwrap_err()
            .contains("--addr"));
    }
}
