//! The `permatrix` command line: validate, check, explain, render and compare policy
//! files without writing Rust.
//!
//! Build it with the `cli` feature: `cargo install --path . --features cli`, or from a
//! checkout `cargo run --features cli --bin permatrix -- …`. Every command reads one policy
//! document (two for `diff`) and writes nothing but its answer.
//!
//! ```sh
//! permatrix validate policies/*.json                        # FILE: path: code: message
//! permatrix check crm.json -u nils -a view -m deals --owner sam --team south --explain
//! permatrix check crm.json -u nils -a edit -m deals --owner sam --share user:nils:read_write
//! permatrix explain crm.json -u nils -a edit -m deals --owner sam -f json   # for scripts
//! permatrix matrix crm.json -u nils -f csv                  # text, md, csv or json
//! permatrix matrix crm.json -f html > report.html           # the report for a browser
//! permatrix diff old.json new.json                          # exit 1 when any answer changes
//! permatrix login crm.json -u paul
//! permatrix filter crm.json -u nils -m deals --dialect postgres
//! permatrix schema > policy.schema.json                     # the document's JSON Schema
//! ```
//!
//! # A record on the command line
//! `check` and `explain` describe the record with `--owner USER` (or `--owner-team TEAM`),
//! `--team TEAM` once per team the record is linked to, and `--share KIND:ID:ACCESS` once
//! per record share: KIND is `user`, `team`, `role` or `role_and_subordinates`, ACCESS is
//! `read`, `read_write` or `full` (`--share user:bob:read`). Without an owner they ask the
//! module-level question, which only `create` and `import` have; a record-level action
//! without an owner is a usage error.
//!
//! # For scripts
//! - **Exit status**: 0 yes / valid / no difference; 1 no / invalid / different; 2 a usage
//!   error or a file that cannot be read. `diff` exits 1 whenever any answer changes, so a
//!   CI job can ask for a review; 0 is a promise that none does.
//! - **`-f json`** on `validate`, `check`, `explain`, `login` and `filter` prints one JSON
//!   value with the same content as the text.
//! - **Names**: an unknown user, team, role, module or action word is refused with the list
//!   of valid ones, and a near miss gets "did you mean".
//! - **Pipes**: `permatrix … | head` ends quietly with status 0 when the reader closes the
//!   pipe.
//! - **Help**: `-h` and `--help` print the same text, on every command.
//!
//! # The HTML report
//! `permatrix matrix FILE -f html` writes [`Authorizer::report_html`](crate::Authorizer::report_html):
//! one self-contained page with every user × module × action coloured by cell, each cell
//! also labelled and patterned so that it reads in greyscale and for colour-blind readers;
//! the module's access and the user's field restrictions; the reason for a cell on hover
//! or click; a filter box for users and modules; 25 users a page; and sections for the
//! sharing rules and the team tree. A user whose data checks are bypassed (`admin` or
//! `customer_admin` while `admin_bypass` is on) is marked "all: bypasses data checks" on
//! their row. `#filter=ben` in the URL fills the filter box; `&click=sales/delete` opens
//! that cell's reason.
//!
//! # The JSON Schema
//! `permatrix schema` prints the schema shipped as `schema/policy.schema.json` (the
//! `schema` feature's [`Policy::json_schema`](crate::Policy::json_schema)). It is
//! generated from the types the document is read into. A policy document has no `$schema`
//! key (unknown keys are refused), so point the editor at it by file name; in VS Code:
//!
//! ```json
//! "json.schemas": [{ "fileMatch": ["policies/*.json"], "url": "./schema/policy.schema.json" }]
//! ```
//!
//! The schema says what an editor can check; references, cycles and ids that read alike
//! only the reader sees. The README lists every refusal of the reader and whether the
//! schema flags it.
//!
//! This module holds no code.
