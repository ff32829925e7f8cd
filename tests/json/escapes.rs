//! Keys and values written with JSON escapes mean what they unescape to;
//! serialized type names (`Object`, `Json`, `Xml`) in any letter case.

use super::*;

#[test]
fn escaped_keys_and_values() {
    let v = |var: &str| in_variables(var);
    let cases = [
        case(
            "escaped objectTypeName key, denied class",
            v(
                r#"{"value":"{}","type":"Object","valueInfo":{"objectType\u004eame":"com.evil.X","serializationDataFormat":"application/json"}}"#,
            ),
            code_at(CLASS, "/variables/x/valueInfo/objectTypeName"),
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
            code_at(CLASS, "/a/objectTypeName"),
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
            code_at(JAVA, "/variables/x/valueInfo/serializationDataFormat"),
        ),
        case(
            "escaped valueInfo key: carried JSON inspected",
            v(
                r#"{"value":"{\"@class\":\"com.evil.X\"}","type":"Object","valueInf\u006f":{"objectTypeName":"com.acme.Order","serializationDataFormat":"application/json"}}"#,
            ),
            code_at(CLASS, "/variables/x/value/@class"),
        ),
        case(
            "escaped type key: Object with a number value",
            v(
                r#"{"value":5,"typ\u0065":"Object","valueInfo":{"objectTypeName":"com.acme.Order","serializationDataFormat":"application/json"}}"#,
            ),
            code_at(INVALID, "/variables/x/value"),
        ),
        case(
            "escaped type key: Json with invalid JSON",
            v(r#"{"typ\u0065":"Json","value":"{"}"#),
            code_at(MALFORMED, "/variables/x/value"),
        ),
        case(
            "escaped type key: Object without valueInfo",
            v(r#"{"\u0074ype":"Object","value":"{}"}"#),
            code_at(INVALID, "/variables/x/valueInfo"),
        ),
        case(
            "escaped value key: number value of an Object",
            v(
                r#"{"valu\u0065":5,"type":"Object","valueInfo":{"objectTypeName":"com.acme.Order","serializationDataFormat":"application/json"}}"#,
            ),
            code_at(INVALID, "/variables/x/value"),
        ),
        case(
            "escaped serializationDataFormat key: Java serialization",
            v(
                r#"{"value":"rO0ABQ==","type":"Object","valueInfo":{"objectTypeName":"com.acme.Order","serializationDataF\u006frmat":"application/x-java-serialized-object"}}"#,
            ),
            code_at(JAVA, "/variables/x/valueInfo/serializationDataFormat"),
        ),
        case(
            "escaped class name: java.lang.\\u0052untime (gadget list)",
            v(
                r#"{"value":"{}","type":"Object","valueInfo":{"objectTypeName":"java.lang.\u0052untime","serializationDataFormat":"application/json"}}"#,
            ),
            code_at(CLASS, "/variables/x/valueInfo/objectTypeName"),
        ),
        case(
            "escaped class name: com.evil.\\u0058",
            v(
                r#"{"value":"{}","type":"Object","valueInfo":{"objectTypeName":"com.evil.\u0058","serializationDataFormat":"application/json"}}"#,
            ),
            code_at(CLASS, "/variables/x/valueInfo/objectTypeName"),
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
            code_at(CLASS, "/variables/x/valueInfo/objectTypeName"),
        ),
        case(
            "escaped type value: Obj\\u0065ct without valueInfo",
            v(r#"{"value":"{}","type":"Obj\u0065ct"}"#),
            code_at(INVALID, "/variables/x/valueInfo"),
        ),
        case(
            "escaped format: application\\/x-java-serialized-object",
            v(
                r#"{"value":"rO0ABQ==","type":"Object","valueInfo":{"objectTypeName":"com.acme.Order","serializationDataFormat":"application\/x-java-serialized-\u006fbject"}}"#,
            ),
            code_at(JAVA, "/variables/x/valueInfo/serializationDataFormat"),
        ),
        case(
            "escaped format: application/js\\u006fn carries JSON",
            v(
                r#"{"value":"{\"@class\":\"com.evil.X\"}","type":"Object","valueInfo":{"objectTypeName":"com.acme.Order","serializationDataFormat":"application/js\u006fn"}}"#,
            ),
            code_at(CLASS, "/variables/x/value/@class"),
        ),
        case(
            "doubly escaped type-id key in carried JSON: @cl\\u0061ss",
            v(
                r#"{"value":"{\"@cl\\u0061ss\":\"com.evil.X\"}","type":"Object","valueInfo":{"objectTypeName":"com.acme.Order","serializationDataFormat":"application/json"}}"#,
            ),
            code_at(CLASS, "/variables/x/value/@class"),
        ),
        case(
            "escaped type-id key: \\u0040class",
            r#"{"a":{"\u0040class":"com.evil.X"}}"#,
            code_at(CLASS, "/a/@class"),
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
            code_at(INVALID, "/variables/x/valueInfo"),
        ));
        cases.push(case(
            format!("{t}: number value"),
            v(&format!(r#"{{"value":1,"type":"{t}"}}"#)),
            code_at(INVALID, "/variables/x/value"),
        ));
        cases.push(case(
            format!("{t}: carried JSON inspected"),
            v(&typed(&evil, t, "com.acme.Order", "application/json")),
            code_at(CLASS, "/variables/x/value/@class"),
        ));
        cases.push(case(
            format!("{t}: Java serialization"),
            v(&typed(
                r#""rO0ABQ==""#,
                t,
                "com.acme.Order",
                "APPLICATION/X-JAVA-SERIALIZED-OBJECT",
            )),
            code_at(JAVA, "/variables/x/valueInfo/serializationDataFormat"),
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
            code_at(MALFORMED, "/variables/x/value/a"),
        ));
        cases.push(case(
            format!("{t}: carried type id"),
            v(&format!(r#"{{"value":{evil},"type":"{t}"}}"#)),
            code_at(CLASS, "/variables/x/value/@class"),
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
            code_at(DOCTYPE, "/variables/x/value"),
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
