//! Chapter 11: the text of a response header, which a layer can build without allocating.
//!
//! Most header names and values are literals (`Content-Type`, `text/plain`), which a
//! `&'static str` holds for free. Some are built per request: a request id, a
//! `Server-Timing` duration. A `String` for each costs an allocation per request, yet these
//! values are short, so a [`HeaderText`] keeps up to 16 bytes inside itself, in the room a
//! `String` takes anyway: it is 24 bytes, like a `String` or a `Cow<'static, str>`.

use std::borrow::{Borrow, Cow};
use std::fmt::{self, Write as _};
use std::hash::{Hash, Hasher};
use std::ops::Deref;

/// The longest text a [`HeaderText`] keeps inline.
const INLINE: usize = 16;

// ANCHOR: header_text
/// A header name or value: a literal, a `String`, or a short text kept inline.
///
/// It converts from `&'static str`, `String` and `Cow<'static, str>`, so every method that
/// takes one ([`Response::with_header`](super::Response::with_header) and the others)
/// takes those as before; [`HeaderText::formatted`] writes a short value without a `String`.
/// It reads as a `&str` ([`Deref`]).
#[derive(Clone)]
pub struct HeaderText(Repr);

#[derive(Clone)]
enum Repr {
    /// A literal, borrowed for as long as the program runs.
    Static(&'static str),
    /// Text built at run time that did not fit inline.
    Owned(String),
    /// Up to 16 bytes of text, then NULs to the end. A header holds no NUL
    /// (`checked_header` refuses one), and text with a NUL is never put here, so the first
    /// NUL marks the end without a length field: that keeps the whole type at 24 bytes.
    Inline([u8; INLINE]),
}
// ANCHOR_END: header_text

impl HeaderText {
    // ANCHOR: formatted
    /// The text `value` displays as: kept inline, with no allocation, when it is at most 16
    /// bytes long, as a request id or `app;dur=0.25` is; in a `String` when it is longer.
    ///
    /// ```
    /// use weft::response::{HeaderText, Response};
    ///
    /// let ms = 0.25;
    /// let timing = HeaderText::formatted(format_args!("app;dur={ms:.2}"));
    /// let response = Response::new(200).with_header("Server-Timing", timing);
    /// assert_eq!(response.header("server-timing"), Some("app;dur=0.25"));
    /// ```
    pub fn formatted(value: impl fmt::Display) -> HeaderText {
        let mut out = Formatter {
            inline: [0; INLINE],
            len: 0,
            spilled: None,
        };
        // Only `Formatter` could fail, and it never does.
        let _ = write!(out, "{value}");
        match out.spilled {
            Some(text) => HeaderText(Repr::Owned(text)),
            None if out.inline[..out.len].contains(&0) => HeaderText(Repr::Owned(
                String::from_utf8_lossy(&out.inline[..out.len]).into(),
            )),
            None => HeaderText(Repr::Inline(out.inline)),
        }
    }
    // ANCHOR_END: formatted

    /// A copy of `text`: inline, with no allocation, when it is at most 16 bytes long; in a
    /// `String` when it is longer. [`HeaderText::formatted`] without the formatting.
    ///
    /// ```
    /// use weft::response::HeaderText;
    ///
    /// let id = String::from("3f1c0e9a7b2d4e61");
    /// assert_eq!(HeaderText::copied(&id), "3f1c0e9a7b2d4e61");
    /// ```
    pub fn copied(text: &str) -> HeaderText {
        if text.len() > INLINE || text.contains('\0') {
            return HeaderText(Repr::Owned(text.to_owned()));
        }
        let mut inline = [0; INLINE];
        inline[..text.len()].copy_from_slice(text.as_bytes());
        HeaderText(Repr::Inline(inline))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Static(text) => text,
            Repr::Owned(text) => text,
            Repr::Inline(bytes) => {
                let len = bytes.iter().position(|&b| b == 0).unwrap_or(INLINE);
                // Whole UTF-8 text went in, and it ends where the NULs begin.
                std::str::from_utf8(&bytes[..len]).unwrap_or_default()
            }
        }
    }

