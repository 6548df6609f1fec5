//! A reference evaluator written straight from SPEC.md §3–§5: plain loops over the
//! policy's roles, profiles, teams and rules, by name, with no matrix and nothing taken
//! from the crate but its public data model (`Policy` and its vocabulary).
//!
//! A grant on one (module, action) is kept as its meaning: the truth table of "is the
//! record reached" over the three facts (owner, role match, team match). Join is "either
//! reaches", meet is "both reach". It is deliberately slow and obvious.

#![allow(dead_code)]

use permatrix::{
    Action, FieldAccess, Policy,
    policy::{
        Access, AdminLevel, CalendarLevel, CalendarOwner, ExternalAccess, Merge, Principal, Scope,
        ShareAccess, Status, TeamInheritance, UserKind,
    },
};

/// Who owns a record, by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefOwner {
    User(String),
    Team(String),
}

/// A record, by names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefRecord {
    pub module: String,
    pub owner: RefOwner,
    pub teams: Vec<String>,
    pub shares: Vec<(Principal, ShareAccess)>,
}

/// Reach of a grant: `reach[owner][role][team]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Reach([[[bool; 2]; 2]; 2]);

impl Reach {
    fn from_fn(f: impl Fn(bool, bool, bool) -> bool) -> Reach {
        let mut t = [[[false; 2]; 2]; 2];
        for (o, by_role) in t.iter_mut().enumerate() {
            for (r, by_team) in by_role.iter_mut().enumerate() {
                for (m, reached) in by_team.iter_mut().enumerate() {
                    *reached = f(o == 1, r == 1, m == 1);
                }
            }
        }
        Reach(t)
    }
    fn nothing() -> Reach {
        Reach::from_fn(|_, _, _| false)
    }
    fn everything() -> Reach {
        Reach::from_fn(|_, _, _| true)
    }
    fn scope(scope: Scope, admin_level: AdminLevel) -> Reach {
        match scope {
            Scope::None => Reach::nothing(),
            Scope::Admin => {
                if admin_level == AdminLevel::Admin || admin_level == AdminLevel::CustomerAdmin {
                    Reach::everything()
                } else {
                    Reach::nothing()
                }
            }
            Scope::Owner => Reach::from_fn(|o, _, _| o),
            Scope::Role => Reach::from_fn(|o, r, _| o || r),
            Scope::Team => Reach::from_fn(|o, _, t| o || t),
            Scope::All => Reach::everything(),
        }
    }
    fn either(self, other: Reach) -> Reach {
        Reach::from_fn(|o, r, t| self.at(o, r, t) || other.at(o, r, t))
    }
    fn both(self, other: Reach) -> Reach {
        Reach::from_fn(|o, r, t| self.at(o, r, t) && other.at(o, r, t))
    }
    fn at(self, o: bool, r: bool, t: bool) -> bool {
        self.0[o as usize][r as usize][t as usize]
    }
    fn is_none(self) -> bool {
        self == Reach::nothing()
    }
}

fn is_read(a: Action) -> bool {
    matches!(
        a,
        Action::View | Action::List | Action::Export | Action::Report
    )
}

fn is_write(a: Action) -> bool {
    matches!(
        a,
        Action::Create | Action::Edit | Action::Delete | Action::Import
    )
}

/// One source's contribution to one module: access, reach of one action, one field, one tool.
#[derive(Debug, Clone, Copy)]
struct Part {
    access: Access,
    reach: Reach,
    field: FieldAccess,
    tool: bool,
}

pub struct Reference<'a> {
    pub p: &'a Policy,
}

impl<'a> Reference<'a> {
    pub fn new(p: &'a Policy) -> Self {
        Reference { p }
    }

    // ---- membership -------------------------------------------------------------------

    fn direct_roles(&self, user: &str) -> Vec<String> {
        let default = self.p.settings.default_role.clone();
        self.p.users[user]
            .roles
            .iter()
            .filter(|r| Some((*r).clone()) != default)
            .cloned()
            .collect()
    }

