//! Percent-decoding (RFC 3986 §2.1): the one copy in weft.
//!
//! A request path arrives percent-encoded: `/files/a%20b` names the file `a b`, and
//! `/users/%E2%9C%93` the user `✓` (the three UTF-8 bytes of U+2713). Three places need it
//! decoded, and all three come here, so they agree on what a valid escape is:
//!
//! - the request layer decodes the path once, when it parses the target ([`decode`]), and a
//!   path that does not decode is a `400` before any application code runs;
//! - the router decodes a parameter's raw value when a caller of [`Router::at`] asks
//!   ([`Params::decoded`]); the router matches the *raw* path, because decoding first would
//!   turn an encoded `%2F` into a `/` and split one segment into two;
//! - the query accessors decode `name=value` pairs ([`decode_form`]), leniently.
//!
//! One policy for NUL: `%00` never decodes. A NUL byte in a path or a parameter is never
//! legitimate, and it cuts a string short for everything that reads strings the C way (file
//! systems first), so the strict [`decode`] refuses it and [`decode_form`] leaves it as
//! written.
//!
//! Note `+` is not a space in a path: that rule belongs to HTML form bodies and query
//! strings (`application/x-www-form-urlencoded`), and only [`decode_form`] applies it.
//!
//! [`Router::at`]: super::Router::at
//! [`Params::decoded`]: super::Params::decoded

use std::borrow::Cow;
use std::fmt;

/// Why a percent-encoded value could not be decoded. The HTTP layer answers each with `400`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecodeError {
    /// A `%` not followed by two hex digits, at this byte offset in the value.
    BadEscape {
        /// Byte offset of the `%`.
        at: usize,
    },
    /// A NUL byte, encoded (`%00`) or not, at this byte offset in the value.
    Nul {
        /// Byte offset of the `%` (or of the NUL itself).
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
            DecodeError::Nul { at } => write!(f, "a NUL byte at byte {at}"),
            DecodeError::InvalidUtf8 => write!(f, "the decoded bytes are not valid UTF-8"),
        }
    }
}

impl std::error::Error for DecodeError {}

// ANCHOR: decode
/// Decodes `%XX` escapes, refusing a broken escape, a NUL and bytes that are not UTF-8.
/// Borrows when there is nothing to decode, which is the usual case, so a request for
/// `/users/42` allocates nothing here.
pub fn decode(raw: &str) -> Result<Cow<'_, str>, DecodeError> {
    let bytes = raw.as_bytes();
    let Some(first) = bytes.iter().position(|&b| b == b'%' || b == 0) else {
        return Ok(Cow::Borrowed(raw));
    };
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&bytes[..first]);
    let mut i = first;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => match escape(bytes, i) {
                Some(0) => return Err(DecodeError::Nul { at: i }),
                Some(byte) => {
                    out.push(byte);
                    i += 3;
                }
                None => return Err(DecodeError::BadEscape { at: i }),
            },
            0 => return Err(DecodeError::Nul { at: i }),
            byte => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8(out)
        .map(Cow::Owned)
        .map_err(|_| DecodeError::InvalidUtf8)
}
// ANCHOR_END: decode

/// Decodes a query component as `application/x-www-form-urlencoded`: `+` is a space, `%XX` a
/// byte. Lenient, as browsers are: a broken escape, and `%00`, stay as they were written;
/// bytes that are not UTF-8 become U+FFFD.
pub fn decode_form(text: &str) -> Cow<'_, str> {
    if !text.contains(['%', '+']) {
        return Cow::Borrowed(text);
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], escape(bytes, i)) {
            (b'%', Some(byte)) if byte != 0 => {
                out.push(byte);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

/// The byte the escape starting at `bytes[at]` (a `%`) stands for, if two hex digits follow.
fn escape(bytes: &[u8], at: usize) -> Option<u8> {
    let digits = bytes.get(at + 1..at + 3)?;
    Some(hex(digits[0])? << 4 | hex(digits[1])?)
}

/// The value of one hex digit, either case.
fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

// > ch07
/// Where the text at `raw[range]` lies in the decoding of `raw`, without decoding anything:
/// every `%` before it stands for three bytes that decode to one.
///
/// Only for a `raw` that [`decode`] accepted (so every `%` starts an escape), and a range that
/// does not cut an escape in two; a router capture qualifies, since it starts after a `/` or
/// at the start, ends before a `/` or at the end, and an escape never holds a `/`.
pub fn decoded_range(raw: &str, range: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let shift = |end: usize| end - 2 * raw.as_bytes()[..end].iter().filter(|&&b| b == b'%').count();
    shift(range.start)..shift(range.end)
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
// < ch07

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
            ("%01", "\u{1}"),
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
            ("%00", DecodeError::Nul { at: 0 }),
            ("a%2F%00", DecodeError::Nul { at: 4 }),
            ("a\0b", DecodeError::Nul { at: 1 }),
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
        assert!(matches!(decode_form("rust"), Cow::Borrowed("rust")));
    }

    #[test]
    fn decode_form_table() {
        let cases: &[(&str, &str)] = &[
            ("rust+web", "rust web"),
            ("en%2Dgb", "en-gb"),
            ("%zz", "%zz"),
            ("50%", "50%"),
            ("a%00b", "a%00b"),
            ("%FF", "\u{FFFD}"),
            ("caf%C3%A9", "café"),
            ("a%2Bb", "a+b"),
        ];
        for (raw, want) in cases {
            assert_eq!(decode_form(raw), *want, "{raw}");
        }
    }

    // > ch07
    #[test]
    fn decoded_range_finds_the_same_text() {
        let raw = "/users/a%2Fb/files/caf%C3%A9/x";
        let decoded = decode(raw).unwrap();
        for part in ["users", "a%2Fb", "files", "caf%C3%A9", "x", "caf%C3%A9/x"] {
            let start = raw.find(part).unwrap();
            let range = decoded_range(raw, start..start + part.len());
            assert_eq!(&decoded[range], decode(part).unwrap(), "{part}");
        }
    }

    #[test]
    fn encode_round_trips_through_decode() {
        assert_eq!(encode("café"), "caf%C3%A9");
        assert_eq!(decode(&encode("naïve ✓")).unwrap(), "naïve ✓");
    }
    // < ch07
}
