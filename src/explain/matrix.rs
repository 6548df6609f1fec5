//! A user's matrix for administrators ([explanations](crate::doc::semantics#explanations-and-matrices)): modules × actions, with module access,
//! as a text table, Markdown, CSV or JSON.

use std::borrow::Cow;
use std::fmt::Write as _;

use crate::cell::Cell;
use crate::checks::Authorizer;
use crate::checks::record::Owner;
use crate::escape;
use crate::ids::FieldId;
use crate::ids::UserId;
use crate::policy::{Access, Action, CalendarLevel, CalendarOwner};

/// One user's matrix, ready to render.
///
/// ```
/// use permatrix::Policy;
/// let auth = Policy::from_json(r#"{"version":1,"modules":{"deals":{}},
///   "profiles":{"p":{"modules":{"deals":{"access":"on","actions":{"view":"all","edit":"owner"}}}}},
///   "roles":{"r":{"profiles":["p"]}}, "users":{"ann":{"roles":["r"]}}}"#)?.compile()?;
/// let m = auth.matrix(auth.user("ann").unwrap()).unwrap();
/// assert!(m.to_csv().contains("deals,on,all,none,none,owner"));
/// assert!(m.to_markdown().starts_with("| module |"));
/// # Ok::<(), permatrix::PolicyError>(())
/// ```
#[derive(Debug, Clone)]
pub struct MatrixView {
    /// The username.
    pub user: String,
    /// The user's effective admin level bypasses data checks: every check is allowed.
    pub bypass: bool,
    /// The user is active.
    pub active: bool,
    /// One row per module: name, access, and the cell of each action in [`Action::ALL`] order.
    pub rows: Vec<(String, Access, [Cell; Action::COUNT])>,
    /// The calendars a share names or a team keeps, with the level the user sees each at
    /// (`user <name>` or `team <id>`); calendars they cannot see are left out.
    pub calendars: Vec<(String, CalendarLevel)>,
    /// Per picklist (module, field), the values the user may not pick; picklists they may
    /// pick every value of are left out.
    pub picklist_restrictions: Vec<(String, String, Vec<String>)>,
}

pub(crate) fn matrix(auth: &Authorizer, user: UserId) -> Option<MatrixView> {
    let c = &*auth.inner;
    let facts = auth.user_facts(user).ok()?;
    let rows = c
        .policy
        .modules
        .keys()
        .enumerate()
        .map(|(m, name)| {
            let mut cells = [Cell::NONE; Action::COUNT];
            let mut access = Access::Off;
            // a user who is not active has no access: the row is not theirs to use
            if auth.is_active(user) {
                for (cell, a) in cells.iter_mut().zip(Action::ALL) {
                    *cell = c.matrix.cell(facts.row, m, *a);
                }
                access = c.matrix.access(facts.row, m);
            }
            (name.clone(), access, cells)
        })
        .collect();
    let mut calendars: Vec<(String, CalendarLevel)> = Vec::new();
    let named = c.policy.calendar_shares.iter().map(|s| match &s.owner {
        CalendarOwner::User(u) => ("user", u.as_str()),
        CalendarOwner::Team(t) => ("team", t.as_str()),
    });
    let team_calendars = c
        .policy
        .teams
        .iter()
        .filter(|(_, t)| t.calendar)
        .map(|(id, _)| ("team", id.as_str()));
    for (kind, name) in named.chain(team_calendars) {
        let label = format!("{kind} {name}");
        if calendars.iter().any(|(l, _)| *l == label) {
            continue;
        }
        let owner = match kind {
            "user" => auth.user(name).map(Owner::User),
            _ => auth.team(name).map(Owner::Team),
        };
        if let Some(level) = owner.and_then(|o| auth.calendar_access(user, o)) {
            calendars.push((label, level));
        }
    }
    let mut picklist_restrictions = Vec::new();
    for (m, (module, def)) in c.policy.modules.iter().enumerate() {
        for (i, (field, f)) in def.fields.iter().enumerate() {
            let Some(list) = &f.picklist else { continue };
            let id = FieldId {
                module: auth.module_id(m as u32),
                index: i as u32,
            };
            let visible: Vec<&str> = auth.picklist_values(user, id).collect();
            let hidden: Vec<String> = list
                .values
                .iter()
                .filter(|v| !visible.contains(&v.value.as_str()))
                .map(|v| v.value.clone())
                .collect();
            if !hidden.is_empty() {
                picklist_restrictions.push((module.clone(), field.clone(), hidden));
            }
        }
    }
    Some(MatrixView {
        calendars,
        picklist_restrictions,
        user: auth.user_name(user).unwrap_or_default().to_string(),
        bypass: auth.decided_before_grants(user, facts) == Some(true),
        active: auth.is_active(user),
        rows,
    })
}

