//! The diff in an administrator's sentences: plain text (the `Display` forms) and
//! Markdown, from one writer, so the two never say different things.

use std::borrow::Cow;
use std::fmt::{self, Write as _};

use super::change::{Change, ReachedActions, Reason, SignIn};
use super::{PolicyDiff, UserChanges};
use crate::escape;
use crate::policy::{Action, CalendarLevel, Principal};

/// How names are set in a sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    Text,
    Markdown,
}

/// At most this many names of a list are spelled out; the rest are counted.
const NAMES_SHOWN: usize = 5;

impl Style {
    /// An id: in backticks; in Markdown a code span, where HTML is not markup (a name
    /// with a backtick of its own is escaped text instead).
    fn id<'a>(self, s: &'a str) -> Cow<'a, str> {
        match self {
            Style::Text => Cow::Owned(format!("`{s}`")),
            Style::Markdown if !s.contains('`') => Cow::Owned(format!("`{s}`")),
            Style::Markdown => escape::markdown(s),
        }
    }

    /// A plain name in a list.
    fn plain<'a>(self, s: &'a str) -> Cow<'a, str> {
        match self {
            Style::Text => Cow::Borrowed(s),
            Style::Markdown => escape::markdown(s),
        }
    }

    fn names(self, names: &[String]) -> String {
        let mut out: Vec<Cow<'_, str>> = names
            .iter()
            .take(NAMES_SHOWN)
            .map(|n| self.plain(n))
            .collect();
        if names.len() > NAMES_SHOWN {
            out.push(Cow::Owned(format!(
                "and {} more",
                names.len() - NAMES_SHOWN
            )));
        }
        out.join(", ")
    }

    fn ids(self, ids: &[String]) -> String {
        ids.iter()
            .map(|n| self.id(n))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn principal(self, p: &Principal) -> String {
        match p {
            Principal::User(id) => format!("user {}", self.id(id)),
            Principal::Team(id) => format!("team {}", self.id(id)),
            Principal::Role(id) => format!("role {}", self.id(id)),
            Principal::RoleAndSubordinates(id) => {
                format!("role {} and subordinates", self.id(id))
            }
        }
    }
}

fn on_off(b: bool) -> &'static str {
    if b { "on" } else { "off" }
}

fn level(l: Option<CalendarLevel>) -> &'static str {
    l.map_or("none", CalendarLevel::as_str)
}

fn limit(l: Option<u64>) -> String {
    l.map_or_else(|| "unlimited".to_string(), |n| n.to_string())
}

