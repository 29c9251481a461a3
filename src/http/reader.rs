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