impl MatrixView {
    fn headers() -> Vec<&'static str> {
        let mut h = vec!["module", "access"];
        h.extend(Action::ALL.iter().map(|a| a.as_str()));
        h
    }

    /// The table as a person reads it: a user who bypasses data checks is allowed
    /// everything, so every module shows `on` and every cell `all`, whatever their
    /// profiles would give ([`MatrixView::to_csv`] and the JSON keep the compiled cells).
    fn shown_table(&self) -> Vec<Vec<String>> {
        if !self.bypass {
            return self.table();
        }
        self.rows
            .iter()
            .map(|(name, _, cells)| {
                let mut row = vec![name.clone(), Access::On.to_string()];
                row.extend(cells.iter().map(|_| Cell::ALL.name().to_string()));
                row
            })
            .collect()
    }

    fn table(&self) -> Vec<Vec<String>> {
        self.rows
            .iter()
            .map(|(name, access, cells)| {
                let mut row = vec![name.clone(), access.to_string()];
                row.extend(cells.iter().map(|c| c.name().to_string()));
                row
            })
            .collect()
    }

    /// The line under the table for a user who is not active or bypasses data checks,
    /// naming them as `name` (the user, escaped for the format).
    fn note_for(&self, name: &str) -> Option<String> {
        if !self.active {
            Some(format!("user {name} is not active: every check is denied"))
        } else if self.bypass {
            Some(format!(
                "all: user {name} bypasses data checks (admin_bypass): every check is allowed"
            ))
        } else {
            None
        }
    }

    fn note(&self) -> Option<String> {
        self.note_for(&format!("`{}`", self.user))
    }

    /// An aligned plain-text table.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{}},"users":{"a":{}}}"#)?.compile()?;
    /// let text = auth.matrix(auth.user("a").unwrap()).unwrap().to_text();
    /// assert!(text.lines().nth(1).unwrap().starts_with("module"));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn to_text(&self) -> String {
        let headers = Self::headers();
        let table = self.shown_table();
        let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
        for row in &table {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let mut out = format!("matrix of `{}`\n", self.user);
        // said before the table, so that nobody reads the cells without it
        if let Some(note) = self.note() {
            let _ = writeln!(out, "note: {note}");
        }
        let line = |cells: Vec<&str>, out: &mut String| {
            let padded: Vec<String> = cells
                .iter()
                .zip(&widths)
                .map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
                .collect();
            out.push_str(padded.join("  ").trim_end());
            out.push('\n');
        };
        line(headers.clone(), &mut out);
        line(
            widths
                .iter()
                .map(|w| "-".repeat(*w))
                .collect::<Vec<_>>()
                .iter()
                .map(String::as_str)
                .collect(),
            &mut out,
        );
        for row in &table {
            line(row.iter().map(String::as_str).collect(), &mut out);
        }
        for line in self.extra_lines() {
            let _ = writeln!(out, "{line}");
        }
        out
    }

    /// Calendar access and picklist restrictions, one line each, for the text forms.
    fn extra_lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for (calendar, level) in &self.calendars {
            lines.push(format!("calendar of {calendar}: {level}"));
        }
        for (module, field, hidden) in &self.picklist_restrictions {
            lines.push(format!(
                "{module}.{field}: may not pick {}",
                hidden.join(", ")
            ));
        }
        lines
    }

    /// A Markdown table.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{}},"users":{"a":{}}}"#)?.compile()?;
    /// let md = auth.matrix(auth.user("a").unwrap()).unwrap().to_markdown();
    /// assert!(md.contains("| m | off | none |"));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    ///
    /// Names are the policy's data and stay text: HTML in them is written as entities and
    /// Markdown's punctuation is escaped, so no name becomes markup, a link or a new cell.
    pub fn to_markdown(&self) -> String {
        let headers = Self::headers();
        // said before the table, so that nobody reads the cells without it
        let mut out = match self.note_for(&escape::markdown(&self.user)) {
            Some(note) => format!("_{note}_\n\n"),
            None => String::new(),
        };
        let _ = writeln!(out, "| {} |", headers.join(" | "));
        out.push_str(&format!("|{}\n", "---|".repeat(headers.len())));
        for row in self.shown_table() {
            let escaped: Vec<Cow<'_, str>> = row.iter().map(|c| escape::markdown(c)).collect();
            let _ = writeln!(out, "| {} |", escaped.join(" | "));
        }
        let extra = self.extra_lines();
        if !extra.is_empty() {
            out.push('\n');
            for line in extra {
                let _ = writeln!(out, "- {}", escape::markdown(&line));
            }
        }
        out
    }

    /// CSV with a header line; fields are quoted when they need to be.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{}},"users":{"a":{}}}"#)?.compile()?;
    /// let csv = auth.matrix(auth.user("a").unwrap()).unwrap().to_csv();
    /// assert_eq!(csv.lines().next(), Some("module,access,view,list,create,edit,delete,import,export,report"));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    ///
    /// A field a spreadsheet would run as a formula (a module named `=HYPERLINK(…)`, or
    /// starting with `+`, `-` or `@`) is written with a leading `'`, which spreadsheets
    /// show as text.
    pub fn to_csv(&self) -> String {
        let mut out = Self::headers().join(",");
        out.push('\n');
        for row in self.table() {
            let q: Vec<Cow<'_, str>> = row.iter().map(|c| escape::csv(c)).collect();
            out.push_str(&q.join(","));
            out.push('\n');
        }
        out
    }

    /// [`MatrixView::to_csv`] with the username as a first column, for one file holding
    /// several users' matrices: `header` says whether to write the header line. The
    /// username is neutralised like every other field.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{}},"users":{"@a":{}}}"#)?.compile()?;
    /// let csv = auth.matrix(auth.user("@a").unwrap()).unwrap().to_csv_with_user(true);
    /// assert!(csv.starts_with("user,module,access,"));
    /// assert!(csv.lines().nth(1).unwrap().starts_with("'@a,m,off,"));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn to_csv_with_user(&self, header: bool) -> String {
        let user = escape::csv(&self.user);
        let mut out = String::new();
        for (i, line) in self.to_csv().lines().enumerate() {
            match i {
                0 if header => {
                    let _ = writeln!(out, "user,{line}");
                }
                0 => {}
                _ => {
                    let _ = writeln!(out, "{user},{line}");
                }
            }
        }
        out
    }

    /// A Markdown heading naming the user, as text (see [`MatrixView::to_markdown`]), to
    /// put above the table when several users' matrices share one page.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"users":{"<b>x</b>":{}}}"#)?.compile()?;
    /// let view = auth.matrix(auth.user("<b>x</b>").unwrap()).unwrap();
    /// assert_eq!(view.markdown_heading(), "## &lt;b&gt;x&lt;/b&gt;");
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn markdown_heading(&self) -> String {
        format!("## {}", escape::markdown(&self.user))
    }

    /// JSON: `{"user", "active", "bypass", "modules": {name: {"access", "actions": {action: cell}}}}`.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{}},"users":{"a":{}}}"#)?.compile()?;
    /// let json: serde_json::Value = serde_json::from_str(&auth.matrix(auth.user("a").unwrap()).unwrap().to_json()).unwrap();
    /// assert_eq!(json["modules"]["m"]["actions"]["view"], "none");
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The shape [`MatrixView::to_json`] writes: modules keyed by name, in the policy's order.
///
/// ```
/// use permatrix::Policy;
/// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{}},"users":{"a":{}}}"#)?.compile()?;
/// let view = auth.matrix(auth.user("a").unwrap()).unwrap();
/// let json = serde_json::to_value(&view).unwrap();
/// assert_eq!(json["modules"]["m"]["access"], "off");
/// # Ok::<(), permatrix::PolicyError>(())
/// ```
impl serde::Serialize for MatrixView {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;

