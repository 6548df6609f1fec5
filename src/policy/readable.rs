//! Ids people read ([the policy model](crate::doc::document#ids-people-read)): users,
//! teams, roles, profiles and modules are named by ids that administrators read in
//! reports, explanations and audit trails, so no two of them may look alike.
//!
//! - An id holding a control or format character (Unicode general categories `Cc` and
//!   `Cf`: NUL, bidirectional overrides, zero-width joiners) is `malformed`: it prints as
//!   something other than what it is.
//! - Two ids of one section that are equal after NFKC normalisation and full case folding
//!   (`Bob`/`bob`, `josé` composed and decomposed, `ﬁ`/`fi`) are `ambiguous_id`.
//! - So are two ids with the same UTS #39 confusables skeleton (Latin `root` and one
//!   spelled with Cyrillic `о`; `l` and `1`), and — our choice, deny by default — two ids
//!   whose folded forms share a skeleton (`Bob` and `bоb` with a Cyrillic `о`), which
//!   neither rule alone catches.
//!
//! The Unicode tables come from `unicode-normalization`, `caseless`, `unicode-properties`
//! and `unicode-security`; nothing here spells a character class by hand.
//!
//! Module fields and tools are read the same way, within their module.

use std::hash::BuildHasher;
use std::sync::OnceLock;

use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
use unicode_security::confusable_detection::skeleton;

use crate::error::{ErrorCode, PolicyError};

/// The first control or format character of `id`, if any.
pub(crate) fn unreadable_char(id: &str) -> Option<char> {
    // ASCII needs no table: its only such characters are the C0 controls and DEL
    if id.is_ascii() {
        return id.chars().find(char::is_ascii_control);
    }
    id.chars().find(|c| {
        matches!(
            c.general_category(),
            GeneralCategory::Control | GeneralCategory::Format
        )
    })
}

/// A display name holds no control character (Unicode category `Cc`: NUL, line breaks,
/// the escape that starts a terminal sequence): names are printed in explanations,
/// matrices and reports. Format characters stay allowed here, for names in scripts that
/// need a zero-width joiner or non-joiner.
///
/// # Errors
/// `malformed` at `path`.
pub(crate) fn check_display_name(
    path: impl FnOnce() -> String,
    name: &str,
) -> Result<(), PolicyError> {
    match name.chars().find(|c| c.is_control()) {
        Some(c) => Err(PolicyError::new(
            ErrorCode::Malformed,
            path(),
            format!(
                "the name `{}` holds the control character U+{:04X}",
                name.escape_debug(),
                c as u32
            ),
        )),
        None => Ok(()),
    }
}

/// The two forms an id is compared by: its skeleton, and the skeleton of its folded form
/// (NFKC, full case folding, NFKC again). Ids with equal folded forms have equal folded
/// skeletons, so the second catches the first rule of the model too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Form {
    Skeleton,
    FoldedSkeleton,
}

const FORMS: [Form; 2] = [Form::FoldedSkeleton, Form::Skeleton];

/// Writes the `form` of `id` into `out` (cleared first), using `scratch`.
fn write_form(id: &str, form: Form, out: &mut String, scratch: &mut String) {
    out.clear();
    match form {
        Form::Skeleton => skeleton_into(id, out),
        Form::FoldedSkeleton => {
            scratch.clear();
            fold(id, scratch);
            skeleton_into(scratch, out);
        }
    }
}

/// NFKC, full case folding, NFKC again (folding can undo a normal form).
fn fold(id: &str, out: &mut String) {
    if id.is_ascii() {
        // ASCII is NFKC already, and its case folding is plain lowercasing
        out.push_str(id);
        out.make_ascii_lowercase();
        return;
    }
    let nfkc: String = id.nfkc().collect();
    out.extend(caseless::default_case_fold_str(&nfkc).nfkc());
}

