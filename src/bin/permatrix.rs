//! `permatrix`: check, explain, render and compare policy files from the command line.
//!
//! Exit status: 0 for success (valid, allowed, no difference), 1 for a negative answer
//! (an invalid file, a denial, a difference, a refused sign-in), 2 for a usage error or a
//! file that cannot be read or compiled.

// `unsafe_code` and the no-panic lints come from Cargo.toml's `[lints]`

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use permatrix::{Action, Authorizer, Owner, Policy, Record, SqlDialect, SqlSchema, TeamId, diff};

/// Check, explain, render and compare permatrix policy files.
///
/// A policy file is the JSON document `Policy::from_json` reads: modules, profiles, roles,
/// teams, users, sharing rules and settings. Every command reads one (or two, for `diff`)
/// and answers without writing anything.
///
/// Exit status: 0 yes / valid / no difference; 1 no / invalid / different; 2 usage error
/// or unreadable file.
#[derive(Debug, Parser)]
#[command(name = "permatrix", version, about, long_about)]
struct Cli {
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
    },
    /// Why a check is decided as it is (always exit 0 once answered).
    Explain {
        /// The policy file.
        file: PathBuf,
        #[command(flatten)]
        question: Question,
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

/// A failure that ends the command with status 2.
struct Fail(String);

impl<E: std::fmt::Display> From<E> for Fail {
    fn from(e: E) -> Fail {
        Fail(e.to_string())
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(code) => code,
        Err(Fail(message)) => {
            eprintln!("permatrix: {message}");
            ExitCode::from(2)
        }
    }
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
        .map_err(|e| Fail(format!("{}: cannot read: {e}", file.display())))?;
    Policy::from_json(&text).map_err(|e| located(file, &e))
}

fn compile(file: &Path) -> Result<Authorizer, Fail> {
    read(file)?.into_authorizer().map_err(|e| located(file, &e))
}

/// `FILE: path: code: message`, the one shape every command reports a policy error in.
fn located(file: &Path, e: &permatrix::PolicyError) -> Fail {
    Fail(format!(
        "{}: {}: {}: {}",
        file.display(),
        e.path(),
        e.code(),
        e.message()
    ))
}

fn run(command: Command) -> Result<ExitCode, Fail> {
    match command {
        Command::Validate { files } => {
            let mut all_valid = true;
            for file in &files {
                let checked = std::fs::read_to_string(file)
                    .map_err(|e| (String::new(), "unreadable".to_string(), e.to_string()))
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
                match checked {
                    Ok(()) => println!("{}: ok", file.display()),
                    Err((path, code, message)) => {
                        all_valid = false;
                        let path = if path.is_empty() {
                            "(document)"
                        } else {
                            path.as_str()
                        };
                        println!("{}: {path}: {code}: {message}", file.display());
                    }
                }
            }
            Ok(yes_no(all_valid))
        }
        Command::Check {
            file,
            question,
            explain,
        } => {
            let auth = compile(&file)?;
            let (allowed, explanation) = answer(&auth, &question)?;
            println!("{}", if allowed { "allow" } else { "deny" });
            if explain {
                print!("{explanation}");
            }
            Ok(yes_no(allowed))
        }
        Command::Explain { file, question } => {
            let auth = compile(&file)?;
            let (_, explanation) = answer(&auth, &question)?;
            print!("{explanation}");
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
                    .map(|name| {
                        auth.user(name)
                            .ok_or_else(|| Fail(format!("no user `{name}`")))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                print!("{}", auth.report_html(&ids));
                return Ok(ExitCode::SUCCESS);
            }
            let mut json = Vec::new();
            for name in &names {
                let id = auth
                    .user(name)
                    .ok_or_else(|| Fail(format!("no user `{name}`")))?;
                let view = auth
                    .matrix(id)
                    .map_err(|_| Fail(format!("no user `{name}`")))?;
                match format {
                    MatrixFormat::Text => println!("{}", view.to_text()),
                    MatrixFormat::Md => {
                        println!("{}\n\n{}", view.markdown_heading(), view.to_markdown());
                    }
                    MatrixFormat::Csv => {
                        // one table for everyone: the user first on every line
                        let first = name == names.first().map_or("", String::as_str);
                        print!("{}", view.to_csv_with_user(first));
                    }
                    MatrixFormat::Json => json.push(serde_json::to_value(&view)?),
                    MatrixFormat::Html => {}
                }
            }
            if let MatrixFormat::Json = format {
                println!("{}", serde_json::to_string_pretty(&json)?);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Diff { old, new, format } => {
            let (before, after) = (compile(&old)?, compile(&new)?);
            let d = diff(&before, &after);
            match format {
                DiffFormat::Text => print!("{d}"),
                DiffFormat::Md => print!("{}", d.to_markdown()),
                DiffFormat::Json => println!("{}", serde_json::to_string_pretty(&d)?),
            }
            Ok(yes_no(d.is_empty()))
        }
        Command::Login { file, user } => {
            let auth = compile(&file)?;
            let id = auth
                .user(&user)
                .ok_or_else(|| Fail(format!("no user `{user}`")))?;
            match auth.login(id) {
                Ok(factors) if factors.0.is_empty() => {
                    println!("allowed: a password is enough");
                    Ok(ExitCode::SUCCESS)
                }
                Ok(factors) => {
                    println!("allowed with second factors: {factors}");
                    Ok(ExitCode::SUCCESS)
                }
                Err(denied) => {
                    println!("refused: {} ({denied})", denied.code());
                    Ok(ExitCode::from(1))
                }
            }
        }
        Command::Schema => {
            println!(
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
        } => {
            let auth = compile(&file)?;
            let id = auth
                .user(&user)
                .ok_or_else(|| Fail(format!("no user `{user}`")))?;
            let m = auth
                .module(&module)
                .ok_or_else(|| Fail(format!("no module `{module}`")))?;
            let action = parse_action(&action)?;
            let dialect = match dialect {
                Dialect::Postgres => SqlDialect::Postgres,
                Dialect::Sqlite => SqlDialect::Sqlite,
            };
            let sql = auth
                .filter(id, action, m)
                .to_sql(dialect, &SqlSchema::default())?;
            println!("{}", sql.sql);
            let mark = if dialect == SqlDialect::Sqlite {
                '?'
            } else {
                '$'
            };
            for (i, p) in sql.params.iter().enumerate() {
                println!(
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
    word.parse::<Action>().map_err(|e| Fail(e.to_string()))
}

/// The decision and its explanation for one question.
fn answer(auth: &Authorizer, q: &Question) -> Result<(bool, String), Fail> {
    let user = auth
        .user(&q.user)
        .ok_or_else(|| Fail(format!("no user `{}`", q.user)))?;
    let action = parse_action(&q.action)?;
    let module = auth
        .module(&q.module)
        .ok_or_else(|| Fail(format!("no module `{}`", q.module)))?;
    let teams: Vec<TeamId> = q
        .teams
        .iter()
        .map(|t| auth.team(t).ok_or_else(|| Fail(format!("no team `{t}`"))))
        .collect::<Result<_, _>>()?;
    let owner = match (&q.owner, &q.owner_team) {
        (Some(u), _) => Some(Owner::User(
            auth.user(u).ok_or_else(|| Fail(format!("no user `{u}`")))?,
        )),
        (None, Some(t)) => Some(Owner::Team(
            auth.team(t).ok_or_else(|| Fail(format!("no team `{t}`")))?,
        )),
        (None, None) => None,
    };
    match owner {
        Some(owner) => {
            let record = Record {
                module,
                owner,
                teams: &teams,
                shares: &[],
            };
            Ok((
                auth.can(user, action, &record),
                auth.explain(user, action, &record).to_string(),
            ))
        }
        None if action.is_module_level() => Ok((
            auth.can_module(user, action, module),
            auth.explain_module(user, action, module).to_string(),
        )),
        None => Err(Fail(format!(
            "`{action}` concerns one record: name its owner with --owner USER or --owner-team TEAM"
        ))),
    }
}
