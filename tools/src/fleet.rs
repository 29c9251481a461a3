//! Chapter 13: several copies of a server on one port, restarted one at a time under load,
//! with every failed request counted.
//!
//! A [`Fleet`] starts processes that share a port (`--reuse-port`), and restarts each in turn
//! the way a deployment does: start the new one, wait until it is ready, `SIGTERM` the old
//! one, wait for it to exit. A [`Load`] keeps a few keep-alive clients busy meanwhile and
//! counts what failed. Readiness is a line on the child's stdout, exit is `wait()`: nothing
//! here sleeps to let something happen.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// `command`, set to start its process in a process group of its own: a Ctrl-C in the
/// terminal then reaches only the program that started it, which stops its processes one by
/// one, rather than every process at once.
fn own_group(command: &mut Command) -> &mut Command {
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(command, 0);
    command
}

/// How long a read, a write or a start-up may take before it counts as failed.
pub const TIMEOUT: Duration = Duration::from_secs(5);

/// A port on 127.0.0.1 that was free a moment ago: bound on port 0 and let go. Two processes
/// cannot both bind port 0 and share what they get, so they are given this one; another
/// program may take it in between, which [`Fleet::start`] reports as a failed start.
pub fn free_port() -> io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

// ANCHOR: process
/// One server process on the fleet's port.
pub struct Process {
    child: Child,
    addr: SocketAddr,
}

impl Process {
    /// Starts `program` with `args`, `--addr addr` and `--reuse-port`, and waits for the
    /// `listening on` line it prints once its listener is bound: from then on the kernel
    /// can hand it connections.
    pub fn start(program: &Path, args: &[String], addr: SocketAddr) -> io::Result<Process> {
        let log = std::env::var("RUST_LOG").unwrap_or("warn".into());
        let mut child = own_group(&mut Command::new(program))
            .args(args)
            .args(["--addr", &addr.to_string(), "--reuse-port"])
            .env("RUST_LOG", log)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()?;
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, ready) = crossbeam_channel::bounded(1);
        thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let first = lines.next().and_then(Result::ok);
            let _ = tx.send(first);
            // Keep reading, so that the child never blocks on a full pipe.
            for _ in lines {}
        });
        match ready.recv_timeout(TIMEOUT) {
            Ok(Some(line)) if line.starts_with("listening on") => Ok(Process { child, addr }),
            outcome => {
                let _ = child.kill();
                let _ = child.wait();
                Err(io::Error::other(format!(
                    "{} did not start on {addr}: {outcome:?}",
                    program.display()
                )))
            }
        }
    }

    /// The address the process listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Kills the process at once (`SIGKILL`), as a crash or a lost machine would, and waits.
    pub fn kill(mut self) -> io::Result<ExitStatus> {
        self.child.kill()?;
        self.child.wait()
    }

    /// Sends `SIGTERM` (with the `kill` command) and waits for the process to exit.
    pub fn stop(mut self) -> io::Result<ExitStatus> {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()?;
        // `kill` fails only if the process is gone already; then `wait` says how it ended.
        if !status.success() && self.child.try_wait()?.is_none() {
            return Err(io::Error::other("kill -TERM failed"));
        }
        self.child.wait()
    }
}
// ANCHOR_END: process

impl Drop for Process {
    /// A process still running when its `Process` goes (a test failed half-way) is killed.
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Several processes of one program on one port.
pub struct Fleet {
    program: PathBuf,
    args: Vec<String>,
    /// The shared address.
    pub addr: SocketAddr,
    processes: Vec<Process>,
}

impl Fleet {
    /// Starts `count` copies of `program` (with `args`) on one free port of 127.0.0.1,
    /// trying another port if one was taken in the meantime.
    pub fn start(program: PathBuf, args: Vec<String>, count: usize) -> io::Result<Fleet> {
        let mut last_err = None;
        for _ in 0..5 {
            let addr = SocketAddr::from(([127, 0, 0, 1], free_port()?));
            let mut fleet = Fleet {
                program: program.clone(),
                args: args.clone(),
                addr,
                processes: Vec::new(),
            };
            match (0..count).try_for_each(|_| fleet.add()) {
                Ok(()) => return Ok(fleet),
                Err(err) => last_err = Some(err),
            }
        }
        Err(last_err.unwrap_or_else(|| io::Error::other("no free port")))
    }

    fn add(&mut self) -> io::Result<()> {
        let process = Process::start(&self.program, &self.args, self.addr)?;
        self.processes.push(process);
        Ok(())
    }

    // ANCHOR: restart
    /// Restarts every process in turn: starts its replacement, then stops it and waits for it
    /// to exit. Returns how each old process exited.
    pub fn restart_each(&mut self) -> io::Result<Vec<ExitStatus>> {
        let mut exits = Vec::new();
        for _ in 0..self.processes.len() {
            self.add()?;
            let old = self.processes.remove(0);
            exits.push(old.stop()?);
        }
        Ok(exits)
    }
    // ANCHOR_END: restart

