//! The step-comparison tool: starts each chapter's server in turn, drives every one with the
//! same load, and prints one Markdown table (optionally also a results page and SVG charts).
//! The book's appendix "How to measure" explains what it does and how to read what it prints.
//!
//! Run: `cargo run --release --example compare -- --help`

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, SystemTime};

use weft_tools::cli::Flags;
use weft_tools::measure::chart::{self, BarChart};
use weft_tools::measure::child::ServerProcess;
use weft_tools::measure::generator::{self, Choice, Generator};
use weft_tools::measure::loadgen::{self, Connection, Held, Load};
use weft_tools::measure::procfs::{self, Machine, Sampler};
use weft_tools::measure::table::{self, Provenance, Row};

/// One chapter's server, as the tool starts it.
struct Server {
    /// The name in the table and chart (`ch04 pool`); `--servers` matches its start.
    label: &'static str,
    /// The example that is the server (`examples/<example>.rs`).
    example: &'static str,
    /// Arguments after `--addr 127.0.0.1:0`.
    args: &'static [&'static str],
    /// Whether the server can keep a connection alive between requests.
    connection: Connection,
}

// ANCHOR: servers
/// Every chapter's server, in book order. A chapter with a server to compare adds a line.
const SERVERS: &[Server] = &[
    Server {
        label: "ch02 blocking",
        example: "ch02_blocking_tcp",
        args: &[],
        connection: Connection::Close,
    },
    // > ch03
    Server {
        label: "ch03 thread/conn",
        example: "ch03_thread_per_connection",
        args: &[],
        connection: Connection::Close,
    },
    // < ch03
    // > ch04
    Server {
        label: "ch04 pool",
        example: "ch04_pool",
        args: &["--workers", "64", "--queue", "1024"],
        connection: Connection::Close,
    },
    // < ch04
    // > ch05
    // Chapter 5's server twice: driven with a connection per request, as chapters 2-4 are,
    // and with kept-alive connections, so the table shows what keep-alive alone buys.
    Server {
        label: "ch05 close",
        example: "ch05_http",
        args: &["--workers", "64", "--queue", "1024"],
        connection: Connection::Close,
    },
    Server {
        label: "ch05 keep-alive",
        example: "ch05_http",
        args: &["--workers", "64", "--queue", "1024"],
        connection: Connection::KeepAlive,
    },
    // < ch05
    // > ch07
    Server {
        label: "ch07 app",
        example: "ch07_app",
        args: &["--workers", "64", "--queue", "1024"],
        connection: Connection::KeepAlive,
    },
    // < ch07
    // > ch08
    // Chapter 8: the same application without panics and with one `GET /` in 100 panicking
    // (the panics' 500s are counted as errors, apart from the requests served).
    Server {
        label: "ch08 no panics",
        example: "ch08_errors",
        args: &["--workers", "64", "--queue", "1024", "--panic-every", "0"],
        connection: Connection::KeepAlive,
    },
    Server {
        label: "ch08 1% panics",
        example: "ch08_errors",
        args: &["--workers", "64", "--queue", "1024", "--panic-every", "100"],
        connection: Connection::KeepAlive,
    },
    // < ch08
    // > ch09
    // Chapter 9: `GET /` through N empty middleware layers.
    Server {
        label: "ch09 0 layers",
        example: "ch09_middleware",
        args: &["--workers", "64", "--queue", "1024", "--layers", "0"],
        connection: Connection::KeepAlive,
    },
    Server {
        label: "ch09 1 layer",
        example: "ch09_middleware",
        args: &["--workers", "64", "--queue", "1024", "--layers", "1"],
        connection: Connection::KeepAlive,
    },
    Server {
        label: "ch09 5 layers",
        example: "ch09_middleware",
        args: &["--workers", "64", "--queue", "1024", "--layers", "5"],
        connection: Connection::KeepAlive,
    },
    Server {
        label: "ch09 10 layers",
        example: "ch09_middleware",
        args: &["--workers", "64", "--queue", "1024", "--layers", "10"],
        connection: Connection::KeepAlive,
    },
    // < ch09
    // > ch10
    // Chapter 10's hardened server: idle connections parked in a poller. Idle clients are
    // kept for a minute, so that the idle-keepalive crowd stays open for the whole run
    // instead of being closed after the default 5 s.
    Server {
        label: "ch10 hardened",
        example: "ch10_hardened",
        args: &["--workers", "64", "--queue", "1024", "--idle-ms", "60000"],
        connection: Connection::KeepAlive,
    },
    // < ch10
];
// ANCHOR_END: servers

