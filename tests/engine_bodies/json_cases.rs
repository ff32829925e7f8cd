//! The JSON bodies of the suite.

use std::collections::HashSet;
use std::fmt::Write as _;

use super::*;
use common::json::{js, typed};
use common::text::utf16;

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

pub(crate) fn json_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    let ct = "application/json";
    // The project's own corpus: tests/json/ bodies (templates filled in
    // with sample variables), the fuzz seeds, our corpus folder.
    let src = sources("tests/json");
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
                    "tests/json literal".into(),
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
            ("utf-16le", utf16(&text, true, false)),
            ("utf-16be", utf16(&text, false, false)),
            ("utf-16le bom", utf16(&text, true, true)),
            ("utf-16be bom", utf16(&text, false, true)),
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