    /// Stops every process; returns how each exited.
    pub fn stop(self) -> io::Result<Vec<ExitStatus>> {
        self.processes.into_iter().map(Process::stop).collect()
    }
}

// ANCHOR: nginx
/// nginx in front of weft processes, started from `tools/src/nginx.conf` on a free port of
/// 127.0.0.1, in a directory of its own, until dropped.
pub struct Nginx {
    child: Child,
    dir: PathBuf,
    /// Where nginx listens.
    pub addr: SocketAddr,
}

/// The configuration template: see the file.
pub const NGINX_CONF: &str = include_str!("nginx.conf");

impl Nginx {
    /// Starts `nginx` proxying to `upstreams`, with `proxy_next_upstream` set to
    /// `next_upstream` (`error timeout`, or `off`), and waits until it accepts connections.
    pub fn start(upstreams: &[SocketAddr], next_upstream: &str) -> io::Result<Nginx> {
        let servers: Vec<String> = upstreams
            .iter()
            .map(|addr| format!("        server {addr} max_fails=1 fail_timeout=10s;"))
            .collect();
        let mut last_err = None;
        for _ in 0..5 {
            let port = free_port()?;
            let dir =
                std::env::temp_dir().join(format!("weft-nginx-{}-{port}", std::process::id()));
            std::fs::create_dir_all(&dir)?;
            let conf = NGINX_CONF
                .replace("@DIR@", &dir.display().to_string())
                .replace("@PORT@", &port.to_string())
                .replace("@SERVERS@", &servers.join("\n"))
                .replace("@NEXT_UPSTREAM@", next_upstream);
            std::fs::write(dir.join("nginx.conf"), conf)?;
            let child = own_group(&mut Command::new("nginx"))
                .arg("-p")
                .arg(&dir)
                .arg("-e")
                .arg(dir.join("error.log"))
                .arg("-c")
                .arg(dir.join("nginx.conf"))
                .stdin(Stdio::null())
                .spawn()
                .map_err(|err| {
                    io::Error::new(
                        err.kind(),
                        format!("cannot run nginx ({err}): install it (apt-get install nginx)"),
                    )
                })?;
            let mut nginx = Nginx {
                child,
                dir,
                addr: SocketAddr::from(([127, 0, 0, 1], port)),
            };
            match nginx.ready() {
                Ok(()) => return Ok(nginx),
                Err(err) => last_err = Some(err),
            }
        }
        Err(last_err.unwrap_or_else(|| io::Error::other("nginx did not start")))
    }

    /// Waits until nginx accepts a connection, or fails if it exits first (its port was
    /// taken, say) or takes longer than [`TIMEOUT`].
    fn ready(&mut self) -> io::Result<()> {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if TcpStream::connect_timeout(&self.addr, TIMEOUT).is_ok() {
                return Ok(());
            }
            if let Some(status) = self.child.try_wait()? {
                let log = std::fs::read_to_string(self.dir.join("error.log")).unwrap_or_default();
                return Err(io::Error::other(format!("nginx exited ({status}): {log}")));
            }
            if Instant::now() > deadline {
                return Err(io::Error::other("nginx did not listen in time"));
            }
            // Not listening yet: nginx is still reading its configuration. A refused connect
            // returns at once, so pause a little between tries rather than spin.
            thread::sleep(Duration::from_millis(5));
        }
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
// ANCHOR_END: nginx

/// What the clients of a [`Load`] saw.
#[derive(Debug, Default, Clone)]
pub struct Tally {
    /// Requests answered `200`.
    pub ok: u64,
    /// Requests that got no answer, or another status.
    pub failed: u64,
    /// Connections opened after a `Connection: close` or a failure.
    pub reconnects: u64,
    /// The first few failures, described.
    pub failures: Vec<String>,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        self.ok += other.ok;
        self.failed += other.failed;
        self.reconnects += other.reconnects;
        let room = 10usize.saturating_sub(self.failures.len());
        self.failures.extend(other.failures.into_iter().take(room));
    }
}

/// A few clients sending `GET path` over keep-alive connections until told to stop, each at
/// most `max_requests` times.
pub struct Load {
    stop: Arc<AtomicBool>,
    progress: Arc<Progress>,
    clients: Vec<JoinHandle<Tally>>,
}

/// Requests finished so far (answered or failed), for [`Load::wait_for`].
#[derive(Default)]
struct Progress {
    done: Mutex<u64>,
    changed: Condvar,
}

impl Progress {
    fn tick(&self) {
        *self.done.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        self.changed.notify_all();
    }
}

impl Load {
    /// Starts `clients` threads loading `addr`.
    pub fn start(addr: SocketAddr, clients: usize, path: &str, max_requests: u64) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let progress = Arc::new(Progress::default());
        let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n\r\n");
        let clients = (0..clients)
            .map(|_| {
                let (stop, request) = (Arc::clone(&stop), request.clone());
                let progress = Arc::clone(&progress);
                thread::spawn(move || client(addr, &request, &stop, &progress, max_requests))
            })
            .collect();
        Load {
            stop,
            progress,
            clients,
        }
    }