/// What a workload does to a server.
enum Kind {
    /// Closed-loop requests for `path`, `pipeline` at a time on each connection.
    Requests { path: &'static str, pipeline: usize },
    /// Open connections and leave them idle; measure what they cost the server.
    Idle,
    /// Chapter 10: hold connections open as `held` says, and meanwhile measure a fresh
    /// client's closed-loop requests for `path` ([`FRESH`] connections).
    Crowd { held: Held, path: &'static str },
    /// Chapter 10: closed-loop requests for `path` from more clients than the server can
    /// take at once; the `503`s show up as errors.
    Overload { path: &'static str },
}

/// How many connections the fresh client of a crowd workload uses: the same as a `hello`
/// row's, so the two can be compared.
const FRESH: usize = 16;

/// A named workload.
struct Workload {
    name: &'static str,
    about: &'static str,
    kind: Kind,
    /// Whether a run without `--workloads` includes it. Chapter 10's workloads run only when
    /// named: against the servers before chapter 10 they mostly wait for timeouts.
    by_default: bool,
}

// ANCHOR: workloads
/// The workloads, in the order the table lists them.
const WORKLOADS: &[Workload] = &[
    Workload {
        name: "hello",
        about: "GET /: the smallest response, so the server's own overhead shows",
        kind: Kind::Requests {
            path: "/",
            pipeline: 1,
        },
        by_default: true,
    },
    Workload {
        name: "slow",
        about: "GET /slow: 10 ms of blocking work per request, like a database call",
        kind: Kind::Requests {
            path: "/slow",
            pipeline: 1,
        },
        by_default: true,
    },
    Workload {
        name: "pipelined",
        about: "GET / sent 16 at a time before reading (keep-alive servers only)",
        kind: Kind::Requests {
            path: "/",
            pipeline: 16,
        },
        by_default: true,
    },
    Workload {
        name: "idle",
        about: "open connections that send nothing: the server's memory and threads",
        kind: Kind::Idle,
        by_default: true,
    },
    Workload {
        name: "slow-clients",
        about: "N slowloris clients (a byte of a head, then nothing) held; 16 others GET /",
        kind: Kind::Crowd {
            held: Held::HalfHead,
            path: "/",
        },
        by_default: false,
    },
    Workload {
        name: "idle-keepalive",
        about: "N idle keep-alive clients (a request, then nothing) held; 16 others GET /",
        kind: Kind::Crowd {
            held: Held::KeptAlive,
            path: "/",
        },
        by_default: false,
    },
    Workload {
        name: "overload",
        about:
            "GET /slow from N clients at once (128: twice what 64 workers serve); 503s are errors",
        kind: Kind::Overload { path: "/slow" },
        by_default: false,
    },
];
// ANCHOR_END: workloads

/// Everything the command line chose.
struct Options {
    servers: Vec<&'static Server>,
    workloads: Vec<&'static Workload>,
    connections: Vec<usize>,
    idle: Vec<usize>,
    slow: Vec<usize>,
    overload: Vec<usize>,
    warmup: Duration,
    duration: Duration,
    timeout: Duration,
    runs: usize,
    out: Option<PathBuf>,
    /// What drives the request workloads (wrk when it is installed).
    generator: Generator,
    /// Why the generator is not wrk, when wrk was wanted but missing.
    note: Option<String>,
}

const VALUE_FLAGS: &[&str] = &[
    "--servers",
    "--workloads",
    "--connections",
    "--idle",
    "--slow",
    "--overload",
    "--duration-ms",
    "--warmup-ms",
    "--timeout-ms",
    "--runs",
    "--out",
    "--loadgen",
];

fn usage() -> String {
    let mut text = String::from(
        "compare: run every chapter's server under the same load and tabulate the results.

usage: cargo run --release --example compare -- [flags]

  --servers LIST      servers to run, by label or example name prefix (default: all)
  --workloads LIST    workloads to run (default: all but chapter 10's three)
  --connections LIST  concurrent connections for request workloads (default: 1,16,64)
  --idle LIST         idle connections held for the idle and idle-keepalive workloads
                      (default: 1,100,1000)
  --slow LIST         slowloris connections held for slow-clients (default: 300)
  --overload LIST     concurrent clients for overload (default: 128,256)
  --warmup-ms N       load before measuring, discarded (default: 1000)
  --duration-ms N     measured load per run (default: 5000)
  --timeout-ms N      longest connect, write or response before it is an error (default: 2000)
  --runs N            runs per row; the median run is reported (default: 1; the book uses 3)
  --loadgen wrk|own   what drives hello and slow: wrk, or weft's own generator (default:
                      wrk if it is on PATH, else the own one, saying so); pipelined and
                      chapter 10's workloads always use the own one
  --out PREFIX        also write PREFIX.md (results page) and PREFIX.svg (a chart per
                      workload)
  --short             tiny durations, at most 100 idle connections, 10 slow ones and 32
                      overloading clients, for tests
  --book              regenerate every figure in the book (the commands the chapters
                      show), one after another; with --list, only print them
  --help              this text

LISTs are comma-separated: --servers ch02,ch04 --connections 1,16

servers:
",
    );
    for server in SERVERS {
        text.push_str(&format!(
            "  {:<18} examples/{}.rs\n",
            server.label, server.example
        ));
    }
    text.push_str("\nworkloads:\n");
    for workload in WORKLOADS {
        text.push_str(&format!("  {:<15} {}\n", workload.name, workload.about));
    }
    text
}

// ANCHOR: book
/// Every figure of the step-comparison tool in the book, with the arguments the chapter that
/// includes it shows. `--book` runs them all, one after another; `--book --list` prints them.
/// A test checks that each appears, word for word, in a chapter.
const BOOK_FIGURES: &[&str] = &[
    "--servers ch02 --workloads hello,slow --connections 1,16,64 --runs 3 --out chapters/figures/ch02",
    "--servers ch02,ch03 --workloads hello,slow --connections 1,16,64 --runs 3 --out chapters/figures/ch03", // > ch03
    "--servers ch03 --workloads idle --idle 1,100,1000 --runs 3 --out chapters/figures/ch03-cost", // > ch03
    "--servers ch02,ch03,ch04 --workloads hello,slow,idle --runs 3 --out chapters/figures/ch02-04", // > ch04
    "--servers ch04,ch05 --workloads hello,slow,pipelined,idle --runs 3 --duration-ms 2000 --warmup-ms 500 --out chapters/figures/ch05", // > ch05
    "--servers ch05,ch07 --workloads hello,slow,pipelined --runs 3 --duration-ms 2000 --warmup-ms 500 --out chapters/figures/ch07", // > ch07
    "--servers ch07,ch08 --workloads hello --runs 3 --duration-ms 2000 --warmup-ms 500 --out chapters/figures/ch08", // > ch08
    "--servers ch07,ch09 --workloads hello --runs 3 --duration-ms 2000 --warmup-ms 500 --out chapters/figures/ch09", // > ch09
    "--servers ch04,ch05,ch10 --workloads hello,slow-clients,idle-keepalive,overload --connections 16 --idle 1000,10000 --runs 3 --duration-ms 2000 --warmup-ms 500 --out chapters/figures/ch10", // > ch10
];

/// Regenerates every figure in [`BOOK_FIGURES`] by running this program once per figure, or
/// only lists them. Run from the repository's root, under `ulimit -n 20000` (chapter 10's
/// figure holds ten thousand connections).
fn book(list_only: bool) -> ExitCode {
    if list_only {
        BOOK_FIGURES.iter().for_each(|args| println!("{args}"));
        return ExitCode::SUCCESS;
    }
    let Ok(me) = std::env::current_exe() else {
        eprintln!("error: cannot find this program");
        return ExitCode::FAILURE;
    };
    for (n, args) in BOOK_FIGURES.iter().enumerate() {
        eprintln!("figure {} of {}: compare {args}", n + 1, BOOK_FIGURES.len());
        let ok = std::process::Command::new(&me)
            .args(args.split_whitespace())
            .status()
            .is_ok_and(|status| status.success());
        if !ok {
            eprintln!("error: figure {} failed: compare {args}", n + 1);
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
// ANCHOR_END: book

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|arg| arg == "--help" || arg == "-h") {
        print!("{}", usage());
        return ExitCode::SUCCESS;
    }
    if args.iter().any(|arg| arg == "--book") {
        return book(args.iter().any(|arg| arg == "--list"));
    }
    let options = match parse(&args) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("error: {message}\n\n{}", usage());
            return ExitCode::from(2);
        }
    };
    let examples_dir = match std::env::current_exe() {
        Ok(exe) => exe.parent().map(Path::to_path_buf).unwrap_or_default(),
        Err(err) => {
            eprintln!("error: cannot find this program's own directory: {err}");
            return ExitCode::FAILURE;
        }
    };
    let release = examples_dir
        .parent()
        .is_some_and(|profile| profile.ends_with("release"));
    let when = SystemTime::now();

    let servers = available(&options.servers);
    let programs = build(&servers, release, &examples_dir);
    if let Some(note) = &options.note {
        eprintln!("warning: {note}");
    }
    let (rows, failures) = measure_all(&servers, &options, &programs);

    print!("{}", table::markdown(&rows));
    if let Some(prefix) = &options.out {
        let how = Provenance {
            when,
            machine: Machine::current(),
            command: table::command_line("compare", &args, release),
            runs: options.runs,
            warmup: options.warmup,
            duration: options.duration,
            generator: load_note(&options),
            built: built_note(&servers, &programs),
        };
        if let Err(err) = write_outputs(prefix, &rows, &how) {
            eprintln!("error: cannot write {}.*: {err}", prefix.display());
            return ExitCode::FAILURE;
        }
    }
    if failures > 0 {
        eprintln!("{failures} row(s) failed in every run; see the messages above");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// Turns the arguments into [`Options`], or says what is wrong with them.
fn parse(args: &[String]) -> Result<Options, String> {
    let short = args.iter().any(|arg| arg == "--short");
    let rest = args.iter().filter(|arg| *arg != "--short").cloned();
    let flags = Flags::parse(rest, VALUE_FLAGS).map_err(|err| err.to_string())?;
    let millis = |flag: &str, default: u64| -> Result<Duration, String> {
        let ms: u64 = flags.value_or(flag, default).map_err(|e| e.to_string())?;
        Ok(Duration::from_millis(ms))
    };
    let (generator, note) = Generator::pick(Choice::parse(flags.get("--loadgen"))?)?;
    let options = Options {
        servers: flags.pick("--servers", SERVERS, |s, item| {
            s.label.starts_with(item) || s.example.starts_with(item)
        })?,
        workloads: match flags.get("--workloads") {
            Some(_) => flags.pick("--workloads", WORKLOADS, |w, item| w.name == item)?,
            None => WORKLOADS.iter().filter(|w| w.by_default).collect(),
        },
        connections: flags.numbers("--connections", &[1, 16, 64])?,
        idle: flags.numbers(
            "--idle",
            if short {
                &[1, 10, 100]
            } else {
                &[1, 100, 1000]
            },
        )?,
        slow: flags.numbers("--slow", if short { &[10] } else { &[300] })?,
        overload: flags.numbers("--overload", if short { &[32] } else { &[128, 256] })?,
        warmup: millis("--warmup-ms", if short { 50 } else { 1000 })?,
        duration: millis("--duration-ms", if short { 200 } else { 5000 })?,
        timeout: millis("--timeout-ms", 2000)?,
        runs: flags.value_or("--runs", 1).map_err(|e| e.to_string())?,
        out: flags.get("--out").map(PathBuf::from),
        generator,
        note,
    };
    if options.runs == 0 {
        return Err("--runs: must be at least 1".into());
    }
    if options.duration.is_zero() || options.timeout.is_zero() {
        return Err("--duration-ms and --timeout-ms must be more than 0".into());
    }
    Ok(options)
}

/// What generated the load, for the results page: the chosen generator for the request
/// workloads; the own generator for pipelining (wrk's latencies are wrong when it pipelines)
/// and for chapter 10's workloads, whose rows count what misbehaving clients do to a server
/// (wrk checks that it can connect before it starts, and would refuse such a run).
fn load_note(options: &Options) -> String {
    let (mut requests, mut own) = (Vec::new(), Vec::new());
    for workload in &options.workloads {
        match workload.kind {
            Kind::Requests { pipeline: 1, .. } => requests.push(workload.name),
            Kind::Requests { .. } | Kind::Crowd { .. } | Kind::Overload { .. } => {
                own.push(workload.name)
            }
            Kind::Idle => {}
        }
    }
    options
        .generator
        .load_note(requests, own, options.note.as_deref())
}

/// The servers whose example exists in this checkout; the others are skipped, saying so.
fn available<'a>(servers: &[&'a Server]) -> Vec<&'a Server> {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    servers
        .iter()
        .copied()
        .filter(|server| {
            let file = examples.join(format!("{}.rs", server.example));
            let dir = examples.join(server.example).join("main.rs");
            let exists = file.is_file() || dir.is_file();
            if !exists {
                eprintln!(
                    "skipping {}: examples/{}.rs does not exist in this checkout",
                    server.label, server.example
                );
            }
            exists
        })
        .collect()
}

// ANCHOR: snapshots
/// A server's program, and what it was built from.
struct Program {
    path: PathBuf,
    /// `snapshot ch05`, or why it is not its chapter's snapshot.
    from: String,
}

/// Brings each server's binary up to date with cargo, in this program's own profile, so the
/// table never measures stale code: in this repository, chapter N's server is built from
/// chapter N's snapshot (`cargo xtask snapshot`), so that a step is measured as it stood at
/// the end of its chapter, not as the finished library with switches turned off. Snapshots
/// are written into `target/snapshots/chNN` and built into one shared target directory,
/// `target/snapshots-target`, where their dependencies are compiled once.
///
/// In a snapshot (which has no snapshot tool) the servers are this workspace's examples. A
/// snapshot that does not build falls back to them too, and the results page says so.
fn build(servers: &[&Server], release: bool, examples: &Path) -> Vec<Program> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let here = |server: &Server, from: String| Program {
        path: examples.join(server.example),
        from,
    };
    let mut programs: Vec<Option<Program>> = servers.iter().map(|_| None).collect();
    if root.join("tools/src/bin/xtask").is_dir() && !servers.is_empty() {
        let snapshots = root.join("target/snapshots");
        let target = root.join("target/snapshots-target");
        let profile = if release { "release" } else { "debug" };
        // One snapshot and one build per chapter, of that chapter's servers only.
        let mut chapters: Vec<&str> = servers.iter().map(|s| chapter_of(s.example)).collect();
        chapters.sort_unstable();
        chapters.dedup();
        for chapter in chapters {
            let snapshot = snapshots.join(chapter);
            // The tool's report goes to stderr with the progress: stdout is the table.
            let written = Command::new(env!("CARGO"))
                .current_dir(root)
                .args(["xtask", "snapshot", chapter])
                .arg(&snapshot)
                .stdout(std::io::stderr())
                .status()
                .is_ok_and(|status| status.success());
            let mut cargo = Command::new(env!("CARGO"));
            cargo.args(["build", "--quiet", "--offline", "--manifest-path"]);
            cargo.arg(snapshot.join("Cargo.toml"));
            cargo.env("CARGO_TARGET_DIR", &target);
            if release {
                cargo.arg("--release");
            }
            let mine: Vec<usize> = (0..servers.len())
                .filter(|&i| chapter_of(servers[i].example) == chapter)
                .collect();
            let mut names: Vec<&str> = mine.iter().map(|&i| servers[i].example).collect();
            names.sort_unstable();
            names.dedup();
            for name in &names {
                cargo.args(["--example", name]);
            }
            eprintln!("building {} from snapshot {chapter}", names.join(", "));
            let built = written && cargo.status().is_ok_and(|status| status.success());
            if !built {
                eprintln!(
                    "warning: snapshot {chapter} did not build; measuring this workspace's \
                     examples instead"
                );
            }
            for i in mine {
                programs[i] = Some(if built {
                    Program {
                        path: target
                            .join(profile)
                            .join("examples")
                            .join(servers[i].example),
                        from: format!("snapshot {chapter}"),
                    }
                } else {
                    here(
                        servers[i],
                        format!("the finished library (snapshot {chapter} did not build)"),
                    )
                });
            }
        }
    }
    // What no snapshot built is built here.
    let rest: Vec<&Server> = (0..servers.len())
        .filter(|&i| !matches!(&programs[i], Some(p) if p.from.starts_with("snapshot ")))
        .map(|i| servers[i])
        .collect();
    build_here(&rest, release);
    servers
        .iter()
        .zip(programs)
        .map(|(server, program)| {
            program.unwrap_or_else(|| here(server, "this workspace".to_string()))
        })
        .collect()
}
// ANCHOR_END: snapshots

