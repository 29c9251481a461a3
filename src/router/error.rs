//! What can go wrong when a route is registered.
//!
//! Every variant names the route being registered, and a conflict also names the route it
//! clashes with, so the person reading the message can fix it without opening the code.

use std::fmt;

/// Why [`Router::insert`](super::Router::insert) refused a route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InsertError {
    /// The pattern does not start with `/`.
    NoLeadingSlash {
        /// The pattern as given.
        route: String,
    },
    /// The pattern has `//` in it: an empty segment anywhere but at the very end.
    EmptySegment {
        /// The pattern as given.
        route: String,
    },
    /// A `:` or `*` with no name after it.
    EmptyParamName {
        /// The pattern as given.
        route: String,
    },
    /// A parameter name with characters other than ASCII letters, digits and `_`.
    InvalidParamName {
        /// The pattern as given.
        route: String,
        /// The offending name, without its `:` or `*`.
        name: String,
    },
    /// The same parameter name twice in one pattern.
    DuplicateParamName {
        /// The pattern as given.
        route: String,
        /// The repeated name.
        name: String,
    },
    /// A `:` or `*` in the middle of a segment, as in `/files/v:version`.
    ParamMidSegment {
        /// The pattern as given.
        route: String,
        /// The segment holding the stray `:` or `*`.
        segment: String,
    },
    /// A segment with `{` or `}`: parameters are written `:name` here, not `{name}`.
    Braces {
        /// The pattern as given.
        route: String,
        /// The segment holding the brace.
        segment: String,
    },
    /// A catch-all (`*name`) that is not the last segment.
    CatchAllNotLast {
        /// The pattern as given.
        route: String,
    },
    /// More parameters than [`MAX_PARAMS`](super::MAX_PARAMS).
    TooManyParams {
        /// The pattern as given.
        route: String,
    },
    /// A static segment with non-ASCII text, which no request can carry unencoded.
    NotAscii {
        /// The pattern as given.
        route: String,
        /// The segment as given.
        segment: String,
        /// The same segment percent-encoded, the way requests will spell it.
        encoded: String,
    },
    /// Exactly this pattern was registered before.
    Duplicate {
        /// The pattern as given.
        route: String,
    },
    /// A different pattern that matches exactly the same paths was registered before
    /// (the two differ only in their parameter names).
    Conflict {
        /// The pattern as given.
        route: String,
        /// The pattern registered earlier.
        existing: String,
    },
}

impl fmt::Display for InsertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InsertError::NoLeadingSlash { route } => {
                write!(f, "route {route:?}: a route must start with '/'")
            }
            InsertError::EmptySegment { route } => {
                write!(
                    f,
                    "route {route}: empty segment ('//'); only the last segment may be empty"
                )
            }
            InsertError::EmptyParamName { route } => {
                write!(
                    f,
                    "route {route}: a parameter needs a name after ':' or '*'"
                )
            }
            InsertError::InvalidParamName { route, name } => write!(
                f,
                "route {route}: parameter name {name:?} may only use ASCII letters, digits and '_'"
            ),
            InsertError::DuplicateParamName { route, name } => {
                write!(f, "route {route}: parameter name {name:?} is used twice")
            }
            InsertError::ParamMidSegment { route, segment } => write!(
                f,
                "route {route}: segment {segment:?}: ':' and '*' may only start a segment \
                 (a parameter fills a whole segment)"
            ),
            InsertError::Braces { route, segment } => write!(
                f,
                "route {route}: segment {segment:?}: write parameters as ':name' and \
                 catch-alls as '*name', not in braces"
            ),
            InsertError::CatchAllNotLast { route } => {
                write!(
                    f,
                    "route {route}: a catch-all ('*name') must be the last segment"
                )
            }
            InsertError::TooManyParams { route } => write!(
                f,
                "route {route}: more than {} parameters",
                super::MAX_PARAMS
            ),
            InsertError::NotAscii {
                route,
                segment,
                encoded,
            } => write!(
                f,
                "route {route}: segment {segment:?} is not ASCII; requests carry it \
                 percent-encoded, so write it as {encoded:?}"
            ),
            InsertError::Duplicate { route } => {
                write!(f, "route {route} is already registered")
            }
            InsertError::Conflict { route, existing } => write!(
                f,
                "route {route} conflicts with {existing}: both match exactly the same paths"
            ),
        }
    }
}

impl std::error::Error for InsertError {}
