// Test code: unwraps here are test failures, not request paths.
//! Request lines read as the engine reads them (issue 12, item 7): the guard
//! against Tomcat 9 + RESTEasy 3.0, the stack of Camunda 7's engine-rest on
//! Tomcat, with resources laid out like Camunda's (`tests/engine/Rest*.java`).
//!
//! One JVM serves the oracle on 127.0.0.1. Every generated request (method
//! spellings, path spellings, query spellings, JSON query bodies) is sent
//! to it raw over a `TcpStream`, and judged in-process by the guard with
//! `policies/camunda.toml` (`on_excess = "reject"`) and with the same
//! policy clamping instead (`on_excess = "clamp"`; a rewritten URI is sent
//! to the oracle too and judged as what the engine then runs).
//!
//! What the engine did is *dangerous* when it ran a list query unbounded
//! (Camunda's `QueryUtil.list`: no paging parameter, or `firstResult`
//! alone), with `maxResults` above the policy's cap or negative (some
//! databases read a negative LIMIT as none), or when a task-query resource
//! read an expression (a `...Expression` parameter, or a value holding
//! `${`/`#{`; see `RestReport.java`). It is *harmless* when a resource ran
//! and none of that holds (a bounded list under the cap, a count, a single
//! item). Anything RESTEasy or Tomcat refused itself (404, 405, 400, 415)
//! is neither.
//!
//! A case FAILS when
//! - the guard lets the request through (allow, or a rewrite the engine
//!   then runs) and the engine's run was dangerous ("bypass"), or
//! - the guard refuses a request the engine ran harmlessly, and the refusal
//!   is not one of the deliberate fail-closed rules below ("false refusal").
//!
//! Deliberate refusals (counted apart, listed by rule):
//! - `method-case`: a method that differs from a standard one only in
//!   letter case (issue 12 item 1: RESTEasy upper-cases, route rules match
//!   exactly; refused because no real client sends them);
//! - `dot-segment`: `.`/`..` path segments, raw, encoded or with `;params`
//!   (issue 12 item 2: Tomcat resolves them, RESTEasy does not);
//! - `ambiguous-path`: `path-invalid` for encoded `/`, `\`, `;`, raw `\`,
//!   malformed escapes, non-UTF-8 or control characters in the path;
//! - `repeated-paging`: every copy of a repeated `maxResults`/`firstResult`
//!   is judged (JAX-RS binds the first; other readers take the last);
//! - `strict-paging`: paging values must be plain ASCII digits (`%2B5` and
//!   fullwidth `５`, which `Integer.valueOf` reads as 5, are refused);
//! - `expressions`: expressions refused in any parameter of a query route
//!   and anywhere in a task-query body, also where Camunda would not
//!   evaluate them (`assignee=${x}`, a query-string expression on POST);
//! - `query-malformed`: malformed escapes or non-UTF-8 in the query
//!   (RESTEasy keeps such text raw or replaces it; the guard fails closed);
//! - `duplicate-keys`: a JSON body with a member twice (Jackson binds the
//!   last; other readers take the first);
//! - `body-paging`: `maxResults` in a JSON query body held to the cap,
//!   though Camunda reads paging from the query string only;
//! - `not-http`: the `http` crate cannot build the request (hyper, in front
//!   of the guard, refuses it before the guard runs).
//!
//! Besides the counts, the test prints where the guard routes a request
//! otherwise than the engine without a failure (the guard stricter, e.g.
//! `//task`, which RESTEasy does not match). `INPUT_GUARD_ENGINE_DUMP=FILE`
//! writes every case with the guard's verdict and what the engine did.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, ChildStdin, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::java;
use common::policy::CAMUNDA_PATH as POLICY;
use input_guard::{Guard, Policy, Verdict};
use serde_json::Value;

const SOURCES: &[&str] = &[
    "RestOracle.java",
    "RestApp.java",
    "RestResources.java",
    "RestReport.java",
];

/// Tomcat 9 (embedded), RESTEasy 3.0 and what they load, as Debian names them.
const JARS: &[&str] = &[
    "tomcat9-catalina.jar",
    "tomcat9-coyote.jar",
    "tomcat9-util.jar",
    "tomcat9-util-scan.jar",
    "tomcat9-juli.jar",
    "tomcat9-api.jar",
    "tomcat9-servlet-api.jar",
    "tomcat9-annotations-api.jar",
    "tomcat9-jaspic-api.jar",
    "resteasy-jaxrs.jar",
    "jaxrs-api.jar",
    "jboss-logging.jar",
    "jackson-core.jar",
    "jackson-databind.jar",
    "jackson-annotations.jar",
    "javax.activation.jar",
    "jaxb-api.jar",
    "commons-io.jar",
];

// ------------------------------------------------------------------ the JVM

/// The running oracle; killed when dropped, whatever happened.
struct Jvm {
    child: Child,
    stdin: Option<ChildStdin>,
    port: u16,
}

