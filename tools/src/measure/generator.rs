//! Which program generates a run's load, and what the run cost: the client's CPU time and the
//! server's context switches, both over the measured window only.
//!
//! On a machine where client and server share the cores, every CPU-second the client spends
//! is one the server does not get; a client that spends more per request hides the
//! differences between servers behind its own cost. So each run reports what its client spent
//! ("client CPU-seconds per 100k requests"), for the reader to check that the generator was
//! cheap. The server's context switches per request show how often a request made the
//! server's threads give up the CPU: a hand-off between threads costs at least one.

use std::io::{self, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::thread;
use std::time::{Duration, Instant};

use super::loadgen::{self, Connection, Errors, Load};
use super::procfs::{self, CpuTicks, Switches};
use super::wrk;

/// What `--loadgen` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// wrk if it is on `PATH`, else the own generator, saying so (no flag).
    Auto,
    /// wrk, or an error if it is missing (`--loadgen wrk`).
    Wrk,
    /// The own generator (`--loadgen own`).
    Own,
}

impl Choice {
    /// `--loadgen`'s value: `None` (the flag not given), `wrk` or `own`.
    pub fn parse(value: Option<&str>) -> Result<Choice, String> {
        match value {
            None => Ok(Choice::Auto),
            Some("wrk") => Ok(Choice::Wrk),
            Some("own") => Ok(Choice::Own),
            Some(other) => Err(format!("--loadgen: {other:?} is neither wrk nor own")),
        }
    }
}

/// The program that generates request load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Generator {
    /// wrk, at this path, with its version for the results page.
    Wrk {
        /// The executable.
        path: PathBuf,
        /// `wrk 4.1.0`.
        version: String,
    },
    /// This crate's closed-loop generator, a thread per connection ([`loadgen`]).
    Own,
}

impl Generator {
    /// The generator `choice` picks. For [`Choice::Auto`] without wrk, the second value is
    /// the note to print and publish: the figures came from the costlier generator.
    pub fn pick(choice: Choice) -> Result<(Generator, Option<String>), String> {
        let wrk = || {
            wrk::find().map(|path| Generator::Wrk {
                version: wrk::version(&path),
                path,
            })
        };
        match choice {
            Choice::Own => Ok((Generator::Own, None)),
            Choice::Wrk => wrk().map(|found| (found, None)).ok_or_else(|| {
                "--loadgen wrk: no wrk on PATH (Debian and Ubuntu: apt-get install wrk)".into()
            }),
            Choice::Auto => Ok(match wrk() {
                Some(found) => (found, None),
                None => (
                    Generator::Own,
                    Some(
                        "wrk was not found on PATH, so weft's own generator measured every \
                         row: it costs more CPU per request (see the client CPU column), which \
                         the servers then lack. Install wrk to measure as the book does."
                            .into(),
                    ),
                ),
            }),
        }
    }

    /// The generator that actually drives `load`: this one, except that pipelined load always
    /// goes to the own generator (wrk's latencies are wrong when it pipelines).
    pub fn for_load(&self, load: &Load) -> &Generator {
        if load.pipeline > 1 {
            &Generator::Own
        } else {
            self
        }
    }

    /// The generator in a few words, for the results page.
    pub fn describe(&self) -> String {
        match self {
            Generator::Wrk { version, .. } => format!(
                "{version} (`wrk -t1 -c N -d SECS --latency`; whole seconds, so durations are \
                 rounded up, and the warm-up is a run of its own)"
            ),
            Generator::Own => "weft's own closed-loop generator (a thread per connection)".into(),
        }
    }

