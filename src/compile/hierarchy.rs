//! The role forest as pre-order intervals, so "is an ancestor of" is two comparisons.

use crate::policy::Policy;

use crate::lists::Lists;

/// Role `r`'s subtree is the roles whose pre-order number lies in `pre[r]..end[r]`.
#[derive(Debug, Clone, Default)]
pub(crate) struct RoleTree {
    pre: Vec<u32>,
    end: Vec<u32>,
    /// The role at each pre-order position: a subtree is a contiguous slice.
    order: Vec<u32>,
    parent: Vec<Option<u32>>,
}

impl RoleTree {
    /// Builds the intervals; the policy is validated, so parents exist and form a forest.
    pub fn new(policy: &Policy) -> RoleTree {
        let n = policy.roles.len();
        let mut edges = Vec::new();
        let mut roots = Vec::new();
        let mut parent = vec![None; n];
        for (i, role) in policy.roles.values().enumerate() {
            let up = role
                .parent
                .as_deref()
                .and_then(|p| policy.roles.get_index_of(p));
            match (up, parent.get_mut(i)) {
                (Some(p), Some(slot)) => {
                    edges.push((p as u32, i as u32));
                    *slot = Some(p as u32);
                }
                _ => roots.push(i as u32),
            }
        }
        let children = Lists::from_pairs(n, &edges);
        let mut tree = RoleTree {
            pre: vec![0; n],
            end: vec![0; n],
            order: vec![0; n],
            parent,
        };
        let mut counter = 0u32;
        // Iterative DFS: (role, whether its children were pushed already).
        let mut stack: Vec<(u32, bool)> = roots.into_iter().rev().map(|r| (r, false)).collect();
        while let Some((role, expanded)) = stack.pop() {
            if expanded {
                if let Some(end) = tree.end.get_mut(role as usize) {
                    *end = counter;
                }
                continue;
            }
            if let (Some(pre), Some(at)) = (
                tree.pre.get_mut(role as usize),
                tree.order.get_mut(counter as usize),
            ) {
                *pre = counter;
                *at = role;
            }
            counter += 1;
            stack.push((role, true));
            for &child in children.get(role as usize).iter().rev() {
                stack.push((child, false));
            }
        }
        tree
    }

    /// The pre-order number of `role`.
    #[inline]
    pub fn pre(&self, role: u32) -> Option<u32> {
        self.pre.get(role as usize).copied()
    }

    /// The end of `role`'s subtree in pre-order: its subtree is `pre(role)..end(role)`.
    #[inline]
    pub fn end(&self, role: u32) -> Option<u32> {
        self.end.get(role as usize).copied()
    }

    /// The role with pre-order number `pre`.
    #[inline]
    pub fn role_at(&self, pre: u32) -> Option<u32> {
        self.order.get(pre as usize).copied()
    }

    /// The parent of `role`.
    #[inline]
    pub fn parent(&self, role: u32) -> Option<u32> {
        self.parent.get(role as usize).copied().flatten()
    }

    /// `role`, then its parent, and so on up to its root: the one walk up the hierarchy.
    ///
    /// # Cost
    /// O(depth); bounded by the number of roles even if the tree were not a forest.
    pub fn ancestors(&self, role: u32) -> impl Iterator<Item = u32> + '_ {
        let mut next = Some(role);
        (0..self.parent.len()).map_while(move |_| {
            let at = next?;
            next = self.parent(at);
            Some(at)
        })
    }

    /// The roles strictly below `role`, as a pre-order range; `None` for a leaf.
    #[inline]
    pub fn strict_span(&self, role: u32) -> Option<(u32, u32)> {
        let (p, e) = (self.pre(role)?, self.end(role)?);
        (p + 1 < e).then_some((p + 1, e))
    }

    /// `role` is `top` or lies below it.
    #[inline]
    pub fn in_subtree(&self, top: u32, role: u32) -> bool {
        let (t, r) = (top as usize, role as usize);
        match (self.pre.get(t), self.end.get(t), self.pre.get(r)) {
            (Some(&pt), Some(&et), Some(&pr)) => pt <= pr && pr < et,
            _ => false,
        }
    }

    /// `top` and the roles below it.
    pub fn subtree(&self, top: u32) -> &[u32] {
        let t = top as usize;
        match (self.pre.get(t), self.end.get(t)) {
            (Some(&p), Some(&e)) => self.order.get(p as usize..e as usize).unwrap_or(&[]),
            _ => &[],
        }
    }

    /// The roles strictly below any of `roles` (pre-order numbers, ascending), as
    /// disjoint pre-order ranges, ascending: a role inside the range of another of `roles`
    /// adds nothing, so a point lies below one of `roles` exactly when it lies in one of
    /// these ranges. O(roles).
    pub fn spans_below(&self, roles_by_pre: &[u32]) -> smallvec::SmallVec<[(u32, u32); 2]> {
        let mut below: smallvec::SmallVec<[(u32, u32); 2]> = smallvec::SmallVec::new();
        for &pre in roles_by_pre {
            let Some(span) = self.role_at(pre).and_then(|r| self.strict_span(r)) else {
                continue;
            };
            if below.last().is_some_and(|&(_, end)| span.0 < end) {
                continue;
            }
            below.push(span);
        }
        below
    }

    /// Heap bytes held.
    pub fn memory_usage(&self) -> usize {
        (self.pre.capacity() + self.end.capacity() + self.order.capacity())
            * std::mem::size_of::<u32>()
            + self.parent.capacity() * std::mem::size_of::<Option<u32>>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_follow_the_parents() {
        let p = Policy::from_json(
            r#"{"version":1,"profiles":{"p":{}},"roles":{
                "ceo":{"profiles":["p"]},
                "vp":{"parent":"ceo","profiles":["p"]},
                "rep":{"parent":"vp","profiles":["p"]},
                "other":{"profiles":["p"]}}}"#,
        )
        .unwrap();
        let t = RoleTree::new(&p);
        let (ceo, vp, rep, other) = (0, 1, 2, 3);
        assert!(t.in_subtree(vp, vp) && t.in_subtree(vp, rep) && !t.in_subtree(vp, ceo));
        assert!(t.in_subtree(ceo, rep) && !t.in_subtree(other, rep) && !t.in_subtree(ceo, other));
        assert_eq!(
            (t.parent(rep), t.parent(vp), t.parent(ceo)),
            (Some(vp), Some(ceo), None)
        );
        assert_eq!(t.role_at(t.pre(rep).unwrap()), Some(rep));
        assert_eq!(t.subtree(vp), &[vp, rep]);
        assert_eq!(t.strict_span(other), None);
        assert_eq!(t.strict_span(ceo), Some((1, 3)));
    }
}
