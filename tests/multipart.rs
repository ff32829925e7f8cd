//! `multipart/form-data` bodies through the [`Guard`] with the bundled
//! Camunda policy: deployment resources by content type and file name,
//! Camunda's variable upload (`data` read as JSON when its content type
//! contains `application/json`, the deprecated `type` field naming the
//! class), each rule with a near miss.

// Test code: unwraps here are test failures, not request paths.
mod common;

use common::outcome::code_at;
use common::policy::camunda_guard;
use common::request::post;
use input_guard::{Guard, Policy, Verdict};

const UPLOAD: &str = "/engine-rest/process-instance/abc/variables/order/data";

/// One part: its name, optional file name and content type, and body.
struct Part<'a> {
    name: &'a str,
    filename: Option<&'a str>,
    content_type: Option<&'a str>,
    body: &'a str,
}

fn part<'a>(name: &'a str, body: &'a str) -> Part<'a> {
    Part {
        name,
        filename: None,
        content_type: None,
        body,
    }
}

impl<'a> Part<'a> {
    fn file(mut self, filename: &'a str) -> Self {
        self.filename = Some(filename);
        self
    }

    fn typed(mut self, content_type: &'a str) -> Self {
        self.content_type = Some(content_type);
        self
    }
}

fn body(parts: &[Part<'_>]) -> Vec<u8> {
    let mut out = String::new();
    for p in parts {
        out.push_str("--b\r\nContent-Disposition: form-data; name=\"");
        out.push_str(p.name);
        out.push('"');
        if let Some(filename) = p.filename {
            out.push_str(&format!("; filename=\"{filename}\""));
        }
        out.push_str("\r\n");
        if let Some(content_type) = p.content_type {
            out.push_str(&format!("Content-Type: {content_type}\r\n"));
        }
        out.push_str("\r\n");
        out.push_str(p.body);
        out.push_str("\r\n");
    }
    out.push_str("--b--\r\n");
    out.into_bytes()
}

/// `"allow"`, or `"<code> at <location>"`.
fn verdict(guard: &Guard, uri: &str, parts: &[Part<'_>]) -> String {
    verdict_of(guard, uri, &body(parts))
}

/// The content type of every request here: boundary `b`.
const MULTIPART: &str = "multipart/form-data; boundary=b";

/// `"allow"`, or `"<code> at <location>"`, for a multipart `body`.
fn verdict_of(guard: &Guard, uri: &str, body: &[u8]) -> String {
    match guard.check(&post(uri, MULTIPART), body) {
        Verdict::Allow => "allow".to_owned(),
        Verdict::Reject(v) => code_at(v.code().as_str(), v.location()),
        other => format!("{other:?}"),
    }
}

const GADGET: &str = "org.apache.commons.collections.functors.InvokerTransformer";

#[test]
fn the_type_field_names_a_class_the_filter_must_allow() {
    let g = camunda_guard();
    let data = r#"["a"]"#;
    let cases: Vec<(&str, Vec<Part<'_>>, &str)> = vec![
        (
            "allowed class",
            vec![
                part("data", data).typed("application/json"),
                part("type", "java.util.ArrayList<java.lang.String>"),
            ],
            "allow",
        ),
        (
            "gadget class",
            vec![
                part("data", data).typed("application/json"),
                part("type", GADGET),
            ],
            "class-not-allowed at part:type",
        ),
        (
            "unlisted class",
            vec![part("type", "com.acme.Order").typed("text/plain")],
            "class-not-allowed at part:type",
        ),
        (
            "with a file name, as Camunda reads it by name alone",
            vec![part("type", GADGET).file("type.txt")],
            "class-not-allowed at part:type.txt",
        ),
        (
            "padded with white space",
            vec![part("type", "  java.util.HashMap \t")],
            "allow",
        ),
        (
            "another field named like it",
            vec![part("types", GADGET), part("Type", GADGET)],
            "allow",
        ),
    ];
    for (name, parts, want) in &cases {
        assert_eq!(&verdict(&g, UPLOAD, parts), want, "{name}");
    }
}

#[test]
fn data_parts_whose_type_contains_application_json_are_json() {
    let g = camunda_guard();
    let gadget = format!(r#"{{"@class":"{GADGET}"}}"#);
    let harmless = r#"{"@class":"java.util.HashMap"}"#;
    for content_type in [
        "application/json",
        "application/json; charset=UTF-8",
        "Application/JSON",
        "application/json-seq",
        "text/plain; note=\"application/json\"",
        "application/vnd.acme+json",
    ] {
        assert_eq!(
            verdict(&g, UPLOAD, &[part("data", &gadget).typed(content_type)]),
            "class-not-allowed at part:data/@class",
            "{content_type}"
        );
        assert_eq!(
            verdict(&g, UPLOAD, &[part("data", harmless).typed(content_type)]),
            "allow",
            "{content_type}"
        );
    }
    // Near misses: bytes and text are not read as JSON.
    for content_type in ["application/octet-stream", "text/plain", "application/jso"] {
        assert_eq!(
            verdict(&g, UPLOAD, &[part("data", &gadget).typed(content_type)]),
            "allow",
            "{content_type}"
        );
    }
}

#[test]
fn deployment_resources_are_xml_by_type_or_file_name() {
    let g = camunda_guard();
    let uri = "/engine-rest/deployment/create";
    let doctype =
        r#"<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>"#;
    let plain = r#"<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"/>"#;
    for resource in [
        part("r", doctype).file("invoice.bpmn"),
        part("r", doctype).file("decision.DMN"),
        part("r", doctype).typed("application/xml"),
        part("r", doctype).typed("text/xml").file("notes.txt"),
    ] {
        let label = resource.filename.unwrap_or("r").to_owned();
        assert_eq!(
            verdict(&g, uri, &[part("deployment-name", "x"), resource]),
            format!("xml-doctype at part:{label}")
        );
    }
    assert_eq!(
        verdict(&g, uri, &[part("r", plain).file("invoice.bpmn")]),
        "allow"
    );
    // Near miss: a text file is not parsed by the engine.
    assert_eq!(
        verdict(&g, uri, &[part("r", doctype).file("notes.txt")]),
        "allow"
    );
}

/// One part written as given: its raw `Content-Disposition` value, optional
/// `Content-Type`, and content. For headers the [`Part`] builder would not
/// write.
#[derive(Clone, Copy)]
struct RawPart<'a> {
    disposition: &'a str,
    content_type: Option<&'a str>,
    content: &'a str,
}

/// A raw part without a `Content-Type`; add one with [`RawPart::typed`].
fn raw<'a>(disposition: &'a str, content: &'a str) -> RawPart<'a> {
    RawPart {
        disposition,
        content_type: None,
        content,
    }
}

impl<'a> RawPart<'a> {
    fn typed(mut self, content_type: &'a str) -> Self {
        self.content_type = Some(content_type);
        self
    }
}

/// A body of raw parts, boundary `b`.
fn raw_body(parts: &[RawPart<'_>]) -> Vec<u8> {
    let mut out = String::new();
    for part in parts {
        out.push_str("--b\r\nContent-Disposition: ");
        out.push_str(part.disposition);
        out.push_str("\r\n");
        if let Some(t) = part.content_type {
            out.push_str(&format!("Content-Type: {t}\r\n"));
        }
        out.push_str("\r\n");
        out.push_str(part.content);
        out.push_str("\r\n");
    }
    out.push_str("--b--\r\n");
    out.into_bytes()
}

/// `"allow"`, or `"<code> at <location>"`, for a body of raw parts.
fn raw_verdict(guard: &Guard, uri: &str, parts: &[RawPart<'_>]) -> String {
    verdict_of(guard, uri, &raw_body(parts))
}

/// commons-fileupload trims field names with Java's `String.trim()` (every
/// char up to U+0020), so a padded `type` is still the `type` field.
#[test]
fn padded_type_field_names_are_the_type_field() {
    let g = camunda_guard();
    let ws: Vec<char> = (0u32..=0x20).filter_map(char::from_u32).collect();
    let mut checked = 0;
    for &c in &ws {
        for name in [
            format!("type{c}"),
            format!("{c}type"),
            format!("{c}type{c}"),
        ] {
            // Controls other than tab are not allowed raw in a header line
            // by every parser; CR and LF would end it. Those the guard must
            // refuse or read as `type`; either way not allow a gadget.
            let disposition = format!("form-data; name=\"{name}\"");
            let got = raw_verdict(&g, UPLOAD, &[raw(&disposition, GADGET)]);
            assert_ne!(got, "allow", "name {name:?}");
            checked += 1;
        }
    }
    assert_eq!(checked, ws.len() * 3);
    // Where the header can be split at all, the part is the type field.
    for disposition in [
        "form-data; name=\"type \"",
        "form-data; name=\" type\"",
        "form-data; name=\"type\t\"",
        "form-data; name=type ",
        "form-data; name= type",
        "form-data; name=\"type\u{1}\"",
        "form-data; name=\"\u{1f}type\"",
    ] {
        assert_eq!(
            raw_verdict(&g, UPLOAD, &[raw(disposition, GADGET)]),
            "class-not-allowed at part:type",
            "{disposition:?}"
        );
    }
    // Near misses: chars Java's trim keeps are part of the name, which is
    // then no reserved field, and an allowed class passes padded too.
    for disposition in [
        "form-data; name=\"type\u{7f}\"",
        "form-data; name=\"type\u{85}\"",
        "form-data; name=\"type\u{a0}\"",
        "form-data; name=\"ty pe\"",
    ] {
        assert_eq!(
            raw_verdict(&g, UPLOAD, &[raw(disposition, GADGET)]),
            "allow",
            "{disposition:?}"
        );
    }
    assert_eq!(
        raw_verdict(
            &g,
            UPLOAD,
            &[raw("form-data; name=\"type \"", "java.util.HashMap")]
        ),
        "allow"
    );
}

/// What commons-fileupload versions read differently, or decode, is refused.
#[test]
fn names_the_engine_decodes_are_refused() {
    let g = camunda_guard();
    for disposition in [
        // RFC 2047 words: `dHlwZQ==` is `type`.
        "form-data; name=\"=?UTF-8?B?dHlwZQ==?=\"",
        "form-data; name=\"=?utf-8?Q?type?=\"",
        "form-data; name=\"r\"; filename=\"=?UTF-8?B?cC5icG1u?=\"",
        // RFC 2231: ignored by 1.4, decoded by 1.5 and later.
        "form-data; name*=UTF-8''type",
        "form-data; name=\"x\"; name*=UTF-8''type",
        "form-data; name=\"r\"; filename*=UTF-8''p.bpmn",
        // The HashMap keeps the last of a repeated parameter.
        "form-data; name=\"x\"; name=\"type\"",
        "form-data; name=\"r\"; filename=\"a.txt\"; FILENAME=\"p.bpmn\"",
        // Non-ASCII white space is trimmed only when headers are read as UTF-8.
        "form-data; name=type\u{2028}",
        "form-data; name=\"r\"; filename=p.bpmn\u{3000}",
    ] {
        let got = raw_verdict(&g, UPLOAD, &[raw(disposition, GADGET)]);
        assert!(
            got.starts_with("multipart-malformed"),
            "{disposition:?}: {got}"
        );
    }
    // Near misses: `=` and `?` apart, and other extended parameters.
    for disposition in [
        "form-data; name=\"a=b?c\"",
        "form-data; name=\"a\"; title*=UTF-8''x",
        "form-data; name=\"a\"; filename=\"what?=.txt\"",
    ] {
        assert_eq!(
            raw_verdict(&g, UPLOAD, &[raw(disposition, "x")]),
            "allow",
            "{disposition:?}"
        );
    }
}

/// Deployment resources as Camunda's deployers recognise them: the file
/// name trimmed, then `endsWith` a suffix, no dot needed.
#[test]
fn resources_the_engine_parses_are_inspected() {
    let g = camunda_guard();
    let uri = "/engine-rest/deployment/create";
    let doctype =
        r#"<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>"#;
    let mut names: Vec<String> = [
        "p.bpmn",
        "pbpmn",
        "p_bpmn",
        "p.xbpmn",
        "p-cmmn",
        "p.bpmn20.xml",
        "p.cmmn11.xml",
        "p.cmmn10.xml",
        "p.dmn11.xml",
        "pdmn",
        "P.BPMN",
        "p.Dmn",
        "p.xml",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for c in (1u32..=0x20).filter_map(char::from_u32) {
        if c != '\r' && c != '\n' {
            names.push(format!("p.bpmn{c}"));
            names.push(format!("{c}p.dmn"));
        }
    }
    for name in &names {
        let disposition = format!("form-data; name=\"r\"; filename=\"{name}\"");
        let got = raw_verdict(&g, uri, &[raw(&disposition, doctype)]);
        assert!(got.starts_with("xml-doctype at part:"), "{name:?}: {got}");
    }
    // Even when the part's content type says something else.
    let got = raw_verdict(
        &g,
        uri,
        &[raw("form-data; name=\"r\"; filename=\"p.bpmn\"", doctype).typed("text/plain")],
    );
    assert_eq!(got, "xml-doctype at part:p.bpmn");
    let got = raw_verdict(
        &g,
        uri,
        &[raw("form-data; name=\"r\"; filename=\"p.bpmn\"", doctype).typed("application/json")],
    );
    assert!(got.starts_with("json-malformed"), "{got}");
    // Near misses: names the engine stores unparsed.
    for name in [
        "p.bpm",
        "p.bpmn.txt",
        "p.bpmn\u{7f}",
        "p.bpmn\u{a0}",
        "bpmn.png",
        "p.dmnx",
    ] {
        let disposition = format!("form-data; name=\"r\"; filename=\"{name}\"");
        assert_eq!(
            raw_verdict(&g, uri, &[raw(&disposition, doctype)]),
            "allow",
            "{name:?}"
        );
    }
}

/// Camunda Forms are stored as they are: not required to be JSON. JSON
/// resources still are.
#[test]
fn form_resources_are_not_required_to_be_json() {
    let g = camunda_guard();
    let uri = "/engine-rest/deployment/create";
    for (filename, content_type, content) in [
        ("invoice.form", None, "not json at all"),
        ("invoice.form", None, r#"{"components":[]}"#),
        ("invoice.form", Some("application/octet-stream"), "{"),
    ] {
        let disposition = format!("form-data; name=\"f\"; filename=\"{filename}\"");
        assert_eq!(
            raw_verdict(
                &g,
                uri,
                &[RawPart {
                    disposition: &disposition,
                    content_type,
                    content
                }]
            ),
            "allow",
            "{filename} {content:?}"
        );
    }
    // Near misses: announced as JSON, or named `.json`, it is inspected.
    let got = raw_verdict(
        &g,
        uri,
        &[raw("form-data; name=\"f\"; filename=\"invoice.form\"", "{").typed("application/json")],
    );
    assert!(got.starts_with("json-malformed"), "{got}");
    let got = raw_verdict(
        &g,
        uri,
        &[raw("form-data; name=\"f\"; filename=\"invoice.json\"", "{")],
    );
    assert!(got.starts_with("json-malformed"), "{got}");
}

/// A part declared as serialized Java is refused unless the policy allows
/// Java serialization.
#[test]
fn serialized_java_parts_are_refused() {
    let g = camunda_guard();
    let stream = "\u{ac}\u{ed}\u{0}\u{5}sr";
    for content_type in [
        "application/x-java-serialized-object",
        "Application/X-Java-Serialized-Object; x=1",
    ] {
        assert_eq!(
            raw_verdict(
                &g,
                UPLOAD,
                &[raw("form-data; name=\"data\"", stream).typed(content_type)]
            ),
            "java-serialization-not-allowed at part:data",
            "{content_type}"
        );
    }
    // Near misses: other bytes, and a policy that allows Java serialization.
    assert_eq!(
        raw_verdict(
            &g,
            UPLOAD,
            &[raw("form-data; name=\"data\"", stream).typed("application/octet-stream")]
        ),
        "allow"
    );
    let allowing = Guard::new(
        Policy::from_toml("[classes]\nallow_java_serialization = true\n").expect("policy"),
    )
    .expect("a valid policy");
    assert_eq!(
        raw_verdict(
            &allowing,
            UPLOAD,
            &[raw("form-data; name=\"data\"", stream)
                .typed("application/x-java-serialized-object")]
        ),
        "allow"
    );
}

/// The request's boundary as commons-fileupload reads it, or refused.
#[test]
fn boundaries_the_engine_decodes_are_refused() {
    let g = camunda_guard();
    let body = raw_body(&[raw("form-data; name=\"a\"", "1")]);
    for content_type in [
        "multipart/form-data; boundary=b; boundary*=UTF-8''c",
        "multipart/form-data; boundary*=UTF-8''b",
        "multipart/form-data; boundary=\"=?UTF-8?Q?b?=\"",
    ] {
        let head = post(UPLOAD, content_type);
        let verdict = guard_code(&g.check(&head, &body));
        assert_eq!(verdict, "invalid-header", "{content_type}");
    }
    let head = post(UPLOAD, "multipart/form-data; boundary=\"b\"");
    assert_eq!(guard_code(&g.check(&head, &body)), "allow");
}

fn guard_code(verdict: &Verdict) -> String {
    verdict
        .violation()
        .map_or("allow".to_owned(), |v| v.code().as_str().to_owned())
}

/// The engine reads a part's bytes without its `charset`: a model declared
/// ISO-8859-1 inside a part labelled UTF-8 is read by its declaration.
#[test]
fn part_charsets_are_not_what_the_engine_reads() {
    let g = camunda_guard();
    let uri = "/engine-rest/deployment/create";
    let model = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\
                 <definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\"/>";
    let disposition = "form-data; name=\"r\"; filename=\"p.bpmn\"";
    for content_type in [
        "text/xml; charset=UTF-8",
        "application/xml; charset=utf-16",
        "text/plain; charset=us-ascii",
    ] {
        assert_eq!(
            raw_verdict(&g, uri, &[raw(disposition, model).typed(content_type)]),
            "allow",
            "{content_type}"
        );
    }
    // Near miss: the declaration still decides, and is still inspected.
    let utf32 = model.replace("ISO-8859-1", "UTF-32");
    let got = raw_verdict(
        &g,
        uri,
        &[raw(disposition, &utf32).typed("text/xml; charset=UTF-8")],
    );
    assert!(got.starts_with("xml-unsupported-encoding"), "{got}");
}

/// Part headers as commons-fileupload reads them: values and names trimmed
/// with Java's `trim()`, the header block ended by its own matcher, nested
/// `multipart/mixed` parts opened. Each is refused or read the same way.
#[test]
fn part_headers_read_as_the_engine_reads_them() {
    let g = camunda_guard();
    let uri = "/engine-rest/deployment/create";
    let script = "<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\"><process id=\"p\">\
                  <scriptTask id=\"t\" scriptFormat=\"groovy\"><script>x</script></scriptTask></process></definitions>";
    let data = raw("form-data; name=\"data\"", "{}").typed("application/json");
    // A control char after the value is trimmed by the engine: the name is
    // `type`, not `"type"` with its quotes.
    for tail in ["\u{1}", "\u{0}", "\u{b}", "\u{1f}"] {
        let disposition = format!("form-data; name=\"type\"{tail}");
        let got = raw_verdict(&g, UPLOAD, &[raw(&disposition, GADGET), data]);
        assert_eq!(got, "class-not-allowed at part:type", "{tail:?}");
        let disposition = format!("form-data; name=\"r\"; filename=\"evil.bpmn\"{tail}");
        let got = raw_verdict(&g, uri, &[raw(&disposition, script)]);
        assert!(got.starts_with("xml-forbidden-"), "{tail:?}: {got}");
    }
    // A header name padded with a control char would be a header the engine
    // reads first and the guard skips.
    let body = format!(
        "--b\r\n\u{b}Content-Disposition: form-data; name=\"type\"\r\n\
         Content-Disposition: form-data; name=\"harmless\"\r\n\r\n{GADGET}\r\n--b--\r\n"
    );
    assert_eq!(raw_code(&g, UPLOAD, body.as_bytes()), "multipart-malformed");
    // `\r\r\n\r\n`: the engine's header matcher misses this end and reads on.
    let body = format!(
        "--b\r\nContent-Disposition: form-data; name=\"r\"; filename=\"evil.bpmn\"\r\r\n\r\n\
         <r/><?x \r\n\r\n{script}<?y ?>\r\n--b--\r\n"
    );
    assert_eq!(raw_code(&g, uri, body.as_bytes()), "multipart-malformed");
    // A nested multipart/mixed part, whose files the engine would deploy.
    let body = format!(
        "--b\r\nContent-Disposition: form-data; name=\"r\"\r\nContent-Type: multipart/mixed; boundary=c\r\n\r\n\
         --c\r\nContent-Disposition: attachment; filename=\"evil.bpmn\"\r\n\r\n{script}\r\n--c--\r\n\r\n--b--\r\n"
    );
    assert_eq!(raw_code(&g, uri, body.as_bytes()), "multipart-malformed");
    // Near misses: trailing blanks, a control char inside quotes, an
    // ordinary header after, and a non-ASCII space amid a file name.
    let plain = "<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\"/>";
    for disposition in [
        "form-data; name=\"r\"; filename=\"p.bpmn\" \t",
        "form-data; name=\"r\"; filename=\"p\u{1}.bpmn\"",
        "form-data; name=\"r\"; filename=\"\u{8acb}\u{6c42}\u{3000}v2.bpmn\"",
    ] {
        assert_eq!(
            raw_verdict(&g, uri, &[raw(disposition, plain)]),
            "allow",
            "{disposition:?}"
        );
    }
    let body = format!(
        "--b\r\nContent-Disposition: form-data; name=\"r\"; filename=\"p.bpmn\"\r\nX-Note: \u{1}\r\n\r\n{plain}\r\n--b--\r\n"
    );
    assert_eq!(raw_code(&g, uri, body.as_bytes()), "allow");
}

/// `"allow"` or the violation's code, for a multipart `body`.
fn raw_code(guard: &Guard, uri: &str, body: &[u8]) -> String {
    guard_code(&guard.check(&post(uri, MULTIPART), body))
}