/// `ch05` for `ch05_http`.
fn chapter_of(example: &str) -> &str {
    example.get(..4).unwrap_or(example)
}

/// The results page's sentence on what each server was built from.
fn built_note(servers: &[&Server], programs: &[Program]) -> String {
    let mut parts: Vec<String> = Vec::new();
    for (server, program) in servers.iter().zip(programs) {
        let part = format!("{} from {}", server.label, program.from);
        if !parts.contains(&part) {
            parts.push(part);
        }
    }
    if parts.is_empty() {
        return String::new();
    }
    format!("Servers built from: {}.", parts.join("; "))
}

/// Builds the servers' examples in this workspace, in this program's own profile. If cargo
/// cannot run, measures the binaries already built.
fn build_here(servers: &[&Server], release: bool) {
    if servers.is_empty() {
        return;
    }
    let mut cargo = Command::new(env!("CARGO"));
    cargo.args(["build", "--quiet", "--manifest-path"]);
    cargo.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"));
    if release {
        cargo.arg("--release");
    }
    for server in servers {
        cargo.args(["--example", server.example]);
    }
    eprintln!(
        "building {} example(s){}",
        servers.len(),
        if release { " in release mode" } else { "" }
    );
    match cargo.status() {
        Ok(status) if status.success() => {}
        Ok(status) => eprintln!("warning: cargo build failed ({status}); using what is built"),
        Err(err) => eprintln!("warning: cannot run cargo ({err}); using what is built"),
    }
}

