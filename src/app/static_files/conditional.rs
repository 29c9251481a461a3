//! Conditional and range requests for a file (RFC 9110 §13 and §14), as pure functions of
//! the request's headers and the file's validators, so each rule is one line of a test table.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::date;

// ANCHOR: validators
/// What identifies one version of a file: an entity tag and a modification time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Validators {
    /// A strong entity tag made of the size and the modification time (RFC 9110 §8.8.3),
    /// as nginx does: cheap, and it changes whenever the file is rewritten, unless a write
    /// keeps both the size and the time to the nanosecond.
    pub etag: String,
    /// Seconds since the epoch, as `Last-Modified` carries them (§8.8.2).
    pub modified: u64,
}

impl Validators {
    /// The validators of a file of `len` bytes last modified at `mtime`.
    pub(crate) fn new(len: u64, mtime: SystemTime) -> Validators {
        let since = mtime.duration_since(UNIX_EPOCH).unwrap_or_default();
        Validators {
            etag: format!(
                "\"{len:x}-{:x}.{:x}\"",
                since.as_secs(),
                since.subsec_nanos()
            ),
            modified: since.as_secs(),
        }
    }

    /// The `Last-Modified` value.
    pub(crate) fn last_modified(&self) -> String {
        date::imf_fixdate(self.modified)
    }
}
// ANCHOR_END: validators

// ANCHOR: not_modified
/// Whether a `GET` or `HEAD` with these headers can be answered `304 Not Modified`
/// (RFC 9110 §13.2.2: `If-None-Match` first; `If-Modified-Since` only without it).
pub(crate) fn not_modified(
    if_none_match: Option<&str>,
    if_modified_since: Option<&str>,
    file: &Validators,
) -> bool {
    if let Some(tags) = if_none_match {
        // §13.1.2: `*` or a list of tags, compared weakly (a `W/` prefix is ignored).
        let ours = file.etag.trim_start_matches("W/");
        return tags
            .split(',')
            .map(|tag| tag.trim().trim_start_matches("W/"))
            .any(|tag| tag == "*" || tag == ours);
    }
    // §13.1.3: not modified if the file is no newer than the date the client has. A date we
    // cannot parse is ignored, which costs a full response, never a wrong 304.
    match if_modified_since.and_then(date::parse) {
        Some(since) => file.modified <= since,
        None => false,
    }
}
// ANCHOR_END: not_modified

// ANCHOR: range
/// What to send for a `Range` header, given the file's length (RFC 9110 §14).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Range {
    /// The whole file, `200 OK`: no range asked, one we do not support (several ranges,
    /// another unit), or a malformed one, which §14.2 allows a server to ignore.
    Full,
    /// `206 Partial Content` with bytes `start..=end`.
    Part {
        /// The first byte sent.
        start: u64,
        /// The last byte sent (inclusive, as `Content-Range` counts).
        end: u64,
    },
    /// `416 Range Not Satisfiable`: the range starts past the end of the file.
    Unsatisfiable,
}

/// Parses a single `bytes=` range (§14.1.2): `a-b`, `a-` (from `a` to the end) or `-n` (the
/// last `n` bytes).
pub(crate) fn range(header: Option<&str>, len: u64) -> Range {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else {
        return Range::Full;
    };
    if spec.contains(',') {
        return Range::Full; // several ranges: §14.2 lets us send the whole file instead
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return Range::Full;
    };
    let number = |text: &str| -> Option<u64> {
        let text = text.trim();
        let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
        digits.then(|| text.parse().ok()).flatten()
    };
    match (first.trim().is_empty(), number(first), number(last)) {
        // `-n`: the last n bytes; `-0` asks for nothing, which no file can satisfy.
        (true, _, Some(0)) => Range::Unsatisfiable,
        (true, _, Some(suffix)) if len > 0 => Range::Part {
            start: len.saturating_sub(suffix),
            end: len - 1,
        },
        (true, _, Some(_)) => Range::Unsatisfiable,
        (false, Some(start), _) if start >= len => Range::Unsatisfiable,
        (false, Some(start), None) if last.trim().is_empty() => Range::Part {
            start,
            end: len - 1,
        },
        (false, Some(start), Some(end)) if start <= end => Range::Part {
            start,
            end: end.min(len - 1),
        },
        _ => Range::Full,
    }
}

