//! Chapter 1: the client for the UDP server. It sends one message, waits up to
//! `--timeout-ms` for the answer, resends up to `--retries` times if none comes (a datagram
//! may be lost, and nobody tells us), prints the reply, and exits with status 1 if no reply
//! ever came.
//!
//! Run: `cargo run --example ch01_udp_echo_client -- --addr 127.0.0.1:8080 --message hello`

use std::io::ErrorKind;
use std::net::{SocketAddr, UdpSocket};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use weft_tools::cli::Flags;

/// The biggest reply we accept; the server's reply is far shorter.
const MAX_DATAGRAM: usize = 65_535;

// ANCHOR: main
fn main() -> ExitCode {
    let flags = Flags::from_env(&["--addr", "--message", "--timeout-ms", "--retries"]);
    let server = flags.addr();
    let message = flags
        .get("--message")
        .unwrap_or("This is another message")
        .to_string();
    let timeout_ms: u64 = flags.value_or_exit("--timeout-ms", 1000);
    let retries: u32 = flags.value_or_exit("--retries", 3);
    if timeout_ms == 0 {
        // The standard library refuses a zero timeout: it would mean "never wait".
        eprintln!("error: --timeout-ms: must be at least 1");
        return ExitCode::from(2);
    }
    let timeout = Duration::from_millis(timeout_ms);

    match ask(server, message.as_bytes(), timeout, retries) {
        Ok((reply, elapsed)) => {
            let reply = String::from_utf8_lossy(&reply);
            println!(
                "the server says {reply:?} (after {} ms)",
                elapsed.as_millis()
            );
            ExitCode::SUCCESS
        }
        Err(why) => {
            eprintln!("error: {why}");
            ExitCode::FAILURE
        }
    }
}
// ANCHOR_END: main

// ANCHOR: connect
/// Sends `message` to `server` and waits up to `timeout` for a reply, sending it again after
/// each silent `timeout`, at most `retries` more times. Returns the reply and how long the
/// whole exchange took, or a sentence saying why there is no reply.
fn ask(
    server: SocketAddr,
    message: &[u8],
    timeout: Duration,
    retries: u32,
) -> Result<(Vec<u8>, Duration), String> {
    // Port 0: let the operating system pick a free port for our end of the conversation.
    let local: SocketAddr = if server.is_ipv4() {
        "0.0.0.0:0".parse().unwrap()
    } else {
        "[::]:0".parse().unwrap()
    };
    let socket = UdpSocket::bind(local).map_err(|err| format!("cannot bind: {err}"))?;
    // `connect` sends nothing: it fixes the peer, so `send` needs no address and `recv`
    // accepts datagrams from the server only.
    socket
        .connect(server)
        .map_err(|err| format!("cannot reach {server}: {err}"))?;
    socket
        .set_read_timeout(Some(timeout))
        .map_err(|err| format!("cannot set the read timeout: {err}"))?;
    println!(
        "client socket {} talking to {server}",
        socket.local_addr().unwrap()
    );
    // ANCHOR_END: connect

    // ANCHOR: retry
    let started = Instant::now();
    let attempts = retries + 1;
    let mut buf = vec![0u8; MAX_DATAGRAM];
    for attempt in 1..=attempts {
        if attempt > 1 {
            eprintln!(
                "no reply within {} ms; resending (attempt {attempt} of {attempts})",
                timeout.as_millis()
            );
        }
        socket
            .send(message)
            .map_err(|err| format!("cannot send: {err}"))?;
        println!("waiting up to {} ms for a reply", timeout.as_millis());
        match socket.recv(&mut buf) {
            Ok(len) => return Ok((buf[..len].to_vec(), started.elapsed())),
            // A read timeout shows up as `WouldBlock` on Unix and `TimedOut` on Windows.
            Err(err) if matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                continue
            }
            // On a connected socket, the kernel reports "port unreachable" from the far end:
            // nothing listens there, and resending will not change that.
            Err(err) if err.kind() == ErrorKind::ConnectionRefused => {
                return Err(format!(
                    "nothing is listening on {server} (connection refused)"
                ))
            }
            Err(err) => return Err(format!("cannot receive: {err}")),
        }
    }
    Err(format!(
        "no reply from {server} after {attempts} attempts of {} ms each",
        timeout.as_millis()
    ))
}
// ANCHOR_END: retry
