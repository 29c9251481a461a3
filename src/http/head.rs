//! Chapter 5: reading a request head out of a buffer, and deciding what it means.
//!
//! [`parse`] is a pure function: bytes in, "complete" or "partial" (or a [`ProtocolError`]) out. It
//! owns no socket and remembers nothing between calls, so the connection loop can call it
//! again each time more bytes arrive, and a test can feed it any split of any input.
//!
//! `httparse` does the tokenising: it checks the request line and every header line against
//! the grammar of RFC 9112 and hands back slices of our buffer. Everything it leaves to us is
//! here: the limits, and the headers that decide *framing* (where the body ends), *keep-alive*
//! (whether another request may follow) and *expectations* (`100-continue`).

use super::limits::MAX_HEADERS_CEILING;
use super::{Limits, ProtocolError};
use crate::small_list::SmallList; // > ch11

/// Room the request line needs besides its target: a method, two spaces, `HTTP/1.1`, CRLF.
const REQUEST_LINE_SLACK: usize = 64;

// ANCHOR: span
/// Where a piece of the head sits in the buffer it was parsed from: `bytes[start..end]`.
///
/// The head keeps positions instead of copies, so parsing a head allocates nothing for its
/// headers' names and values; and the list of positions keeps its first
/// `INLINE_HEADERS` entries inline, so a usual head allocates nothing at all.
///
/// Offsets are `u32`, not `usize`: a head is a few kilobytes, and half-size spans make the
/// inline list of a [`Head`], which is moved by value several times per request, half as
/// long to copy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Span {
    /// Offset of the first byte.
    pub start: u32,
    /// Offset one past the last byte.
    pub end: u32,
}

impl Span {
    /// The bytes this span covers in `bytes`, the buffer the head was parsed from.
    pub fn of(self, bytes: &[u8]) -> &[u8] {
        // A `u32` always fits a `usize` on the 32- and 64-bit targets Rust's std supports.
        &bytes[self.start as usize..self.end as usize]
    }

    // ANCHOR: within
    /// Where `part`, a slice of `whole`, begins and ends in it; an error past 4 GiB (only a
    /// `max_head` set that high could get there), not a wrapped offset.
    fn within(whole: &[u8], part: &[u8]) -> Result<Span, ProtocolError> {
        // `httparse` returns sub-slices of the buffer it was given, so the difference of the
        // two addresses is the offset. Comparing addresses needs no `unsafe`.
        let start = part.as_ptr() as usize - whole.as_ptr() as usize;
        let offset = |n: usize| u32::try_from(n).map_err(|_| ProtocolError::HeadTooLarge);
        Ok(Span {
            start: offset(start)?,
            end: offset(start + part.len())?,
        })
    }
    // ANCHOR_END: within
}
// ANCHOR_END: span

/// The HTTP versions this server speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// `HTTP/1.0`: one request per connection unless the client asks for keep-alive.
    Http10,
    /// `HTTP/1.1`: connections persist unless either side says `Connection: close`.
    Http11,
}

// ANCHOR: framing
/// How the body of a request is delimited (RFC 9112 §6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// No body: neither `Content-Length` nor `Transfer-Encoding`, or a length of 0.
    Empty,
    /// Exactly this many bytes follow the head.
    Length(u64),
    /// A chunked body follows, ending with a zero-size chunk and the trailers.
    Chunked,
}
// ANCHOR_END: framing

/* ch05 < ch11
/// Where each header line's name and value sit, in order.
pub type HeaderSpans = Vec<(Span, Span)>;
*/
// > ch11
// ANCHOR: header_spans
/// Header lines a [`Head`] keeps inline; a head with more moves its list to the heap. Each
/// entry is two [`Span`]s, 16 bytes, and a `Head` is moved by value a few times per request,
/// so the array is kept small: copying it must cost less than the allocation it saves
/// (chapter 11 has the figures). Load generators and API clients send a few headers;
/// browsers send about a dozen, and spill.
pub const INLINE_HEADERS: usize = 8;

/// Where each header line's name and value sit, in order.
pub type HeaderSpans = SmallList<(Span, Span), INLINE_HEADERS>;
// ANCHOR_END: header_spans
// < ch11

