//! Properties of the HTTP parser (`head::parse` and `body::Decoder`), checked on generated
//! input with proptest:
//! - any stream of valid requests, split into reads at any points, parses to the requests
//!   that were written, the same as when it arrives in one piece;
//! - random bytes never panic the parser, and never make it ask for more input than its
//!   limits allow;
//! - a valid request with its framing tampered with (a second or conflicting length, both
//!   framings, junk after a chunk size) is rejected, or parsed as the very same request: never
//!   as another body, and never as two requests (which is how smuggling starts).

use proptest::prelude::*;
use proptest::sample::{select, Index};
use weft::http::{Limits, ProtocolError};
use weft::internals::body::Decoder;
use weft::internals::head::{self, Parsed};
use weft::request::Request;

/// A request as the test writes it, and as the parser should give it back.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Message {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// How a generated request frames its body.
#[derive(Debug, Clone)]
enum Framing {
    Length,
    /// Chunked, cutting the body at these points; with an extension and a trailer or not.
    Chunked {
        cuts: Vec<Index>,
        extension: bool,
        trailer: bool,
    },
}

fn text(alphabet: &'static [u8], len: std::ops::Range<usize>) -> impl Strategy<Value = String> {
    prop::collection::vec(select(alphabet), len)
        .prop_map(|bytes| String::from_utf8(bytes).expect("ASCII alphabet"))
}

fn message() -> impl Strategy<Value = (Message, Framing)> {
    let method = select(&["GET", "POST", "PUT", "DELETE", "PATCH"][..]).prop_map(String::from);
    let target = (
        text(b"abcxyz0189/-._~", 0..20),
        prop::option::of(text(b"abz09=&+-", 0..12)),
    )
        .prop_map(|(path, query)| match query {
            Some(query) => format!("/{path}?{query}"),
            None => format!("/{path}"),
        });
    let name = select(
        &[
            "Accept",
            "User-Agent",
            "X-Trace",
            "Cookie",
            "Accept-Language",
        ][..],
    );
    let value = text(b"abcXYZ019 ,;=/*.()\"", 0..30).prop_map(|v| v.trim().to_string());
    let headers = prop::collection::vec((name.prop_map(String::from), value), 0..6);
    let body = prop::collection::vec(any::<u8>(), 0..300);
    let framing = prop_oneof![
        Just(Framing::Length),
        (
            prop::collection::vec(any::<Index>(), 0..5),
            any::<bool>(),
            any::<bool>()
        )
            .prop_map(|(cuts, extension, trailer)| Framing::Chunked {
                cuts,
                extension,
                trailer
            }),
    ];
    (method, target, headers, body, framing).prop_map(|(method, target, headers, body, framing)| {
        let message = Message {
            method,
            target,
            headers,
            body,
        };
        (message, framing)
    })
}

/// The bytes a client sends for `message`, framed as `framing`. The parser's view of the
/// headers includes the framing header, so it is added to `message` too.
fn encode(message: &mut Message, framing: &Framing) -> Vec<u8> {
    message.headers.insert(0, ("Host".into(), "test".into()));
    let body = message.body.clone();
    let mut encoded_body = Vec::new();
    match framing {
        Framing::Length => {
            message
                .headers
                .push(("Content-Length".into(), body.len().to_string()));
            encoded_body = body;
        }
        Framing::Chunked {
            cuts,
            extension,
            trailer,
        } => {
            message
                .headers
                .push(("Transfer-Encoding".into(), "chunked".into()));
            let mut cuts: Vec<usize> = cuts.iter().map(|cut| cut.index(body.len() + 1)).collect();
            cuts.extend([0, body.len()]);
            cuts.sort_unstable();
            cuts.dedup();
            for piece in cuts.windows(2) {
                let chunk = &body[piece[0]..piece[1]];
                let ext = if *extension { ";name=\"v\"" } else { "" };
                encoded_body.extend(format!("{:x}{ext}\r\n", chunk.len()).as_bytes());
                encoded_body.extend(chunk);
                encoded_body.extend(b"\r\n");
            }
            encoded_body.extend(b"0\r\n");
            if *trailer {
                encoded_body.extend(b"X-Digest: abc\r\n");
            }
            encoded_body.extend(b"\r\n");
        }
    }
    let mut bytes = format!("{} {} HTTP/1.1\r\n", message.method, message.target).into_bytes();
    for (name, value) in &message.headers {
        bytes.extend(format!("{name}: {value}\r\n").as_bytes());
    }
    bytes.extend(b"\r\n");
    bytes.extend(encoded_body);
    bytes
}

