//! The peer comparison (chapter 11): weft's showcase binary, five other Rust servers and a
//! bare pool with no framework (`benches/peers/`), each started in turn and driven by wrk
//! (or, without wrk, the step-comparison tool's own load generator) with kept-alive
//! `GET /plaintext` and `GET /json` at 1, 16, 64 and 256 connections. Prints the table and the ratios weft ÷ each peer; optionally writes a results
//! page and an SVG chart.
//!
//! With `--chapter 12` it runs chapter 12's plan instead ("where threads end"): weft with 64
//! and with 512 worker threads against the async peers (axum, may_minihttp) under slow
//! handlers (`/slow`, `/slow-blocking`) and under crowds of idle keep-alive connections.
//!
//! Run: `cargo run --release --example peers -- --help`

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, SystemTime};

use weft_tools::cli::Flags;
use weft_tools::measure::chart;
use weft_tools::measure::child::ServerProcess;
use weft_tools::measure::generator::{self, Choice, Generator};
use weft_tools::measure::loadgen::{self, Connection, Held, Load};
use weft_tools::measure::peers;
use weft_tools::measure::procfs::{self, Machine, Sampler};
use weft_tools::measure::table::{self, Provenance, Row};

/// Where a server's binary comes from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Binary {
    /// weft's own showcase, `src/main.rs`, built in this program's profile.
    Weft,
    /// One of weft's examples (`examples/<name>.rs`), built in this program's profile.
    Example(&'static str),
    /// A binary of the `benches/peers` package, always built in release mode.
    Peer(&'static str),
}

/// A server in the comparison.
struct Server {
    /// The name in the table and chart; `--servers` matches its start.
    label: &'static str,
    binary: Binary,
    /// What it is, for `--help` and the results page.
    about: &'static str,
    /// Whether it keeps connections alive (all but the Rust Book's design do).
    connection: Connection,
    /// Its worker threads, fixed: `--weft-workers` and `--peer-workers` do not change them.
    workers: Option<usize>,
    /// Arguments after `--addr 127.0.0.1:0`.
    args: &'static [&'static str],
    /// Whether it serves chapter 12's `/slow?ms=N` and `/slow-blocking?ms=N`.
    slow: bool,
    /// The chapters whose default plan includes it (`--chapter`, default 11).
    chapters: &'static [u32],
}

/// The label ratios are taken of.
const SUBJECT: &str = "weft";

// ANCHOR: servers
/// weft and its peers. Each is started with `--addr 127.0.0.1:0` (and `--workers` when given).
const SERVERS: &[Server] = &[
    Server {
        label: SUBJECT,
        binary: Binary::Weft,
        about: "weft's showcase App: router, Request/Response, logging at warn",
        connection: Connection::KeepAlive,
        workers: None,
        args: &[],
        slow: false,
        chapters: &[11],
    },
    Server {
        label: "actix-web",
        binary: Binary::Peer("peer-actix"),
        about: "actix-web 4: a single-threaded Tokio runtime per core",
        connection: Connection::KeepAlive,
        workers: None,
        args: &[],
        slow: false,
        chapters: &[11],
    },
    Server {
        label: "axum",
        binary: Binary::Peer("peer-axum"),
        about: "axum 0.8 on hyper 1 and Tokio's work-stealing runtime",
        connection: Connection::KeepAlive,
        workers: None,
        args: &[],
        slow: true,
        chapters: &[11, 12],
    },
    Server {
        label: "may-minihttp",
        binary: Binary::Peer("peer-may-minihttp"),
        about: "may_minihttp: stackful coroutines, one per connection",
        connection: Connection::KeepAlive,
        workers: None,
        args: &[],
        slow: true,
        chapters: &[11, 12],
    },
    Server {
        label: "tiny_http",
        binary: Binary::Peer("peer-tiny-http"),
        about: "tiny_http 0.12: synchronous, a thread per connection parses",
        connection: Connection::KeepAlive,
        workers: None,
        args: &[],
        slow: false,
        chapters: &[11],
    },
    Server {
        label: "bare-pool",
        binary: Binary::Peer("peer-bare-pool"),
        about: "weft's design and nothing else: 64 threads, a crossbeam queue, httparse, \
                keep-alive, fixed answers",
        connection: Connection::KeepAlive,
        workers: None,
        args: &[],
        slow: false,
        chapters: &[11],
    },
    Server {
        label: "rustbook",
        binary: Binary::Peer("peer-rustbook"),
        about: "the Rust Book's chapter-20 pool: a connection per request",
        connection: Connection::Close,
        workers: None,
        args: &[],
        slow: false,
        chapters: &[11],
    },
];
// ANCHOR_END: servers