impl Drop for Jvm {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_oracle() -> Option<Jvm> {
    let oracle = java::build("requests", SOURCES, JARS)?;
    let mut child = oracle
        .command("RestOracle")
        .arg("0")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the RestOracle JVM");
    let stdin = child.stdin.take();
    let stdout = child.stdout.take().unwrap();
    // The guard owns the child from here on: a panic below still kills it.
    let mut jvm = Jvm {
        child,
        stdin,
        port: 0,
    };
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx
        .recv_timeout(Duration::from_secs(90))
        .expect("RestOracle did not report its port within 90 s");
    jvm.port = line
        .trim()
        .strip_prefix("PORT ")
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("RestOracle's first line is not `PORT n`: {line:?}"));
    Some(jvm)
}

// ------------------------------------------------------------------- cases

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Class {
    Method,
    Path,
    Query,
    Body,
}

#[derive(Debug, Clone)]
struct Case {
    class: Class,
    method: String,
    target: String,
    content_type: Option<&'static str>,
    body: Vec<u8>,
}

impl Case {
    fn get(class: Class, method: &str, target: String) -> Case {
        Case {
            class,
            method: method.to_owned(),
            target,
            content_type: None,
            body: Vec::new(),
        }
    }

    fn post(class: Class, method: &str, target: String, body: &str) -> Case {
        Case {
            class,
            method: method.to_owned(),
            target,
            content_type: Some("application/json"),
            body: body.as_bytes().to_vec(),
        }
    }

    fn show(&self) -> String {
        let mut s = format!("{} {}", self.method, self.target);
        if !self.body.is_empty() {
            s.push_str(&format!("  body {}", String::from_utf8_lossy(&self.body)));
        }
        s
    }

    fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    fn query(&self) -> &str {
        self.target.split_once('?').map_or("", |(_, q)| q)
    }
}

/// Percent-encodes every byte of `s` with hex digits in the given case.
fn encode_all(s: &str, upper: bool) -> String {
    s.bytes()
        .map(|b| {
            if upper {
                format!("%{b:02X}")
            } else {
                format!("%{b:02x}")
            }
        })
        .collect()
}

fn join(segments: &[String]) -> String {
    segments.iter().map(|s| format!("/{s}")).collect()
}

/// Path spellings of `/engine-rest/` + `resource`: every mutation at every
/// segment, and for variable segments (engine name, filter id) dot forms.
fn path_spellings(resource: &[&str], variable: &[usize]) -> Vec<String> {
    let mut segs: Vec<String> = vec!["engine-rest".to_owned()];
    segs.extend(resource.iter().map(|s| (*s).to_owned()));
    let mut out = vec![join(&segs), format!("{}/", join(&segs))];
    for i in 0..segs.len() {
        let before = join(&segs[..i]);
        let rest = join(&segs[i..]);
        // Separators and dot segments inserted before segment i.
        for insert in [
            "/",
            "/.",
            "/%2e",
            "/%2E",
            "/.;x",
            "/x/..",
            "/x/%2e%2e",
            "/x/%2E%2E",
            "/x/..;x",
            "/x/.%2e",
            "/;x",
            "/;",
        ] {
            out.push(format!("{before}{insert}{rest}"));
        }
        // The separator before segment i, spelled otherwise.
        let after = join(&segs[i + 1..]);
        let seg = &segs[i];
        if i > 0 {
            for sep in ["%2F", "%2f", "%5C", "%5c", "\\"] {
                out.push(format!("{before}{sep}{seg}{after}"));
            }
        }
        // Path parameters on segment i.
        for param in [";x", ";jsessionid=1", ";"] {
            out.push(format!("{before}/{seg}{param}{after}"));
        }
        // Percent-encoded letters, letter case.
        let mut chars = seg.chars();
        let first = chars.next().unwrap();
        let tail: String = chars.collect();
        out.push(format!(
            "{before}/{}{tail}{after}",
            encode_all(&first.to_string(), false)
        ));
        out.push(format!("{before}/{}{after}", encode_all(seg, false)));
        out.push(format!("{before}/{}{after}", encode_all(seg, true)));
        out.push(format!(
            "{before}/{}{tail}{after}",
            first.to_ascii_uppercase()
        ));
        out.push(format!("{before}/{}{after}", seg.to_ascii_uppercase()));
        if variable.contains(&i) {
            for dot in [
                ".", "..", "%2e", "%2E", "%2e%2e", ".%2e", ".;x", "..;x", "%2e;x", ".;", "", ";x",
                ";", "%20",
            ] {
                out.push(format!("{before}/{dot}{after}"));
            }
        }
    }
    out
}

const METHOD_SPELLINGS_GET: &[&str] = &["GET", "get", "Get", "gEt", "HEAD", "head", "Head"];
const METHOD_SPELLINGS_POST: &[&str] = &["POST", "post", "Post", "pOST"];