        struct Actions<'a>(&'a [Cell; Action::COUNT]);
        impl serde::Serialize for Actions<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut map = s.serialize_map(Some(Action::COUNT))?;
                for (action, cell) in Action::ALL.iter().zip(self.0) {
                    map.serialize_entry(action, cell)?;
                }
                map.end()
            }
        }
        #[derive(serde::Serialize)]
        struct Row<'a> {
            access: Access,
            actions: Actions<'a>,
        }
        struct Modules<'a>(&'a [(String, Access, [Cell; Action::COUNT])]);
        impl serde::Serialize for Modules<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut map = s.serialize_map(Some(self.0.len()))?;
                for (name, access, cells) in self.0 {
                    let row = Row {
                        access: *access,
                        actions: Actions(cells),
                    };
                    map.serialize_entry(name, &row)?;
                }
                map.end()
            }
        }
        let mut map = s.serialize_map(Some(6))?;
        map.serialize_entry("user", &self.user)?;
        map.serialize_entry("active", &self.active)?;
        map.serialize_entry("bypass", &self.bypass)?;
        map.serialize_entry("modules", &Modules(&self.rows))?;
        let calendars: serde_json::Map<String, serde_json::Value> = self
            .calendars
            .iter()
            .map(|(c, l)| (c.clone(), l.as_str().into()))
            .collect();
        map.serialize_entry("calendars", &calendars)?;
        let restrictions: Vec<serde_json::Value> = self
            .picklist_restrictions
            .iter()
            .map(|(m, f, hidden)| serde_json::json!({ "module": m, "field": f, "hidden": hidden }))
            .collect();
        map.serialize_entry("picklist_restrictions", &restrictions)?;
        map.end()
    }
}

/// The text table of [`MatrixView::to_text`].
///
/// ```
/// use permatrix::Policy;
/// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{}},"users":{"a":{}}}"#)?.compile()?;
/// let view = auth.matrix(auth.user("a").unwrap()).unwrap();
/// assert_eq!(view.to_string(), view.to_text());
/// # Ok::<(), permatrix::PolicyError>(())
/// ```
impl std::fmt::Display for MatrixView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_text())
    }
}
