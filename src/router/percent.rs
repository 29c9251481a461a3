//! Percent-decoding of path parameters (RFC 3986 §2.1).
//!
//! A request path arrives percent-encoded: `/files/a%20b` names the file `a b`, and
//! `/users/%E2%9C%93` the user `✓` (the three UTF-8 bytes of U+2713). The router matches the
//! *raw* path and decodes each parameter only afterwards, one value at a time: decoding first
//! would turn an encoded `%2F` into a `/` and split one segment into two.
//!
//! Note `+` is not a space here: that rule belongs to HTML form bodies and query strings
//! (`application/x-www-form-urlencoded`), never to paths.

use std::borrow::Cow;
use std::fmt;

/// Why a percent-encoded value could not be decoded. The HTTP layer answers both with `400`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecodeError {
    /// A `%` not followed by two hex digits, at this byte offset in the value.
    BadEscape {
        /// Byte offset of the `%`.
        at: usize,
    },
    /// The decoded bytes are not UTF-8 (for example a lone `%FF`).
    InvalidUtf8,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::BadEscape { at } => {
                write!(f, "'%' at byte {at} is not followed by two hex digits")
            }
            DecodeError::InvalidUtf8 => write!(f, "the decoded bytes are not valid UTF-8"),
        }
    }
}

impl std::error::Error for DecodeError {}

// ANCHOR: decode
/// Decodes `%XX` escapes. Borrows when there is nothing to decode, which is the usual case,
/// so a lookup of `/users/42` allocates nothing here either.
pub fn decode(raw: &str) -> Result<Cow<'_, str>, DecodeError> {
    if !raw.contains('%') {
        return Ok(Cow::Borrowed(raw));
    }
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hi = bytes.get(i + 1).and_then(|&b| hex(b));
            let lo = bytes.get(i + 2).and_then(|&b| hex(b));
            let (Some(hi), Some(lo)) = (hi, lo) else {
                return Err(DecodeError::BadEscape { at: i });
            };
            out.push(hi << 4 | lo);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out)
        .map(Cow::Owned)
        .map_err(|_| DecodeError::InvalidUtf8)
}
// ANCHOR_END: decode

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Percent-encodes the non-ASCII bytes of `text` (upper-case hex, as RFC 3986 §2.1
/// recommends). Used to tell a user how to write a non-ASCII route segment.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for &b in text.as_bytes() {
        if b.is_ascii() {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_table() {
        let ok: &[(&str, &str)] = &[
            ("plain", "plain"),
            ("", ""),
            ("a%20b", "a b"),
            ("a%2Fb", "a/b"),
            ("a%2fb", "a/b"),
            ("%E2%9C%93", "✓"),
            ("caf%C3%A9", "café"),
            ("a+b", "a+b"),
            ("%25", "%"),
            ("%2525", "%25"),
            ("✓", "✓"),
        ];
        for (raw, want) in ok {
            assert_eq!(decode(raw).as_deref(), Ok(*want), "{raw}");
        }
        let bad: &[(&str, DecodeError)] = &[
            ("%", DecodeError::BadEscape { at: 0 }),
            ("a%2", DecodeError::BadEscape { at: 1 }),
            ("%zz", DecodeError::BadEscape { at: 0 }),
            ("ab%g0", DecodeError::BadEscape { at: 2 }),
            ("%FF", DecodeError::InvalidUtf8),
            ("%C3", DecodeError::InvalidUtf8),
            ("%C3%28", DecodeError::InvalidUtf8),
        ];
        for (raw, want) in bad {
            assert_eq!(decode(raw), Err(*want), "{raw}");
        }
    }

    #[test]
    fn decode_borrows_when_there_is_nothing_to_do() {
        assert!(matches!(decode("users"), Ok(Cow::Borrowed("users"))));
    }

    #[test]
    fn encode_round_trips_through_decode() {
        assert_eq!(encode("café"), "caf%C3%A9");
        assert_eq!(decode(&encode("naïve ✓")).unwrap(), "naïve ✓");
    }
}