/// One row of the plan: a server, a workload, a number of connections.
struct Step<'a> {
    server: &'a Server,
    /// The server's binary.
    program: &'a Path,
    workload: &'a Workload,
    connections: usize,
}

/// Measures every step of the plan `options.runs` times and keeps each step's median run.
/// Returns the rows and how many steps failed in every run.
fn measure_all(servers: &[&Server], options: &Options, programs: &[Program]) -> (Vec<Row>, usize) {
    let mut plan = Vec::new();
    for (&server, program) in servers.iter().zip(programs) {
        for &workload in &options.workloads {
            let counts = match workload.kind {
                Kind::Idle => &options.idle,
                Kind::Crowd {
                    held: Held::HalfHead,
                    ..
                } => &options.slow,
                Kind::Crowd { .. } => &options.idle,
                Kind::Overload { .. } => &options.overload,
                Kind::Requests { pipeline, .. } => {
                    if pipeline > 1 && server.connection == Connection::Close {
                        eprintln!(
                            "skipping {} × {}: the server closes after each response",
                            server.label, workload.name
                        );
                        continue;
                    }
                    &options.connections
                }
            };
            for &connections in counts {
                plan.push(Step {
                    server,
                    program: &program.path,
                    workload,
                    connections,
                });
            }
        }
    }
    let limit = procfs::open_files_limit();
    let mut rows = Vec::new();
    let mut failures = 0;
    for (i, step) in plan.iter().enumerate() {
        let mut runs = Vec::new();
        for run in 1..=options.runs {
            eprint!(
                "[{}/{}] {} · {} · {} connection{} · run {run}/{} … ",
                i + 1,
                plan.len(),
                step.server.label,
                step.workload.name,
                step.connections,
                if step.connections == 1 { "" } else { "s" },
                options.runs
            );
            match measure(step, options, limit) {
                Ok(row) => {
                    eprintln!("{}", summary(&row));
                    runs.push(row);
                }
                Err(err) => eprintln!("failed: {err}"),
            }
        }
        let key = |row: &Row| match step.workload.kind {
            Kind::Idle => row.peak_rss_kib.unwrap_or(0) as f64,
            Kind::Requests { .. } | Kind::Crowd { .. } | Kind::Overload { .. } => {
                row.rate.unwrap_or(0.0)
            }
        };
        let keys: Vec<f64> = runs.iter().map(key).collect();
        match table::median_index(&keys) {
            Some(median) => rows.push(runs.swap_remove(median)),
            None => failures += 1,
        }
    }
    (rows, failures)
}

