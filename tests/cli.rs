//! The `input-guard` binary's contract (DESIGN.md, "The binary"), driven
//! through the built executable.
#![cfg(feature = "cli")]

mod common;

use common::bin::{Run, run, write_temp};
use common::policy::CAMUNDA_PATH;

/// The path of the bundled Camunda policy.
fn camunda() -> String {
    CAMUNDA_PATH.to_owned()
}

/// Runs `input-guard check --policy <policy> <extra>` with `body` on stdin.
fn check(policy: &str, extra: &[&str], body: &[u8]) -> Run {
    let mut args = vec!["check", "--policy", policy];
    args.extend_from_slice(extra);
    run(&args, body)
}

fn assert_reject(run: &Run, status: u64, code: &str, location: &str) {
    assert_eq!(run.code, 1, "stderr: {}", run.stderr);
    assert_eq!(run.lines.len(), 1);
    let line = &run.lines[0];
    assert_eq!(line["verdict"], "reject", "{line}");
    assert_eq!(line["status"], status, "{line}");
    assert_eq!(line["code"], code, "{line}");
    assert_eq!(line["location"], location, "{line}");
    assert!(
        line["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{line}"
    );
}

#[test]
fn request_without_body_is_allowed() {
    let run = check(
        &camunda(),
        &[
            "--method",
            "GET",
            "--uri",
            "/engine-rest/process-definition?maxResults=50",
        ],
        b"",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.lines, vec![serde_json::json!({"verdict": "allow"})]);
}

#[test]
fn body_size_limit() {
    let p = write_temp("small.toml", "[body]\nmax_bytes = 8\n");
    let p = p.to_str().unwrap();
    let ct = ["--header", "Content-Type: application/json"];
    assert_reject(
        &check(p, &ct, b"{\"a\":123}"),
        413,
        "body-too-large",
        "body",
    );
    // Near miss: exactly at the limit is not too large (no JSON inspector
    // has landed yet, so the guard fails closed on the type instead).
    let at_limit = check(p, &ct, b"{\"a\":12}");
    assert_ne!(at_limit.lines[0]["code"], "body-too-large");

    let declared = check(p, &["--header", "Content-Length: 9"], b"");
    assert_reject(&declared, 413, "body-too-large", "header:content-length");
    let declared_ok = check(p, &["--header", "Content-Length: 0"], b"");
    assert_eq!(declared_ok.code, 0);
}

#[test]
fn body_comes_from_file_or_stdin() {
    let p = write_temp("tiny.toml", "[body]\nmax_bytes = 2\n");
    let p = p.to_str().unwrap();
    let body = write_temp("body.bin", "abc");
    assert_reject(
        &check(p, &["--body", body.to_str().unwrap()], b""),
        413,
        "body-too-large",
        "body",
    );
    assert_reject(&check(p, &[], b"abc"), 413, "body-too-large", "body");
    assert_reject(
        &check(p, &["--body", "-"], b"abc"),
        413,
        "body-too-large",
        "body",
    );
    // Near miss: two bytes fit.
    let json = ["--body", "-", "--header", "Content-Type: application/json"];
    assert_eq!(check(p, &json, b"{}").code, 0);
}

#[test]
fn bodies_without_an_inspector_fail_closed() {
    let c = camunda();
    let binary = ["--header", "Content-Type: application/octet-stream"];
    assert_reject(
        &check(&c, &binary, b"\x00\x01"),
        415,
        "unsupported-media-type",
        "header:content-type",
    );
    assert_reject(
        &check(&c, &[], b"{}"),
        415,
        "unsupported-media-type",
        "header:content-type",
    );
    let text = ["--header", "Content-Type: text/plain"];
    assert_reject(
        &check(&c, &text, b"hi"),
        415,
        "unsupported-media-type",
        "header:content-type",
    );
    // An empty Content-Type names no type either.
    assert_reject(
        &check(&c, &["--header", "Content-Type: "], b"{}"),
        415,
        "unsupported-media-type",
        "header:content-type",
    );
    // Near miss: the same header without a body is fine.
    assert_eq!(check(&c, &binary, b"").code, 0);
}

#[test]
fn json_bodies_are_inspected() {
    let c = camunda();
    let start = br#"{"variables":{"order":{"value":"{}","type":"Object","valueInfo":{"objectTypeName":"com.evil.Gadget","serializationDataFormat":"application/json"}}}}"#;
    for content_type in ["application/json", "application/hal+json; charset=UTF-8"] {
        let header = format!("Content-Type: {content_type}");
        let run = check(&c, &["--method", "POST", "--header", &header], start);
        assert_reject(
            &run,
            400,
            "class-not-allowed",
            "/variables/order/valueInfo/objectTypeName",
        );
        // Near miss: a class the Camunda policy allows.
        let ok = String::from_utf8_lossy(start).replace("com.evil.Gadget", "java.util.HashMap");
        let run = check(&c, &["--header", &header], ok.as_bytes());
        assert_eq!(
            run.lines,
            vec![serde_json::json!({"verdict": "allow"})],
            "{content_type}"
        );
    }
    let java = br#"{"modifications":{"x":{"value":"rO0ABXQAAA==","type":"Object","valueInfo":{"objectTypeName":"java.lang.String","serializationDataFormat":"application/x-java-serialized-object"}}}}"#;
    let run = check(&c, &["--header", "Content-Type: application/json"], java);
    assert_reject(
        &run,
        400,
        "java-serialization-not-allowed",
        "/modifications/x/valueInfo/serializationDataFormat",
    );
    let run = check(
        &c,
        &["--header", "Content-Type: application/json"],
        b"{\"a\":1,}",
    );
    assert_reject(&run, 400, "json-malformed", "/");
}

#[test]
fn encodings_and_unreadable_headers() {
    let c = camunda();
    let brotli = ["--header", "Content-Encoding: br"];
    assert_reject(
        &check(&c, &brotli, b""),
        415,
        "unsupported-content-encoding",
        "header:content-encoding",
    );
    assert_eq!(
        check(&c, &["--header", "Content-Encoding: identity"], b"").code,
        0
    );
    // Near miss: gzip is read, and what it holds inspected.
    assert_eq!(
        check(&c, &["--header", "Content-Encoding: gzip"], b"").code,
        0
    );

    let bad_len = ["--header", "Content-Length: 1e3"];
    assert_reject(
        &check(&c, &bad_len, b""),
        400,
        "invalid-header",
        "header:content-length",
    );
    let two_types = [
        "--header",
        "Content-Type: application/json",
        "--header",
        "Content-Type: application/xml",
    ];
    assert_reject(
        &check(&c, &two_types, b"x"),
        400,
        "invalid-header",
        "header:content-type",
    );
    let mismatch = ["--header", "Content-Length: 5"];
    assert_reject(
        &check(&c, &mismatch, b"abc"),
        400,
        "invalid-header",
        "header:content-length",
    );
}

#[test]
fn report_mode_lets_the_request_through_and_says_why() {
    let p = write_temp("report.toml", "mode = \"report\"\n[body]\nmax_bytes = 1\n");
    let run = check(p.to_str().unwrap(), &[], b"abc");
    assert_eq!(run.code, 0);
    assert_eq!(run.lines[0]["verdict"], "allow");
    assert_eq!(run.lines[0]["reported"]["code"], "body-too-large");
    assert_eq!(run.lines[0]["reported"]["status"], 413);
}

#[test]
fn policy_and_usage_errors_exit_2() {
    let p = write_temp("typo.toml", "[body]\nmax_byte = 1\n");
    let run = check(p.to_str().unwrap(), &[], b"");
    assert_eq!(run.code, 2);
    // One JSON line says so, and standard error says where.
    assert_eq!(run.lines.len(), 1, "{:?}", run.lines);
    assert_eq!(run.lines[0]["verdict"], "error");
    assert!(
        run.lines[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("body.max_byte")),
        "{:?}",
        run.lines
    );
    assert!(
        run.stderr.contains("typo.toml:2:1: key `body.max_byte`"),
        "{}",
        run.stderr
    );

    let missing = check("/nonexistent/policy.toml", &[], b"");
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("/nonexistent/policy.toml"),
        "{}",
        missing.stderr
    );

    assert_eq!(run_args(&["check"]), 2);
    assert_eq!(run_args(&["check-class", "--policy", &camunda()]), 2);
    assert_eq!(run_args(&["frobnicate"]), 2);
    let bad_header = check(&camunda(), &["--header", "no colon"], b"");
    assert_eq!(bad_header.code, 2);
    assert_eq!(bad_header.lines[0]["verdict"], "error");
    let class_error = self::run(
        &["check-class", "--policy", "/nonexistent.toml", "int"],
        b"",
    );
    assert_eq!(class_error.code, 2);
    assert_eq!(class_error.lines[0]["verdict"], "error");
}