/// `view, list on `deals`; view on `accounts``.
fn actions_by_module(
    style: Style,
    modules: &[ReachedActions],
    pick: impl Fn(&ReachedActions) -> &[Action],
) -> String {
    modules
        .iter()
        .filter(|m| !pick(m).is_empty())
        .map(|m| {
            let actions: Vec<&str> = pick(m).iter().map(|a| a.as_str()).collect();
            format!("{} on {}", actions.join(", "), style.id(&m.module))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// What a reason reaches, for the gained side (`true`) or the lost side.
fn reached(style: Style, reason: &Reason, gained: bool) -> String {
    let side = |g: &[String], l: &[String]| if gained { g.to_vec() } else { l.to_vec() };
    match reason {
        Reason::Teams { joined, left } => {
            let teams = side(joined, left);
            let how = if gained { "joined" } else { "left" };
            format!(
                "the records of team {} ({how} {})",
                style.ids(&teams),
                style.ids(&teams)
            )
        }
        Reason::Subordinates { gained: g, lost: l } => format!(
            "the records of subordinates {} (role hierarchy)",
            style.names(&side(g, l))
        ),
        Reason::RoleMates { gained: g, lost: l } => {
            let who = side(g, l);
            let verb = if gained {
                "now share"
            } else {
                "no longer share"
            };
            format!(
                "the records of {}, who {verb} a direct role with them",
                style.names(&who)
            )
        }
        Reason::SharingRules { gained: g, lost: l } => {
            format!("records of {} (sharing rules)", style.names(&side(g, l)))
        }
        Reason::SharePrincipals { gained: g, lost: l } => {
            let list = if gained { g } else { l };
            let names: Vec<String> = list.iter().map(|p| style.principal(p)).collect();
            let verb = if gained {
                "now include"
            } else {
                "no longer include"
            };
            format!(
                "records shared with {} (which {verb} them)",
                names.join(", ")
            )
        }
        Reason::ModuleOwned { after, .. } => {
            if *after {
                "every record (the module now has record owners)".to_string()
            } else {
                "every record (the module no longer has record owners)".to_string()
            }
        }
        Reason::ModuleHierarchy { after, .. } => format!(
            "subordinates' records (the module's hierarchy is now {})",
            on_off(*after)
        ),
    }
}

fn reach_sentence(style: Style, reason: &Reason, modules: &[ReachedActions]) -> String {
    let gained = actions_by_module(style, modules, |m| &m.gained);
    let lost = actions_by_module(style, modules, |m| &m.lost);
    let mut parts = Vec::new();
    // a module that loses its owners reaches every record; one that gains them, less
    let (up, down) = match reason {
        Reason::ModuleOwned { .. } => ("now reach", "no longer reach"),
        _ => ("now also reach", "no longer reach"),
    };
    if !gained.is_empty() {
        parts.push(format!("{gained} {up} {}", reached(style, reason, true)));
    }
    if !lost.is_empty() {
        parts.push(format!("{lost} {down} {}", reached(style, reason, false)));
    }
    parts.join("; ")
}

fn sign_in(style: Style, s: &SignIn) -> String {
    match s {
        SignIn::Allowed { factors } if factors.is_empty() => "allowed, no second factor".into(),
        SignIn::Allowed { factors } => format!("allowed with {}", style.ids(factors)),
        SignIn::Refused { code } => format!("refused ({code})"),
    }
}

/// One change as one line, without the user.
pub(crate) fn change(style: Style, c: &Change) -> String {
    let sign = c.direction().sign();
    let id = |s: &str| style.id(s).into_owned();
    let body = match c {
        Change::Active { after: false, .. } => {
            "deactivated: every check, field, tool, calendar and sign-in is refused".to_string()
        }
        Change::Active { after: true, .. } => "activated".to_string(),
        Change::Bypass { after: true, .. } => {
            "now bypasses data checks: every record, field and tool".to_string()
        }
        Change::Bypass { after: false, .. } => "no longer bypasses data checks".to_string(),
        Change::AdminLevel { before, after } => format!("admin level: {before} -> {after}"),
        Change::AdminArea {
            area,
            module,
            after,
            ..
        } => {
            let what = match module {
                Some(m) => format!("the area {} of {}", id(area), id(m)),
                None => format!("the area {}", id(area)),
            };
            if *after {
                format!("may administer {what}")
            } else {
                format!("may no longer administer {what}")
            }
        }
        Change::SignIn { before, after } => format!(
            "sign-in: {} -> {}",
            sign_in(style, before),
            sign_in(style, after)
        ),
        Change::ResultLimit { before, after } => format!(
            "search-result limit: {} -> {}",
            limit(*before),
            limit(*after)
        ),
        Change::Teams { joined, left } => {
            let mut parts = Vec::new();
            for t in joined {
                parts.push(format!("joined {} ({})", id(&t.team), t.how));
            }
            for t in left {
                let how = match t.how {
                    super::Membership::Listed => "removed from its members".to_string(),
                    how => how.to_string(),
                };
                parts.push(format!("left {} ({how})", id(&t.team)));
            }
            parts.join("; ")
        }
        Change::HostKey { before, after } => {
            let key = |k: &Option<crate::policy::HostKey>| {
                k.as_ref()
                    .map_or_else(|| "none".to_string(), |k| id(&k.to_string()))
            };
            format!("host key: {} -> {}", key(before), key(after))
        }
        Change::Access {
            module,
            before,
            after,
        } => format!("access to {}: {before} -> {after}", id(module)),
        Change::Cell {
            module,
            action,
            before,
            after,
        } => format!("{action} on {}: {before} -> {after}", id(module)),
        Change::Reach { reason, modules } => reach_sentence(style, reason, modules),
        Change::Field {
            module,
            field,
            before,
            after,
        } => format!(
            "field {}: {before} -> {after}",
            id(&format!("{module}.{field}"))
        ),
        Change::Tool {
            module,
            tool,
            before,
            after,
        } => format!(
            "tool {} of {}: {} -> {}",
            id(tool),
            id(module),
            on_off(*before),
            on_off(*after)
        ),
        Change::Calendar {
            owner,
            before,
            after,
        } => {
            let whose = match owner.split_once(' ') {
                Some((kind, name)) => format!("{kind} {}", id(name)),
                None => id(owner),
            };
            format!(
                "calendar of {whose}: {} -> {}",
                level(*before),
                level(*after)
            )
        }
        Change::PicklistValue {
            module,
            field,
            value,
            after,
            ..
        } => {
            let verb = if *after {
                "may now pick"
            } else {
                "may no longer pick"
            };
            format!(
                "{verb} {} in {}",
                id(value),
                id(&format!("{module}.{field}"))
            )
        }
        Change::AddPicklistValue {
            module,
            field,
            after,
            ..
        } => {
            let verb = if *after {
                "may now add values to"
            } else {
                "may no longer add values to"
            };
            format!("{verb} {}", id(&format!("{module}.{field}")))
        }
    };
    match style {
        Style::Text => format!("{sign} {body}"),
        // a bare `+` or `-` would open a nested list
        Style::Markdown => format!("`{sign}` {body}"),
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&change(Style::Text, self))
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let style = Style::Text;
        match self {
            Reason::Teams { joined, left } => {
                let mut parts = Vec::new();
                if !joined.is_empty() {
                    parts.push(format!("joined {}", style.ids(joined)));
                }
                if !left.is_empty() {
                    parts.push(format!("left {}", style.ids(left)));
                }
                f.write_str(&parts.join("; "))
            }
            other => f.write_str(&reached(style, other, true)),
        }
    }
}

/// The lines of the whole diff.
pub(crate) fn lines(style: Style, d: &PolicyDiff) -> Vec<String> {
    let mut out = Vec::new();
    for s in &d.settings {
        out.push(format!(
            "settings: {}: {} -> {}",
            s.key,
            style.plain(&s.before),
            style.plain(&s.after)
        ));
    }
    for (what, items) in [("new", &d.added), ("removed", &d.removed)] {
        let lists = [
            ("users", &items.users),
            ("teams", &items.teams),
            ("roles", &items.roles),
            ("modules", &items.modules),
            ("fields", &items.fields),
            ("tools", &items.tools),
            ("picklists", &items.picklists),
            ("picklist values", &items.picklist_values),
        ];
        for (kind, names) in lists {
            if names.is_empty() {
                continue;
            }
            let note = match (what, kind) {
                ("removed", "users" | "teams" | "roles" | "modules") => {
                    " (records naming them are refused to everyone)"
                }
                _ => "",
            };
            out.push(format!("{what} {kind}: {}{note}", style.ids(names)));
        }
    }
    for UserChanges { user, changes } in &d.users {
        let who = match style {
            Style::Text => Cow::Borrowed(user.as_str()),
            Style::Markdown => Cow::Owned(format!("**{}**", escape::markdown(user))),
        };
        match changes.as_slice() {
            [only] => out.push(format!("{who}: {}", change(style, only))),
            many => {
                out.push(format!("{who}:"));
                out.extend(many.iter().map(|c| format!("  {}", change(style, c))));
            }
        }
    }
    out
}

impl fmt::Display for PolicyDiff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for line in lines(Style::Text, self) {
            writeln!(f, "{line}")?;
        }
        Ok(())
    }
}

/// The Markdown form: a heading, then a list per user.
pub(crate) fn markdown(d: &PolicyDiff) -> String {
    let mut out = String::from("### permatrix diff\n\n");
    if d.is_empty() {
        out.push_str("No answer changes: nobody gains or loses anything.\n");
        return out;
    }
    let style = Style::Markdown;
    for line in lines(style, d) {
        // a user's own lines are indented under them
        match line.strip_prefix("  ") {
            Some(item) => {
                let _ = writeln!(out, "  - {item}");
            }
            None => {
                let _ = writeln!(out, "- {line}");
            }
        }
    }
    out
}