/// A run's result in a few words, for the progress line.
fn summary(row: &Row) -> String {
    let memory = row
        .peak_rss_kib
        .map_or_else(|| "?".into(), table::format_kib);
    let threads = row.threads.map_or_else(|| "?".into(), |t| t.to_string());
    let client = row.client_cpu.map_or_else(String::new, |cpu| {
        format!(", client {cpu:.2} CPU-s/100k req")
    });
    match (row.rate, row.p99) {
        (Some(rate), Some(p99)) => format!(
            "{} req/s, p99 {}, {} errors, {memory}, {threads} threads{client}",
            table::format_rate(rate),
            table::format_latency(p99),
            row.errors
        ),
        (Some(_), None) => format!("no successful responses, {} errors", row.errors),
        (None, _) => format!("{memory}, {threads} threads, {} errors", row.errors),
    }
}

/// Runs one step once, against a freshly started server, so that no step inherits another's
/// threads or memory high-water mark.
fn measure(step: &Step, options: &Options, open_files: Option<usize>) -> Result<Row, String> {
    let program = step.program;
    let mut server =
        ServerProcess::start(program, step.server.args, "warn", Duration::from_secs(10))
            .map_err(|err| format!("cannot start {}: {err}", program.display()))?;
    let mut row = Row::new(step.server.label, step.workload.name, step.connections);
    match step.workload.kind {
        Kind::Requests { path, pipeline } => load_requests(
            &mut row,
            &server,
            step.server.connection,
            step.connections,
            path,
            pipeline,
            options,
            &options.generator,
        )?,
        Kind::Overload { path } => load_requests(
            &mut row,
            &server,
            step.server.connection,
            step.connections,
            path,
            1,
            options,
            &Generator::Own,
        )?,
        Kind::Idle => hold_idle(&mut row, &server, step, options, open_files)?,
        Kind::Crowd { held, path } => {
            hold_then_load(&mut row, &server, step, held, path, options, open_files)?
        }
    }
    if server.has_exited() {
        return Err(format!(
            "the server exited during the run{}",
            server.last_words()
        ));
    }
    Ok(row)
}

