//! Chapter 5: the body reader, through which a handler pulls a request's body off the
//! connection as it arrives.
//!
//! A [`Body`] borrows the connection's [`Wire`] and runs the body [`Decoder`] over what has
//! arrived, reading the socket when that is used up; it stops at the end of this body, so the
//! next request on the connection starts where it should.

use std::io::{self, Read};

use super::body::Decoder;
use super::wire::{is_timeout, Wire};
use super::ProtocolError;

// ANCHOR: body
/// A request body, read on demand.
///
/// Reading it pulls bytes from the connection through the body [`Decoder`], which stops at the
/// end of this body. If reading fails because the client broke the framing (a bad chunk size,
/// a body over the limit), the server answers with that error's status and closes, whatever
/// the handler returns.
pub struct Body<'c> {
    input: Input<'c>,
    decoder: Decoder,
    /// The client sent `Expect: 100-continue` and we have not answered it yet.
    owe_continue: bool,
    /// The first error met while reading; once set, every read returns it.
    failure: Option<ProtocolError>,
}
// ANCHOR_END: body

/// Where a body's bytes come from.
enum Input<'c> {
    /// The connection: its buffer first, then the socket.
    Wire(&'c mut Wire),
    /// Bytes already in memory, and how many have been consumed.
    Memory(Vec<u8>, usize),
}

impl<'c> Body<'c> {
    /// A body read from `wire`, decoded by `decoder`.
    pub(crate) fn from_wire(wire: &'c mut Wire, decoder: Decoder, owe_continue: bool) -> Body<'c> {
        Body::new(Input::Wire(wire), decoder, owe_continue)
    }

    /// A body already in memory (a request parsed from bytes, without a connection).
    pub(crate) fn from_memory(bytes: Vec<u8>, decoder: Decoder) -> Body<'c> {
        Body::new(Input::Memory(bytes, 0), decoder, false)
    }

    fn new(input: Input<'c>, decoder: Decoder, owe_continue: bool) -> Body<'c> {
        Body {
            input,
            decoder,
            owe_continue,
            failure: None,
        }
    }

    /// Whether every byte of the body has been read.
    pub fn is_done(&self) -> bool {
        self.decoder.is_done()
    }

    /// The error that stopped reading, if one did.
    pub fn failure(&self) -> Option<ProtocolError> {
        self.failure
    }

    /// Marks the body refused with `err` before any of it is read (a `Content-Length` over
    /// the limit): whoever reads it then gets `err`, never the bytes the server refused.
    pub(crate) fn refuse(&mut self, err: ProtocolError) {
        self.failure = Some(err);
    }

    // ANCHOR: finish
    /// After the handler: reads and discards what it left of the body (up to `max_drain`
    /// bytes), so the next request starts where it should. `Ok(true)` when the connection
    /// can carry another request; `Ok(false)` when it must close; `Err` when the body broke
    /// the protocol and the answer must be that error.
    pub(crate) fn finish(&mut self, max_drain: u64) -> Result<bool, ProtocolError> {
        if let Some(err) = self.failure {
            return Err(err);
        }
        if self.decoder.is_done() {
            return Ok(true);
        }
        // The client is waiting for "100 Continue" and has not sent the body: we never
        // asked for it, so there is nothing to drain, but nothing else can follow either.
        if self.owe_continue
            || self
                .decoder
                .remaining()
                .is_some_and(|left| left > max_drain)
        {
            return Ok(false);
        }
        let mut scratch = [0u8; 4096];
        let mut drained = 0u64;
        while !self.decoder.is_done() && drained <= max_drain {
            match self.read(&mut scratch) {
                Ok(n) => drained += n as u64,
                Err(_) => break,
            }
        }
        match self.failure {
            Some(ProtocolError::Timeout | ProtocolError::Incomplete) | None => {
                Ok(self.decoder.is_done())
            }
            Some(err) => Err(err),
        }
    }
    // ANCHOR_END: finish

    /// Records `err` as the body's failure and turns it into an `io::Error` for the reader.
    fn fail(&mut self, err: ProtocolError) -> io::Error {
        self.failure = Some(err);
        let kind = match err {
            ProtocolError::Timeout => io::ErrorKind::TimedOut,
            ProtocolError::Incomplete => io::ErrorKind::UnexpectedEof,
            _ => io::ErrorKind::InvalidData,
        };
        io::Error::new(kind, err)
    }
}

// ANCHOR: read
impl Read for Body<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if let Some(err) = self.failure {
            return Err(self.fail(err));
        }
        if out.is_empty() || self.decoder.is_done() {
            return Ok(0);
        }
        if self.owe_continue {
            // RFC 9110 §10.1.1: the client waits for this before it sends the body.
            self.owe_continue = false;
            if let Input::Wire(wire) = &mut self.input {
                wire.send_continue()?;
            }
        }
        loop {
            let step = {
                let buffered = self.input.buffered();
                self.decoder.decode(buffered, out.len()).map(|decoded| {
                    let n = decoded.data.len();
                    out[..n].copy_from_slice(&buffered[decoded.data]);
                    (n, decoded.consumed)
                })
            };
            let (n, consumed) = step.map_err(|err| self.fail(err))?;
            self.input.consume(consumed);
            if n > 0 || self.decoder.is_done() {
                return Ok(n);
            }
            // The buffer is used up without a byte of data: wait for more from the client.
            match self.input.fill() {
                Ok(0) => return Err(self.fail(ProtocolError::Incomplete)),
                Ok(_) => {}
                Err(err) if is_timeout(&err) => return Err(self.fail(ProtocolError::Timeout)),
                Err(_) => return Err(self.fail(ProtocolError::Incomplete)),
            }
        }
    }
}
// ANCHOR_END: read