fn method_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    let targets = [
        "/engine-rest/task?maxResults=5000",
        "/engine-rest/task?maxResults=5",
        "/engine-rest/task?assigneeExpression=%24%7Bx%7D&maxResults=5",
        "/engine-rest/process-instance",
        "/engine-rest/process-instance?maxResults=5",
        "/engine-rest/engine/default/job?maxResults=5000",
        "/engine-rest/filter/F1/list?firstResult=0",
        "/engine-rest/history/process-instance?maxResults=10",
        "/engine-rest/task/abc",
        "/engine-rest/task/count",
    ];
    for m in METHOD_SPELLINGS_GET {
        for t in targets {
            cases.push(Case::get(Class::Method, m, t.to_owned()));
        }
    }
    let posts = [
        (
            "/engine-rest/task?maxResults=5",
            r#"{"assigneeExpression":"${x}"}"#,
        ),
        ("/engine-rest/task?maxResults=5", r#"{"assignee":"demo"}"#),
        ("/engine-rest/task?maxResults=5000", "{}"),
        ("/engine-rest/process-instance", "{}"),
        ("/engine-rest/process-instance?maxResults=5", "{}"),
        ("/engine-rest/filter/F1/list", r#"{"assignee":"demo"}"#),
        (
            "/engine-rest/task/count",
            r#"{"candidateUserExpression":"${x}"}"#,
        ),
    ];
    for m in METHOD_SPELLINGS_POST {
        for (t, body) in posts {
            cases.push(Case::post(Class::Method, m, t.to_owned(), body));
        }
    }
    // Other methods on list routes: the engine has none (405).
    for m in ["PUT", "put", "DELETE", "PATCH", "OPTIONS"] {
        cases.push(Case::get(
            Class::Method,
            m,
            "/engine-rest/task?maxResults=5000".to_owned(),
        ));
    }
    cases
}

fn path_cases(port: u16) -> Vec<Case> {
    // (segments after /engine-rest, indices of variable segments counted
    // with /engine-rest as 0)
    let resources: &[(&[&str], &[usize])] = &[
        (&["task"], &[]),
        (&["task", "count"], &[]),
        (&["task", "abc"], &[2]),
        (&["process-instance"], &[]),
        (&["history", "process-instance"], &[]),
        (&["filter", "F1", "list"], &[2]),
        (&["filter", "F1"], &[2]),
        (&["deployment"], &[]),
        (&["job"], &[]),
        (&["variable-instance"], &[]),
        (&["engine", "default", "task"], &[2]),
        (&["engine", "default", "filter", "F1", "list"], &[2, 4]),
        (&["engine", "default", "job"], &[2]),
        (&["engine", "default", "history", "process-instance"], &[2]),
    ];
    let mut cases = Vec::new();
    for (resource, variable) in resources {
        for path in path_spellings(resource, variable) {
            for query in ["?maxResults=5000", "?maxResults=5", ""] {
                cases.push(Case::get(Class::Path, "GET", format!("{path}{query}")));
            }
        }
        // The POST query of each list resource, where Camunda has one.
        let plain = format!("/engine-rest/{}", resource.join("/"));
        for query in ["?maxResults=5000", "?maxResults=5"] {
            cases.push(Case::post(
                Class::Path,
                "POST",
                format!("{plain}/{query}"),
                "{}",
            ));
            cases.push(Case::post(
                Class::Path,
                "POST",
                format!("{plain};x{query}"),
                "{}",
            ));
        }
    }
    // A few outside the generated shapes.
    for target in [
        "//engine-rest/task?maxResults=5000",
        "/engine-rest/engine?maxResults=5000",
        "/engine-rest/engine/?maxResults=5000",
        "/engine-rest/engine/default?maxResults=5000",
        "/engine-rest/engine/a%20b/task?maxResults=5000",
        "/engine-rest/engine/%64efault/task?maxResults=5000",
        "/engine-rest/engine/default%3Bx/task?maxResults=5000",
        "/engine-rest/engine/default/task%3Bx?maxResults=5000",
        "/engine-rest/task%3Bx?maxResults=5000",
        "/engine-rest/task%00?maxResults=5000",
        "/engine-rest/task%20?maxResults=5000",
        "/engine-rest/task%09?maxResults=5000",
        "/engine-rest/filter/%2F/list?maxResults=5000",
        "/engine-rest/filter/a%2Fb/list?maxResults=5000",
        "/engine-rest/filter/%C3%A9/list?maxResults=5000",
        "/engine-rest/filter/%FF/list?maxResults=5000",
        "/engine-rest/filter/%ZZ/list?maxResults=5000",
        "/engine-rest/filter/%/list?maxResults=5000",
        "/engine-rest/task/count/x?maxResults=5000",
        "/engine-rest/task//count?maxResults=5000",
        "/engine-rest/task/count;x?maxResults=5000",
        "/engine-rest/task/./count?maxResults=5000",
        "/engine-rest/task?maxResults=5000#frag",
        "/engine-rest/task#/x?maxResults=5000",
        "/engine-rest/../engine-rest/task?maxResults=5000",
        "/engine-rest/task/..?maxResults=5000",
        "/engine-rest/task/.?maxResults=5000",
        "/engine-rest/task/abc/..?maxResults=5000",
        "/engine-rest/history/x/../process-instance?maxResults=5000",
        "http://127.0.0.1/engine-rest/task?maxResults=5000",
        "http://x/engine-rest/task?maxResults=5000",
        "*",
    ] {
        cases.push(Case::get(Class::Path, "GET", target.to_owned()));
    }
    // Absolute-form targets naming this server (Tomcat takes them when the
    // authority matches the Host header).
    for path in [
        "/engine-rest/task?maxResults=5000",
        "/engine-rest/task?maxResults=5",
        "/engine-rest/engine/./task?maxResults=5000",
        "//engine-rest/task?maxResults=5000",
    ] {
        cases.push(Case::get(
            Class::Path,
            "GET",
            format!("http://127.0.0.1:{port}{path}"),
        ));
    }
    cases
}

/// Query spellings (without `?`), each with what it is about.
const QUERIES: &[&str] = &[
    "",
    "maxResults=5",
    "maxResults=1000",
    "maxResults=1001",
    "maxResults=5000",
    "maxResults=2147483647",
    "maxResults=2147483648",
    "maxResults=-1",
    "maxResults=0",
    "maxresults=5000",
    "maxresults=5",
    "MAXRESULTS=5",
    "MaxResults=5",
    "%6DaxResults=5000",
    "%6daxResults=5",
    "max%52esults=5000",
    "%6D%61%78%52%65%73%75%6C%74%73=5000",
    "maxResults=%35%30%30%30",
    "maxResults=+5000",
    "maxResults=+5",
    "maxResults=%2B5000",
    "maxResults=%2B5",
    "maxResults=%2D1",
    "maxResults=5000&maxResults=1",
    "maxResults=1&maxResults=5000",
    "maxResults=5&maxResults=6",
    "maxResults=05000",
    "maxResults=0005",
    "maxResults=%205000",
    "maxResults=%205",
    "maxResults=5%20",
    "maxResults= 5000",
    "maxResults=5e3",
    // Integer.valueOf reads any Unicode decimal digit (Character.digit):
    // Arabic-Indic and fullwidth 5000.
    "maxResults=%D9%A5%D9%A0%D9%A0%D9%A0",
    "maxResults=%EF%BC%95%EF%BC%90%EF%BC%90%EF%BC%90",
    "maxResults=%EF%BC%95",
    "maxResults=0x10",
    "maxResults=5.0",
    "maxResults=",
    "maxResults",
    "maxResults=5&firstResult=",
    "firstResult=0",
    "firstResult=10",
    "firstResult=0&maxResults=5",
    "firstResult=0&maxResults=5000",
    "firstResult=-1&maxResults=5",
    "maxResults=5;firstResult=0",
    "a=1;maxResults=5",
    "maxResults=5000;x",
    "maxResults=5;x",
    "&maxResults=5",
    "maxResults=5&",
    "&&maxResults=5000&&",
    "maxResults=5&&x",
    "=5&maxResults=5",
    "maxResults==5",
    "maxResults=5=6",
    "maxResults=5?maxResults=5000",
    "maxResults+=5000",
    "+maxResults=5000",
    "max+Results=5000",
    "maxResults%20=5000",
    "%20maxResults=5000",
    "maxResults%00=5000",
    "maxResults=5&x=%FF",
    "maxResults=5&x=%",
    "maxResults=5&x=%zz",
    "maxResults=5&x=%C3%A9",
    "maxResults=5&assignee=demo",
    "maxResults=5&assigneeExpression=${x}",
    "maxResults=5&assigneeExpression=%24%7Bx%7D",
    "maxResults=5&assigneeExpression=%23%7Bx%7D",
    "maxResults=5&assigneeExpression=abc",
    "maxResults=5&assigneeExpression=",
    "maxResults=5&assigneeExpression",
    "maxResults=5&assignee%45xpression=%24%7Bx%7D",
    "maxResults=5&assignee%45xpression=abc",
    "maxResults=5&%61ssigneeExpression=abc",
    "maxResults=5&assigneeexpression=abc",
    "maxResults=5&assigneeexpression=",
    "maxResults=5&assigneeexpression=%24%7Bx%7D",
    "maxResults=5&AssigneeExpression=abc",
    "maxResults=5&assigneeExpression+=abc",
    "maxResults=5&assigneeExpression%20=abc",
    "maxResults=5&assigneeExpression=abc&assigneeExpression=%24%7Bx%7D",
    "maxResults=5&assignee=%24%7Bx%7D",
    "maxResults=5&assignee=$%7Bx%7D",
    "maxResults=5&assignee=%24{x}",
    "maxResults=5&assignee=a&assignee=%24%7Bx%7D",
    "maxResults=5&candidateUserExpression=%24%7BcurrentUser()%7D",
    "maxResults=5&dueBeforeExpression=%24%7Bnow()%7D",
    "maxResults=5;assigneeExpression=%24%7Bx%7D",
    "maxResults=5&sortBy=created&sortOrder=asc",
];

fn query_cases() -> Vec<Case> {
    let gets = [
        "/engine-rest/task",
        "/engine-rest/task/count",
        "/engine-rest/task/abc",
        "/engine-rest/process-instance",
        "/engine-rest/engine/default/job",
        "/engine-rest/filter/F1/list",
        "/engine-rest/filter/F1/count",
        "/engine-rest/history/process-instance",
        "/engine-rest/deployment",
    ];
    let posts = [
        "/engine-rest/task",
        "/engine-rest/process-instance",
        "/engine-rest/filter/F1/list",
    ];
    let mut cases = Vec::new();
    for q in QUERIES {
        let q = if q.is_empty() {
            String::new()
        } else {
            format!("?{q}")
        };
        for path in gets {
            cases.push(Case::get(Class::Query, "GET", format!("{path}{q}")));
        }
        for path in posts {
            cases.push(Case::post(Class::Query, "POST", format!("{path}{q}"), "{}"));
        }
    }
    cases
}

const BODIES: &[&str] = &[
    "",
    "{}",
    r#"{"assignee":"demo"}"#,
    r#"{"assigneeExpression":"${currentUser()}"}"#,
    r##"{"assigneeExpression":"#{x}"}"##,
    r#"{"assigneeExpression":"x"}"#,
    r#"{"assigneeExpression":null}"#,
    r#"{"assignee\u0045xpression":"x"}"#,
    r#"{"\u0061ssigneeExpression":"x"}"#,
    r#"{"assignee":"${x}"}"#,
    r##"{"assignee":"#{x}"}"##,
    r#"{"assignee":"$\u007bx}"}"#,
    r#"{"assignee":"\u0024{x}"}"#,
    r#"{"assigneeexpression":"x"}"#,
    r#"{"AssigneeExpression":"x"}"#,
    r#"{"orQueries":[{"candidateGroupExpression":"${x}"}]}"#,
    r#"{"processVariables":[{"name":"a","operator":"eq","value":"${x}"}]}"#,
    r#"{"assigneeExpression":"a","assigneeExpression":"${x}"}"#,
    r#"{"maxResults":5000}"#,
    r#"{"maxResults":5}"#,
    r#"{"firstResult":0}"#,
    r##"{"sorting":[{"sortBy":"processVariable","parameters":{"variable":"#{x}","type":"String"}}]}"##,
    r#"{"assignee":"demo",}"#,
    r#"{"assignee":"demo"} x"#,
];

fn body_cases() -> Vec<Case> {
    let targets = [
        "/engine-rest/task?maxResults=5",
        "/engine-rest/task?maxResults=5000",
        "/engine-rest/engine/default/task?maxResults=5",
        "/engine-rest/task/count",
        "/engine-rest/filter/F1/list?maxResults=5",
        "/engine-rest/filter/F1/count",
        "/engine-rest/filter/F1/singleResult",
        "/engine-rest/process-instance?maxResults=5",
    ];
    let mut cases = Vec::new();
    for body in BODIES {
        for t in targets {
            for m in ["POST", "post"] {
                cases.push(Case::post(Class::Body, m, t.to_owned(), body));
            }
        }
    }
    // Content types the engine's JSON resources take or refuse.
    for ct in [
        "application/json; charset=UTF-8",
        "application/json;charset=utf-8",
        "Application/JSON",
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/vnd.api+json",
    ] {
        for body in [r#"{"assigneeExpression":"${x}"}"#, r#"{"assignee":"demo"}"#] {
            let mut case = Case::post(
                Class::Body,
                "POST",
                "/engine-rest/task?maxResults=5".to_owned(),
                body,
            );
            case.content_type = Some(ct);
            cases.push(case);
        }
    }
    let mut none = Case::post(
        Class::Body,
        "POST",
        "/engine-rest/task?maxResults=5".to_owned(),
        r#"{"assigneeExpression":"${x}"}"#,
    );
    none.content_type = None;
    cases.push(none);
    cases
}

// ------------------------------------------------------------ the engine

#[derive(Debug, Clone)]
enum Engine {
    /// A resource method ran; its report.
    Ran(Value),
    /// RESTEasy refused (404, 405, 415, a parameter that does not convert).
    Refused(u16, String),
    /// Tomcat refused before RESTEasy (no oracle header), or no answer.
    Container(u16),
}

impl Engine {
    /// `Some(reason)` when what ran is dangerous, `None` when harmless;
    /// for a refusal, `None` too (see `harmless`).
    fn danger(&self, cap: i64) -> Option<String> {
        let Engine::Ran(v) = self else {
            return None;
        };
        let route = v["ran"].as_str().unwrap_or("?");
        let engine = v["engine"]
            .as_str()
            .map_or(String::new(), |e| format!(" of engine {e:?}"));
        if v["list"].as_bool() == Some(true) {
            if v["unbounded"].as_bool() == Some(true) {
                return Some(format!("ran {route}{engine} unbounded"));
            }
            if let Some(max) = v["effectiveMax"].as_i64()
                && (max > cap || max < 0)
            {
                return Some(format!("ran {route}{engine} with maxResults {max}"));
            }
        }
        if v["taskQuery"].as_bool() == Some(true) {
            let names = v["exprNames"].as_array().map_or(0, Vec::len);
            let values = v["exprValues"].as_array().map_or(0, Vec::len);
            if names + values > 0 {
                return Some(format!(
                    "ran {route}{engine} with expressions {} {}",
                    v["exprNames"], v["exprValues"]
                ));
            }
        }
        None
    }

    fn harmless(&self, cap: i64) -> bool {
        matches!(self, Engine::Ran(_)) && self.danger(cap).is_none()
    }

    fn show(&self) -> String {
        match self {
            Engine::Ran(v) => format!(
                "ran {} ({} as {}, engine {}, firstResult {}, maxResults {}, path {})",
                v["ran"],
                v["rawMethod"],
                v["method"],
                v["engine"],
                v["firstResult"],
                v["maxResults"],
                v["path"]
            ),
            Engine::Refused(status, why) => format!("RESTEasy {status}: {why}"),
            Engine::Container(0) => "no answer".to_owned(),
            Engine::Container(status) => format!("Tomcat {status}"),
        }
    }
}

fn send(port: u16, case: &Case, target: &str) -> Engine {
    let mut request = format!(
        "{} {} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n",
        case.method, target
    );
    if let Some(ct) = case.content_type {
        request.push_str(&format!("Content-Type: {ct}\r\n"));
    }
    if !case.body.is_empty() || case.method.eq_ignore_ascii_case("POST") {
        request.push_str(&format!("Content-Length: {}\r\n", case.body.len()));
    }
    request.push_str("\r\n");
    let mut bytes = request.into_bytes();
    bytes.extend_from_slice(&case.body);
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
        .set_write_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(&bytes).unwrap();
    let mut response = Vec::new();
    // Tomcat may close early on a bad request; what arrived is enough.
    let _ = stream.read_to_end(&mut response);
    let text = String::from_utf8_lossy(&response);
    let head = text.split("\r\n\r\n").next().unwrap_or("");
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let oracle = lines.find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.eq_ignore_ascii_case("x-oracle")
            .then(|| value.trim().to_owned())
    });
    let Some(oracle) = oracle else {
        return Engine::Container(status);
    };
    let v: Value = serde_json::from_str(&oracle)
        .unwrap_or_else(|e| panic!("oracle header is not JSON ({e}): {oracle}"));
    if v.get("ran").is_some() {
        Engine::Ran(v)
    } else {
        let why = format!(
            "{} {}",
            v["kind"].as_str().unwrap_or(""),
            v["why"].as_str().unwrap_or("")
        );
        Engine::Refused(status, why.chars().take(120).collect())
    }
}