fn run_args(args: &[&str]) -> i32 {
    run(args, b"").code
}

#[test]
fn check_class_prints_one_line_per_name() {
    let run = run(
        &[
            "check-class",
            "--policy",
            &camunda(),
            "java.util.HashMap<java.lang.String, java.util.ArrayList<java.lang.Long>>",
            "com.sun.rowset.JdbcRowSetImpl",
            "com.acme.Order",
            "java.util.List<",
            "int",
        ],
        b"",
    );
    assert_eq!(run.code, 1);
    let verdicts: Vec<(&str, &str)> = run
        .lines
        .iter()
        .map(|l| (l["name"].as_str().unwrap(), l["verdict"].as_str().unwrap()))
        .collect();
    assert_eq!(
        verdicts,
        [
            (
                "java.util.HashMap<java.lang.String, java.util.ArrayList<java.lang.Long>>",
                "allow"
            ),
            ("com.sun.rowset.JdbcRowSetImpl", "deny"),
            ("com.acme.Order", "deny"),
            ("java.util.List<", "deny"),
            ("int", "allow"),
        ]
    );
    let reason = |i: usize| run.lines[i]["reason"].as_str().unwrap().to_owned();
    assert!(
        reason(0).contains("classes.allow `java.util.HashMap`"),
        "{}",
        reason(0)
    );
    assert!(reason(1).contains("gadget denylist"), "{}", reason(1));
    assert!(
        reason(2).contains("no classes.allow pattern"),
        "{}",
        reason(2)
    );
    assert!(reason(3).contains("not a type name"), "{}", reason(3));
}

