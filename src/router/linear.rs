//! The first router of chapter 7: a list of routes, tried one after another.
//!
//! It is kept as the baseline the trie is measured against, and as a second opinion: the
//! property test checks that the two always pick the same route. For that, both follow the
//! same rules: the same pattern syntax, the same conflicts, and the same priority.
//!
//! Priority is where a naive list goes wrong. Tried in registration order, `/users/:id`
//! registered before `/users/new` would swallow `/users/new` for ever. So the list is kept
//! sorted by *specificity*: compare two routes segment by segment, static before parameter
//! before catch-all, and the first difference decides. The first route in that order that
//! matches is the answer, which is exactly the route the trie's search finds first.

use std::cmp::Ordering;

use super::error::InsertError;
use super::params::{Captures, Params};
use super::pattern::{self, Segment};
use super::Match;

/// A route list kept in specificity order; `at` returns the first route that matches.
pub struct LinearRouter<T> {
    routes: Vec<Route<T>>,
}

struct Route<T> {
    pattern: Box<str>,
    segments: Vec<OwnedSegment>,
    names: Box<[Box<str>]>,
    value: T,
}

/// [`Segment`] with owned text, as the list stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum OwnedSegment {
    Static(Box<str>),
    Param,
    CatchAll,
}

impl OwnedSegment {
    fn rank(&self) -> u8 {
        match self {
            OwnedSegment::Static(_) => 0,
            OwnedSegment::Param => 1,
            OwnedSegment::CatchAll => 2,
        }
    }
}

impl From<Segment<'_>> for OwnedSegment {
    fn from(segment: Segment<'_>) -> Self {
        match segment {
            Segment::Static(text) => OwnedSegment::Static(text.into()),
            Segment::Param(_) => OwnedSegment::Param,
            Segment::CatchAll(_) => OwnedSegment::CatchAll,
        }
    }
}

// ANCHOR: specificity
/// Orders routes most specific first: segment by segment, static before parameter before
/// catch-all. Static texts do not take part: two routes that differ only there can never
/// match the same path.
fn specificity(a: &[OwnedSegment], b: &[OwnedSegment]) -> Ordering {
    let ranks = |s: &[OwnedSegment]| s.iter().map(OwnedSegment::rank).collect::<Vec<_>>();
    ranks(a).cmp(&ranks(b))
}
// ANCHOR_END: specificity

impl<T> Default for LinearRouter<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> LinearRouter<T> {
    /// An empty route list.
    pub fn new() -> Self {
        LinearRouter { routes: Vec::new() }
    }

    /// Registers `route`, refusing what [`Router::insert`](super::Router::insert) refuses.
    pub fn insert(&mut self, route: &str, value: T) -> Result<(), InsertError> {
        let parsed = pattern::parse(route)?;
        let segments: Vec<OwnedSegment> = parsed.iter().copied().map(Into::into).collect();
        if let Some(existing) = self.routes.iter().find(|r| r.segments == segments) {
            return Err(if *existing.pattern == *route {
                InsertError::Duplicate {
                    route: route.to_string(),
                }
            } else {
                InsertError::Conflict {
                    route: route.to_string(),
                    existing: existing.pattern.to_string(),
                }
            });
        }
        let at = self
            .routes
            .partition_point(|r| specificity(&r.segments, &segments) != Ordering::Greater);
        self.routes.insert(
            at,
            Route {
                pattern: route.into(),
                names: pattern::param_names(&parsed),
                segments,
                value,
            },
        );
        Ok(())
    }

    // ANCHOR: at
    /// The first route, in specificity order, that matches `path`.
    pub fn at<'r, 'p>(&'r self, path: &'p str) -> Option<Match<'r, 'p, T>> {
        let rest = path.strip_prefix('/')?;
        self.routes.iter().find_map(|route| {
            let captures = route.matches(rest)?;
            Some(Match {
                value: &route.value,
                route: &route.pattern,
                params: Params::new(path, &route.names, captures),
            })
        })
    }
    // ANCHOR_END: at
}

impl<T> Route<T> {
    // ANCHOR: matches
    /// Walks the pattern and the path side by side, one segment at a time.
    fn matches<'p>(&self, mut rest: &'p str) -> Option<Captures<'p>> {
        let mut captures = Captures::new();
        for (i, segment) in self.segments.iter().enumerate() {
            if *segment == OwnedSegment::CatchAll {
                if rest.is_empty() {
                    return None;
                }
                captures.push(rest);
                return Some(captures);
            }
            let (text, next) = pattern::split_segment(rest);
            match segment {
                OwnedSegment::Static(s) if **s == *text => {}
                OwnedSegment::Param if !text.is_empty() => captures.push(text),
                _ => return None,
            }
            let last = i + 1 == self.segments.len();
            match (next, last) {
                (None, true) => return Some(captures),
                (Some(after), false) => rest = after,
                _ => return None,
            }
        }
        None
    }
    // ANCHOR_END: matches
}