    /// Is `role` equal to `top` or below it?
    fn in_subtree(&self, role: &str, top: &str) -> bool {
        let mut current = Some(role.to_string());
        let mut steps = 0;
        while let Some(r) = current {
            if r == top {
                return true;
            }
            steps += 1;
            if steps > self.p.roles.len() + 1 {
                return false;
            }
            current = self.p.roles.get(&r).and_then(|x| x.parent.clone());
        }
        false
    }

    fn is_strict_ancestor(&self, ancestor: &str, role: &str) -> bool {
        ancestor != role && self.in_subtree(role, ancestor)
    }

    pub fn is_member(&self, user: &str, team: &str) -> bool {
        let Some(t) = self.p.teams.get(team) else {
            return false;
        };
        if !t.active {
            return false;
        }
        if t.users.iter().any(|u| u == user) {
            return true;
        }
        let mine = self.direct_roles(user);
        if t.roles.iter().any(|r| mine.contains(r)) {
            return true;
        }
        if t.roles_and_subordinates
            .iter()
            .any(|top| mine.iter().any(|r| self.in_subtree(r, top)))
        {
            return true;
        }
        t.teams.iter().any(|nested| self.is_member(user, nested))
    }

    fn user_teams(&self, user: &str) -> Vec<String> {
        self.p
            .teams
            .keys()
            .filter(|t| self.is_member(user, t))
            .cloned()
            .collect()
    }

    pub fn admin_level(&self, user: &str) -> AdminLevel {
        let mut level = self.p.users[user].admin;
        for t in self.user_teams(user) {
            level = level.max(self.p.teams[&t].admin);
        }
        level
    }

    fn bypasses(&self, user: &str) -> bool {
        let level = self.admin_level(user);
        self.p.settings.admin_bypass
            && (level == AdminLevel::Admin || level == AdminLevel::CustomerAdmin)
    }

    fn principal_has(&self, principal: &Principal, user: &str) -> bool {
        match principal {
            Principal::User(u) => u == user,
            Principal::Team(t) => self.is_member(user, t),
            Principal::Role(r) => self.direct_roles(user).contains(r),
            Principal::RoleAndSubordinates(r) => self
                .direct_roles(user)
                .iter()
                .any(|mine| self.in_subtree(mine, r)),
        }
    }

    fn principal_known(&self, principal: &Principal) -> bool {
        match principal {
            Principal::User(u) => self.p.users.contains_key(u),
            Principal::Team(t) => self.p.teams.contains_key(t),
            Principal::Role(r) | Principal::RoleAndSubordinates(r) => self.p.roles.contains_key(r),
        }
    }

    // ---- grants (SPEC §3) ---------------------------------------------------------------

    /// Step 1 for one profile.
    fn profile_part(
        &self,
        profile: &str,
        module: &str,
        action: Action,
        field: Option<&str>,
        tool: Option<&str>,
        level: AdminLevel,
    ) -> Part {
        let pr = &self.p.profiles[profile];
        let entry = pr.modules.get(module);
        let mut access = entry.map(|e| e.access).unwrap_or(Access::Off);
        let scope = entry
            .and_then(|e| e.actions.get(&action).copied())
            .unwrap_or(Scope::None);
        let mut reach = Reach::scope(scope, level);
        let mut f = field
            .map(|f| {
                entry
                    .and_then(|e| e.fields.get(f).copied())
                    .unwrap_or(FieldAccess::ReadWrite)
            })
            .unwrap_or(FieldAccess::Hidden);
        let mut tl = tool
            .map(|t| entry.and_then(|e| e.tools.get(t).copied()).unwrap_or(false))
            .unwrap_or(false);
        if pr.view_all && access == Access::Off {
            access = Access::ReadOnly;
        }
        if pr.edit_all {
            access = Access::On;
        }
        if access == Access::Off {
            reach = Reach::nothing();
            f = FieldAccess::Hidden;
            tl = false;
        }
        if access == Access::ReadOnly {
            if is_write(action) {
                reach = Reach::nothing();
            }
            if f == FieldAccess::ReadWrite {
                f = FieldAccess::ReadOnly;
            }
        }
        if (pr.view_all || pr.edit_all) && matches!(action, Action::View | Action::List) {
            reach = Reach::everything();
        }
        if pr.edit_all && action == Action::Edit {
            reach = Reach::everything();
        }
        Part {
            access,
            reach,
            field: f,
            tool: tl,
        }
    }

