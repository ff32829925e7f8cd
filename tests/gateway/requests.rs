//! What the tests send and what must come back: one request per rejection
//! class with its problem+json answer, and requests the Camunda policy lets
//! through unchanged.

use super::*;

pub(crate) struct Rejection {
    pub(crate) name: &'static str,
    pub(crate) req: Req,
    pub(crate) status: u16,
    pub(crate) code: &'static str,
    pub(crate) location: &'static str,
}

pub(crate) const GADGET_JSON: &str = r#"{"variables":{"order":{"value":"{\"note\":\"BODY-MARKER-5150\"}","type":"Object","valueInfo":{"objectTypeName":"com.evil.Gadget","serializationDataFormat":"application/json"}}}}"#;
pub(crate) const DOCTYPE_XML: &str =
    r#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>"#;

/// Every rejection class, for a policy whose body limit is `limit`.
pub(crate) fn rejections(limit: u64) -> Vec<Rejection> {
    let json =
        |method, target: &str| Req::new(method, target).header("Content-Type", "application/json");
    vec![
        Rejection {
            name: "declared length over the limit, no body sent",
            req: json("POST", "/engine-rest/message")
                .header("Content-Length", &ONE_GIB.to_string()),
            status: 413,
            code: "body-too-large",
            location: "header:content-length",
        },
        Rejection {
            name: "chunked body over the limit",
            req: json("POST", "/engine-rest/message")
                .body(vec![b' '; usize::try_from(limit).unwrap() + 4096])
                .chunked(),
            status: 413,
            code: "body-too-large",
            location: "body",
        },
        Rejection {
            name: "text/plain body",
            req: Req::new("POST", "/engine-rest/message")
                .header("Content-Type", "text/plain")
                .body("hello engine"),
            status: 415,
            code: "unsupported-media-type",
            location: "header:content-type",
        },
        Rejection {
            name: "body without a content type",
            req: Req::new("POST", "/engine-rest/message").body("{}"),
            status: 415,
            code: "unsupported-media-type",
            location: "header:content-type",
        },
        Rejection {
            name: "brotli content encoding",
            req: json("POST", "/engine-rest/message")
                .header("Content-Encoding", "br")
                .body(&b"\x0b\x00\x80{}\x03"[..]),
            status: 415,
            code: "unsupported-content-encoding",
            location: "header:content-encoding",
        },
        Rejection {
            name: "stacked content encodings",
            req: json("POST", "/engine-rest/message")
                .header("Content-Encoding", "gzip, gzip")
                .body(gzip(&gzip(b"{}"))),
            status: 415,
            code: "unsupported-content-encoding",
            location: "header:content-encoding",
        },
        Rejection {
            name: "class not allowed, gzip-compressed",
            req: json("POST", "/engine-rest/process-definition/key/invoice/start")
                .header("Content-Encoding", "gzip")
                .body(gzip(GADGET_JSON.as_bytes())),
            status: 400,
            code: "class-not-allowed",
            location: "/variables/order/valueInfo/objectTypeName",
        },
        Rejection {
            name: "gzip bomb",
            req: json("POST", "/engine-rest/message")
                .header("Content-Encoding", "gzip")
                .body(gzip(&vec![b' '; 1 << 20])),
            status: 413,
            code: "body-too-large",
            location: "body",
        },
        Rejection {
            name: "corrupt gzip",
            req: json("POST", "/engine-rest/message")
                .header("Content-Encoding", "gzip")
                .body(&b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03not deflate at all"[..]),
            status: 400,
            code: "content-encoding-invalid",
            location: "body",
        },
        Rejection {
            name: "class not allowed",
            req: json("POST", "/engine-rest/process-definition/key/invoice/start")
                .body(GADGET_JSON),
            status: 400,
            code: "class-not-allowed",
            location: "/variables/order/valueInfo/objectTypeName",
        },
        Rejection {
            name: "XML with a DOCTYPE",
            req: Req::new("POST", "/engine-rest/process-instance/x/variables")
                .header("Content-Type", "application/xml")
                .body(DOCTYPE_XML),
            status: 400,
            code: "xml-doctype",
            location: "/",
        },
        Rejection {
            name: "list query without maxResults",
            req: Req::new("GET", "/engine-rest/task?assignee=demo"),
            status: 400,
            code: "query-unbounded",
            location: "query:maxResults",
        },
        Rejection {
            name: "maxResults over the cap",
            req: Req::new("GET", "/engine-rest/task?maxResults=5000"),
            status: 400,
            code: "query-max-results-exceeded",
            location: "query:maxResults",
        },
        Rejection {
            name: "expression in a task query",
            req: Req::new(
                "GET",
                "/engine-rest/task?maxResults=10&assigneeExpression=%24%7BcurrentUser()%7D",
            ),
            status: 400,
            code: "expression-not-allowed",
            location: "query:assigneeExpression",
        },
        Rejection {
            name: "encoded slash in the path",
            req: Req::new("GET", "/engine-rest/..%2ftask"),
            status: 400,
            code: "path-invalid",
            location: "path",
        },
        Rejection {
            name: "malformed JSON",
            req: json("POST", "/engine-rest/message").body(r#"{"a": [1, 2,, 3]}"#),
            status: 400,
            code: "json-malformed",
            location: "/a/2",
        },
    ]
}

pub(crate) fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).expect("gzip");
    encoder.finish().expect("gzip")
}

