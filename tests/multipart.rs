//! `multipart/form-data` bodies through the [`Guard`] with the bundled
//! Camunda policy: deployment resources by content type and file name,
//! Camunda's variable upload (`data` read as JSON when its content type
//! contains `application/json`, the deprecated `type` field naming the
//! class), each rule with a near miss.

use input_guard::{Guard, Policy, Verdict};

const UPLOAD: &str = "/engine-rest/process-instance/abc/variables/order/data";

fn camunda() -> Guard {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/policies/camunda.toml");
    Guard::new(Policy::load(path).unwrap_or_else(|e| panic!("{e}")))
}

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
    let (head, ()) = http::Request::post(uri)
        .header("content-type", "multipart/form-data; boundary=b")
        .body(())
        .expect("a valid request")
        .into_parts();
    match guard.check(&head, &body(parts)) {
        Verdict::Allow => "allow".to_owned(),
        Verdict::Reject(v) => format!("{} at {}", v.code().as_str(), v.location()),
        other => format!("{other:?}"),
    }
}

const GADGET: &str = "org.apache.commons.collections.functors.InvokerTransformer";

#[test]
fn the_type_field_names_a_class_the_filter_must_allow() {
    let g = camunda();
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
    let g = camunda();
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
    let g = camunda();
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
