//! The parameters a lookup captured, without allocating.
//!
//! A lookup writes each captured value (a `&str` slice of the request path) into a
//! fixed-size array on the stack; the names stay where they were stored at registration,
//! at the end of the route. Nothing is copied or decoded until someone asks for it.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

use crate::http::percent::{self, DecodeError};

/// The most parameters one route may have (catch-all included). A named limit: it sizes
/// the array lookups fill, and a route with more is refused at registration.
pub const MAX_PARAMS: usize = 8;

// ANCHOR: stack
/// The values captured so far on the way down the trie: pushed on entering a parameter
/// branch, popped when that branch dead-ends and the lookup backtracks.
#[derive(Clone, Copy)]
pub(crate) struct Captures<'p> {
    values: [&'p str; MAX_PARAMS],
    len: usize,
}

impl<'p> Captures<'p> {
    pub(crate) fn new() -> Self {
        Captures {
            values: [""; MAX_PARAMS],
            len: 0,
        }
    }

    /// Registration refuses routes with more than `MAX_PARAMS` parameters, and a lookup
    /// pushes at most one value per parameter of the route it is following, so this never
    /// overflows (indexing would panic loudly if that reasoning were ever wrong).
    pub(crate) fn push(&mut self, value: &'p str) {
        self.values[self.len] = value;
        self.len += 1;
    }

    pub(crate) fn pop(&mut self) {
        self.len -= 1;
    }
}
// ANCHOR_END: stack

// ANCHOR: params
/// The parameters of a matched route, reachable by name.
///
/// Values are the raw text of the path, still percent-encoded; [`Params::get`] gives that
/// raw text, [`Params::decoded`] and [`Params::decode_all`] decode it, and
/// [`Params::ranges`] says where it sits in the path, for a caller that decoded the whole
/// path already.
#[derive(Clone, Copy)]
pub struct Params<'r, 'p> {
    /// The path the lookup was given; every captured value is a slice of it.
    path: &'p str,
    names: &'r [Box<str>],
    captures: Captures<'p>,
}
// ANCHOR_END: params

/// A parameter whose value could not be percent-decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamError {
    /// The parameter's name.
    pub name: String,
    /// What was wrong with its value.
    pub error: DecodeError,
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "path parameter {:?}: {}", self.name, self.error)
    }
}

impl std::error::Error for ParamError {}

impl<'r, 'p> Params<'r, 'p> {
    pub(crate) fn new(path: &'p str, names: &'r [Box<str>], captures: Captures<'p>) -> Self {
        debug_assert_eq!(names.len(), captures.len, "one value per name");
        Params {
            path,
            names,
            captures,
        }
    }

    /// How many parameters the route has.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether the route has no parameters.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The raw (still percent-encoded) value of parameter `name`.
    pub fn get(&self, name: &str) -> Option<&'p str> {
        self.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// The percent-decoded value of parameter `name`; `None` if the route has no such
    /// parameter.
    pub fn decoded(&self, name: &str) -> Option<Result<Cow<'p, str>, DecodeError>> {
        self.get(name).map(percent::decode)
    }

    /// `(name, raw value)` pairs in the order the pattern names them.
    pub fn iter(&self) -> impl Iterator<Item = (&'r str, &'p str)> + '_ {
        let values = &self.captures.values[..self.captures.len];
        self.names.iter().map(|n| &**n).zip(values.iter().copied())
    }

    /// `(name, byte range)` pairs: where each raw value sits in the path given to
    /// [`Router::at`](super::Router::at), in the order the pattern names them.
    pub fn ranges(&self) -> impl Iterator<Item = (&'r str, Range<usize>)> + '_ {
        // A lookup only ever slices the path it was given, so the distance between the
        // starts of the two slices is the value's offset in the path.
        let base = self.path.as_ptr() as usize;
        self.iter().map(move |(name, value)| {
            let start = value.as_ptr() as usize - base;
            (name, start..start + value.len())
        })
    }

    /// Every parameter, decoded; the first value that does not decode is an error naming
    /// its parameter. This is what the application calls once per request.
    pub fn decode_all(&self) -> Result<Vec<(&'r str, Cow<'p, str>)>, ParamError> {
        self.iter()
            .map(|(name, raw)| match percent::decode(raw) {
                Ok(value) => Ok((name, value)),
                Err(error) => Err(ParamError {
                    name: name.to_string(),
                    error,
                }),
            })
            .collect()
    }
}

impl fmt::Debug for Params<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}
