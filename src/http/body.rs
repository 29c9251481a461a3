//! Chapter 5: finding where a request body ends, as a state machine over bytes.
//!
//! A [`Decoder`] is told how the body is framed (a `Content-Length`, or `chunked`) and is then
//! fed whatever bytes have arrived. Each call to [`Decoder::decode`] consumes framing bytes and
//! hands back at most one run of body data, as a range of its input: no copying, no I/O, and
//! it never consumes a byte past the end of the body, which belongs to the next request.
//!
//! Chunked decoding (RFC 9112 §7.1) is the part with states. Its grammar:
//!
//! ```text
//! chunked-body = *chunk last-chunk trailer-section CRLF
//! chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
//! last-chunk   = 1*("0") [ chunk-ext ] CRLF
//! ```
//!
//! Each [`State`] below is one position in that grammar, and each step reads one byte (or one
//! run of data) and moves to the next position.

use std::ops::Range;

use super::head::Framing;
use super::{Limits, ProtocolError};

/// A chunk size has at most this many hex digits: 16 is all a `u64` holds, and a longer run
/// of leading zeros is framing no honest client sends.
const MAX_SIZE_DIGITS: u8 = 16;

// ANCHOR: states
/// Where a chunked decoder is in RFC 9112 §7.1's grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Reading the hex digits of `chunk-size`.
    Size,
    /// Whitespace after the size (`BWS`), which only a `;` or the end of the line may follow.
    SizeSpace,
    /// Skipping a `chunk-ext` (`;name=value`), which we accept and ignore.
    Extension,
    /// After the CR that ends the size line; an LF must follow.
    SizeLf,
    /// Inside `chunk-data`.
    Data,
    /// After a chunk's data; a CR must follow.
    DataCr,
    /// After that CR; an LF must follow.
    DataLf,
    /// At the start of a trailer line, or of the final empty line.
    TrailerStart,
    /// Inside a trailer field line, which we accept and ignore.
    Trailer,
    /// After the CR that ends a trailer line; an LF must follow.
    TrailerLf,
    /// After the CR of the final empty line; the LF that ends the body must follow.
    EndLf,
    /// The body is over.
    Done,
}
// ANCHOR_END: states

/// One call's work: how many input bytes were used, and which of them (if any) are body data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// Bytes of the input that this call used up, data and framing alike.
    pub consumed: usize,
    /// The body data among them, as a range of the input (empty if none).
    pub data: Range<usize>,
}

/// Decodes one request body, whichever way it is framed.
#[derive(Debug, Clone)]
pub struct Decoder {
    kind: Kind,
}

#[derive(Debug, Clone)]
enum Kind {
    /// `Content-Length`: this many bytes are left.
    Length { remaining: u64 },
    /// `Transfer-Encoding: chunked`.
    Chunked(Chunked),
}

// ANCHOR: chunked
/// The state of a chunked decoder.
#[derive(Debug, Clone)]
struct Chunked {
    state: State,
    /// In `Size`, the size read so far; in `Data`, the bytes of this chunk still to come.
    size: u64,
    /// Hex digits read in the current size.
    digits: u8,
    /// Body bytes announced so far, all chunks together, held to `max_body`.
    total: u64,
    max_body: u64,
    /// Bytes of extensions and trailers still allowed: they are framing nobody reads, so a
    /// client could otherwise send them forever.
    overhead_left: usize,
}
// ANCHOR_END: chunked

impl Decoder {
    /// A decoder for a body framed as `framing`, held to `limits`.
    pub fn new(framing: Framing, limits: &Limits) -> Decoder {
        let kind = match framing {
            Framing::Empty => Kind::Length { remaining: 0 },
            Framing::Length(remaining) => Kind::Length { remaining },
            Framing::Chunked => Kind::Chunked(Chunked {
                state: State::Size,
                size: 0,
                digits: 0,
                total: 0,
                max_body: limits.max_body,
                overhead_left: limits.max_head,
            }),
        };
        Decoder { kind }
    }

