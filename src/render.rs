//! A user's matrix for administrators (SPEC §8): modules × actions, with module access,
//! as a text table, Markdown, CSV or JSON.

use std::fmt::Write as _;

use crate::authorizer::{Authorizer, UserId};
use crate::compile::Cell;
use crate::policy::{Access, Action};

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
}

impl Authorizer {
    /// The matrix of `user`; `None` for an unknown id.
    ///
    /// # Cost
    /// O(modules × actions) for the rows it renders.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{}},"users":{"a":{}}}"#)?.compile()?;
    /// assert_eq!(auth.matrix(auth.user("a").unwrap()).unwrap().rows.len(), 1);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn matrix(&self, user: UserId) -> Option<MatrixView> {
        let c = &*self.inner;
        let facts = self.user_facts(user).ok()?;
        let rows = c
            .policy
            .modules
            .keys()
            .enumerate()
            .map(|(m, name)| {
                let mut cells = [Cell::NONE; Action::COUNT];
                if self.is_active(user) {
                    for (cell, a) in cells.iter_mut().zip(Action::ALL) {
                        *cell = c.matrix.cell(facts.row, m, *a);
                    }
                }
                (name.clone(), c.matrix.access(facts.row, m), cells)
            })
            .collect();
        Some(MatrixView {
            user: self.user_name(user).unwrap_or_default().to_string(),
            bypass: facts.bypass && self.is_active(user),
            active: self.is_active(user),
            rows,
        })
    }
}

impl MatrixView {
    fn headers() -> Vec<&'static str> {
        let mut h = vec!["module", "access"];
        h.extend(Action::ALL.iter().map(|a| a.as_str()));
        h
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

    fn note(&self) -> Option<String> {
        if !self.active {
            Some(format!(
                "user `{}` is not active: every check is denied",
                self.user
            ))
        } else if self.bypass {
            Some(format!(
                "user `{}` is an administrator with admin_bypass: every check is allowed",
                self.user
            ))
        } else {
            None
        }
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
        let table = self.table();
        let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
        for row in &table {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let mut out = format!("matrix of `{}`\n", self.user);
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
        if let Some(note) = self.note() {
            let _ = writeln!(out, "note: {note}");
        }
        out
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
    pub fn to_markdown(&self) -> String {
        let headers = Self::headers();
        let mut out = format!("| {} |\n", headers.join(" | "));
        out.push_str(&format!("|{}\n", "---|".repeat(headers.len())));
        for row in self.table() {
            let escaped: Vec<String> = row.iter().map(|c| c.replace('|', "\\|")).collect();
            let _ = writeln!(out, "| {} |", escaped.join(" | "));
        }
        if let Some(note) = self.note() {
            let _ = writeln!(out, "\n_{note}_");
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
    pub fn to_csv(&self) -> String {
        let quote = |s: &str| {
            if s.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", s.replace('"', "\"\""))
            } else {
                s.to_string()
            }
        };
        let mut out = Self::headers().join(",");
        out.push('\n');
        for row in self.table() {
            let q: Vec<String> = row.iter().map(|c| quote(c)).collect();
            out.push_str(&q.join(","));
            out.push('\n');
        }
        out
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
        let mut modules = serde_json::Map::new();
        for (name, access, cells) in &self.rows {
            let actions: serde_json::Map<String, serde_json::Value> = Action::ALL
                .iter()
                .zip(cells)
                .map(|(a, cell)| (a.as_str().to_string(), cell.name().into()))
                .collect();
            modules.insert(
                name.clone(),
                serde_json::json!({ "access": access.as_str(), "actions": actions }),
            );
        }
        serde_json::json!({
            "user": self.user,
            "active": self.active,
            "bypass": self.bypass,
            "modules": modules,
        })
        .to_string()
    }
}
