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

#[path = "support/java.rs"]
mod java;

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::io::{BufRead, Write as _};
use std::path::Path;

use input_guard::classes::ClassDecision;
use input_guard::inspect::xml::LegacyEncoding;
use input_guard::policy::SchemaLocations;
use input_guard::{Guard, Policy, Verdict};
use serde_json::Value;

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

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(here().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
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

fn typed(value: &str, type_name: &str, class: &str, format: &str) -> String {
    format!(
        r#"{{"value":{value},"type":"{type_name}","valueInfo":{{"objectTypeName":"{class}","serializationDataFormat":"{format}"}}}}"#
    )
}

fn js(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

fn start_body(var: &str) -> String {
    format!(
        r#"{{"variables":{{"amount":{{"value":5,"type":"Integer"}},"o":{var}}},"businessKey":"b"}}"#
    )
}

/// Typed variables that stand in for `@V` in the project's templates.
fn sample_variables() -> Vec<String> {
    vec![
        typed(&js("{}"), "Object", "java.util.HashMap", "application/json"),
        typed(
            &js("{}"),
            "Object",
            "com.sun.rowset.JdbcRowSetImpl",
            "application/json",
        ),
        format!(
            r#"{{"value":{},"type":"Json"}}"#,
            js(r#"{"@class":"com.sun.rowset.JdbcRowSetImpl"}"#)
        ),
        format!(
            r#"{{"value":{},"type":"Xml"}}"#,
            js("<!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><d>&x;</d>")
        ),
        r#"{"value":"x","type":"String"}"#.to_owned(),
    ]
}

fn json_case(cases: &mut Vec<Case>, label: String, uri: &'static str, ct: &str, body: Vec<u8>) {
    cases.push(Case {
        kind: Kind::Json,
        label,
        method: if uri == PUT_VARIABLE { "PUT" } else { "POST" },
        uri,
        content_type: ct.to_owned(),
        body,
    });
}

/// Writes every character of `key` (where it appears as a key) as `\uXXXX`,
/// one character at a time, and all at once.
fn escaped_key_variants(body: &str, key: &str) -> Vec<(String, String)> {
    let quoted = format!("\"{key}\"");
    if !body.contains(&quoted) {
        return Vec::new();
    }
    let chars: Vec<char> = key.chars().collect();
    let mut out = Vec::new();
    for i in 0..=chars.len() {
        let mut k = String::new();
        for (j, c) in chars.iter().enumerate() {
            if i == chars.len() || i == j {
                let _ = write!(k, "\\u{:04x}", *c as u32);
            } else {
                k.push(*c);
            }
        }
        out.push((
            format!("{key} char {i} escaped"),
            body.replace(&quoted, &format!("\"{k}\"")),
        ));
    }
    // Upper-case hex digits too.
    let upper: String = chars
        .iter()
        .map(|c| format!("\\u{:04X}", *c as u32))
        .collect();
    out.push((
        format!("{key} all escaped, upper hex"),
        body.replace(&quoted, &format!("\"{upper}\"")),
    ));
    out
}

fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    if bom {
        out.extend_from_slice(if big_endian {
            &[0xfe, 0xff]
        } else {
            &[0xff, 0xfe]
        });
    }
    for unit in text.encode_utf16() {
        let b = if big_endian {
            unit.to_be_bytes()
        } else {
            unit.to_le_bytes()
        };
        out.extend_from_slice(&b);
    }
    out
}

fn json_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    let ct = "application/json";
    // The project's own corpus: tests/json.rs bodies (templates filled in
    // with sample variables), the fuzz seeds, our corpus folder.
    let src = String::from_utf8(read("tests/json.rs")).unwrap();
    let mut seen = HashSet::new();
    for lit in raw_literals(&src) {
        let t = lit.trim_start();
        if !(t.starts_with('{') || t.starts_with('[')) || lit.contains("{{") {
            continue;
        }
        let bodies: Vec<String> = if lit.contains("@V") {
            sample_variables()
                .iter()
                .map(|v| lit.replace("@V", v))
                .collect()
        } else {
            vec![lit.clone()]
        };
        for body in bodies {
            if seen.insert(body.clone()) {
                json_case(
                    &mut cases,
                    "tests/json.rs literal".into(),
                    START,
                    ct,
                    body.into_bytes(),
                );
            }
        }
    }
    for (name, body) in folder("fuzz/seeds/json") {
        json_case(
            &mut cases,
            format!("fuzz/seeds/json/{name}"),
            START,
            ct,
            body,
        );
    }
    for (name, body) in folder("tests/engine/corpus") {
        if name.ends_with(".json") {
            json_case(&mut cases, format!("corpus/{name}"), START, ct, body);
        }
    }
    // Typed variables: every class, type spelling and format.
    let mut variables: Vec<(String, String)> = Vec::new();
    for class in GADGETS.iter().chain(ALLOWED) {
        for type_name in ["Object", "object", "OBJECT", "oBJECT", "Objekt"] {
            for format in [
                "application/json",
                "application/xml",
                "application/x-java-serialized-object",
                "APPLICATION/X-JAVA-SERIALIZED-OBJECT",
                " application/json",
            ] {
                variables.push((
                    format!("{type_name} {class} {format}"),
                    typed(&js("{}"), type_name, class, format),
                ));
            }
        }
        // White space around and inside the name.
        for (how, name) in [
            ("leading space", format!(" {class}")),
            ("trailing space", format!("{class} ")),
            ("trailing tab", format!("{class}\\t")),
            ("trailing NUL", format!("{class}\\u0000")),
        ] {
            variables.push((
                format!("{class} {how}"),
                typed(&js("{}"), "Object", &name, "application/json"),
            ));
        }
        // Carried documents naming the class by type id.
        for key in ["@class", "@type", "@c", "$type"] {
            let inner = format!(r#"{{"{key}":"{class}","x":1}}"#);
            variables.push((
                format!("Json carrying {key} {class}"),
                format!(r#"{{"value":{},"type":"Json"}}"#, js(&inner)),
            ));
            variables.push((
                format!("Object json carrying {key} {class}"),
                typed(
                    &js(&inner),
                    "Object",
                    "java.util.HashMap",
                    "application/json",
                ),
            ));
            let twice = typed(
                &js(&inner),
                "Object",
                "java.util.HashMap",
                "application/json",
            );
            variables.push((
                format!("Object carrying an Object carrying {key} {class}"),
                format!(
                    r#"{{"value":{},"type":"Json"}}"#,
                    js(&format!(r#"{{"v":{twice}}}"#))
                ),
            ));
        }
    }
    // Xml variables and Object/application/xml values.
    for (how, xml) in xml_documents() {
        variables.push((
            format!("Xml carrying {how}"),
            format!(r#"{{"value":{},"type":"Xml"}}"#, js(&xml)),
        ));
        variables.push((
            format!("Object xml carrying {how}"),
            typed(&js(&xml), "Object", "com.acme.Order", "application/xml"),
        ));
    }
    // Null values and missing members.
    variables.push((
        "Object null value".into(),
        typed(
            "null",
            "Object",
            "com.sun.rowset.JdbcRowSetImpl",
            "application/json",
        ),
    ));
    variables.push((
        "Object without valueInfo".into(),
        r#"{"value":"{}","type":"Object"}"#.into(),
    ));
    variables.push((
        "untyped with a format".into(),
        r#"{"value":"{}","valueInfo":{"serializationDataFormat":"application/x-java-serialized-object"}}"#.into(),
    ));
    for (how, var) in &variables {
        json_case(
            &mut cases,
            format!("start: {how}"),
            START,
            ct,
            start_body(var).into_bytes(),
        );
    }
    // The whole body one variable (PUT .../variables/{name}).
    for (how, var) in variables.iter().step_by(7) {
        json_case(
            &mut cases,
            format!("put: {how}"),
            PUT_VARIABLE,
            ct,
            var.clone().into_bytes(),
        );
    }
    // Every character of each meaningful key written as \uXXXX.
    let gadget_var = typed(
        &js("{}"),
        "Object",
        "com.sun.rowset.JdbcRowSetImpl",
        "application/json",
    );
    let serial_var = typed(
        &js("rO0="),
        "Object",
        "java.util.HashMap",
        "application/x-java-serialized-object",
    );
    let typeid_var = format!(
        r#"{{"value":{},"type":"Json"}}"#,
        js(r#"{"@class":"com.sun.rowset.JdbcRowSetImpl"}"#)
    );
    let allowed_var = typed(&js("{}"), "Object", "java.util.HashMap", "application/json");
    for base in [&gadget_var, &serial_var, &allowed_var] {
        let body = start_body(base);
        for key in [
            "objectTypeName",
            "valueInfo",
            "type",
            "serializationDataFormat",
            "value",
            "variables",
        ] {
            for (how, b) in escaped_key_variants(&body, key) {
                json_case(
                    &mut cases,
                    format!("escaped key: {how}"),
                    START,
                    ct,
                    b.into_bytes(),
                );
            }
        }
    }
    for id in ["@class", "@type", "@c", "$type"] {
        let body = format!(
            r#"{{"variables":{{"o":{{"value":{},"type":"Json"}}}},"x":{{"{id}":"com.sun.rowset.JdbcRowSetImpl"}}}}"#,
            js("{}")
        );
        for (how, b) in escaped_key_variants(&body, id) {
            json_case(
                &mut cases,
                format!("escaped type id: {how}"),
                START,
                ct,
                b.into_bytes(),
            );
        }
    }
    let carried = start_body(&typeid_var);
    for (how, b) in escaped_key_variants(&carried, "Json") {
        json_case(
            &mut cases,
            format!("escaped type value: {how}"),
            START,
            ct,
            b.into_bytes(),
        );
    }
    // Escapes inside the carried document's key (\\u0040class).
    json_case(
        &mut cases,
        "carried @class escaped".into(),
        START,
        ct,
        start_body(
            r#"{"value":"{\"\\u0040class\":\"com.sun.rowset.JdbcRowSetImpl\"}","type":"Json"}"#,
        )
        .into_bytes(),
    );
    // Duplicate keys, each order.
    for (a, b) in [
        ("com.sun.rowset.JdbcRowSetImpl", "java.util.HashMap"),
        ("java.util.HashMap", "com.sun.rowset.JdbcRowSetImpl"),
    ] {
        let var = format!(
            r#"{{"value":"{{}}","type":"Object","valueInfo":{{"objectTypeName":"{a}","objectTypeName":"{b}","serializationDataFormat":"application/json"}}}}"#
        );
        json_case(
            &mut cases,
            format!("duplicate objectTypeName {a} then {b}"),
            START,
            ct,
            start_body(&var).into_bytes(),
        );
        let var = format!(
            r#"{{"value":"{{}}","type":"Object","valueInfo":{{"objectTypeName":"{a}","serializationDataFormat":"application/json"}},"valueInfo":{{"objectTypeName":"{b}","serializationDataFormat":"application/json"}}}}"#
        );
        json_case(
            &mut cases,
            format!("duplicate valueInfo {a} then {b}"),
            START,
            ct,
            start_body(&var).into_bytes(),
        );
    }
    for (a, b) in [("String", "Object"), ("Object", "String")] {
        let var = format!(
            r#"{{"value":"{{}}","type":"{a}","type":"{b}","valueInfo":{{"objectTypeName":"com.sun.rowset.JdbcRowSetImpl","serializationDataFormat":"application/json"}}}}"#
        );
        json_case(
            &mut cases,
            format!("duplicate type {a} then {b}"),
            START,
            ct,
            start_body(&var).into_bytes(),
        );
    }
    // Encodings and charsets of a benign and a gadget body.
    for (how, var) in [("allowed", &allowed_var), ("gadget", &gadget_var)] {
        let text = start_body(var);
        let mut encoded: Vec<(&str, Vec<u8>)> = vec![
            ("utf-8", text.clone().into_bytes()),
            (
                "utf-8 bom",
                [b"\xef\xbb\xbf".as_slice(), text.as_bytes()].concat(),
            ),
            ("utf-16le", utf16(&text, false, false)),
            ("utf-16be", utf16(&text, true, false)),
            ("utf-16le bom", utf16(&text, false, true)),
            ("utf-16be bom", utf16(&text, true, true)),
        ];
        encoded.push(("trailing garbage", format!("{text} x").into_bytes()));
        encoded.push(("trailing value", format!("{text}{text}").into_bytes()));
        for (enc, body) in encoded {
            for charset in [
                "",
                "; charset=UTF-8",
                "; charset=utf-16",
                "; charset=ISO-8859-1",
            ] {
                json_case(
                    &mut cases,
                    format!("{how} body {enc}{charset}"),
                    START,
                    &format!("{ct}{charset}"),
                    body.clone(),
                );
            }
        }
    }
    cases
}

/// XML documents with and without what the policies forbid.
fn xml_documents() -> Vec<(String, String)> {
    const BPMN: &str = "http://www.omg.org/spec/BPMN/20100524/MODEL";
    const CAMUNDA: &str = "http://camunda.org/schema/1.0/bpmn";
    let model = |inner: &str| {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><definitions xmlns="{BPMN}" xmlns:camunda="{CAMUNDA}" id="d" targetNamespace="http://acme.com"><process id="p" isExecutable="true">{inner}</process></definitions>"#
        )
    };
    let mut out = vec![
        ("plain model".to_owned(), model(r#"<startEvent id="s"/><userTask id="t" name="Approve &amp; sign"/>"#)),
        ("script task".to_owned(), model(r#"<scriptTask id="s" scriptFormat="groovy"><script>println 1</script></scriptTask>"#)),
        ("camunda:script".to_owned(), model(r#"<serviceTask id="s"><extensionElements><camunda:executionListener event="start"><camunda:script scriptFormat="groovy">1</camunda:script></camunda:executionListener></extensionElements></serviceTask>"#)),
        ("camunda:resource".to_owned(), model(r#"<serviceTask id="s" camunda:resource="deployment://x.groovy"/>"#)),
        ("condition language".to_owned(), model(r#"<sequenceFlow id="f" sourceRef="a" targetRef="b"><conditionExpression language="groovy">1</conditionExpression></sequenceFlow>"#)),
        ("script in a prefixed namespace".to_owned(), format!(r#"<bpmn:definitions xmlns:bpmn="{BPMN}"><bpmn:process id="p"><bpmn:scriptTask id="s" scriptFormat="js"/></bpmn:process></bpmn:definitions>"#)),
        ("script task, no namespace".to_owned(), "<definitions><process><scriptTask scriptFormat=\"js\"/></process></definitions>".to_owned()),
        ("internal DOCTYPE".to_owned(), "<?xml version=\"1.0\"?><!DOCTYPE d [<!ELEMENT d ANY>]><d/>".to_owned()),
        ("internal entity".to_owned(), "<!DOCTYPE d [<!ENTITY e \"x\">]><d>&e;</d>".to_owned()),
        ("external entity".to_owned(), "<!DOCTYPE d [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><d>&e;</d>".to_owned()),
        ("external entity, unused".to_owned(), "<!DOCTYPE d [<!ENTITY e SYSTEM \"http://evil.example/x\">]><d/>".to_owned()),
        ("external DTD".to_owned(), "<!DOCTYPE d SYSTEM \"http://evil.example/d.dtd\"><d/>".to_owned()),
        ("public DTD".to_owned(), "<!DOCTYPE d PUBLIC \"-//X//EN\" \"http://evil.example/d.dtd\"><d/>".to_owned()),
        ("parameter entity".to_owned(), "<!DOCTYPE d [<!ENTITY % p SYSTEM \"http://evil.example/p.dtd\"> %p;]><d/>".to_owned()),
        ("entity in attribute".to_owned(), "<!DOCTYPE d [<!ENTITY e \"x\">]><d a=\"&e;\"/>".to_owned()),
        ("billion laughs".to_owned(), "<!DOCTYPE d [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;\">]><d>&c;</d>".to_owned()),
        ("xinclude".to_owned(), "<d xmlns:xi=\"http://www.w3.org/2001/XInclude\"><xi:include href=\"file:///etc/passwd\" parse=\"text\"/></d>".to_owned()),
        ("xinclude 2003".to_owned(), "<d xmlns:xi=\"http://www.w3.org/2003/XInclude\"><xi:include href=\"x\"/></d>".to_owned()),
        ("xslt".to_owned(), "<xsl:stylesheet version=\"1.0\" xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\"><xsl:template match=\"/\"/></xsl:stylesheet>".to_owned()),
        ("stylesheet PI absolute".to_owned(), "<?xml-stylesheet type=\"text/xsl\" href=\"http://evil.example/s.xsl\"?><d/>".to_owned()),
        ("stylesheet PI relative".to_owned(), "<?xml-stylesheet type=\"text/xsl\" href=\"s.xsl\"?><d/>".to_owned()),
        ("other PI".to_owned(), "<?acme x?><d/>".to_owned()),
        ("comment and CDATA".to_owned(), "<!-- c --><d><![CDATA[<x>&e;]]></d>".to_owned()),
        ("character references".to_owned(), "<d a=\"&#60;&#x3E;\">&lt;&amp;&#233;</d>".to_owned()),
        ("undeclared prefix".to_owned(), "<a:d/>".to_owned()),
        ("malformed".to_owned(), "<d><e></d>".to_owned()),
        ("xml 1.1".to_owned(), "<?xml version=\"1.1\"?><d/>".to_owned()),
    ];
    for (how, loc) in [
        (
            "public http",
            format!("{BPMN} http://www.omg.org/spec/BPMN/20100501/BPMN20.xsd"),
        ),
        ("bare file name", format!("{BPMN} BPMN20.xsd")),
        ("file url", format!("{BPMN} file:///etc/passwd")),
        ("loopback", format!("{BPMN} http://127.0.0.1:8080/x.xsd")),
        (
            "link-local",
            format!("{BPMN} http://169.254.169.254/latest"),
        ),
        ("jar url", format!("{BPMN} jar:file:///x.jar!/a.xsd")),
    ] {
        out.push((
            format!("xsi:schemaLocation {how}"),
            format!(r#"<definitions xmlns="{BPMN}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="{loc}"/>"#),
        ));
        let single = loc.split_whitespace().nth(1).unwrap().to_owned();
        out.push((
            format!("xsi:noNamespaceSchemaLocation {how}"),
            format!(r#"<d xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="{single}"/>"#),
        ));
        for element in ["import", "include", "redefine", "override"] {
            out.push((
                format!("xs:{element} schemaLocation {how}"),
                format!(r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:{element} namespace="urn:x" schemaLocation="{single}"/></xs:schema>"#),
            ));
        }
    }
    out
}

fn xml_case(cases: &mut Vec<Case>, label: String, ct: &str, body: Vec<u8>) {
    cases.push(Case {
        kind: Kind::Xml,
        label,
        method: "POST",
        uri: MESSAGE,
        content_type: ct.to_owned(),
        body,
    });
}

/// A document with `encoding` declared (or none), text `é€`, encoded by
/// `encoder`.
fn encoded_documents() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let doc = |decl: Option<&str>, text: &str| match decl {
        Some(enc) => {
            format!("<?xml version=\"1.0\" encoding=\"{enc}\"?><d a=\"{text}\">{text}</d>")
        }
        None => format!("<d a=\"{text}\">{text}</d>"),
    };
    let decls: [Option<&str>; 9] = [
        None,
        Some("UTF-8"),
        Some("utf-8"),
        Some("UTF-16"),
        Some("UTF-16LE"),
        Some("ISO-8859-1"),
        Some("latin1"),
        Some("windows-1252"),
        Some("US-ASCII"),
    ];
    for decl in decls {
        let label = decl.unwrap_or("no declaration");
        // UTF-8, with and without BOM.
        let text = doc(decl, "caf\u{e9} \u{20ac}");
        out.push((
            format!("utf-8 bytes, declared {label}"),
            text.clone().into_bytes(),
        ));
        out.push((
            format!("utf-8 bytes with BOM, declared {label}"),
            [b"\xef\xbb\xbf".as_slice(), text.as_bytes()].concat(),
        ));
        for (name, be, bom) in [
            ("utf-16le", false, false),
            ("utf-16be", true, false),
            ("utf-16le bom", false, true),
            ("utf-16be bom", true, true),
        ] {
            out.push((
                format!("{name} bytes, declared {label}"),
                utf16(&text, be, bom),
            ));
        }
        // Single-byte encodings: é is 0xE9 in both; € is 0x80 in
        // windows-1252 only.
        let latin = doc(decl, "caf\u{e9}");
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&latin);
        out.push((
            format!("latin-1 bytes, declared {label}"),
            bytes.into_owned(),
        ));
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&text);
        out.push((
            format!("windows-1252 bytes, declared {label}"),
            bytes.into_owned(),
        ));
        let ascii = doc(decl, "cafe");
        out.push((format!("ascii bytes, declared {label}"), ascii.into_bytes()));
    }
    out
}

fn xml_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    let ct = "application/xml";
    let src = String::from_utf8(read("tests/xml.rs")).unwrap();
    for lit in raw_literals(&src) {
        if lit.trim_start().starts_with('<') && !lit.contains("{{") {
            xml_case(
                &mut cases,
                "tests/xml.rs literal".into(),
                ct,
                lit.into_bytes(),
            );
        }
    }
    for (name, body) in folder("fuzz/seeds/xml") {
        xml_case(&mut cases, format!("fuzz/seeds/xml/{name}"), ct, body);
    }
    for (name, body) in folder("tests/engine/corpus") {
        if !name.ends_with(".json") && !name.ends_with(".form") {
            xml_case(&mut cases, format!("corpus/{name}"), ct, body);
        }
    }
    for (how, doc) in xml_documents() {
        xml_case(&mut cases, how.clone(), ct, doc.clone().into_bytes());
        xml_case(
            &mut cases,
            format!("{how} (text/xml)"),
            "text/xml",
            doc.into_bytes(),
        );
    }
    for (how, body) in encoded_documents() {
        for charset in [
            "",
            "; charset=UTF-8",
            "; charset=utf-16",
            "; charset=ISO-8859-1",
            "; charset=windows-1252",
        ] {
            xml_case(
                &mut cases,
                format!("{how}, content type{charset}"),
                &format!("{ct}{charset}"),
                body.clone(),
            );
        }
    }
    cases
}

// ------------------------------------------------------------ multipart

/// One part, written as given (the disposition line is raw).
struct RawPart {
    disposition: String,
    content_type: Option<String>,
    body: Vec<u8>,
}

fn raw(
    disposition: impl Into<String>,
    content_type: Option<&str>,
    body: impl Into<Vec<u8>>,
) -> RawPart {
    RawPart {
        disposition: disposition.into(),
        content_type: content_type.map(str::to_owned),
        body: body.into(),
    }
}

fn field(name: &str, body: &str) -> RawPart {
    raw(format!("form-data; name=\"{name}\""), None, body)
}

fn file(name: &str, filename: &str, body: &str) -> RawPart {
    raw(
        format!("form-data; name=\"{name}\"; filename=\"{filename}\""),
        None,
        body,
    )
}

fn multipart_body(parts: &[RawPart]) -> Vec<u8> {
    let mut out = Vec::new();
    for p in parts {
        out.extend_from_slice(b"--b\r\nContent-Disposition: ");
        out.extend_from_slice(p.disposition.as_bytes());
        out.extend_from_slice(b"\r\n");
        if let Some(ct) = &p.content_type {
            out.extend_from_slice(format!("Content-Type: {ct}\r\n").as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&p.body);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"--b--\r\n");
    out
}

fn mp_case(cases: &mut Vec<Case>, label: String, uri: &'static str, parts: &[RawPart]) {
    cases.push(Case {
        kind: Kind::Multipart,
        label,
        method: "POST",
        uri,
        content_type: "multipart/form-data; boundary=b".into(),
        body: multipart_body(parts),
    });
}

fn multipart_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    let docs = xml_documents();
    let doc = |how: &str| docs.iter().find(|(h, _)| h == how).unwrap().1.clone();
    let plain = doc("plain model");
    let xxe = doc("external entity");
    let script = doc("script task");
    // The project's request seeds that are multipart.
    for (name, bytes) in folder("fuzz/seeds/request") {
        let Some(nl) = bytes.iter().position(|&b| b == b'\n') else {
            continue;
        };
        let uri = String::from_utf8_lossy(&bytes[1..nl]).into_owned();
        let body = bytes[nl + 1..].to_vec();
        if !body.starts_with(b"--") {
            continue;
        }
        let uri = if uri.ends_with("/deployment/create") {
            DEPLOY
        } else {
            UPLOAD
        };
        // The seeds' line ends are LF; the engine needs CRLF.
        let crlf = String::from_utf8_lossy(&body)
            .replace("\r\n", "\n")
            .replace('\n', "\r\n");
        cases.push(Case {
            kind: Kind::Multipart,
            label: format!("fuzz/seeds/request/{name}"),
            method: "POST",
            uri,
            content_type: "multipart/form-data; boundary=b".into(),
            body: crlf.into_bytes(),
        });
    }
    // Deployments: file names and suffixes.
    let suffixes = [
        "p.bpmn",
        "pbpmn",
        "p_bpmn",
        "p.xbpmn",
        "P.BPMN",
        "p.Bpmn",
        "p.bpmn20.xml",
        "p.bpmn20.XML",
        "p.cmmn",
        "p-cmmn",
        "p.cmmn11.xml",
        "p.cmmn10.xml",
        "p.dmn",
        "p.dmn11.xml",
        "pdmn",
        "p.xml",
        "p.form",
        "p.json",
        "p.txt",
        "p.bpmn.txt",
        "p.bpm",
        "bpmn",
        ".bpmn",
    ];
    for name in suffixes {
        for (how, content) in [("plain", &plain), ("xxe", &xxe), ("script", &script)] {
            mp_case(
                &mut cases,
                format!("deploy {name:?} {how}"),
                DEPLOY,
                &[field("deployment-name", "d"), file("data", name, content)],
            );
        }
    }
    mp_case(
        &mut cases,
        "deploy a form that is not JSON".into(),
        DEPLOY,
        &[file("data", "p.form", "not json")],
    );
    mp_case(
        &mut cases,
        "deploy a form".into(),
        DEPLOY,
        &[file("data", "p.form", r#"{"id":"f","components":[]}"#)],
    );
    for c in odd_chars() {
        let code = c as u32;
        for (pos, name) in [
            ("after", format!("p.bpmn{c}")),
            ("before", format!("{c}p.bpmn")),
            ("inside suffix", format!("p.bp{c}mn")),
            ("before suffix", format!("p{c}.bpmn")),
            ("after dmn11", format!("p.dmn11.xml{c}")),
        ] {
            for (how, content) in [("plain", &plain), ("xxe", &xxe), ("script", &script)] {
                mp_case(
                    &mut cases,
                    format!("deploy file name U+{code:04X} {pos} {how}"),
                    DEPLOY,
                    &[field("deployment-name", "d"), file("data", &name, content)],
                );
            }
        }
        // Reserved names padded: the engine sees `deployment-name`, not a
        // resource; a resource named like it with a padded file name.
        for (pos, name) in [
            ("after", format!("deployment-name{c}")),
            ("before", format!("{c}deployment-name")),
            ("inside", format!("deployment{c}-name")),
        ] {
            mp_case(
                &mut cases,
                format!("deploy reserved name U+{code:04X} {pos}, XXE file"),
                DEPLOY,
                &[file(&name, "p.bpmn", &xxe)],
            );
            mp_case(
                &mut cases,
                format!("deploy reserved name U+{code:04X} {pos}, text"),
                DEPLOY,
                &[
                    raw(format!("form-data; name=\"{name}\""), None, "d"),
                    file("data", "p.bpmn", &plain),
                ],
            );
        }
        // Variable upload: the `type` and `data` names padded.
        for (pos, tname, dname) in [
            ("after", format!("type{c}"), format!("data{c}")),
            ("before", format!("{c}type"), format!("{c}data")),
            ("inside", format!("ty{c}pe"), format!("da{c}ta")),
        ] {
            for class in ["com.sun.rowset.JdbcRowSetImpl", "java.util.HashMap"] {
                mp_case(
                    &mut cases,
                    format!("upload type name U+{code:04X} {pos} {class}"),
                    UPLOAD,
                    &[
                        raw("form-data; name=\"data\"", Some("application/json"), "{}"),
                        field(&tname, class),
                    ],
                );
            }
            mp_case(
                &mut cases,
                format!("upload data name U+{code:04X} {pos} with a type id"),
                UPLOAD,
                &[
                    raw(
                        format!("form-data; name=\"{dname}\""),
                        Some("application/json"),
                        r#"{"@class":"com.sun.rowset.JdbcRowSetImpl"}"#,
                    ),
                    field("type", "java.util.HashMap"),
                ],
            );
            // The class name itself padded (the engine reads the text as is).
            mp_case(
                &mut cases,
                format!("upload type text U+{code:04X} {pos}"),
                UPLOAD,
                &[
                    raw("form-data; name=\"data\"", Some("application/json"), "{}"),
                    field("type", &format!("{c}com.sun.rowset.JdbcRowSetImpl{c}")),
                ],
            );
        }
    }
    // Content-Disposition quoting variants.
    let gadget = "com.sun.rowset.JdbcRowSetImpl";
    let data_json = || raw("form-data; name=\"data\"", Some("application/json"), "{}");
    for disposition in [
        "form-data; name=type",
        "form-data; name=\"type\"",
        "form-data; name= \"type\" ",
        "form-data; name=\"ty\\pe\"",
        "form-data; name=\"t\\\"ype\"",
        "form-data; name='type'",
        "form-data; name=\"=?UTF-8?B?dHlwZQ==?=\"",
        "form-data; name=\"=?UTF-8?Q?type?=\"",
        "form-data; name==?UTF-8?B?dHlwZQ==?=",
        "form-data; name=\"x\"; name=\"type\"",
        "form-data; name=\"type\"; name=\"x\"",
        "form-data; NAME=\"type\"",
        "form-data;name=\"type\"",
        "form-data ; name=\"type\"",
        "FORM-DATA; name=\"type\"",
        "form-datax; name=\"type\"",
        "form-data, name=\"type\"",
        "form-data; name=\"type\"; filename=\"t.txt\"",
        "form-data; name=\"type\"; filename",
        "form-data; name=\"type\"; filename=\"\"",
        "attachment; name=\"type\"",
        "form-data; name=\"type;x\"",
        "form-data; name=\"type\"x",
        "form-data; name=\"ty\"pe",
        "form-data; name=type\"\"",
    ] {
        for class in [gadget, "java.util.HashMap"] {
            mp_case(
                &mut cases,
                format!("upload disposition `{disposition}` {class}"),
                UPLOAD,
                &[data_json(), raw(disposition, None, class)],
            );
        }
    }
    for disposition in [
        "form-data; name=\"data\"; filename=p.bpmn",
        "form-data; name=\"data\"; filename=\"p.bpmn\"",
        "form-data; name=\"data\"; filename=\"p.txt\"; filename=\"p.bpmn\"",
        "form-data; name=\"data\"; filename=\"p.bpmn\"; filename=\"p.txt\"",
        "form-data; name=\"data\"; filename*=UTF-8''p.bpmn",
        "form-data; name=\"data\"; filename=\"p.txt\"; filename*=UTF-8''p.bpmn",
        "form-data; name=\"data\"; filename*=UTF-8''p.txt; filename=\"p.bpmn\"",
        "form-data; name=\"data\"; filename=\"=?UTF-8?B?cC5icG1u?=\"",
        "form-data; name=\"data\"; filename=\"p.bp\\mn\"",
        "form-data; name=\"data\"; filename=\"p.\\\"bpmn\"",
        "form-data; name=\"data\"; filename=\"dir/p.bpmn\"",
        "form-data; name=\"data\"; filename=\"C:\\\\x\\\\p.bpmn\"",
        "form-data; name=\"data\"; filename=\"p.bpmn\"x",
        "form-data; name=\"data\"; filename=\"p.bp\"mn",
        "form-data; name=\"data\"; filename='p.bpmn'",
        "attachment; name=\"data\"; filename=\"p.bpmn\"",
        "form-data; filename=\"p.bpmn\"",
        "form-data; name=\"data\"; FILENAME=\"p.bpmn\"",
    ] {
        for (how, content) in [("plain", &plain), ("xxe", &xxe)] {
            mp_case(
                &mut cases,
                format!("deploy disposition `{disposition}` {how}"),
                DEPLOY,
                &[raw(disposition, None, content.as_str())],
            );
        }
    }
    // Repeated parts.
    for (a, b) in [(gadget, "java.util.HashMap"), ("java.util.HashMap", gadget)] {
        mp_case(
            &mut cases,
            format!("upload two type parts {a} then {b}"),
            UPLOAD,
            &[data_json(), field("type", a), field("type", b)],
        );
    }
    for (a, b) in [(&xxe, &plain), (&plain, &xxe)] {
        mp_case(
            &mut cases,
            "deploy two parts, one file name".into(),
            DEPLOY,
            &[file("a", "p.bpmn", a), file("b", "p.bpmn", b)],
        );
        mp_case(
            &mut cases,
            "deploy two parts, one field name".into(),
            DEPLOY,
            &[file("a", "p.bpmn", a), file("a", "q.bpmn", b)],
        );
        mp_case(
            &mut cases,
            "deploy two parts, one field name, second not a model".into(),
            DEPLOY,
            &[file("a", "p.bpmn", a), file("a", "q.txt", b)],
        );
    }
    mp_case(
        &mut cases,
        "deploy a part without a file name".into(),
        DEPLOY,
        &[file("data", "p.bpmn", &xxe), field("extra", "x")],
    );
    // Data parts: JSON, Java serialization, other types.
    for ct in [
        "application/json",
        "application/json; charset=UTF-8",
        "Application/JSON",
        "application/json-seq",
        "text/plain; x=application/json",
        "application/x-java-serialized-object",
        "APPLICATION/X-JAVA-SERIALIZED-OBJECT",
        "application/x-java-serialized-object; x=1",
        "application/octet-stream",
        "text/plain",
    ] {
        for (how, data) in [
            (
                "type id gadget",
                r#"{"@class":"com.sun.rowset.JdbcRowSetImpl"}"#,
            ),
            ("plain", r#"{"a":1}"#),
            ("serialized", "\u{ac}\u{ed}\u{0}\u{5}"),
        ] {
            mp_case(
                &mut cases,
                format!("upload data `{ct}` {how} without type"),
                UPLOAD,
                &[raw(
                    "form-data; name=\"data\"; filename=\"d\"",
                    Some(ct),
                    data,
                )],
            );
            mp_case(
                &mut cases,
                format!("upload data `{ct}` {how} with type"),
                UPLOAD,
                &[
                    raw("form-data; name=\"data\"", Some(ct), data),
                    field("type", "java.util.HashMap"),
                ],
            );
        }
    }
    // Type part content types (the engine reads text only from text/plain or none).
    for ct in [
        "text/plain",
        "text/plain; charset=UTF-8",
        "application/octet-stream",
        "TEXT/PLAIN",
    ] {
        mp_case(
            &mut cases,
            format!("upload type part `{ct}` gadget"),
            UPLOAD,
            &[
                data_json(),
                raw("form-data; name=\"type\"", Some(ct), gadget),
            ],
        );
    }
    // Type names with generics, arrays, white space.
    for class in GADGETS.iter().chain(ALLOWED).copied().chain([
        "java.util.ArrayList< com.sun.rowset.JdbcRowSetImpl >",
        "java.util.HashMap<java.lang.String,java.util.ArrayList<com.sun.rowset.JdbcRowSetImpl>>",
        "java.util.ArrayList<java.lang.String>,com.sun.rowset.JdbcRowSetImpl",
        "com.sun.rowset.JdbcRowSetImpl[]",
        "int",
        "[I",
        "java.util.HashMap<java.lang.String,java.lang.Integer>",
        "java.util.ArrayList<java.util.ArrayList<java.lang.String>>",
    ]) {
        mp_case(
            &mut cases,
            format!("upload type {class}"),
            UPLOAD,
            &[data_json(), field("type", class)],
        );
    }
    // Resources whose content type says what they are.
    for ct in [
        "application/xml",
        "text/xml",
        "text/xml; charset=utf-8",
        "application/octet-stream",
        "text/plain",
    ] {
        for (how, content) in [("plain", &plain), ("xxe", &xxe)] {
            mp_case(
                &mut cases,
                format!("deploy resource `{ct}` {how}"),
                DEPLOY,
                &[raw(
                    "form-data; name=\"data\"; filename=\"notes.txt\"",
                    Some(ct),
                    content.as_str(),
                )],
            );
        }
    }
    // Every XML document as a model, and encodings of a model resource.
    for (how, content) in &docs {
        mp_case(
            &mut cases,
            format!("deploy p.bpmn: {how}"),
            DEPLOY,
            &[file("data", "p.bpmn", content)],
        );
    }
    for (how, bytes) in encoded_documents() {
        for ct in [
            None,
            Some("text/xml; charset=utf-8"),
            Some("text/xml; charset=ISO-8859-1"),
            Some("application/octet-stream"),
        ] {
            let part = RawPart {
                disposition: "form-data; name=\"data\"; filename=\"p.cmmn\"".into(),
                content_type: ct.map(str::to_owned),
                body: bytes.clone(),
            };
            mp_case(
                &mut cases,
                format!("deploy p.cmmn {how}, part type {ct:?}"),
                DEPLOY,
                &[part],
            );
        }
    }
    for (name, body) in folder("tests/engine/corpus") {
        mp_case(
            &mut cases,
            format!("deploy corpus/{name}"),
            DEPLOY,
            &[
                field("deployment-name", "d"),
                raw(
                    format!("form-data; name=\"data\"; filename=\"{name}\""),
                    None,
                    body,
                ),
            ],
        );
    }
    // The request Content-Type header's own spellings.
    for ct in [
        "multipart/form-data; boundary=\"b\"",
        "multipart/form-data;boundary=b",
        "Multipart/Form-Data; boundary=b",
        "multipart/form-data; boundary=b; boundary=c",
        "multipart/form-data; boundary=c; boundary=b",
        "multipart/form-data, boundary=b",
        "multipart/form-data; charset=utf-8; boundary=b",
        "multipart/form-data; BOUNDARY=b",
    ] {
        for (how, content) in [("plain", &plain), ("xxe", &xxe)] {
            cases.push(Case {
                kind: Kind::Multipart,
                label: format!("deploy request type `{ct}` {how}"),
                method: "POST",
                uri: DEPLOY,
                content_type: ct.into(),
                body: multipart_body(&[file("data", "p.bpmn", content)]),
            });
        }
    }
    // Framing: preamble, epilogue, LF line ends, padding after the boundary,
    // and part headers the engine's reader trims or ends differently
    // (control chars around header names and values, `\r\r\n\r\n`,
    // a nested `multipart/mixed` part).
    let framed = String::from_utf8(multipart_body(&[file("data", "p.bpmn", &xxe)])).unwrap();
    let mut header_tricks: Vec<(String, String)> = Vec::new();
    for c in (0u8..=0x20).chain([0x7f]).map(char::from) {
        if c == '\r' || c == '\n' {
            continue;
        }
        let code = u32::from(c);
        header_tricks.push((
            format!("control {code:#04x} after the disposition value"),
            framed.replacen("filename=\"p.bpmn\"", &format!("filename=\"p.bpmn\"{c}"), 1),
        ));
        header_tricks.push((
            format!("control {code:#04x} before the header name, decoy after"),
            framed.replacen(
                "Content-Disposition: ",
                &format!("{c}Content-Disposition: form-data; name=\"data\"; filename=\"p.bpmn\"\r\nContent-Disposition: form-data; name=\"x\"; filename=\"notes.txt\"\r\nX-Old: "),
                1,
            ),
        ));
    }
    header_tricks.push((
        "CR CR LF CR LF ends the headers".into(),
        framed
            .replacen(
                "\"p.bpmn\"\r\n\r\n",
                "\"p.bpmn\"\r\r\n\r\n<r/><?x \r\n\r\n",
                1,
            )
            .replacen("\r\n--b--", "<?y ?>\r\n--b--", 1),
    ));
    header_tricks.push((
        "nested multipart/mixed".into(),
        format!(
            "--b\r\nContent-Disposition: form-data; name=\"r\"\r\nContent-Type: multipart/mixed; boundary=c\r\n\r\n\
             --c\r\nContent-Disposition: attachment; filename=\"p.bpmn\"\r\n\r\n{xxe}\r\n--c--\r\n\r\n--b--\r\n"
        ),
    ));
    for (how, body) in header_tricks {
        cases.push(Case {
            kind: Kind::Multipart,
            label: format!("deploy headers: {how}"),
            method: "POST",
            uri: DEPLOY,
            content_type: "multipart/form-data; boundary=b".into(),
            body: body.into_bytes(),
        });
    }
    for (how, body) in [
        ("preamble", format!("hello\r\n{framed}")),
        ("epilogue", format!("{framed}trailer")),
        ("LF line ends", framed.replace("\r\n", "\n")),
        (
            "padding after boundary",
            framed.replacen("--b\r\n", "--b  \r\n", 1),
        ),
        ("no close delimiter", framed.replace("--b--\r\n", "")),
        (
            "folded header",
            framed.replacen("; filename", ";\r\n filename", 1),
        ),
    ] {
        cases.push(Case {
            kind: Kind::Multipart,
            label: format!("deploy framing: {how}"),
            method: "POST",
            uri: DEPLOY,
            content_type: "multipart/form-data; boundary=b".into(),
            body: body.into_bytes(),
        });
    }
    cases
}

// ------------------------------------------------------------- the oracle

fn write_batch(cases: &[Case], path: &Path) {
    let mut out = Vec::new();
    out.extend_from_slice(&u32::try_from(cases.len()).unwrap().to_be_bytes());
    for c in cases {
        let header = format!("{}\t{}\t{}", c.kind.name(), c.route(), c.content_type);
        for block in [header.as_bytes(), &c.body] {
            out.extend_from_slice(&u32::try_from(block.len()).unwrap().to_be_bytes());
            out.extend_from_slice(block);
        }
    }
    std::fs::write(path, out).unwrap();
}

fn run_oracle(cases: &[Case]) -> Option<Vec<Value>> {
    let oracle = java::build(
        "bodies",
        &[
            "BodyOracle.java",
            "BodyOracleJson.java",
            "BodyOracleXml.java",
            "BodyOracleMultipart.java",
        ],
        &[
            "jackson-databind.jar",
            "jackson-core.jar",
            "jackson-annotations.jar",
            "commons-fileupload.jar",
            "commons-io.jar",
        ],
    )?;
    let batch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("engine-bodies.bin");
    write_batch(cases, &batch);
    // commons-fileupload decodes part headers with the platform charset
    // (Camunda passes no request encoding): `Oracle::command` fixes it to
    // UTF-8, the default of Java 18+ and of every UTF-8 locale.
    let mut cmd = oracle.command("BodyOracle");
    cmd.arg(&batch);
    let output = cmd.output().expect("run the body oracle");
    assert!(
        output.status.success(),
        "the body oracle failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let facts: Vec<Value> = output
        .stdout
        .lines()
        .map(|l| serde_json::from_str(&l.unwrap()).expect("an oracle line is JSON"))
        .collect();
    assert_eq!(facts.len(), cases.len(), "one oracle line per case");
    Some(facts)
}

// ------------------------------------------------------------ judgement

/// Classes a component may be even when the policy does not list it:
/// Camunda's `DefaultDeserializationTypeValidator` always admits these
/// (its hard-coded collection classes, and the value classes of its
/// `java.lang` prefix, named one by one; camunda7.md 1.1). A body is
/// "plainly benign" with them; never in the danger check. Written out from
/// the engine's source rather than taken from the guard's own list
/// (`CAMUNDA7_VALUE_TYPES`), so that the judge does not lean on the code it
/// judges.
const ENGINE_BASE: &[&str] = &[
    "java.util.ArrayList",
    "java.util.Arrays$ArrayList",
    "java.util.HashMap",
    "java.util.HashSet",
    "java.util.LinkedHashMap",
    "java.util.LinkedHashSet",
    "java.util.LinkedList",
    "java.util.Properties",
    "java.util.TreeMap",
    "java.util.TreeSet",
    "java.lang.String",
    "java.lang.Boolean",
    "java.lang.Byte",
    "java.lang.Short",
    "java.lang.Integer",
    "java.lang.Long",
    "java.lang.Float",
    "java.lang.Double",
    "java.lang.Character",
    "java.lang.Number",
];

/// A class name as Jackson looked it up, reduced to the class itself
/// (`[Lx.Y;` -> `x.Y`); `None` for primitive arrays.
fn component(name: &str) -> Option<&str> {
    let inner = name.trim_start_matches('[');
    if inner.len() == name.len() {
        return Some(name);
    }
    match inner.strip_prefix('L').and_then(|s| s.strip_suffix(';')) {
        Some(class) => Some(class),
        None if inner.len() == 1 => None,
        None => Some(inner),
    }
}

struct Judge<'g> {
    guard: &'g Guard,
}

fn strs(v: &Value) -> impl Iterator<Item = &str> {
    v.as_array().into_iter().flatten().filter_map(Value::as_str)
}

fn flag(v: &Value, key: &str) -> bool {
    v[key].as_bool().unwrap_or(false)
}

fn num(v: &Value, key: &str) -> u64 {
    v[key].as_u64().unwrap_or(0)
}

/// Lower-case, without `-`/`_`: `UTF-16LE` and `utf_16le` meet.
fn norm_encoding(s: &str) -> String {
    let s: String = s
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | ' '))
        .flat_map(char::to_lowercase)
        .collect();
    match s.as_str() {
        "latin1" | "iso88591" | "l1" => "iso88591".into(),
        "cp1252" | "windows1252" => "windows1252".into(),
        "ascii" | "usascii" => "usascii".into(),
        _ => s,
    }
}

/// The `charset` parameter of a content type.
fn charset(content_type: Option<&str>) -> Option<String> {
    content_type?.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches('"').to_owned())
    })
}

/// Whether a schema location is one `schema_locations = "public-http"`
/// must refuse: another scheme than http(s) (`file:`, `jar:`...), a
/// loopback, private or link-local host, or a path.
fn location_forbidden(loc: &str) -> bool {
    let lower = loc.to_ascii_lowercase();
    let Some((scheme, rest)) = lower.split_once(':') else {
        return loc.contains(['/', '\\']);
    };
    if scheme != "http" && scheme != "https" {
        return true;
    }
    let host = rest
        .trim_start_matches('/')
        .split(['/', '?', '#'])
        .next()
        .unwrap_or("");
    let host = host.rsplit('@').next().unwrap_or("");
    let host = if host.starts_with('[') {
        host.split(']').next().unwrap_or("").trim_start_matches('[')
    } else {
        host.split(':').next().unwrap_or("")
    };
    if host == "localhost" || host.ends_with(".localhost") || host.is_empty() {
        return true;
    }
    match host.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(ip)) => {
            ip.is_loopback() || ip.is_private() || ip.is_link_local() || ip.is_unspecified()
        }
        Ok(std::net::IpAddr::V6(ip)) => {
            ip.is_loopback()
                || ip.is_unspecified()
                || (ip.segments()[0] & 0xfe00) == 0xfc00
                || (ip.segments()[0] & 0xffc0) == 0xfe80
        }
        Err(_) => false,
    }
}

/// A location a reader plainly would not worry about: an http(s) URL on a
/// DNS name, or a bare file name.
fn location_plain(loc: &str) -> bool {
    match loc.split_once("://") {
        Some((scheme, rest)) => {
            matches!(scheme, "http" | "https")
                && rest.split('/').next().is_some_and(|h| {
                    h.contains('.')
                        && h.chars().any(|c| c.is_ascii_alphabetic())
                        && h.chars()
                            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'))
                        && h.parse::<std::net::Ipv4Addr>().is_err()
                })
        }
        None => {
            !loc.is_empty()
                && loc
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        }
    }
}

/// The schema locations of an XML facts record: (location, is-a-location),
/// namespace names of `xsi:schemaLocation` pairs marked `false`.
fn locations(x: &Value) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    for entry in strs(&x["schema_locations"]) {
        let (kind, value) = entry.split_once('\t').unwrap_or(("single", entry));
        if kind == "pairs" {
            for (i, token) in value.split_whitespace().enumerate() {
                out.push((token.to_owned(), i % 2 == 1));
            }
        } else {
            out.push((value.trim().to_owned(), true));
        }
    }
    out
}

fn href(data: &str) -> Option<&str> {
    let at = data.find("href")?;
    let rest = data[at + 4..].trim_start().strip_prefix('=')?.trim_start();
    let quote = rest.chars().next()?;
    let rest = &rest[1..];
    Some(&rest[..rest.find(quote)?])
}

impl Judge<'_> {
    fn policy(&self) -> &Policy {
        self.guard.policy()
    }

    fn class_denied(&self, name: &str) -> bool {
        !self.guard.class_filter().check(name).is_allowed()
    }

    /// A class the engine plainly may use: the filter allows it, or
    /// Camunda's validator always admits it and no deny rule covers it.
    fn component_benign(&self, name: &str) -> bool {
        let Some(class) = component(name) else {
            return true;
        };
        match self.guard.class_filter().check_class(class) {
            ClassDecision::Allowed(_) => true,
            ClassDecision::Denied(_) => false,
            ClassDecision::NotAllowed => ENGINE_BASE.contains(&class),
        }
    }

    /// A component the guard must not let through: denied by a deny rule,
    /// or by no allow rule and not one of the engine's base classes.
    fn component_denied(&self, name: &str) -> bool {
        !self.component_benign(name)
    }

    // ---- dangers: what the engine would act on and the policy forbids

    fn xml_dangers(&self, x: &Value, out: &mut Vec<String>, at: &str) {
        let p = &self.policy().xml;
        if flag(x, "doctype") && !p.allow_doctype {
            out.push(format!("{at}DOCTYPE"));
        }
        for load in strs(&x["external_loads"]) {
            out.push(format!("{at}external load {load}"));
        }
        if num(x, "entity_expansions") > 0 {
            out.push(format!("{at}entity expansion {}", x["expanded"]));
        }
        if flag(x, "xinclude") {
            out.push(format!("{at}XInclude"));
        }
        for element in strs(&x["elements"]) {
            if !p.allow_xslt && element.starts_with("{http://www.w3.org/1999/XSL/Transform}") {
                out.push(format!("{at}XSLT element {element}"));
            }
            if p.forbid_elements.iter().any(|f| f.to_string() == element) {
                out.push(format!("{at}forbidden element {element}"));
            }
        }
        for pair in strs(&x["attributes"]) {
            let (element, attribute) = pair.split_once('\t').unwrap_or(("", pair));
            let hit = p.forbid_attributes.iter().any(|f| {
                f.attribute().to_string() == attribute
                    && f.element().is_none_or(|e| e.to_string() == element)
            });
            if hit {
                out.push(format!("{at}forbidden attribute {element}@{attribute}"));
            }
        }
        for (loc, is_location) in locations(x) {
            let bad = match p.schema_locations {
                SchemaLocations::Any => false,
                SchemaLocations::None => is_location,
                _ => is_location && location_forbidden(&loc),
            };
            if bad {
                out.push(format!("{at}schema location {loc}"));
            }
        }
        if !p.allow_absolute_stylesheets {
            for data in strs(&x["stylesheets"]) {
                if href(data).is_none_or(|h| h.contains(':') || h.starts_with(['/', '\\'])) {
                    out.push(format!("{at}stylesheet {data}"));
                }
            }
        }
    }

    fn json_dangers(&self, f: &Value, out: &mut Vec<String>, at: &str) {
        if !flag(f, "ok") {
            // Jackson refuses the body: the engine binds nothing.
            return;
        }
        for class in strs(&f["classes"]) {
            if !class.trim().is_empty() && self.class_denied(class) {
                out.push(format!("{at}class {class:?}"));
            }
        }
        for entry in f["class_parts"].as_array().into_iter().flatten() {
            for part in strs(&entry[2]) {
                if self.component_denied(part) {
                    out.push(format!(
                        "{at}class {:?} holds {part:?}",
                        entry[0].as_str().unwrap_or("")
                    ));
                }
            }
        }
        for pair in f["type_ids"].as_array().into_iter().flatten() {
            let key = pair[0].as_str().unwrap_or("");
            let value = pair[1].as_str().unwrap_or("");
            let filter = self.guard.class_filter();
            let allowed = if key.starts_with('$') {
                filter.check_dotnet(value).is_allowed()
            } else {
                filter.check(value).is_allowed()
            };
            if !allowed {
                out.push(format!("{at}type id {key}={value:?}"));
            }
        }
        if !self.policy().classes.allow_java_serialization && flag(f, "java_serialization") {
            out.push(format!("{at}Java serialization"));
        }
        for c in f["carried_json"].as_array().into_iter().flatten() {
            self.json_dangers(c, out, &format!("{at}carried JSON: "));
        }
        for c in f["carried_xml"].as_array().into_iter().flatten() {
            self.xml_dangers(c, out, &format!("{at}carried XML: "));
        }
    }

    fn multipart_dangers(&self, m: &Value, route: &str, out: &mut Vec<String>) {
        if !flag(m, "ok") {
            // commons-fileupload refuses the body: 400, no part is used.
            return;
        }
        let parts = m["parts"].as_array().cloned().unwrap_or_default();
        if route == "deploy" && flag(&m["deploy"], "ok") {
            for r in m["deploy"]["resources"].as_array().into_iter().flatten() {
                let models: Vec<&str> = strs(&r["deployers"]).filter(|d| *d != "form").collect();
                if models.is_empty() {
                    continue;
                }
                let part = &parts[usize::try_from(num(r, "part")).unwrap()];
                let at = format!(
                    "resource {:?} (engine parses as {}): ",
                    r["name"].as_str().unwrap_or(""),
                    models.join("+")
                );
                self.xml_dangers(&part["xml"], out, &at);
            }
        }
        if route == "upload" {
            let u = &m["upload"];
            for class in strs(&u["type_classes"]) {
                if self.component_denied(class) {
                    out.push(format!("type part names {class:?}"));
                }
            }
            if let Some(text) = u["type_text"].as_str()
                && !text.trim().is_empty()
                && self.class_denied(text.trim())
            {
                out.push(format!("type part text {text:?}"));
            }
            if flag(u, "data_json") {
                self.json_dangers(&u["data_facts"], out, "data part: ");
            }
            if flag(u, "java_serialization") && !self.policy().classes.allow_java_serialization {
                out.push("data part is Java serialization".into());
            }
        }
    }

    // ---- plainly benign: the narrow set the guard must let through

    /// Plainly benign XML: parses under Camunda's settings (and the
    /// recording parse) as XML 1.0; no DOCTYPE, entity, external load,
    /// XInclude, XSLT, processing instruction for a stylesheet, forbidden
    /// element or attribute; schema locations only http(s) URLs on DNS
    /// names or bare file names (and none at all where the policy refuses
    /// them); within every `[xml]` limit (text counted at 3 bytes a char);
    /// read by Xerces as UTF-8, UTF-16, ISO-8859-1, windows-1252 or
    /// US-ASCII (for bytes), with the declared encoding and any `charset`
    /// naming that same encoding.
    fn xml_benign(&self, x: &Value, charset: Option<&str>, bytes: bool) -> Result<(), String> {
        let p = &self.policy().xml;
        let mut dangers = Vec::new();
        self.xml_dangers(x, &mut dangers, "");
        if let Some(d) = dangers.first() {
            return Err(d.clone());
        }
        if !flag(x, "camunda_ok") || !flag(x, "xxe_ok") {
            return Err(format!("not parsed: {}", x["camunda_error"]));
        }
        if flag(x, "doctype") || x["version"].as_str().is_some_and(|v| v != "1.0") {
            return Err("DOCTYPE or XML 1.1".into());
        }
        if !x["stylesheets"].as_array().is_none_or(Vec::is_empty) {
            return Err("stylesheet PI".into());
        }
        if p.schema_locations == SchemaLocations::None && !locations(x).is_empty()
            || locations(x).iter().any(|(l, _)| !location_plain(l))
        {
            return Err("schema location not plain".into());
        }
        let within = |key: &str, limit: usize, factor: u64| num(x, key) * factor < limit as u64;
        if !(within("max_depth", p.max_depth, 1)
            && within("max_attributes", p.max_attributes, 1)
            && within("max_name_length", p.max_name_length, 1)
            && within("max_value_bytes", p.max_value_bytes, 3)
            && within("elements_count", p.max_elements, 1)
            && within("namespace_decls", p.max_namespace_declarations, 1))
        {
            return Err("beyond an [xml] limit".into());
        }
        if bytes {
            let enc = norm_encoding(x["encoding"].as_str().unwrap_or(""));
            let family = |e: &str| {
                if e.starts_with("utf16") {
                    "utf16".to_owned()
                } else {
                    e.to_owned()
                }
            };
            // The legacy single-byte encodings only where the policy lists
            // them (`[xml] encodings`): elsewhere refusing them is the
            // policy's choice.
            let listed = |label: &str| {
                LegacyEncoding::for_label(label).is_some_and(|e| p.encodings.contains(&e))
            };
            let readable = match enc.as_str() {
                "utf8" | "utf16" | "utf16le" | "utf16be" | "usascii" => true,
                "iso88591" => listed("ISO-8859-1"),
                "windows1252" => listed("windows-1252"),
                _ => false,
            };
            if !readable {
                return Err(format!("Xerces read it as {enc}"));
            }
            // A byte order mark names the encoding the declaration must
            // name too (Xerces lets a declaration override a UTF-8 BOM).
            if let Some(bom) = x["bom"].as_str()
                && (family(&norm_encoding(bom)) != family(&enc)
                    || x["declared_encoding"]
                        .as_str()
                        .is_some_and(|d| family(&norm_encoding(d)) != family(&enc)))
            {
                return Err("byte order mark and declaration disagree".into());
            }
            if let Some(declared) = x["declared_encoding"].as_str()
                && family(&norm_encoding(declared)) != family(&enc)
            {
                return Err("declared encoding differs".into());
            }
            if let Some(cs) = charset
                && family(&norm_encoding(cs)) != family(&enc)
            {
                return Err("charset differs from the encoding".into());
            }
        }
        Ok(())
    }

    /// Plainly benign JSON: Jackson reads it whole (no trailing data), plain
    /// UTF-8 without BOM with no other charset, no duplicate keys, no lone
    /// surrogates, within every `[json]` limit; every `objectTypeName` and
    /// type id names only classes the policy allows or Camunda always
    /// admits ([`ENGINE_BASE`]); formats only `application/json` and
    /// `application/xml`; typed variables the engine accepts
    /// (`VariableValueDto.toTypedValue`), no `valueInfo` format on an
    /// untyped value, non-numeric `objectTypeName`s; documents carried in
    /// strings plainly benign too, nested less deep than the policy's cap.
    fn json_benign(
        &self,
        f: &Value,
        raw: Option<(&[u8], Option<&str>)>,
        level: usize,
    ) -> Result<(), String> {
        let p = &self.policy().json;
        if !flag(f, "ok") || flag(f, "trailing") {
            return Err(format!("Jackson: {}", f["error"]));
        }
        if let Some((bytes, cs)) = raw {
            if std::str::from_utf8(bytes).is_err()
                || bytes.starts_with(b"\xef\xbb\xbf")
                || bytes.contains(&0)
            {
                return Err("not plain UTF-8".into());
            }
            if cs.is_some_and(|c| norm_encoding(c) != "utf8") {
                return Err("charset not UTF-8".into());
            }
        }
        if flag(f, "duplicates")
            || flag(f, "lone_surrogates")
            || flag(f, "odd_class")
            || flag(f, "untyped_format")
        {
            return Err("duplicates, lone surrogates or odd typed values".into());
        }
        if let Some(r) = strs(&f["engine_refusals"]).next() {
            return Err(format!("the engine refuses: {r}"));
        }
        let within = |key: &str, limit: usize| (num(f, key) as usize) < limit;
        if !(within("max_depth", p.max_depth)
            && within("max_string_bytes", p.max_string_bytes)
            && within("max_number_length", p.max_number_length)
            && within("max_members", p.max_members))
        {
            return Err("beyond a [json] limit".into());
        }
        for class in strs(&f["classes"]) {
            // Names as the engine writes them: no padding, no control
            // characters (Java's trim() and Jackson's tokenizer would strip
            // some, Class.forName would not).
            if class.is_empty()
                || class.starts_with(' ')
                || class.ends_with(' ')
                || class
                    .chars()
                    .any(|c| c < ' ' || c == '\u{7f}' || !c.is_ascii())
            {
                return Err(format!("class name {class:?} padded or odd"));
            }
        }
        for entry in f["class_parts"].as_array().into_iter().flatten() {
            if !entry[1].as_bool().unwrap_or(false) {
                return Err(format!("class name {} does not parse", entry[0]));
            }
            if let Some(bad) = strs(&entry[2]).find(|c| !self.component_benign(c)) {
                return Err(format!("class {bad} not allowed"));
            }
        }
        let mut dangers = Vec::new();
        self.json_dangers(f, &mut dangers, "");
        // Class names are judged by component above (the engine's base
        // classes are benign even where the filter lists them not).
        if let Some(d) = dangers.iter().find(|d| !d.starts_with("class ")) {
            return Err(d.clone());
        }
        if !strs(&f["formats"]).all(|s| s == "application/json" || s == "application/xml") {
            return Err("format".into());
        }
        let carried: Vec<&Value> = f["carried_json"]
            .as_array()
            .into_iter()
            .flatten()
            .chain(f["carried_xml"].as_array().into_iter().flatten())
            .collect();
        if !carried.is_empty() && level + 1 >= p.max_embedded_depth {
            return Err("carried documents nested deeply".into());
        }
        for c in f["carried_json"].as_array().into_iter().flatten() {
            self.json_benign(c, None, level + 1)?;
        }
        for c in f["carried_xml"].as_array().into_iter().flatten() {
            self.xml_benign(c, None, false)?;
        }
        Ok(())
    }

    /// Plainly benign multipart: commons-fileupload reads it; every part's
    /// Content-Disposition is exactly `form-data; name="N"` with an optional
    /// `; filename="F"`, N and F made of ASCII letters, digits, `.`, `_`,
    /// `-`; part content types absent or one of a few plain types (with at
    /// most a charset); no name or resource name given twice; no more parts
    /// than `max_parts`. Deployments: the engine accepts the form (every
    /// non-reserved part a file, no reserved part a file), and every part
    /// the engine parses as a model, or the guard reads as XML or JSON by
    /// its content type or by its file name (`.bpmn`, `.dmn`, `.cmmn`,
    /// `.xml`, `.json`, any letter case; `.form` is not required to be
    /// JSON, issue 12), is plainly benign XML or JSON. Variable uploads:
    /// the `type` text names only benign classes, a JSON `data` part is
    /// plainly benign JSON, no Java serialization.
    fn multipart_benign(
        &self,
        m: &Value,
        route: &str,
        request_type: &str,
        body: &[u8],
    ) -> Result<(), String> {
        if !flag(m, "ok") {
            return Err(format!("fileupload: {}", m["error"]));
        }
        // The request's type: `multipart/form-data` with one boundary and at
        // most a charset, nothing a reader could take two ways.
        let mut params = request_type.split(';');
        let essence = params.next().unwrap_or("").trim();
        let mut boundary = None;
        for param in params {
            let (k, v) = param.split_once('=').ok_or("request type")?;
            match k.trim().to_ascii_lowercase().as_str() {
                "boundary" if boundary.is_none() => boundary = Some(v.trim().trim_matches('"')),
                "charset" => {}
                _ => return Err("request type not plain".into()),
            }
        }
        let boundary = boundary.ok_or("no boundary")?;
        if !essence.eq_ignore_ascii_case("multipart/form-data") || boundary.contains([',', ' ']) {
            return Err("request type not plain".into());
        }
        // Part header names are plain tokens: a name with a control char or
        // DEL is a header the engine reads as another name (and the guard
        // refuses on purpose), never plainly benign.
        let header_block_ok = body
            .split(|&b| b == b'\n')
            .filter_map(|line| {
                let colon = line.iter().position(|&b| b == b':')?;
                Some(&line[..colon])
            })
            .all(|name| !name.iter().any(|&b| b < 0x20 || b == 0x7f));
        if !header_block_ok {
            return Err("a control char in a part header name".into());
        }
        // Every part of the body reached the engine (commons-fileupload
        // silently skips parts without a form-data name).
        let delimiter = format!("--{boundary}\r\n");
        let delimiters = body.starts_with(delimiter.as_bytes()) as usize
            + body
                .windows(delimiter.len() + 2)
                .filter(|w| w.starts_with(b"\r\n") && w.ends_with(delimiter.as_bytes()))
                .count();
        if delimiters != m["parts"].as_array().map_or(0, Vec::len) {
            return Err("a part the engine does not see".into());
        }
        let parts = m["parts"].as_array().cloned().unwrap_or_default();
        if parts.len() > self.policy().body.max_parts {
            return Err("too many parts".into());
        }
        let token = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        };
        for part in &parts {
            let d = part["disposition"].as_str().unwrap_or("");
            let rest = d.strip_prefix("form-data; name=\"").ok_or("disposition")?;
            let (name, rest) = rest.split_once('"').ok_or("disposition")?;
            let plain = token(name)
                && (rest.is_empty()
                    || rest
                        .strip_prefix("; filename=\"")
                        .and_then(|r| r.strip_suffix('"'))
                        .is_some_and(token));
            if !plain {
                return Err(format!("disposition {d:?} not plain"));
            }
            if let Some(ct) = part["content_type"].as_str() {
                let essence = ct.split(';').next().unwrap_or("").trim();
                let params_ok = ct
                    .split(';')
                    .skip(1)
                    .all(|p| p.trim().to_ascii_lowercase().starts_with("charset="));
                if !([
                    "application/octet-stream",
                    "text/plain",
                    "application/json",
                    "text/xml",
                    "application/xml",
                ]
                .contains(&essence)
                    && params_ok)
                {
                    return Err(format!("part content type {ct:?}"));
                }
            }
        }
        if m["map"].as_object().map_or(0, serde_json::Map::len) != parts.len() {
            return Err("a name given twice".into());
        }
        let reserved = [
            "deployment-name",
            "deployment-activation-time",
            "enable-duplicate-filtering",
            "deploy-changed-only",
            "deployment-source",
            "tenant-id",
        ];
        if route == "deploy" {
            let deploy = &m["deploy"];
            if !flag(deploy, "ok") {
                return Err(format!(
                    "the engine refuses the deployment: {}",
                    deploy["error"]
                ));
            }
            let files = parts.iter().filter(|p| !p["filename"].is_null()).count();
            if files != deploy["resources"].as_array().map_or(0, Vec::len) {
                return Err(
                    "a resource name given twice, or a reserved part with a file name".into(),
                );
            }
            for part in &parts {
                let name = part["name"].as_str().unwrap_or("");
                if reserved.contains(&name) {
                    continue;
                }
                self.part_benign(part, deploy)?;
            }
        }
        if route == "upload" {
            let u = &m["upload"];
            if u["type_part"].as_i64().unwrap_or(-1) >= 0 {
                if !flag(u, "type_parses") {
                    return Err("type text does not parse".into());
                }
                if let Some(bad) = strs(&u["type_classes"]).find(|c| !self.component_benign(c)) {
                    return Err(format!("type names {bad}"));
                }
            }
            if flag(u, "java_serialization") {
                return Err("Java serialization".into());
            }
            if flag(u, "data_json") {
                let i = usize::try_from(u["data_part"].as_i64().unwrap_or(0)).unwrap_or(0);
                let cs = charset(parts[i]["content_type"].as_str());
                self.json_benign(&u["data_facts"], None, 0)?;
                if cs.is_some_and(|c| norm_encoding(&c) != "utf8") {
                    return Err("data charset".into());
                }
            }
        }
        Ok(())
    }

    fn part_benign(&self, part: &Value, deploy: &Value) -> Result<(), String> {
        let filename = part["filename"].as_str().unwrap_or("");
        let ct = part["content_type"].as_str();
        let essence = ct.map(|c| {
            c.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        });
        let lower = filename.to_ascii_lowercase();
        let model = deploy["resources"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|r| {
                r["name"].as_str() == Some(filename) && strs(&r["deployers"]).any(|d| d != "form")
            });
        let xml_by_type = matches!(essence.as_deref(), Some("text/xml" | "application/xml"));
        let json_by_type = essence.as_deref() == Some("application/json");
        let xml_by_name = [".bpmn", ".dmn", ".cmmn", ".xml"]
            .iter()
            .any(|s| lower.ends_with(s));
        let json_by_name = lower.ends_with(".json");
        let cs = charset(ct);
        if model || xml_by_type || (xml_by_name && !json_by_type) {
            self.xml_benign(&part["xml"], cs.as_deref(), true)
                .map_err(|e| format!("part {filename:?}: {e}"))?;
        }
        if json_by_type || (json_by_name && !xml_by_type) {
            self.json_benign(&part["json"], None, 0)
                .map_err(|e| format!("part {filename:?}: {e}"))?;
            if cs.is_some_and(|c| norm_encoding(&c) != "utf8") {
                return Err("JSON part charset".into());
            }
        }
        Ok(())
    }
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
