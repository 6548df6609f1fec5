//! Checks with arbitrary ids and records (the `checks` target): ids of the authorizer or of
//! another one, records with any owner, teams and shares. Nothing panics, and every answer
//! agrees with its siblings: `can`, `try_can`, `explain` and `filter` give one decision.

use crate::common::by_name::ByName;
use arbitrary::Unstructured;
use permatrix::{
    Action, Authorizer, ModuleId, Owner, Record, Share, SqlDialect, SqlSchema, TeamId, UserId,
    authorizer::{PrincipalId, RoleId},
    filter::Condition,
    policy::ShareAccess,
};

use crate::common::foreign::{Foreign, foreign};
use crate::common::generate::{Tape, random_policy};

/// The `checks` fuzz target: a policy from the input's first choices, checks from the rest.
pub fn run(data: &[u8]) {
    let (tape, rest) = super::tape_and_rest(data, 1500);
    let policy = random_policy(&mut Tape {
        data: &tape,
        pos: 0,
    });
    match policy.compile() {
        Ok(auth) => exercise(&auth, rest),
        Err(e) => panic!("a generated policy does not compile: {e}"),
    }
}

/// Ids drawn from `u`: mostly this authorizer's, sometimes another's.
struct Ids<'a> {
    auth: &'a Authorizer,
    foreign: Foreign,
}

impl Ids<'_> {
    fn index(u: &mut Unstructured<'_>) -> usize {
        usize::from(u.arbitrary::<u8>().unwrap_or(0))
    }
    fn user(&self, u: &mut Unstructured<'_>) -> UserId {
        self.auth
            .user_at(Self::index(u))
            .unwrap_or(self.foreign.user)
    }
    fn team(&self, u: &mut Unstructured<'_>) -> TeamId {
        self.auth
            .team_at(Self::index(u))
            .unwrap_or(self.foreign.team)
    }
    fn role(&self, u: &mut Unstructured<'_>) -> RoleId {
        self.auth
            .role_at(Self::index(u))
            .unwrap_or(self.foreign.role)
    }
    fn module(&self, u: &mut Unstructured<'_>) -> ModuleId {
        self.auth
            .module_at(Self::index(u) % 8)
            .unwrap_or(self.foreign.module)
    }
    fn principal(&self, u: &mut Unstructured<'_>) -> PrincipalId {
        match u.arbitrary::<u8>().unwrap_or(0) % 4 {
            0 => PrincipalId::User(self.user(u)),
            1 => PrincipalId::Team(self.team(u)),
            2 => PrincipalId::Role(self.role(u)),
            _ => PrincipalId::RoleAndSubordinates(self.role(u)),
        }
    }
}

const LEVELS: [ShareAccess; 3] = [ShareAccess::Read, ShareAccess::ReadWrite, ShareAccess::Full];

/// Up to 32 checks on `auth` drawn from `data`, each compared across the check surface.
pub fn exercise(auth: &Authorizer, data: &[u8]) {
    let ids = Ids {
        auth,
        foreign: foreign(),
    };
    let mut u = Unstructured::new(data);
    for _ in 0..32 {
        if u.is_empty() {
            break;
        }
        let user = ids.user(&mut u);
        let module = ids.module(&mut u);
        let action = Action::ALL[usize::from(u.arbitrary::<u8>().unwrap_or(0)) % Action::COUNT];
        let owner = if u.arbitrary::<bool>().unwrap_or(false) {
            Owner::Team(ids.team(&mut u))
        } else {
            Owner::User(ids.user(&mut u))
        };
        let teams: Vec<TeamId> = (0..u.arbitrary::<u8>().unwrap_or(0) % 5)
            .map(|_| ids.team(&mut u))
            .collect();
        let shares: Vec<Share> = (0..u.arbitrary::<u8>().unwrap_or(0) % 4)
            .map(|_| Share {
                to: ids.principal(&mut u),
                access: LEVELS[usize::from(u.arbitrary::<u8>().unwrap_or(0)) % 3],
            })
            .collect();
        let record = Record {
            module,
            owner,
            teams: &teams,
            shares: &shares,
        };
        agree(auth, user, action, &record);
    }
}

fn agree(auth: &Authorizer, user: UserId, action: Action, record: &Record<'_>) {
    let can = auth.can(user, action, record);
    let explained = auth.explain(user, action, record);
    assert_eq!(explained.allowed, can, "explain disagrees: {explained}");
    let _ = explained.to_string();
    match auth.try_can(user, action, record) {
        Ok(allowed) => assert_eq!(allowed, can, "try_can disagrees"),
        Err(e) => {
            assert!(!can, "can allowed where try_can found an unknown id");
            assert!(["stale_id", "unknown_reference"].contains(&e.code().as_str()));
        }
    }
    let filter = auth.filter(user, action, record.module);
    assert_eq!(
        filter.matches(record),
        can,
        "filter {:?} disagrees with can",
        filter.condition()
    );
    let module_level = auth.can_module(user, action, record.module);
    let unowned = auth
        .module_name(record.module)
        .ok()
        .and_then(|m| auth.policy().modules.get(m))
        .is_some_and(|m| !m.owned);
    if action.is_module_level() || unowned {
        assert_eq!(module_level, *filter.condition() == Condition::True);
        assert!(!module_level || can || auth.try_can(user, action, record).is_err());
    }
    for dialect in [SqlDialect::Sqlite, SqlDialect::Postgres] {
        if let Ok(sql) = filter.to_sql(dialect, &SqlSchema::default()) {
            assert!(!sql.sql.is_empty());
        }
    }
    if let Some((keep, gone)) = auth.merge_order(user, record, record) {
        assert!(auth.can(user, Action::Edit, &keep) && auth.can(user, Action::Delete, &gone));
    }
    let _ = auth.field_named(user, record.module, "f0");
    let _ = auth.tool_named(user, record.module, "merge_duplicates");
    let _ = auth.offers_merge(user, record.module);
    let _ = auth.result_limit(user);
    let _ = auth.login(user);
    let _ = auth.can_admin(user, "users", Some(record.module));
    let _ = auth.new_record_teams(user, Some(user), record.teams);
    let _ = auth.explain_module(user, action, record.module).to_string();
    if let Ok(matrix) = auth.matrix(user) {
        let _ = (
            matrix.to_text(),
            matrix.to_markdown(),
            matrix.to_csv(),
            matrix.to_json(),
        );
    }
    // a user id of another authorizer changes nothing and is refused
    if let Ok(deactivated) = auth.with_user_active(user, false) {
        assert!(
            !deactivated.can(user, action, record),
            "an inactive user was allowed"
        );
    } else {
        assert!(auth.user_active(user).is_err(), "a known user was refused");
    }
}