/// The skeleton of each ASCII character, as the confusables table gives it, if none of
/// them holds a combining mark (none does, in the tables this crate was built with): the
/// skeleton of an ASCII string is then the skeletons of its characters one after another,
/// for NFD has nothing left to reorder. `None` sends every id through the table whole.
fn ascii_skeletons() -> Option<&'static [String; 128]> {
    static TABLE: OnceLock<Option<[String; 128]>> = OnceLock::new();
    TABLE
        .get_or_init(|| {
            let table: [String; 128] =
                std::array::from_fn(|c| skeleton(&char::from(c as u8).to_string()).collect());
            let combining = |s: &String| {
                s.chars()
                    .any(unicode_normalization::char::is_combining_mark)
            };
            (!table.iter().any(combining)).then_some(table)
        })
        .as_ref()
}

fn skeleton_into(id: &str, out: &mut String) {
    match ascii_skeletons() {
        Some(table) if id.is_ascii() => {
            out.reserve(id.len());
            for b in id.bytes() {
                match table.get(b as usize) {
                    // most characters are their own skeleton
                    Some(s) if s.len() == 1 && s.as_bytes() == [b] => out.push(char::from(b)),
                    Some(s) => out.push_str(s),
                    None => {}
                }
            }
        }
        _ => out.extend(skeleton(id)),
    }
}

/// Checks the ids of one section (`users`, `teams` …, or `modules.m.fields`): none empty,
/// none with a control or format character, no two alike.
///
/// # Errors
/// `malformed` for an empty or unreadable id, `ambiguous_id` naming both ids of the first
/// pair that look alike (at the later one's path).
///
/// # Cost
/// O(total length of the ids): two forms an id, hashed; an ASCII id maps character by
/// character.
pub(crate) fn check_section<'a>(
    section: &str,
    what: &str,
    ids: impl ExactSizeIterator<Item = &'a String> + Clone,
) -> Result<(), PolicyError> {
    for id in ids.clone() {
        if id.is_empty() {
            return Err(PolicyError::new(
                ErrorCode::Malformed,
                section,
                format!("`{section}` has an empty id; ids are non-empty strings"),
            ));
        }
        if let Some(c) = unreadable_char(id) {
            return Err(PolicyError::new(
                ErrorCode::Malformed,
                // escaped: the path is printed too, and must not carry the character
                format!("{section}.{}", id.escape_debug()),
                format!(
                    "{what} id `{}` holds the invisible or control character U+{:04X}; ids are what administrators read",
                    id.escape_debug(),
                    c as u32
                ),
            ));
        }
    }
    if ids.len() < 2 {
        return Ok(());
    }
    let ids: Vec<&String> = ids.collect();
    let hasher = foldhash::fast::FixedState::default();
    let (mut form, mut other, mut scratch) = (String::new(), String::new(), String::new());
    let mut hashed: Vec<(u64, u32)> = Vec::with_capacity(ids.len());
    for kind in FORMS {
        // sorted by the hash of each id's form: equal forms sit side by side, and equal
        // hashes are compared in full
        hashed.clear();
        for (i, id) in ids.iter().enumerate() {
            write_form(id, kind, &mut form, &mut scratch);
            hashed.push((hasher.hash_one(&form), i as u32));
        }
        hashed.sort_unstable();
        // of the pairs alike, the one whose later id comes first in the document
        let mut found: Option<(u32, u32)> = None;
        for run in hashed
            .chunk_by(|a, b| a.0 == b.0)
            .filter(|run| run.len() > 1)
        {
            for (k, &(_, later)) in run.iter().enumerate().skip(1) {
                let Some(id) = ids.get(later as usize) else {
                    continue;
                };
                write_form(id, kind, &mut form, &mut scratch);
                for &(_, first) in run.iter().take(k) {
                    let Some(first_id) = ids.get(first as usize) else {
                        continue;
                    };
                    write_form(first_id, kind, &mut other, &mut scratch);
                    if other == form && found.is_none_or(|(_, l)| later < l) {
                        found = Some((first, later));
                    }
                }
            }
        }
        if let Some((first, later)) = found {
            let name = |i: u32| ids.get(i as usize).map_or("", |s| s.as_str());
            return Err(ambiguous(section, what, name(first), name(later)));
        }
    }
    Ok(())
}

