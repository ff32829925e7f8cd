//! The `input-guard` command: check a policy, try it against a request or a
//! class name, or run the gateway.
//!
//! `check` and `check-class` print JSON lines and exit 0 (allow), 1 (reject
//! or deny) or 2 (usage or policy error), as `DESIGN.md` specifies. A policy
//! or input error is also a JSON line, `{"verdict":"error","message":...}`
//! (argument errors are clap's, on standard error only). `validate` checks
//! a policy file for people: every error on standard error, or a summary
//! on standard output; exit 0 or 2.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use input_guard::classes::{ClassDecision, ClassFilter};
use input_guard::{Guard, Policy, Verdict, Violation};
use serde::Serialize;

mod serve;
mod validate;

#[derive(Parser)]
#[command(
    name = "input-guard",
    version,
    about = "Stops dangerous input before a workflow engine parses it"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the guard's checks on one request and print the verdict as JSON.
    Check {
        /// Policy file (TOML).
        #[arg(long)]
        policy: PathBuf,
        /// Request method (default: POST when a body is given, else GET).
        #[arg(long)]
        method: Option<String>,
        /// Request URI: a path with an optional query string.
        #[arg(long, default_value = "/")]
        uri: String,
        /// A request header, `Name: value`; repeat for more.
        #[arg(long = "header", value_name = "NAME: VALUE")]
        headers: Vec<String>,
        /// File holding the body; `-` is standard input, which is also the
        /// default when it is not a terminal.
        #[arg(long)]
        body: Option<PathBuf>,
    },
    /// Run the gateway: a reverse proxy with the guard in front.
    Serve(serve::Options),
    /// Check a policy file, as `nginx -t`: every error with file:line:column and key
    /// (exit 2), or a short summary of what the policy does (exit 0).
    Validate {
        /// Policy file (TOML).
        #[arg(long)]
        policy: PathBuf,
    },
    /// Decide type names with a policy's class rules; one JSON line per name.
    CheckClass {
        /// Policy file (TOML).
        #[arg(long)]
        policy: PathBuf,
        /// Type names, e.g. `java.util.List<com.acme.Order>`.
        #[arg(required = true)]
        names: Vec<String>,
    },
}

const EXIT_ALLOW: u8 = 0;
const EXIT_REJECT: u8 = 1;
const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let prints_json = !matches!(cli.command, Command::Serve(_) | Command::Validate { .. });
    let result = match cli.command {
        Command::Check {
            policy,
            method,
            uri,
            headers,
            body,
        } => check(&policy, method, &uri, &headers, body),
        Command::CheckClass { policy, names } => check_class(&policy, &names),
        Command::Validate { policy } => validate::run(&policy),
        Command::Serve(options) => serve::run(options),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(message) => {
            eprintln!("input-guard: {message}");
            // Whoever reads the JSON lines gets one for the error too,
            // so a policy error is never mistaken for an empty verdict.
            if prints_json {
                let _ = print_line(&ErrorLine {
                    verdict: "error",
                    message: &message,
                });
            }
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// The guard for the policy file at `path`; errors name the file.
fn load(path: &std::path::Path) -> Result<Guard, String> {
    let policy = Policy::load(path).map_err(|e| e.to_string())?;
    Guard::new(policy).map_err(|e| e.in_file(path).to_string())
}

/// What `check` and `check-class` print when they exit 2.
#[derive(Serialize)]
struct ErrorLine<'a> {
    verdict: &'static str,
    message: &'a str,
}

#[derive(Serialize)]
struct CheckLine<'a> {
    verdict: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
    /// Byte offset of the problem in the body, when the inspector knows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    offset: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri: Option<String>,
    /// In report mode: what enforce mode would have rejected.
    #[serde(skip_serializing_if = "Option::is_none")]
    reported: Option<Box<CheckLine<'a>>>,
}

impl<'a> CheckLine<'a> {
    fn allow() -> Self {
        CheckLine {
            verdict: "allow",
            status: None,
            code: None,
            location: None,
            message: None,
            offset: None,
            uri: None,
            reported: None,
        }
    }

    fn reject(v: &'a Violation) -> Self {
        CheckLine {
            verdict: "reject",
            status: Some(v.status().as_u16()),
            code: Some(v.code().as_str()),
            location: Some(v.location()),
            message: Some(v.message()),
            offset: v.offset(),
            ..CheckLine::allow()
        }
    }
}