    fn join(a: Part, b: Part) -> Part {
        Part {
            access: a.access.max(b.access),
            reach: a.reach.either(b.reach),
            field: a.field.max(b.field),
            tool: a.tool || b.tool,
        }
    }

    fn meet(a: Part, b: Part) -> Part {
        Part {
            access: a.access.min(b.access),
            reach: a.reach.both(b.reach),
            field: a.field.min(b.field),
            tool: a.tool && b.tool,
        }
    }

    /// Steps 2–7 for one user, module, action (and optionally a field and tool).
    fn user_part(
        &self,
        user: &str,
        module: &str,
        action: Action,
        field: Option<&str>,
        tool: Option<&str>,
    ) -> Part {
        let level = self.admin_level(user);
        let u = &self.p.users[user];
        // step 3: the sources
        let mut sources: Vec<(String, Option<String>)> = Vec::new();
        if let Some(d) = &self.p.settings.default_role {
            sources.push((d.clone(), None));
        }
        for r in self.direct_roles(user) {
            sources.push((r, None));
        }
        for t in self.user_teams(user) {
            let team = &self.p.teams[&t];
            if let Some(role) = &team.role {
                sources.push((role.clone(), team.ceiling.clone()));
            }
        }
        // steps 2–4
        let mut merged: Option<Part> = None;
        for (role, ceiling) in &sources {
            let mut role_part: Option<Part> = None;
            for profile in &self.p.roles[role].profiles {
                let part = self.profile_part(profile, module, action, field, tool, level);
                role_part = Some(match role_part {
                    None => part,
                    Some(acc) => Self::join(acc, part),
                });
            }
            let mut part = role_part.expect("validated roles have a profile");
            if let Some(c) = ceiling {
                part = Self::meet(
                    part,
                    self.profile_part(c, module, action, field, tool, level),
                );
            }
            merged = Some(match merged {
                None => part,
                Some(acc) => match self.p.settings.merge {
                    Merge::Additive => Self::join(acc, part),
                    Merge::Subtractive => Self::meet(acc, part),
                },
            });
        }
        let mut part = merged.unwrap_or(Part {
            access: Access::Off,
            reach: Reach::nothing(),
            field: FieldAccess::Hidden,
            tool: false,
        });
        // step 5
        if let Some(ov) = u.overrides.get(module) {
            if let Some(a) = ov.access {
                part.access = a;
            }
            if let Some(s) = ov.actions.get(&action) {
                part.reach = Reach::scope(*s, level);
            }
            if let Some(f) = field.and_then(|f| ov.fields.get(f)) {
                part.field = *f;
            }
            if let Some(t) = tool.and_then(|t| ov.tools.get(t)) {
                part.tool = *t;
            }
            if part.access == Access::Off {
                part.reach = Reach::nothing();
                part.field = FieldAccess::Hidden;
                part.tool = false;
            }
            if part.access == Access::ReadOnly {
                if is_write(action) {
                    part.reach = Reach::nothing();
                }
                part.field = part.field.min(FieldAccess::ReadOnly);
            }
        }
        // step 6
        if self.external_capped(user) {
            if is_write(action) {
                part.reach = Reach::nothing();
            }
            part.field = part.field.min(FieldAccess::ReadOnly);
        }
        if u.status != Status::Active {
            part.reach = Reach::nothing();
        }
        // step 7
        let sharing = self.p.modules[module].sharing;
        if !part.reach.is_none() && sharing.grants(action) {
            part.reach = Reach::everything();
        }
        part
    }

    fn external_capped(&self, user: &str) -> bool {
        self.p.users[user].kind == UserKind::External
            && self.p.settings.external_access == ExternalAccess::ReadOnly
    }

    // ---- checks (SPEC §4, §5) ---------------------------------------------------------

