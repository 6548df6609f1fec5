//! Questions about ascending lists that checks ask on the hot path, each answered by
//! walking the shorter side and binary-searching the longer, or by one merge walk of both
//! when the two are of like length: O(min(a·log b, a + b)) for a ≤ b, no allocation.

/// Whether binary searches of the longer list for each element of the shorter beat one
/// merge walk of both.
#[inline]
fn search_beats_merge(short: usize, long: usize) -> bool {
    let log = usize::BITS - long.leading_zeros();
    short.saturating_mul(log as usize) < short + long
}

/// The first element `a` and `b` share.
#[inline]
pub(crate) fn common(a: &[u32], b: &[u32]) -> Option<u32> {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if search_beats_merge(short.len(), long.len()) {
        return short
            .iter()
            .copied()
            .find(|x| long.binary_search(x).is_ok());
    }
    let (mut i, mut j) = (0, 0);
    while let (Some(&x), Some(&y)) = (short.get(i), long.get(j)) {
        match x.cmp(&y) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => return Some(x),
        }
    }
    None
}

/// The first element of `points` in `lo..hi`.
#[inline]
pub(crate) fn first_in(points: &[u32], lo: u32, hi: u32) -> Option<u32> {
    let i = points.partition_point(|&p| p < lo);
    points.get(i).copied().filter(|&p| p < hi)
}

/// A point of `points` inside one of the disjoint, ascending ranges `spans`: the range and
/// the point.
#[inline]
pub(crate) fn hit(spans: &[(u32, u32)], points: &[u32]) -> Option<((u32, u32), u32)> {
    let (s, p) = (spans.len(), points.len());
    if !search_beats_merge(s.min(p), s.max(p)) {
        let (mut i, mut j) = (0, 0);
        while let (Some(&(lo, hi)), Some(&x)) = (spans.get(i), points.get(j)) {
            if x < lo {
                j += 1;
            } else if x >= hi {
                i += 1;
            } else {
                return Some(((lo, hi), x));
            }
        }
        return None;
    }
    if s <= p {
        spans
            .iter()
            .find_map(|&(lo, hi)| first_in(points, lo, hi).map(|p| ((lo, hi), p)))
    } else {
        points.iter().find_map(|&p| {
            let i = spans.partition_point(|&(lo, _)| lo <= p);
            let span = *spans.get(i.checked_sub(1)?)?;
            (p < span.1).then_some((span, p))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_agree_with_plain_loops() {
        let evens: Vec<u32> = (0..40).map(|i| i * 2).collect();
        let odds: Vec<u32> = (0..40).map(|i| i * 2 + 1).collect();
        let lists: [&[u32]; 7] = [
            &[],
            &[3],
            &[1, 4, 9],
            &[0, 2, 4, 6, 8, 10],
            &[5, 6, 7],
            &evens,
            &odds,
        ];
        let many: Vec<(u32, u32)> = (0..30).map(|i| (i * 3, i * 3 + 1)).collect();
        let spans: [&[(u32, u32)]; 5] =
            [&[], &[(2, 5)], &[(0, 1), (4, 6), (9, 12)], &[(7, 8)], &many];
        for a in lists {
            for b in lists {
                let plain = a.iter().copied().find(|x| b.contains(x));
                assert_eq!(common(a, b).is_some(), plain.is_some(), "{a:?} {b:?}");
            }
            for (lo, hi) in [(0, 3), (4, 5), (11, 20), (6, 6)] {
                let plain = a.iter().copied().find(|&p| lo <= p && p < hi);
                assert_eq!(first_in(a, lo, hi), plain);
            }
            for s in spans {
                let plain = s
                    .iter()
                    .any(|&(lo, hi)| a.iter().any(|&p| lo <= p && p < hi));
                let got = hit(s, a);
                assert_eq!(got.is_some(), plain, "{s:?} {a:?}");
                if let Some(((lo, hi), p)) = got {
                    assert!(s.contains(&(lo, hi)) && a.contains(&p) && lo <= p && p < hi);
                }
            }
        }
    }
}