// ANCHOR: load_requests
/// Drives `server` with closed-loop requests from `generator` while sampling its memory and
/// threads, and records what the run cost the client and the server.
#[allow(clippy::too_many_arguments)]
fn load_requests(
    row: &mut Row,
    server: &ServerProcess,
    connection: Connection,
    connections: usize,
    path: &str,
    pipeline: usize,
    options: &Options,
    generator: &Generator,
) -> Result<(), String> {
    let sampler = Sampler::start(server.pid(), Duration::from_millis(20));
    let load = Load {
        addr: server.addr,
        path: path.to_string(),
        connections,
        connection,
        pipeline,
        warmup: options.warmup,
        duration: options.duration,
        timeout: options.timeout,
    };
    let measured = generator::run(generator, &load, Some(server.pid()));
    let peak = sampler.finish();
    let measured = measured?;
    row.rate = Some(measured.rate());
    row.p50 = measured.p50;
    row.p99 = measured.p99;
    row.errors = measured.errors;
    row.peak_rss_kib = Some(peak.peak_rss_kib).filter(|&kib| kib > 0);
    row.threads = Some(peak.threads).filter(|&threads| threads > 0);
    row.client_cpu = measured.client_cpu_per_100k();
    row.switches = measured.switches_per_request();
    Ok(())
}
// ANCHOR_END: load_requests

