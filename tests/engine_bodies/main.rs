// Test code: unwraps here are test failures, not request paths.
//! The engine-agreement suite for request BODIES (issue 12, item 7).
//!
//! Every case (the project's own corpus plus generated mutations) goes
//! through the guard in-process, under the bundled `policies/camunda.toml`
//! and under a minimal policy (`[classes] allow = ["com.acme.**"]`), and
//! the whole batch goes through ONE run of `tests/engine/BodyOracle*.java`,
//! which reads each body with the libraries Camunda 7 itself uses (Jackson 2
//! as engine-rest configures it, the JDK's Xerces with the engine's parser
//! settings and with a recording XXE-enabled configuration,
//! commons-fileupload 1.4 as `MultipartPayloadProvider` drives it, then the
//! deployment and variable-upload code paths) and prints what the engine
//! would act on.
//!
//! A case FAILS when
//! * the guard ALLOWS a body in which the Java side sees something the
//!   policy forbids ([`dangers`]): a class the guard's class filter denies,
//!   a type id naming one, Java serialization, a DOCTYPE, an external load
//!   or entity expansion, XInclude, XSLT, a forbidden element or attribute,
//!   a forbidden schema location or stylesheet, inside the body itself, in
//!   a document carried in a JSON string, or in a deployment resource the
//!   engine parses as a model (so a model resource the guard did not
//!   inspect shows here); or
//! * the guard REFUSES a body the Java side reads as plainly benign
//!   ([`json_benign`], [`xml_benign`], [`multipart_benign`]: narrow,
//!   defined there).
//!
//! One test binary (`cargo test --test engine_bodies`), one test
//! ([`guard_agrees_with_the_engines_body_parsers`], below); its parts:
//!
//! | module | what it holds |
//! |---|---|
//! | [`json_cases`] | JSON bodies: the literals of `tests/json/`, fuzz seeds, the corpus, typed variables in every spelling, escapes, encodings |
//! | [`xml_cases`] | XML bodies: the literals of `tests/xml/`, fuzz seeds, the corpus, attacks and near misses, encodings |
//! | [`multipart_cases`] | multipart bodies: deployments and variable uploads, part headers as commons-fileupload reads them |
//! | [`oracle`] | the batch file and the one run of `tests/engine/BodyOracle*.java` |
//! | [`judge`] | what the oracle's facts mean: something the policy forbids ([`judge::Judge::json_dangers`], ...) or plainly benign |

#[path = "../common/mod.rs"]
mod common;

mod json_cases;
mod judge;
mod multipart_cases;
mod oracle;
mod xml_cases;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use input_guard::{Guard, Policy, Verdict};
use serde_json::Value;

use json_cases::json_cases;
use judge::{Judge, charset, flag, num, strs};
use multipart_cases::multipart_cases;
use oracle::run_oracle;
use xml_cases::{encoded_documents, xml_cases, xml_documents};

// ------------------------------------------------------------------ cases

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Json,
    Xml,
    Multipart,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Json => "json",
            Kind::Xml => "xml",
            Kind::Multipart => "multipart",
        }
    }
}

/// One request: what the guard gets, and what the oracle gets.
struct Case {
    kind: Kind,
    /// Where the case comes from and what it varies.
    label: String,
    method: &'static str,
    uri: &'static str,
    content_type: String,
    body: Vec<u8>,
}

impl Case {
    /// The multipart reader the engine runs behind this URI.
    fn route(&self) -> &'static str {
        if self.uri.ends_with("/deployment/create") {
            "deploy"
        } else if self.uri.ends_with("/data") {
            "upload"
        } else {
            "other"
        }
    }
}

const START: &str = "/engine-rest/process-definition/key/p/start";
const PUT_VARIABLE: &str = "/engine-rest/process-instance/abc/variables/v";
const MESSAGE: &str = "/engine-rest/message";
const DEPLOY: &str = "/engine-rest/deployment/create";
const UPLOAD: &str = "/engine-rest/process-instance/abc/variables/v/data";

