//! Chapter 5: every way a request can break the protocol, each with the status it earns.
//!
//! One variant per mistake, so a log line or a test names exactly what went wrong, and one
//! place ([`ProtocolError::status`]) that decides the answer. Every variant here ends the connection:
//! once a request's framing is in doubt, the bytes after it cannot be trusted to be the next
//! request (that is how request smuggling works), so the server answers and closes.

use std::fmt;

/// A request the server refuses, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProtocolError {
    // ANCHOR: variants
    /// The request line is not `method SP request-target SP HTTP-version` (RFC 9112 §3).
    BadRequestLine,
    /// The request target is not origin-, absolute- or asterisk-form, or its percent-encoding
    /// is broken (RFC 9112 §3.2, RFC 3986 §2.1).
    BadTarget,
    /// A header name is not a token, or has whitespace before its colon (RFC 9112 §5.1).
    BadHeaderName,
    /// A header value holds a control character such as NUL (RFC 9110 §5.5).
    BadHeaderValue,
    /// A CR not followed by LF: a bare CR (RFC 9112 §2.2).
    BareCr,
    /// An HTTP/1.1 request without exactly one `Host` header (RFC 9112 §3.2).
    BadHost,
    /// The request target is longer than [`Limits::max_target`](super::Limits::max_target)
    /// (RFC 9112 §3, RFC 9110 §15.5.15).
    TargetTooLong,
    /// The head is larger than [`Limits::max_head`](super::Limits::max_head) (RFC 6585 §5).
    HeadTooLarge,
    /// More header lines than [`Limits::max_headers`](super::Limits::max_headers)
    /// (RFC 6585 §5).
    TooManyHeaders,
    /// The body is larger than [`Limits::max_body`](super::Limits::max_body)
    /// (RFC 9110 §15.5.14).
    BodyTooLarge,
    /// Both `Content-Length` and `Transfer-Encoding`: two answers to "where does the body
    /// end?" (RFC 9112 §6.3 rule 3, §6.1).
    LengthAndTransferEncoding,
    /// Several `Content-Length`s that disagree (RFC 9112 §6.3 rule 5, RFC 9110 §8.6).
    ConflictingLength,
    /// A `Content-Length` that is not 1*DIGIT in range: `-1`, `+5`, `0x10`, `abc`, or more
    /// than a `u64` (RFC 9110 §8.6).
    BadLength,
    /// `Transfer-Encoding` whose last coding is not `chunked`, or that repeats `chunked`, or
    /// in an HTTP/1.0 request (RFC 9112 §6.3 rule 4, §6.1).
    BadTransferEncoding,
    /// A transfer coding other than `chunked`, such as `gzip` (RFC 9112 §6.1).
    UnsupportedTransferCoding,
    /// A chunk size that is not hex digits, or overflows a `u64` (RFC 9112 §7.1).
    BadChunkSize,
    /// Chunk framing broken elsewhere: a missing CRLF after a chunk's data, a bad trailer line,
    /// or too many bytes of chunk extensions and trailers (RFC 9112 §7.1).
    BadChunk,
    /// The client closed the connection in the middle of a head or body (RFC 9112 §8).
    Incomplete,
    /// An HTTP version this server does not speak, such as `HTTP/2.0` (RFC 9110 §15.6.6).
    UnsupportedVersion,
    /// An `Expect` other than `100-continue` (RFC 9110 §10.1.1).
    UnsupportedExpectation,
    /// The client took longer than [`Limits::head_timeout`](super::Limits::head_timeout) to
    /// send a head, or [`Limits::body_timeout`](super::Limits::body_timeout) between pieces of
    /// a body (RFC 9110 §15.5.9).
    Timeout,
    // ANCHOR_END: variants
}