// ANCHOR: ch12_servers
/// Chapter 12's weft: its App (the showcase plus `/slow`) with the pool it has by default and
/// with a pool as large as the most connections chapter 12 opens at once. Idle clients are
/// kept for a minute, so a crowd of them stays open for the whole run.
const CH12_WEFT: &[Server] = &[
    Server {
        label: "weft-64",
        binary: Binary::Example("ch12_app"),
        about: "weft's showcase App plus /slow (examples/ch12_app.rs), 64 worker threads",
        connection: Connection::KeepAlive,
        workers: Some(64),
        args: &["--idle-ms", "60000"],
        slow: true,
        chapters: &[12],
    },
    Server {
        label: "weft-512",
        binary: Binary::Example("ch12_app"),
        about: "the same with 512 worker threads: the synchronous answer to slow handlers",
        connection: Connection::KeepAlive,
        workers: Some(512),
        args: &["--idle-ms", "60000"],
        slow: true,
        chapters: &[12],
    },
];
// ANCHOR_END: ch12_servers

/// What a workload does to a server.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Closed-loop kept-alive `GET path` from `--connections` clients.
    Requests,
    /// Chapter 12: hold `--idle` idle keep-alive connections open (a request each, then
    /// nothing) and meanwhile measure [`FRESH`] clients' closed-loop `GET path`.
    Crowd,
}

/// How many connections the fresh client of a crowd workload uses.
const FRESH: usize = 16;

/// A named workload.
struct Workload {
    name: &'static str,
    path: &'static str,
    kind: Kind,
    /// Whether it needs chapter 12's slow routes.
    slow: bool,
    /// The chapters whose default plan includes it.
    chapters: &'static [u32],
}

// ANCHOR: workloads
const WORKLOADS: &[Workload] = &[
    Workload {
        name: "plaintext",
        path: "/plaintext",
        kind: Kind::Requests,
        slow: false,
        chapters: &[11],
    },
    Workload {
        name: "json",
        path: "/json",
        kind: Kind::Requests,
        slow: false,
        chapters: &[11],
    },
    // Chapter 12: a crowd of idle keep-alive clients beside 16 busy ones.
    Workload {
        name: "idle-keepalive",
        path: "/plaintext",
        kind: Kind::Crowd,
        slow: false,
        chapters: &[12],
    },
    // Chapter 12: 10 ms of waiting per request, by a timer in the async peers (a thread
    // sleeping in weft), and by a thread sleeping everywhere.
    Workload {
        name: "slow",
        path: "/slow?ms=10",
        kind: Kind::Requests,
        slow: true,
        chapters: &[12],
    },
    Workload {
        name: "slow-blocking",
        path: "/slow-blocking?ms=10",
        kind: Kind::Requests,
        slow: true,
        chapters: &[12],
    },
];
// ANCHOR_END: workloads

/// Everything the command line chose.
struct Options {
    servers: Vec<&'static Server>,
    workloads: Vec<&'static Workload>,
    connections: Vec<usize>,
    idle: Vec<usize>,
    warmup: Duration,
    duration: Duration,
    timeout: Duration,
    runs: usize,
    weft_workers: Option<usize>,
    peer_workers: Option<usize>,
    peers_bin: Option<PathBuf>,
    out: Option<PathBuf>,
    /// What drives the request workloads (wrk when it is installed).
    generator: Generator,
    /// Why the generator is not wrk, when wrk was wanted but missing.
    note: Option<String>,
}

