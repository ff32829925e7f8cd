//! `input-guard check --uri`: the verdict line, the rewritten URI of a
//! clamped query, and the exit code by verdict.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::*;
use common::bin::{run, write_temp};
use common::policy::CAMUNDA_PATH;

/// One run of `input-guard check`, and what it must print and exit with.
struct CliCase<'a> {
    name: &'a str,
    /// The `--policy` file.
    policy: &'a PathBuf,
    /// The arguments after `check --policy <policy>`.
    args: Vec<&'a str>,
    /// The exit code: 0 for allow, 1 for reject.
    exit: i32,
    /// The one JSON line printed, without a rejection's free-text `message`.
    line: Value,
}

/// Runs `input-guard check --policy <policy> <args>`; returns the exit
/// code and the one JSON line printed.
fn check(policy: &Path, args: &[&str]) -> Result<(i32, Value), String> {
    let mut all: Vec<&OsStr> = vec!["check".as_ref(), "--policy".as_ref(), policy.as_os_str()];
    all.extend(args.iter().map(OsStr::new));
    let run = run(&all, b"");
    if run.lines.len() != 1 || !run.stdout.ends_with('\n') {
        return Err(format!(
            "expected one line, got {:?} (stderr {:?})",
            run.stdout, run.stderr
        ));
    }
    Ok((run.code, run.lines[0].clone()))
}

#[test]
fn check_prints_the_rewritten_uri_and_exits_by_verdict() {
    let clamp = write_temp("clamp.toml", &bundled_clamp_text());
    let reject = PathBuf::from(CAMUNDA_PATH);
    let rejected = |code: &str, location: &str| json!({"verdict": "reject", "status": 400, "code": code, "location": location});
    let cases = vec![
        CliCase {
            name: "clamped",
            policy: &clamp,
            args: vec!["--uri", "/engine-rest/task?maxResults=5000"],
            exit: 0,
            line: json!({"verdict": "allow", "uri": "/engine-rest/task?maxResults=1000"}),
        },
        CliCase {
            name: "clamped, missing",
            policy: &clamp,
            args: vec!["--uri", "/engine-rest/task?sortBy=name"],
            exit: 0,
            line: json!({"verdict": "allow", "uri": "/engine-rest/task?sortBy=name&maxResults=1000"}),
        },
        CliCase {
            name: "clamped POST",
            policy: &clamp,
            args: vec![
                "--method",
                "POST",
                "--uri",
                "/engine-rest/process-instance?maxResults=1001",
            ],
            exit: 0,
            line: json!({"verdict": "allow", "uri": "/engine-rest/process-instance?maxResults=1000"}),
        },
        CliCase {
            name: "clamp policy, equal (no uri)",
            policy: &clamp,
            args: vec!["--uri", "/engine-rest/task?maxResults=1000"],
            exit: 0,
            line: json!({"verdict": "allow"}),
        },
        CliCase {
            name: "clamp policy, invalid",
            policy: &clamp,
            args: vec!["--uri", "/engine-rest/task?maxResults=abc"],
            exit: 1,
            line: rejected("query-invalid-paging", "query:maxResults"),
        },
        CliCase {
            name: "reject policy, over",
            policy: &reject,
            args: vec!["--uri", "/engine-rest/task?maxResults=5000"],
            exit: 1,
            line: rejected("query-max-results-exceeded", "query:maxResults"),
        },
        CliCase {
            name: "reject policy, missing",
            policy: &reject,
            args: vec!["--uri", "/engine-rest/task"],
            exit: 1,
            line: rejected("query-unbounded", "query:maxResults"),
        },
        CliCase {
            name: "reject policy, expression",
            policy: &reject,
            args: vec![
                "--uri",
                "/engine-rest/task?maxResults=1&assigneeExpression=x",
            ],
            exit: 1,
            line: rejected("expression-not-allowed", "query:assigneeExpression"),
        },
        CliCase {
            name: "path invalid",
            policy: &reject,
            args: vec!["--uri", "/engine-rest/task%2F?maxResults=1"],
            exit: 1,
            line: rejected("path-invalid", "path"),
        },
    ];
    let mut failures = Vec::new();
    for CliCase {
        name,
        policy,
        args,
        exit: want_code,
        line: want,
    } in &cases
    {
        match check(policy, args) {
            Err(e) => failures.push(format!("  {name}: {e}")),
            Ok((code, mut line)) => {
                // A rejection's message is free text: present, not compared.
                if let Some(map) = line.as_object_mut()
                    && map.get("verdict") == Some(&json!("reject"))
                {
                    let message = map.remove("message");
                    if message
                        .as_ref()
                        .and_then(Value::as_str)
                        .is_none_or(str::is_empty)
                    {
                        failures.push(format!("  {name}: no message in {line}"));
                        continue;
                    }
                }
                if code != *want_code || line != *want {
                    failures.push(format!(
                        "  {name}: {args:?}\n    expected exit {want_code} {want}\n    got      exit {code} {line}"
                    ));
                }
            }
        }
    }
    assert_all_passed(&failures, cases.len());
}
