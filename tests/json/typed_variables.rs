//! `Object` variables: the names `objectTypeName` may hold, the rules on
//! `valueInfo` and its data formats, and `objectTypeName` wherever it
//! stands.

use super::*;

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
            code_at(CLASS, at),
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
            code_at(CLASS, at),
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
            code_at(INVALID, "/variables/x/valueInfo"),
        ),
        case(
            "no serializationDataFormat",
            v(r#"{"value":"{}","type":"Object","valueInfo":{"objectTypeName":"com.acme.Order"}}"#),
            code_at(INVALID, "/variables/x/valueInfo"),
        ),
        case(
            "empty valueInfo",
            v(r#"{"value":"{}","type":"Object","valueInfo":{}}"#),
            code_at(INVALID, "/variables/x/valueInfo"),
        ),
        case(
            "no valueInfo",
            v(r#"{"value":"{}","type":"Object"}"#),
            code_at(INVALID, "/variables/x/valueInfo"),
        ),
        case(
            "valueInfo is not an object",
            v(r#"{"value":"{}","type":"Object","valueInfo":"com.acme.Order"}"#),
            code_at(INVALID, "/variables/x/valueInfo"),
        ),
        case(
            "empty string is not null",
            v(
                r#"{"value":"","type":"Object","valueInfo":{"serializationDataFormat":"application/json"}}"#,
            ),
            code_at(INVALID, "/variables/x/valueInfo"),
        ),
        case(
            "objectTypeName null on a non-null value",
            v(
                r#"{"value":"{}","type":"Object","valueInfo":{"objectTypeName":null,"serializationDataFormat":"application/json"}}"#,
            ),
            code_at(INVALID, "/variables/x/valueInfo"),
        ),
        case(
            "objectTypeName outside valueInfo does not count",
            v(
                r#"{"value":"{}","type":"Object","objectTypeName":"com.acme.Order","valueInfo":{"serializationDataFormat":"application/json"}}"#,
            ),
            code_at(INVALID, "/variables/x/valueInfo"),
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
            code_at(INVALID, "/variables/x/valueInfo/serializationDataFormat"),
        ),
        case(
            "unknown format text/plain",
            v(&typed(r#""x""#, "Object", "com.acme.Order", "text/plain")),
            code_at(INVALID, "/variables/x/valueInfo/serializationDataFormat"),
        ),
        case(
            "unknown format empty",
            v(&typed(r#""x""#, "Object", "com.acme.Order", "")),
            code_at(INVALID, "/variables/x/valueInfo/serializationDataFormat"),
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
            code_at(JAVA, "/variables/x/valueInfo/serializationDataFormat"),
        ),
        case(
            "Java serialization in upper case",
            v(&typed(
                &js(JAVA_STREAM),
                "Object",
                "java.util.HashMap",
                "APPLICATION/X-JAVA-SERIALIZED-OBJECT",
            )),
            code_at(JAVA, "/variables/x/valueInfo/serializationDataFormat"),
        ),
        case(
            "Java serialization with blanks",
            v(&typed(
                &js(JAVA_STREAM),
                "Object",
                "java.util.HashMap",
                " application/x-java-serialized-object ",
            )),
            code_at(JAVA, "/variables/x/valueInfo/serializationDataFormat"),
        ),
        case(
            "Java serialization without a type",
            v(
                r#"{"value":"rO0ABQ==","valueInfo":{"objectTypeName":"java.util.HashMap","serializationDataFormat":"application/x-java-serialized-object"}}"#,
            ),
            code_at(JAVA, "/variables/x/valueInfo/serializationDataFormat"),
        ),
        case(
            "Java serialization, valueInfo first",
            v(
                r#"{"valueInfo":{"serializationDataFormat":"application/x-java-serialized-object","objectTypeName":"java.util.HashMap"},"type":"Object","value":"rO0ABQ=="}"#,
            ),
            code_at(JAVA, "/variables/x/valueInfo/serializationDataFormat"),
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
                code_at(INVALID, "/variables/x/value"),
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
                code_at(CLASS, "/variables/x/valueInfo/objectTypeName"),
            ),
            case(
                "Java serialization allowed, objectTypeName still required",
                v(
                    r#"{"value":"rO0ABQ==","type":"Object","valueInfo":{"serializationDataFormat":"application/x-java-serialized-object"}}"#,
                ),
                code_at(INVALID, "/variables/x/valueInfo"),
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
            code_at(CLASS, "/objectTypeName"),
        ),
        case(
            "outside any valueInfo",
            r#"{"order":{"objectTypeName":"com.evil.X","serializationDataFormat":"application/json"}}"#,
            code_at(CLASS, "/order/objectTypeName"),
        ),
        case(
            "deep in arrays",
            r#"{"a":[1,[{"b":{"objectTypeName":"com.evil.X"}}]]}"#,
            code_at(CLASS, "/a/1/0/b/objectTypeName"),
        ),
        case(
            "in a top-level array",
            r#"[{},{"valueInfo":{"objectTypeName":"com.evil.X"}}]"#,
            code_at(CLASS, "/1/valueInfo/objectTypeName"),
        ),
        case(
            "keys needing JSON Pointer escapes",
            r#"{"a/b":{"m~n":{"objectTypeName":"com.evil.X"}}}"#,
            code_at(CLASS, "/a~1b/m~0n/objectTypeName"),
        ),
        case(
            "malformed name",
            r#"{"a":{"objectTypeName":"com..evil"}}"#,
            code_at(CLASS, "/a/objectTypeName"),
        ),
        case(
            "number",
            r#"{"a":{"objectTypeName":5}}"#,
            code_at(INVALID, "/a/objectTypeName"),
        ),
        case(
            "boolean",
            r#"{"a":{"objectTypeName":true}}"#,
            code_at(INVALID, "/a/objectTypeName"),
        ),
        case(
            "array",
            r#"{"a":{"objectTypeName":["com.evil.X"]}}"#,
            code_at(INVALID, "/a/objectTypeName"),
        ),
        case(
            "object",
            r#"{"a":{"objectTypeName":{"name":"com.evil.X"}}}"#,
            code_at(INVALID, "/a/objectTypeName"),
        ),
        case(
            "number in a valueInfo",
            r#"{"variables":{"x":{"value":null,"type":"Object","valueInfo":{"objectTypeName":1}}}}"#,
            code_at(INVALID, "/variables/x/valueInfo/objectTypeName"),
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
