//! Documents, as raw bytes (the `document` target) and as structures (the `structured`
//! target): reading never panics, errors stay small and carry a code, whatever reads
//! writes back and reads back equal, and whatever compiles answers checks consistently.

use permatrix::{Policy, PolicyError};

use crate::common::generate::{Tape, random_policy};

/// The `document` fuzz target: any bytes as a document.
pub fn raw(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        read_and_use(text, data);
    }
}

/// The `structured` fuzz target: a well-formed policy from the input's choices (so every
/// input reaches compile and the checks), and then its document with one arbitrary edit
/// (a cut, a repeat or an overwrite), which mostly lands in the error paths.
pub fn structured(data: &[u8]) {
    let (tape, rest) = super::tape_and_rest(data, 1500);
    let policy = random_policy(&mut Tape {
        data: &tape,
        pos: 0,
    });
    let json = match policy.to_json() {
        Ok(json) => json,
        Err(e) => panic!("a generated policy does not write: {e}"),
    };
    match Policy::from_json(&json) {
        Ok(back) => assert!(back == policy, "a written policy reads back different"),
        Err(e) => panic!("a written policy does not read: {e}\n{json}"),
    }
    match policy.compile() {
        Ok(auth) => super::checks::exercise(&auth, rest),
        Err(e) => panic!("a generated policy does not compile: {e}\n{json}"),
    }
    let mut u = arbitrary::Unstructured::new(rest);
    let (Ok(at), Ok(len), Ok(kind), Ok(byte)) = (
        u.arbitrary::<u16>(),
        u.arbitrary::<u8>(),
        u.arbitrary::<u8>(),
        u.arbitrary::<u8>(),
    ) else {
        return;
    };
    let mut bytes = json.into_bytes();
    let at = usize::from(at) % (bytes.len() + 1);
    let end = (at + usize::from(len)).min(bytes.len());
    match kind % 3 {
        0 => drop(bytes.drain(at..end)),
        1 => {
            let piece = bytes[at..end].to_vec();
            bytes.splice(at..at, piece);
        }
        _ => bytes[at..end].iter_mut().for_each(|b| *b = byte),
    }
    raw(&bytes);
}

fn read_and_use(text: &str, data: &[u8]) {
    let policy = match Policy::from_json(text) {
        Ok(policy) => policy,
        Err(e) => return small(&e),
    };
    let json = match policy.to_json() {
        Ok(json) => json,
        Err(e) => panic!("a policy that reads does not write: {e}"),
    };
    match Policy::from_json(&json) {
        Ok(back) => assert!(back == policy, "round trip changed the policy:\n{json}"),
        Err(e) => panic!("what was written does not read back: {e}\n{json}"),
    }
    match policy.compile() {
        Ok(auth) => super::checks::exercise(&auth, data),
        Err(e) => small(&e),
    }
}

/// Errors name their code and stay small whatever the input (ids are cut).
fn small(e: &PolicyError) {
    assert!(!e.code().as_str().is_empty());
    assert!(e.path().len() <= 600, "path of {} bytes", e.path().len());
    assert!(
        e.message().len() <= 1100,
        "message of {} bytes",
        e.message().len()
    );
}
