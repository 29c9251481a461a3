//! Shared by the integration tests: start an example's server on `127.0.0.1:0`, talk to it
//! over real loopback sockets with timeouts on every read, and stop it when done.
//!
//! Each test file uses only part of this module, hence the `dead_code` allowance.
#![allow(dead_code)]

use std::cell::Cell;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Output, Stdio};
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError};

pub mod app; // > ch07

/// How long any single read may block before a test fails instead of hanging.
pub const IO_TIMEOUT: Duration = Duration::from_secs(5);

/// The path of a compiled example, built first if needed.
///
/// `cargo test` builds every example, but `cargo test --test NAME` does not, and a stale
/// binary would test old code; so each test process asks cargo once per example to bring it
/// up to date, in the same profile as the tests (`target/<profile>/examples/`).
pub fn example_path(name: &str) -> PathBuf {
    built(&["--example", name], &format!("examples/{name}"))
}

/// The paths of every example, all built first with one cargo command (cheaper than one
/// command per example when a test runs them all).
pub fn all_example_paths(names: &[String]) -> Vec<PathBuf> {
    let examples = built(&["--examples"], "examples");
    let mut done = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    done.extend(names.iter().map(|name| format!("examples/{name}")));
    names.iter().map(|name| examples.join(name)).collect()
}

// > ch07
/// The path of the showcase's `weft` binary (`tools/src/main.rs`), built first if needed: it
/// belongs to the `weft-tools` package, so cargo does not hand its path to these tests.
pub fn showcase_path() -> PathBuf {
    built(&["-p", "weft-tools", "--bin", "weft"], "weft")
}
// < ch07

/// What this test process has already brought up to date, by path under `target/<profile>/`.
static BUILT: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Runs `cargo build` with `args` once per test process, in the tests' own profile, and
/// returns `target/<profile>/<path>`.
fn built(args: &[&str], path: &str) -> PathBuf {
    let test_exe = std::env::current_exe().expect("test executable path");
    let profile_dir = test_exe
        .parent() // deps/
        .and_then(|deps| deps.parent())
        .expect("target/<profile>/deps layout");
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if !built.iter().any(|done| done == path) {
        let mut cargo = Command::new(env!("CARGO"));
        cargo.args(["build", "--quiet"]).args(args);
        if profile_dir.ends_with("release") {
            cargo.arg("--release");
        }
        let status = cargo.status().expect("run cargo build");
        assert!(status.success(), "cargo build {} failed", args.join(" "));
        built.push(path.to_string());
    }
    profile_dir.join(path)
}

/// A running example server, killed when dropped.
pub struct Server {
    pid: u32,
    /// The address the server announced it is listening on.
    pub addr: SocketAddr,
    logs: Receiver<String>,
    exited: Receiver<ExitStatus>,
    /// Set once `wait_exit` has seen the process exit, so `Drop` does not signal its pid.
    reaped: Cell<bool>,
}

impl Server {
    /// Starts example `name` on `127.0.0.1:0` with extra `args`, logging at `debug`.
    pub fn start(name: &str, args: &[&str]) -> Server {
        Server::start_with_log(name, args, "debug")
    }

    /// Starts example `name` with `RUST_LOG` set to `log_level`, and waits (with a timeout)
    /// for the `listening on ADDR` line every server in the book prints first.
    pub fn start_with_log(name: &str, args: &[&str], log_level: &str) -> Server {
        Server::spawn(&example_path(name), name, args, log_level)
    }

    // > ch07
    /// Starts the showcase's `weft` binary (`tools/src/main.rs`) on `127.0.0.1:0`.
    pub fn start_main(args: &[&str]) -> Server {
        Server::spawn(&showcase_path(), "weft", args, "debug")
    }
    // < ch07