// ANCHOR: hold_then_load
/// Chapter 10: holds `step.connections` connections open as `held` says, and meanwhile
/// drives the server with [`FRESH`] connections of closed-loop requests for `path`. Crowd
/// clients that could not connect, or that the server let go before the end of the run, are
/// counted as connect errors: the row's load was lighter than its label by that many. A server
/// that closes after each response cannot keep a connection alive: its "idle keep-alive"
/// clients are connections that have not spoken yet, which hold its workers the same way.
fn hold_then_load(
    row: &mut Row,
    server: &ServerProcess,
    step: &Step,
    held: Held,
    path: &str,
    options: &Options,
    open_files: Option<usize>,
) -> Result<(), String> {
    let held = match (held, step.server.connection) {
        (Held::KeptAlive, Connection::Close) => Held::Silent,
        (held, _) => held,
    };
    let wanted = step.connections;
    // This process and the server each need a descriptor per connection, plus the fresh
    // client's and a few.
    let count = match open_files {
        Some(limit) if wanted + FRESH + 64 > limit => {
            eprint!(
                "(only {} of {wanted}: raise `ulimit -n`) ",
                limit - FRESH - 64
            );
            limit.saturating_sub(FRESH + 64)
        }
        _ => wanted,
    };
    let (crowd, failed) = loadgen::hold(server.addr, count, held, options.timeout);
    let connection = step.server.connection;
    let own = &Generator::Own;
    load_requests(row, server, connection, FRESH, path, 1, options, own)?;
    // A crowd client the server closed (or answered, with a 408 or a 503) before the end of
    // the run was not held for all of it: it counts as an error like one that never connected.
    let let_go = crowd
        .iter()
        .filter(|stream| !loadgen::still_open(stream))
        .count();
    drop(crowd);
    row.errors.connect += failed + (wanted - count) as u64 + let_go as u64;
    Ok(())
}
// ANCHOR_END: hold_then_load