// ------------------------------------------------------------- the guard

#[derive(Debug, Clone)]
enum GuardSays {
    Allow,
    Rewrite(String),
    Reject { code: String, location: String },
    NotHttp,
}

fn judge(guard: &Guard, case: &Case) -> GuardSays {
    let mut builder = http::Request::builder()
        .method(case.method.as_str())
        .uri(case.target.as_str())
        .header("host", "127.0.0.1");
    if let Some(ct) = case.content_type {
        builder = builder.header("content-type", ct);
    }
    if !case.body.is_empty() || case.method.eq_ignore_ascii_case("POST") {
        builder = builder.header("content-length", case.body.len().to_string());
    }
    let (parts, ()) = match builder.body(()) {
        Ok(request) => request.into_parts(),
        Err(_) => return GuardSays::NotHttp,
    };
    match guard.check(&parts, &case.body) {
        Verdict::Allow => GuardSays::Allow,
        Verdict::Rewrite(uri) => GuardSays::Rewrite(
            uri.path_and_query()
                .map_or_else(|| uri.to_string(), |pq| pq.as_str().to_owned()),
        ),
        Verdict::Reject(v) | Verdict::Report(v) => GuardSays::Reject {
            code: v.code().as_str().to_owned(),
            location: v.location().to_owned(),
        },
    }
}