/// Whether an `If-Range` value still names this version of the file, so the range applies
/// (§13.1.5): an entity tag must match strongly, a date exactly.
pub(crate) fn if_range_holds(if_range: Option<&str>, file: &Validators) -> bool {
    match if_range.map(str::trim) {
        None => true,
        Some(tag) if tag.starts_with('"') => tag == file.etag,
        Some(date) => date == file.last_modified(),
    }
}
// ANCHOR_END: range

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn file() -> Validators {
        Validators::new(100, UNIX_EPOCH + Duration::new(784_111_777, 5))
    }

    #[test]
    fn validators_and_dates_round_trip() {
        let file = file();
        assert_eq!(file.etag, "\"64-2ebc98a1.5\"");
        assert_eq!(file.last_modified(), "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(date::parse(&file.last_modified()), Some(file.modified));
    }

    #[test]
    fn revalidation() {
        let f = file();
        let (etag, date) = (f.etag.clone(), f.last_modified());
        #[rustfmt::skip]
        let cases: &[(Option<&str>, Option<&str>, bool)] = &[
            (None, None, false),
            (Some(&etag), None, true),
            (Some(&format!("W/{etag}")), None, true),
            (Some(&format!("\"other\", {etag}")), None, true),
            (Some("*"), None, true),
            (Some("\"other\""), Some(&date), false), // If-None-Match wins over the date
            (None, Some(&date), true),
            (None, Some("Sun, 06 Nov 1994 08:49:36 GMT"), false), // a second older
            (None, Some("Mon, 07 Nov 1994 00:00:00 GMT"), true),
            (None, Some("yesterday"), false),
            (None, Some("Sunday, 06-Nov-94 08:49:37 GMT"), true), // obsolete, still a date
            (None, Some("Sun Nov  6 08:49:36 1994"), false),
        ];
        for (inm, ims, expected) in cases {
            assert_eq!(not_modified(*inm, *ims, &f), *expected, "{inm:?} {ims:?}");
        }
    }

    #[test]
    fn ranges() {
        use Range::*;
        #[rustfmt::skip]
        let cases: &[(Option<&str>, u64, Range)] = &[
            (None, 10, Full),
            (Some("bytes=0-4"), 10, Part { start: 0, end: 4 }),
            (Some("bytes=5-"), 10, Part { start: 5, end: 9 }),
            (Some("bytes=-3"), 10, Part { start: 7, end: 9 }),
            (Some("bytes=-30"), 10, Part { start: 0, end: 9 }),
            (Some("bytes=8-100"), 10, Part { start: 8, end: 9 }),
            (Some("bytes=9-9"), 10, Part { start: 9, end: 9 }),
            (Some("bytes=10-"), 10, Unsatisfiable),
            (Some("bytes=10-20"), 10, Unsatisfiable),
            (Some("bytes=-0"), 10, Unsatisfiable),
            (Some("bytes=0-"), 0, Unsatisfiable),
            (Some("bytes=-5"), 0, Unsatisfiable),
            (Some("bytes=5-2"), 10, Full),
            (Some("bytes=0-1,4-5"), 10, Full),
            (Some("items=0-1"), 10, Full),
            (Some("bytes=a-b"), 10, Full),
            (Some("bytes=2-x"), 10, Full), // a last position that is not a number
            (Some("bytes=2- "), 10, Part { start: 2, end: 9 }),
            (Some("bytes=+1-2"), 10, Full),
            (Some("bytes=-"), 10, Full),
            (Some("bytes=99999999999999999999-"), 10, Full),
        ];
        for (header, len, expected) in cases {
            assert_eq!(range(*header, *len), *expected, "{header:?} of {len}");
        }
    }

    #[test]
    fn if_range_needs_an_exact_validator() {
        let f = file();
        assert!(if_range_holds(None, &f));
        assert!(if_range_holds(Some(&f.etag.clone()), &f));
        assert!(!if_range_holds(Some("\"other\""), &f));
        assert!(!if_range_holds(Some(&format!("W/{}", f.etag)), &f));
        assert!(if_range_holds(Some(&f.last_modified()), &f));
        assert!(!if_range_holds(Some("Mon, 07 Nov 1994 00:00:00 GMT"), &f));
    }
}
