//! Chapter 5, the request head: the chapter's parser on a real socket.
//!
//! One connection at a time, like chapter 2's server: it reads until `head::parse` has an
//! answer, logging what the parser said after every read, and answers with what it made of
//! the head (the request line, each header, and what the headers decide), or with the status
//! of the mistake it found. Then it closes the connection: keeping it open for the next
//! request is the connection loop's job, at the end of the chapter.
//!
//! Run: `cargo run --example ch05_head`, then `curl -s 'http://127.0.0.1:8080/search?q=weft'`
//!
//! The parser is no part of weft's API (a handler never calls it); `weft::internals` lets
//! the benchmarks, the property tests and this example reach it.

use std::io::Write;
use std::net::{TcpListener, TcpStream};

use weft::http::{Limits, ProtocolError, Version};
use weft::internals::head::{self, Framing, Head, Parsed, Span};
use weft_tools::by_hand::{close, read_more, respond};
use weft_tools::cli::{self, Flags};

fn main() {
    cli::init_logging();
    let flags = Flags::from_env(&["--addr"]);
    let listener = TcpListener::bind(flags.addr()).expect("cannot bind");
    cli::announce(listener.local_addr().expect("bound address"));
    let limits = Limits::default();
    for stream in listener.incoming() {
        match stream {
            Ok(stream) => serve(stream, &limits),
            Err(err) => log::warn!("accept failed: {err}"),
        }
    }
}

/// Reads one head from `stream`, answers with what it means, and closes.
fn serve(mut stream: TcpStream, limits: &Limits) {
    // A timeout on every read, so that a silent client cannot hold this server for ever.
    if let Err(err) = stream.set_read_timeout(Some(limits.head_timeout)) {
        log::warn!("cannot set a read timeout: {err}");
        return;
    }
    let mut buf = Vec::new();
    let answer = match read_head(&mut stream, &mut buf, limits) {
        Ok(head) => respond(200, &describe(&head, &buf)),
        // The client went away before the head ended: there is nobody to answer.
        Err(ProtocolError::Incomplete) => return,
        Err(err) => respond(err.status(), &format!("{err}\n")),
    };
    if let Err(err) = stream.write_all(&answer) {
        log::info!("cannot answer: {err}");
    }
    close(stream);
}

// ANCHOR: read_head
/// Reads from `stream` into `buf` until the parser has an answer: a whole head, or the
/// mistake that makes it no request at all.
fn read_head(
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
    limits: &Limits,
) -> Result<Head, ProtocolError> {
    loop {
        // A read that times out or finds the client gone is `Timeout` or `Incomplete`.
        let n = read_more(stream, buf)?;
        // The parser starts over on the whole buffer each time. It never looks past
        // `max_head`, so `buf` never grows more than one read past it.
        let parsed = head::parse(buf, limits);
        log::info!("read {n} bytes, {} in all: {}", buf.len(), verdict(&parsed));
        match parsed {
            Ok(Parsed::Partial) => continue,
            Ok(Parsed::Complete(head)) => return Ok(head),
            Err(err) => return Err(err),
        }
    }
}
// ANCHOR_END: read_head

/// What the parser said, in a few words.
fn verdict(parsed: &Result<Parsed, ProtocolError>) -> String {
    match parsed {
        Ok(Parsed::Partial) => "partial".to_string(),
        Ok(Parsed::Complete(head)) => format!("complete, a head of {} bytes", head.len),
        Err(err) => format!("{err} ({})", err.status()),
    }
}

/// What the parser made of the head, one line per fact.
fn describe(head: &Head, buf: &[u8]) -> String {
    // A header value may hold bytes that are not UTF-8; the report shows them replaced.
    let text = |span: Span| String::from_utf8_lossy(span.of(buf)).into_owned();
    let yes_no = |on: bool| if on { "yes" } else { "no" };
    let mut lines = vec![
        format!("method:       {}", text(head.method)),
        format!("target:       {}", text(head.target)),
        format!("version:      {}", version(head.version)),
    ];
    for &(name, value) in head.headers.iter() {
        lines.push(format!("header:       {}: {}", text(name), text(value)));
    }
    let body = match head.framing {
        Framing::Empty => "none".to_string(),
        Framing::Length(n) => format!("{n} bytes (Content-Length)"),
        Framing::Chunked => "chunked".to_string(),
    };
    lines.extend([
        format!("head length:  {} bytes", head.len),
        format!("body:         {body}"),
        format!("keep-alive:   {}", yes_no(head.keep_alive)),
        format!("100-continue: {}", yes_no(head.expect_continue)),
    ]);
    lines.join("\n") + "\n"
}

fn version(version: Version) -> &'static str {
    match version {
        Version::Http10 => "HTTP/1.0",
        Version::Http11 => "HTTP/1.1",
    }
}