    /// Whether the whole body has been decoded.
    pub fn is_done(&self) -> bool {
        match &self.kind {
            Kind::Length { remaining } => *remaining == 0,
            Kind::Chunked(chunked) => chunked.state == State::Done,
        }
    }

    /// Bytes still to come, when the framing says (`Content-Length`); `None` for chunked.
    pub fn remaining(&self) -> Option<u64> {
        match &self.kind {
            Kind::Length { remaining } => Some(*remaining),
            Kind::Chunked(_) => None,
        }
    }

    // ANCHOR: decode
    /// Consumes framing from the start of `input` up to and including the next run of body
    /// data, which is at most `max` bytes long.
    ///
    /// Returns fewer bytes consumed than `input` holds only when it stops at data or at the end
    /// of the body; consuming nothing, with the body not done, means "give me more input".
    pub fn decode(&mut self, input: &[u8], max: usize) -> Result<Decoded, ProtocolError> {
        match &mut self.kind {
            Kind::Length { remaining } => {
                let n = clamp(*remaining, input.len().min(max));
                *remaining -= n as u64;
                Ok(Decoded {
                    consumed: n,
                    data: 0..n,
                })
            }
            Kind::Chunked(chunked) => chunked.decode(input, max),
        }
    }
    // ANCHOR_END: decode
}

impl Chunked {
    // ANCHOR: step
    fn decode(&mut self, input: &[u8], max: usize) -> Result<Decoded, ProtocolError> {
        let mut at = 0;
        while at < input.len() && self.state != State::Done {
            if self.state == State::Data {
                let n = clamp(self.size, (input.len() - at).min(max));
                if n == 0 {
                    break; // the caller has no room for data this call
                }
                self.size -= n as u64;
                if self.size == 0 {
                    self.state = State::DataCr;
                }
                return Ok(Decoded {
                    consumed: at + n,
                    data: at..at + n,
                });
            }
            self.state = self.step(input[at])?;
            at += 1;
        }
        Ok(Decoded {
            consumed: at,
            data: at..at,
        })
    }

    /// Reads one framing byte and says which state comes next.
    fn step(&mut self, byte: u8) -> Result<State, ProtocolError> {
        use State::*;
        Ok(match (self.state, byte) {
            (Size, _) if byte.is_ascii_hexdigit() => {
                self.digits += 1;
                let digit = u64::from((byte as char).to_digit(16).unwrap_or(0));
                self.size = self
                    .size
                    .checked_mul(16)
                    .and_then(|size| size.checked_add(digit))
                    .filter(|_| self.digits <= MAX_SIZE_DIGITS)
                    .ok_or(ProtocolError::BadChunkSize)?;
                Size
            }
            // At least one digit, then the end of the line or an extension.
            (Size, b'\r') if self.digits > 0 => SizeLf,
            (Size, b';') if self.digits > 0 => self.overhead(Extension)?,
            (Size, b' ' | b'\t') if self.digits > 0 => self.overhead(SizeSpace)?,
            (Size, _) => return Err(ProtocolError::BadChunkSize),
            // `5 ;ext` is allowed whitespace; `5 g` is a size with junk after it.
            (SizeSpace, b' ' | b'\t') => self.overhead(SizeSpace)?,
            (SizeSpace, b';') => self.overhead(Extension)?,
            (SizeSpace, b'\r') => SizeLf,
            (SizeSpace, _) => return Err(ProtocolError::BadChunkSize),
            (Extension, b'\r') => SizeLf,
            (Extension, b'\n' | 0) => return Err(ProtocolError::BadChunk),
            (Extension, _) => self.overhead(Extension)?,
            (SizeLf, b'\n') => {
                // The whole chunk is counted against the limit before any of it is read.
                self.total = self
                    .total
                    .checked_add(self.size)
                    .filter(|&total| total <= self.max_body)
                    .ok_or(ProtocolError::BodyTooLarge)?;
                if self.size == 0 {
                    TrailerStart
                } else {
                    Data
                }
            }
            (DataCr, b'\r') => DataLf,
            (DataLf, b'\n') => {
                self.size = 0;
                self.digits = 0;
                Size
            }
            (TrailerStart, b'\r') => EndLf,
            (Trailer, b'\r') => TrailerLf,
            (TrailerStart | Trailer, b'\n' | 0) => return Err(ProtocolError::BadChunk),
            (TrailerStart | Trailer, _) => self.overhead(Trailer)?,
            (TrailerLf, b'\n') => TrailerStart,
            (EndLf, b'\n') => Done,
            // Every other byte is out of place: a missing CRLF, a bare CR, or data after Done.
            _ => return Err(ProtocolError::BadChunk),
        })
    }
    // ANCHOR_END: step

