//! Small helpers for the document's defaults, so that `to_json` writes only what differs.

pub(crate) fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

// serde's skip_serializing_if hands a reference; the signature is fixed by it.
#[allow(clippy::trivially_copy_pass_by_ref)]
pub(crate) fn is_true(value: &bool) -> bool {
    *value
}

pub(crate) fn yes() -> bool {
    true
}
