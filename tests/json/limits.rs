//! The `[json]` limits, at and one past each limit, small and default.

use super::*;

#[test]
fn limits_at_and_one_over() {
    let limited = guard_with(
        "",
        "max_depth = 4\nmax_string_bytes = 8\nmax_number_length = 5\nmax_members = 3",
    );
    let cases = [
        // max_depth = 4
        case("depth 4 arrays", "[[[[1]]]]", OK),
        case(
            "depth 5 arrays",
            "[[[[[1]]]]]",
            code_at(TOO_DEEP, "/0/0/0/0"),
        ),
        case("depth 4 objects", r#"{"a":{"b":{"c":{"d":1}}}}"#, OK),
        case(
            "depth 5 objects",
            r#"{"a":{"b":{"c":{"d":{"e":1}}}}}"#,
            code_at(TOO_DEEP, "/a/b/c/d"),
        ),
        case(
            "depth 5 mixed",
            r#"[{"a":[{"b":{}}]}]"#,
            code_at(TOO_DEEP, "/0/a/0/b"),
        ),
        case("depth 5 empty", "[[[[[]]]]]", code_at(TOO_DEEP, "/0/0/0/0")),
        case("depth 4 twice", "[[[[1]]],[[[2]]]]", OK),
        // max_string_bytes = 8, bytes as written
        case("string of 8", r#"["12345678"]"#, OK),
        case("string of 9", r#"["123456789"]"#, code_at(TOO_LARGE, "/0")),
        case("string of 8 bytes in 4 characters", r#"["éééé"]"#, OK),
        case(
            "string of 10 bytes in 5 characters",
            r#"["ééééé"]"#,
            code_at(TOO_LARGE, "/0"),
        ),
        case("escapes count as written: 8", r#"["\n\n\n\n"]"#, OK),
        case(
            "escapes count as written: 12",
            r#"["\u0041\u0041"]"#,
            code_at(TOO_LARGE, "/0"),
        ),
        case("key of 8", r#"{"12345678":1}"#, OK),
        case("key of 9", r#"{"123456789":1}"#, code_at(TOO_LARGE, "/")),
        case(
            "second key of 9",
            r#"{"a":1,"123456789":2}"#,
            code_at(TOO_LARGE, "/"),
        ),
        case(
            "member value of 9",
            r#"{"a":"123456789"}"#,
            code_at(TOO_LARGE, "/a"),
        ),
        // max_number_length = 5
        case("number of 5", "[12345]", OK),
        case("number of 6", "[123456]", code_at(TOO_LARGE, "/0")),
        case("negative number of 5", "[-1234]", OK),
        case("negative number of 6", "[-12345]", code_at(TOO_LARGE, "/0")),
        case("fraction of 5", "[1.234]", OK),
        case("exponent of 6", "[1.5e10]", code_at(TOO_LARGE, "/0")),
        case(
            "member number of 6",
            r#"{"n":100000}"#,
            code_at(TOO_LARGE, "/n"),
        ),
        // max_members = 3
        case("object of 3", r#"{"a":1,"b":2,"c":3}"#, OK),
        case(
            "object of 4",
            r#"{"a":1,"b":2,"c":3,"d":4}"#,
            code_at(TOO_MANY, "/d"),
        ),
        case("array of 3", "[1,2,3]", OK),
        case("array of 4", "[1,2,3,4]", code_at(TOO_MANY, "/3")),
        case(
            "nested array of 4",
            r#"{"a":[1,2,3,4]}"#,
            code_at(TOO_MANY, "/a/3"),
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
        case(
            "depth 129",
            nested(129),
            code_at(TOO_DEEP, &"/0".repeat(128)),
        ),
        case("100000 elements", array(100_000), OK),
        case(
            "100001 elements",
            array(100_001),
            code_at(TOO_MANY, "/100000"),
        ),
        case("100000 members", object(100_000), OK),
        case(
            "100001 members",
            object(100_001),
            code_at(TOO_MANY, "/k100000"),
        ),
        case("string of 5 MiB", string(5 * 1024 * 1024), OK),
        case(
            "string of 5 MiB + 1",
            string(5 * 1024 * 1024 + 1),
            code_at(TOO_LARGE, "/0"),
        ),
        case("number of 1000", number(1000), OK),
        case("number of 1001", number(1001), code_at(TOO_LARGE, "/0")),
    ];
    check(&guard, &cases);
}
