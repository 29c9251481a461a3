//! [wrk](https://github.com/wg/wrk) as the load generator: found on `PATH`, run as a child
//! process with `-t1 -c N -d SECS --latency`, and its printed summary parsed.
//!
//! wrk is what the field measures HTTP servers with. It is written in C around one `epoll`
//! loop per thread, so a request costs it a few microseconds of CPU: on a machine where the
//! client and the server share the cores, it leaves the server more of them than a generator
//! with a thread per connection does. It runs one thread here (`-t1`), so that it takes at most
//! one core.
//!
//! Three things differ from this crate's own generator ([`super::loadgen`]): wrk counts whole
//! seconds only (`-d` and `--timeout` are rounded up), it measures a request's latency from
//! writing it (a new connection's connect is not included), and it has no warm-up (the
//! caller runs it twice and discards the first run). It can pipeline, with a Lua script, but
//! its latency percentiles are then wrong (it records one latency per batch and ranks them as
//! if there were one per response), so pipelined load stays with the own generator.

use std::env;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use super::loadgen::{Connection, Load};
use super::procfs::{self, CpuTicks};

/// wrk's socket errors, as its `Socket errors:` line counts them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SocketErrors {
    /// Connections that could not be opened.
    pub connect: u64,
    /// Reads that failed, or connections closed before a response was complete.
    pub read: u64,
    /// Writes that failed.
    pub write: u64,
    /// Responses that took longer than `--timeout` (wrk still counts them as requests).
    pub timeout: u64,
}

/// What one wrk run printed.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Responses completed, whatever their status (`N requests in T`).
    pub requests: u64,
    /// How long the run really lasted (`in T`).
    pub elapsed: Duration,
    /// The median latency from `--latency`'s distribution.
    pub p50: Option<Duration>,
    /// The 99th percentile latency from `--latency`'s distribution.
    pub p99: Option<Duration>,
    /// `Non-2xx or 3xx responses`: wrk counts statuses above 399.
    pub non_2xx: u64,
    /// The `Socket errors:` line, all zero when wrk printed none.
    pub socket: SocketErrors,
}

impl Summary {
    /// Responses that were neither an error status nor too late: what the tools call served.
    pub fn ok(&self) -> u64 {
        self.requests
            .saturating_sub(self.non_2xx)
            .saturating_sub(self.socket.timeout)
    }
}

/// Parses the text wrk prints at the end of a run (with `--latency`).
///
/// ```
/// use std::time::Duration;
/// use weft_tools::measure::wrk::parse;
///
/// let printed = "Running 1s test @ http://127.0.0.1:8080/\n  1 threads and 4 connections\n\
///   Latency Distribution\n     50%   54.00us\n     75%   71.00us\n     90%   99.00us\n     99%    2.20ms\n\
///   53690 requests in 1.10s, 12.39MB read\nRequests/sec:  48800.93\n";
/// let summary = parse(printed).unwrap();
/// assert_eq!(summary.requests, 53690);
/// assert_eq!(summary.p99, Some(Duration::from_micros(2200)));
/// ```
pub fn parse(text: &str) -> Result<Summary, String> {
    let mut summary = Summary {
        requests: 0,
        elapsed: Duration::ZERO,
        p50: None,
        p99: None,
        non_2xx: 0,
        socket: SocketErrors::default(),
    };
    let mut totals = false;
    let mut in_distribution = false;
    for line in text.lines().map(str::trim) {
        if line == "Latency Distribution" {
            in_distribution = true;
            continue;
        }
        if in_distribution {
            if let Some((percent, value)) = line.split_once('%') {
                let latency = duration(value.trim())
                    .ok_or_else(|| format!("wrk printed an unreadable latency: {line:?}"))?;
                match percent.trim() {
                    "50" => summary.p50 = Some(latency),
                    "99" => summary.p99 = Some(latency),
                    _ => {}
                }
                continue;
            }
            in_distribution = false;
        }
        if let Some((count, rest)) = line.split_once(" requests in ") {
            summary.requests = number(count)?;
            let elapsed = rest.split(',').next().unwrap_or_default().trim();
            summary.elapsed = duration(elapsed)
                .ok_or_else(|| format!("wrk printed an unreadable duration: {line:?}"))?;
            totals = true;
        } else if let Some(errors) = line.strip_prefix("Socket errors:") {
            for part in errors.split(',') {
                let (kind, count) = part
                    .trim()
                    .split_once(' ')
                    .ok_or_else(|| format!("wrk printed an unreadable error count: {line:?}"))?;
                let count = number(count)?;
                match kind {
                    "connect" => summary.socket.connect = count,
                    "read" => summary.socket.read = count,
                    "write" => summary.socket.write = count,
                    "timeout" => summary.socket.timeout = count,
                    _ => return Err(format!("wrk printed an unknown error kind: {line:?}")),
                }
            }
        } else if let Some(count) = line.strip_prefix("Non-2xx or 3xx responses:") {
            summary.non_2xx = number(count)?;
        }
    }
    if !totals {
        return Err(format!("wrk printed no `N requests in T` line:\n{text}"));
    }
    if summary.ok() == 0 {
        // With nothing served, wrk prints a distribution of zeros: there is no latency.
        summary.p50 = None;
        summary.p99 = None;
    }
    Ok(summary)
}

