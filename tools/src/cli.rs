//! Command-line flags shared by every example and the showcase app.
//!
//! Every server in the book takes the same few flags (`--addr`, `--workers`, …) so that the
//! tests and the step-comparison tool can start any chapter's server the same way: on
//! `127.0.0.1:0`, reading the bound address from the first line the server prints.
//! A hand-rolled parser is enough for `--name value` pairs and keeps the examples free of a
//! command-line crate the book would have to explain.

use std::fmt;
use std::net::SocketAddr;
use std::process::ExitCode; // > ch07
use std::str::FromStr;

use weft::app::App; // > ch07

// > ch13
/// Flags that take no value: present means on (`--reuse-port`), or `--name=false`.
pub const SWITCHES: &[&str] = &["--reuse-port", "--serve"];

// < ch13
/// The flags given on the command line, as `--name value` pairs.
#[derive(Debug, Clone, Default)]
pub struct Flags {
    pairs: Vec<(String, String)>,
}

/// A flag that is missing its value, was not expected, or does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagError {
    /// The flag at fault, with its dashes (`--workers`).
    pub flag: String,
    /// What is wrong with it.
    pub reason: String,
}

impl fmt::Display for FlagError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.flag, self.reason)
    }
}

impl std::error::Error for FlagError {}

/// Lets a program whose errors are plain messages use `?` on flag errors.
impl From<FlagError> for String {
    fn from(err: FlagError) -> String {
        err.to_string()
    }
}

impl Flags {
    /// Reads the process's own arguments, exiting with a usage message if they are malformed.
    ///
    /// `known` lists the flags this program accepts; anything else is an error, so that a typo
    /// (`--worker 4`) is reported rather than silently ignored.
    /// `--help` (or `-h`) prints the program's usage (its name and these flags) and exits.
    ///
    /// This is for a binary's `main`, which owns the process: it prints and exits, which a
    /// library must never do. Code that wants the error back calls [`Flags::parse`].
    pub fn from_env(known: &[&str]) -> Flags {
        let args: Vec<String> = std::env::args().skip(1).collect();
        if args.iter().any(|arg| arg == "--help" || arg == "-h") {
            println!("{}", usage(&program_name(), known));
            std::process::exit(0);
        }
        match Flags::parse(args, known) {
            Ok(flags) => flags,
            Err(err) => {
                eprintln!("error: {err}");
                eprintln!("{}", usage(&program_name(), known));
                std::process::exit(2);
            }
        }
    }

