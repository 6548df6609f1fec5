//! `permatrix`: check, explain, render and compare policy files from the command line.
//!
//! Exit status: 0 for success (valid, allowed, no difference), 1 for a negative answer
//! (an invalid file, a denial, a difference, a refused sign-in), 2 for a usage error or a
//! file that cannot be read or compiled. A reader that goes away (`permatrix … | head`)
//! ends the command quietly.

// `unsafe_code` and the no-panic lints come from Cargo.toml's `[lints]`

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{ArgAction, Parser, Subcommand, ValueEnum};
use permatrix::authorizer::{PrincipalId, RoleId};
use permatrix::policy::ShareAccess;
use permatrix::{
    Action, Authorizer, ModuleId, Owner, Policy, Record, Share, SqlDialect, SqlSchema, TeamId,
    UserId, diff,
};

/// Check, explain, render and compare permatrix policy files.
///
/// A policy file is the JSON document `Policy::from_json` reads: modules, profiles, roles,
/// teams, users, sharing rules and settings. Every command reads one (or two, for `diff`)
/// and answers without writing anything.
///
/// Exit status: 0 yes / valid / no difference; 1 no / invalid / different; 2 usage error
/// or unreadable file.
#[derive(Debug, Parser)]
#[command(
    name = "permatrix",
    version,
    about,
    long_about,
    disable_help_flag = true,
    disable_help_subcommand = true
)]
struct Cli {
    /// Print help (`-h` and `--help` print the same text).
    #[arg(short = 'h', long = "help", action = ArgAction::HelpLong, global = true)]
    help: Option<bool>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check policy files; print `FILE: path: code: message` for each invalid one.
    Validate {
        /// The policy files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Output format: `json` is one object per file (`file`, `ok`, `path`, `code`,
        /// `message`).
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// May a user do an action on a record? Exit 0 for allow, 1 for deny.
    Check {
        /// The policy file.
        file: PathBuf,
        #[command(flatten)]
        question: Question,
        /// Print why, step by step.
        #[arg(long)]
        explain: bool,
        /// Output format: `json` is `{"allowed", "explanation"}`.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Why a check is decided as it is (always exit 0 once answered).
    Explain {
        /// The policy file.
        file: PathBuf,
        #[command(flatten)]
        question: Question,
        /// Output format: `json` is the explanation's JSON.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Print users' permission matrices (every user when none is named).
    Matrix {
        /// The policy file.
        file: PathBuf,
        /// A username; repeat for several.
        #[arg(long = "user", short)]
        users: Vec<String>,
        /// Output format; `html` is one self-contained page (every user, why each cell is
        /// what it is, a filter box, the sharing rules and the team tree) to open in a
        /// browser: `permatrix matrix crm.json -f html > report.html`.
        #[arg(long, short, value_enum, default_value_t = MatrixFormat::Text)]
        format: MatrixFormat,
    },
    /// Who gains and who loses what between two policy files, and why: every decision,
    /// field, tool, calendar, picklist, sign-in, limit and admin level that differs.
    /// Exit 1 whenever any answer changes, so CI can ask for a review; 0 is a promise
    /// that none does.
    Diff {
        /// The policy before.
        old: PathBuf,
        /// The policy after.
        new: PathBuf,
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = DiffFormat::Text)]
        format: DiffFormat,
    },
    /// May a user sign in, and with which second factors? Exit 1 when refused.
    Login {
        /// The policy file.
        file: PathBuf,
        /// The username.
        #[arg(long, short)]
        user: String,
        /// Output format: `json` is `{"allowed", "factors", "code"}`.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// The SQL `WHERE` fragment that lists the records a user may act on, and its
    /// parameters (one per line, in order).
    Filter {
        /// The policy file.
        file: PathBuf,
        /// The username.
        #[arg(long, short)]
        user: String,
        /// The module.
        #[arg(long, short)]
        module: String,
        /// The action (`list` by default).
        #[arg(long, short, default_value = "list")]
        action: String,
        /// The database.
        #[arg(long, value_enum)]
        dialect: Dialect,
        /// Output format: `json` is `{"sql", "params"}`.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Print the JSON Schema of the policy document, for editors to validate and
    /// complete policy files (the same as the shipped `schema/policy.schema.json`).
    Schema,
}

/// Who does what to which record.
#[derive(Debug, clap::Args)]
struct Question {
    /// The username.
    #[arg(long, short)]
    user: String,
    /// The action: view, list, create, edit, delete, import, export, report.
    #[arg(long, short)]
    action: String,
    /// The module.
    #[arg(long, short)]
    module: String,
    /// The user who owns the record (for a record-level action).
    #[arg(long, conflicts_with = "owner_team")]
    owner: Option<String>,
    /// The team that owns the record.
    #[arg(long)]
    owner_team: Option<String>,
    /// A team the record is linked to; repeat for several.
    #[arg(long = "team")]
    teams: Vec<String>,
    /// A record share, `KIND:ID:ACCESS` — kind `user`, `team`, `role` or
    /// `role_and_subordinates`, access `read`, `read_write` or `full` (`user:bob:read`);
    /// repeat for several.
    #[arg(long = "share")]
    shares: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum MatrixFormat {
    Text,
    Md,
    Csv,
    Json,
    Html,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum DiffFormat {
    Text,
    Md,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Dialect {
    Postgres,
    Sqlite,
}

/// A failure that ends the command with status 2, or the reader of standard output
/// going away, which ends it quietly.
enum Fail {
    Message(String),
    ClosedPipe,
}

impl<E: std::fmt::Display> From<E> for Fail {
    fn from(e: E) -> Fail {
        Fail::Message(e.to_string())
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(code) => code,
        Err(Fail::ClosedPipe) => ExitCode::SUCCESS,
        Err(Fail::Message(message)) => {
            eprintln!("permatrix: {message}");
            ExitCode::from(2)
        }
    }
}

/// Writes to standard output without panicking: a closed pipe (`| head`) is
/// [`Fail::ClosedPipe`], any other write error a message.
fn emit(text: std::fmt::Arguments<'_>) -> Result<(), Fail> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_fmt(text).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(Fail::ClosedPipe),
        Err(e) => Err(Fail::Message(format!(
            "cannot write to standard output: {e}"
        ))),
    }
}

/// `print!` that ends the command on a closed pipe instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => { emit(format_args!($($arg)*))? };
}

/// `println!` that ends the command on a closed pipe instead of panicking.
macro_rules! outln {
    ($($arg:tt)*) => { emit(format_args!("{}\n", format_args!($($arg)*)))? };
}

/// The closest of `known` to `word` when it is a near miss (a few letters off), for a
/// "did you mean".
fn near_miss<'a>(word: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    // two letters off (a swap is two) once a word is longer than three
    let length = word.chars().count();
    let limit = if length <= 3 { 1 } else { (length / 3).max(2) };
    known
        .into_iter()
        .map(|k| (edit_distance(word, k), k))
        .filter(|&(d, _)| d <= limit)
        .min()
        .map(|(_, k)| k)
}

/// Levenshtein distance over characters, one row at a time.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    // row[j]: the distance between the part of `a` read so far and b[..j]
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut next = Vec::with_capacity(row.len());
        next.push(i + 1);
        for (j, &cb) in b.iter().enumerate() {
            let replace = row.get(j).map_or(usize::MAX, |d| d + usize::from(ca != cb));
            let delete = row.get(j + 1).map_or(usize::MAX, |d| d + 1);
            let insert = next.last().map_or(usize::MAX, |d| d + 1);
            next.push(replace.min(delete).min(insert));
        }
        row = next;
    }
    row.last().copied().unwrap_or(0)
}

/// "no KIND `word`", with the near miss among `known` when there is one.
fn unknown<'a>(kind: &str, word: &str, known: impl IntoIterator<Item = &'a str>) -> Fail {
    match near_miss(word, known) {
        Some(close) => Fail::Message(format!("no {kind} `{word}`; did you mean `{close}`?")),
        None => Fail::Message(format!("no {kind} `{word}`")),
    }
}

