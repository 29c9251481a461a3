//! Chapter 11: a list that keeps its first few items inline, and goes to the heap only past
//! them.
//!
//! Most requests carry a dozen headers or fewer, and most responses one to four. A `Vec` for
//! such a list costs an allocation (and a free) per request however short it is. A
//! [`SmallList`] holds its first `N` items in an array inside itself, so a short list costs
//! no allocation at all; only a list that grows past `N` moves its items into a `Vec`. The
//! array is always there, so `N` is kept small: every move of the list copies it whole.
//!
//! It needs no `unsafe`: the array starts filled with `T::default()` values, which pushes
//! overwrite, so every slot always holds a valid `T`.

use std::fmt;
use std::ops::Deref;

// ANCHOR: small_list
/// A list of `T` that keeps up to `N` items inline and spills to a `Vec` beyond.
#[derive(Clone)]
pub struct SmallList<T, const N: usize> {
    /// The items while there are at most `N`: `inline[..len]`.
    inline: [T; N],
    len: usize,
    /// All the items, once there were more than `N`; empty (and unallocated) until then.
    spilled: Vec<T>,
}

impl<T: Default, const N: usize> SmallList<T, N> {
    /// An empty list; allocates nothing.
    pub fn new() -> Self {
        SmallList {
            inline: std::array::from_fn(|_| T::default()),
            len: 0,
            spilled: Vec::new(),
        }
    }

    /// Adds `item` at the end.
    pub fn push(&mut self, item: T) {
        if self.spilled.is_empty() {
            if self.len < N {
                self.inline[self.len] = item;
                self.len += 1;
                return;
            }
            // The first item past `N`: from now on all of them live in the `Vec`.
            self.spilled.reserve(2 * N + 1);
            self.spilled
                .extend(self.inline[..self.len].iter_mut().map(std::mem::take));
            self.len = 0;
        }
        self.spilled.push(item);
    }
    // ANCHOR_END: small_list

    /// The items as a `Vec` (which allocates, unless the list is empty or already spilled).
    pub fn into_vec(self) -> Vec<T> {
        if self.spilled.is_empty() {
            self.inline.into_iter().take(self.len).collect()
        } else {
            self.spilled
        }
    }

    /// Keeps only the items for which `keep` says true, in their order.
    pub fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        if !self.spilled.is_empty() {
            self.spilled.retain(keep);
            return;
        }
        let mut kept = 0;
        for i in 0..self.len {
            if keep(&self.inline[i]) {
                self.inline.swap(kept, i);
                kept += 1;
            }
        }
        for slot in &mut self.inline[kept..self.len] {
            *slot = T::default();
        }
        self.len = kept;
    }
}

impl<T: Default, const N: usize> Default for SmallList<T, N> {
    fn default() -> Self {
        SmallList::new()
    }
}

impl<T, const N: usize> Deref for SmallList<T, N> {
    type Target = [T];

    /// The items, in order, wherever they live.
    fn deref(&self) -> &[T] {
        if self.spilled.is_empty() {
            &self.inline[..self.len]
        } else {
            &self.spilled
        }
    }
}

impl<T: fmt::Debug, const N: usize> fmt::Debug for SmallList<T, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Two lists are equal when they hold equal items in the same order, inline or not.
impl<T: PartialEq, const N: usize> PartialEq for SmallList<T, N> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl<T: Eq, const N: usize> Eq for SmallList<T, N> {}

impl<T: Default, const N: usize> FromIterator<T> for SmallList<T, N> {
    fn from_iter<I: IntoIterator<Item = T>>(items: I) -> Self {
        let mut list = SmallList::new();
        for item in items {
            list.push(item);
        }
        list
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pushes_spill_past_n_and_keep_their_order() {
        let mut list: SmallList<u32, 3> = SmallList::new();
        for i in 0..3 {
            list.push(i);
        }
        assert_eq!(*list, [0, 1, 2]);
        assert_eq!(list.spilled.capacity(), 0, "no allocation up to N");
        list.push(3);
        list.push(4);
        assert_eq!(*list, [0, 1, 2, 3, 4]);
        assert_eq!(list.len(), 5);
        assert_eq!(list.into_vec(), [0, 1, 2, 3, 4]);
        let short: SmallList<u32, 3> = (0..2).collect();
        assert_eq!(short.into_vec(), [0, 1]);
    }

    #[test]
    fn retain_inline_and_spilled() {
        let mut short: SmallList<u32, 4> = (0..4).collect();
        short.retain(|&i| i % 2 == 1);
        assert_eq!(*short, [1, 3]);
        short.push(5);
        assert_eq!(*short, [1, 3, 5]);
        let mut long: SmallList<u32, 2> = (0..6).collect();
        long.retain(|&i| i >= 3);
        assert_eq!(*long, [3, 4, 5]);
        long.retain(|_| false);
        assert!(long.is_empty());
        long.push(7);
        assert_eq!(*long, [7]);
    }

    #[test]
    fn equality_ignores_where_items_live() {
        let inline: SmallList<u32, 8> = (0..3).collect();
        let mut spilled: SmallList<u32, 8> = (0..9).collect();
        spilled.retain(|&i| i < 3);
        assert_eq!(inline, spilled);
        assert_eq!(format!("{inline:?}"), "[0, 1, 2]");
    }
}