/// Parses requests from `pieces` as the connection loop does: parse what has arrived, and
/// when that is not enough, take the next piece.
fn parse_stream(pieces: &[&[u8]], limits: &Limits) -> Result<Vec<Message>, ProtocolError> {
    let mut pieces = pieces.iter();
    let mut buf: Vec<u8> = Vec::new();
    let mut messages = Vec::new();
    loop {
        let head = loop {
            match head::parse(&buf, limits)? {
                Parsed::Complete(head) => break head,
                Parsed::Partial => match pieces.next() {
                    Some(piece) => buf.extend_from_slice(piece),
                    None if buf.is_empty() => return Ok(messages),
                    None => return Err(ProtocolError::Incomplete),
                },
            }
        };
        let raw: Vec<u8> = buf.drain(..head.len).collect();
        let text = |span: head::Span| String::from_utf8(span.of(&raw).to_vec()).unwrap();
        let mut message = Message {
            method: text(head.method),
            target: text(head.target),
            headers: head
                .headers
                .iter()
                .map(|&(name, value)| (text(name), text(value)))
                .collect(),
            body: Vec::new(),
        };
        let mut decoder = Decoder::new(head.framing, limits);
        while !decoder.is_done() {
            let decoded = decoder.decode(&buf, usize::MAX)?;
            message.body.extend_from_slice(&buf[decoded.data]);
            buf.drain(..decoded.consumed);
            if decoded.consumed == 0 {
                match pieces.next() {
                    Some(piece) => buf.extend_from_slice(piece),
                    None => return Err(ProtocolError::Incomplete),
                }
            }
        }
        messages.push(message);
    }
}

/// `bytes` cut at the given points.
fn split<'a>(bytes: &'a [u8], cuts: &[Index]) -> Vec<&'a [u8]> {
    let mut points: Vec<usize> = cuts.iter().map(|cut| cut.index(bytes.len() + 1)).collect();
    points.extend([0, bytes.len()]);
    points.sort_unstable();
    points.windows(2).map(|w| &bytes[w[0]..w[1]]).collect()
}

/// Ways to tamper with a request's framing, as a smuggler would.
#[derive(Debug, Clone)]
enum Tamper {
    /// The framing header line once more, unchanged.
    RepeatFraming,
    /// A `Content-Length` with this value (the body's own length, or another) added before
    /// or after the framing header.
    AddLength { value: usize, before: bool },
    /// `Transfer-Encoding: chunked` added before or after the framing header.
    AddChunked { before: bool },
    /// `Content-Length: N, M`: a list, agreeing or not.
    LengthList { other: usize },
    /// This byte straight after the first chunk size's digits.
    JunkAfterSize(u8),
}

fn tamper() -> impl Strategy<Value = Tamper> {
    prop_oneof![
        Just(Tamper::RepeatFraming),
        (0usize..400, any::<bool>())
            .prop_map(|(value, before)| Tamper::AddLength { value, before }),
        any::<bool>().prop_map(|before| Tamper::AddChunked { before }),
        (0usize..400).prop_map(|other| Tamper::LengthList { other }),
        select(&b"g\x01 ,x\t-+\0"[..]).prop_map(Tamper::JunkAfterSize),
    ]
}

/// `bytes` (one encoded request) with `tamper` applied.
fn tampered(bytes: &[u8], tamper: &Tamper, body_len: usize) -> Vec<u8> {
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let end = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a head")
        + 2;
    let (head, rest) = (text(&bytes[..end]), &bytes[end..]);
    let framing_line = head
        .lines()
        .find(|l| l.starts_with("Content-Length") || l.starts_with("Transfer-Encoding"))
        .expect("a framing header")
        .to_string();
    let with_line = |line: String, before: bool| {
        let both = if before {
            format!("{line}\r\n{framing_line}")
        } else {
            format!("{framing_line}\r\n{line}")
        };
        head.replacen(&framing_line, &both, 1)
    };
    let head = match tamper {
        Tamper::RepeatFraming => with_line(framing_line.clone(), false),
        Tamper::AddLength { value, before } => {
            let value = if value % 2 == 0 { body_len } else { *value };
            with_line(format!("Content-Length: {value}"), *before)
        }
        Tamper::AddChunked { before } => with_line("Transfer-Encoding: chunked".into(), *before),
        Tamper::LengthList { other } if framing_line.starts_with("Content-Length") => {
            let other = if other % 2 == 0 { body_len } else { *other };
            head.replacen(&framing_line, &format!("{framing_line}, {other}"), 1)
        }
        Tamper::JunkAfterSize(junk) if framing_line.starts_with("Transfer-Encoding") => {
            let digits = rest[2..]
                .iter()
                .take_while(|b| b.is_ascii_hexdigit())
                .count();
            let mut out = [head.as_bytes(), &rest[..2 + digits]].concat();
            out.push(*junk);
            out.extend(&rest[2 + digits..]);
            return out;
        }
        // A tamper that does not apply to this framing leaves the request as it was.
        Tamper::LengthList { .. } | Tamper::JunkAfterSize(_) => head,
    };
    [head.as_bytes(), rest].concat()
}

