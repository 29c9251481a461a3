//! Chapter 5: the wire, a connection's socket with its two buffers, where bytes come in from a
//! client and go back out.
//!
//! Input is allocated once per connection and reused for every request on it; output gathers
//! responses until the server is about to wait for the client, so that pipelined requests are
//! answered with one write. The wire knows nothing of requests: [`head`](super::head) and
//! [`body`](super::body) decide what the bytes mean, and the connection loop in
//! `server::conn` decides when to read and write.

use std::io::{self, Read, Write};
use std::net::{Shutdown as Direction, TcpStream};
use std::time::{Duration, Instant};

use super::Limits;

/// How long a connection being closed keeps reading (and discarding) what the client still
/// sends, so that our last response is not destroyed by a reset (see [`Wire::close`]).
const LINGER: Duration = Duration::from_secs(1);

// ANCHOR: wire
/// A connection's socket and buffers.
pub(crate) struct Wire {
    stream: TcpStream,
    /// Input: `buf[start..end]` has arrived and not been consumed yet.
    buf: Vec<u8>,
    start: usize,
    end: usize,
    /// Output not yet sent.
    out: Vec<u8>,
    // > ch11
    /// The head of the request being served, copied out of `buf` (see [`Wire::take_head`]);
    /// one buffer for all of the connection's requests.
    head: Vec<u8>,
    // < ch11
    /// The read timeout last set on the socket, to skip setting it again.
    timeout: Option<Duration>,
    /// The size `buf` grows to when there is reading to do (chapter 10: a parked connection
    /// gives its buffers back).
    size: usize,
    // > ch10
    /// Chapter 10: while a body is read, the minimum rate it must arrive at.
    budget: Option<Budget>,
    // < ch10
}
// ANCHOR_END: wire

// > ch10
// ANCHOR: budget
/// Chapter 10: how long a body may take, as a minimum rate after a grace period. A per-read
/// timeout alone lets a client send one byte just before each timeout and hold its worker for
/// ever; this bounds the whole body by its size.
struct Budget {
    /// Bytes per second the body must keep up, counted from its first read.
    min_rate: u64,
    /// Time allowed before the rate counts at all (a slow start, a handler that reads late).
    grace: Duration,
    /// The longest a single read may wait.
    per_read: Duration,
    started: Option<Instant>,
    received: u64,
}

impl Budget {
    /// How long the next read may wait: the time left until the body falls below its minimum
    /// rate, and never more than one read's timeout. Zero when the body is already too slow.
    fn next_wait(&mut self) -> Duration {
        let started = *self.started.get_or_insert_with(Instant::now);
        let earned = Duration::from_secs_f64(self.received as f64 / self.min_rate as f64);
        let allowed = self.grace.saturating_add(earned);
        allowed.saturating_sub(started.elapsed()).min(self.per_read)
    }
}
// ANCHOR_END: budget
// < ch10

impl Wire {
    /// Wraps an accepted stream; nothing is allocated until the first read.
    pub(crate) fn new(stream: TcpStream, limits: &Limits) -> Wire {
        Wire {
            stream,
            // Allocated at the first read, so the acceptor does not pay for it.
            buf: Vec::new(),
            start: 0,
            end: 0,
            out: Vec::new(),
            head: Vec::new(), // > ch11
            timeout: None,
            // A whole head must fit; bodies pass through in pieces of this size.
            size: limits.max_head.max(4096),
            budget: None, // > ch10
        }
    }

    // > ch10
    // ANCHOR: shrink
    /// Chapter 10: gives the buffers back before the connection is parked, keeping only the
    /// bytes not consumed yet (part of a head, at most). An idle connection then costs its
    /// socket and a few dozen bytes, not the 12 KiB a busy one uses.
    pub(crate) fn shrink(&mut self) {
        self.buf.copy_within(self.start..self.end, 0);
        (self.start, self.end) = (0, self.end - self.start);
        self.buf.truncate(self.end);
        self.buf.shrink_to_fit();
        self.out = Vec::new();
        self.head = Vec::new(); // > ch11
    }
    // ANCHOR_END: shrink