    /// The text as a `String` of its own (an allocation, unless it is one already); named
    /// as `Cow`'s method is, which this type replaced in chapter 11.
    pub fn into_owned(self) -> String {
        match self.0 {
            Repr::Owned(text) => text,
            _ => self.as_str().to_owned(),
        }
    }
}

/// Writes into the inline array until the text outgrows it, then into a `String`.
struct Formatter {
    inline: [u8; INLINE],
    len: usize,
    spilled: Option<String>,
}

impl fmt::Write for Formatter {
    fn write_str(&mut self, piece: &str) -> fmt::Result {
        if let Some(text) = &mut self.spilled {
            text.push_str(piece);
        } else if self.len + piece.len() <= INLINE {
            self.inline[self.len..self.len + piece.len()].copy_from_slice(piece.as_bytes());
            self.len += piece.len();
        } else {
            let mut text = String::with_capacity(2 * (self.len + piece.len()));
            text.push_str(std::str::from_utf8(&self.inline[..self.len]).unwrap_or_default());
            text.push_str(piece);
            self.spilled = Some(text);
        }
        Ok(())
    }
}

impl Default for HeaderText {
    /// The empty text.
    fn default() -> HeaderText {
        HeaderText(Repr::Static(""))
    }
}

impl From<&'static str> for HeaderText {
    fn from(text: &'static str) -> HeaderText {
        HeaderText(Repr::Static(text))
    }
}

impl From<String> for HeaderText {
    fn from(text: String) -> HeaderText {
        HeaderText(Repr::Owned(text))
    }
}

impl From<Cow<'static, str>> for HeaderText {
    fn from(text: Cow<'static, str>) -> HeaderText {
        match text {
            Cow::Borrowed(text) => text.into(),
            Cow::Owned(text) => text.into(),
        }
    }
}

impl From<HeaderText> for String {
    fn from(text: HeaderText) -> String {
        text.into_owned()
    }
}

impl Deref for HeaderText {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for HeaderText {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for HeaderText {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

/// Two texts are equal when they read the same, wherever they are kept.
impl PartialEq for HeaderText {
    fn eq(&self, other: &HeaderText) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for HeaderText {}

impl PartialEq<str> for HeaderText {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for HeaderText {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Hash for HeaderText {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl fmt::Display for HeaderText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for HeaderText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatted_text_is_inline_up_to_sixteen_bytes() {
        // (text, kept inline)
        let cases = [
            ("", true),
            ("app;dur=0.25", true),
            ("0123456789abcdef", true),
            ("0123456789abcdef0", false),
            ("é", true),
            ("ééééééééé", false), // 18 bytes
            ("a\0b", false),
        ];
        for (text, inline) in cases {
            for made in [HeaderText::formatted(text), HeaderText::copied(text)] {
                assert_eq!(made.as_str(), text);
                assert_eq!(matches!(made.0, Repr::Inline(_)), inline, "{text:?}");
            }
        }
        let long = HeaderText::formatted(format_args!("{}{}", "x".repeat(10), "y".repeat(10)));
        assert_eq!(long, "xxxxxxxxxxyyyyyyyyyy");
    }

    #[test]
    fn every_kind_reads_the_same() {
        let kinds = [
            HeaderText::from("gzip"),
            HeaderText::from("gzip".to_string()),
            HeaderText::from(Cow::Borrowed("gzip")),
            HeaderText::formatted("gzip"),
            HeaderText::copied("gzip"),
        ];
        for text in &kinds {
            assert_eq!(text, &kinds[0]);
            assert_eq!(&**text, "gzip");
            assert_eq!(format!("{text} {text:?}"), "gzip \"gzip\"");
            assert_eq!(text.clone().into_owned(), "gzip");
        }
        assert_eq!(std::mem::size_of::<HeaderText>(), 24);
    }
}
