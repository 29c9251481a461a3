//! Turning a route pattern such as `/users/:id/files/*path` into segments.
//!
//! Both routers (the linear baseline and the trie) parse patterns here, so they refuse the
//! same malformed patterns with the same errors and agree on what a segment is.

use super::error::InsertError;
use super::params::MAX_PARAMS;

// ANCHOR: segment
/// One `/`-separated piece of a route pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Segment<'a> {
    /// Literal text that must equal the path's segment byte for byte. The empty static
    /// segment only ever ends a pattern: it is the trailing slash (or the root, `/`).
    Static(&'a str),
    /// `:name`: any one non-empty segment.
    Param(&'a str),
    /// `*name`: the rest of the path, slashes included; at least one byte.
    CatchAll(&'a str),
}
// ANCHOR_END: segment

impl<'a> Segment<'a> {
    /// The parameter name, for `:name` and `*name`.
    pub(crate) fn param_name(self) -> Option<&'a str> {
        match self {
            Segment::Static(_) => None,
            Segment::Param(name) | Segment::CatchAll(name) => Some(name),
        }
    }
}

// ANCHOR: parse
/// Splits a pattern into segments, refusing anything the routers cannot match faithfully.
pub(crate) fn parse(route: &str) -> Result<Vec<Segment<'_>>, InsertError> {
    let owned = || route.to_string();
    let Some(body) = route.strip_prefix('/') else {
        return Err(InsertError::NoLeadingSlash { route: owned() });
    };
    let pieces: Vec<&str> = body.split('/').collect();
    let mut segments = Vec::with_capacity(pieces.len());
    for (i, piece) in pieces.iter().copied().enumerate() {
        let last = i + 1 == pieces.len();
        let segment = if let Some(name) = piece.strip_prefix(':') {
            Segment::Param(check_name(route, name)?)
        } else if let Some(name) = piece.strip_prefix('*') {
            if !last {
                return Err(InsertError::CatchAllNotLast { route: owned() });
            }
            Segment::CatchAll(check_name(route, name)?)
        } else if piece.is_empty() && !last {
            return Err(InsertError::EmptySegment { route: owned() });
        } else if piece.contains([':', '*']) {
            return Err(InsertError::ParamMidSegment {
                route: owned(),
                segment: piece.to_string(),
            });
        } else if piece.contains(['{', '}']) {
            // Most likely `{id}` from another router's syntax: silently routing the literal
            // text `{id}` would turn a typo into a mysterious 404.
            return Err(InsertError::Braces {
                route: owned(),
                segment: piece.to_string(),
            });
        } else if !piece.is_ascii() {
            return Err(InsertError::NotAscii {
                route: owned(),
                segment: piece.to_string(),
                encoded: crate::http::percent::encode(piece),
            });
        } else {
            Segment::Static(piece)
        };
        segments.push(segment);
    }
    check_names(route, &segments)?;
    Ok(segments)
}
// ANCHOR_END: parse

fn check_name<'a>(route: &str, name: &'a str) -> Result<&'a str, InsertError> {
    if name.is_empty() {
        return Err(InsertError::EmptyParamName {
            route: route.to_string(),
        });
    }
    if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err(InsertError::InvalidParamName {
            route: route.to_string(),
            name: name.to_string(),
        });
    }
    Ok(name)
}

/// Names must be unique (so `get(name)` is unambiguous) and few enough to fit the
/// fixed-size array that lookups fill without allocating.
fn check_names(route: &str, segments: &[Segment<'_>]) -> Result<(), InsertError> {
    let names: Vec<&str> = segments.iter().filter_map(|s| s.param_name()).collect();
    for (i, name) in names.iter().enumerate() {
        if names[..i].contains(name) {
            return Err(InsertError::DuplicateParamName {
                route: route.to_string(),
                name: name.to_string(),
            });
        }
    }
    if names.len() > MAX_PARAMS {
        return Err(InsertError::TooManyParams {
            route: route.to_string(),
        });
    }
    Ok(())
}

/// The parameter names of a parsed pattern, in order, owned (the trie keeps them per route).
pub(crate) fn param_names(segments: &[Segment<'_>]) -> Box<[Box<str>]> {
    segments
        .iter()
        .filter_map(|s| s.param_name())
        .map(Box::from)
        .collect()
}

/// Splits the first segment off a path (given without its leading `/`): `"a/b"` gives
/// `("a", Some("b"))`, `"a/"` gives `("a", Some(""))`, `"a"` gives `("a", None)`.
#[inline]
pub(crate) fn split_segment(rest: &str) -> (&str, Option<&str>) {
    // A plain byte loop: segments are short, and `str::find` sets up a general searcher
    // that costs more than it saves on a handful of bytes.
    match rest.bytes().position(|b| b == b'/') {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_of_typical_patterns() {
        use Segment::*;
        assert_eq!(parse("/").unwrap(), vec![Static("")]);
        assert_eq!(parse("/users/").unwrap(), vec![Static("users"), Static("")]);
        assert_eq!(
            parse("/users/:id/files/*path").unwrap(),
            vec![
                Static("users"),
                Param("id"),
                Static("files"),
                CatchAll("path")
            ]
        );
    }

    #[test]
    fn split_segment_cases() {
        assert_eq!(split_segment(""), ("", None));
        assert_eq!(split_segment("a"), ("a", None));
        assert_eq!(split_segment("a/"), ("a", Some("")));
        assert_eq!(split_segment("a/b/c"), ("a", Some("b/c")));
        assert_eq!(split_segment("/b"), ("", Some("b")));
    }
}