/// A parsed and validated request head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// The head's length in bytes, final blank line included: the body starts here.
    pub len: usize,
    /// The method, such as `GET`.
    pub method: Span,
    /// The request target, such as `/search?q=weft`.
    pub target: Span,
    /// The protocol version.
    pub version: Version,
    /// Every header line as (name, value), in order, repeats kept.
    pub headers: HeaderSpans,
    /// Where the body ends.
    pub framing: Framing,
    /// Whether the client allows another request on this connection (RFC 9112 §9.3).
    pub keep_alive: bool,
    /// Whether the client waits for `100 Continue` before sending the body (RFC 9110 §10.1.1).
    pub expect_continue: bool,
}

/// What [`parse`] made of the bytes so far.
// > ch11
// `Complete` is some 200 bytes larger than `Partial`, because a `Head` keeps its first header
// positions inline; boxing it would bring back the allocation that saves.
#[allow(clippy::large_enum_variant)]
// < ch11
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    /// A whole head, valid; its body (if any) starts at `head.len`.
    Complete(Head),
    /// No error so far, but the head is not finished: read more and call again.
    Partial,
}

// ANCHOR: parse
/// Parses the request head at the start of `buf`.
///
/// Looks at no more than `limits.max_head` bytes: once that many have arrived without the end
/// of a head, the answer is an error, never "partial", so a caller never buffers past it.
pub fn parse(buf: &[u8], limits: &Limits) -> Result<Parsed, ProtocolError> {
    let window = &buf[..buf.len().min(limits.max_head)];
    let mut storage = [httparse::EMPTY_HEADER; MAX_HEADERS_CEILING];
    let max_headers = limits.max_headers.min(MAX_HEADERS_CEILING);
    let mut request = httparse::Request::new(&mut storage[..max_headers]);
    match request.parse(window) {
        Ok(httparse::Status::Complete(len)) => validate(&request, window, len, limits),
        Ok(httparse::Status::Partial) => {
            // The target is checked as soon as it is known, or as soon as the request line
            // alone is too long to hold a target within the limit.
            let target_known_too_long = request.path.is_some_and(|t| t.len() > limits.max_target);
            let in_request_line = !window.contains(&b'\n');
            let request_line_too_long = in_request_line
                && (window.len() > limits.max_target + REQUEST_LINE_SLACK
                    || window.len() >= limits.max_head);
            if target_known_too_long || request_line_too_long {
                Err(ProtocolError::TargetTooLong)
            } else if window.len() >= limits.max_head {
                Err(ProtocolError::HeadTooLarge)
            } else {
                Ok(Parsed::Partial)
            }
        }
        Err(err) => Err(refine(err, window)),
    }
}
// ANCHOR_END: parse

// ANCHOR: refine
/// Names the protocol mistake behind an `httparse` error.
fn refine(err: httparse::Error, window: &[u8]) -> ProtocolError {
    match err {
        // A request line whose version is well-formed but not 1.0 or 1.1 is an HTTP we do
        // not speak (RFC 9110 §15.6.6); anything else there is just malformed.
        httparse::Error::Version if names_a_version(window) => ProtocolError::UnsupportedVersion,
        httparse::Error::Version | httparse::Error::Token | httparse::Error::Status => {
            ProtocolError::BadRequestLine
        }
        httparse::Error::HeaderName => ProtocolError::BadHeaderName,
        httparse::Error::HeaderValue => ProtocolError::BadHeaderValue,
        // RFC 9112 §2.2: a CR must be followed by LF.
        httparse::Error::NewLine => ProtocolError::BareCr,
        httparse::Error::TooManyHeaders => ProtocolError::TooManyHeaders,
    }
}

/// Whether the request line is three words ending in `HTTP/d.d`, RFC 9112 §2.3's shape of a
/// version.
fn names_a_version(window: &[u8]) -> bool {
    let line_end = window
        .iter()
        .position(|&b| b == b'\r' || b == b'\n')
        .unwrap_or(window.len());
    let words: Vec<&[u8]> = window[..line_end].split(|&b| b == b' ').collect();
    let [_method, _target, version] = words[..] else {
        return false;
    };
    matches!(version, [b'H', b'T', b'T', b'P', b'/', major, b'.', minor]
        if major.is_ascii_digit() && minor.is_ascii_digit())
}
// ANCHOR_END: refine

