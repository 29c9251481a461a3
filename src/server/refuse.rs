//! Chapter 4: the answer to a connection nobody can serve now (the queue is full, or, from
//! chapter 10, too many connections are open): a short `503`, given without ever blocking
//! the thread that gives it.

use std::io::{Read, Write};
use std::net::TcpStream;

// ANCHOR: refuse
/// The acceptor's answer when every worker is busy and the queue is full.
const OVERLOADED: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\n\
Retry-After: 1\r\n\
Content-Length: 0\r\n\
Connection: close\r\n\
\r\n";

/// Answers `503` on a connection the pool cannot take, without ever blocking the acceptor.
pub(crate) fn refuse(mut stream: TcpStream) {
    log::warn!("queue full: refusing a connection with 503");
    // Closing a socket with unread bytes makes the kernel send a reset, which can destroy the
    // 503 before the client reads it; so first read whatever request has already arrived.
    // Non-blocking throughout: a slow client must not hold up the acceptor.
    if stream.set_nonblocking(true).is_ok() {
        let mut scratch = [0u8; 4096];
        for _ in 0..16 {
            if !matches!(stream.read(&mut scratch), Ok(n) if n > 0) {
                break;
            }
        }
        let _ = stream.write_all(OVERLOADED);
    }
}
// ANCHOR_END: refuse