fn user_id(auth: &Authorizer, name: &str) -> Result<UserId, Fail> {
    auth.user(name)
        .ok_or_else(|| unknown("user", name, auth.policy().users.keys().map(String::as_str)))
}

fn team_id(auth: &Authorizer, name: &str) -> Result<TeamId, Fail> {
    auth.team(name)
        .ok_or_else(|| unknown("team", name, auth.policy().teams.keys().map(String::as_str)))
}

fn role_id(auth: &Authorizer, name: &str) -> Result<RoleId, Fail> {
    auth.role(name)
        .ok_or_else(|| unknown("role", name, auth.policy().roles.keys().map(String::as_str)))
}

fn module_id(auth: &Authorizer, name: &str) -> Result<ModuleId, Fail> {
    auth.module(name).ok_or_else(|| {
        unknown(
            "module",
            name,
            auth.policy().modules.keys().map(String::as_str),
        )
    })
}

fn yes_no(yes: bool) -> ExitCode {
    if yes {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn read(file: &Path) -> Result<Policy, Fail> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| Fail::Message(format!("{}: cannot read: {e}", file.display())))?;
    Policy::from_json(&text).map_err(|e| located(file, &e))
}

fn compile(file: &Path) -> Result<Authorizer, Fail> {
    read(file)?.into_authorizer().map_err(|e| located(file, &e))
}