    /// Starts `program` with `--addr 127.0.0.1:0` and `args`, and reads its address.
    fn spawn(program: &std::path::Path, name: &str, args: &[&str], log_level: &str) -> Server {
        let mut child = Command::new(program)
            .arg("--addr")
            .arg("127.0.0.1:0")
            .args(args)
            .env("RUST_LOG", log_level)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|err| panic!("cannot start {name}: {err}"));
        let stdout = lines(child.stdout.take().expect("piped stdout"));
        let logs = lines(child.stderr.take().expect("piped stderr"));
        let first = stdout
            .recv_timeout(IO_TIMEOUT)
            .unwrap_or_else(|_| panic!("{name} did not announce its address"));
        let addr = first
            .strip_prefix("listening on ")
            .and_then(|addr| addr.trim().parse().ok())
            .unwrap_or_else(|| panic!("{name} printed {first:?}, not `listening on ADDR`"));
        // Keep draining stdout so a chatty server never blocks on a full pipe.
        thread::spawn(move || for _ in stdout {});
        // The child moves to a thread that waits for it, so a test can wait for the exit
        // with a timeout; `Drop` reaches the process by its pid.
        let pid = child.id();
        let (tx, exited) = crossbeam_channel::bounded(1);
        thread::spawn(move || {
            if let Ok(status) = child.wait() {
                let _ = tx.send(status);
            }
        });
        Server {
            pid,
            addr,
            logs,
            exited,
            reaped: Cell::new(false),
        }
    }

    /// The server's process id, to look it up in `/proc/<pid>/`.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// A new connection to the server, with read and write timeouts set.
    pub fn connect(&self) -> TcpStream {
        connect(self.addr)
    }

    /// Waits until the server logs a line containing `needle`, and returns that line.
    /// Panics (failing the test) if no such line comes within `IO_TIMEOUT`.
    pub fn wait_for_log(&self, needle: &str) -> String {
        let deadline = Instant::now() + IO_TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.logs.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return line,
                Ok(_) => continue,
                Err(_) => panic!("the server never logged {needle:?}"),
            }
        }
    }

    /// Every log line up to and including the first one containing `needle`. Panics
    /// (failing the test) if no such line comes within `IO_TIMEOUT`.
    pub fn logs_until(&self, needle: &str) -> Vec<String> {
        let deadline = Instant::now() + IO_TIMEOUT;
        let mut lines = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.logs.recv_timeout(left) {
                Ok(line) => {
                    let done = line.contains(needle);
                    lines.push(line);
                    if done {
                        return lines;
                    }
                }
                Err(_) => panic!("the server never logged {needle:?}; it logged {lines:#?}"),
            }
        }
    }

    /// Sends `SIGINT`, as Ctrl-C in a terminal would.
    pub fn interrupt(&self) {
        signal(self.pid, "-INT");
    }

    /// Sends `SIGTERM`, as `kill`, systemd or Kubernetes would.
    pub fn terminate(&self) {
        signal(self.pid, "-TERM");
    }

    /// Waits for the server to exit on its own, failing the test after `timeout`.
    pub fn wait_exit(&self, timeout: Duration) -> ExitStatus {
        match self.exited.recv_timeout(timeout) {
            Ok(status) => {
                self.reaped.set(true);
                status
            }
            Err(RecvTimeoutError::Timeout) => panic!("the server did not exit in {timeout:?}"),
            Err(RecvTimeoutError::Disconnected) => panic!("lost track of the server process"),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if !self.reaped.get() && self.exited.try_recv().is_err() {
            let _ = Command::new("kill")
                .args(["-KILL", &self.pid.to_string()])
                .stderr(Stdio::null())
                .status();
            let _ = self.exited.recv_timeout(IO_TIMEOUT);
        }
    }
}

