//! `--dump DIR`: the small workload written out in each engine's own syntax, so that a
//! reviewer can read the encodings rather than the code that generates them.

use std::fs;
use std::path::Path;

use crate::casbin_side::{self, model_text, policy_text};
use crate::cedar_side::{self, CedarSide, policies_text};
use crate::permatrix_side;
use crate::workload::{Shape, Workload};

type Error = Box<dyn std::error::Error>;

pub fn dump(dir: &Path) -> Result<(), Error> {
    let w = Workload::generate(Shape::SMALL);
    fs::create_dir_all(dir)?;
    let write = |name: &str, text: String| fs::write(dir.join(name), text);
    write(
        "permatrix.json",
        permatrix_side::policy(&w).to_json_pretty()?,
    )?;
    for (tag, encoding) in [
        ("straightforward", casbin_side::Encoding::Straightforward),
        ("expert", casbin_side::Encoding::Expert),
    ] {
        write(&format!("casbin-{tag}.conf"), model_text(encoding))?;
        write(&format!("casbin-{tag}.csv"), policy_text(&w, encoding))?;
    }
    for (tag, encoding) in [
        ("straightforward", cedar_side::Encoding::Straightforward),
        ("expert", cedar_side::Encoding::Expert),
    ] {
        write(&format!("cedar-{tag}.cedar"), policies_text(&w, encoding))?;
        let entities = CedarSide::build(&w, encoding)?.entities_json()?;
        write(&format!("cedar-{tag}.entities.json"), entities)?;
    }
    Ok(())
}
