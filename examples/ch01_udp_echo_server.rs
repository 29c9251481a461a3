//! Chapter 1: a blocking UDP server. It waits for one datagram, logs who sent it and how
//! long it was, answers `Your data has been received`, and goes back to waiting. One
//! datagram at a time: while it works on one (`--work-ms`), every other waits in the socket's
//! receive queue.
//!
//! Run: `cargo run --example ch01_udp_echo_server -- --addr 127.0.0.1:8080 --work-ms 0`

use std::net::UdpSocket;
use std::thread;
use std::time::Duration;

use weft_tools::cli::{self, Flags};

// ANCHOR: constants
/// The largest datagram we can receive. A UDP datagram's length field is 16 bits, so no
/// datagram is longer than this; with a buffer this big, nothing is ever cut short.
const MAX_DATAGRAM: usize = 65_535;

/// What the server says to every datagram, whatever it held.
const REPLY: &[u8] = b"Your data has been received";
// ANCHOR_END: constants

// ANCHOR: main
fn main() {
    cli::init_logging();
    let flags = Flags::from_env(&["--addr", "--work-ms"]);
    let work = Duration::from_millis(flags.value_or_exit("--work-ms", 0));

    let socket = UdpSocket::bind(flags.addr()).expect("cannot bind");
    cli::announce(socket.local_addr().expect("bound address"));

    let mut buf = vec![0u8; MAX_DATAGRAM];
    loop {
        // ANCHOR: receive
        // Blocks until a datagram arrives: the whole program waits here.
        let (len, peer) = match socket.recv_from(&mut buf) {
            Ok(received) => received,
            Err(err) => {
                log::warn!("receive failed: {err}");
                continue;
            }
        };
        log::info!("datagram of {len} bytes from {peer}");
        // ANCHOR_END: receive

        // ANCHOR: work
        // Stands in for real work on the request. While we sleep, nobody else is served.
        if !work.is_zero() {
            thread::sleep(work);
        }
        // ANCHOR_END: work

        // ANCHOR: reply
        if let Err(err) = socket.send_to(REPLY, peer) {
            log::warn!("reply to {peer} failed: {err}");
        }
        // ANCHOR_END: reply
    }
}
// ANCHOR_END: main