const GADGETS: &[&str] = &[
    "com.sun.rowset.JdbcRowSetImpl",
    "org.apache.commons.collections.functors.InvokerTransformer",
    "com.sun.org.apache.xalan.internal.xsltc.trax.TemplatesImpl",
    "java.lang.Runtime",
    "java.util.HashMap<java.lang.String,com.sun.rowset.JdbcRowSetImpl>",
    "[Lcom.sun.rowset.JdbcRowSetImpl;",
];
const ALLOWED: &[&str] = &[
    "java.util.HashMap",
    "java.util.ArrayList<java.lang.String>",
    "java.util.HashMap<java.lang.String,java.lang.Object>",
    "java.util.HashMap<java.lang.String,com.acme.Order>",
    "com.acme.Order",
    "java.lang.String",
];

/// The characters issue 12 names: every C0 control and space, DEL, NEL,
/// NBSP, LINE SEPARATOR, BOM.
fn odd_chars() -> Vec<char> {
    (0u32..=0x20)
        .chain([0x7f, 0x85, 0xa0, 0x2028, 0xfeff])
        .filter_map(char::from_u32)
        .collect()
}

fn here() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Files of a folder, sorted, as (file name, bytes).
fn folder(rel: &str) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(here().join(rel))
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

/// The raw string literals (`r#"..."#`) of a Rust source file: the bodies
/// the project's own tests use.
fn raw_literals(src: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = src;
    while let Some(start) = rest.find("r#\"") {
        rest = &rest[start + 3..];
        let Some(end) = rest.find("\"#") else { break };
        out.push(rest[..end].to_owned());
        rest = &rest[end + 2..];
    }
    out
}

/// The Rust sources of a test folder (`tests/json`), in file-name order, as
/// one text: where the project's own test bodies are found.
fn sources(rel: &str) -> String {
    folder(rel)
        .into_iter()
        .filter(|(name, _)| name.ends_with(".rs"))
        .map(|(_, bytes)| String::from_utf8(bytes).unwrap())
        .collect()
}

// ------------------------------------------------------------------ test

/// The oracle must see what it exists to see: a few cases whose facts are
/// known, so that a broken oracle (which would make every comparison pass)
/// fails the test instead.
fn check_canaries(cases: &[Case], facts: &[Value]) {
    let fact = |label: &str| -> &Value {
        let i = cases
            .iter()
            .position(|c| c.label == label)
            .unwrap_or_else(|| panic!("canary case {label:?} missing"));
        &facts[i]
    };
    let has = |v: &Value, want: &str| strs(v).any(|s| s == want);
    let gadget = "com.sun.rowset.JdbcRowSetImpl";
    let canaries: Vec<(&str, bool)> = vec![
        (
            "`type ` is the engine's `type` field (String.trim)",
            fact("upload type name U+0020 after com.sun.rowset.JdbcRowSetImpl")["multipart"]["upload"]
                ["type_classes"]
                .as_array()
                .is_some_and(|a| a.iter().any(|c| c == gadget)),
        ),
        (
            "`\u{1}type` is the engine's `type` field",
            fact("upload type name U+0001 before com.sun.rowset.JdbcRowSetImpl")["multipart"]["map"]
                .get("type")
                .is_some(),
        ),
        (
            "an RFC 2047 name is decoded",
            fact("upload disposition `form-data; name=\"=?UTF-8?B?dHlwZQ==?=\"` com.sun.rowset.JdbcRowSetImpl")
                ["multipart"]["map"]
                .get("type")
                .is_some(),
        ),
        (
            "`p.bpmn\t` is the BPMN resource `p.bpmn`",
            fact("deploy file name U+0009 after xxe")["multipart"]["deploy"]["resources"][0]["name"]
                == "p.bpmn",
        ),
        (
            "`pbpmn` is parsed as BPMN",
            has(&fact("deploy \"pbpmn\" xxe")["multipart"]["deploy"]["resources"][0]["deployers"], "bpmn"),
        ),
        (
            "`P.BPMN` is not parsed by the engine",
            fact("deploy \"P.BPMN\" xxe")["multipart"]["deploy"]["resources"][0]["deployers"]
                .as_array()
                .is_some_and(Vec::is_empty),
        ),
        (
            "an external entity load is recorded",
            has(&fact("external entity")["xml"]["external_loads"], "file:///etc/passwd"),
        ),
        (
            "a parameter entity load is recorded",
            has(&fact("parameter entity")["xml"]["external_loads"], "http://evil.example/p.dtd"),
        ),
        ("internal entity expansions are counted", num(&fact("billion laughs")["xml"], "entity_expansions") >= 20),
        ("Camunda's settings refuse a DOCTYPE", !flag(&fact("internal DOCTYPE")["xml"], "camunda_ok")),
        ("xi:include is seen", flag(&fact("xinclude")["xml"], "xinclude")),
        (
            "xs:import schemaLocation is seen",
            has(&fact("xs:import schemaLocation file url")["xml"]["schema_locations"], "single\tfile:///etc/passwd"),
        ),
        ("a windows-1252 model is read as such", fact("corpus/win1252.dmn")["xml"]["encoding"] == "windows-1252"),
        (
            "an escaped key is decoded",
            has(&fact("escaped key: objectTypeName all escaped, upper hex")["json"]["classes"], gadget),
        ),
        (
            "a type id in carried JSON is seen",
            fact("start: Json carrying @class com.sun.rowset.JdbcRowSetImpl")["json"]["carried_json"][0]["type_ids"][0][1]
                == gadget,
        ),
        (
            "duplicates are seen",
            flag(&fact("duplicate objectTypeName com.sun.rowset.JdbcRowSetImpl then java.util.HashMap")["json"], "duplicates"),
        ),
        (
            "Java serialization is seen",
            flag(&fact("start: object java.util.HashMap APPLICATION/X-JAVA-SERIALIZED-OBJECT")["json"], "java_serialization"),
        ),
    ];
    let broken: Vec<&str> = canaries
        .iter()
        .filter(|(_, ok)| !ok)
        .map(|(what, _)| *what)
        .collect();
    assert!(
        broken.is_empty(),
        "the body oracle does not see: {broken:?}"
    );
}

