//! Chapter 5, the body: the chapter's body decoder on a real socket.
//!
//! One connection at a time, like `ch05_head`: it reads a head with the chapter's parser, then
//! feeds the bytes after it to a `Decoder`, `Content-Length` or `chunked` as the head says,
//! logging what each call consumed and which of those bytes were body data. It answers with
//! the body it found and the bytes it left after the body, or with the status of the mistake
//! it met, and closes the connection.
//!
//! Run: `cargo run --example ch05_body`, then
//! `curl -s -H 'Transfer-Encoding: chunked' --data-binary hello http://127.0.0.1:8080/`
//!
//! Like the parser, the decoder is no part of weft's API; `weft::internals` lets the
//! benchmarks, the property tests and this example reach it.

use std::io::Write;
use std::net::{TcpListener, TcpStream};

use weft::http::{Limits, ProtocolError};
use weft::internals::body::Decoder;
use weft::internals::head::{self, Framing, Head, Parsed};
use weft_tools::by_hand::{close, read_more, respond};
use weft_tools::cli::{self, Flags};

/// How much of the body and of what follows it the answer shows.
const SHOWN: usize = 64;

fn main() {
    cli::init_logging();
    let flags = Flags::from_env(&["--addr", "--max-body"]);
    let limits = Limits {
        max_body: flags.value_or_exit("--max-body", Limits::default().max_body),
        ..Limits::default()
    };
    let listener = TcpListener::bind(flags.addr()).expect("cannot bind");
    cli::announce(listener.local_addr().expect("bound address"));
    for stream in listener.incoming() {
        match stream {
            Ok(stream) => serve(stream, &limits),
            Err(err) => log::warn!("accept failed: {err}"),
        }
    }
}

/// Reads one request, body included, answers with what the body was, and closes.
fn serve(mut stream: TcpStream, limits: &Limits) {
    // A timeout on every read, so that a silent client cannot hold this server for ever.
    if let Err(err) = stream.set_read_timeout(Some(limits.body_timeout)) {
        log::warn!("cannot set a read timeout: {err}");
        return;
    }
    let mut buf = Vec::new();
    let report = match read_head(&mut stream, &mut buf, limits) {
        // The client went away before the head ended: there is nobody to answer.
        Err(ProtocolError::Incomplete) => return,
        Err(err) => Err(err),
        Ok(head) => read_request_body(&mut stream, &mut buf, &head, limits),
    };
    let answer = match report {
        Ok(report) => respond(200, &report),
        Err(err) => {
            log::info!("refused: {err} ({})", err.status());
            respond(err.status(), &format!("{err}\n"))
        }
    };
    if let Err(err) = stream.write_all(&answer) {
        log::info!("cannot answer: {err}");
    }
    close(stream);
}

/// Reads the body of the request whose `head` starts `buf`, and describes the body and what
/// follows it.
fn read_request_body(
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
    head: &Head,
    limits: &Limits,
) -> Result<String, ProtocolError> {
    if head.expect_continue {
        // The client waits for permission before it sends the body (RFC 9110 §10.1.1).
        stream
            .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
            .map_err(|_| ProtocolError::Incomplete)?;
        log::info!("sent 100 Continue");
    }
    let decoder = Decoder::new(head.framing, limits);
    let (body, end) = read_body(stream, buf, head.len, decoder)?;
    let framing = match head.framing {
        Framing::Empty => "none".to_string(),
        Framing::Length(n) => format!("Content-Length: {n}"),
        Framing::Chunked => "chunked".to_string(),
    };
    Ok(format!(
        "framing:      {framing}\nbody:         {} bytes, {}\nafter it:     {} bytes, {}\n",
        body.len(),
        shown(&body),
        buf.len() - end,
        shown(&buf[end..]),
    ))
}

// ANCHOR: read_body
/// Decodes the body that starts at `buf[at..]`, reading more from `stream` whenever the
/// decoder has used up what arrived. Returns the body and where it ended in `buf`: what
/// follows is not the body's, and the decoder never touched it.
fn read_body(
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
    mut at: usize,
    mut decoder: Decoder,
) -> Result<(Vec<u8>, usize), ProtocolError> {
    let mut body = Vec::new();
    while !decoder.is_done() {
        let decoded = decoder.decode(&buf[at..], usize::MAX)?;
        if decoded.consumed == 0 {
            read_more(stream, buf)?;
            continue;
        }
        let input = &buf[at..at + decoded.consumed];
        let data = &buf[at..][decoded.data];
        log::info!("consumed {}, data {}", shown(input), shown(data));
        body.extend_from_slice(data);
        at += decoded.consumed;
    }
    Ok((body, at))
}
// ANCHOR_END: read_body

/// Reads from `stream` into `buf` until the parser has a whole head, or a mistake.
fn read_head(
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
    limits: &Limits,
) -> Result<Head, ProtocolError> {
    loop {
        read_more(stream, buf)?;
        match head::parse(buf, limits)? {
            Parsed::Partial => continue,
            Parsed::Complete(head) => return Ok(head),
        }
    }
}

/// Up to [`SHOWN`] bytes, quoted, with `\r`, `\n` and non-ASCII bytes escaped.
fn shown(bytes: &[u8]) -> String {
    let more = if bytes.len() > SHOWN { "..." } else { "" };
    format!(
        "\"{}\"{more}",
        bytes[..bytes.len().min(SHOWN)].escape_ascii()
    )
}