// ANCHOR: hold_idle
/// Opens `step.connections` idle connections to `server`, waits for it to settle, and
/// records its memory and threads.
fn hold_idle(
    row: &mut Row,
    server: &ServerProcess,
    step: &Step,
    options: &Options,
    open_files: Option<usize>,
) -> Result<(), String> {
    let wanted = step.connections;
    // This process and the server each need a descriptor per connection, plus a few.
    let count = match open_files {
        Some(limit) if wanted + 64 > limit => {
            eprint!("(only {} of {wanted}: raise `ulimit -n`) ", limit - 64);
            limit.saturating_sub(64)
        }
        _ => wanted,
    };
    // A connect can take a second when the server's accept queue overflows for a moment:
    // the kernel drops the handshake and the client resends it after 1 s.
    let (held, failed) = loadgen::hold_idle(server.addr, count, options.timeout);
    let every = Duration::from_millis(20);
    let settled = procfs::settle(server.pid(), every, 5, Duration::from_secs(3))
        .map_err(|err| format!("cannot read the server's /proc status: {err}"))?;
    drop(held);
    row.errors.connect = failed + (wanted - count) as u64;
    row.peak_rss_kib = Some(settled.peak_rss_kib);
    row.threads = Some(settled.threads);
    Ok(())
}
// ANCHOR_END: hold_idle

/// Writes `PREFIX.md` (the results page) and `PREFIX.svg` (a chart per workload).
fn write_outputs(prefix: &Path, rows: &[Row], how: &Provenance) -> std::io::Result<()> {
    if let Some(dir) = prefix.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        fs::create_dir_all(dir)?;
    }
    let path = |suffix: &str| {
        let mut name = prefix.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    };
    let (page, svg) = (path(".md"), path(".svg"));
    fs::write(&page, table::document(rows, how))?;
    let mut workloads: Vec<&str> = Vec::new();
    for row in rows {
        if !workloads.contains(&row.workload.as_str()) {
            workloads.push(&row.workload);
        }
    }
    let charts: Vec<BarChart> = workloads
        .iter()
        .map(|&workload| {
            // Request workloads chart requests/s; the idle workload, which sends none, memory.
            let requests = rows
                .iter()
                .any(|row| row.workload == workload && row.rate.is_some());
            if requests {
                chart::requests_chart(workload, rows)
            } else {
                chart::memory_chart(workload, rows)
            }
        })
        .collect();
    fs::write(&svg, chart::stack(&charts))?;
    eprintln!("wrote {} and {}", page.display(), svg.display());
    Ok(())
}
