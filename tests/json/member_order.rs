//! A typed variable's three members (`value`, `type`, `valueInfo`) and
//! the two inside `valueInfo`, in every order.

use super::*;

/// The six orders of three members.
const ORDERS: [[usize; 3]; 6] = [
    [0, 1, 2],
    [0, 2, 1],
    [1, 0, 2],
    [1, 2, 0],
    [2, 0, 1],
    [2, 1, 0],
];

/// A typed `Object` variable whose members the test writes in every order.
struct Scenario<'a> {
    name: &'a str,
    /// The `value` member, JSON text.
    value: &'a str,
    /// The `objectTypeName` in `valueInfo`, if any.
    class: Option<&'a str>,
    /// The `serializationDataFormat` in `valueInfo`, if any.
    format: Option<&'a str>,
    /// `None` when it passes, else the code and the pointer below the
    /// variable (`/valueInfo/objectTypeName`).
    expected: Option<(&'a str, &'a str)>,
}

#[test]
fn members_in_every_order() {
    let evil_carried = js(r#"{"@class":"com.evil.X"}"#);
    let truncated = js(r#"{"a":"#);
    let scenarios: [Scenario<'_>; 9] = [
        Scenario {
            name: "allowed",
            value: r#""{\"a\":1}""#,
            class: Some("com.acme.Order"),
            format: Some("application/json"),
            expected: None,
        },
        Scenario {
            name: "denied",
            value: r#""{}""#,
            class: Some("com.evil.X"),
            format: Some("application/json"),
            expected: Some((CLASS, "/valueInfo/objectTypeName")),
        },
        Scenario {
            name: "carried @class",
            value: &evil_carried,
            class: Some("com.acme.Order"),
            format: Some("application/json"),
            expected: Some((CLASS, "/value/@class")),
        },
        Scenario {
            name: "carried JSON malformed",
            value: &truncated,
            class: Some("com.acme.Order"),
            format: Some("application/json"),
            expected: Some((MALFORMED, "/value/a")),
        },
        Scenario {
            name: "Java serialization",
            value: r#""rO0ABQ==""#,
            class: Some("com.acme.Order"),
            format: Some("application/x-java-serialized-object"),
            expected: Some((JAVA, "/valueInfo/serializationDataFormat")),
        },
        Scenario {
            name: "no serializationDataFormat",
            value: r#""{}""#,
            class: Some("com.acme.Order"),
            format: None,
            expected: Some((INVALID, "/valueInfo")),
        },
        Scenario {
            name: "no objectTypeName",
            value: r#""{}""#,
            class: None,
            format: Some("application/json"),
            expected: Some((INVALID, "/valueInfo")),
        },
        Scenario {
            name: "number value",
            value: "42",
            class: Some("com.acme.Order"),
            format: Some("application/json"),
            expected: Some((INVALID, "/value")),
        },
        Scenario {
            name: "null value, empty valueInfo",
            value: "null",
            class: None,
            format: None,
            expected: None,
        },
    ];
    let mut cases = Vec::new();
    for Scenario {
        name: scenario,
        value,
        class,
        format,
        expected,
    } in scenarios
    {
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
                    Some((code, tail)) => code_at(code, &format!("/variables/x{tail}")),
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