#[derive(Default)]
struct Tally {
    cases: usize,
    checks: usize,
    allowed: usize,
    benign: usize,
    dangerous: usize,
    disagreements: usize,
}

fn printable(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(600)]);
    let mut out = String::new();
    for c in text.chars() {
        if c == '\r' {
            out.push_str("\\r");
        } else if c == '\n' {
            out.push_str("\\n");
        } else if (c as u32) < 0x20
            || c == '\u{7f}'
            || c == '\u{85}'
            || c == '\u{a0}'
            || c == '\u{2028}'
            || c == '\u{feff}'
        {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    if bytes.len() > 600 {
        out.push_str("...");
    }
    out
}

#[test]
fn guard_agrees_with_the_engines_body_parsers() {
    let started = std::time::Instant::now();
    let mut cases = json_cases();
    cases.extend(xml_cases());
    cases.extend(multipart_cases());
    let Some(facts) = run_oracle(&cases) else {
        return;
    };
    let oracle_time = started.elapsed();
    check_canaries(&cases, &facts);
    let camunda = Guard::new(
        Policy::load(here().join("policies/camunda.toml")).unwrap_or_else(|e| panic!("{e}")),
    )
    .expect("a valid policy");
    let minimal = Guard::new(Policy::from_toml("[classes]\nallow = [\"com.acme.**\"]\n").unwrap())
        .expect("a valid policy");
    let policies = [("camunda.toml", &camunda), ("minimal", &minimal)];
    let mut tally: BTreeMap<Kind, Tally> = BTreeMap::new();
    let mut failures: Vec<String> = Vec::new();
    let mut causes: BTreeMap<String, usize> = BTreeMap::new();
    for (case, fact) in cases.iter().zip(&facts) {
        let t = tally.entry(case.kind).or_default();
        t.cases += 1;
        if let Some(err) = fact.get("oracle_error") {
            t.disagreements += 1;
            failures.push(format!(
                "[{}] {}: the oracle failed: {err}",
                case.kind.name(),
                case.label
            ));
            continue;
        }
        for (policy_name, guard) in policies {
            t.checks += 1;
            let judge = Judge { guard };
            let (head, ()) = http::Request::builder()
                .method(case.method)
                .uri(case.uri)
                .header("content-type", case.content_type.as_str())
                .body(())
                .unwrap()
                .into_parts();
            let verdict = guard.check(&head, &case.body);
            let allowed = verdict.is_allowed();
            let mut dangers = Vec::new();
            let benign = match case.kind {
                Kind::Json => {
                    judge.json_dangers(&fact["json"], &mut dangers, "");
                    judge.json_benign(
                        &fact["json"],
                        Some((&case.body, charset(Some(&case.content_type)).as_deref())),
                        0,
                    )
                }
                Kind::Xml => {
                    judge.xml_dangers(&fact["xml"], &mut dangers, "");
                    judge.xml_benign(
                        &fact["xml"],
                        charset(Some(&case.content_type)).as_deref(),
                        true,
                    )
                }
                Kind::Multipart => {
                    judge.multipart_dangers(&fact["multipart"], case.route(), &mut dangers);
                    judge.multipart_benign(
                        &fact["multipart"],
                        case.route(),
                        &case.content_type,
                        &case.body,
                    )
                }
            };
            t.allowed += usize::from(allowed);
            t.benign += usize::from(benign.is_ok());
            t.dangerous += usize::from(!dangers.is_empty());
            let problem = if allowed && !dangers.is_empty() {
                let cause = dangers[0]
                    .split([' ', ':'])
                    .take(3)
                    .collect::<Vec<_>>()
                    .join(" ");
                Some((
                    format!("ALLOWED, engine sees: {}", dangers.join("; ")),
                    format!("allowed: {cause}"),
                ))
            } else if let (Verdict::Reject(v), Ok(())) = (&verdict, &benign) {
                Some((
                    format!(
                        "REFUSED plainly benign body: {} at {} ({})",
                        v.code().as_str(),
                        v.location(),
                        v.message()
                    ),
                    format!("refused: {}", v.code().as_str()),
                ))
            } else {
                None
            };
            if let Some((why, cause)) = problem {
                t.disagreements += 1;
                *causes
                    .entry(format!("[{}] {cause}", case.kind.name()))
                    .or_default() += 1;
                failures.push(format!(
                    "[{}] {} ({policy_name}; {} {}; {}):\n    {why}\n    body: {}",
                    case.kind.name(),
                    case.label,
                    case.method,
                    case.uri,
                    case.content_type,
                    printable(&case.body)
                ));
            }
        }
    }
    let mut report = String::new();
    for (kind, t) in &tally {
        let _ = writeln!(
            report,
            "{}: {} cases ({} checks under 2 policies; {} allowed, {} plainly benign, {} with something to refuse), {} disagreements",
            kind.name(),
            t.cases,
            t.checks,
            t.allowed,
            t.benign,
            t.dangerous,
            t.disagreements
        );
    }
    for (cause, n) in &causes {
        let _ = writeln!(report, "  {n:5} {cause}");
    }
    let _ = writeln!(
        report,
        "oracle {:.1?}, total {:.1?}",
        oracle_time,
        started.elapsed()
    );
    eprint!("{report}");
    std::io::stderr().flush().unwrap();
    // Spread the listing over the causes: the first few of each.
    let mut shown: BTreeMap<String, usize> = BTreeMap::new();
    let mut listing = Vec::new();
    for f in &failures {
        let key = f
            .lines()
            .nth(1)
            .unwrap_or("")
            .split(':')
            .take(2)
            .collect::<String>();
        let n = shown.entry(key).or_default();
        *n += 1;
        if *n <= 3 && listing.len() < 30 {
            listing.push(f.as_str());
        }
    }
    let all = Path::new(env!("CARGO_TARGET_TMPDIR")).join("engine-bodies-disagreements.txt");
    std::fs::write(&all, failures.join("\n")).unwrap();
    assert!(
        failures.is_empty(),
        "{} disagreements between the guard and the engine's parsers (all of them in {}):\n{report}\n{}",
        failures.len(),
        all.display(),
        listing.join("\n")
    );
}