    /// Chapter 10: starts the minimum-rate clock for a body (if the limits ask for one).
    pub(crate) fn start_body(&mut self, limits: &Limits) {
        self.budget = (limits.min_body_rate > 0).then_some(Budget {
            min_rate: limits.min_body_rate,
            grace: limits.body_timeout,
            per_read: limits.body_timeout,
            started: None,
            received: 0,
        });
    }

    /// Chapter 10: stops the body's minimum-rate clock, once the body is over.
    pub(crate) fn end_body(&mut self) {
        self.budget = None;
    }
    // < ch10

    // > ch10
    /// The socket, for the poller to watch.
    pub(crate) fn socket(&self) -> &TcpStream {
        &self.stream
    }
    // < ch10

    /// The socket, taken out of the wire (for a `503` or a `408` sent without the buffers).
    pub(crate) fn into_stream(self) -> TcpStream {
        self.stream
    }

    /// The bytes that have arrived and not been consumed.
    pub(crate) fn buffered(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    /// Marks the first `n` buffered bytes as used.
    pub(crate) fn consume(&mut self, n: usize) {
        self.start += n;
        debug_assert!(self.start <= self.end);
        if self.start == self.end {
            (self.start, self.end) = (0, 0);
        }
    }

    // ANCHOR: fill
    /// Reads more bytes from the socket into the buffer; returns how many (0: the client
    /// closed its side). Moves unconsumed bytes to the front first if the end is reached.
    pub(crate) fn fill(&mut self) -> io::Result<usize> {
        if self.buf.len() < self.size {
            self.buf.resize(self.size, 0);
        }
        // > ch10
        if let Some(budget) = &mut self.budget {
            let wait = budget.next_wait();
            if wait.is_zero() {
                return Err(io::ErrorKind::TimedOut.into());
            }
            self.set_timeout(wait);
        }
        // < ch10
        if self.end == self.buf.len() {
            self.buf.copy_within(self.start..self.end, 0);
            (self.start, self.end) = (0, self.end - self.start);
        }
        if self.end == self.buf.len() {
            // Only a caller that ignored the parser's limit could get here.
            return Err(io::Error::other("input buffer full"));
        }
        let n = self.stream.read(&mut self.buf[self.end..])?;
        self.end += n;
        // > ch10
        if let Some(budget) = &mut self.budget {
            budget.received += n as u64;
        }
        // < ch10
        Ok(n)
    }
    // ANCHOR_END: fill

    // > ch10
    /// Chapter 10: reads what has already arrived without waiting; `WouldBlock` if nothing has.
    pub(crate) fn fill_now(&mut self) -> io::Result<usize> {
        self.stream.set_nonblocking(true)?;
        let read = self.fill();
        self.stream.set_nonblocking(false)?;
        read
    }
    // < ch10

    /* ch05 < ch11
    /// Copies the first `n` buffered bytes (a head, for its request) out of the buffer, and
    /// consumes them.
    pub(crate) fn take(&mut self, n: usize) -> Vec<u8> {
        let head = self.buffered()[..n].to_vec();
        self.consume(n);
        head
    }
    */
    // > ch11
    // ANCHOR: take_head
    /// Copies the first `n` buffered bytes (a head, for its request) into the connection's
    /// head buffer, consumes them, and lends the buffer out until [`Wire::return_head`].
    ///
    /// The request reads its head from this buffer while its body reads on through the wire:
    /// lent out, the buffer is no part of the wire the body borrows, so both borrows can live
    /// together. Once it has grown to the connection's largest head, the copy allocates nothing.
    pub(crate) fn take_head(&mut self, n: usize) -> Vec<u8> {
        let mut head = std::mem::take(&mut self.head);
        head.clear();
        head.extend_from_slice(&self.buffered()[..n]);
        self.consume(n);
        head
    }

    /// Takes the head buffer back once the request that borrowed it is gone.
    pub(crate) fn return_head(&mut self, head: Vec<u8>) {
        self.head = head;
    }
    // ANCHOR_END: take_head
    // < ch11

    /// The output buffer, for the response writer.
    pub(crate) fn output(&mut self) -> &mut Vec<u8> {
        &mut self.out
    }

    /// Sends all buffered output.
    pub(crate) fn flush(&mut self) -> io::Result<()> {
        if !self.out.is_empty() {
            let result = self.stream.write_all(&self.out);
            self.out.clear();
            result?;
        }
        Ok(())
    }

    /// Sends `100 Continue`, after any responses still buffered (they answer earlier
    /// requests, and answers go out in order).
    pub(crate) fn send_continue(&mut self) -> io::Result<()> {
        self.out.extend_from_slice(b"HTTP/1.1 100 Continue\r\n\r\n");
        self.flush()
    }

    /// Sets the socket's read timeout (skipped when it is already `timeout`).
    pub(crate) fn set_timeout(&mut self, timeout: Duration) {
        // A zero timeout means "none" to the OS: never pass one.
        let timeout = timeout.max(Duration::from_millis(1));
        if self.timeout != Some(timeout) && self.stream.set_read_timeout(Some(timeout)).is_ok() {
            self.timeout = Some(timeout);
        }
    }

    // ANCHOR: close
    /// Closes the connection after sending what is buffered. With `linger`, it first says "no
    /// more from us" (FIN), then reads and discards for a moment before closing.
    ///
    /// Closing a socket that still has unread input makes the kernel send a reset (RST), and a
    /// reset can reach the client before it has read our last response, which is then lost:
    /// exactly the `400` or `413` that explained why we close. Reading what the client is
    /// still sending, briefly and boundedly, avoids that.
    pub(crate) fn close(mut self, linger: bool) {
        let _ = self.flush();
        // Without lingering, dropping the socket sends the FIN just as well.
        if linger {
            self.buf.resize(self.size, 0);
            let _ = self.stream.shutdown(Direction::Write);
            let deadline = Instant::now() + LINGER;
            let mut discarded = 0;
            while discarded < self.buf.len() * 8 {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    break;
                }
                self.set_timeout(left);
                match self.stream.read(&mut self.buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => discarded += n,
                }
            }
        }
    }
    // ANCHOR_END: close
}