    /// Counts one byte of extension or trailer against the budget, then moves to `next`.
    fn overhead(&mut self, next: State) -> Result<State, ProtocolError> {
        self.overhead_left = self
            .overhead_left
            .checked_sub(1)
            .ok_or(ProtocolError::BadChunk)?;
        Ok(next)
    }
}

/// `want` as a `usize`, but no more than `room`.
fn clamp(want: u64, room: usize) -> usize {
    usize::try_from(want).map_or(room, |want| want.min(room))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits {
            max_body: 100,
            max_head: 64,
            ..Limits::default()
        }
    }

    /// Decodes `input` fed `step` bytes at a time, returning the body and the bytes consumed,
    /// or the error; `None` if the input ran out before the body ended.
    fn decode_in_pieces(
        framing: Framing,
        input: &[u8],
        step: usize,
    ) -> Result<Option<(Vec<u8>, usize)>, ProtocolError> {
        let mut decoder = Decoder::new(framing, &limits());
        let (mut body, mut at, mut available) = (Vec::new(), 0, 0);
        while !decoder.is_done() {
            let decoded = decoder.decode(&input[at..available], 7)?;
            body.extend_from_slice(&input[at..available][decoded.data.clone()]);
            at += decoded.consumed;
            if decoded.consumed == 0 {
                if available == input.len() {
                    return Ok(None);
                }
                available = (available + step).min(input.len());
            }
        }
        Ok(Some((body, at)))
    }

    /// `body!(name, framing, bytes, Ok(body) | Err(error))`.
    macro_rules! body {
        ($name:ident, $framing:expr, $input:expr, Ok($body:expr)) => {
            #[test]
            fn $name() {
                let input: &[u8] = $input;
                for step in [1, 2, 3, input.len().max(1)] {
                    let (body, consumed) = decode_in_pieces($framing, input, step)
                        .unwrap_or_else(|e| panic!("step {step}: {e}"))
                        .unwrap_or_else(|| panic!("step {step}: body did not end"));
                    assert_eq!(body, $body, "step {step}");
                    // Whatever follows the body (the next request) is left unconsumed.
                    assert_eq!(&input[consumed..], b"NEXT", "step {step}");
                }
            }
        };
        ($name:ident, $framing:expr, $input:expr, Err($error:expr)) => {
            #[test]
            fn $name() {
                for step in [1, 3, $input.len()] {
                    let outcome = decode_in_pieces($framing, $input, step);
                    assert_eq!(outcome, Err($error), "step {step}");
                }
            }
        };
    }

    #[test]
    fn remaining_counts_down_a_length_and_is_unknown_for_chunked() {
        let limits = Limits::default();
        let mut decoder = Decoder::new(Framing::Length(5), &limits);
        assert_eq!(decoder.remaining(), Some(5));
        let decoded = decoder.decode(b"hel", usize::MAX).unwrap();
        assert_eq!(decoded.consumed, 3);
        assert_eq!(decoder.remaining(), Some(2));
        assert_eq!(Decoder::new(Framing::Empty, &limits).remaining(), Some(0));
        assert_eq!(Decoder::new(Framing::Chunked, &limits).remaining(), None);
    }

    // The cases, one line each: rustfmt would spread every one over five lines.
    #[rustfmt::skip]
    mod cases {
        use super::*;

        const CHUNKED: Framing = Framing::Chunked;

        body!(length, Framing::Length(5), b"helloNEXT", Ok(b"hello"));
        body!(empty, Framing::Empty, b"NEXT", Ok(b""));
        body!(one_chunk, CHUNKED, b"5\r\nhello\r\n0\r\n\r\nNEXT", Ok(b"hello"));
        body!(two_chunks, CHUNKED, b"3\r\nhel\r\n2\r\nlo\r\n0\r\n\r\nNEXT", Ok(b"hello"));
        body!(hex_sizes, CHUNKED, b"A\r\n0123456789\r\n0\r\n\r\nNEXT", Ok(b"0123456789"));
        body!(leading_zeros, CHUNKED, b"0005\r\nhello\r\n000\r\n\r\nNEXT", Ok(b"hello"));
        body!(extensions, CHUNKED, b"5;a=b;c=\"d\"\r\nhello\r\n0;end\r\n\r\nNEXT", Ok(b"hello"));
        body!(trailers, CHUNKED, b"5\r\nhello\r\n0\r\nX-Sum: 1\r\nY: 2\r\n\r\nNEXT", Ok(b"hello"));
        body!(no_digits, CHUNKED, b"\r\nhello\r\n0\r\n\r\n", Err(ProtocolError::BadChunkSize));
        body!(bare_lf_in_extension, CHUNKED, b"5;a\nhello\r\n0\r\n\r\n", Err(ProtocolError::BadChunk));
        body!(nul_in_extension, CHUNKED, b"5;a\0b\r\nhello\r\n0\r\n\r\n", Err(ProtocolError::BadChunk));
        body!(extension_without_size, CHUNKED, b";a=b\r\nhello\r\n0\r\n\r\n", Err(ProtocolError::BadChunkSize));
        body!(only_space_for_a_size, CHUNKED, b" \r\n\r\n", Err(ProtocolError::BadChunkSize));
        body!(space_without_size, CHUNKED, b" 5\r\nhello\r\n0\r\n\r\n", Err(ProtocolError::BadChunkSize));
        body!(not_hex, CHUNKED, b"5g\r\nhello\r\n0\r\n\r\n", Err(ProtocolError::BadChunkSize));
        // Junk straight after the size's digits is not an extension (those start with `;`).
        body!(control_after_digits, CHUNKED, b"5\x01\r\nhello\r\n0\r\n\r\n", Err(ProtocolError::BadChunkSize));
        body!(space_then_extension, CHUNKED, b"5 \t;a=b\r\nhello\r\n0 \r\n\r\nNEXT", Ok(b"hello"));
        body!(space_then_junk, CHUNKED, b"5 g\r\nhello\r\n0\r\n\r\n", Err(ProtocolError::BadChunkSize));
        body!(prefix_0x, CHUNKED, b"0x5\r\nhello\r\n0\r\n\r\n", Err(ProtocolError::BadChunkSize));
        body!(negative, CHUNKED, b"-5\r\nhello\r\n0\r\n\r\n", Err(ProtocolError::BadChunkSize));
        body!(overflow, CHUNKED, b"10000000000000000\r\n", Err(ProtocolError::BadChunkSize));
        body!(too_many_digits, CHUNKED, b"00000000000000001\r\nx\r\n", Err(ProtocolError::BadChunkSize));
        body!(over_limit, CHUNKED, b"65\r\n", Err(ProtocolError::BodyTooLarge));
        body!(over_limit_in_sum, CHUNKED, &[&b"40\r\n"[..], &[b'x'; 64], b"\r\n40\r\n"].concat(), Err(ProtocolError::BodyTooLarge));
        body!(missing_crlf_after_data, CHUNKED, b"5\r\nhelloX\r\n0\r\n\r\n", Err(ProtocolError::BadChunk));
        body!(bare_lf_size_line, CHUNKED, b"5\nhello\r\n0\r\n\r\n", Err(ProtocolError::BadChunkSize));
        body!(bare_cr_size_line, CHUNKED, b"5\rhello\r\n0\r\n\r\n", Err(ProtocolError::BadChunk));
        body!(nul_in_trailer, CHUNKED, b"0\r\nX: \0\r\n\r\n", Err(ProtocolError::BadChunk));
        body!(endless_extension, CHUNKED, &[&b"5;"[..], &[b'x'; 100]].concat(), Err(ProtocolError::BadChunk));
    }
}