impl Input<'_> {
    /// The bytes buffered and not yet consumed.
    fn buffered(&self) -> &[u8] {
        match self {
            Input::Wire(wire) => wire.buffered(),
            Input::Memory(bytes, at) => &bytes[*at..],
        }
    }

    fn consume(&mut self, n: usize) {
        match self {
            Input::Wire(wire) => wire.consume(n),
            Input::Memory(_, at) => *at += n,
        }
    }

    /// Reads more bytes into the buffer; 0 when no more will come.
    fn fill(&mut self) -> io::Result<usize> {
        match self {
            Input::Wire(wire) => wire.fill(),
            Input::Memory(..) => Ok(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::net::TcpStream;
    use std::time::Duration;

    use super::*;
    use crate::http::head::Framing;
    use crate::http::Limits;

    const CONTINUE: &[u8] = b"HTTP/1.1 100 Continue\r\n\r\n";

    fn decoder(framing: Framing) -> Decoder {
        Decoder::new(framing, &Limits::default())
    }

    /// A server-side wire and its client, over loopback, with a timeout on every read.
    fn pair() -> (Wire, TcpStream) {
        crate::http::wire::tests::pair(&Limits::default())
    }

    /// Everything the server sent the client, once the server has closed.
    fn received(wire: Wire, mut client: TcpStream) -> Vec<u8> {
        wire.close(false);
        let mut bytes = Vec::new();
        client.read_to_end(&mut bytes).unwrap();
        bytes
    }

    /// A whole chunked body with one chunk of `n` bytes.
    fn chunked(n: usize) -> Vec<u8> {
        let mut bytes = format!("{n:x}\r\n").into_bytes();
        bytes.extend(std::iter::repeat_n(b'c', n));
        bytes.extend_from_slice(b"\r\n0\r\n\r\n");
        bytes
    }

    /// A drain case: its name, the body's framing and bytes, how many of them the handler
    /// read, `max_drain`, and what `finish` says.
    type DrainCase = (
        &'static str,
        Framing,
        Vec<u8>,
        usize,
        u64,
        Result<bool, ProtocolError>,
    );

    #[test]
    fn finish_drains_what_fits_in_max_drain_and_no_more() {
        // One line a case: rustfmt would spread each over eight.
        #[rustfmt::skip]
        let cases: [DrainCase; 10] = [
            // Chunked bodies do not say their length: drained until past max_drain.
            ("chunked past", Framing::Chunked, chunked(20), 0, 10, Ok(false)),
            ("chunked within", Framing::Chunked, chunked(20), 0, 100, Ok(true)),
            ("nothing to drain", Framing::Empty, vec![], 0, 0, Ok(true)),
            ("well under", Framing::Length(3), vec![b'x'; 3], 0, 10, Ok(true)),
            ("exactly max_drain", Framing::Length(10), vec![b'x'; 10], 0, 10, Ok(true)),
            ("one over", Framing::Length(11), vec![b'x'; 11], 0, 10, Ok(false)),
            // What counts is what the handler left, not the whole length.
            ("rest exactly max_drain", Framing::Length(10), vec![b'x'; 10], 4, 6, Ok(true)),
            ("rest one over", Framing::Length(10), vec![b'x'; 10], 4, 5, Ok(false)),
            ("client stopped early", Framing::Length(5), vec![b'x'; 3], 0, 10, Ok(false)),
            ("broken framing", Framing::Chunked, b"zz\r\n".to_vec(), 0, 100, Err(ProtocolError::BadChunkSize)),
        ];
        for (name, framing, bytes, read_first, max_drain, expected) in cases {
            let mut body = Body::from_memory(bytes, decoder(framing));
            let mut first = vec![0; read_first];
            body.read_exact(&mut first).unwrap();
            assert_eq!(body.finish(max_drain), expected, "{name}");
            if expected == Ok(true) {
                assert!(body.is_done(), "{name}");
            }
        }
    }

    #[test]
    fn is_done_once_the_last_byte_is_read() {
        assert!(Body::from_memory(Vec::new(), decoder(Framing::Empty)).is_done());
        let mut body = Body::from_memory(b"helloNEXT".to_vec(), decoder(Framing::Length(5)));
        assert!(!body.is_done());
        let mut bytes = Vec::new();
        body.read_to_end(&mut bytes).unwrap();
        assert_eq!(bytes, b"hello");
        assert!(body.is_done());
    }

    #[test]
    fn reading_into_an_empty_buffer_reads_nothing_and_breaks_nothing() {
        let mut body = Body::from_memory(b"hello".to_vec(), decoder(Framing::Length(5)));
        assert_eq!(body.read(&mut []).unwrap(), 0);
        assert_eq!(body.failure(), None);
        let mut bytes = Vec::new();
        body.read_to_end(&mut bytes).unwrap();
        assert_eq!(bytes, b"hello");
    }

    #[test]
    fn a_refused_body_gives_its_error_never_its_bytes() {
        let mut body = Body::from_memory(b"hello".to_vec(), decoder(Framing::Length(5)));
        body.refuse(ProtocolError::BodyTooLarge);
        let err = body.read(&mut [0; 8]).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert_eq!(body.failure(), Some(ProtocolError::BodyTooLarge));
        assert_eq!(body.finish(1 << 20), Err(ProtocolError::BodyTooLarge));
    }

    #[test]
    fn each_failure_becomes_its_io_error_and_sticks() {
        // A timeout, an early close and broken framing, each met by a second read too.
        let mut late = {
            let mut body = Body::from_memory(Vec::new(), decoder(Framing::Length(5)));
            body.fail(ProtocolError::Timeout);
            body
        };
        let mut cut = Body::from_memory(b"he".to_vec(), decoder(Framing::Length(5)));
        let mut broken = Body::from_memory(b"zz\r\n".to_vec(), decoder(Framing::Chunked));
        let cases = [
            (&mut late, ProtocolError::Timeout, io::ErrorKind::TimedOut),
            (
                &mut cut,
                ProtocolError::Incomplete,
                io::ErrorKind::UnexpectedEof,
            ),
            (
                &mut broken,
                ProtocolError::BadChunkSize,
                io::ErrorKind::InvalidData,
            ),
        ];
        for (body, failure, kind) in cases {
            let mut bytes = Vec::new();
            let err = body.read_to_end(&mut bytes).unwrap_err();
            assert_eq!(err.kind(), kind, "{failure:?}");
            assert_eq!(body.failure(), Some(failure));
            assert_eq!(
                body.read(&mut [0; 8]).unwrap_err().kind(),
                kind,
                "{failure:?}"
            );
        }
    }

    #[test]
    fn a_body_arriving_after_the_read_starts_is_read_off_the_socket() {
        let (mut wire, mut client) = pair();
        client.write_all(b"hel").unwrap();
        let mut body = Body::from_wire(&mut wire, decoder(Framing::Length(5)), false);
        let mut first = [0; 3];
        body.read_exact(&mut first).unwrap();
        client.write_all(b"loNEXT").unwrap();
        let mut rest = Vec::new();
        body.read_to_end(&mut rest).unwrap();
        assert_eq!((&first[..], &rest[..]), (&b"hel"[..], &b"lo"[..]));
        assert_eq!(body.finish(0), Ok(true));
        // The next request's bytes (sent in the same write, so read with the body's last
        // bytes) stay on the wire.
        assert_eq!(wire.buffered(), b"NEXT");
    }

    #[test]
    fn continue_is_sent_once_before_the_first_byte_is_read() {
        let (mut wire, mut client) = pair();
        client.write_all(b"hel").unwrap();
        let mut body = Body::from_wire(&mut wire, decoder(Framing::Length(5)), true);
        let mut bytes = [0; 5];
        body.read_exact(&mut bytes[..3]).unwrap();
        client.write_all(b"lo").unwrap();
        body.read_exact(&mut bytes[3..]).unwrap();
        assert_eq!(&bytes, b"hello");
        assert_eq!(body.finish(0), Ok(true));
        assert_eq!(received(wire, client), CONTINUE);
    }

    #[test]
    fn a_body_never_asked_for_is_not_drained_and_the_connection_closes() {
        // Even one that would fit in max_drain: the client waits for "100 Continue" first.
        let (mut wire, client) = pair();
        wire.set_timeout(Duration::from_millis(100));
        let mut body = Body::from_wire(&mut wire, decoder(Framing::Length(5)), true);
        assert_eq!(body.finish(1 << 20), Ok(false));
        assert_eq!(received(wire, client), b"");
    }

    #[test]
    fn a_read_timeout_becomes_timeout_and_the_connection_closes() {
        let (mut wire, mut client) = pair();
        wire.set_timeout(Duration::from_millis(50));
        client.write_all(b"he").unwrap();
        let mut body = Body::from_wire(&mut wire, decoder(Framing::Length(5)), false);
        let mut bytes = Vec::new();
        let err = body.read_to_end(&mut bytes).unwrap_err();
        assert_eq!(
            (bytes.as_slice(), err.kind()),
            (&b"he"[..], io::ErrorKind::TimedOut)
        );
        assert_eq!(body.failure(), Some(ProtocolError::Timeout));
        // The handler met it, so the answer is the timeout's own.
        assert_eq!(body.finish(1 << 20), Err(ProtocolError::Timeout));
    }

    #[test]
    fn a_timeout_while_draining_only_closes_the_connection() {
        let (mut wire, mut client) = pair();
        wire.set_timeout(Duration::from_millis(50));
        client.write_all(b"he").unwrap();
        let mut body = Body::from_wire(&mut wire, decoder(Framing::Length(5)), false);
        assert_eq!(body.finish(1 << 20), Ok(false));
        assert_eq!(body.failure(), Some(ProtocolError::Timeout));
    }

    #[test]
    fn a_connection_closed_or_reset_mid_body_is_incomplete() {
        for reset in [false, true] {
            let (mut wire, mut client) = pair();
            client.write_all(b"he").unwrap();
            if reset {
                // Closing with input unread makes the client's side send a reset, not a FIN.
                wire.output().extend_from_slice(b"unread");
                wire.flush().unwrap();
                client.peek(&mut [0; 1]).unwrap();
            }
            drop(client);
            let mut body = Body::from_wire(&mut wire, decoder(Framing::Length(5)), false);
            let mut bytes = Vec::new();
            let err = body.read_to_end(&mut bytes).unwrap_err();
            assert_eq!(bytes, b"he", "reset: {reset}");
            assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof, "reset: {reset}");
            assert_eq!(body.failure(), Some(ProtocolError::Incomplete));
            assert_eq!(body.finish(1 << 20), Err(ProtocolError::Incomplete));
        }
    }
}