// ANCHOR: validate
/// Checks a complete head against the rules `httparse` leaves to us, and decides its framing,
/// keep-alive and expectation.
fn validate(
    request: &httparse::Request<'_, '_>,
    buf: &[u8],
    len: usize,
    limits: &Limits,
) -> Result<Parsed, ProtocolError> {
    // httparse only completes with all three parts present, and only accepts 1.0 and 1.1.
    let (Some(method), Some(target), Some(minor)) = (request.method, request.path, request.version)
    else {
        return Err(ProtocolError::BadRequestLine);
    };
    if target.len() > limits.max_target {
        return Err(ProtocolError::TargetTooLong);
    }
    let version = if minor == 0 {
        Version::Http10
    } else {
        Version::Http11
    };
    let mut fields = Fields::default();
    /* ch05 < ch11
    let mut headers = Vec::with_capacity(request.headers.len());
    */
    let mut headers = HeaderSpans::new(); // > ch11
    for header in request.headers.iter() {
        headers.push((
            Span::within(buf, header.name.as_bytes())?,
            Span::within(buf, header.value)?,
        ));
        fields.note(header.name, header.value, version)?;
    }
    let framing = fields.framing(version, limits)?;
    // RFC 9112 §3.2: "A server MUST respond with a 400 (Bad Request) status code to any
    // HTTP/1.1 request message that lacks a Host header field and to any request message that
    // contains more than one Host header field".
    if fields.hosts > 1 || (version == Version::Http11 && fields.hosts == 0) {
        return Err(ProtocolError::BadHost);
    }
    // RFC 9112 §9.3: 1.1 persists unless told to close; 1.0 only when asked to keep alive.
    let keep_alive = !fields.close && (version == Version::Http11 || fields.keep_alive);
    Ok(Parsed::Complete(Head {
        len,
        method: Span::within(buf, method.as_bytes())?,
        target: Span::within(buf, target.as_bytes())?,
        version,
        headers,
        framing,
        keep_alive,
        expect_continue: fields.expect_continue && framing != Framing::Empty,
    }))
}
// ANCHOR_END: validate

/// What the headers that matter to the connection said, gathered over all header lines.
#[derive(Default)]
struct Fields {
    length: Option<u64>,
    transfer_encoding: bool,
    chunked: bool,
    hosts: usize,
    close: bool,
    keep_alive: bool,
    expect_continue: bool,
}

impl Fields {
    /// Takes note of one header line.
    fn note(&mut self, name: &str, value: &[u8], version: Version) -> Result<(), ProtocolError> {
        if name.eq_ignore_ascii_case("content-length") {
            // RFC 9110 §8.6: repeats of one value (`5, 5`, or two lines of `5`) may be taken
            // as that value; different values are an error.
            for item in list(value) {
                let length = parse_length(item)?;
                if self.length.is_some_and(|seen| seen != length) {
                    return Err(ProtocolError::ConflictingLength);
                }
                self.length = Some(length);
            }
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            self.transfer_encoding = true;
            for coding in list(value) {
                if self.chunked || coding.is_empty() {
                    // RFC 9112 §6.3 rule 4: chunked must be the final coding, and only once;
                    // an empty coding is no coding at all.
                    return Err(ProtocolError::BadTransferEncoding);
                } else if coding.eq_ignore_ascii_case(b"chunked") {
                    self.chunked = true;
                } else {
                    // RFC 9112 §6.1: a coding we do not understand gets 501.
                    return Err(ProtocolError::UnsupportedTransferCoding);
                }
            }
        } else if name.eq_ignore_ascii_case("host") {
            self.hosts += 1;
        } else if name.eq_ignore_ascii_case("connection") {
            for option in list(value) {
                self.close |= option.eq_ignore_ascii_case(b"close");
                self.keep_alive |= option.eq_ignore_ascii_case(b"keep-alive");
            }
        } else if name.eq_ignore_ascii_case("expect") && version == Version::Http11 {
            // RFC 9110 §10.1.1: 100-continue is the only expectation defined; a server MAY
            // answer any other with 417, and MUST ignore Expect in an HTTP/1.0 request.
            if trim(value).eq_ignore_ascii_case(b"100-continue") {
                self.expect_continue = true;
            } else {
                return Err(ProtocolError::UnsupportedExpectation);
            }
        }
        Ok(())
    }

    /// Decides where the body ends, by RFC 9112 §6.3.
    fn framing(&self, version: Version, limits: &Limits) -> Result<Framing, ProtocolError> {
        if self.transfer_encoding {
            if self.length.is_some() {
                // Rule 3: a message with both "might indicate an attempt to perform request
                // smuggling"; we refuse it rather than guess which one a proxy believed.
                return Err(ProtocolError::LengthAndTransferEncoding);
            }
            if version == Version::Http10 || !self.chunked {
                // §6.1: Transfer-Encoding in a 1.0 message means faulty framing; rule 4:
                // without a final chunked, the length cannot be determined.
                return Err(ProtocolError::BadTransferEncoding);
            }
            return Ok(Framing::Chunked);
        }
        match self.length {
            // RFC 9110 §15.5.14: refuse a body over the limit before reading any of it.
            Some(length) if length > limits.max_body => Err(ProtocolError::BodyTooLarge),
            Some(0) | None => Ok(Framing::Empty),
            Some(length) => Ok(Framing::Length(length)),
        }
    }
}