/// How the guard routes a request: the kinds of rule it applies.
fn guard_view(guard: &Guard, case: &Case) -> String {
    let Ok(request) = http::Request::builder()
        .method(case.method.as_str())
        .uri(case.target.as_str())
        .body(())
    else {
        return "not-http".to_owned();
    };
    let (parts, ()) = request.into_parts();
    // No headers, so what the head refuses is its method or path.
    let checked = guard.head(&parts);
    match (checked.verdict().violation(), checked.route()) {
        (None, Some(route)) => view(route.list_query, route.task_query).to_owned(),
        (None, None) => view(false, false).to_owned(),
        (Some(v), _) => format!("refused ({})", v.code().as_str()),
    }
}

/// How the engine routed it.
fn engine_view(engine: &Engine) -> String {
    match engine {
        Engine::Ran(v) => view(
            v["list"].as_bool() == Some(true),
            v["taskQuery"].as_bool() == Some(true),
        )
        .to_owned(),
        Engine::Refused(status, _) => format!("not run ({status})"),
        Engine::Container(status) => format!("not run (Tomcat {status})"),
    }
}

fn view(list: bool, task: bool) -> &'static str {
    match (list, task) {
        (true, true) => "task list",
        (true, false) => "list",
        (false, true) => "task query",
        (false, false) => "no query",
    }
}