#[test]
fn check_class_exits_0_when_all_are_allowed() {
    let p = write_temp(
        "acme.toml",
        "[classes]\nallow = [\"com.acme.**\"]\ndeny = [\"com.acme.secret.*\"]\n",
    );
    let p = p.to_str().unwrap();
    let ok = run(
        &[
            "check-class",
            "--policy",
            p,
            "com.acme.Order",
            "[Lcom.acme.a.B;",
        ],
        b"",
    );
    assert_eq!(ok.code, 0, "{:?}", ok.lines);
    assert_eq!(ok.lines.len(), 2);
    let denied = run(&["check-class", "--policy", p, "com.acme.secret.Key"], b"");
    assert_eq!(denied.code, 1);
    assert!(
        denied.lines[0]["reason"]
            .as_str()
            .unwrap()
            .contains("classes.deny `com.acme.secret.*`")
    );
}

#[test]
fn xml_bodies_are_inspected() {
    let c = camunda();
    let xxe = b"<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>";
    for content_type in [
        "application/xml",
        "text/xml; charset=utf-8",
        "application/atom+xml",
        "Application/BPMN+XML",
    ] {
        let header = format!("Content-Type: {content_type}");
        let run = check(&c, &["--header", &header], xxe);
        assert_reject(&run, 400, "xml-doctype", "/");
        assert_eq!(run.lines[0]["offset"], 21, "{content_type}");
        // Near miss: the same type with a benign document.
        let ok = check(
            &c,
            &["--header", &header],
            b"<r a=\"1\">&lt;!DOCTYPE is text</r>",
        );
        assert_eq!(ok.code, 0, "{content_type}: {:?}", ok.lines);
        assert_eq!(ok.lines, vec![serde_json::json!({"verdict": "allow"})]);
    }
    let script = br#"<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"><bpmn:process id="p"><bpmn:scriptTask id="s"/></bpmn:process></bpmn:definitions>"#;
    let run = check(&c, &["--header", "Content-Type: application/xml"], script);
    assert_reject(
        &run,
        400,
        "xml-forbidden-element",
        "/definitions/process/scriptTask",
    );
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain("<!DOCTYPE r><r/>".encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let run = check(&c, &["--header", "Content-Type: application/xml"], &utf16);
    assert_reject(&run, 400, "xml-doctype", "/");
}

#[test]
fn multipart_parts_are_inspected() {
    let c = camunda();
    let multipart = [
        "--uri",
        "/engine-rest/deployment/create",
        "--header",
        "Content-Type: multipart/form-data; boundary=b",
    ];
    let deployment = |task: &str| {
        format!(
            "--b\r\nContent-Disposition: form-data; name=\"deployment-name\"\r\n\r\ninvoice\r\n\
             --b\r\nContent-Disposition: form-data; name=\"data\"; filename=\"invoice.bpmn\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n\
             <bpmn:definitions xmlns:bpmn=\"http://www.omg.org/spec/BPMN/20100524/MODEL\">\
             <bpmn:process id=\"p\"><bpmn:{task} id=\"s\"/></bpmn:process></bpmn:definitions>\r\n--b--\r\n"
        )
    };
    let run = check(&c, &multipart, deployment("scriptTask").as_bytes());
    assert_reject(
        &run,
        400,
        "xml-forbidden-element",
        "part:invoice.bpmn/definitions/process/scriptTask",
    );
    // Near miss: the same deployment with a service task.
    assert_eq!(
        check(&c, &multipart, deployment("serviceTask").as_bytes()).code,
        0
    );
    let outside =
        b"preamble\r\n--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b--\r\n";
    assert_reject(
        &check(&c, &multipart, outside),
        400,
        "multipart-malformed",
        "body",
    );
}

#[test]
fn connection_may_not_name_the_headers_the_verdict_rests_on() {
    let c = camunda();
    for named in [
        "Content-Type",
        "content-encoding",
        "keep-alive, Content-Length",
    ] {
        let header = format!("Connection: {named}");
        let run = check(
            &c,
            &[
                "--header",
                &header,
                "--header",
                "Content-Type: application/json",
            ],
            b"{}",
        );
        assert_reject(&run, 400, "invalid-header", "header:connection");
    }
    // Near miss: ordinary hop-by-hop names.
    let run = check(
        &c,
        &[
            "--header",
            "Connection: keep-alive, X-Trace",
            "--header",
            "Content-Type: application/json",
        ],
        b"{}",
    );
    assert_eq!(run.code, 0, "{:?}", run.lines);
}

/// `check-class` reads .NET names (`$type` spellings) when they are no Java
/// type name.
#[test]
fn check_class_reads_dotnet_names() {
    let p = write_temp("dotnet.toml", "[classes]\nallow = [\"Acme.**\"]\n");
    let p = p.to_str().unwrap();
    let run = run(
        &[
            "check-class",
            "--policy",
            p,
            "Acme.Orders.Order+Line, Acme.Orders",
            "System.Windows.Data.ObjectDataProvider, PresentationFramework",
            "System.Collections.Generic.List`1[[System.Diagnostics.Process, System]], mscorlib",
            "Acme.Box`1[[Acme.Orders.Order, Acme]]",
            "Acme.Box`1[[",
        ],
        b"",
    );
    let verdicts: Vec<&str> = run
        .lines
        .iter()
        .map(|l| l["verdict"].as_str().unwrap())
        .collect();
    assert_eq!(
        verdicts,
        ["allow", "deny", "deny", "allow", "deny"],
        "{:?}",
        run.lines
    );
    let reason = |i: usize| run.lines[i]["reason"].as_str().unwrap().to_owned();
    assert!(reason(1).contains("gadget denylist"), "{}", reason(1));
    assert!(reason(4).contains("not a type name"), "{}", reason(4));
}

/// A method in another letter case is refused before any route rule: the
/// engine upper-cases it and would run the list the rule caps.
#[test]
fn methods_in_another_letter_case_are_refused() {
    let c = camunda();
    for method in ["get", "Get", "gET", "post", "head", "Delete"] {
        let run = check(
            &c,
            &[
                "--method",
                method,
                "--uri",
                "/engine-rest/task?maxResults=5000",
            ],
            b"",
        );
        assert_reject(&run, 400, "method-invalid", "method");
    }
    // Near misses: the standard spelling meets the route rules; an
    // extension method is no standard method in any case, so not
    // `method-invalid` (it is not one the engine uses: `method-not-allowed`).
    let run = check(
        &c,
        &[
            "--method",
            "GET",
            "--uri",
            "/engine-rest/task?maxResults=50",
        ],
        b"",
    );
    assert_eq!(run.code, 0, "{:?}", run.lines);
    let run = check(
        &c,
        &[
            "--method",
            "GET",
            "--uri",
            "/engine-rest/task?maxResults=5000",
        ],
        b"",
    );
    assert_reject(&run, 400, "query-max-results-exceeded", "query:maxResults");
    let run = check(
        &c,
        &["--method", "PROPFIND", "--uri", "/engine-rest/task"],
        b"",
    );
    assert_reject(&run, 405, "method-not-allowed", "method");
}

/// Request filtering and head hygiene (issue 15), through the binary.
#[test]
fn request_filtering_and_head_hygiene() {
    let c = camunda();
    let uri = ["--uri", "/engine-rest/version"];
    let run_with = |extra: &[&str]| {
        let mut args = uri.to_vec();
        args.extend_from_slice(extra);
        check(&c, &args, b"")
    };
    for method in ["TRACE", "CONNECT", "PATCH"] {
        assert_reject(
            &run_with(&["--method", method]),
            405,
            "method-not-allowed",
            "method",
        );
    }
    assert_eq!(run_with(&["--method", "OPTIONS"]).code, 0);
    assert_reject(
        &run_with(&["--header", "Host: a", "--header", "Host: b"]),
        400,
        "invalid-header",
        "header:host",
    );
    assert_reject(
        &run_with(&["--header", "Host: a", "--header", "Host: a"]),
        400,
        "invalid-header",
        "header:host",
    );
    assert_eq!(run_with(&["--header", "Host: engine:8080"]).code, 0);
    for te in ["chunked, chunked", "gzip, chunked"] {
        let header = format!("Transfer-Encoding: {te}");
        assert_reject(
            &run_with(&["--header", &header]),
            400,
            "invalid-header",
            "header:transfer-encoding",
        );
    }
    assert_eq!(
        run_with(&["--header", "Transfer-Encoding: chunked"]).code,
        0
    );
    assert_reject(
        &run_with(&[
            "--header",
            "Content-Length: 0",
            "--header",
            "Content-Length: 0",
        ]),
        400,
        "invalid-header",
        "header:content-length",
    );
    let double = check(&c, &["--uri", "/engine-rest/deployment/%252e%252e/x"], b"");
    assert_reject(&double, 400, "path-double-encoded", "path");
    let long = format!("/engine-rest/version?{}", "q".repeat(8192));
    assert_reject(
        &check(&c, &["--uri", &long], b""),
        414,
        "url-too-long",
        "uri",
    );
}
