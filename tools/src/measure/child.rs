//! A chapter's server run as a child process: started on a port the kernel picks, its address
//! read from the `listening on ADDR` line it prints first, its output drained, and killed when
//! the measurement is done.

use std::collections::VecDeque;
use std::io::{self, BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crossbeam_channel::RecvTimeoutError;

/// How many of the server's last stderr lines are kept, to explain a server that died.
const KEPT_LINES: usize = 20;

/// A running server, killed when dropped.
pub struct ServerProcess {
    child: Child,
    /// The address the server announced.
    pub addr: SocketAddr,
    last_lines: Arc<Mutex<VecDeque<String>>>,
}

impl ServerProcess {
    /// Starts `program` with `args` and `--addr 127.0.0.1:0`, with `RUST_LOG` set to
    /// `log_level`, and waits up to `timeout` for its `listening on ADDR` line.
    pub fn start(
        program: &Path,
        args: &[&str],
        log_level: &str,
        timeout: Duration,
    ) -> io::Result<ServerProcess> {
        let mut child = Command::new(program)
            .args(args)
            .args(["--addr", "127.0.0.1:0"])
            .env("RUST_LOG", log_level)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let last_lines = Arc::new(Mutex::new(VecDeque::new()));
        // Both pipes are read until the server exits: a server whose pipe filled up would
        // block in its next log call and be measured stalled.
        let (stdout, _) = lines(child.stdout.take().expect("piped stdout"), None);
        let (_, stderr_done) = lines(
            child.stderr.take().expect("piped stderr"),
            Some(Arc::clone(&last_lines)),
        );
        let first = stdout.recv_timeout(timeout);
        let mut server = ServerProcess {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            last_lines,
        };
        let first = match first {
            Ok(line) => line,
            Err(why) => {
                // Most often the server exited at once (a bad flag, say). Make sure it is
                // gone, then let its stderr run dry, so the error can quote its last words.
                let _ = server.child.kill();
                let _ = server.child.wait();
                let _ = stderr_done.join();
                let what = match why {
                    RecvTimeoutError::Timeout => format!("printed nothing for {timeout:?}"),
                    RecvTimeoutError::Disconnected => "exited".to_string(),
                };
                return Err(io::Error::other(format!(
                    "the server {what} before `listening on ADDR`{}",
                    server.last_words()
                )));
            }
        };
        server.addr = parse_announcement(&first).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("the server printed {first:?}, not `listening on ADDR`"),
            )
        })?;
        Ok(server)
    }

    /// The server's process id, for reading its `/proc` entries.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether the server has exited (crashed, or was never going to serve).
    pub fn has_exited(&mut self) -> bool {
        !matches!(self.child.try_wait(), Ok(None))
    }

    /// The server's last few stderr lines, as a suffix for an error message (empty if none).
    pub fn last_words(&self) -> String {
        let lines = self.last_lines.lock().unwrap_or_else(|e| e.into_inner());
        if lines.is_empty() {
            String::new()
        } else {
            let joined: Vec<&str> = lines.iter().map(String::as_str).collect();
            format!("; its last output:\n{}", joined.join("\n"))
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        // The servers are measured, not shut down politely: a kill is immediate and certain.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `listening on 127.0.0.1:PORT` → the address.
fn parse_announcement(line: &str) -> Option<SocketAddr> {
    line.strip_prefix("listening on ")?.trim().parse().ok()
}

/// Reads `source` line by line on a thread of its own until it ends. Returns a channel of the
/// lines and the thread, which finishes when `source` ends; if `keep` is given, also keeps the
/// last [`KEPT_LINES`] there.
fn lines<R: Read + Send + 'static>(
    source: R,
    keep: Option<Arc<Mutex<VecDeque<String>>>>,
) -> (crossbeam_channel::Receiver<String>, JoinHandle<()>) {
    let (tx, rx) = crossbeam_channel::unbounded();
    let reader = thread::spawn(move || {
        for line in BufReader::new(source).lines() {
            let Ok(line) = line else { break };
            if let Some(keep) = &keep {
                let mut kept = keep.lock().unwrap_or_else(|e| e.into_inner());
                if kept.len() == KEPT_LINES {
                    kept.pop_front();
                }
                kept.push_back(line.clone());
            }
            // Nobody listens after the first line; keep reading anyway to drain the pipe.
            let _ = tx.send(line);
        }
    });
    (rx, reader)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn announcement_table() {
        let cases = [
            ("listening on 127.0.0.1:8080", Some("127.0.0.1:8080")),
            ("listening on [::1]:80\r", Some("[::1]:80")),
            ("Listening on 127.0.0.1:8080", None),
            ("listening on nowhere", None),
        ];
        for (line, addr) in cases {
            let expected = addr.map(|a| a.parse::<SocketAddr>().unwrap());
            assert_eq!(parse_announcement(line), expected, "{line:?}");
        }
    }

    #[test]
    fn starts_reads_the_address_and_kills_on_drop() {
        // `sh` stands in for a server: it prints the line, then waits to be killed.
        let script = "echo listening on 127.0.0.1:9; echo starting >&2; exec sleep 60";
        let mut server = ServerProcess::start(
            Path::new("/bin/sh"),
            &["-c", script],
            "warn",
            Duration::from_secs(5),
        );
        // `sh -c SCRIPT --addr …`: the script ignores the arguments after it.
        if let Err(err) = &server {
            panic!("{err}");
        }
        let server_ref = server.as_mut().unwrap();
        assert_eq!(server_ref.addr, "127.0.0.1:9".parse().unwrap());
        assert!(!server_ref.has_exited());
        let pid = server_ref.pid();
        drop(server);
        assert!(
            !Path::new(&format!("/proc/{pid}")).exists(),
            "killed and reaped"
        );
    }

    #[test]
    fn a_server_that_exits_at_once_is_quoted() {
        let err = ServerProcess::start(
            Path::new("/bin/sh"),
            &["-c", "echo 'error: --workerz: unknown flag' >&2; exit 2"],
            "warn",
            Duration::from_secs(5),
        )
        .err()
        .expect("not a server");
        assert!(err.to_string().contains("--workerz: unknown flag"), "{err}");
    }

    #[test]
    fn a_server_that_says_something_else_is_an_error() {
        let err = ServerProcess::start(
            Path::new("/bin/sh"),
            &["-c", "echo hello; exec sleep 60"],
            "warn",
            Duration::from_secs(5),
        )
        .err()
        .expect("not a server");
        assert!(err.to_string().contains("\"hello\""), "{err}");
    }
}
