//! The trie behind [`Router`](super::Router): one node per path segment.
//!
//! Each node has up to three kinds of way down: static children keyed by their exact text,
//! one parameter child (`:name`, any non-empty segment) and one catch-all (`*name`, the rest
//! of the path). A lookup tries them in that order, static first, and backs up to try the
//! next kind when a branch dead-ends further down. Each node is visited at most once per
//! lookup (the tree is a tree, and a node's depth fixes which path segment it looks at), so
//! the worst case is the size of the tree, and the usual case is one node per segment.

use super::error::InsertError;
use super::params::Captures;
use super::pattern::{self, Segment};

// ANCHOR: node
/// One segment's worth of the trie.
pub(crate) struct Node<T> {
    /// Static children, sorted by their text, which keeps `firsts` sorted too.
    statics: Vec<(Box<str>, Node<T>)>,
    /// The first byte of each static child's text, in the same order: a lookup searches
    /// these bytes and compares whole strings only where the first byte already agrees.
    firsts: Vec<u8>,
    /// The `:param` child. Parameter names are not stored here but at the route's end
    /// ([`Leaf::names`]), so `/users/:id` and `/users/:user_id/repos` can share this node.
    param: Option<Box<Node<T>>>,
    /// The `*catch_all` route ending at this node, if any.
    catch_all: Option<Leaf<T>>,
    /// The route that ends exactly here, if any.
    leaf: Option<Leaf<T>>,
}

/// A registered route: what a successful lookup returns.
pub(crate) struct Leaf<T> {
    /// The pattern as registered, for error messages and for [`Match::route`](super::Match).
    pub(crate) route: Box<str>,
    /// The route's parameter names, in order.
    pub(crate) names: Box<[Box<str>]>,
    pub(crate) value: T,
}
// ANCHOR_END: node

impl<T> Node<T> {
    pub(crate) fn new() -> Self {
        Node {
            statics: Vec::new(),
            firsts: Vec::new(),
            param: None,
            catch_all: None,
            leaf: None,
        }
    }

    // ANCHOR: insert
    /// Adds a parsed route. Only the final slot can be taken already: every node on the way
    /// is shared with earlier routes or created fresh, so no failure leaves half a route.
    pub(crate) fn insert(
        &mut self,
        route: &str,
        segments: &[Segment<'_>],
        value: T,
    ) -> Result<(), InsertError> {
        let mut node = self;
        let mut slot = None;
        for segment in segments {
            match *segment {
                Segment::Static(text) => {
                    let i = match node.statics.binary_search_by(|(s, _)| (**s).cmp(text)) {
                        Ok(i) => i,
                        Err(i) => {
                            node.statics.insert(i, (text.into(), Node::new()));
                            node.firsts.insert(i, first_byte(text));
                            i
                        }
                    };
                    node = &mut node.statics[i].1;
                }
                Segment::Param(_) => {
                    node = node.param.get_or_insert_with(|| Box::new(Node::new()));
                }
                // The parser guarantees a catch-all is last; it lives in its own slot so
                // that `/files/*path` and `/files/:name` can coexist.
                Segment::CatchAll(_) => slot = Some(&mut node.catch_all),
            }
        }
        let slot = slot.unwrap_or(&mut node.leaf);
        if let Some(existing) = slot {
            return Err(if *existing.route == *route {
                InsertError::Duplicate {
                    route: route.to_string(),
                }
            } else {
                InsertError::Conflict {
                    route: route.to_string(),
                    existing: existing.route.to_string(),
                }
            });
        }
        *slot = Some(Leaf {
            route: route.into(),
            names: pattern::param_names(segments),
            value,
        });
        Ok(())
    }
    // ANCHOR_END: insert

    // ANCHOR: find
    /// Finds the route for `rest`, the path after this node's `/`, filling `captures`.
    ///
    /// Priority is fixed: a static child, then the parameter child, then the catch-all.
    /// When a branch finds nothing further down we fall through to the next kind, which is
    /// the backtracking: `/users/new/edit` misses under the static `new` but matches
    /// `/users/:id/edit`.
    pub(crate) fn find<'r, 'p>(
        &'r self,
        rest: &'p str,
        captures: &mut Captures<'p>,
    ) -> Option<&'r Leaf<T>> {
        let (segment, next) = pattern::split_segment(rest);

        if let Some(child) = self.static_child(segment) {
            if let Some(leaf) = child.descend(next, captures) {
                return Some(leaf);
            }
        }

        if let Some(child) = &self.param {
            // A parameter never matches an empty segment: `/users//edit` is not user "".
            if !segment.is_empty() {
                captures.push(segment);
                if let Some(leaf) = child.descend(next, captures) {
                    return Some(leaf);
                }
                captures.pop();
            }
        }

        if let Some(leaf) = &self.catch_all {
            // The catch-all takes everything left, slashes included, but not nothing.
            if !rest.is_empty() {
                captures.push(rest);
                return Some(leaf);
            }
        }
        None
    }

    /// Continues below a child that accepted the current segment: the route ends here if
    /// the path does, else the search goes on with the next segment.
    fn descend<'r, 'p>(
        &'r self,
        next: Option<&'p str>,
        captures: &mut Captures<'p>,
    ) -> Option<&'r Leaf<T>> {
        match next {
            None => self.leaf.as_ref(),
            Some(rest) => self.find(rest, captures),
        }
    }

    fn static_child(&self, segment: &str) -> Option<&Node<T>> {
        // The children are sorted, so their first bytes are too: binary-search the bytes
        // (cheap comparisons) to the run of children starting like `segment`, then compare
        // whole strings only within that run, usually one or two.
        let first = first_byte(segment);
        let start = self.firsts.partition_point(|&b| b < first);
        let run = self.firsts[start..]
            .iter()
            .take_while(|&&b| b == first)
            .count();
        self.statics[start..start + run]
            .iter()
            .find(|(text, _)| **text == *segment)
            .map(|(_, child)| child)
    }
    // ANCHOR_END: find

    /// The value registered under exactly `segments` (parameter names aside).
    pub(crate) fn leaf_mut(&mut self, segments: &[Segment<'_>]) -> Option<&mut Leaf<T>> {
        let mut node = self;
        for segment in segments {
            match *segment {
                Segment::Static(text) => {
                    let i = node
                        .statics
                        .binary_search_by(|(s, _)| (**s).cmp(text))
                        .ok()?;
                    node = &mut node.statics[i].1;
                }
                Segment::Param(_) => node = node.param.as_deref_mut()?,
                Segment::CatchAll(_) => return node.catch_all.as_mut(),
            }
        }
        node.leaf.as_mut()
    }

    /// Every route in priority order (the order a lookup would prefer them).
    pub(crate) fn collect<'r>(&'r self, out: &mut Vec<&'r Leaf<T>>) {
        out.extend(self.leaf.as_ref());
        for (_, child) in &self.statics {
            child.collect(out);
        }
        if let Some(child) = &self.param {
            child.collect(out);
        }
        out.extend(self.catch_all.as_ref());
    }
}

/// The byte a static segment is indexed by. The empty segment (the trailing slash) gets 0:
/// it sorts first, as the empty string does, so the bytes stay in the order of the texts.
fn first_byte(segment: &str) -> u8 {
    segment.as_bytes().first().copied().unwrap_or(0)
}