    /// The results page's line on what generated the load: this generator for the workloads
    /// in `requests`, weft's own for those in `own` (workloads wrk cannot drive), then `note`.
    pub fn load_note<'a>(
        &self,
        mut requests: Vec<&'a str>,
        mut own: Vec<&'a str>,
        note: Option<&str>,
    ) -> String {
        if *self == Generator::Own {
            requests.append(&mut own);
        }
        let mut line = String::new();
        if !requests.is_empty() {
            line.push_str(&format!(
                "Load for {}: {}.",
                requests.join(", "),
                self.describe()
            ));
        }
        if !own.is_empty() {
            line.push_str(&format!(
                " Load for {}: {}.",
                own.join(", "),
                Generator::Own.describe()
            ));
        }
        if let Some(why) = note {
            line.push(' ');
            line.push_str(why);
        }
        line.trim().to_string()
    }
}

/// What one measured run gave, whichever generator ran it.
#[derive(Debug, Clone, PartialEq)]
pub struct Measured {
    /// 2xx responses inside the window.
    pub ok: u64,
    /// Every response inside the window, whatever its status: what the client handled.
    pub responses: u64,
    /// The measured window's length.
    pub window: Duration,
    /// Median latency, if anything succeeded.
    pub p50: Option<Duration>,
    /// 99th percentile latency, if anything succeeded.
    pub p99: Option<Duration>,
    /// Errors inside the window.
    pub errors: Errors,
    /// The generator's CPU time over the window, in seconds, if it could be read.
    pub client_cpu: Option<f64>,
    /// The server's context switches over the window, if they could be read.
    pub switches: Option<Switches>,
}

impl Measured {
    /// 2xx responses per second.
    pub fn rate(&self) -> f64 {
        self.ok as f64 / self.window.as_secs_f64().max(f64::EPSILON)
    }

    /// The client's CPU-seconds per 100,000 responses, if there were any.
    pub fn client_cpu_per_100k(&self) -> Option<f64> {
        let cpu = self.client_cpu?;
        (self.responses > 0).then(|| cpu * 100_000.0 / self.responses as f64)
    }

    /// The server's (voluntary, involuntary) context switches per response.
    pub fn switches_per_request(&self) -> Option<(f64, f64)> {
        let switches = self.switches?;
        let n = self.responses as f64;
        (self.responses > 0).then(|| {
            (
                switches.voluntary as f64 / n,
                switches.involuntary as f64 / n,
            )
        })
    }
}

/// Waits until the server has answered what the warm-up left queued, before the measured
/// run starts. wrk's warm-up is a run of its own: when it stops, its last requests may still
/// wait in the server's queue (a server that answers one connection at a time holds up to
/// one per connection), and serving them for clients that have gone would be counted against
/// the measured window. One more request, on a connection of its own, is answered after
/// them by such a server, so its answer says the queue is empty. A failure only means the
/// wait is cut short; the run itself reports what went wrong.
fn settle(load: &Load) {
    let patience = Duration::from_secs(30);
    let answered = TcpStream::connect_timeout(&load.addr, load.timeout).and_then(|mut stream| {
        stream.set_read_timeout(Some(patience))?;
        let probe = Load {
            connection: Connection::Close,
            ..load.clone()
        };
        stream.write_all(&loadgen::request(&probe))?;
        // The server closes after its answer (`Connection: close`): read to the end.
        io::copy(&mut stream, &mut io::sink())
    });
    if let Err(err) = answered {
        log::warn!("the server did not answer after the warm-up: {err}");
    }
}

/// Runs `load` with `generator` (or the own one, see [`Generator::for_load`]) against the
/// server whose process is `server` (for its context switches; `None` to skip them): the
/// warm-up, then the measured window.
pub fn run(generator: &Generator, load: &Load, server: Option<u32>) -> Result<Measured, String> {
    match generator.for_load(load) {
        Generator::Wrk { path, .. } => {
            if !load.warmup.is_zero() {
                wrk::run(path, load, load.warmup)?;
                settle(load);
            }
            let before = server.and_then(|pid| procfs::switches(pid).ok());
            let run = wrk::run(path, load, load.duration)?;
            let after = server.and_then(|pid| procfs::switches(pid).ok());
            let summary = run.summary;
            let errors = Errors {
                connect: summary.socket.connect,
                // A failed read or write is a connection that broke before its response.
                reset: summary.socket.read + summary.socket.write,
                timeout: summary.socket.timeout,
                status: summary.non_2xx,
                malformed: 0,
            };
            Ok(Measured {
                ok: summary.ok(),
                responses: summary.requests,
                window: summary.elapsed,
                p50: summary.p50,
                p99: summary.p99,
                errors,
                client_cpu: Some(run.cpu_seconds),
                switches: after
                    .zip(before)
                    .map(|(after, before)| after.since(&before)),
            })
        }
        Generator::Own => Ok(run_own(load, server)),
    }
}