    /// `can`; `record` is `None` for a module-level question.
    pub fn can(
        &self,
        user: &str,
        action: Action,
        module: &str,
        record: Option<&RefRecord>,
    ) -> bool {
        // step 1
        if !self.p.users.contains_key(user) || !self.p.modules.contains_key(module) {
            return false;
        }
        if let Some(r) = record {
            let owner_known = match &r.owner {
                RefOwner::User(u) => self.p.users.contains_key(u),
                RefOwner::Team(t) => self.p.teams.contains_key(t),
            };
            if !owner_known || r.teams.iter().any(|t| !self.p.teams.contains_key(t)) {
                return false;
            }
            if r.shares.iter().any(|(p, _)| !self.principal_known(p)) {
                return false;
            }
        }
        // step 2
        if self.p.users[user].status != Status::Active {
            return false;
        }
        // step 3
        if self.bypasses(user) {
            return true;
        }
        // step 4
        let reach = self.user_part(user, module, action, None, None).reach;
        if reach.is_none() {
            return false;
        }
        // step 5
        let m = &self.p.modules[module];
        if !m.owned || matches!(action, Action::Create | Action::Import) {
            return true;
        }
        let Some(record) = record else { return false };
        // step 6
        let mine = self.direct_roles(user);
        let owner = match &record.owner {
            RefOwner::User(o) => {
                o == user
                    || (m.hierarchy
                        && mine.iter().any(|a| {
                            self.direct_roles(o)
                                .iter()
                                .any(|b| self.is_strict_ancestor(a, b))
                        }))
            }
            RefOwner::Team(t) => self.is_member(user, t),
        };
        let role_match = match &record.owner {
            RefOwner::User(o) => self.direct_roles(o).iter().any(|r| mine.contains(r)),
            RefOwner::Team(_) => false,
        };
        let team_match = record.teams.iter().any(|t| self.is_member(user, t));
        if reach.at(owner, role_match, team_match) {
            return true;
        }
        // step 7
        let mut best: Option<ShareAccess> = None;
        for rule in self
            .p
            .sharing_rules
            .iter()
            .filter(|r| r.module == record.module)
        {
            let from = match &record.owner {
                RefOwner::User(o) => self.principal_has(&rule.from, o),
                RefOwner::Team(t) => {
                    rule.from == Principal::Team(t.clone()) && self.p.teams[t].active
                }
            };
            if from && self.principal_has(&rule.to, user) {
                best = best.max(Some(rule.access));
            }
        }
        for (principal, access) in &record.shares {
            if self.principal_has(principal, user) {
                best = best.max(Some(*access));
            }
        }
        match best {
            Some(level) => {
                is_read(action)
                    || (action == Action::Edit && level >= ShareAccess::ReadWrite)
                    || (action == Action::Delete && level == ShareAccess::Full)
            }
            None => false,
        }
    }

    pub fn field_access(&self, user: &str, module: &str, field: &str) -> FieldAccess {
        if !self.p.users.contains_key(user) || !self.p.modules.contains_key(module) {
            return FieldAccess::Hidden;
        }
        let Some(def) = self.p.modules[module].fields.get(field) else {
            return FieldAccess::Hidden;
        };
        if self.p.users[user].status != Status::Active {
            return FieldAccess::Hidden;
        }
        if self.bypasses(user) {
            return FieldAccess::ReadWrite;
        }
        let part = self.user_part(user, module, Action::View, Some(field), None);
        match part.access {
            Access::Off => FieldAccess::Hidden,
            Access::ReadOnly => part.field.min(FieldAccess::ReadOnly),
            Access::On if def.mandatory => {
                if self.external_capped(user) {
                    FieldAccess::ReadOnly
                } else {
                    FieldAccess::ReadWrite
                }
            }
            Access::On => part.field,
        }
    }

    pub fn can_use_tool(&self, user: &str, module: &str, tool: &str) -> bool {
        if !self.p.users.contains_key(user) || !self.p.modules.contains_key(module) {
            return false;
        }
        if !self.p.modules[module].tools.contains(tool) {
            return false;
        }
        if self.p.users[user].status != Status::Active {
            return false;
        }
        if self.bypasses(user) {
            return true;
        }
        let part = self.user_part(user, module, Action::View, None, Some(tool));
        part.access != Access::Off && part.tool
    }

