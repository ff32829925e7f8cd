//! `maxResults` and `firstResult` on list queries under the bundled policy
//! (rejecting): the cap, unbounded queries, Java's int range, escapes; the
//! same rules on paging at the top of JSON query bodies.

use super::*;

#[test]
fn paging_is_capped_and_bounded() {
    let t = "/engine-rest/task";
    let q = |query: &str| format!("{t}?{query}");
    let cases = vec![
        // The cap (1000): strictly greater is rejected, as Camunda's check.
        get("over the cap by one", q("maxResults=1001"), exceeded()),
        get("far over the cap", q("maxResults=5000"), exceeded()),
        get("equal to the cap", q("maxResults=1000"), ALLOW),
        get("under the cap", q("maxResults=999"), ALLOW),
        get("zero", q("maxResults=0"), ALLOW),
        get(
            "with other parameters",
            q("sortBy=name&sortOrder=asc&maxResults=10"),
            ALLOW,
        ),
        // Unbounded list queries.
        get("missing", t, unbounded()),
        get("empty query", q(""), unbounded()),
        get("only empty pairs", q("&&"), unbounded()),
        get(
            "only other parameters",
            q("sortBy=name&sortOrder=asc"),
            unbounded(),
        ),
        get("firstResult alone", q("firstResult=0"), unbounded()),
        get(
            "firstResult alone, large",
            q("firstResult=5000"),
            unbounded(),
        ),
        get(
            "firstResult with maxResults",
            q("firstResult=5000&maxResults=1000"),
            ALLOW,
        ),
        get(
            "firstResult after maxResults",
            q("maxResults=10&firstResult=20"),
            ALLOW,
        ),
        get(
            "firstResult with maxResults over",
            q("firstResult=0&maxResults=1001"),
            exceeded(),
        ),
        get(
            "firstResult at Java's int max",
            q("firstResult=2147483647&maxResults=1"),
            ALLOW,
        ),
        get(
            "firstResult overflow",
            q("firstResult=2147483648&maxResults=1"),
            bad_paging("firstResult"),
        ),
        get(
            "firstResult negative",
            q("firstResult=-1&maxResults=1"),
            bad_paging("firstResult"),
        ),
        get(
            "firstResult not a number",
            q("firstResult=abc&maxResults=1"),
            bad_paging("firstResult"),
        ),
        get(
            "firstResult empty",
            q("firstResult=&maxResults=1"),
            bad_paging("firstResult"),
        ),
        // Every copy of a repeated parameter counts.
        get(
            "repeated, second over",
            q("maxResults=10&maxResults=5000"),
            exceeded(),
        ),
        get(
            "repeated, first over",
            q("maxResults=5000&maxResults=10"),
            exceeded(),
        ),
        get(
            "repeated, both under",
            q("maxResults=10&maxResults=20"),
            ALLOW,
        ),
        get(
            "repeated, one at the cap",
            q("maxResults=1000&maxResults=1"),
            ALLOW,
        ),
        get(
            "repeated, second invalid",
            q("maxResults=10&maxResults=abc"),
            bad_paging("maxResults"),
        ),
        get(
            "repeated, second bare",
            q("maxResults=10&maxResults"),
            bad_paging("maxResults"),
        ),
        get(
            "repeated, second empty",
            q("maxResults=10&maxResults="),
            bad_paging("maxResults"),
        ),
        get(
            "repeated firstResult, second invalid",
            q("maxResults=10&firstResult=0&firstResult=x"),
            bad_paging("firstResult"),
        ),
        // Names and values are percent-decoded as the server decodes them.
        get("encoded name, over", q("max%52esults=5000"), exceeded()),
        get(
            "encoded name, lower-case hex, over",
            q("ma%78Results=5000"),
            exceeded(),
        ),
        get("encoded name, under", q("max%52esults=10"), ALLOW),
        get(
            "fully encoded name, under",
            q("%6d%61%78%52%65%73%75%6c%74%73=10"),
            ALLOW,
        ),
        get(
            "encoded name, invalid value",
            q("max%52esults=abc"),
            bad_paging("maxResults"),
        ),
        get(
            "encoded firstResult name alone",
            q("first%52esult=1"),
            unbounded(),
        ),
        get("encoded value, under", q("maxResults=%31%30"), ALLOW),
        get("encoded value, equal", q("maxResults=%31%30%30%30"), ALLOW),
        get(
            "encoded value, over",
            q("maxResults=%31%30%30%31"),
            exceeded(),
        ),
        // Names are case-sensitive (JAX-RS @QueryParam): another name binds nothing.
        get(
            "other letter case is another parameter",
            q("MaxResults=10"),
            unbounded(),
        ),
        get(
            "encoded lower r is another parameter",
            q("max%72esults=10"),
            unbounded(),
        ),
        get("encoded `=` in the name", q("maxResults%3D10"), unbounded()),
        get(
            "`+` in the name is a space",
            q("maxResults+=10"),
            unbounded(),
        ),
        get(
            "encoded `&` in a value is no separator",
            q("maxResults=10&q=%26maxResults%3D5000"),
            ALLOW,
        ),
        // `+` is a space; blanks and signs are not digits.
        get(
            "plus before the value",
            q("maxResults=+10"),
            bad_paging("maxResults"),
        ),
        get(
            "plus after the value",
            q("maxResults=10+"),
            bad_paging("maxResults"),
        ),
        get(
            "encoded space",
            q("maxResults=%2010"),
            bad_paging("maxResults"),
        ),
        get(
            "encoded plus sign",
            q("maxResults=%2B10"),
            bad_paging("maxResults"),
        ),
        get(
            "encoded plus sign on firstResult",
            q("maxResults=1&firstResult=%2B1"),
            bad_paging("firstResult"),
        ),
        get("minus one", q("maxResults=-1"), bad_paging("maxResults")),
        get("minus zero", q("maxResults=-0"), bad_paging("maxResults")),
        // Leading zeros are still an int (Integer.parseInt("007") == 7).
        get("leading zeros, equal", q("maxResults=0001000"), ALLOW),
        get("leading zeros, over", q("maxResults=0001001"), exceeded()),
        get(
            "many leading zeros",
            q("maxResults=000000000000000000010"),
            ALLOW,
        ),
        get("all zeros", q("maxResults=0000"), ALLOW),
        // Java's int range.
        get(
            "Java's int max, over the cap",
            q("maxResults=2147483647"),
            exceeded(),
        ),
        get(
            "int overflow",
            q("maxResults=2147483648"),
            bad_paging("maxResults"),
        ),
        get(
            "u32 overflow",
            q("maxResults=4294967296"),
            bad_paging("maxResults"),
        ),
        get(
            "20 digits",
            q("maxResults=99999999999999999999"),
            bad_paging("maxResults"),
        ),
        // Not numbers.
        get("letters", q("maxResults=abc"), bad_paging("maxResults")),
        get("exponent", q("maxResults=1e3"), bad_paging("maxResults")),
        get("hex", q("maxResults=0x10"), bad_paging("maxResults")),
        get("decimal", q("maxResults=10.0"), bad_paging("maxResults")),
        get("empty", q("maxResults="), bad_paging("maxResults")),
        get("bare", q("maxResults"), bad_paging("maxResults")),
        get(
            "non-ASCII digits",
            q("maxResults=%D9%A1%D9%A0"),
            bad_paging("maxResults"),
        ),
        get(
            "fullwidth digits",
            q("maxResults=%EF%BC%91"),
            bad_paging("maxResults"),
        ),
        // Escapes the server could read two ways.
        get("malformed escape", q("maxResults=10&x=%ZZ"), malformed()),
        get(
            "malformed escape in the value",
            q("maxResults=%ZZ"),
            malformed(),
        ),
        get(
            "malformed escape in a name",
            q("max%5Results=10"),
            malformed(),
        ),
        get("truncated escape", q("maxResults=10&x=%4"), malformed()),
        get("lone percent", q("maxResults=10%"), malformed()),
        get("invalid UTF-8", q("maxResults=10&x=%FF"), malformed()),
        get(
            "invalid UTF-8 in a name",
            q("%FF=1&maxResults=10"),
            malformed(),
        ),
        get("overlong UTF-8", q("maxResults=10&x=%C0%AE"), malformed()),
        get(
            "lone surrogate",
            q("maxResults=10&x=%ED%A0%80"),
            malformed(),
        ),
        get(
            "valid UTF-8 escape (near miss)",
            q("maxResults=10&x=%C3%A9"),
            ALLOW,
        ),
        get(
            "escaped percent (near miss)",
            q("maxResults=10&x=%25ZZ"),
            ALLOW,
        ),
        get("empty pairs (near miss)", q("&&maxResults=10&&"), ALLOW),
    ];
    check(&camunda_guard(), &cases);
}

