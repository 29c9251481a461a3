//! Chapter 5: the limits that keep one client from taking more than its share.
//!
//! Every number the connection loop trusts a client with is here, named, with a default a
//! reader can defend. A request that goes past one gets its own status code (see
//! [`ProtocolError`](super::ProtocolError)), never a hang or an unbounded buffer.

use std::time::Duration;

/// The most header lines [`Limits::max_headers`] may ask for: `httparse` parses into an array
/// the parser keeps on the stack, and this is its size.
pub const MAX_HEADERS_CEILING: usize = 128;

// ANCHOR: limits
/// How much a client may send, and how slowly.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Bytes in a request head (request line, headers, final blank line); past it: `431`.
    /// Also bounds the bytes of chunk extensions and trailers in one chunked body.
    pub max_head: usize,
    /// Bytes in the request target; past it: `414`. Must be below `max_head` to be reachable.
    pub max_target: usize,
    /// Header lines in a head (at most [`MAX_HEADERS_CEILING`]); past it: `431`.
    pub max_headers: usize,
    /// Bytes in a request body; past it: `413`, and for a `Content-Length` before any of the
    /// body is read.
    pub max_body: u64,
    /// Bytes of a body the handler did not read that the server will read and throw away to
    /// keep the connection open; a larger leftover closes the connection instead.
    pub max_drain: u64,
    /// How long a kept-alive connection may sit idle between requests before it is closed.
    pub idle_timeout: Duration,
    /// How long a client may take to send a whole head, once its first byte has arrived;
    /// past it: `408`.
    pub head_timeout: Duration,
    /// How long a read of the body may wait for the next bytes; past it: `408`.
    pub body_timeout: Duration,
    /// How long a write of the response may wait for the client to make room (by reading);
    /// past it the connection is closed, so a client that never reads cannot hold a worker.
    pub write_timeout: Duration,
    // > ch10
    // ANCHOR: limits_ch10
    /// Chapter 10: the slowest a body may arrive, in bytes per second, once `body_timeout` has
    /// passed since its first read; slower, and the request gets a `408`. `0`: no minimum.
    /// Without it a client sending one byte every few seconds would pass every per-read
    /// timeout and hold its worker for as long as it liked.
    pub min_body_rate: u64,
    /// Chapter 10: open connections (being served, queued or parked); past it the acceptor
    /// answers `503` with `Retry-After` at once and closes. `0` sets no limit, as in chapter 5,
    /// where every open connection is held by a worker or queued, so the pool bounds them.
    pub max_connections: usize,
    /// Chapter 10: connections that may wait for their next request parked in the poller
    /// rather than in a worker; past it an idle connection is closed. `0` turns parking off:
    /// a worker then waits on its idle connection itself, as in chapter 5.
    pub max_parked: usize,
    /// Chapter 10: how long a worker waits for the next request on a kept-alive connection
    /// before it parks the connection. A client that sends its next request at once is
    /// served without the round trip through the poller.
    pub park_after: Duration,
    // ANCHOR_END: limits_ch10
    // < ch10
    // > ch13
    // ANCHOR: limits_ch13
    /// Chapter 13: at shutdown, how long a kept-alive connection that is idle still waits for
    /// its next request, which is then answered with `Connection: close`. A busy client has
    /// often sent that request already; closing at once would fail it. `0` closes at once.
    pub last_call: Duration,
    // ANCHOR_END: limits_ch13
    // < ch13
}

impl Default for Limits {
    /* ch05 < ch10
    /// 8 KiB heads with targets up to 4 KiB and 64 headers (browsers send about 1 KiB and a
    /// dozen), 1 MiB bodies, 64 KiB drained, 5 s idle, 10 s per head, per body read and per
    /// response write.
     */
    // > ch10
    /// 8 KiB heads with targets up to 4 KiB and 64 headers (browsers send about 1 KiB and a
    /// dozen), 1 MiB bodies, 64 KiB drained, 5 s idle, 10 s per head, per body read and per
    /// response write; bodies at 1 KiB/s at least after their first 10 s; 16,384 open
    /// connections of which up to 15,360 parked, and parked after 2 ms without a request.
    // < ch10
    // > ch13
    /// At shutdown, idle connections get a last call of 500 ms.
    // < ch13
    fn default() -> Limits {
        Limits {
            max_head: 8 * 1024,
            max_target: 4 * 1024,
            max_headers: 64,
            max_body: 1024 * 1024,
            max_drain: 64 * 1024,
            idle_timeout: Duration::from_secs(5),
            head_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            write_timeout: Duration::from_secs(10),
            // > ch10
            min_body_rate: 1024,
            max_connections: 16 * 1024,
            max_parked: 15 * 1024,
            park_after: Duration::from_millis(2),
            // < ch10
            last_call: Duration::from_millis(500), // > ch13
        }
    }
}
// ANCHOR_END: limits