/// `FILE: path: code: message`, the one shape every command reports a policy error in.
fn located(file: &Path, e: &permatrix::PolicyError) -> Fail {
    Fail::Message(format!(
        "{}: {}: {}: {}",
        file.display(),
        e.path(),
        e.code(),
        e.message()
    ))
}

fn run(command: Command) -> Result<ExitCode, Fail> {
    match command {
        Command::Validate { files, format } => {
            let (mut all_valid, mut all_read) = (true, true);
            let mut json = Vec::new();
            for file in &files {
                let checked = std::fs::read_to_string(file)
                    .map_err(|e| {
                        all_read = false;
                        (String::new(), "unreadable".to_string(), e.to_string())
                    })
                    .and_then(|text| {
                        Policy::from_json(&text)
                            .and_then(|p| p.validate())
                            .map_err(|e| {
                                (
                                    e.path().to_string(),
                                    e.code().to_string(),
                                    e.message().to_string(),
                                )
                            })
                    });
                match (checked, format) {
                    (Ok(()), Format::Text) => outln!("{}: ok", file.display()),
                    (Ok(()), Format::Json) => json.push(serde_json::json!({
                        "file": file.display().to_string(), "ok": true,
                    })),
                    (Err((path, code, message)), format) => {
                        all_valid = false;
                        let path = if path.is_empty() {
                            "(document)"
                        } else {
                            path.as_str()
                        };
                        if format == Format::Json {
                            json.push(serde_json::json!({
                                "file": file.display().to_string(), "ok": false,
                                "path": path, "code": code, "message": message,
                            }));
                        } else {
                            outln!("{}: {path}: {code}: {message}", file.display());
                        }
                    }
                }
            }
            if format == Format::Json {
                outln!("{}", serde_json::to_string_pretty(&json)?);
            }
            // a file that cannot be read is not an answer about a policy
            if !all_read {
                return Ok(ExitCode::from(2));
            }
            Ok(yes_no(all_valid))
        }
        Command::Check {
            file,
            question,
            explain,
            format,
        } => {
            let auth = compile(&file)?;
            let (allowed, explanation) = answer(&auth, &question)?;
            if format == Format::Json {
                let json = serde_json::json!({ "allowed": allowed, "explanation": explanation });
                outln!("{}", serde_json::to_string_pretty(&json)?);
            } else {
                outln!("{}", if allowed { "allow" } else { "deny" });
                if explain {
                    out!("{explanation}");
                }
            }
            Ok(yes_no(allowed))
        }
        Command::Explain {
            file,
            question,
            format,
        } => {
            let auth = compile(&file)?;
            let (_, explanation) = answer(&auth, &question)?;
            if format == Format::Json {
                outln!("{}", serde_json::to_string_pretty(&explanation)?);
            } else {
                out!("{explanation}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Matrix {
            file,
            users,
            format,
        } => {
            let auth = compile(&file)?;
            let names: Vec<String> = if users.is_empty() {
                auth.policy().users.keys().cloned().collect()
            } else {
                users
            };
            if let MatrixFormat::Html = format {
                let ids = names
                    .iter()
                    .map(|name| user_id(&auth, name))
                    .collect::<Result<Vec<_>, _>>()?;
                out!("{}", auth.report_html(&ids)?);
                return Ok(ExitCode::SUCCESS);
            }
            let mut json = Vec::new();
            for name in &names {
                let id = user_id(&auth, name)?;
                let view = auth
                    .matrix(id)
                    .map_err(|_| Fail::Message(format!("no user `{name}`")))?;
                match format {
                    MatrixFormat::Text => outln!("{}", view.to_text()),
                    MatrixFormat::Md => {
                        outln!("{}\n\n{}", view.markdown_heading(), view.to_markdown());
                    }
                    MatrixFormat::Csv => {
                        // one table for everyone: the user first on every line
                        let first = name == names.first().map_or("", String::as_str);
                        out!("{}", view.to_csv_with_user(first));
                    }
                    MatrixFormat::Json => json.push(serde_json::to_value(&view)?),
                    MatrixFormat::Html => {}
                }
            }
            if let MatrixFormat::Json = format {
                outln!("{}", serde_json::to_string_pretty(&json)?);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Diff { old, new, format } => {
            let (before, after) = (compile(&old)?, compile(&new)?);
            let d = diff(&before, &after);
            match format {
                DiffFormat::Text => out!("{d}"),
                DiffFormat::Md => out!("{}", d.to_markdown()),
                DiffFormat::Json => outln!("{}", serde_json::to_string_pretty(&d)?),
            }
            Ok(yes_no(d.is_empty()))
        }
        Command::Login { file, user, format } => {
            let auth = compile(&file)?;
            let id = user_id(&auth, &user)?;
            if format == Format::Json {
                let login = auth.login(id);
                let json = match &login {
                    Ok(factors) => serde_json::json!({
                        "allowed": true, "factors": factors.0, "code": null,
                    }),
                    Err(e) => serde_json::json!({
                        "allowed": false, "factors": [], "code": e.code().as_str(),
                    }),
                };
                outln!("{}", serde_json::to_string_pretty(&json)?);
                return Ok(yes_no(login.is_ok()));
            }
            match auth.login(id) {
                Ok(factors) if factors.0.is_empty() => {
                    outln!("allowed: a password is enough");
                    Ok(ExitCode::SUCCESS)
                }
                Ok(factors) => {
                    outln!("allowed with second factors: {factors}");
                    Ok(ExitCode::SUCCESS)
                }
                Err(denied) => {
                    outln!("refused: {} ({denied})", denied.code());
                    Ok(ExitCode::from(1))
                }
            }
        }
        Command::Schema => {
            outln!(
                "{}",
                serde_json::to_string_pretty(&permatrix::Policy::json_schema())?
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Filter {
            file,
            user,
            module,
            action,
            dialect,
            format,
        } => {
            let auth = compile(&file)?;
            let id = user_id(&auth, &user)?;
            let m = module_id(&auth, &module)?;
            let action = parse_action(&action)?;
            let dialect = match dialect {
                Dialect::Postgres => SqlDialect::Postgres,
                Dialect::Sqlite => SqlDialect::Sqlite,
            };
            let sql = auth
                .filter(id, action, m)
                .to_sql(dialect, &SqlSchema::default())?;
            if format == Format::Json {
                let params: Vec<serde_json::Value> = sql.params.iter().map(param_json).collect();
                let json = serde_json::json!({ "sql": sql.sql, "params": params });
                outln!("{}", serde_json::to_string_pretty(&json)?);
                return Ok(ExitCode::SUCCESS);
            }
            outln!("{}", sql.sql);
            let mark = if dialect == SqlDialect::Sqlite {
                '?'
            } else {
                '$'
            };
            for (i, p) in sql.params.iter().enumerate() {
                outln!(
                    "{mark}{} = {}",
                    i + 1,
                    serde_json::to_string(&param_json(p))?
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn param_json(p: &permatrix::filter::SqlValue) -> serde_json::Value {
    match p {
        permatrix::filter::SqlValue::Text(s) => s.as_str().into(),
        permatrix::filter::SqlValue::TextArray(v) => v.clone().into(),
        permatrix::filter::SqlValue::Integer(i) => (*i).into(),
        permatrix::filter::SqlValue::IntegerArray(v) => v.clone().into(),
    }
}

fn parse_action(word: &str) -> Result<Action, Fail> {
    word.parse::<Action>().map_err(|e| {
        match near_miss(word, Action::ALL.iter().map(|a| a.as_str())) {
            Some(close) => Fail::Message(format!("{e}; did you mean `{close}`?")),
            None => Fail::Message(e.to_string()),
        }
    })
}

/// A record share written `KIND:ID:ACCESS`.
fn parse_share(auth: &Authorizer, text: &str) -> Result<Share, Fail> {
    let usage = || {
        Fail::Message(format!(
            "--share `{text}`: write KIND:ID:ACCESS, e.g. `user:bob:read` (kind user, team, role or role_and_subordinates; access read, read_write or full)"
        ))
    };
    let mut parts = text.splitn(3, ':');
    let (Some(kind), Some(id), Some(access)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(usage());
    };
    let to = match kind {
        "user" => PrincipalId::User(user_id(auth, id)?),
        "team" => PrincipalId::Team(team_id(auth, id)?),
        "role" => PrincipalId::Role(role_id(auth, id)?),
        "role_and_subordinates" => PrincipalId::RoleAndSubordinates(role_id(auth, id)?),
        _ => return Err(usage()),
    };
    let access = access
        .parse::<ShareAccess>()
        .map_err(|e| Fail::Message(format!("--share `{text}`: {e}")))?;
    Ok(Share { to, access })
}

/// The decision and its explanation for one question.
fn answer(auth: &Authorizer, q: &Question) -> Result<(bool, permatrix::Explanation), Fail> {
    let user = user_id(auth, &q.user)?;
    let action = parse_action(&q.action)?;
    let module = module_id(auth, &q.module)?;
    let teams: Vec<TeamId> = q
        .teams
        .iter()
        .map(|t| team_id(auth, t))
        .collect::<Result<_, _>>()?;
    let shares: Vec<Share> = q
        .shares
        .iter()
        .map(|s| parse_share(auth, s))
        .collect::<Result<_, _>>()?;
    let owner = match (&q.owner, &q.owner_team) {
        (Some(u), _) => Some(Owner::User(user_id(auth, u)?)),
        (None, Some(t)) => Some(Owner::Team(team_id(auth, t)?)),
        (None, None) => None,
    };
    match owner {
        Some(owner) => {
            let record = Record {
                module,
                owner,
                teams: &teams,
                shares: &shares,
            };
            Ok((
                auth.can(user, action, &record),
                auth.explain(user, action, &record),
            ))
        }
        None if action.is_module_level() => Ok((
            auth.can_module(user, action, module),
            auth.explain_module(user, action, module),
        )),
        None => Err(Fail::Message(format!(
            "`{action}` concerns one record: name its owner with --owner USER or --owner-team TEAM"
        ))),
    }
}