    /// Parses `--name value` pairs (also `--name=value`), accepting only the flags in `known`.
    pub fn parse<I, S>(args: I, known: &[&str]) -> Result<Flags, FlagError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut pairs = Vec::new();
        let mut args = args.into_iter().map(Into::into);
        while let Some(arg) = args.next() {
            let (name, inline) = match arg.split_once('=') {
                Some((name, value)) => (name.to_string(), Some(value.to_string())),
                None => (arg.clone(), None),
            };
            if !known.contains(&name.as_str()) {
                return Err(FlagError {
                    flag: name,
                    reason: "unknown flag".into(),
                });
            }
            let value = match inline {
                Some(value) => value,
                None if SWITCHES.contains(&name.as_str()) => "true".into(), // > ch13
                None => args.next().ok_or_else(|| FlagError {
                    flag: name.clone(),
                    reason: "needs a value".into(),
                })?,
            };
            pairs.push((name, value));
        }
        Ok(Flags { pairs })
    }

    /// The raw value of `flag`, if given (the last one wins when repeated).
    pub fn get(&self, flag: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(name, _)| name == flag)
            .map(|(_, value)| value.as_str())
    }

    /// The value of `flag` parsed as `T`, or `default` when the flag is absent.
    pub fn value_or<T>(&self, flag: &str, default: T) -> Result<T, FlagError>
    where
        T: FromStr,
        T::Err: fmt::Display,
    {
        match self.get(flag) {
            None => Ok(default),
            Some(raw) => raw.parse().map_err(|err: T::Err| FlagError {
                flag: flag.to_string(),
                reason: format!("{raw:?}: {err}"),
            }),
        }
    }

    /// Like [`Flags::value_or`], but exits the process with a message on a bad value:
    /// what an example's `main` wants.
    pub fn value_or_exit<T>(&self, flag: &str, default: T) -> T
    where
        T: FromStr,
        T::Err: fmt::Display,
    {
        self.value_or(flag, default).unwrap_or_else(|err| {
            eprintln!("error: {err}");
            std::process::exit(2);
        })
    }

    // > ch02 the compare tool
    /// The comma-separated positive numbers of `flag` (`--connections 1,16,64`), or `default`
    /// when the flag is absent.
    pub fn numbers(&self, flag: &str, default: &[usize]) -> Result<Vec<usize>, FlagError> {
        let Some(raw) = self.get(flag) else {
            return Ok(default.to_vec());
        };
        raw.split(',')
            .map(|item| match item.trim().parse::<usize>() {
                Ok(n) if n > 0 => Ok(n),
                _ => Err(FlagError {
                    flag: flag.to_string(),
                    reason: format!("{item:?} is not a positive number"),
                }),
            })
            .collect()
    }

    /// The entries of `all` that the comma-separated names of `flag` pick, in `all`'s order
    /// (`--servers ch02,ch04`); every name must pick at least one entry, so a typo is an
    /// error. An absent flag picks everything.
    pub fn pick<'a, T>(
        &self,
        flag: &str,
        all: &'a [T],
        picks: impl Fn(&T, &str) -> bool,
    ) -> Result<Vec<&'a T>, FlagError> {
        let Some(raw) = self.get(flag) else {
            return Ok(all.iter().collect());
        };
        let names: Vec<&str> = raw.split(',').map(str::trim).collect();
        if let Some(name) = names
            .iter()
            .find(|name| name.is_empty() || !all.iter().any(|entry| picks(entry, name)))
        {
            return Err(FlagError {
                flag: flag.to_string(),
                reason: format!("nothing is called {name:?} (see the list below)"),
            });
        }
        Ok(all
            .iter()
            .filter(|entry| names.iter().any(|name| picks(entry, name)))
            .collect())
    }
    // < ch02

    /// The `--addr` flag, defaulting to `127.0.0.1:8080`.
    pub fn addr(&self) -> SocketAddr {
        self.value_or_exit("--addr", SocketAddr::from(([127, 0, 0, 1], 8080)))
    }
}

/// Prints the line every server in the book announces itself with, and flushes it.
///
/// Tests and the compare tool start servers on port 0 and read the real port from this line,
/// so its shape is part of the contract: `listening on 127.0.0.1:PORT`.
pub fn announce(addr: SocketAddr) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    // A closed stdout must not stop the server, so a failed print is ignored.
    let _ = writeln!(out, "listening on {addr}");
    let _ = out.flush();
}

/// The name this program was started as, without its directory (`ch07_app`).
fn program_name() -> String {
    let arg0 = std::env::args().next().unwrap_or_default();
    let name = std::path::Path::new(&arg0)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned());
    name.unwrap_or(arg0)
}

/// `usage: NAME [--addr VALUE] [--workers VALUE]`: the flags a program accepts, each optional.
fn usage(program: &str, known: &[&str]) -> String {
    let mut line = format!("usage: {program}");
    for flag in known {
        /* ch01 < ch13
        line.push_str(&format!(" [{flag} VALUE]"));
        */
        // > ch13
        match SWITCHES.contains(flag) {
            true => line.push_str(&format!(" [{flag}]")),
            false => line.push_str(&format!(" [{flag} VALUE]")),
        }
        // < ch13
    }
    line
}

// > ch07
/// Binds `app` to `addr`, announces the address, and serves until Ctrl-C or `SIGTERM`: the
/// end of every application example's `main`. The exit code says whether the drain completed
/// within its grace period; an address that cannot be bound is reported and fails.
pub fn serve<S: Send + Sync + 'static>(app: App<S>, addr: SocketAddr) -> ExitCode {
    let drain = app.bind(addr).and_then(|bound| {
        announce(bound.local_addr());
        bound.run()
    });
    match drain {
        Ok(drain) => ExitCode::from(drain),
        Err(err) => {
            eprintln!("error: cannot serve on {addr}: {err}");
            ExitCode::FAILURE
        }
    }
}
// < ch07