/// The own generator runs in this process, so its cost is this process's CPU time over the
/// window (the few other threads here sleep through it). A watcher thread reads the clocks as
/// the window opens and closes.
fn run_own(load: &Load, server: Option<u32>) -> Measured {
    let start = Instant::now();
    let sample = || {
        let cpu = procfs::cpu("self").ok().map(|ticks| ticks.own);
        let switches = server.and_then(|pid| procfs::switches(pid).ok());
        (cpu, switches)
    };
    let (report, (opened, closed)) = thread::scope(|scope| {
        let watcher = scope.spawn(|| {
            // Pacing: the samples belong at the window's edges, which are points in time.
            let opens = start + load.warmup;
            thread::sleep(opens.saturating_duration_since(Instant::now()));
            let opened = sample();
            thread::sleep((opens + load.duration).saturating_duration_since(Instant::now()));
            (opened, sample())
        });
        let report = loadgen::run(load);
        (report, watcher.join().expect("the watcher does not panic"))
    });
    let cpu = closed
        .0
        .zip(opened.0)
        .map(|(after, before)| CpuTicks::seconds(after.saturating_sub(before)));
    let switches = closed
        .1
        .zip(opened.1)
        .map(|(after, before)| after.since(&before));
    Measured {
        ok: report.ok,
        responses: report.ok + report.errors.status,
        window: report.window,
        p50: report.latency_at(0.50),
        p99: report.latency_at(0.99),
        errors: report.errors,
        client_cpu: cpu,
        switches,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::{SocketAddr, TcpListener};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    #[test]
    fn choices() {
        let cases = [
            (None, Ok(Choice::Auto)),
            (Some("wrk"), Ok(Choice::Wrk)),
            (Some("own"), Ok(Choice::Own)),
        ];
        for (flag, expected) in cases {
            assert_eq!(Choice::parse(flag), expected);
        }
        assert!(Choice::parse(Some("ab")).unwrap_err().contains("\"ab\""));
        assert_eq!(
            Generator::pick(Choice::Own).unwrap(),
            (Generator::Own, None)
        );
        // Auto picks wrk exactly when it is there, and says so when it is not.
        let (auto, note) = Generator::pick(Choice::Auto).unwrap();
        assert_eq!(wrk::find().is_some(), matches!(auto, Generator::Wrk { .. }));
        assert_eq!(note.is_some(), auto == Generator::Own);
        assert_eq!(Generator::pick(Choice::Wrk).is_ok(), wrk::find().is_some());
        let wrk = Generator::Wrk {
            path: "/usr/bin/wrk".into(),
            version: "wrk 4.1.0".into(),
        };
        let mut load = Load {
            addr: "127.0.0.1:1".parse().unwrap(),
            path: "/".into(),
            connections: 1,
            connection: loadgen::Connection::KeepAlive,
            pipeline: 1,
            warmup: Duration::ZERO,
            duration: Duration::from_secs(1),
            timeout: Duration::from_secs(1),
        };
        assert_eq!(wrk.for_load(&load), &wrk);
        load.pipeline = 16;
        assert_eq!(wrk.for_load(&load), &Generator::Own);
    }

    fn measured(responses: u64, cpu: Option<f64>, switches: Option<Switches>) -> Measured {
        Measured {
            ok: responses,
            responses,
            window: Duration::from_secs(2),
            p50: None,
            p99: None,
            errors: Errors::default(),
            client_cpu: cpu,
            switches,
        }
    }

    #[test]
    fn costs_per_request() {
        let switches = Switches {
            voluntary: 300,
            involuntary: 30,
        };
        let run = measured(200_000, Some(1.5), Some(switches));
        assert_eq!(run.rate(), 100_000.0);
        assert_eq!(run.client_cpu_per_100k(), Some(0.75));
        assert_eq!(run.switches_per_request(), Some((0.0015, 0.00015)));
        let nothing = measured(0, Some(1.5), Some(switches));
        assert_eq!(nothing.client_cpu_per_100k(), None);
        assert_eq!(nothing.switches_per_request(), None);
        assert_eq!(measured(10, None, None).client_cpu_per_100k(), None);
    }

    /// A keep-alive server on a thread of this process: the own generator's run reads both
    /// its own CPU and the "server's" (this process's) switches.
    fn server() -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                thread::spawn(move || {
                    let mut stream = stream;
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                    let mut buf = [0u8; 1024];
                    while let Ok(n) = stream.read(&mut buf) {
                        if n == 0 {
                            break;
                        }
                        let ok = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
                        if stream.write_all(ok).is_err() {
                            break;
                        }
                    }
                });
            }
        });
        addr
    }

    #[test]
    fn the_own_generator_reports_its_cost_and_the_servers_switches() {
        let load = Load {
            addr: server(),
            path: "/".into(),
            connections: 2,
            connection: loadgen::Connection::KeepAlive,
            pipeline: 1,
            warmup: Duration::from_millis(20),
            duration: Duration::from_millis(300),
            timeout: Duration::from_secs(2),
        };
        let run = run(&Generator::Own, &load, Some(std::process::id())).unwrap();
        assert!(run.ok > 0, "{run:?}");
        assert_eq!(run.responses, run.ok);
        assert!(run.client_cpu.is_some(), "{run:?}");
        // Every exchange blocks the client and the server thread on a read at least once.
        let (voluntary, _) = run.switches_per_request().expect("switches were read");
        assert!(voluntary > 0.0, "{run:?}");
    }

    #[test]
    fn settling_waits_for_what_a_one_at_a_time_server_still_has_queued() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        // Two requests a finished warm-up left behind, their clients already gone.
        for _ in 0..2 {
            let mut left = TcpStream::connect(addr).unwrap();
            left.write_all(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
                .unwrap();
        }
        // The server starts only now, and answers one connection at a time, in order; it
        // counts each request before it answers it.
        let count = Arc::new(AtomicUsize::new(0));
        let counted = count.clone();
        let served = thread::spawn(move || {
            let mut heads = Vec::new();
            for stream in listener.incoming().take(3) {
                let mut stream = stream.unwrap();
                stream
                    .set_read_timeout(Some(Duration::from_secs(5)))
                    .unwrap();
                let mut buf = [0u8; 1024];
                let n = stream.read(&mut buf).unwrap();
                heads.push(String::from_utf8_lossy(&buf[..n]).into_owned());
                counted.fetch_add(1, Ordering::SeqCst);
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
            }
            heads
        });
        let load = Load {
            addr,
            path: "/settle".into(),
            connections: 2,
            connection: loadgen::Connection::Close,
            pipeline: 1,
            warmup: Duration::from_millis(20),
            duration: Duration::from_millis(20),
            timeout: Duration::from_secs(2),
        };
        settle(&load);
        // settle returned after its own request was answered, so after the two before it.
        assert_eq!(count.load(Ordering::SeqCst), 3);
        let paths = served.join().unwrap();
        assert_eq!(paths.len(), 3);
        assert!(
            paths[..2].iter().all(|p| p.starts_with("GET / ")),
            "{paths:?}"
        );
        assert!(paths[2].starts_with("GET /settle "), "{paths:?}");
    }
}