fn number(text: &str) -> Result<u64, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("wrk printed {text:?} where a count belongs"))
}

/// A duration as wrk prints one: `182.00us`, `6.18ms`, `1.20s`, `1.50m`, `2.00h` (`µs` too).
fn duration(text: &str) -> Option<Duration> {
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (value, unit) = text.split_at(split);
    let value: f64 = value.parse().ok()?;
    let micros = match unit.trim() {
        "us" | "µs" => 1.0,
        "ms" => 1e3,
        "s" => 1e6,
        "m" => 60e6,
        "h" => 3600e6,
        _ => return None,
    };
    Some(Duration::from_micros((value * micros).round() as u64))
}

/// wrk's path, if an executable `wrk` is on `PATH`.
pub fn find() -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    env::split_paths(&env::var_os("PATH")?)
        .map(|dir| dir.join("wrk"))
        .find(|path| {
            fs::metadata(path)
                .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
        })
}

/// What `wrk -v` says it is (`wrk 4.1.0`), or just `wrk` if it will not say.
pub fn version(wrk: &Path) -> String {
    let printed = Command::new(wrk)
        .arg("-v")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).into_owned())
        .unwrap_or_default();
    // `wrk debian/4.1.0-3+b2 [epoll] Copyright …`: keep the version's digits and dots.
    let raw = printed.split_whitespace().nth(1).unwrap_or_default();
    let raw = raw.rsplit('/').next().unwrap_or_default();
    let number: String = raw
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    if number.is_empty() {
        "wrk".into()
    } else {
        format!("wrk {number}")
    }
}

/// Whole seconds, rounded up, at least one: wrk's `-d` and `--timeout` take no fractions.
pub fn whole_seconds(duration: Duration) -> u64 {
    duration.as_millis().div_ceil(1000).max(1) as u64
}

/// The arguments for a run of `load` lasting `duration`. Its warm-up is the caller's, and so
/// is its pipelining: wrk sends one request at a time on each connection.
pub fn arguments(load: &Load, duration: Duration) -> Vec<String> {
    let mut args = vec![
        "-t1".to_string(),
        "-c".into(),
        load.connections.max(1).to_string(),
        "-d".into(),
        format!("{}s", whole_seconds(duration)),
        "--timeout".into(),
        format!("{}s", whole_seconds(load.timeout)),
        "--latency".into(),
    ];
    if load.connection == Connection::Close {
        args.extend(["-H".into(), "Connection: close".into()]);
    }
    args.push(format!("http://{}{}", load.addr, load.path));
    args
}

/// What a run printed, and the CPU time wrk used for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// The summary wrk printed.
    pub summary: Summary,
    /// wrk's CPU time, user and system, all threads, in seconds.
    pub cpu_seconds: f64,
}

/// Runs wrk at `wrk` for `duration` with `load`'s address, path, connections, connection mode
/// and timeout (not its warm-up, duration or pipelining). A wrk that runs past its time by more
/// than a timeout and ten seconds (stuck connecting to a server that no longer accepts) is
/// killed, and the run is an error.
///
/// wrk's CPU time is this process's *children's* time (`/proc/self/stat`'s `cutime` and
/// `cstime`) before and after: the kernel adds a child's time there when the child is waited
/// for. Nothing else this process starts is waited for during the run.
pub fn run(wrk: &Path, load: &Load, duration: Duration) -> Result<Run, String> {
    let args = arguments(load, duration);
    run_with(
        wrk,
        &args,
        duration + load.timeout + Duration::from_secs(10),
    )
}