impl ProtocolError {
    // ANCHOR: status
    /// The status code this mistake is answered with.
    pub fn status(self) -> u16 {
        use ProtocolError::*;
        match self {
            BadRequestLine | BadTarget | BadHeaderName | BadHeaderValue | BareCr | BadHost => 400,
            LengthAndTransferEncoding | ConflictingLength | BadLength | BadTransferEncoding => 400,
            BadChunkSize | BadChunk | Incomplete => 400,
            Timeout => 408,
            BodyTooLarge => 413,
            TargetTooLong => 414,
            UnsupportedExpectation => 417,
            HeadTooLarge | TooManyHeaders => 431,
            UnsupportedTransferCoding => 501,
            UnsupportedVersion => 505,
        }
    }
    // ANCHOR_END: status
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ProtocolError::*;
        let text = match self {
            BadRequestLine => "malformed request line",
            BadTarget => "malformed request target",
            BadHeaderName => "malformed header name",
            BadHeaderValue => "control character in a header value",
            BareCr => "bare CR (a CR not followed by LF)",
            BadHost => "an HTTP/1.1 request needs exactly one Host header",
            TargetTooLong => "request target too long",
            HeadTooLarge => "request head too large",
            TooManyHeaders => "too many header lines",
            BodyTooLarge => "request body larger than the limit",
            LengthAndTransferEncoding => "both Content-Length and Transfer-Encoding",
            ConflictingLength => "Content-Length headers that disagree",
            BadLength => "Content-Length is not a decimal number",
            BadTransferEncoding => "Transfer-Encoding does not end in a single chunked",
            UnsupportedTransferCoding => "transfer coding other than chunked",
            BadChunkSize => "malformed or overflowing chunk size",
            BadChunk => "malformed chunked framing",
            Incomplete => "connection closed in the middle of a request",
            UnsupportedVersion => "HTTP version not supported",
            UnsupportedExpectation => "Expect other than 100-continue",
            Timeout => "client too slow",
        };
        f.write_str(text)
    }
}

impl std::error::Error for ProtocolError {}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every variant with its status. The `match` in `every_variant_is_listed` has no
    /// wildcard, so a new variant does not compile until it has a row here.
    #[rustfmt::skip]
    const TABLE: &[(ProtocolError, u16)] = &[
        (ProtocolError::BadRequestLine, 400),
        (ProtocolError::BadTarget, 400),
        (ProtocolError::BadHeaderName, 400),
        (ProtocolError::BadHeaderValue, 400),
        (ProtocolError::BareCr, 400),
        (ProtocolError::BadHost, 400),
        (ProtocolError::TargetTooLong, 414),
        (ProtocolError::HeadTooLarge, 431),
        (ProtocolError::TooManyHeaders, 431),
        (ProtocolError::BodyTooLarge, 413),
        (ProtocolError::LengthAndTransferEncoding, 400),
        (ProtocolError::ConflictingLength, 400),
        (ProtocolError::BadLength, 400),
        (ProtocolError::BadTransferEncoding, 400),
        (ProtocolError::UnsupportedTransferCoding, 501),
        (ProtocolError::BadChunkSize, 400),
        (ProtocolError::BadChunk, 400),
        (ProtocolError::Incomplete, 400),
        (ProtocolError::UnsupportedVersion, 505),
        (ProtocolError::UnsupportedExpectation, 417),
        (ProtocolError::Timeout, 408),
    ];

    #[test]
    fn every_variant_is_listed() {
        use ProtocolError::*;
        let listed = |err: ProtocolError| match err {
            BadRequestLine
            | BadTarget
            | BadHeaderName
            | BadHeaderValue
            | BareCr
            | BadHost
            | TargetTooLong
            | HeadTooLarge
            | TooManyHeaders
            | BodyTooLarge
            | LengthAndTransferEncoding
            | ConflictingLength
            | BadLength
            | BadTransferEncoding
            | UnsupportedTransferCoding
            | BadChunkSize
            | BadChunk
            | Incomplete
            | UnsupportedVersion
            | UnsupportedExpectation
            | Timeout => TABLE.iter().filter(|(e, _)| *e == err).count(),
        };
        for (err, _) in TABLE {
            assert_eq!(listed(*err), 1, "{err:?} must have exactly one row");
        }
        assert_eq!(TABLE.len(), 21);
    }

    #[test]
    fn every_variant_has_its_status_and_its_own_message() {
        let mut messages = std::collections::HashSet::new();
        for (err, status) in TABLE {
            assert_eq!(err.status(), *status, "{err:?}");
            let message = err.to_string();
            assert!(!message.is_empty(), "{err:?} has no message");
            assert!(
                messages.insert(message.clone()),
                "{err:?} repeats {message:?}"
            );
        }
        assert_eq!(
            ProtocolError::BareCr.to_string(),
            "bare CR (a CR not followed by LF)"
        );
    }
}
