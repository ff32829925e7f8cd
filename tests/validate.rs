//! `input-guard validate --policy FILE` (DESIGN.md, "The binary"), driven
//! through the built executable: every error of a broken file at once,
//! with file:line:column and key, exit 2; a summary and exit 0 for a valid
//! one.
#![cfg(feature = "cli")]

// Unwraps here are test failures, not request paths.
mod common;

use std::process::Command;

use common::bin::{BIN, write_temp};
use common::policy::shipped_path;
use input_guard::Policy;

/// One finished `validate` run: exit code, standard output, standard error.
struct Validated {
    code: i32,
    stdout: String,
    stderr: String,
}

fn validate(policy: &str) -> Validated {
    let out = Command::new(BIN)
        .args(["validate", "--policy", policy])
        .output()
        .expect("run input-guard");
    Validated {
        code: out.status.code().expect("exit code"),
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
    }
}

/// A file with errors in five sections: a bad choice at the top, a byte
/// size with an unknown unit and a misspelt key in `[body]`, a class
/// pattern in `[classes]`, a range in `[xml]`, a route glob and a method in
/// `[[routes]]`.
const BROKEN: &str = r#"mode = "loud"

[body]
max_bytes = "10 mb"
max_part = 3

[classes]
allow = ["com.acme.**", "com.*.Order"]

[xml]
max_depth = 0

[[routes]]
path = "engine-rest/deployment/create"
methods = ["POST", "P OST"]
"#;

#[test]
fn every_error_is_listed_with_its_place_and_key() {
    let file = write_temp("broken.toml", BROKEN);
    let file = file.to_str().unwrap();
    let run = validate(file);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(run.stdout, "", "errors go to standard error only");
    let lines: Vec<&str> = run.stderr.lines().collect();
    let expected = [
        ("1:8", "mode", "expected one of: enforce, report"),
        ("4:13", "body.max_bytes", "unknown unit `mb`"),
        (
            "5:1",
            "body.max_part",
            "unknown key (expected one of: max_bytes",
        ),
        ("8:25", "classes.allow[1]", "`*`"),
        (
            "11:13",
            "xml.max_depth",
            "must be between 1 and 65536, not 0",
        ),
        ("14:8", "routes[0].path", "must start with `/`"),
        ("15:20", "routes[0].methods[1]", "not an HTTP method"),
    ];
    assert_eq!(lines.len(), expected.len() + 1, "{}", run.stderr);
    for (line, (place, key, message)) in lines.iter().zip(expected) {
        let head = format!("{file}:{place}: key `{key}`: ");
        assert!(line.starts_with(&head), "{line}\nwanted {head}");
        assert!(line.contains(message), "{line}\nwanted {message}");
    }
    assert_eq!(
        lines[expected.len()],
        format!("input-guard: 7 errors in {file}")
    );
    // The library agrees, and `from_toml` still gives the first alone.
    let errors = Policy::from_toml_all(BROKEN).unwrap_err();
    assert_eq!(errors.len(), expected.len());
    assert_eq!(Policy::from_toml(BROKEN).unwrap_err().key(), "mode");
}

#[test]
fn one_error_and_unreadable_files() {
    let file = write_temp("one-error.toml", "[xml]\nmax_depth = \"deep\"\n");
    let file = file.to_str().unwrap();
    let run = validate(file);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        format!(
            "{file}:2:13: key `xml.max_depth`: expected a whole number; found the text \"deep\"\n\
             input-guard: 1 error in {file}\n"
        )
    );
    let missing = validate("/no/such/policy.toml");
    assert_eq!(missing.code, 2);
    assert!(
        missing
            .stderr
            .starts_with("/no/such/policy.toml: cannot read policy: "),
        "{}",
        missing.stderr
    );
    // Not TOML at all: the parser's error, with its place.
    let syntax = write_temp("syntax.toml", "[body]\nmax_bytes = [\n");
    let syntax = syntax.to_str().unwrap();
    let run = validate(syntax);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.starts_with(&format!("{syntax}:2:")),
        "{}",
        run.stderr
    );
}

#[test]
fn shipped_policies_are_valid_and_summarised() {
    for (name, mode, limits) in [
        (
            "camunda.toml",
            "enforce",
            &[
                "at most 10MiB (inflated 50MiB, 100x)",
                "maxResults at most 1000",
                "deployment create: POST",
            ][..],
        ),
        (
            "strict.toml",
            "enforce",
            &[
                "at most 1MiB (inflated 1MiB, 20x)",
                "maxResults at most 100",
                "0 own, then",
            ][..],
        ),
    ] {
        let path = shipped_path(name);
        let run = validate(&path);
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
        assert_eq!(run.stderr, "", "{name}");
        let first = run.stdout.lines().next().unwrap_or_default();
        assert_eq!(first, format!("policy {path} is valid"));
        assert!(
            run.stdout.contains(&format!("mode      {mode}")),
            "{}",
            run.stdout
        );
        for limit in limits {
            assert!(
                run.stdout.contains(limit),
                "{name} lacks {limit}:\n{}",
                run.stdout
            );
        }
        let lines = run.stdout.lines().count();
        assert!(lines <= 25, "{name}: {lines} lines:\n{}", run.stdout);
        assert!(
            run.stdout.lines().all(|l| l.chars().count() <= 100),
            "{}",
            run.stdout
        );
    }
}

#[test]
fn the_summary_shows_units_and_report_mode() {
    // Near miss of the broken file: every error fixed, sizes with units.
    let fixed = BROKEN
        .replace("\"loud\"", "\"report\"")
        .replace("\"10 mb\"", "\"10 MiB\"")
        .replace("max_part ", "max_parts ")
        .replace("com.*.Order", "com.acme.Order")
        .replace("max_depth = 0", "max_depth = 1")
        .replace("path = \"engine-rest", "path = \"/engine-rest")
        .replace("\"P OST\"", "\"PUT\"");
    let file = write_temp("fixed.toml", &fixed);
    let run = validate(file.to_str().unwrap());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let builtin = input_guard::policy::BuiltinRoutes::Camunda7.routes().len();
    for part in [
        "mode      report",
        "at most 10MiB",
        "3 multipart parts",
        "2 allow and 0 deny patterns",
        "depth 1,",
        &format!("1 own, then {builtin} built-in (camunda7)"),
        "- POST,PUT /engine-rest/deployment/create",
    ] {
        assert!(run.stdout.contains(part), "lacks {part}:\n{}", run.stdout);
    }
}

/// A byte size with a unit is the same policy as the plain number.
#[test]
fn size_units_load_as_their_numbers() {
    let units = Policy::from_toml(
        "[body]\nmax_bytes = \"1MiB\"\nmax_inflated_bytes = \"2 MB\"\n[xml]\nmax_value_bytes = \"64KiB\"\n",
    )
    .unwrap();
    let numbers = Policy::from_toml(
        "[body]\nmax_bytes = 1048576\nmax_inflated_bytes = 2000000\n[xml]\nmax_value_bytes = 65536\n",
    )
    .unwrap();
    assert_eq!(units, numbers);
    // Near miss: a count takes no unit.
    assert!(Policy::from_toml("[xml]\nmax_depth = \"64KiB\"\n").is_err());
}
