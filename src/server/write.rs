//! Chapters 5 and 6: writing a response, framed correctly whatever the handler returned.
//!
//! The handler chose a status, headers and [`Content`]; this module decides the framing
//! (RFC 9112 §6): a `Content-Length` when the length is known, `chunked` when it is not and
//! the client speaks HTTP/1.1, and "until the connection closes" for an HTTP/1.0 client. It
//! adds `Date` and `Server`, and the `Connection` header that tells the client whether the
//! connection stays open. Responses go into the connection's output buffer, which is sent
//! when it fills or when the server is about to wait for the client.

use std::io::{self, Read};

use crate::date;
use crate::http::head::Version;
use crate::http::wire::Wire;
/* ch05 < ch11
use crate::response::{reason, Content, Response};
*/
use crate::response::{self, reason, Content, Response}; // > ch11

/// What the writer must know about the request being answered.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Exchange {
    /// The request was `HEAD`: send the head a `GET` would get, and no body.
    pub head_only: bool,
    /// The request's version.
    pub version: Version,
    /// Whether the connection may stay open after this response, as far as the request and
    /// the server are concerned.
    pub keep_alive: bool,
}

/// How the body of a response is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    /// No body, and no framing header (1xx, 204, 304).
    None,
    Length(u64),
    Chunked,
    /// The end of the body is the end of the connection (an HTTP/1.0 client, unknown length).
    Close,
}

/* ch05 < ch11
/// The server's name, for the `Server` header.
const SERVER: &str = concat!("weft/", env!("CARGO_PKG_VERSION"));
*/
// > ch11
// ANCHOR: constants
/// The `Server` header line, whole: it never changes, so it is written as one constant.
const SERVER_LINE: &[u8] = concat!("Server: weft/", env!("CARGO_PKG_VERSION"), "\r\n").as_bytes();
// ANCHOR_END: constants
// < ch11

/// When buffered output reaches this size it is sent, rather than grown further.
const FLUSH_AT: usize = 32 * 1024;

// ANCHOR: write
/// Writes `response` into `wire`'s output. Returns whether the connection stays open.
pub(crate) fn write(wire: &mut Wire, response: Response, exchange: Exchange) -> io::Result<bool> {
    /* ch05 < ch11
    let (status, headers, content) = response.into_parts();
    */
    let (status, headers, content) = response.into_raw_parts(); // > ch11
    let handler_closes = headers.iter().any(|(name, value)| {
        name.eq_ignore_ascii_case("connection") && value.to_ascii_lowercase().contains("close")
    });
    // RFC 9110 §6.4.1: 1xx, 204 and 304 responses never have content.
    let bodiless = !crate::http::rules::status_has_body(status);
    let framing = match &content {
        _ if bodiless => Framing::None,
        Content::Empty => Framing::Length(0),
        Content::Bytes(bytes) => Framing::Length(bytes.len() as u64),
        Content::Static(bytes) => Framing::Length(bytes.len() as u64), // > ch11
        Content::File(_, len) => Framing::Length(*len),
        // RFC 9112 §6.1: chunked is for HTTP/1.1 recipients only.
        Content::Chunks(_) | Content::Reader(_) if exchange.version == Version::Http11 => {
            Framing::Chunked
        }
        Content::Chunks(_) | Content::Reader(_) => Framing::Close,
    };
    let keep_alive = exchange.keep_alive && !handler_closes && framing != Framing::Close;

    let out = wire.output();
    /* ch05 < ch11
    out.extend_from_slice(format!("HTTP/1.1 {status} {}\r\n", reason(status)).as_bytes());
    let (mut has_date, mut has_server) = (false, false);
    for (name, value) in &headers {
    */
    // > ch11
    push_status_line(out, status);
    let (mut has_date, mut has_server) = (false, false);
    for (name, value) in headers.iter() {
        // < ch11
        if is_framing_header(name) {
            log::debug!("ignoring the handler's {name} header: the server frames responses");
            continue;
        }
        has_date |= name.eq_ignore_ascii_case("date");
        has_server |= name.eq_ignore_ascii_case("server");
        for part in [name.as_bytes(), b": ", value.as_bytes(), b"\r\n"] {
            out.extend_from_slice(part);
        }
    }
    if !has_date {
        out.extend_from_slice(b"Date: ");
        date::append_now(out);
        out.extend_from_slice(b"\r\n");
    }
    if !has_server {
        /* ch05 < ch11
        out.extend_from_slice(format!("Server: {SERVER}\r\n").as_bytes());
        */
        out.extend_from_slice(SERVER_LINE); // > ch11
    }
    match framing {
        Framing::Length(len) => {
            /* ch05 < ch11
            out.extend_from_slice(format!("Content-Length: {len}\r\n").as_bytes())
            */
            // > ch11
            out.extend_from_slice(b"Content-Length: ");
            push_decimal(out, len);
            out.extend_from_slice(b"\r\n");
            // < ch11
        }
        Framing::Chunked => out.extend_from_slice(b"Transfer-Encoding: chunked\r\n"),
        Framing::None | Framing::Close => {}
    }
    // RFC 9112 §9.3 and §9.6: say "close" when closing; a 1.0 client that asked for
    // keep-alive must be told it got it.
    if !keep_alive {
        out.extend_from_slice(b"Connection: close\r\n");
    } else if exchange.version == Version::Http10 {
        out.extend_from_slice(b"Connection: keep-alive\r\n");
    }
    out.extend_from_slice(b"\r\n");

    // RFC 9110 §9.3.2: a HEAD response is the GET response without its content.
    if !(exchange.head_only || framing == Framing::None) {
        write_content(wire, content, framing)?;
    }
    if wire.output().len() >= FLUSH_AT {
        wire.flush()?;
    }
    Ok(keep_alive)
}
// ANCHOR_END: write