#[test]
fn paging_without_a_cap() {
    let text = camunda_edited(&[("max_results = 1000", "max_results = 0")]);
    let t = "/engine-rest/task";
    let q = |query: &str| format!("{t}?{query}");
    let cases = vec![
        get("Java's int max", q("maxResults=2147483647"), ALLOW),
        get("far over the usual cap", q("maxResults=5000"), ALLOW),
        get(
            "int overflow",
            q("maxResults=2147483648"),
            bad_paging("maxResults"),
        ),
        get("negative", q("maxResults=-1"), bad_paging("maxResults")),
        get(
            "not a number",
            q("maxResults=abc"),
            bad_paging("maxResults"),
        ),
        get(
            "firstResult overflow",
            q("firstResult=2147483648"),
            bad_paging("firstResult"),
        ),
        // With no cap, `require_max_results` has nothing to require or add:
        // a missing maxResults passes (the code's reading; the README is silent).
        get("missing", t, ALLOW),
        get("firstResult alone", q("firstResult=10"), ALLOW),
        get("malformed escape", q("maxResults=1&x=%ZZ"), malformed()),
    ];
    check(&guard(&text), &cases);
    // The same with clamping: nothing to clamp to.
    let text = text.replace(r#"on_excess = "reject""#, r#"on_excess = "clamp""#);
    check(&guard(&text), &cases);
}

/// `maxResults`/`firstResult` at the top of a JSON query body meet the same
/// rules as in the query string, but only the query string bounds a query.
#[test]
fn paging_in_json_query_bodies() {
    let body_exceeded = || reject("query-max-results-exceeded", "/maxResults");
    let cases = vec![
        post(
            "body at the cap",
            "/engine-rest/process-instance?maxResults=10",
            r#"{"maxResults":1000}"#,
            ALLOW,
        ),
        post(
            "body over the cap",
            "/engine-rest/process-instance?maxResults=10",
            r#"{"maxResults":1001}"#,
            body_exceeded(),
        ),
        post(
            "body over the cap, as a string",
            "/engine-rest/task?maxResults=10",
            r#"{"maxResults":"5000"}"#,
            body_exceeded(),
        ),
        post(
            "body over the cap, escaped key",
            "/engine-rest/task?maxResults=10",
            r#"{"max\u0052esults":5000}"#,
            body_exceeded(),
        ),
        post(
            "body over the cap, UTF-16",
            "/engine-rest/task?maxResults=10",
            r#"{"maxResults":5000}"#,
            body_exceeded(),
        )
        .utf16le(),
        post(
            "body over Java's int range",
            "/engine-rest/task?maxResults=10",
            r#"{"maxResults":2147483648}"#,
            reject("query-invalid-paging", "/maxResults"),
        ),
        post(
            "body negative firstResult",
            "/engine-rest/task?maxResults=10",
            r#"{"firstResult":-1}"#,
            reject("query-invalid-paging", "/firstResult"),
        ),
        post(
            "body fraction",
            "/engine-rest/task?maxResults=10",
            r#"{"maxResults":10.5}"#,
            reject("query-invalid-paging", "/maxResults"),
        ),
        post(
            "body array",
            "/engine-rest/task?maxResults=10",
            r#"{"maxResults":[10]}"#,
            reject("query-invalid-paging", "/maxResults"),
        ),
        post(
            "body null means not given",
            "/engine-rest/task?maxResults=10",
            r#"{"maxResults":null,"firstResult":null}"#,
            ALLOW,
        ),
        post(
            "nested paging is data",
            "/engine-rest/task?maxResults=10",
            r#"{"orQueries":[{"maxResults":5000}],"x":{"maxResults":-1}}"#,
            ALLOW,
        ),
        post(
            "other case is another key",
            "/engine-rest/task?maxResults=10",
            r#"{"MaxResults":5000}"#,
            ALLOW,
        ),
        post(
            "body within the cap does not bound the query",
            "/engine-rest/task",
            r#"{"maxResults":10}"#,
            unbounded(),
        ),
        post(
            "not a list route",
            "/engine-rest/process-instance/count",
            r#"{"maxResults":5000}"#,
            ALLOW,
        ),
    ];
    check(&camunda_guard(), &cases);
    // Clamping rewrites URIs, never bodies: a body over the cap is refused.
    let clamp = guard(&camunda_edited(&[(
        r#"on_excess = "reject""#,
        r#"on_excess = "clamp""#,
    )]));
    let cases = vec![
        post(
            "clamp: body over the cap",
            "/engine-rest/process-instance?maxResults=10",
            r#"{"maxResults":1001}"#,
            body_exceeded(),
        ),
        post(
            "clamp: body within, query added",
            "/engine-rest/process-instance",
            r#"{"maxResults":10}"#,
            rewrite("/engine-rest/process-instance?maxResults=1000"),
        ),
    ];
    check(&clamp, &cases);
}