// ------------------------------------------------- deliberate refusals

const STANDARD_METHODS: &[&str] = &[
    "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
];

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn has_dot_segment(path: &str) -> bool {
    path.split('/').any(|seg| {
        let seg = seg.split(';').next().unwrap_or("");
        matches!(percent_decode(seg).as_deref(), Some("." | ".."))
    })
}

fn ambiguous_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.contains("%2f")
        || lower.contains("%5c")
        || lower.contains("%3b")
        || path.contains('\\')
        || percent_decode(path).is_none_or(|d| d.chars().any(char::is_control))
}

/// Decoded (name, value) pairs of a query, `+` as space, lossy.
fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (n, v) = p.split_once('=').unwrap_or((p, ""));
            let dec =
                |s: &str| percent_decode(&s.replace('+', " ")).unwrap_or_else(|| s.to_owned());
            (dec(n), dec(v))
        })
        .collect()
}

/// Why a refusal of a request the engine ran harmlessly is on purpose, if
/// it is (see the module docs).
fn deliberate(case: &Case, code: &str, location: &str) -> Option<&'static str> {
    let m = case.method.as_str();
    if !STANDARD_METHODS.contains(&m) && STANDARD_METHODS.iter().any(|s| s.eq_ignore_ascii_case(m))
    {
        return Some("method-case");
    }
    let path = case.path();
    if code == "path-invalid" {
        if has_dot_segment(path) {
            return Some("dot-segment");
        }
        if ambiguous_path(path) {
            return Some("ambiguous-path");
        }
        return None;
    }
    let pairs = query_pairs(case.query());
    match code {
        "query-max-results-exceeded" | "query-invalid-paging" if location.starts_with('/') => {
            Some("body-paging")
        }
        "query-max-results-exceeded" | "query-invalid-paging" => {
            let copies = |n: &str| pairs.iter().filter(|(k, _)| k == n).count();
            if copies("maxResults") > 1 || copies("firstResult") > 1 {
                Some("repeated-paging")
            } else if code == "query-invalid-paging" {
                Some("strict-paging")
            } else {
                None
            }
        }
        "expression-not-allowed" => Some("expressions"),
        "query-malformed" => Some("query-malformed"),
        "json-duplicate-key" => Some("duplicate-keys"),
        _ => None,
    }
}