    /// `Some(true)` for (a, b), `Some(false)` for (b, a), `None` for neither.
    pub fn merge_order(&self, user: &str, a: &RefRecord, b: &RefRecord) -> Option<bool> {
        let can = |action, r: &RefRecord| self.can(user, action, &r.module, Some(r));
        if can(Action::Edit, a) && can(Action::Delete, b) {
            Some(true)
        } else if can(Action::Edit, b) && can(Action::Delete, a) {
            Some(false)
        } else {
            None
        }
    }

    /// The crate's choice where SPEC §5 is silent: an unknown user gets no results.
    pub fn result_limit(&self, user: &str) -> Option<u64> {
        if !self.p.users.contains_key(user) {
            return Some(0);
        }
        let limits: Vec<u64> = self
            .user_teams(user)
            .iter()
            .filter_map(|t| self.p.teams[t].result_limit)
            .collect();
        match self.p.settings.merge {
            Merge::Additive => limits.iter().copied().max(),
            Merge::Subtractive => limits.iter().copied().min(),
        }
    }

    // ---- calendars and picklists (SPEC §12) --------------------------------------------

    /// The roles `user` holds: the default role, their listed roles, and the roles their
    /// active teams confer.
    fn held_roles(&self, user: &str) -> Vec<String> {
        let mut held: Vec<String> = self.p.users[user].roles.clone();
        held.extend(self.p.settings.default_role.clone());
        for t in self.user_teams(user) {
            held.extend(self.p.teams[&t].role.clone());
        }
        held
    }

    fn is_active(&self, user: &str) -> bool {
        self.p
            .users
            .get(user)
            .is_some_and(|u| u.status == Status::Active)
    }

    /// SPEC §12 calendar sharing; the crate's choices where it is silent: a team calendar
    /// needs `calendar: true` and an active team, and `calendar_rights` count for members
    /// only.
    pub fn calendar_access(&self, viewer: &str, owner: &RefOwner) -> Option<CalendarLevel> {
        let owner_known = match owner {
            RefOwner::User(u) => self.p.users.contains_key(u),
            RefOwner::Team(t) => self.p.teams.contains_key(t),
        };
        if !self.p.users.contains_key(viewer) || !owner_known || !self.is_active(viewer) {
            return None;
        }
        if self.bypasses(viewer) {
            return Some(CalendarLevel::DeputyFull);
        }
        let mut level: Option<CalendarLevel> = None;
        match owner {
            RefOwner::User(u) if u == viewer => return Some(CalendarLevel::DeputyFull),
            RefOwner::User(_) => {}
            RefOwner::Team(t) => {
                let team = &self.p.teams[t];
                if !team.calendar || !team.active {
                    return None;
                }
                if self.is_member(viewer, t) {
                    let rights = team.calendar_rights.get(viewer);
                    let create_edit = rights.is_some_and(|r| r.create_edit);
                    let delete = rights.is_some_and(|r| r.delete);
                    level = Some(if create_edit && delete {
                        CalendarLevel::DeputyFull
                    } else if create_edit {
                        CalendarLevel::Edit
                    } else {
                        CalendarLevel::Details
                    });
                }
            }
        }
        for share in &self.p.calendar_shares {
            let same_owner = match (&share.owner, owner) {
                (CalendarOwner::User(a), RefOwner::User(b)) => a == b,
                (CalendarOwner::Team(a), RefOwner::Team(b)) => a == b,
                _ => false,
            };
            if same_owner && self.principal_has(&share.to, viewer) {
                level = level.max(Some(share.level));
            }
        }
        level
    }

    /// SPEC §12 role-bound picklist values, in declared order.
    pub fn picklist_values(&self, user: &str, module: &str, field: &str) -> Vec<String> {
        if !self.p.users.contains_key(user) || !self.is_active(user) {
            return Vec::new();
        }
        let Some(list) = self
            .p
            .modules
            .get(module)
            .and_then(|m| m.fields.get(field))
            .and_then(|f| f.picklist.as_ref())
        else {
            return Vec::new();
        };
        let everything = self.bypasses(user) || !list.role_bound;
        let held = self.held_roles(user);
        list.values
            .iter()
            .filter(|v| {
                everything || v.roles.is_empty() || v.roles.iter().any(|r| held.contains(r))
            })
            .map(|v| v.value.clone())
            .collect()
    }

    // ---- sign-in, administration, new records (SPEC §7) --------------------------------