/// Starts for random input, so that some of it gets past the request line into the headers.
const PREFIXES: &[&[u8]] = &[
    b"",
    b"GET / HTTP/1.1\r\n",
    b"POST /x HTTP/1.1\r\nHost: a\r\n",
];

proptest! {
    // ANCHOR: split_anywhere
    #[test]
    fn any_split_of_valid_requests_parses_to_the_same_requests(
        generated in prop::collection::vec(message(), 1..4),
        cuts in prop::collection::vec(any::<Index>(), 0..40),
    ) {
        let mut expected = Vec::new();
        let mut stream = Vec::new();
        for (mut message, framing) in generated {
            stream.extend(encode(&mut message, &framing));
            expected.push(message);
        }
        let limits = Limits::default();
        let whole = parse_stream(&[&stream], &limits);
        let pieces = parse_stream(&split(&stream, &cuts), &limits);
        prop_assert_eq!(whole.as_ref(), Ok(&expected));
        prop_assert_eq!(pieces, whole);
    }
    // ANCHOR_END: split_anywhere

    #[test]
    fn one_byte_at_a_time_parses_the_same(
        (mut message, framing) in message(),
    ) {
        let stream = encode(&mut message, &framing);
        let bytes: Vec<&[u8]> = stream.chunks(1).collect();
        prop_assert_eq!(parse_stream(&bytes, &Limits::default()), Ok(vec![message]));
    }

    #[test]
    fn tampered_framing_is_rejected_or_changes_nothing(
        (mut message, framing) in message(),
        tamper in tamper(),
    ) {
        let bytes = encode(&mut message, &framing);
        let bent = tampered(&bytes, &tamper, message.body.len());
        match parse_stream(&[&bent], &Limits::default()) {
            Err(_) => {}
            Ok(parsed) => {
                // One request, with the same method, target and body; its headers may show
                // the tampering (a repeated, agreeing length), nothing else may.
                prop_assert_eq!(parsed.len(), 1, "{:?} became {} requests", tamper, parsed.len());
                let got = &parsed[0];
                prop_assert_eq!(
                    (&got.method, &got.target, &got.body),
                    (&message.method, &message.target, &message.body),
                    "{:?}", tamper
                );
            }
        }
    }

    // ANCHOR: random_bytes
    #[test]
    fn random_bytes_never_panic_nor_pass_the_head_limit(
        prefix in select(PREFIXES),
        noise in prop::collection::vec(any::<u8>(), 0..600),
    ) {
        let limits = Limits { max_head: 256, max_target: 64, max_headers: 8, ..Limits::default() };
        let input = [prefix, &noise[..]].concat();
        match head::parse(&input, &limits) {
            // "Give me more" only while there is room left under the limit.
            Ok(Parsed::Partial) => prop_assert!(input.len() < limits.max_head),
            Ok(Parsed::Complete(head)) => prop_assert!(head.len <= input.len().min(limits.max_head)),
            Err(_) => {}
        }
        let _ = Request::from_bytes(&input, &limits); // may fail; must not panic
    }

    #[test]
    fn random_bytes_never_panic_the_chunked_decoder_nor_pass_the_body_limit(
        input in prop::collection::vec(select(&b"0123456789abcdefABCDEFxyz;= \r\n\0"[..]), 0..600),
        max in 0usize..64,
    ) {
        let limits = Limits { max_body: 100, max_head: 64, ..Limits::default() };
        let mut decoder = Decoder::new(head::Framing::Chunked, &limits);
        let (mut at, mut body) = (0, 0);
        while at < input.len() && !decoder.is_done() {
            match decoder.decode(&input[at..], max.max(1)) {
                Ok(decoded) if decoded.consumed == 0 => break,
                Ok(decoded) => {
                    prop_assert!(decoded.data.end <= decoded.consumed);
                    body += decoded.data.len();
                    at += decoded.consumed;
                }
                Err(_) => break,
            }
        }
        prop_assert!(at <= input.len());
        prop_assert!(body as u64 <= limits.max_body);
    }
    // ANCHOR_END: random_bytes
}