fn check(
    policy: &std::path::Path,
    method: Option<String>,
    uri: &str,
    headers: &[String],
    body_file: Option<PathBuf>,
) -> Result<u8, String> {
    let guard = load(policy)?;
    let body = read_body(body_file)?;
    let method = method.unwrap_or_else(|| if body.is_empty() { "GET" } else { "POST" }.into());
    let mut request = http::Request::builder().method(method.as_str()).uri(uri);
    for header in headers {
        let (name, value) = header
            .split_once(':')
            .ok_or_else(|| format!("--header {header:?}: expected `Name: value`"))?;
        request = request.header(name.trim(), value.trim_start_matches([' ', '\t']));
    }
    let (head, ()) = request
        .body(())
        .map_err(|e| format!("invalid request: {e}"))?
        .into_parts();

    let verdict = guard.check(&head, &body);
    let line = match &verdict {
        Verdict::Allow => CheckLine::allow(),
        Verdict::Rewrite(uri) => CheckLine {
            uri: Some(uri.to_string()),
            ..CheckLine::allow()
        },
        Verdict::Reject(v) => CheckLine::reject(v),
        Verdict::Report(v) => CheckLine {
            reported: Some(Box::new(CheckLine::reject(v))),
            ..CheckLine::allow()
        },
    };
    print_line(&line)?;
    Ok(if verdict.is_allowed() {
        EXIT_ALLOW
    } else {
        EXIT_REJECT
    })
}

/// The body from `file`; `-` (as is the custom) or no file at all means
/// standard input, which is read unless it is a terminal.
fn read_body(file: Option<PathBuf>) -> Result<Vec<u8>, String> {
    let named_stdin = file.as_deref() == Some(std::path::Path::new("-"));
    match file {
        Some(path) if !named_stdin => {
            std::fs::read(&path).map_err(|e| format!("cannot read body {}: {e}", path.display()))
        }
        _ => {
            let mut body = Vec::new();
            let stdin = std::io::stdin();
            if named_stdin || !stdin.is_terminal() {
                stdin
                    .lock()
                    .read_to_end(&mut body)
                    .map_err(|e| format!("cannot read body from standard input: {e}"))?;
            }
            Ok(body)
        }
    }
}

#[derive(Serialize)]
struct ClassLine<'a> {
    name: &'a str,
    verdict: &'static str,
    reason: String,
}

fn check_class(policy: &std::path::Path, names: &[String]) -> Result<u8, String> {
    let guard = load(policy)?;
    let filter = guard.class_filter();
    let mut all_allowed = true;
    for name in names {
        let (allowed, reason) = explain(filter, name);
        all_allowed &= allowed;
        print_line(&ClassLine {
            name,
            verdict: if allowed { "allow" } else { "deny" },
            reason,
        })?;
    }
    Ok(if all_allowed { EXIT_ALLOW } else { EXIT_REJECT })
}

/// Says which rule decided each class of `name`; denials come first, since
/// one denied class denies the whole name.
fn explain(filter: &ClassFilter, name: &str) -> (bool, String) {
    // A name that is no Java type name may be a .NET one (`Outer+Inner`,
    // `List`1[[...]]`, `, Assembly`), as `$type` carries them.
    let decisions = match filter.explain(name) {
        Ok(decisions) => decisions,
        Err(e) => match filter.explain_dotnet(name) {
            Ok(decisions) => decisions,
            Err(_) => return (false, format!("not a type name: {e}")),
        },
    };
    if decisions.is_empty() {
        return (true, "names no class (primitive types only)".into());
    }
    let describe = |class: &str, decision: &ClassDecision<'_>| format!("{class} {decision}");
    let denied: Vec<String> = decisions
        .iter()
        .filter(|(_, d)| !d.is_allowed())
        .map(|(class, d)| describe(class, d))
        .collect();
    if denied.is_empty() {
        let allowed: Vec<String> = decisions.iter().map(|(c, d)| describe(c, d)).collect();
        (true, allowed.join("; "))
    } else {
        (false, denied.join("; "))
    }
}

fn print_line(line: &impl Serialize) -> Result<(), String> {
    let text = serde_json::to_string(line).map_err(|e| e.to_string())?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}").map_err(|e| format!("cannot write output: {e}"))
}
