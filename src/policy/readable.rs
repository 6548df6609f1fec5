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

/// The three forms an id is compared by: folded (NFKC, case folding, NFKC), its
/// skeleton, and the skeleton of the folded form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Form {
    Folded,
    Skeleton,
    FoldedSkeleton,
}

const FORMS: [Form; 3] = [Form::Folded, Form::Skeleton, Form::FoldedSkeleton];

/// Writes the `form` of `id` into `out` (cleared first).
fn write_form(id: &str, form: Form, out: &mut String) {
    out.clear();
    match form {
        Form::Folded => fold(id, out),
        Form::Skeleton => skeleton_into(id, out),
        Form::FoldedSkeleton => {
            let mut folded = String::with_capacity(id.len());
            fold(id, &mut folded);
            skeleton_into(&folded, out);
        }
    }
}

/// NFKC, full case folding, NFKC again (folding can undo a normal form).
fn fold(id: &str, out: &mut String) {
    if id.is_ascii() {
        // ASCII is NFKC already, and its case folding is plain lowercasing
        out.extend(id.chars().map(|c| c.to_ascii_lowercase()));
        return;
    }
    let nfkc: String = id.nfkc().collect();
    out.extend(caseless::default_case_fold_str(&nfkc).nfkc());
}

/// The skeleton of each ASCII character, as the confusables table gives it, when every one
/// of them is ASCII again (it is, in the tables this crate was built with): a string of
/// ASCII then maps character by character, with no normalisation left to do. `None`
/// sends every id through the table whole.
fn ascii_skeletons() -> Option<&'static [String; 128]> {
    static TABLE: OnceLock<Option<[String; 128]>> = OnceLock::new();
    TABLE
        .get_or_init(|| {
            let table: [String; 128] =
                std::array::from_fn(|c| skeleton(&char::from(c as u8).to_string()).collect());
            table.iter().all(|s| s.is_ascii()).then_some(table)
        })
        .as_ref()
}

fn skeleton_into(id: &str, out: &mut String) {
    match ascii_skeletons() {
        Some(table) if id.is_ascii() => {
            for b in id.bytes() {
                if let Some(s) = table.get(b as usize) {
                    out.push_str(s);
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
/// O(total length of the ids): three forms an id, hashed; ASCII ids take no table.
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
    let (mut form, mut other) = (String::new(), String::new());
    for kind in FORMS {
        // by the hash of each id's form; equal hashes are compared in full
        let mut seen: foldhash::HashMap<u64, smallvec::SmallVec<[u32; 1]>> =
            foldhash::HashMap::default();
        seen.reserve(ids.len());
        for (i, id) in ids.iter().enumerate() {
            write_form(id, kind, &mut form);
            let slot = seen.entry(hasher.hash_one(&form)).or_default();
            for &j in slot.iter() {
                let Some(first) = ids.get(j as usize) else {
                    continue;
                };
                write_form(first, kind, &mut other);
                if other == form {
                    return Err(ambiguous(section, what, first, id, kind));
                }
            }
            slot.push(i as u32);
        }
    }
    Ok(())
}

fn ambiguous(section: &str, what: &str, first: &str, second: &str, form: Form) -> PolicyError {
    let how = match form {
        Form::Folded => "they differ only in case or Unicode normal form",
        Form::Skeleton | Form::FoldedSkeleton => "they look alike (Unicode confusables)",
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