/// Starts logging through `env_logger`: `info` and above unless `RUST_LOG` says otherwise.
pub fn init_logging() {
    let env = env_logger::Env::default().default_filter_or("info");
    // A second call (a test that starts two servers in one process) keeps the first logger.
    let _ = env_logger::Builder::from_env(env).try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_names_the_program_and_every_flag() {
        assert_eq!(
            usage("ch04_pool", &["--addr", "--workers"]),
            "usage: ch04_pool [--addr VALUE] [--workers VALUE]"
        );
    }

    const KNOWN: &[&str] = &["--addr", "--workers"];

    #[test]
    fn parses_pairs_and_equals_form() {
        let flags = Flags::parse(["--addr", "127.0.0.1:0", "--workers=4"], KNOWN).unwrap();
        assert_eq!(flags.get("--addr"), Some("127.0.0.1:0"));
        assert_eq!(flags.value_or("--workers", 1usize), Ok(4));
    }

    #[test]
    fn absent_flag_takes_default() {
        let flags = Flags::parse(Vec::<String>::new(), KNOWN).unwrap();
        assert_eq!(flags.value_or("--workers", 8usize), Ok(8));
        assert_eq!(flags.addr(), SocketAddr::from(([127, 0, 0, 1], 8080)));
    }

    #[test]
    fn errors_name_the_flag() {
        let unknown = Flags::parse(["--worker", "4"], KNOWN).unwrap_err();
        assert_eq!(unknown.to_string(), "--worker: unknown flag");
        let missing = Flags::parse(["--addr"], KNOWN).unwrap_err();
        assert_eq!(missing.to_string(), "--addr: needs a value");
        let flags = Flags::parse(["--workers", "many"], KNOWN).unwrap();
        let bad = flags.value_or("--workers", 1usize).unwrap_err();
        assert_eq!(bad.flag, "--workers");
        assert!(bad.reason.contains("\"many\""), "{}", bad.reason);
    }

    // > ch02
    #[test]
    fn numbers_and_picks() {
        let known = &["--connections", "--servers"];
        let flags = Flags::parse(["--connections", "1, 16", "--servers", "b,c"], known).unwrap();
        assert_eq!(flags.numbers("--connections", &[64]), Ok(vec![1, 16]));
        assert_eq!(flags.numbers("--absent", &[64]), Ok(vec![64]));
        let all = ["a", "b", "c"];
        let picked = flags.pick("--servers", &all, |entry, name| *entry == name);
        assert_eq!(picked, Ok(vec![&"b", &"c"]));
        let bad = Flags::parse(["--connections", "0", "--servers", "d"], known).unwrap();
        let zero = bad.numbers("--connections", &[]).unwrap_err();
        assert_eq!(
            zero.to_string(),
            "--connections: \"0\" is not a positive number"
        );
        let typo = bad
            .pick("--servers", &all, |entry, name| *entry == name)
            .unwrap_err();
        assert_eq!(
            typo.to_string(),
            "--servers: nothing is called \"d\" (see the list below)"
        );
    }
    // < ch02

    // > ch13
    #[test]
    fn a_switch_takes_no_value() {
        let known = &["--reuse-port", "--workers"];
        let flags = Flags::parse(["--reuse-port", "--workers", "2"], known).unwrap();
        assert_eq!(flags.value_or("--reuse-port", false), Ok(true));
        assert_eq!(flags.value_or("--workers", 1usize), Ok(2));
        let off = Flags::parse(["--reuse-port=false"], known).unwrap();
        assert_eq!(off.value_or("--reuse-port", false), Ok(false));
        let absent = Flags::parse(["--workers", "2"], known).unwrap();
        assert_eq!(absent.value_or("--reuse-port", false), Ok(false));
        assert_eq!(
            usage("weft", known),
            "usage: weft [--reuse-port] [--workers VALUE]"
        );
    }
    // < ch13

    #[test]
    fn last_repeat_wins() {
        let flags = Flags::parse(["--workers", "1", "--workers", "2"], KNOWN).unwrap();
        assert_eq!(flags.get("--workers"), Some("2"));
    }
}