    /// Waits until the clients have finished `more` requests from now (answered or failed),
    /// or `timeout` has passed; returns whether they did.
    pub fn wait_for(&self, more: u64, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut done = self.progress.done.lock().unwrap_or_else(|e| e.into_inner());
        let target = *done + more;
        while *done < target {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            done = match self.progress.changed.wait_timeout(done, left) {
                Ok((done, _)) => done,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
        true
    }

    /// Stops the clients and adds up what they saw.
    pub fn finish(self) -> Tally {
        self.stop.store(true, Ordering::SeqCst);
        let mut tally = Tally::default();
        for client in self.clients {
            tally.add(client.join().expect("a load client panicked"));
        }
        tally
    }
}

// ANCHOR: client
/// One client: a request at a time on a kept-alive connection, a new connection when the
/// server said `Connection: close` or the exchange failed. Nothing is retried: a failure is
/// counted, as a browser would count it before its own retry.
fn client(
    addr: SocketAddr,
    request: &str,
    stop: &AtomicBool,
    progress: &Progress,
    max: u64,
) -> Tally {
    let mut tally = Tally::default();
    let mut conn: Option<TcpStream> = None;
    for _ in 0..max {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        progress.tick();
        let (stream, fresh) = match conn.take() {
            Some(stream) => (stream, false),
            None => match connect(addr) {
                Ok(stream) => (stream, true),
                Err(err) => {
                    tally.fail(format!("connect: {err}"));
                    continue;
                }
            },
        };
        match exchange(stream, request.as_bytes()) {
            Ok((200, Some(stream))) => {
                tally.ok += 1;
                conn = Some(stream);
            }
            Ok((200, None)) => {
                tally.ok += 1;
                tally.reconnects += 1;
            }
            Ok((status, _)) => tally.fail(format!("status {status}")),
            Err(err) => {
                let on = ["a kept-alive connection", "a new connection"][usize::from(fresh)];
                tally.fail(format!("{:?} on {on}: {err}", err.kind()));
                tally.reconnects += 1;
            }
        }
    }
    tally
}
// ANCHOR_END: client

impl Tally {
    fn fail(&mut self, what: String) {
        self.failed += 1;
        if self.failures.len() < 10 {
            self.failures.push(what);
        }
    }
}

fn connect(addr: SocketAddr) -> io::Result<TcpStream> {
    let stream = TcpStream::connect_timeout(&addr, TIMEOUT)?;
    stream.set_read_timeout(Some(TIMEOUT))?;
    stream.set_write_timeout(Some(TIMEOUT))?;
    stream.set_nodelay(true)?;
    Ok(stream)
}

/// Sends `request` and reads its response: the status, and the stream back unless the
/// response said `Connection: close`.
fn exchange(mut stream: TcpStream, request: &[u8]) -> io::Result<(u16, Option<TcpStream>)> {
    stream
        .write_all(request)
        .map_err(|err| context("write", err))?;
    let mut buf = Vec::with_capacity(512);
    let mut chunk = [0u8; 4096];
    loop {
        let n = read(&mut stream, &mut chunk).map_err(|err| match buf.is_empty() {
            true => context("read, nothing of the response yet", err),
            false => context("read, part of the response", err),
        })?;
        if n == 0 {
            let what = ["closed before the response", "closed mid-response"];
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                what[usize::from(!buf.is_empty())],
            ));
        }
        buf.extend_from_slice(&chunk[..n]);
        let mut headers = [httparse::EMPTY_HEADER; 32];
        let mut response = httparse::Response::new(&mut headers);
        let parsed = response
            .parse(&buf)
            .map_err(|err| io::Error::new(io::ErrorKind::InvalidData, err))?;
        let httparse::Status::Complete(head) = parsed else {
            continue;
        };
        let header = |name: &str| {
            response
                .headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case(name))
                .and_then(|h| std::str::from_utf8(h.value).ok())
        };
        let length: usize = header("content-length")
            .and_then(|v| v.trim().parse().ok())
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "no Content-Length"))?;
        let close = header("connection").is_some_and(|v| v.eq_ignore_ascii_case("close"));
        let status = response.code.unwrap_or(0);
        let mut have = buf.len() - head;
        while have < length {
            let n = read(&mut stream, &mut chunk)?;
            if n == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            have += n;
        }
        return Ok((status, (!close).then_some(stream)));
    }
}

/// One `read`, tried again when a signal interrupted it. A socket with a read timeout is
/// woken by any signal on Linux (this process gets `SIGCHLD` as its servers exit), and
/// `Read::read`, unlike `read_exact`, hands the interruption to its caller.
fn read(stream: &mut TcpStream, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match stream.read(buf) {
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            read => return read,
        }
    }
}

/// `err`, saying where it happened.
fn context(stage: &str, err: io::Error) -> io::Error {
    io::Error::new(err.kind(), format!("{stage}: {err}"))
}