/// Whether a read failed because its timeout passed (`WouldBlock` on Unix, `TimedOut` on
/// Windows).
pub(crate) fn is_timeout(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use std::net::TcpListener;

    use super::*;

    /// A server-side wire and its client, over loopback, with a timeout on every read.
    pub(crate) fn pair(limits: &Limits) -> (Wire, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        // Set on the socket itself, so that every read ends whatever the wire does.
        for stream in [&client, &server] {
            stream
                .set_read_timeout(Some(Duration::from_secs(5)))
                .unwrap();
        }
        (Wire::new(server, limits), client)
    }

    /// Blocks until `n` bytes have arrived on the wire's socket, without reading them.
    fn wait_for(wire: &Wire, n: usize) {
        let mut peek = vec![0; n + 1];
        loop {
            let arrived = wire.stream.peek(&mut peek).unwrap();
            assert!(arrived > 0, "the client closed");
            if arrived >= n {
                break;
            }
        }
    }

    /// Bytes that differ from their neighbours (a cycle of 251, a prime), so that one out of
    /// place shows.
    fn pattern(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i % 251) as u8).collect()
    }

    // > ch10
    fn budget(min_rate: u64, grace_ms: u64, per_read_ms: u64) -> Budget {
        Budget {
            min_rate,
            grace: Duration::from_millis(grace_ms),
            per_read: Duration::from_millis(per_read_ms),
            started: None,
            received: 0,
        }
    }

    #[test]
    fn a_body_earns_time_by_arriving() {
        // 1000 bytes/s: each 100 bytes received buys 100 ms beyond the grace period.
        let mut slow = budget(1000, 500, 10_000);
        let first = slow.next_wait();
        assert!(first <= Duration::from_millis(500), "{first:?}");
        slow.received = 1000;
        // 500 ms of grace and 1000 ms earned, less the moment this test has taken so far.
        let later = slow.next_wait();
        assert!(later > Duration::from_millis(1000), "{later:?}");
    }

    #[test]
    fn one_read_never_waits_longer_than_its_own_timeout() {
        let mut fast = budget(1, 60_000, 200);
        assert_eq!(fast.next_wait(), Duration::from_millis(200));
    }

    #[test]
    fn a_body_already_too_slow_gets_no_more_time() {
        let mut late = budget(1000, 0, 10_000);
        late.started = Some(Instant::now() - Duration::from_secs(2));
        late.received = 1000; // earned 1 s, spent 2
        assert_eq!(late.next_wait(), Duration::ZERO);
    }
    // < ch10

    #[test]
    fn timeouts_are_told_from_other_errors() {
        use io::ErrorKind::*;
        let cases = [
            (WouldBlock, true),
            (TimedOut, true),
            (ConnectionReset, false),
            (UnexpectedEof, false),
            (Other, false),
        ];
        for (kind, expected) in cases {
            assert_eq!(is_timeout(&kind.into()), expected, "{kind:?}");
        }
    }

    #[test]
    fn the_read_timeout_is_set_on_the_socket_and_never_zero() {
        let (mut wire, _client) = pair(&Limits::default());
        // Whole seconds: the kernel keeps a timeout in clock ticks, so reads back a few
        // milliseconds more.
        for secs in [2, 2, 3] {
            wire.set_timeout(Duration::from_secs(secs));
            let timeout = wire.stream.read_timeout().unwrap();
            assert_eq!(timeout, Some(Duration::from_secs(secs)));
        }
        // Zero would mean "wait for ever": the shortest timeout there is instead.
        wire.set_timeout(Duration::ZERO);
        let timeout = wire.stream.read_timeout().unwrap().expect("a timeout");
        assert!(timeout < Duration::from_secs(1), "{timeout:?}");
    }

    #[test]
    fn a_full_buffer_makes_room_by_moving_what_is_left_to_the_front() {
        let limits = Limits {
            max_head: 1024,
            ..Limits::default()
        };
        let (mut wire, mut client) = pair(&limits);
        let size = wire.size;
        let sent = pattern(size + 50);
        client.write_all(&sent[..size]).unwrap();
        wait_for(&wire, size);
        assert_eq!(wire.fill().unwrap(), size);
        // Nothing consumed: no room anywhere.
        assert_eq!(wire.fill().unwrap_err().kind(), io::ErrorKind::Other);
        wire.consume(100);
        client.write_all(&sent[size..]).unwrap();
        wait_for(&wire, 50);
        assert_eq!(wire.fill().unwrap(), 50);
        assert_eq!(wire.buffered(), &sent[100..]);
    }

    // > ch11
    #[test]
    fn shrinking_keeps_exactly_the_unconsumed_bytes() {
        let (mut wire, mut client) = pair(&Limits::default());
        let sent = pattern(300);
        client.write_all(&sent).unwrap();
        wait_for(&wire, sent.len());
        wire.fill().unwrap();
        wire.consume(100);
        wire.output().extend_from_slice(b"sent already");
        wire.flush().unwrap();
        let head = wire.take_head(20);
        wire.return_head(head);
        wire.shrink();
        assert_eq!(wire.buffered(), &sent[120..]);
        // The rest is given back: what is kept fits in what is left of the input.
        assert!(wire.buf.capacity() < wire.size, "{}", wire.buf.capacity());
        assert_eq!((wire.out.capacity(), wire.head.capacity()), (0, 0));
        // And the wire reads on as before.
        client.write_all(b"more").unwrap();
        wire.fill().unwrap();
        assert_eq!(&wire.buffered()[180..], b"more");
    }
    // < ch11

    // > ch11
    #[test]
    fn every_head_on_a_connection_is_copied_into_the_same_buffer() {
        let (mut wire, mut client) = pair(&Limits::default());
        client.write_all(b"first head|second|").unwrap();
        wait_for(&wire, 18);
        wire.fill().unwrap();
        let first = wire.take_head(11);
        assert_eq!(first, b"first head|");
        let (at, room) = (first.as_ptr(), first.capacity());
        wire.return_head(first);
        let second = wire.take_head(7);
        assert_eq!(second, b"second|");
        assert_eq!((second.as_ptr(), second.capacity()), (at, room));
    }
    // < ch11

    // > ch10
    #[test]
    fn fill_now_takes_what_has_arrived_and_does_not_wait() {
        let (mut wire, mut client) = pair(&Limits::default());
        let err = wire.fill_now().unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
        client.write_all(b"abc").unwrap();
        wait_for(&wire, 3);
        assert_eq!(wire.fill_now().unwrap(), 3);
        assert_eq!(wire.buffered(), b"abc");
    }

    #[test]
    fn a_body_has_a_minimum_rate_only_if_the_limits_ask_for_one() {
        let (body_timeout, unchanged) = (Duration::from_millis(300), Duration::from_secs(5));
        for min_body_rate in [0, 1, 1024] {
            let limits = Limits {
                min_body_rate,
                body_timeout,
                ..Limits::default()
            };
            let (mut wire, mut client) = pair(&limits);
            wire.start_body(&limits);
            assert_eq!(wire.budget.is_some(), min_body_rate > 0, "{min_body_rate}");
            client.write_all(b"abc").unwrap();
            assert_eq!(wire.fill().unwrap(), 3);
            let timeout = wire.stream.read_timeout().unwrap().unwrap();
            if let Some(budget) = &wire.budget {
                // The budget counts what arrives and bounds each read's wait.
                assert_eq!(budget.received, 3);
                assert!(timeout <= body_timeout, "{timeout:?}");
            } else {
                assert_eq!(timeout, unchanged);
            }
            wire.end_body();
            assert!(wire.budget.is_none());
        }
    }
    // < ch10

    #[test]
    fn continue_goes_out_after_the_answers_before_it() {
        let (mut wire, mut client) = pair(&Limits::default());
        wire.output().extend_from_slice(b"EARLIER ");
        wire.send_continue().unwrap();
        assert!(wire.output().is_empty());
        wire.close(false);
        let mut bytes = Vec::new();
        client.read_to_end(&mut bytes).unwrap();
        assert_eq!(bytes, b"EARLIER HTTP/1.1 100 Continue\r\n\r\n");
    }

    /// The client sends `n` bytes the server never reads, then (with `half_close`) reads our
    /// answer to its end and says it is done too; the server answers and closes, lingering.
    /// Returns what the client read and the error its socket was left with (a reset), if any.
    fn close_unread(n: usize, half_close: bool) -> (Vec<u8>, Option<io::Error>) {
        let limits = Limits {
            max_head: 1024,
            ..Limits::default()
        };
        let (mut wire, mut client) = pair(&limits);
        client.write_all(&pattern(n)).unwrap();
        wait_for(&wire, n);
        wire.output().extend_from_slice(b"413 and goodbye");
        let reader = std::thread::spawn(move || {
            let mut bytes = Vec::new();
            client.read_to_end(&mut bytes).unwrap();
            if half_close {
                let _ = client.shutdown(Direction::Write);
            }
            (client, bytes)
        });
        wire.close(true);
        let (client, bytes) = reader.join().unwrap();
        (bytes, client.take_error().unwrap())
    }

    #[test]
    fn closing_reads_what_the_client_still_sends_so_it_gets_no_reset() {
        let (bytes, reset) = close_unread(1000, true);
        assert_eq!(bytes, b"413 and goodbye");
        assert!(reset.is_none(), "{reset:?}");
    }

    #[test]
    fn closing_reads_eight_buffers_at_most() {
        // The wire's buffer is 4 KiB here: up to 32 KiB read and discarded, then it closes
        // even though the client has not finished.
        let cap = 8 * 4096;
        for (n, reset) in [(cap, false), (cap + 1, true)] {
            let (bytes, error) = close_unread(n, false);
            assert_eq!(bytes, b"413 and goodbye", "{n}");
            assert_eq!(error.is_some(), reset, "{n}: {error:?}");
        }
    }

    #[test]
    fn closing_without_lingering_still_sends_the_answer() {
        let (mut wire, mut client) = pair(&Limits::default());
        wire.output().extend_from_slice(b"bye");
        wire.close(false);
        let mut bytes = Vec::new();
        client.read_to_end(&mut bytes).unwrap();
        assert_eq!(bytes, b"bye");
    }
}