    /// SPEC §7 sign-in: refused with `not_active`, `system_account` or `no_active_team`
    /// (when required), checked in that order; otherwise the second factors required:
    /// system factors, the user's own and those of their active teams. The crate's choice
    /// where SPEC is silent: an unknown user is `not_active`.
    pub fn login(&self, user: &str) -> Result<Vec<String>, &'static str> {
        // SPEC §4 step 1: an unknown id is denied; its code is the crate's documented rule
        // for every unknown or stale id (`stale_id`)
        let Some(u) = self.p.users.get(user) else {
            return Err("stale_id");
        };
        if u.status != Status::Active {
            return Err("not_active");
        }
        if u.kind == UserKind::System {
            return Err("system_account");
        }
        let teams = self.user_teams(user);
        if self.p.settings.login_requires_active_team && teams.is_empty() {
            return Err("no_active_team");
        }
        let mut factors: Vec<String> = self.p.settings.system_factors.clone();
        factors.extend(u.factors.iter().cloned());
        for t in &teams {
            factors.extend(self.p.teams[t].factors.iter().cloned());
        }
        factors.sort();
        factors.dedup();
        Ok(factors)
    }

    /// SPEC §7 admin levels: may `user` administer `area`? `admin` everything;
    /// `customer_admin` all but `customer_admin_denied`; `superuser` as `customer_admin`,
    /// further denied `superuser_denied`, and `layout_editor` only for a module where
    /// their own access is `on`; `none`, unknown and inactive users nothing.
    pub fn can_admin(&self, user: &str, area: &str, module: Option<&str>) -> bool {
        if !self.is_active(user) {
            return false;
        }
        let denied = &self.p.settings.admin_areas;
        let ca_denied = denied.customer_admin_denied.iter().any(|a| a == area);
        let su_denied = denied.superuser_denied.iter().any(|a| a == area);
        match self.admin_level(user) {
            AdminLevel::Admin => true,
            AdminLevel::CustomerAdmin => !ca_denied,
            AdminLevel::Superuser => {
                if ca_denied || su_denied {
                    return false;
                }
                if area != "layout_editor" {
                    return true;
                }
                module.is_some_and(|m| {
                    self.p.modules.contains_key(m)
                        && self.user_part(user, m, Action::View, None, None).access == Access::On
                })
            }
            AdminLevel::None => false,
        }
    }

    /// SPEC §7 new records: the union of the sources `team_inheritance` names — the active
    /// teams the creator is a member of, the same for the assignee, the related teams —
    /// ascending. `None` when a user or team is unknown.
    pub fn new_record_teams(
        &self,
        creator: &str,
        assignee: Option<&str>,
        related: &[String],
    ) -> Option<Vec<String>> {
        let known = |u: &str| self.p.users.contains_key(u);
        if !known(creator)
            || assignee.is_some_and(|a| !known(a))
            || related.iter().any(|t| !self.p.teams.contains_key(t))
        {
            return None;
        }
        let mut out: Vec<String> = Vec::new();
        for source in &self.p.settings.team_inheritance {
            match source {
                TeamInheritance::Creator => out.extend(self.user_teams(creator)),
                TeamInheritance::Assignee => {
                    if let Some(a) = assignee {
                        out.extend(self.user_teams(a));
                    }
                }
                TeamInheritance::Related => out.extend(related.iter().cloned()),
            }
        }
        out.sort();
        out.dedup();
        Some(out)
    }

    /// SPEC §12: only an active user, a field with a picklist that is not `role_bound`,
    /// and the tool `create_picklist_values` enabled for them or an effective level of
    /// `admin` or `customer_admin`.
    pub fn can_add_picklist_value(&self, user: &str, module: &str, field: &str) -> bool {
        let open = self
            .p
            .modules
            .get(module)
            .and_then(|m| m.fields.get(field))
            .and_then(|f| f.picklist.as_ref())
            .is_some_and(|l| !l.role_bound);
        if !open || !self.is_active(user) {
            return false;
        }
        matches!(
            self.admin_level(user),
            AdminLevel::Admin | AdminLevel::CustomerAdmin
        ) || self.can_use_tool(user, module, "create_picklist_values")
    }
}