/// Reads `source` line by line on a thread of its own, handing each line to the receiver.
fn lines<R: Read + Send + 'static>(source: R) -> Receiver<String> {
    let (tx, rx) = crossbeam_channel::unbounded();
    thread::spawn(move || {
        for line in BufReader::new(source).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Sends a signal (`-INT`, `-TERM`) to process `pid` with the `kill` command.
fn signal(pid: u32, which: &str) {
    let status = Command::new("kill")
        .arg(which)
        .arg(pid.to_string())
        .status()
        .expect("run kill");
    assert!(status.success(), "kill {which} {pid} failed");
}

/// Connects to `addr` with read and write timeouts of [`IO_TIMEOUT`].
pub fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect_timeout(&addr, IO_TIMEOUT).expect("connect");
    stream.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
    stream.set_write_timeout(Some(IO_TIMEOUT)).unwrap();
    stream
}

/// Reads until the server closes the connection, as text. A read timeout fails the test.
pub fn read_to_close(stream: &mut TcpStream) -> String {
    let mut bytes = Vec::new();
    stream
        .read_to_end(&mut bytes)
        .expect("server did not close the connection in time");
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Sends a `GET` for `path` with `Connection: close` and returns the whole response.
pub fn get(addr: SocketAddr, path: &str) -> String {
    let mut stream = connect(addr);
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    read_to_close(&mut stream)
}

/// The status code of a raw response (`HTTP/1.1 200 OK…` → 200), failing on anything else.
pub fn status_of(response: &str) -> u16 {
    response
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP response: {response:?}"))
}

// > ch05
/// One HTTP response read off a connection, its body already de-chunked.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The status code.
    pub status: u16,
    /// Header lines as (name, value), in order.
    pub headers: Vec<(String, String)>,
    /// The body, after removing chunked framing if there was any.
    pub body: Vec<u8>,
}

impl Reply {
    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A raw HTTP client on one connection, for keep-alive and pipelining tests: it writes bytes
/// exactly as given and reads responses one at a time, never past the end of one.
pub struct Client {
    reader: BufReader<TcpStream>,
}

impl Client {
    /// A client on a new connection to `addr` (with read timeouts).
    pub fn connect(addr: SocketAddr) -> Client {
        Client {
            reader: BufReader::new(connect(addr)),
        }
    }

    /// Turns off Nagle's algorithm, so that each `send` leaves in a packet of its own rather
    /// than being merged with the next.
    pub fn no_delay(self) -> Client {
        self.reader
            .get_ref()
            .set_nodelay(true)
            .expect("set TCP_NODELAY");
        self
    }

    /// Writes `bytes` to the server as they are.
    pub fn send(&mut self, bytes: impl AsRef<[u8]>) {
        let stream = self.reader.get_mut();
        stream
            .write_all(bytes.as_ref())
            .expect("write to the server");
        stream.flush().unwrap();
    }

    /// Reads the next response to a request that was not `HEAD`.
    pub fn response(&mut self) -> Reply {
        self.read_reply(false)
    }

    /// Reads the next response to a `HEAD` request: a head with no body after it.
    pub fn head_response(&mut self) -> Reply {
        self.read_reply(true)
    }

    /// Whether the server has closed the connection (reading gives end-of-file, or a reset).
    /// A read timeout fails the test.
    pub fn is_closed(&mut self) -> bool {
        let mut byte = [0u8; 1];
        match self.reader.read(&mut byte) {
            Ok(0) => true,
            Ok(_) => false,
            Err(err) if err.kind() == std::io::ErrorKind::ConnectionReset => true,
            Err(err) => panic!("the server neither answered nor closed: {err}"),
        }
    }

    /// Reads everything until the server closes, as text.
    pub fn rest(&mut self) -> String {
        let mut bytes = Vec::new();
        self.reader
            .read_to_end(&mut bytes)
            .expect("server did not close the connection in time");
        String::from_utf8_lossy(&bytes).into_owned()
    }

    fn line(&mut self) -> String {
        let mut line = String::new();
        self.reader.read_line(&mut line).expect("read a line");
        assert!(line.ends_with("\r\n"), "line not ended by CRLF: {line:?}");
        line.truncate(line.len() - 2);
        line
    }

    fn read_reply(&mut self, head_only: bool) -> Reply {
        let status_line = self.line();
        let status = status_of(&status_line);
        let mut headers = Vec::new();
        loop {
            let line = self.line();
            if line.is_empty() {
                break;
            }
            let (name, value) = line.split_once(':').expect("a header line");
            headers.push((name.to_string(), value.trim().to_string()));
        }
        let mut reply = Reply {
            status,
            headers,
            body: Vec::new(),
        };
        let bodiless = head_only || matches!(status, 100..=199 | 204 | 304);
        if bodiless {
            return reply;
        }
        if reply.header("transfer-encoding") == Some("chunked") {
            loop {
                let size = self.line();
                let size = usize::from_str_radix(&size, 16).expect("hex chunk size");
                if size == 0 {
                    assert_eq!(self.line(), "", "no trailers expected");
                    break;
                }
                let mut chunk = vec![0u8; size];
                self.reader.read_exact(&mut chunk).expect("chunk data");
                reply.body.extend_from_slice(&chunk);
                assert_eq!(self.line(), "", "CRLF after chunk data");
            }
        } else if let Some(length) = reply.header("content-length") {
            let mut body = vec![0u8; length.parse().expect("numeric Content-Length")];
            self.reader.read_exact(&mut body).expect("the whole body");
            reply.body = body;
        } else {
            self.reader
                .read_to_end(&mut reply.body)
                .expect("body until close");
        }
        reply
    }
}
// < ch05

/// Runs example `name` (a command-line tool, not a server) with `args` to its end and returns
/// what it printed, failing the test if it takes longer than a minute.
pub fn run_example(name: &str, args: &[&str]) -> Output {
    run_example_with_env(name, args, &[])
}

/// [`run_example`] with environment variables set for the example (a `PATH` without a tool
/// on it, say).
pub fn run_example_with_env(name: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let child = Command::new(example_path(name))
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|err| panic!("cannot start {name}: {err}"));
    let pid = child.id();
    let (tx, rx) = crossbeam_channel::bounded(1);
    thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(output) => output.unwrap_or_else(|err| panic!("cannot wait for {name}: {err}")),
        Err(_) => {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            panic!("{name} did not finish within a minute");
        }
    }
}

/// The cells of a Markdown table line: `| a | b |` → `["a", "b"]`.
pub fn cells(line: &str) -> Vec<&str> {
    line.trim()
        .trim_start_matches('|')
        .trim_end_matches('|')
        .split('|')
        .map(str::trim)
        .collect()
}
