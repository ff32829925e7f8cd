//! Type-id keys (`@class`, `@type`, `@c`, `$type` and custom ones) and
//! Jackson's wrapper arrays name classes the class filter must allow.

use super::*;

#[test]
fn type_id_keys() {
    let odp = "System.Windows.Data.ObjectDataProvider, PresentationFramework, Version=4.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35";
    let wrapper = "System.Data.Services.Internal.ExpandedWrapper`2[[System.Web.UI.LosFormatter, System.Web, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b03f5f7f11d50a3a],[System.Windows.Data.ObjectDataProvider, PresentationFramework, Version=4.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35]], System.Data.Services, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089";
    let dollar = |name: &str| format!(r#"{{"$type":{},"MethodName":"Start"}}"#, js(name));
    let cases = [
        case(
            "@class",
            r#"{"@class":"com.evil.X"}"#,
            code_at(CLASS, "/@class"),
        ),
        case(
            "@type",
            r#"{"a":{"@type":"com.sun.rowset.JdbcRowSetImpl","dataSourceName":"ldap://x","autoCommit":true}}"#,
            code_at(CLASS, "/a/@type"),
        ),
        case(
            "@c",
            r#"{"a":[{"@c":"com.evil.X"}]}"#,
            code_at(CLASS, "/a/0/@c"),
        ),
        case(
            "$type",
            dollar("Evil.Gadget, Evil"),
            code_at(CLASS, "/$type"),
        ),
        case(
            "@class in arrays of arrays",
            r#"[[1],[2,[{"x":{"@class":"com.evil.X"}}]]]"#,
            code_at(CLASS, "/1/1/0/x/@class"),
        ),
        case(
            "@class after other members",
            r#"{"a":1,"b":{"c":[],"@class":"com.evil.X"}}"#,
            code_at(CLASS, "/b/@class"),
        ),
        case(
            "@class in generics",
            r#"{"@class":"java.util.ArrayList<com.evil.X>"}"#,
            code_at(CLASS, "/@class"),
        ),
        case(
            "@class array descriptor",
            r#"{"@class":"[Lcom.evil.X;"}"#,
            code_at(CLASS, "/@class"),
        ),
        case(
            "@class malformed",
            r#"{"@class":"com.evil."}"#,
            code_at(CLASS, "/@class"),
        ),
        case(
            "@c minimal class id (relative, unknowable base)",
            r#"{"@c":".Order"}"#,
            code_at(CLASS, "/@c"),
        ),
        case(
            ".NET ObjectDataProvider, assembly-qualified",
            dollar(odp),
            code_at(CLASS, "/$type"),
        ),
        case(
            ".NET ExpandedWrapper`2[[...],[...]]",
            dollar(wrapper),
            code_at(CLASS, "/$type"),
        ),
        case(
            ".NET allowed generic, denied argument",
            dollar("System.Collections.Generic.List`1[[Evil.Gadget, Evil]], mscorlib"),
            code_at(CLASS, "/$type"),
        ),
        case(
            ".NET malformed",
            dollar("Acme.Order, "),
            code_at(CLASS, "/$type"),
        ),
        case(
            ".NET Java-style generics are not .NET",
            dollar("Acme.List<Acme.Order>"),
            code_at(CLASS, "/$type"),
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
                code_at(CLASS, "/a/@javaClass"),
            ),
            case(
                "custom .NET-style key",
                r#"{"__type":"Evil.Gadget, Evil"}"#,
                code_at(CLASS, "/__type"),
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
                code_at(CLASS, "/objectTypeName"),
            ),
            case(
                "custom key in carried JSON",
                in_variables(&typed(
                    &js(r#"{"@javaClass":"com.evil.X"}"#),
                    "Object",
                    "com.acme.Order",
                    "application/json",
                )),
                code_at(CLASS, "/variables/x/value/@javaClass"),
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
                code_at(CLASS, "/tyXe"),
            ),
            case(
                "key sharing a slot with value",
                r#"{"vaXue":"com.evil.X"}"#,
                code_at(CLASS, "/vaXue"),
            ),
            case(
                "long custom key",
                r#"{"valueInfoClassName":"com.evil.X"}"#,
                code_at(CLASS, "/valueInfoClassName"),
            ),
            case(
                "type still means type",
                in_variables(&object_var("com.evil.X")),
                code_at(CLASS, "/variables/x/valueInfo/objectTypeName"),
            ),
            case(
                "type still means type, Java serialization",
                in_variables(&typed(
                    &format!("\"{JAVA_STREAM}\""),
                    "Object",
                    "java.util.HashMap",
                    "application/x-java-serialized-object",
                )),
                code_at(JAVA, "/variables/x/valueInfo/serializationDataFormat"),
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
                code_at(CLASS, "/a/objectTypeName"),
            ),
            case(
                "typed variables are still checked",
                in_variables(&object_var("com.evil.X")),
                code_at(CLASS, "/variables/x/valueInfo/objectTypeName"),
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
            case(
                "top level",
                r#"["com.evil.X",{"a":1}]"#,
                code_at(CLASS, "/0"),
            ),
            case(
                "under a key",
                r#"{"v":["com.evil.X",{}]}"#,
                code_at(CLASS, "/v/0"),
            ),
            case(
                "nested in an allowed wrapper",
                r#"["java.util.ArrayList",["com.evil.X",{}]]"#,
                code_at(CLASS, "/1/0"),
            ),
            case(
                "array descriptor",
                r#"["[Lcom.evil.X;",[]]"#,
                code_at(CLASS, "/0"),
            ),
            case(
                "generic",
                r#"["java.util.ArrayList<com.evil.X>",[]]"#,
                code_at(CLASS, "/0"),
            ),
            case(
                "scalar payload",
                r#"{"a":["com.evil.X","x"]}"#,
                code_at(CLASS, "/a/0"),
            ),
            case(
                "gadget",
                r#"["com.sun.rowset.JdbcRowSetImpl",{"dataSourceName":"ldap://x","autoCommit":true}]"#,
                code_at(CLASS, "/0"),
            ),
            case(
                "in carried JSON",
                in_variables(&typed(
                    &js(r#"["com.evil.X",{}]"#),
                    "Object",
                    "java.util.HashMap",
                    "application/json",
                )),
                code_at(CLASS, "/variables/x/value/0"),
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