// ------------------------------------------------------------------ verdicts

#[derive(Debug, Default)]
struct Counts {
    cases: usize,
    agree: usize,
    bypass: usize,
    false_refusal: usize,
    deliberate: usize,
    ran: usize,
    dangerous: usize,
}

#[test]
fn request_lines_are_read_as_tomcat_and_resteasy_read_them() {
    let started = Instant::now();
    let Some(jvm) = start_oracle() else {
        return;
    };
    let reject = Guard::new(Policy::load(POLICY).unwrap()).expect("a valid policy");
    let text = std::fs::read_to_string(POLICY).unwrap();
    assert!(
        text.contains("on_excess = \"reject\""),
        "policy changed shape"
    );
    let clamp = Guard::new(
        Policy::from_toml(&text.replace("on_excess = \"reject\"", "on_excess = \"clamp\""))
            .unwrap(),
    )
    .expect("a valid policy");
    let cap = i64::from(reject.policy().query.max_results);
    assert!(cap > 0, "the bundled policy caps maxResults");

    let mut cases = method_cases();
    cases.extend(path_cases(jvm.port));
    cases.extend(query_cases());
    cases.extend(body_cases());
    // One request per distinct spelling.
    let mut seen = std::collections::HashSet::new();
    cases.retain(|c| {
        seen.insert((
            c.method.clone(),
            c.target.clone(),
            c.content_type,
            c.body.clone(),
        ))
    });
    assert!(cases.len() < 6000, "too many cases: {}", cases.len());

    let mut counts: BTreeMap<Class, Counts> = BTreeMap::new();
    let mut deliberate_by_rule: BTreeMap<&str, usize> = BTreeMap::new();
    let mut failures: Vec<String> = Vec::new();
    let mut rewritten: HashMap<(String, String, Vec<u8>), Engine> = HashMap::new();
    // Where guard and engine read a request differently without either
    // failing kind (the guard refused what the engine would refuse anyway).
    let mut engine_refused_guard_allowed = 0usize;

    // Route disagreements that are no failure (the guard routes a request
    // otherwise than the engine does, but no dangerous run got through and
    // no harmless one was refused), by (guard, engine) view, with examples.
    let mut routing: BTreeMap<(String, String), (usize, Vec<String>)> = BTreeMap::new();

    // INPUT_GUARD_ENGINE_DUMP=FILE writes every case, the guard's verdict
    // and what the engine did, one line each (for reading disagreements).
    let mut dump = std::env::var_os("INPUT_GUARD_ENGINE_DUMP")
        .map(|path| std::io::BufWriter::new(std::fs::File::create(path).unwrap()));
    for case in &cases {
        let engine = send(jvm.port, case, &case.target);
        let (gv, ev) = (guard_view(&reject, case), engine_view(&engine));
        let different = match ev.strip_prefix("not run") {
            Some(_) => !gv.starts_with("no query") && !gv.starts_with("refused"),
            None => gv != ev && !gv.starts_with("refused"),
        };
        if different {
            let entry = routing.entry((gv, ev)).or_default();
            entry.0 += 1;
            if entry.1.len() < 4 {
                entry.1.push(format!("{} {}", case.method, case.target));
            }
        }
        let c = counts.entry(case.class).or_default();
        c.cases += 1;
        if matches!(engine, Engine::Ran(_)) {
            c.ran += 1;
        }
        let danger = engine.danger(cap);
        if danger.is_some() {
            c.dangerous += 1;
        }
        if let Some(dump) = dump.as_mut() {
            writeln!(
                dump,
                "{:?}\t{}\t{:?}\t{}",
                case.class,
                case.show(),
                judge(&reject, case),
                engine.show()
            )
            .unwrap();
        }
        for (policy, guard) in [("reject", &reject), ("clamp", &clamp)] {
            let says = judge(guard, case);
            let outcome: Result<Option<&'static str>, String> = match &says {
                GuardSays::Allow => match &danger {
                    Some(why) => Err(format!("bypass: guard allows, engine {why}")),
                    None => {
                        if !matches!(engine, Engine::Ran(_)) {
                            engine_refused_guard_allowed += 1;
                        }
                        Ok(None)
                    }
                },
                GuardSays::Rewrite(uri) => {
                    let key = (case.method.clone(), uri.clone(), case.body.clone());
                    let after = rewritten
                        .entry(key)
                        .or_insert_with(|| send(jvm.port, case, uri))
                        .clone();
                    match after.danger(cap) {
                        Some(why) => Err(format!(
                            "bypass: guard rewrites to {uri}, engine then {why}"
                        )),
                        None => Ok(None),
                    }
                }
                GuardSays::Reject { code, location } => {
                    if engine.harmless(cap) {
                        match deliberate(case, code, location) {
                            Some(rule) => Ok(Some(rule)),
                            None => Err(format!(
                                "false refusal: guard refuses {code} at {location}, engine {}",
                                engine.show()
                            )),
                        }
                    } else {
                        Ok(None)
                    }
                }
                GuardSays::NotHttp => {
                    if engine.harmless(cap) {
                        Ok(Some("not-http"))
                    } else {
                        Ok(None)
                    }
                }
            };
            match outcome {
                Ok(None) => c.agree += 1,
                Ok(Some(rule)) => {
                    c.deliberate += 1;
                    *deliberate_by_rule.entry(rule).or_default() += 1;
                }
                Err(why) => {
                    if why.starts_with("bypass") {
                        c.bypass += 1;
                    } else {
                        c.false_refusal += 1;
                    }
                    failures.push(format!(
                        "[{:?}/{policy}] {}\n      {why}\n      engine: {}",
                        case.class,
                        case.show(),
                        engine.show()
                    ));
                }
            }
        }
    }
    drop(jvm);

    eprintln!(
        "engine_requests: {} requests (x2 policies: reject, clamp) in {:.1} s, cap {cap}",
        cases.len(),
        started.elapsed().as_secs_f64()
    );
    for (class, c) in &counts {
        eprintln!(
            "  {class:?}: {} cases ({} ran a resource, {} dangerous to run); per policy: {} agree, \
             {} deliberate refusals, {} bypasses, {} false refusals",
            c.cases, c.ran, c.dangerous, c.agree, c.deliberate, c.bypass, c.false_refusal
        );
    }
    eprintln!("  deliberate refusals by rule: {deliberate_by_rule:?}");
    eprintln!(
        "  guard allowed, engine refused by itself (no failure): {engine_refused_guard_allowed}"
    );
    eprintln!("  routing differences (guard view vs engine view; no failure by themselves):");
    for ((gv, ev), (n, examples)) in &routing {
        eprintln!(
            "    guard {gv:?} / engine {ev:?}: {n}, e.g. {}",
            examples.join("  |  ")
        );
    }
    assert!(
        failures.is_empty(),
        "{} disagreements between the guard and Tomcat + RESTEasy:\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
}