const VALUE_FLAGS: &[&str] = &[
    "--chapter",
    "--servers",
    "--workloads",
    "--connections",
    "--idle",
    "--duration-ms",
    "--warmup-ms",
    "--timeout-ms",
    "--runs",
    "--weft-workers",
    "--peer-workers",
    "--peers-bin",
    "--out",
    "--loadgen",
];

/// Every server: chapter 12's weft first, then chapter 11's list.
fn all_servers() -> Vec<&'static Server> {
    CH12_WEFT.iter().chain(SERVERS).collect()
}

fn usage() -> String {
    let mut text = String::from(
        "peers: run weft and its peers under the same load and tabulate the results.

usage: cargo run --release --example peers -- [flags]

  --chapter N         whose plan runs by default: 11 (the peer table) or 12 (where threads
                      end: weft-64, weft-512, axum, may-minihttp; idle-keepalive, slow,
                      slow-blocking) (default: 11)
  --servers LIST      servers to run, by label, or label prefix (default: the chapter's)
  --workloads LIST    workloads to run (default: the chapter's)
  --connections LIST  concurrent kept-alive connections (default: chapter 11 1,16,64,256;
                      chapter 12 64,512)
  --idle LIST         idle keep-alive connections held for idle-keepalive (default:
                      1000,10000; raise `ulimit -n` above the largest first)
  --warmup-ms N       load before measuring, discarded (default: 1000)
  --duration-ms N     measured load per run (default: 5000)
  --timeout-ms N      longest connect, write or response before it is an error (default: 2000)
  --runs N            runs per row; the median run is reported (default: 1)
  --weft-workers N    weft's worker threads (default: weft's own, 64)
  --peer-workers N    every peer's worker threads (default: each peer's own, see
                      benches/peers/README.md)
  --peers-bin DIR     take the peer binaries from DIR instead of building benches/peers
  --loadgen wrk|own   what drives the request workloads: wrk, or weft's own generator
                      (default: wrk if it is on PATH, else the own one, saying so); the 16
                      clients beside an idle crowd always use the own one
  --out PREFIX        also write PREFIX.md (results page) and PREFIX.svg (a chart per
                      workload)
  --short             tiny durations and at most 100 idle connections, for tests
  --help              this text

servers:
",
    );
    for server in all_servers() {
        text.push_str(&format!("  {:<13} {}\n", server.label, server.about));
    }
    text.push_str("\nworkloads:\n");
    for workload in WORKLOADS {
        let what = match workload.kind {
            Kind::Requests => "kept-alive GET",
            Kind::Crowd => "N idle keep-alive clients held; 16 others GET",
        };
        text.push_str(&format!(
            "  {:<15} {what} {}\n",
            workload.name, workload.path
        ));
    }
    text
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|arg| arg == "--help" || arg == "-h") {
        print!("{}", usage());
        return ExitCode::SUCCESS;
    }
    let options = match parse(&args) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("error: {message}\n\n{}", usage());
            return ExitCode::from(2);
        }
    };
    // This example runs from target/<profile>/examples/; weft's binary is one level up.
    let Some(profile_dir) = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.to_path_buf()))
    else {
        eprintln!("error: cannot find this program's own directory");
        return ExitCode::FAILURE;
    };
    let release = profile_dir.ends_with("release");
    let when = SystemTime::now();

    build(&options, release);
    let peers_bin = options.peers_bin.clone().unwrap_or_else(|| {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/peers/target/release")
    });
    let program = |server: &Server| match server.binary {
        Binary::Weft => profile_dir.join("weft"),
        Binary::Example(name) => profile_dir.join("examples").join(name),
        Binary::Peer(name) => peers_bin.join(name),
    };
    if let Some(note) = &options.note {
        eprintln!("warning: {note}");
    }
    let (rows, failures) = measure_all(&options, &program);

    print!("{}", table::markdown(&rows));
    if rows.iter().any(|row| row.server == SUBJECT) {
        println!();
        print!("{}", peers::ratio_table(&rows, SUBJECT));
    }
    if let Some(prefix) = &options.out {
        let how = Provenance {
            when,
            machine: Machine::current(),
            command: table::command_line("peers", &args, release),
            runs: options.runs,
            warmup: options.warmup,
            duration: options.duration,
            generator: load_note(&options),
            built: String::new(),
        };
        if let Err(err) = write_outputs(prefix, &rows, &how, &options) {
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
    let workers = |flag: &str| -> Result<Option<usize>, String> {
        match flags.get(flag) {
            None => Ok(None),
            Some(raw) => match raw.parse::<usize>() {
                Ok(n) if n > 0 => Ok(Some(n)),
                _ => Err(format!("{flag}: {raw:?} is not a positive number")),
            },
        }
    };
    let chapter: u32 = flags.value_or("--chapter", 11).map_err(|e| e.to_string())?;
    if chapter != 11 && chapter != 12 {
        return Err(format!("--chapter: {chapter} has no plan (11 or 12)"));
    }
    let servers = all_servers();
    let workloads: Vec<&'static Workload> = WORKLOADS.iter().collect();
    let (generator, note) = Generator::pick(Choice::parse(flags.get("--loadgen"))?)?;
    let options = Options {
        servers: select(
            &flags,
            "--servers",
            &servers,
            chapter,
            |s| s.label,
            |s| s.chapters,
        )?,
        workloads: select(
            &flags,
            "--workloads",
            &workloads,
            chapter,
            |w| w.name,
            |w| w.chapters,
        )?,
        connections: flags.numbers(
            "--connections",
            if chapter == 12 {
                &[64, 512]
            } else {
                &[1, 16, 64, 256]
            },
        )?,
        idle: flags.numbers("--idle", if short { &[10, 100] } else { &[1000, 10_000] })?,
        warmup: millis("--warmup-ms", if short { 50 } else { 1000 })?,
        duration: millis("--duration-ms", if short { 200 } else { 5000 })?,
        timeout: millis("--timeout-ms", 2000)?,
        runs: flags.value_or("--runs", 1).map_err(|e| e.to_string())?,
        weft_workers: workers("--weft-workers")?,
        peer_workers: workers("--peer-workers")?,
        peers_bin: flags.get("--peers-bin").map(PathBuf::from),
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
/// workloads, the own one for the clients beside an idle crowd (their row counts what the
/// crowd does to them, connect failures included, which wrk's start-up check would refuse).
fn load_note(options: &Options) -> String {
    let (mut requests, mut own) = (Vec::new(), Vec::new());
    for workload in &options.workloads {
        match workload.kind {
            Kind::Requests => requests.push(workload.name),
            Kind::Crowd => own.push(workload.name),
        }
    }
    options
        .generator
        .load_note(requests, own, options.note.as_deref())
}

/// The entries of `all` that `flag`'s comma-separated items pick, in `all`'s order: an item
/// picks the entry named exactly so, or else every entry whose name it begins (`tiny` picks
/// `tiny_http`; `weft` picks only `weft`, not `weft-64`). Every item must pick at least one.
/// No flag picks the entries of `chapter`'s plan.
fn select<T>(
    flags: &Flags,
    flag: &str,
    all: &[&'static T],
    chapter: u32,
    name: impl Fn(&T) -> &str,
    chapters: impl Fn(&T) -> &[u32],
) -> Result<Vec<&'static T>, String> {
    let Some(raw) = flags.get(flag) else {
        return Ok(all
            .iter()
            .copied()
            .filter(|entry| chapters(entry).contains(&chapter))
            .collect());
    };
    let mut picked: Vec<&'static T> = Vec::new();
    for item in raw.split(',').map(str::trim) {
        let exact = all.iter().any(|entry| name(entry) == item);
        let matches = |entry: &T| {
            if exact {
                name(entry) == item
            } else {
                !item.is_empty() && name(entry).starts_with(item)
            }
        };
        if !all.iter().any(|entry| matches(entry)) {
            return Err(format!(
                "{flag}: nothing is called {item:?} (see the list below)"
            ));
        }
        picked.extend(all.iter().copied().filter(|entry| matches(entry)));
    }
    Ok(all
        .iter()
        .copied()
        .filter(|entry| picked.iter().any(|p| std::ptr::eq(*p, *entry)))
        .collect())
}

// ANCHOR: build
/// Brings the binaries up to date, so the table never measures stale code: weft's showcase
/// in this program's profile, the chosen peers always in release mode (their own package,
/// with its own `Cargo.lock` and `target/`). A failed build is reported and what is already
/// built is measured; a missing binary then fails its rows.
fn build(options: &Options, release: bool) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut jobs = Vec::new();
    let mut weft: Vec<[&str; 2]> = Vec::new();
    for server in &options.servers {
        let target = match server.binary {
            Binary::Weft => ["--bin", "weft"],
            Binary::Example(name) => ["--example", name],
            Binary::Peer(_) => continue,
        };
        if !weft.contains(&target) {
            weft.push(target);
        }
    }
    if !weft.is_empty() {
        let mut cargo = Command::new(env!("CARGO"));
        cargo.args(["build", "--quiet", "--manifest-path"]);
        cargo.arg(root.join("Cargo.toml"));
        cargo.args(weft.concat());
        if release {
            cargo.arg("--release");
        }
        jobs.push(("weft", cargo));
    }
    let peers: Vec<&str> = options
        .servers
        .iter()
        .filter_map(|server| match server.binary {
            Binary::Peer(name) => Some(name),
            Binary::Weft | Binary::Example(_) => None,
        })
        .collect();
    if !peers.is_empty() && options.peers_bin.is_none() {
        let mut cargo = Command::new(env!("CARGO"));
        cargo.args(["build", "--quiet", "--release", "--manifest-path"]);
        cargo.arg(root.join("benches/peers/Cargo.toml"));
        for peer in &peers {
            cargo.args(["--bin", peer]);
        }
        jobs.push(("the peers (the first build takes minutes)", cargo));
    }
    for (what, mut cargo) in jobs {
        eprintln!("building {what}");
        match cargo.status() {
            Ok(status) if status.success() => {}
            Ok(status) => eprintln!("warning: cargo build failed ({status}); using what is built"),
            Err(err) => eprintln!("warning: cannot run cargo ({err}); using what is built"),
        }
    }
}
// ANCHOR_END: build

/// One row of the plan.
struct Step<'a> {
    server: &'a Server,
    workload: &'a Workload,
    connections: usize,
}

/// Measures every step `options.runs` times and keeps each step's median run (by
/// requests/s). Returns the rows and how many steps failed in every run.
///
/// Each run goes through the plan workload by workload, then connections, then server: the
/// servers compared in one group of the table are measured seconds apart, under much the same
/// noise, and alternate from run to run.
fn measure_all(options: &Options, program: &dyn Fn(&Server) -> PathBuf) -> (Vec<Row>, usize) {
    let mut plan = Vec::new();
    for &workload in &options.workloads {
        let counts = match workload.kind {
            Kind::Requests => &options.connections,
            Kind::Crowd => &options.idle,
        };
        for &connections in counts {
            for &server in &options.servers {
                if workload.slow && !server.slow {
                    continue; // said once below
                }
                plan.push(Step {
                    server,
                    workload,
                    connections,
                });
            }
        }
    }
    for workload in options.workloads.iter().filter(|w| w.slow) {
        for server in options.servers.iter().filter(|s| !s.slow) {
            eprintln!(
                "skipping {} × {}: it has no slow routes",
                server.label, workload.name
            );
        }
    }
    let open_files = procfs::open_files_limit();
    // Run by run through the whole plan: every step's runs are spread over the whole
    // measurement, so a spell of noise lands on one run of several steps, not on every run of
    // one step, and the medians compare the servers under the same conditions.
    let mut runs: Vec<Vec<Row>> = plan.iter().map(|_| Vec::new()).collect();
    for run in 1..=options.runs {
        for (i, step) in plan.iter().enumerate() {
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
            match measure(step, options, &program(step.server), open_files) {
                Ok(row) => {
                    eprintln!("{}", summary(&row));
                    runs[i].push(row);
                }
                Err(err) => eprintln!("failed: {err}"),
            }
        }
    }
    let mut rows = Vec::new();
    let mut failures = 0;
    for (step, mut runs) in plan.iter().zip(runs) {
        // A crowd run that could not hold its whole crowd (a busy machine can make the
        // tool's connects time out) measured a smaller crowd than its label says: when some
        // run held all of it, the median is taken of those runs only.
        if step.workload.kind == Kind::Crowd && runs.iter().any(|row| row.errors.connect == 0) {
            runs.retain(|row| row.errors.connect == 0);
        }
        let rates: Vec<f64> = runs.iter().map(|row| row.rate.unwrap_or(0.0)).collect();
        match table::median_index(&rates) {
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
    let client = row.client_cpu.map_or_else(String::new, |cpu| {
        format!(", client {cpu:.2} CPU-s/100k req")
    });
    match (row.rate, row.p99) {
        (Some(rate), Some(p99)) => format!(
            "{} req/s, p99 {}, {} errors, {memory}{client}",
            table::format_rate(rate),
            table::format_latency(p99),
            row.errors
        ),
        _ => format!("no successful responses, {} errors", row.errors),
    }
}

// ANCHOR: measure
/// Runs one step once against a freshly started server, sampling its memory and threads.
fn measure(
    step: &Step,
    options: &Options,
    program: &Path,
    open_files: Option<usize>,
) -> Result<Row, String> {
    let workers = match step.server.binary {
        _ if step.server.workers.is_some() => step.server.workers,
        Binary::Weft | Binary::Example(_) => options.weft_workers,
        Binary::Peer(_) => options.peer_workers,
    };
    let workers = workers.map(|n| n.to_string());
    let mut args: Vec<&str> = step.server.args.to_vec();
    if let Some(n) = &workers {
        args.extend(["--workers", n]);
    }
    let mut server = ServerProcess::start(program, &args, "warn", Duration::from_secs(10))
        .map_err(|err| format!("cannot start {}: {err}", program.display()))?;
    // ANCHOR: crowd
    // Chapter 12: the crowd is opened before the load and the sampler start, and held until
    // both are done, so the peak memory is the server's with the crowd and the load on it.
    let crowd = match step.workload.kind {
        Kind::Crowd => Some(hold_crowd(&server, step.connections, options, open_files)),
        Kind::Requests => None,
    };
    // The clients beside a crowd are the own generator's, whose errors the crowd's add to.
    let (connections, generator) = match step.workload.kind {
        Kind::Requests => (step.connections, &options.generator),
        Kind::Crowd => (FRESH, &Generator::Own),
    };
    // ANCHOR_END: crowd
    let load = Load {
        addr: server.addr,
        path: step.workload.path.to_string(),
        connections,
        connection: step.server.connection,
        pipeline: 1,
        warmup: options.warmup,
        duration: options.duration,
        timeout: options.timeout,
    };
    let sampler = Sampler::start(server.pid(), Duration::from_millis(20));
    let measured = generator::run(generator, &load, Some(server.pid()));
    let peak = sampler.finish();
    let measured = measured?;
    let mut errors = measured.errors;
    if let Some(crowd) = crowd {
        errors.connect += crowd.lost();
    }
    if server.has_exited() {
        return Err(format!(
            "the server exited during the run{}",
            server.last_words()
        ));
    }
    Ok(Row {
        server: step.server.label.to_string(),
        workload: step.workload.name.to_string(),
        connections: step.connections,
        rate: Some(measured.rate()),
        p50: measured.p50,
        p99: measured.p99,
        errors,
        peak_rss_kib: Some(peak.peak_rss_kib).filter(|&kib| kib > 0),
        threads: Some(peak.threads).filter(|&threads| threads > 0),
        client_cpu: measured.client_cpu_per_100k(),
        switches: measured.switches_per_request(),
    })
}
// ANCHOR_END: measure

/// Chapter 12: a crowd of idle keep-alive clients, held open while the load runs.
struct Crowd {
    held: Vec<std::net::TcpStream>,
    /// How many of the wanted clients were never held: no descriptor for them, no connection
    /// or no answer that kept the connection open.
    missing: u64,
}

impl Crowd {
    /// The clients the row is short of: those never held, and those the server let go
    /// before the end of the run. Each counts as a connect error, as in chapter 10's rows.
    fn lost(self) -> u64 {
        let let_go = self
            .held
            .iter()
            .filter(|stream| !loadgen::still_open(stream))
            .count();
        self.missing + let_go as u64
    }
}

/// Opens `wanted` connections, each sending one request and reading its answer, then left
/// idle: what a browser does between clicks. This process and the server each need a
/// descriptor per connection, so the count is cut to fit `ulimit -n`, saying so.
fn hold_crowd(
    server: &ServerProcess,
    wanted: usize,
    options: &Options,
    open_files: Option<usize>,
) -> Crowd {
    let spare = FRESH + 64;
    let count = match open_files {
        Some(limit) if wanted + spare > limit => {
            let fits = limit.saturating_sub(spare);
            eprint!("(only {fits} of {wanted}: raise `ulimit -n`) ");
            fits
        }
        _ => wanted,
    };
    let (held, failed) = loadgen::hold(server.addr, count, Held::KeptAlive, options.timeout);
    Crowd {
        held,
        missing: failed + (wanted - count) as u64,
    }
}

/// Writes `PREFIX.md` (the results page: provenance, what each server is, the table, the
/// ratios) and `PREFIX.svg` (a chart per workload).
fn write_outputs(
    prefix: &Path,
    rows: &[Row],
    how: &Provenance,
    options: &Options,
) -> std::io::Result<()> {
    if let Some(dir) = prefix.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        fs::create_dir_all(dir)?;
    }
    let path = |suffix: &str| {
        let mut name = prefix.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    };
    let (page_path, svg_path) = (path(".md"), path(".svg"));
    let mut page = table::document(rows, how);
    if rows.iter().any(|row| row.server == SUBJECT) {
        page.push_str("\nRatios of requests/s within this run (above 1: weft served more; ");
        page.push_str("`*`: one of the two rows counted errors):\n\n");
        page.push_str(&peers::ratio_table(rows, SUBJECT));
    }
    if options.workloads.iter().any(|w| w.kind == Kind::Crowd) {
        page.push_str(&format!(
            "\nIn `idle-keepalive` rows, *connections* is the idle crowd held open; the \
             requests, latencies and errors are those of {FRESH} other clients' kept-alive \
             `GET /plaintext` meanwhile, and a crowd client not held for the whole run \
             counts as a connect error. When some runs of such a row held their whole crowd \
             and others did not, the median is of the runs that did.\n"
        ));
    }
    page.push_str("\nThe servers, each with `--addr 127.0.0.1:0`");
    let workers = |n: Option<usize>| n.map_or("its own default".to_string(), |n| n.to_string());
    page.push_str(&format!(
        " (workers where a server does not fix its own: weft {}, peers {}):\n\n",
        workers(options.weft_workers),
        workers(options.peer_workers)
    ));
    for server in &options.servers {
        page.push_str(&format!("- **{}**: {}\n", server.label, server.about));
    }
    fs::write(&page_path, page)?;
    let mut charts = Vec::new();
    for workload in &options.workloads {
        charts.push(chart::requests_chart(workload.name, rows));
        if workload.kind == Kind::Crowd {
            charts.push(chart::memory_chart(workload.name, rows));
        }
    }
    fs::write(&svg_path, chart::stack(&charts))?;
    eprintln!("wrote {} and {}", page_path.display(), svg_path.display());
    Ok(())
}