fn ambiguous(section: &str, what: &str, first: &str, second: &str) -> PolicyError {
    let (mut a, mut b) = (String::new(), String::new());
    fold(first, &mut a);
    fold(second, &mut b);
    let how = if a == b {
        "they differ only in case or Unicode normal form"
    } else {
        "they look alike (Unicode confusables)"
    };
    PolicyError::new(
        ErrorCode::AmbiguousId,
        format!("{section}.{}", second.escape_debug()),
        format!(
            "{what} ids `{}` and `{}` could be mistaken for each other: {how}",
            first.escape_debug(),
            second.escape_debug()
        ),
    )
}

/// The index of the first entry of `positions` that repeats an earlier one.
///
/// # Cost
/// O(n²) for a short list, else O(n log n) on a sorted copy.
pub(crate) fn first_repeat(positions: &[u32]) -> Option<usize> {
    if positions.len() <= 16 {
        return (1..positions.len()).find(|&i| {
            let (seen, rest) = positions.split_at(i);
            rest.first().is_some_and(|p| seen.contains(p))
        });
    }
    let mut sorted: Vec<(u32, usize)> =
        positions.iter().enumerate().map(|(i, &p)| (p, i)).collect();
    sorted.sort_unstable();
    // the repeat reported is the earliest second occurrence
    sorted
        .windows(2)
        .filter_map(|w| match w {
            [(a, _), (b, later)] if a == b => Some(*later),
            _ => None,
        })
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(ids: &[&str]) -> Result<(), PolicyError> {
        let ids: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
        check_section("users", "user", ids.iter())
    }

    #[test]
    fn alike_ids_are_ambiguous() {
        for pair in [
            ["Bob", "bob"],
            ["jos\u{e9}", "jose\u{301}"],
            ["root", "r\u{43e}ot"],
            ["Bob", "b\u{43e}b"],
            ["anna", "ANNA"],
            ["stra\u{df}e", "STRASSE"],
            ["\u{fb01}le", "file"],
            ["al", "a1"],
        ] {
            let err = check(&pair).unwrap_err();
            assert_eq!(err.code(), ErrorCode::AmbiguousId, "{pair:?}");
            assert_eq!(err.path(), format!("users.{}", pair[1]));
        }
    }

    #[test]
    fn distinct_ids_pass() {
        check(&[
            "ann",
            "anne",
            "bob",
            "u1",
            "u2",
            "u10",
            "jos\u{e9}",
            "\u{43c}\u{438}\u{440}",
        ])
        .unwrap();
        check(&[]).unwrap();
        check(&["solo"]).unwrap();
    }

    #[test]
    fn control_and_format_characters_are_malformed() {
        for bad in [
            "a\u{0}b",
            "ro\u{200b}ot",
            "admin\u{202e}",
            "tab\t",
            "\u{7f}",
            "x\u{feff}",
        ] {
            let err = check(&["fine", bad]).unwrap_err();
            assert_eq!(err.code(), ErrorCode::Malformed, "{bad:?}");
        }
        assert_eq!(check(&[""]).unwrap_err().code(), ErrorCode::Malformed);
    }

    #[test]
    fn repeats_are_found_in_short_and_long_lists() {
        assert_eq!(first_repeat(&[]), None);
        assert_eq!(first_repeat(&[1, 2, 3]), None);
        assert_eq!(first_repeat(&[1, 2, 1, 2]), Some(2));
        let long: Vec<u32> = (0..40).chain([7, 3]).collect();
        assert_eq!(first_repeat(&long), Some(40));
        let unique: Vec<u32> = (0..40).rev().collect();
        assert_eq!(first_repeat(&unique), None);
    }
}
