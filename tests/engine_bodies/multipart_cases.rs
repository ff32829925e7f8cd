//! The multipart bodies of the suite: deployments (`/deployment/create`)
//! and variable uploads (`.../data`).

use super::*;

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

pub(crate) fn multipart_cases() -> Vec<Case> {
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