fn run_with(wrk: &Path, args: &[String], limit: Duration) -> Result<Run, String> {
    let before =
        procfs::cpu("self").map_err(|err| format!("cannot read /proc/self/stat: {err}"))?;
    let mut child = Command::new(wrk)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|err| format!("cannot start {}: {err}", wrk.display()))?;
    let drain = |mut pipe: Box<dyn Read + Send>| {
        thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        })
    };
    let stdout = drain(Box::new(child.stdout.take().expect("piped stdout")));
    let stderr = drain(Box::new(child.stderr.take().expect("piped stderr")));
    let deadline = Instant::now() + limit;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Ok(status),
            Ok(None) if Instant::now() < deadline => {
                // Pacing a poll of the child; its exit is what is awaited, not the time.
                thread::sleep(Duration::from_millis(20));
            }
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                break Err(format!("wrk ran more than {limit:?} and was killed"));
            }
            Err(err) => break Err(format!("cannot wait for wrk: {err}")),
        }
    };
    let after = procfs::cpu("self").map_err(|err| format!("cannot read /proc/self/stat: {err}"))?;
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    let status = status?;
    if !status.success() {
        let said = format!("{}{}", stderr.trim(), stdout.trim());
        return Err(format!("wrk failed ({status}): {said}"));
    }
    Ok(Run {
        summary: parse(&stdout)?,
        cpu_seconds: CpuTicks::seconds(after.children.saturating_sub(before.children)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Captured from wrk 4.1.0 against the showcase on a 2-core machine.
    const NORMAL: &str = "Running 2s test @ http://127.0.0.1:44465/plaintext
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.24ms   13.09ms 256.65ms   99.26%
    Req/Sec    48.35k     3.91k   58.07k    70.00%
  Latency Distribution
     50%  182.00us
     75%  246.00us
     90%  326.00us
     99%    6.18ms
  96119 requests in 2.00s, 21.45MB read
Requests/sec:  48028.59
Transfer/sec:     10.72MB
";

    const NOT_FOUND: &str = "Running 1s test @ http://127.0.0.1:44465/nope
  1 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   123.96us  416.02us   8.90ms   96.49%
    Req/Sec    49.17k     5.30k   57.07k    72.73%
  Latency Distribution
     50%   54.00us
     75%   71.00us
     90%   99.00us
     99%    2.20ms
  53690 requests in 1.10s, 12.39MB read
  Non-2xx or 3xx responses: 53690
Requests/sec:  48800.93
Transfer/sec:     11.26MB
";

    /// `/slow?ms=1500` with `--timeout 1s`: every response came, too late.
    const TIMEOUTS: &str = "Running 3s test @ http://127.0.0.1:43343/slow?ms=1500
  1 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     0.00us    0.00us   0.00us    -nan%
    Req/Sec     5.00      0.00     5.00    100.00%
  Latency Distribution
     50%    0.00us
     75%    0.00us
     90%    0.00us
     99%    0.00us
  16 requests in 3.01s, 3.70KB read
  Socket errors: connect 0, read 0, write 0, timeout 16
Requests/sec:      5.32
Transfer/sec:      1.23KB
";

    /// `/slow?ms=1200`: latencies in seconds.
    const SECONDS: &str = "Running 2s test @ http://127.0.0.1:43995/slow?ms=1200
  1 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.20s    87.17us   1.20s    87.50%
    Req/Sec     6.00      0.00     6.00    100.00%
  Latency Distribution
     50%    1.20s 
     75%    1.20s 
     90%    1.20s 
     99%    1.21s 
  8 requests in 2.00s, 1.85KB read
Requests/sec:      3.99
Transfer/sec:      0.92KB
";

    /// A server that resets some connections, and `µs` as some builds print it.
    const RESETS: &str = "Running 1s test @ http://127.0.0.1:8080/
  1 threads and 64 connections
  Latency Distribution
     50%  850.00µs
     75%    1.10ms
     90%    2.00ms
     99%   10.34ms
  1000 requests in 1.00s, 100.00KB read
  Socket errors: connect 3, read 12, write 1, timeout 0
  Non-2xx or 3xx responses: 10
Requests/sec:   1000.00
";

    #[test]
    fn parse_table() {
        let us = Duration::from_micros;
        let errors = |connect, read, write, timeout| SocketErrors {
            connect,
            read,
            write,
            timeout,
        };
        // (printed, requests, elapsed, p50, p99, non-2xx, socket errors, ok)
        type Case = (
            &'static str,
            u64,
            Duration,
            Option<Duration>,
            Option<Duration>,
            u64,
            SocketErrors,
            u64,
        );
        let cases: [Case; 5] = [
            (
                NORMAL,
                96119,
                Duration::from_secs(2),
                Some(us(182)),
                Some(us(6180)),
                0,
                SocketErrors::default(),
                96119,
            ),
            (
                NOT_FOUND,
                53690,
                Duration::from_millis(1100),
                None,
                None,
                53690,
                SocketErrors::default(),
                0,
            ),
            (
                TIMEOUTS,
                16,
                Duration::from_millis(3010),
                None,
                None,
                0,
                errors(0, 0, 0, 16),
                0,
            ),
            (
                SECONDS,
                8,
                Duration::from_secs(2),
                Some(us(1_200_000)),
                Some(us(1_210_000)),
                0,
                SocketErrors::default(),
                8,
            ),
            (
                RESETS,
                1000,
                Duration::from_secs(1),
                Some(us(850)),
                Some(us(10_340)),
                10,
                errors(3, 12, 1, 0),
                990,
            ),
        ];
        for (printed, requests, elapsed, p50, p99, non_2xx, socket, ok) in cases {
            let summary = parse(printed).unwrap_or_else(|err| panic!("{err}"));
            let first = printed.lines().next().unwrap();
            assert_eq!(summary.requests, requests, "{first}");
            assert_eq!(summary.elapsed, elapsed, "{first}");
            assert_eq!((summary.p50, summary.p99), (p50, p99), "{first}");
            assert_eq!(summary.non_2xx, non_2xx, "{first}");
            assert_eq!(summary.socket, socket, "{first}");
            assert_eq!(summary.ok(), ok, "{first}");
        }
    }

    #[test]
    fn what_is_not_a_summary_is_an_error() {
        for printed in [
            "",
            "unable to connect to 127.0.0.1:9 Connection refused\n",
            "  many requests in 1.00s, 1KB read\n",
            "  10 requests in forever, 1KB read\n",
            "  Latency Distribution\n     50%   fast\n  10 requests in 1.00s, 1KB read\n",
            "  10 requests in 1.00s\n  Socket errors: connect 0, lost 3\n",
        ] {
            assert!(parse(printed).is_err(), "{printed:?}");
        }
    }

    #[test]
    fn durations_as_wrk_prints_them() {
        let cases = [
            ("0.00us", Some(0)),
            ("182.00us", Some(182)),
            ("850.00µs", Some(850)),
            ("6.18ms", Some(6180)),
            ("1.20s", Some(1_200_000)),
            ("1.50m", Some(90_000_000)),
            ("1.00h", Some(3_600_000_000)),
            ("12", None),
            ("1.2 fortnights", None),
        ];
        for (text, micros) in cases {
            assert_eq!(duration(text), micros.map(Duration::from_micros), "{text}");
        }
        assert_eq!(whole_seconds(Duration::from_millis(200)), 1);
        assert_eq!(whole_seconds(Duration::from_millis(2000)), 2);
        assert_eq!(whole_seconds(Duration::from_millis(2001)), 3);
    }

    #[test]
    fn arguments_ask_for_one_thread_and_the_latency_distribution() {
        let load = Load {
            addr: "127.0.0.1:8080".parse().unwrap(),
            path: "/slow?ms=10".into(),
            connections: 64,
            connection: Connection::KeepAlive,
            pipeline: 1,
            warmup: Duration::from_secs(1),
            duration: Duration::from_secs(5),
            timeout: Duration::from_millis(2000),
        };
        assert_eq!(
            arguments(&load, Duration::from_millis(1500)).join(" "),
            "-t1 -c 64 -d 2s --timeout 2s --latency http://127.0.0.1:8080/slow?ms=10"
        );
        let close = Load {
            connection: Connection::Close,
            ..load
        };
        let args = arguments(&close, Duration::from_secs(5)).join(" ");
        assert!(
            args.ends_with("--latency -H Connection: close http://127.0.0.1:8080/slow?ms=10"),
            "{args}"
        );
    }
}
