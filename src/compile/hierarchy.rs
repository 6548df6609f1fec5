//! The role forest as pre-order intervals, so "is an ancestor of" is two comparisons.

use crate::policy::Policy;

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
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut roots = Vec::new();
        let mut parent = vec![None; n];
        for (i, role) in policy.roles.values().enumerate() {
            match role
                .parent
                .as_deref()
                .and_then(|p| policy.roles.get_index_of(p))
            {
                Some(p) => {
                    children[p].push(i);
                    parent[i] = Some(p as u32);
                }
                None => roots.push(i),
            }
        }
        let mut tree = RoleTree {
            pre: vec![0; n],
            end: vec![0; n],
            order: vec![0; n],
            parent,
        };
        let mut counter = 0u32;
        // Iterative DFS: (role, whether its children were pushed already).
        let mut stack: Vec<(usize, bool)> = roots.into_iter().rev().map(|r| (r, false)).collect();
        while let Some((role, expanded)) = stack.pop() {
            if expanded {
                tree.end[role] = counter;
                continue;
            }
            tree.pre[role] = counter;
            tree.order[counter as usize] = role as u32;
            counter += 1;
            stack.push((role, true));
            for &child in children[role].iter().rev() {
                stack.push((child, false));
            }
        }
        tree
    }

    /// `ancestor` is a strict ancestor of `role`.
    #[inline]
    pub fn is_strict_ancestor(&self, ancestor: u32, role: u32) -> bool {
        let (a, r) = (ancestor as usize, role as usize);
        match (self.pre.get(a), self.end.get(a), self.pre.get(r)) {
            (Some(&pa), Some(&ea), Some(&pr)) => pa < pr && pr < ea,
            _ => false,
        }
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

    /// The roles strictly below `top`.
    pub fn strict_subtree(&self, top: u32) -> &[u32] {
        let t = top as usize;
        match (self.pre.get(t), self.end.get(t)) {
            (Some(&p), Some(&e)) => self.order.get(p as usize + 1..e as usize).unwrap_or(&[]),
            _ => &[],
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

    /// `role` and its ancestors, nearest first.
    pub fn ancestors_or_self(&self, role: u32) -> impl Iterator<Item = u32> + '_ {
        std::iter::successors(Some(role), |&r| {
            self.parent.get(r as usize).copied().flatten()
        })
        .take(self.parent.len())
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
        assert!(t.is_strict_ancestor(ceo, rep) && t.is_strict_ancestor(vp, rep));
        assert!(!t.is_strict_ancestor(rep, rep) && !t.is_strict_ancestor(rep, vp));
        assert!(!t.is_strict_ancestor(other, rep) && !t.is_strict_ancestor(ceo, other));
        assert!(t.in_subtree(vp, vp) && t.in_subtree(vp, rep) && !t.in_subtree(vp, ceo));
        assert_eq!(t.strict_subtree(ceo), &[vp, rep]);
        assert_eq!(t.subtree(vp), &[vp, rep]);
        assert_eq!(
            t.ancestors_or_self(rep).collect::<Vec<_>>(),
            vec![rep, vp, ceo]
        );
        assert_eq!(t.strict_subtree(other), &[] as &[u32]);
    }
}
