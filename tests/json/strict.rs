//! Strict RFC 8259: duplicate keys, every syntax rule with a near miss,
//! invalid UTF-8.

use super::*;

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
        case(
            "same key twice",
            r#"{"a":1,"a":2}"#,
            code_at(DUPLICATE, "/a"),
        ),
        case(
            "same key, different values types",
            r#"{"a":{},"a":[]}"#,
            code_at(DUPLICATE, "/a"),
        ),
        case(
            "after unescaping",
            r#"{"a":1,"\u0061":2}"#,
            code_at(DUPLICATE, "/a"),
        ),
        case(
            "after unescaping, both escaped",
            r#"{"\u0061b":1,"a\u0062":2}"#,
            code_at(DUPLICATE, "/ab"),
        ),
        case(
            "escaped slash",
            r#"{"a/b":1,"a\/b":2}"#,
            code_at(DUPLICATE, "/a~1b"),
        ),
        case(
            "surrogate pair vs raw",
            "{\"\\ud83d\\ude00\":1,\"\u{1F600}\":2}",
            code_at(DUPLICATE, "/\u{1F600}"),
        ),
        case("empty key", r#"{"":1,"":2}"#, code_at(DUPLICATE, "/")),
        case(
            "nested object",
            r#"{"x":{"b":1,"b":2}}"#,
            code_at(DUPLICATE, "/x/b"),
        ),
        case(
            "in an array element",
            r#"{"x":[{"b":1},{"b":1,"c":2,"b":3}]}"#,
            code_at(DUPLICATE, "/x/1/b"),
        ),
        case(
            "after a nested object",
            r#"{"x":{"b":1},"x":2}"#,
            code_at(DUPLICATE, "/x"),
        ),
        case(
            "type in a typed variable",
            r#"{"v":{"type":"String","value":"a","type":"Object"}}"#,
            code_at(DUPLICATE, "/v/type"),
        ),
        case(
            "16th member",
            many(15, r#","k3":0"#),
            code_at(DUPLICATE, "/k3"),
        ),
        case(
            "17th member (switch to hashing)",
            many(16, r#","k0":0"#),
            code_at(DUPLICATE, "/k0"),
        ),
        case(
            "> 16 members",
            many(20, r#","k3":0"#),
            code_at(DUPLICATE, "/k3"),
        ),
        case(
            "> 16 members, late",
            many(200, r#","k199":0"#),
            code_at(DUPLICATE, "/k199"),
        ),
        case(
            "> 16 members, escaped",
            many(20, r#","k\u0035":0"#),
            code_at(DUPLICATE, "/k5"),
        ),
        case(
            "> 16 members, nested",
            format!(r#"{{"a":{}}}"#, many(40, r#","k17":0"#)),
            code_at(DUPLICATE, "/a/k17"),
        ),
        // Keys compare by their first eight bytes first: the rest counts.
        case(
            "long keys, same first eight bytes",
            r#"{"customerName":1,"customerNamf":2,"customerName":3}"#,
            code_at(DUPLICATE, "/customerName"),
        ),
        case(
            "long keys, hashed",
            many(20, r#","customerName":1,"customerNamf":2,"customerName":3"#),
            code_at(DUPLICATE, "/customerName"),
        ),
        case(
            "keys past sixteen bytes, hashed",
            many(
                20,
                r#","customerShippingAddress1":1,"customerShippingAddress2":2,"customerShippingAddress1":3"#,
            ),
            code_at(DUPLICATE, "/customerShippingAddress1"),
        ),
        case(
            "keys past sixteen bytes, hashed, escaped",
            many(
                20,
                r#","customerShippingAddress1":1,"customerShippingAddress\u0031":2"#,
            ),
            code_at(DUPLICATE, "/customerShippingAddress1"),
        ),
        case(
            "5000 members, duplicate last",
            many(5000, r#","k4999":0"#),
            code_at(DUPLICATE, "/k4999"),
        ),
        case(
            "> 16 members, long key escaped",
            many(20, r#","customerName":1,"customer\u004eame":2"#),
            code_at(DUPLICATE, "/customerName"),
        ),
        case(
            "second of two big siblings",
            format!(
                r#"{{"a":{},"b":{}}}"#,
                many(20, ""),
                many(30, r#","k25":0"#)
            ),
            code_at(DUPLICATE, "/b/k25"),
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
        case("trailing comma in array", "[1,]", code_at(MALFORMED, "/1")),
        case(
            "trailing comma in object",
            r#"{"a":1,}"#,
            code_at(MALFORMED, "/"),
        ),
        case("leading comma", "[,1]", code_at(MALFORMED, "/0")),
        case("double comma", "[1,,2]", code_at(MALFORMED, "/1")),
        case("near miss: no trailing comma", r#"[1,{"a":1}]"#, OK),
        // Comments.
        case(
            "block comment in object",
            r#"{"a":1/*c*/}"#,
            code_at(MALFORMED, "/a"),
        ),
        case("line comment before", "// c\n{}", code_at(MALFORMED, "/")),
        case("line comment after", "{}// c", code_at(MALFORMED, "/")),
        case("hash comment", "# c\n{}", code_at(MALFORMED, "/")),
        case(
            "near miss: comment-like string",
            r#"{"a":"/* c */ // d # e"}"#,
            OK,
        ),
        // Single quotes and bare words.
        case("single-quoted key", "{'a':1}", code_at(MALFORMED, "/")),
        case(
            "single-quoted value",
            r#"{"a":'b'}"#,
            code_at(MALFORMED, "/a"),
        ),
        case("bare key", "{a:1}", code_at(MALFORMED, "/")),
        case("number key", "{1:2}", code_at(MALFORMED, "/")),
        case("near miss: apostrophe in a string", r#"{"a":"it's"}"#, OK),
        // NaN and infinities.
        case("NaN", r#"{"a":NaN}"#, code_at(MALFORMED, "/a")),
        case("Infinity", "[Infinity]", code_at(MALFORMED, "/0")),
        case("-Infinity", "[-Infinity]", code_at(MALFORMED, "/0")),
        case("nan top level", "nan", code_at(MALFORMED, "/")),
        case(
            "near miss: NaN as a string",
            r#"{"a":"NaN","b":"Infinity"}"#,
            OK,
        ),
        case("near miss: huge exponent", "[1e999,-1e-999]", OK),
        // Literals.
        case("True", "[True]", code_at(MALFORMED, "/0")),
        case("NULL", "NULL", code_at(MALFORMED, "/")),
        case("truncated literal", "[nul]", code_at(MALFORMED, "/0")),
        case("literal with a tail", "[truex]", code_at(MALFORMED, "/0")),
        case("literal at the end", "tru", code_at(MALFORMED, "/")),
        case("near miss: literals", "[true,false,null]", OK),
        // Numbers.
        case("leading zero", "[01]", code_at(MALFORMED, "/0")),
        case("negative leading zero", "[-01]", code_at(MALFORMED, "/0")),
        case("double zero", r#"{"a":00}"#, code_at(MALFORMED, "/a")),
        case("leading zero top level", "01", code_at(MALFORMED, "/")),
        case("dot without fraction", "[1.]", code_at(MALFORMED, "/0")),
        case("dot without integer", "[.5]", code_at(MALFORMED, "/0")),
        case("exponent without digits", "[1e]", code_at(MALFORMED, "/0")),
        case(
            "exponent sign without digits",
            "[1e+]",
            code_at(MALFORMED, "/0"),
        ),
        case("dot then exponent", "[1.e5]", code_at(MALFORMED, "/0")),
        case("plus sign", "[+1]", code_at(MALFORMED, "/0")),
        case("minus alone", "[-]", code_at(MALFORMED, "/0")),
        case("minus then dot", "[-.5]", code_at(MALFORMED, "/0")),
        case("hex", "[0x10]", code_at(MALFORMED, "/0")),
        case("two dots", "[1.2.3]", code_at(MALFORMED, "/0")),
        case(
            "near miss: numbers",
            "[0,-0,0.5,-0.5,10,1e5,1E+5,1e-5,-1.5e-05,0e0,123456789012345678901234567890]",
            OK,
        ),
        case("near miss: top-level number", "-0.0e0", OK),
        // Control characters.
        case("tab in a string", "[\"a\tb\"]", code_at(MALFORMED, "/0")),
        case("NUL in a string", "[\"a\u{0}b\"]", code_at(MALFORMED, "/0")),
        case(
            "unit separator in a string",
            "[\"\u{1f}\"]",
            code_at(MALFORMED, "/0"),
        ),
        case("newline in a key", "{\"a\nb\":1}", code_at(MALFORMED, "/")),
        case(
            "newline in a value",
            "{\"a\":\"x\ny\"}",
            code_at(MALFORMED, "/a"),
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
        case("\\x escape", r#"["\x41"]"#, code_at(MALFORMED, "/0")),
        case("short \\u escape", r#"["\u12"]"#, code_at(MALFORMED, "/0")),
        case(
            "non-hex \\u escape",
            r#"["\u12G4"]"#,
            code_at(MALFORMED, "/0"),
        ),
        case("upper-case \\U", r#"["\U0041"]"#, code_at(MALFORMED, "/0")),
        case("escaped apostrophe", r#"["\'"]"#, code_at(MALFORMED, "/0")),
        case("\\a escape", r#"["\a"]"#, code_at(MALFORMED, "/0")),
        case("escaped newline", "[\"\\\n\"]", code_at(MALFORMED, "/0")),
        case(
            "backslash at the end",
            r#"["abc\"]"#,
            code_at(MALFORMED, "/0"),
        ),
        case(
            "bad escape in a key",
            r#"{"a\x":1}"#,
            code_at(MALFORMED, "/"),
        ),
        // A problem in a key is reported at the object holding it, whichever
        // member it is: the first key already gets the object's pointer.
        case(
            "bad escape in a second key",
            r#"{"a":1,"b\x":2}"#,
            code_at(MALFORMED, "/"),
        ),
        case(
            "control character in a second key",
            "{\"a\":1,\"b\tc\":2}",
            code_at(MALFORMED, "/"),
        ),
        case(
            "number as a second key",
            r#"{"a":1,2:3}"#,
            code_at(MALFORMED, "/"),
        ),
        case(
            "single-quoted second key",
            r#"{"a":1,'b':2}"#,
            code_at(MALFORMED, "/"),
        ),
        case(
            "lone surrogate in a nested second key",
            r#"{"x":{"a":1,"\ud800":2}}"#,
            code_at(MALFORMED, "/x"),
        ),
        case(
            "near miss: every escape",
            r#"["\"\\\/\b\f\n\r\t\u0041\u00e9\uFFFF\ud83d\ude00"]"#,
            OK,
        ),
        // Surrogates.
        case(
            "lone high surrogate",
            r#"["\ud800"]"#,
            code_at(MALFORMED, "/0"),
        ),
        case(
            "lone low surrogate",
            r#"["\udc00"]"#,
            code_at(MALFORMED, "/0"),
        ),
        case(
            "high then non-low escape",
            r#"["\ud800\u0041"]"#,
            code_at(MALFORMED, "/0"),
        ),
        case(
            "high then high",
            r#"["\ud800\ud800"]"#,
            code_at(MALFORMED, "/0"),
        ),
        case(
            "high then raw character",
            r#"["\ud800x"]"#,
            code_at(MALFORMED, "/0"),
        ),
        case("high then \\n", r#"["\ud800\n"]"#, code_at(MALFORMED, "/0")),
        case(
            "low then high",
            r#"["\udc00\ud800"]"#,
            code_at(MALFORMED, "/0"),
        ),
        case(
            "high then upper-case \\U low",
            r#"["\ud800\Udc00"]"#,
            code_at(MALFORMED, "/0"),
        ),
        case(
            "lone surrogate in a key",
            r#"{"\udfff":1}"#,
            code_at(MALFORMED, "/"),
        ),
        case(
            "near miss: pair",
            r#"["\ud83d\ude00","\uD83D\uDE00","\udbff\udfff"]"#,
            OK,
        ),
        // Structure.
        case("unclosed object", r#"{"a":1"#, code_at(MALFORMED, "/a")),
        case("unclosed array", "[", code_at(MALFORMED, "/0")),
        case("unclosed string", r#""abc"#, code_at(MALFORMED, "/")),
        case("missing colon", r#"{"a" 1}"#, code_at(MALFORMED, "/a")),
        case("double colon", r#"{"a"::1}"#, code_at(MALFORMED, "/a")),
        case("missing value", r#"{"a":}"#, code_at(MALFORMED, "/a")),
        case("missing comma in array", "[1 2]", code_at(MALFORMED, "/0")),
        case(
            "missing comma in object",
            r#"{"a":1 "b":2}"#,
            code_at(MALFORMED, "/a"),
        ),
        case("colon in array", "[1:2]", code_at(MALFORMED, "/0")),
        case("mismatched closer", "[1}", code_at(MALFORMED, "/0")),
        case("stray closer", "]", code_at(MALFORMED, "/")),
        case(
            "near miss: empty containers",
            r#"{"a":{},"b":[],"c":[{}],"d":[[]]}"#,
            OK,
        ),
        case("near miss: top-level string", r#""abc""#, OK),
        case("near miss: top-level null", "null", OK),
        // Trailing data.
        case("letter after", "{}x", code_at(MALFORMED, "/")),
        case("second object", "{}{}", code_at(MALFORMED, "/")),
        case(
            "second array after a blank",
            "[] []",
            code_at(MALFORMED, "/"),
        ),
        case("second number", "1 2", code_at(MALFORMED, "/")),
        case("second string", r#""a""b""#, code_at(MALFORMED, "/")),
        case("NUL after", "{}\u{0}", code_at(MALFORMED, "/")),
        case("BOM after", "{}\u{feff}", code_at(MALFORMED, "/")),
        case("near miss: trailing blanks", "{} \n\t\r ", OK),
        case("near miss: leading blanks", " \r\n\t{}", OK),
        // Whitespace JSON does not know.
        case("form feed", "[\u{c}1]", code_at(MALFORMED, "/0")),
        case("vertical tab", "[\u{b}1]", code_at(MALFORMED, "/0")),
        case("no-break space", "[\u{a0}1]", code_at(MALFORMED, "/0")),
        case("ideographic space", "{\u{3000}}", code_at(MALFORMED, "/")),
        // Empty bodies.
        case("empty body", "", code_at(MALFORMED, "/")),
        case("blank body", " \n", code_at(MALFORMED, "/")),
    ];
    check(&test_guard(), &cases);
}

#[test]
fn invalid_utf8() {
    let cases = [
        case(
            "0xFF in a string",
            &b"{\"a\":\"\xff\"}"[..],
            code_at(MALFORMED, "/"),
        ),
        case(
            "0xFF in a key",
            &b"{\"\xff\":1}"[..],
            code_at(MALFORMED, "/"),
        ),
        case(
            "0xFF outside strings",
            &b"[1,\xff]"[..],
            code_at(MALFORMED, "/"),
        ),
        case(
            "overlong slash",
            &b"[\"\xc0\xaf\"]"[..],
            code_at(MALFORMED, "/"),
        ),
        case(
            "encoded surrogate (CESU-8)",
            &b"[\"\xed\xa0\x80\"]"[..],
            code_at(MALFORMED, "/"),
        ),
        case(
            "truncated sequence at the end",
            &b"[\"\xe2\x82"[..],
            code_at(MALFORMED, "/"),
        ),
        case(
            "truncated sequence in a string",
            &b"[\"\xe2\x82\"]"[..],
            code_at(MALFORMED, "/"),
        ),
        case(
            "continuation byte alone",
            &b"[\"\x80\"]"[..],
            code_at(MALFORMED, "/"),
        ),
        case(
            "above U+10FFFF",
            &b"[\"\xf4\x90\x80\x80\"]"[..],
            code_at(MALFORMED, "/"),
        ),
        case("near miss: multi-byte", "[\"é€😀\u{10FFFF}\"]", OK),
        case("near miss: multi-byte key", "{\"ключ\":\"值\"}", OK),
    ];
    check(&test_guard(), &cases);
}