/// The elements of a comma-separated header list (RFC 9110 §5.6.1), trimmed of whitespace.
/// Empty elements are kept, so that `Content-Length: 5,` fails to parse.
fn list(value: &[u8]) -> impl Iterator<Item = &[u8]> {
    value.split(|&b| b == b',').map(trim)
}

/// `value` without leading and trailing spaces and tabs (RFC 9110 §5.6.3's OWS).
fn trim(value: &[u8]) -> &[u8] {
    let is_ows = |b: &u8| *b == b' ' || *b == b'\t';
    let start = value.iter().position(|b| !is_ows(b)).unwrap_or(value.len());
    let end = value
        .iter()
        .rposition(|b| !is_ows(b))
        .map_or(start, |i| i + 1);
    &value[start..end]
}

// ANCHOR: parse_length
/// Parses `Content-Length = 1*DIGIT` (RFC 9110 §8.6) with checked arithmetic: a sign, a
/// space, a hex digit or a value past `u64::MAX` is an error, never a wrap.
fn parse_length(digits: &[u8]) -> Result<u64, ProtocolError> {
    if digits.is_empty() {
        return Err(ProtocolError::BadLength);
    }
    digits.iter().try_fold(0u64, |length, &b| {
        if !b.is_ascii_digit() {
            return Err(ProtocolError::BadLength);
        }
        length
            .checked_mul(10)
            .and_then(|length| length.checked_add(u64::from(b - b'0')))
            .ok_or(ProtocolError::BadLength)
    })
}
// ANCHOR_END: parse_length

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits {
            max_head: 256,
            max_target: 64,
            max_headers: 8,
            max_body: 1000,
            ..Limits::default()
        }
    }

    fn complete(input: &[u8]) -> Head {
        match parse(input, &limits()) {
            Ok(Parsed::Complete(head)) => head,
            other => panic!("{:?}: expected a complete head, got {other:?}", input),
        }
    }

    // ANCHOR: table
    /// `ok!(name, bytes, framing, keep_alive)`: a head that parses, and what it means.
    macro_rules! ok {
        ($name:ident, $input:expr, $framing:expr, keep_alive: $keep:expr) => {
            #[test]
            fn $name() {
                let head = complete($input);
                assert_eq!(head.framing, $framing, "framing");
                assert_eq!(head.keep_alive, $keep, "keep-alive");
            }
        };
    }

    /// `err!(name, bytes, error)`: a head that is refused, and the mistake it is refused for.
    macro_rules! err {
        ($name:ident, $input:expr, $error:expr) => {
            #[test]
            fn $name() {
                assert_eq!(parse($input, &limits()), Err($error));
            }
        };
    }

    // The cases, one line each: rustfmt would spread every one over five lines.
    #[rustfmt::skip]
    mod cases {
        use super::*;

        ok!(minimal_11, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", Framing::Empty, keep_alive: true);
        ok!(minimal_10, b"GET / HTTP/1.0\r\n\r\n", Framing::Empty, keep_alive: false);
        ok!(keep_alive_10, b"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", Framing::Empty, keep_alive: true);
        ok!(close_11, b"GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, close\r\n\r\n", Framing::Empty, keep_alive: false);
        ok!(length, b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 12\r\n\r\n", Framing::Length(12), keep_alive: true);
        ok!(length_zero, b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n", Framing::Empty, keep_alive: true);
        ok!(length_list_same, b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 7,7\r\n\r\n", Framing::Length(7), keep_alive: true);
        ok!(length_repeated_same, b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\nContent-Length: 5\r\n\r\n", Framing::Length(5), keep_alive: true);
        ok!(chunked, b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n", Framing::Chunked, keep_alive: true);
        ok!(leading_blank_line, b"\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", Framing::Empty, keep_alive: true);
        ok!(bare_lf_lines, b"GET / HTTP/1.1\nHost: a\n\n", Framing::Empty, keep_alive: true);
        ok!(absolute_form, b"GET http://a/x HTTP/1.1\r\nHost: a\r\n\r\n", Framing::Empty, keep_alive: true);

        err!(no_version, b"GET /\r\n\r\n", ProtocolError::BadRequestLine);
        err!(two_spaces, b"GET  / HTTP/1.1\r\nHost: a\r\n\r\n", ProtocolError::BadRequestLine);
        err!(space_in_target, b"GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", ProtocolError::BadRequestLine);
        err!(version_2, b"GET / HTTP/2.0\r\nHost: a\r\n\r\n", ProtocolError::UnsupportedVersion);
        err!(version_1_2, b"GET / HTTP/1.2\r\nHost: a\r\n\r\n", ProtocolError::UnsupportedVersion);
        err!(version_garbage, b"GET / HTTP/x\r\nHost: a\r\n\r\n", ProtocolError::BadRequestLine);
        err!(space_before_colon, b"GET / HTTP/1.1\r\nHost : a\r\n\r\n", ProtocolError::BadHeaderName);
        err!(obs_fold, b"GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", ProtocolError::BadHeaderName);
        err!(nul_in_value, b"GET / HTTP/1.1\r\nHost: a\0b\r\n\r\n", ProtocolError::BadHeaderValue);
        err!(bare_cr_in_value, b"GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", ProtocolError::BadHeaderValue);
        err!(bare_cr_after_line, b"GET / HTTP/1.1\rHost: a\r\n\r\n", ProtocolError::BareCr);
        err!(no_host, b"GET / HTTP/1.1\r\n\r\n", ProtocolError::BadHost);
        err!(two_hosts, b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", ProtocolError::BadHost);
        err!(length_and_chunked, b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", ProtocolError::LengthAndTransferEncoding);
        // Framing attacks: both framings in either order and with a zero length, lengths
        // repeated, listed, padded or signed (RFC 9112 §6.3 rules 3 and 5).
        err!(zero_length_and_chunked, b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n", ProtocolError::LengthAndTransferEncoding);
        err!(chunked_then_length, b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", ProtocolError::LengthAndTransferEncoding);
        err!(chunked_then_zero_length, b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 0\r\n\r\n", ProtocolError::LengthAndTransferEncoding);
        err!(gzip_and_length, b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\nContent-Length: 5\r\n\r\n", ProtocolError::UnsupportedTransferCoding);
        err!(lengths_differ_later, b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", ProtocolError::ConflictingLength);
        err!(length_list_with_empty, b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5,\r\n\r\n", ProtocolError::BadLength);
        err!(length_junk_after, b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5x\r\n\r\n", ProtocolError::BadLength);
        err!(length_inner_space, b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1 2\r\n\r\n", ProtocolError::BadLength);
        err!(lengths_differ, b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", ProtocolError::ConflictingLength);
        err!(length_list_differs, b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\n", ProtocolError::ConflictingLength);
        err!(length_negative, b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", ProtocolError::BadLength);
        err!(length_plus, b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n", ProtocolError::BadLength);
        err!(length_hex, b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x10\r\n\r\n", ProtocolError::BadLength);
        err!(length_empty, b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", ProtocolError::BadLength);
        err!(length_overflow, b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 18446744073709551616\r\n\r\n", ProtocolError::BadLength);
        ok!(length_at_limit, b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\n", Framing::Length(1000), keep_alive: true);
        err!(length_just_over_limit, b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1001\r\n\r\n", ProtocolError::BodyTooLarge);
        err!(length_over_limit, b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10000000000\r\n\r\n", ProtocolError::BodyTooLarge);
        err!(gzip, b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", ProtocolError::UnsupportedTransferCoding);
        err!(gzip_then_chunked, b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", ProtocolError::UnsupportedTransferCoding);
        err!(chunked_not_last, b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n", ProtocolError::BadTransferEncoding);
        err!(chunked_twice, b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", ProtocolError::BadTransferEncoding);
        err!(empty_coding, b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \r\n\r\n", ProtocolError::BadTransferEncoding);
        err!(chunked_in_10, b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", ProtocolError::BadTransferEncoding);
        err!(expect_other, b"POST / HTTP/1.1\r\nHost: a\r\nExpect: teapot\r\n\r\n", ProtocolError::UnsupportedExpectation);
        err!(too_many_headers, b"GET / HTTP/1.1\r\nA: 1\r\nA: 2\r\nA: 3\r\nA: 4\r\nA: 5\r\nA: 6\r\nA: 7\r\nA: 8\r\nA: 9\r\n\r\n", ProtocolError::TooManyHeaders);
    }
    // ANCHOR_END: table

    #[test]
    fn partial_heads_ask_for_more() {
        let whole = b"GET /x HTTP/1.1\r\nHost: a\r\n\r\n";
        for cut in 0..whole.len() {
            assert_eq!(
                parse(&whole[..cut], &limits()),
                Ok(Parsed::Partial),
                "cut at {cut}"
            );
        }
        assert_eq!(complete(whole).len, whole.len());
    }

    #[test]
    fn spans_point_into_the_buffer() {
        let input = b"POST /up?x=1 HTTP/1.1\r\nHost: a\r\nX-Two: b c\r\n\r\nBODY";
        let head = complete(input);
        assert_eq!(head.method.of(input), b"POST");
        assert_eq!(head.target.of(input), b"/up?x=1");
        let (name, value) = head.headers[1];
        assert_eq!(
            (name.of(input), value.of(input)),
            (&b"X-Two"[..], &b"b c"[..])
        );
        assert_eq!(&input[head.len..], b"BODY");
    }

    #[test]
    fn expect_continue_only_with_a_body_and_only_in_11() {
        let with_body =
            b"PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\n";
        let without = b"GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n";
        let old = b"PUT / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n";
        assert!(complete(with_body).expect_continue);
        assert!(!complete(without).expect_continue);
        assert!(!complete(old).expect_continue);
    }

    #[test]
    fn limits_turn_partial_into_errors() {
        let long_target = [&b"GET /"[..], &[b'a'; 200]].concat();
        assert_eq!(
            parse(&long_target, &limits()),
            Err(ProtocolError::TargetTooLong)
        );
        let complete_long = [&b"GET /"[..], &[b'a'; 70], b" HTTP/1.1\r\n"].concat();
        assert_eq!(
            parse(&complete_long, &limits()),
            Err(ProtocolError::TargetTooLong)
        );
        // At the limit exactly, a target is fine, whether the head is complete or not yet.
        let at_limit = [&b"GET /"[..], &[b'a'; 63], b" HTTP/1.1\r\n"].concat();
        assert_eq!(parse(&at_limit, &limits()), Ok(Parsed::Partial));
        let whole_at_limit = [&at_limit[..], b"Host: a\r\n\r\n"].concat();
        assert!(matches!(
            parse(&whole_at_limit, &limits()),
            Ok(Parsed::Complete(_))
        ));
        let over_limit = [&b"GET /"[..], &[b'a'; 64], b" HTTP/1.1\r\n"].concat();
        assert_eq!(
            parse(&over_limit, &limits()),
            Err(ProtocolError::TargetTooLong)
        );
        let whole_over_limit = [&over_limit[..], b"Host: a\r\n\r\n"].concat();
        assert_eq!(
            parse(&whole_over_limit, &limits()),
            Err(ProtocolError::TargetTooLong)
        );
        // A request line still arriving may grow to the target's limit and the slack for the
        // rest of the line (128 bytes here), and no further.
        assert_eq!(parse(&[b'G'; 128], &limits()), Ok(Parsed::Partial));
        assert_eq!(
            parse(&[b'G'; 129], &limits()),
            Err(ProtocolError::TargetTooLong)
        );
        let big_header = [&b"GET / HTTP/1.1\r\nX: "[..], &[b'a'; 300]].concat();
        assert_eq!(
            parse(&big_header, &limits()),
            Err(ProtocolError::HeadTooLarge)
        );
        let empty_lines = [b'\n'; 300];
        assert_eq!(
            parse(&empty_lines, &limits()),
            Err(ProtocolError::HeadTooLarge)
        );
    }

    #[test]
    fn names_a_version_table() {
        assert!(names_a_version(b"GET / HTTP/2.0\r\n"));
        assert!(names_a_version(b"GET / HTTP/9.9"));
        assert!(!names_a_version(b"GET / HTTP/2\r\n"));
        assert!(!names_a_version(b"GET / HTTPS/1.1\r\n"));
        assert!(!names_a_version(b"GET /a b HTTP/1.1\r\n"));
    }

    #[test]
    fn parse_length_table() {
        assert_eq!(parse_length(b"0"), Ok(0));
        assert_eq!(parse_length(b"007"), Ok(7));
        assert_eq!(parse_length(b"18446744073709551615"), Ok(u64::MAX));
        assert_eq!(
            parse_length(b"18446744073709551616"),
            Err(ProtocolError::BadLength)
        );
        assert_eq!(parse_length(b"1 2"), Err(ProtocolError::BadLength));
    }
}
