//! Ids of another authorizer, which every other authorizer treats as unknown (stale).
//! Tests use them where a name does not resolve, so that a check with an unknown id still
//! runs, and must deny.

#![allow(dead_code)]

use permatrix::{ModuleId, Policy, TeamId, UserId, authorizer::RoleId};

/// One id of each kind, from an authorizer compiled only for this.
pub struct Foreign {
    pub user: UserId,
    pub team: TeamId,
    pub role: RoleId,
    pub module: ModuleId,
}

pub fn foreign() -> Foreign {
    let auth = Policy::from_json(
        r#"{"version":1,"modules":{"x":{}},"users":{"x":{}},"teams":{"x":{}},
            "profiles":{"p":{}},"roles":{"x":{"profiles":["p"]}}}"#,
    )
    .and_then(|p| p.compile())
    .expect("the foreign policy compiles");
    Foreign {
        user: auth.user("x").expect("user x"),
        team: auth.team("x").expect("team x"),
        role: auth.role("x").expect("role x"),
        module: auth.module("x").expect("module x"),
    }
}
