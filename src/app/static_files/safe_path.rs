//! Turning the decoded tail of a URL into a path under the root, or refusing it.
//!
//! The catch-all hands us whatever the client wrote after the prefix, percent-decoded: `%2F`
//! has become `/` and `%2e%2e` has become `..`. Every rule below is checked on that decoded
//! text, before anything touches the disk. Symbolic links are the one escape a string check
//! cannot see; the caller catches them by resolving the path and checking it is still under
//! the root.

use std::path::PathBuf;

// ANCHOR: relative
/// Why a URL path cannot name a file under the root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unsafe {
    /// A `..` segment: it would climb out of the root.
    DotDot,
    /// An empty segment (`//`), or a path starting with `/`: an absolute path once joined.
    Empty,
    /// A `.` segment: harmless, but a second spelling of the same file.
    Dot,
    /// A backslash, which is a separator on Windows: `..\` would climb there.
    Backslash,
    /// A NUL byte, which ends a path at the operating system's door.
    Nul,
    /// A `:` (a Windows drive or stream, `C:` or `file::$DATA`).
    Colon,
}

/// The relative path `tail` names, or why it is refused. `tail` is the decoded catch-all
/// value (`css/site.css`); an empty tail, or one ending in `/`, names a directory.
pub(crate) fn relative(tail: &str) -> Result<PathBuf, Unsafe> {
    let mut path = PathBuf::new();
    let body = tail.strip_suffix('/').unwrap_or(tail);
    if body.is_empty() {
        return match tail.is_empty() {
            true => Ok(path),
            false => Err(Unsafe::Empty), // the tail was "/" itself
        };
    }
    for segment in body.split('/') {
        match segment {
            "" => return Err(Unsafe::Empty),
            "." => return Err(Unsafe::Dot),
            ".." => return Err(Unsafe::DotDot),
            _ if segment.contains('\\') => return Err(Unsafe::Backslash),
            _ if segment.contains('\0') => return Err(Unsafe::Nul),
            _ if segment.contains(':') => return Err(Unsafe::Colon),
            _ => path.push(segment),
        }
    }
    Ok(path)
}
// ANCHOR_END: relative

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_relative_paths_pass() {
        #[rustfmt::skip]
        let cases: &[(&str, Result<&str, Unsafe>)] = &[
            ("", Ok("")),
            ("a.txt", Ok("a.txt")),
            ("css/site.css", Ok("css/site.css")),
            ("sub/", Ok("sub")),
            ("..a/b..", Ok("..a/b..")),
            ("..", Err(Unsafe::DotDot)),
            ("a/../../etc/passwd", Err(Unsafe::DotDot)),
            ("a/..", Err(Unsafe::DotDot)),
            ("/etc/passwd", Err(Unsafe::Empty)),
            ("/", Err(Unsafe::Empty)),
            ("a//b", Err(Unsafe::Empty)),
            ("./a", Err(Unsafe::Dot)),
            ("..\\secret", Err(Unsafe::Backslash)),
            ("a\0.txt", Err(Unsafe::Nul)),
            ("C:/windows", Err(Unsafe::Colon)),
        ];
        for (tail, expected) in cases {
            let got = relative(tail);
            let expected = expected.map(PathBuf::from);
            assert_eq!(got, expected, "{tail:?}");
        }
    }
}