/// Strings that would betray the server's insides in a response.
pub(crate) fn assert_no_internals(context: &str, text: &str) {
    let forbidden = [
        env!("CARGO_MANIFEST_DIR"),
        "/src/",
        ".rs:",
        "panicked",
        "backtrace",
        "camunda.toml",
        "java.util.HashMap",
        "Error {",
        "Os {",
        "hyper",
        "tokio",
        "Connection refused",
        "os error",
    ];
    for needle in forbidden {
        assert!(
            !text.contains(needle),
            "{context}: response leaks {needle:?}: {text}"
        );
    }
}

/// A problem+json body as RFC 9457 and the issue specify it.
pub(crate) fn assert_problem(
    context: &str,
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
    want_status: u16,
    want_code: &str,
    want_location: Option<&str>,
) -> Value {
    let text = String::from_utf8_lossy(body);
    assert_eq!(status, want_status, "{context}: status; body {text}");
    assert_eq!(
        content_type,
        Some("application/problem+json"),
        "{context}: content type"
    );
    let problem: Value = serde_json::from_slice(body)
        .unwrap_or_else(|e| panic!("{context}: not JSON ({e}): {text}"));
    let object = problem
        .as_object()
        .unwrap_or_else(|| panic!("{context}: not an object: {text}"));
    for key in object.keys() {
        assert!(
            [
                "type", "title", "status", "detail", "code", "location", "offset", "instance"
            ]
            .contains(&key.as_str()),
            "{context}: unexpected member {key:?}: {text}"
        );
    }
    // `instance` names the request (its id) and nothing else.
    if let Some(instance) = object.get("instance") {
        let id = instance
            .as_str()
            .and_then(|i| i.strip_prefix("urn:request:"))
            .unwrap_or_else(|| panic!("{context}: instance {instance}"));
        assert!(
            !id.is_empty()
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._:-".contains(c)),
            "{context}: instance {instance}"
        );
    }
    assert_eq!(
        problem["type"],
        format!("urn:input-guard:problem:{want_code}"),
        "{context}: {text}"
    );
    assert!(
        problem["title"].as_str().is_some_and(|t| !t.is_empty()),
        "{context}: title: {text}"
    );
    assert_eq!(problem["status"], want_status, "{context}: {text}");
    assert!(
        problem["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "{context}: detail: {text}"
    );
    assert_eq!(problem["code"], want_code, "{context}: {text}");
    match want_location {
        Some(location) => assert_eq!(problem["location"], location, "{context}: {text}"),
        None => assert!(
            problem["location"].is_string(),
            "{context}: location: {text}"
        ),
    }
    assert_no_internals(context, &text);
    problem
}

pub(crate) fn assert_rejection_reply(reply: &Reply, case: &Rejection) {
    assert_problem(
        case.name,
        reply.status,
        reply.header("content-type"),
        &reply.body,
        case.status,
        case.code,
        Some(case.location),
    );
    assert_eq!(
        reply.header("cache-control"),
        Some("no-store"),
        "{}",
        case.name
    );
}

// ---------------------------------------------------------------------------
// Clean requests.

pub(crate) const CLEAN_JSON: &str = "{ \"variables\" : {\n  \"amount\": {\"value\": 30.000, \"type\": \"Double\"},\n  \"note\": {\"value\": \"caf\\u00e9 \u{fc} \\\"quoted\\\" \u{1F600}\", \"type\": \"String\"},\n  \"order\": {\"value\": \"{\\\"id\\\":1}\", \"type\": \"Object\", \"valueInfo\": {\"objectTypeName\": \"java.util.HashMap\", \"serializationDataFormat\": \"application/json\"}}\n },\n \"businessKey\" : \"k-1\" }\n";

pub(crate) const CLEAN_XML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<bpmn:definitions xmlns:bpmn=\"http://www.omg.org/spec/BPMN/20100524/MODEL\" id=\"d\" targetNamespace=\"http://bpmn.io/schema/bpmn\">\n  <!-- a comment -->\n  <bpmn:process id=\"p\" isExecutable=\"true\"><bpmn:startEvent id=\"s\" name=\"caf\u{e9} &amp; &lt;more&gt;\"/><![CDATA[ <not a tag> ]]></bpmn:process>\n</bpmn:definitions>\n";

/// Requests the Camunda policy lets through, unchanged.
pub(crate) fn clean_requests() -> Vec<Req> {
    vec![
        // Compressed bodies are inspected inflated and handed on as sent.
        Req::new("POST", "/engine-rest/process-definition/key/invoice/start")
            .header("Content-Type", "application/json")
            .header("Content-Encoding", "gzip")
            .body(gzip(CLEAN_JSON.as_bytes())),
        Req::new("POST", "/engine-rest/process-definition/key/invoice/start")
            .header("Content-Type", "application/json; charset=utf-8")
            .body(CLEAN_JSON),
        Req::new("POST", "/engine-rest/message")
            .header("Content-Type", "application/json")
            .body(CLEAN_JSON)
            .chunked(),
        Req::new("PUT", "/engine-rest/process-instance/abc/variables/model")
            .header("Content-Type", "application/xml")
            .body(CLEAN_XML),
        Req::new(
            "GET",
            "/engine-rest/task?maxResults=10&firstResult=0&sortBy=created&sortOrder=desc&nameLike=%25caf%C3%A9%25",
        ),
        Req::new("GET", "/engine-rest/process-definition/key/my%20key/xml"),
        Req::new(
            "DELETE",
            "/engine-rest/process-instance/abc?skipCustomListeners=true",
        ),
    ]
}
