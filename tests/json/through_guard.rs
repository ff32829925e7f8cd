//! Whole requests through [`Guard::check`]: media types, charsets, the
//! bundled policy, report mode.

use super::*;
use common::outcome::{ALLOW, verdict};
use common::policy::camunda_guard;

/// A request to the guard: a body with a content type, and the verdict
/// expected for it.
struct GuardCase {
    name: &'static str,
    /// The `Content-Type` header.
    content_type: &'static str,
    body: Vec<u8>,
    /// As [`verdict`] writes it: `"allow"`, `"reject <code> at <location>"`.
    expected: String,
}

/// The head of a `POST` that starts a process instance, with this content
/// type.
fn post(content_type: &str) -> http::request::Parts {
    common::request::post(
        "/engine-rest/process-definition/key/invoice/start",
        content_type,
    )
}

#[test]
fn through_the_guard() {
    let guard = test_guard();
    let evil = in_variables(&object_var("com.evil.X"));
    let benign = in_variables(&object_var("com.acme.Order"));
    let at = "/variables/x/valueInfo/objectTypeName";
    let reject = |code: &str, location: &str| format!("reject {}", code_at(code, location));
    let cases = vec![
        GuardCase {
            name: "application/json",
            content_type: "application/json",
            body: evil.clone().into_bytes(),
            expected: reject(CLASS, at),
        },
        GuardCase {
            name: "application/json benign",
            content_type: "application/json",
            body: benign.clone().into_bytes(),
            expected: ALLOW.to_owned(),
        },
        GuardCase {
            name: "application/hal+json; charset=utf-8",
            content_type: "application/hal+json; charset=utf-8",
            body: evil.clone().into_bytes(),
            expected: reject(CLASS, at),
        },
        GuardCase {
            name: "application/hal+json benign",
            content_type: "application/hal+json; charset=utf-8",
            body: benign.clone().into_bytes(),
            expected: ALLOW.to_owned(),
        },
        GuardCase {
            name: "vendor +json",
            content_type: "application/vnd.acme.order+json",
            body: evil.clone().into_bytes(),
            expected: reject(CLASS, at),
        },
        GuardCase {
            name: "letter case of the media type",
            content_type: "Application/JSON; Charset=UTF-8",
            body: evil.clone().into_bytes(),
            expected: reject(CLASS, at),
        },
        GuardCase {
            name: "quoted charset",
            content_type: "application/json; charset=\"utf-8\"",
            body: evil.clone().into_bytes(),
            expected: reject(CLASS, at),
        },
        GuardCase {
            name: "charset utf-16, UTF-16 body",
            content_type: "application/json; charset=utf-16",
            body: utf16(&evil, true, true),
            expected: reject(CLASS, at),
        },
        GuardCase {
            name: "no charset, UTF-16BE body",
            content_type: "application/json",
            body: utf16(&evil, false, false),
            expected: reject(CLASS, at),
        },
        GuardCase {
            name: "charset utf-16, UTF-8 body",
            content_type: "application/json; charset=utf-16",
            body: benign.clone().into_bytes(),
            expected: reject(MISMATCH, "/"),
        },
        GuardCase {
            name: "charset latin1",
            content_type: "application/json; charset=iso-8859-1",
            body: benign.clone().into_bytes(),
            expected: reject(UNSUPPORTED, "/"),
        },
        GuardCase {
            name: "malformed JSON",
            content_type: "application/json",
            body: b"{\"a\":1,}".to_vec(),
            expected: reject(MALFORMED, "/"),
        },
        GuardCase {
            name: "Java serialization",
            content_type: "application/json",
            body: in_variables(&typed(
                r#""rO0ABQ==""#,
                "Object",
                "java.util.HashMap",
                "application/x-java-serialized-object",
            ))
            .into_bytes(),
            expected: reject(JAVA, "/variables/x/valueInfo/serializationDataFormat"),
        },
    ];
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|c| {
            let got = verdict(&guard.check(&post(c.content_type), &c.body));
            (got != c.expected).then(|| {
                format!(
                    "  {}: expected {}, got {got}\n    content-type {} body {}",
                    c.name,
                    c.expected,
                    c.content_type,
                    shorten(&c.body, 240)
                )
            })
        })
        .collect();
    assert_all_passed(&failures, cases.len());
}

#[test]
fn through_the_guard_with_the_camunda_policy_and_report_mode() {
    let camunda = camunda_guard();
    let start = |class: &str| {
        fill(
            r#"{"businessKey":"b","variables":{"order":@V,"amount":{"value":10,"type":"Integer"}}}"#,
            &[("@V", &object_var(class))],
        )
    };
    let at = "/variables/order/valueInfo/objectTypeName";
    for (class, expected) in [
        ("java.util.ArrayList<java.lang.String>", ALLOW.to_owned()),
        (
            "java.util.HashMap<java.lang.String,java.util.ArrayList<java.lang.Long>>",
            ALLOW.to_owned(),
        ),
        (
            "java.util.List<java.lang.String>",
            format!("reject {}", code_at(CLASS, at)),
        ),
        (
            "com.sun.rowset.JdbcRowSetImpl",
            format!("reject {}", code_at(CLASS, at)),
        ),
        (
            "java.lang.Runtime",
            format!("reject {}", code_at(CLASS, at)),
        ),
    ] {
        let body = start(class);
        let got = verdict(&camunda.check(&post("application/json"), body.as_bytes()));
        assert_eq!(got, expected, "Camunda policy, {class}");
    }

    let report = Guard::new(
        Policy::from_toml(&format!("mode = \"report\"\n[classes]\n{ALLOW_LIST}\n"))
            .expect("report policy"),
    )
    .expect("a valid policy");
    let body = in_variables(&object_var("com.evil.X"));
    assert_eq!(
        verdict(&report.check(&post("application/json"), body.as_bytes())),
        format!(
            "report {}",
            code_at(CLASS, "/variables/x/valueInfo/objectTypeName")
        ),
    );
}
