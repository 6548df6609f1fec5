//! A list of lists stored back to back, the compact shape of memberships, direct roles and
//! the names a policy resolves.

/// A list of lists, back to back: `items[offsets[i]..offsets[i + 1]]` is list `i`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Lists {
    offsets: Vec<u32>,
    items: Vec<u32>,
}

impl Lists {
    /// Lists `0..n` from `(list, item)` pairs, in pair order within each list.
    pub fn from_pairs(n: usize, pairs: &[(u32, u32)]) -> Lists {
        let mut offsets = vec![0u32; n + 1];
        for &(list, _) in pairs {
            if let Some(o) = offsets.get_mut(list as usize + 1) {
                *o += 1;
            }
        }
        for i in 1..offsets.len() {
            let before = offsets.get(i - 1).copied().unwrap_or(0);
            if let Some(o) = offsets.get_mut(i) {
                *o += before;
            }
        }
        let mut fill = offsets.clone();
        let mut items = vec![0u32; pairs.len()];
        for &(list, item) in pairs {
            if let Some(at) = fill.get_mut(list as usize) {
                if let Some(slot) = items.get_mut(*at as usize) {
                    *slot = item;
                }
                *at += 1;
            }
        }
        Lists { offsets, items }
    }

    /// No lists.
    pub fn new() -> Lists {
        Lists {
            offsets: vec![0],
            items: Vec::new(),
        }
    }

    /// Appends a list.
    pub fn push(&mut self, list: &[u32]) {
        self.items.extend_from_slice(list);
        self.offsets.push(self.items.len() as u32);
    }

    /// List `i` (empty past the end).
    #[inline]
    pub fn get(&self, i: usize) -> &[u32] {
        match (self.offsets.get(i), self.offsets.get(i + 1)) {
            (Some(&a), Some(&b)) => self.items.get(a as usize..b as usize).unwrap_or(&[]),
            _ => &[],
        }
    }

    /// Where list `i` lies in [`Lists::items`] (empty past the end).
    #[inline]
    pub fn range(&self, i: usize) -> std::ops::Range<u32> {
        match (self.offsets.get(i), self.offsets.get(i + 1)) {
            (Some(&a), Some(&b)) => a..b,
            _ => 0..0,
        }
    }

    /// Every list's items, back to back.
    #[inline]
    pub fn items(&self) -> &[u32] {
        &self.items
    }

    /// Every list, in order.
    pub fn iter(&self) -> impl Iterator<Item = &[u32]> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    /// Number of lists.
    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// Heap bytes held.
    pub fn memory_usage(&self) -> usize {
        (self.offsets.capacity() + self.items.capacity()) * std::mem::size_of::<u32>()
    }
}