// > ch11
// ANCHOR: digits
/// Appends `HTTP/1.1 200 OK` and CRLF for `status`, which [`Response`] keeps to three digits.
fn push_status_line(out: &mut Vec<u8>, status: u16) {
    out.extend_from_slice(b"HTTP/1.1 ");
    push_decimal(out, u64::from(status));
    out.push(b' ');
    out.extend_from_slice(reason(status).as_bytes());
    out.extend_from_slice(b"\r\n");
}

/// Appends `n` in decimal, without allocating: the digits come out last first, so they are
/// produced into the end of a small array on the stack and then copied out in one piece.
fn push_decimal(out: &mut Vec<u8>, mut n: u64) {
    // u64::MAX, 18446744073709551615, has 20 digits.
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[start..]);
}

/// Appends `n` in hexadecimal (upper case), as a chunk size is written (RFC 9112 §7.1).
fn push_hex(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 16];
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b"0123456789ABCDEF"[(n % 16) as usize];
        n /= 16;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[start..]);
}
// ANCHOR_END: digits
// < ch11

/// Headers only the server may set: they decide where the response ends.
fn is_framing_header(name: &str) -> bool {
    ["content-length", "transfer-encoding", "connection"]
        .iter()
        .any(|framing| name.eq_ignore_ascii_case(framing))
}

// ANCHOR: write_content
/// Writes the body, framed as decided.
fn write_content(wire: &mut Wire, content: Content, framing: Framing) -> io::Result<()> {
    let chunked = framing == Framing::Chunked;
    match content {
        Content::Empty => {}
        /* ch05 < ch11
        Content::Bytes(bytes) => send(wire, &bytes, false)?,
        */
        // > ch11
        Content::Bytes(bytes) => {
            send(wire, &bytes, false)?;
            // Chapter 11: the next JSON body on this worker is serialised into it.
            response::recycle(bytes);
        }
        Content::Static(bytes) => send(wire, bytes, false)?,
        // < ch11
        Content::Chunks(pieces) => {
            for piece in pieces {
                send(wire, &piece, chunked)?;
            }
        }
        Content::Reader(reader) => copy(wire, reader, chunked, None)?,
        Content::File(file, len) => copy(wire, Box::new(file), false, Some(len))?,
    }
    if chunked {
        // The last chunk, and no trailers (RFC 9112 §7.1).
        wire.output().extend_from_slice(b"0\r\n\r\n");
    }
    Ok(())
}

/// Appends `bytes` to the output, as one chunk if `chunked` (an empty piece is skipped: a
/// zero-size chunk would end the body). Sends the output when it grows large.
fn send(wire: &mut Wire, bytes: &[u8], chunked: bool) -> io::Result<()> {
    if bytes.is_empty() {
        return Ok(());
    }
    let out = wire.output();
    if chunked {
        /* ch05 < ch11
        out.extend_from_slice(format!("{:X}\r\n", bytes.len()).as_bytes());
        */
        // > ch11
        push_hex(out, bytes.len() as u64);
        out.extend_from_slice(b"\r\n");
        // < ch11
    }
    out.extend_from_slice(bytes);
    if chunked {
        out.extend_from_slice(b"\r\n");
    }
    if wire.output().len() >= FLUSH_AT {
        wire.flush()?;
    }
    Ok(())
}

/// Sends what `reader` yields: to its end, or exactly `len` bytes when the length was
/// announced (a file that shrank since is an error: the `Content-Length` already went out,
/// so the only honest thing left is to close the connection).
fn copy(wire: &mut Wire, reader: Box<dyn Read>, chunked: bool, len: Option<u64>) -> io::Result<()> {
    let mut reader = reader.take(len.unwrap_or(u64::MAX));
    let mut piece = vec![0u8; 16 * 1024];
    let mut sent = 0u64;
    loop {
        let n = match reader.read(&mut piece) {
            Ok(0) => break,
            Ok(n) => n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(err),
        };
        send(wire, &piece[..n], chunked)?;
        sent += n as u64;
    }
    match len {
        Some(len) if sent < len => Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            format!("the body ended after {sent} of {len} announced bytes"),
        )),
        _ => Ok(()),
    }
}
// ANCHOR_END: write_content

// > ch11
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_like_format_would() {
        for n in [0, 1, 9, 10, 13, 99, 100, 4096, 65535, 1 << 32, u64::MAX] {
            let (mut decimal, mut hex) = (Vec::new(), Vec::new());
            push_decimal(&mut decimal, n);
            push_hex(&mut hex, n);
            assert_eq!(decimal, n.to_string().into_bytes());
            assert_eq!(hex, format!("{n:X}").into_bytes());
        }
    }

    #[test]
    fn status_lines_for_named_and_unnamed_codes() {
        for (status, line) in [
            (200, "HTTP/1.1 200 OK\r\n"),
            (404, "HTTP/1.1 404 Not Found\r\n"),
            (599, "HTTP/1.1 599 \r\n"),
        ] {
            let mut out = Vec::new();
            push_status_line(&mut out, status);
            assert_eq!(out, line.as_bytes());
        }
    }
}
// < ch11
