//! Every `[xml]` limit at and one past the limit, where it was crossed,
//! and huge documents that stop at it.

use super::*;

/// Small limits, so that "at the limit" and "one over" are cheap to write.
fn small_limits() -> XmlPolicy {
    policy(|p| {
        p.max_depth = 5;
        p.max_attributes = 3;
        p.max_name_length = 8;
        p.max_value_bytes = 10;
        p.max_elements = 6;
        p.max_namespace_declarations = 2;
    })
}

#[test]
fn small_limits_at_and_one_over() {
    check(
        &small_limits(),
        &[
            ("depth 5", nested(5).as_str(), OK),
            ("depth 6", nested(6).as_str(), TOO_DEEP),
            (
                "depth 6, empty element",
                "<a><a><a><a><a><a/></a></a></a></a></a>",
                TOO_DEEP,
            ),
            ("depth 5, wide", "<a><a><a><a><a/><a/></a></a></a></a>", OK),
            ("3 attributes", "<r a=\"1\" b=\"2\" c=\"3\"/>", OK),
            (
                "4 attributes",
                "<r a=\"1\" b=\"2\" c=\"3\" d=\"4\"/>",
                TOO_MANY_ATTRIBUTES,
            ),
            // Decision (from the code): namespace declarations are attributes.
            (
                "3 attributes and an xmlns",
                "<r xmlns:p=\"u\" a=\"1\" b=\"2\" c=\"3\"/>",
                TOO_MANY_ATTRIBUTES,
            ),
            (
                "3 attributes on two elements",
                "<r a=\"1\" b=\"2\" c=\"3\"><s a=\"1\" b=\"2\" c=\"3\"/></r>",
                OK,
            ),
            ("element name of 8", "<abcdefgh/>", OK),
            ("element name of 9", "<abcdefghi/>", NAME_TOO_LONG),
            (
                "prefixed element name of 8",
                "<p:abcdef xmlns:p=\"u\"/>",
                OK,
            ),
            (
                "prefixed element name of 9",
                "<p:abcdefg xmlns:p=\"u\"/>",
                NAME_TOO_LONG,
            ),
            (
                "nested element name of 9",
                "<r><abcdefghi></abcdefghi></r>",
                NAME_TOO_LONG,
            ),
            ("attribute name of 8", "<r abcdefgh=\"\"/>", OK),
            ("attribute name of 9", "<r abcdefghi=\"\"/>", NAME_TOO_LONG),
            ("xmlns name of 9", "<r xmlns:abc=\"u\"/>", NAME_TOO_LONG),
            ("text of 10", "<r>0123456789</r>", OK),
            ("text of 11", "<r>0123456789A</r>", VALUE_TOO_LARGE),
            ("text of 10 bytes, 5 characters", "<r>ééééé</r>", OK),
            (
                "text of 11 bytes, 6 characters",
                "<r>éééééA</r>",
                VALUE_TOO_LARGE,
            ),
            // A reference does not end the text node: 10 bytes of text and
            // a reference are over the limit however references are counted.
            ("text and a reference, 10", "<r>0123&amp;5</r>", OK),
            (
                "text then a reference, over",
                "<r>0123456789&amp;</r>",
                VALUE_TOO_LARGE,
            ),
            (
                "a reference then text, over",
                "<r>&#65;0123456789</r>",
                VALUE_TOO_LARGE,
            ),
            (
                "text around a reference, over",
                "<r>01234&lt;56789</r>",
                VALUE_TOO_LARGE,
            ),
            (
                "11 references",
                "<r>&lt;&lt;&lt;&lt;&lt;&lt;&lt;&lt;&lt;&lt;&lt;</r>",
                VALUE_TOO_LARGE,
            ),
            // Decision (from the code): sizes are bytes as written, references
            // unresolved, as for attribute values (3 characters, 12 bytes).
            (
                "3 references of 12 bytes",
                "<r>&lt;&lt;&lt;</r>",
                VALUE_TOO_LARGE,
            ),
            (
                "attribute of 3 references",
                "<r a=\"&lt;&lt;&lt;\"/>",
                VALUE_TOO_LARGE,
            ),
            (
                "text around CDATA, 11",
                "<r>0123<![CDATA[4567]]>89A</r>",
                VALUE_TOO_LARGE,
            ),
            (
                "CDATA of 11",
                "<r><![CDATA[0123456789A]]></r>",
                VALUE_TOO_LARGE,
            ),
            (
                "two text nodes of 10",
                "<r>0123456789<b/>0123456789</r>",
                OK,
            ),
            (
                "three text nodes of 10",
                "<r>0123456789<b>0123456789</b>0123456789</r>",
                OK,
            ),
            ("attribute value of 10", "<r a=\"0123456789\"/>", OK),
            (
                "attribute value of 11",
                "<r a=\"0123456789A\"/>",
                VALUE_TOO_LARGE,
            ),
            ("6 elements", "<r><a/><a/><a><b/></a><a/></r>", OK),
            (
                "7 elements",
                "<r><a/><a/><a><b/></a><a/><a/></r>",
                TOO_MANY_ELEMENTS,
            ),
            (
                "2 namespace declarations",
                "<r xmlns=\"u\" xmlns:p=\"v\"/>",
                OK,
            ),
            (
                "3 namespace declarations",
                "<r xmlns=\"u\" xmlns:p=\"v\" xmlns:q=\"w\"/>",
                TOO_MANY_NAMESPACES,
            ),
            (
                "2 declarations on two elements",
                "<r xmlns:p=\"u\" xmlns:q=\"v\"><s xmlns:p=\"u\" xmlns:q=\"v\"/></r>",
                OK,
            ),
        ],
    );
}

#[test]
fn default_limits_at_and_one_over() {
    let defaults = XmlPolicy::default();
    let limits = (
        defaults.max_depth,
        defaults.max_attributes,
        defaults.max_name_length,
        defaults.max_value_bytes,
        defaults.max_elements,
        defaults.max_namespace_declarations,
    );
    assert_eq!(limits, (256, 256, 1000, 1 << 20, 1_000_000, 64));
    let mib = 1 << 20;
    let name = |n: usize| "n".repeat(n);
    let x = |n: usize| "x".repeat(n);
    check(
        &defaults,
        &[
            ("depth 256", nested(256), OK),
            ("depth 257", nested(257), TOO_DEEP),
            ("256 attributes", with_attributes(256), OK),
            ("257 attributes", with_attributes(257), TOO_MANY_ATTRIBUTES),
            (
                "element name of 1000",
                format!("<{0}></{0}>", name(1000)),
                OK,
            ),
            (
                "element name of 1001",
                format!("<{0}></{0}>", name(1001)),
                NAME_TOO_LONG,
            ),
            (
                "attribute name of 1000",
                format!("<r {}=\"\"/>", name(1000)),
                OK,
            ),
            (
                "attribute name of 1001",
                format!("<r {}=\"\"/>", name(1001)),
                NAME_TOO_LONG,
            ),
            ("text of 1 MiB", format!("<r>{}</r>", x(mib)), OK),
            (
                "text of 1 MiB + 1",
                format!("<r>{}</r>", x(mib + 1)),
                VALUE_TOO_LARGE,
            ),
            (
                "text of 1 MiB and a reference",
                format!("<r>{}&amp;</r>", x(mib)),
                VALUE_TOO_LARGE,
            ),
            (
                "attribute value of 1 MiB",
                format!("<r a=\"{}\"/>", x(mib)),
                OK,
            ),
            (
                "attribute value of 1 MiB + 1",
                format!("<r a=\"{}\"/>", x(mib + 1)),
                VALUE_TOO_LARGE,
            ),
            ("64 namespace declarations", with_namespaces(64), OK),
            (
                "65 namespace declarations",
                with_namespaces(65),
                TOO_MANY_NAMESPACES,
            ),
        ],
    );
    // The element count, with a limit that keeps the test fast.
    let elements = |n: usize| format!("<r>{}</r>", "<a/>".repeat(n - 1));
    check(
        &policy(|p| p.max_elements = 1000),
        &[
            ("1000 elements", elements(1000), OK),
            ("1001 elements", elements(1001), TOO_MANY_ELEMENTS),
        ],
    );
}

#[test]
fn limits_report_where_they_were_crossed() {
    let small = small_limits();
    // The element that would be one too deep or too many, at its `<`,
    // located in its parent.
    rejected_at(&small, &nested(6), TOO_DEEP, "/a/a/a/a/a", 15);
    rejected_at(
        &small,
        "<r><a/><a/><a><b/></a><a/><a/></r>",
        TOO_MANY_ELEMENTS,
        "/r",
        26,
    );
    rejected_at(&small, "<r><abcdefghi/></r>", NAME_TOO_LONG, "/r", 3);
    // The attribute past the limit.
    rejected_at(
        &small,
        "<r a=\"1\" b=\"2\" c=\"3\" d=\"4\"/>",
        TOO_MANY_ATTRIBUTES,
        "/r",
        21,
    );
    rejected_at(
        &small,
        "<r xmlns=\"u\" xmlns:p=\"v\" xmlns:q=\"w\"/>",
        TOO_MANY_NAMESPACES,
        "/r",
        25,
    );
    // The text node.
    rejected_at(
        &small,
        "<r><s>0123456789A</s></r>",
        VALUE_TOO_LARGE,
        "/r/s",
        6,
    );
}

#[test]
fn huge_documents_stop_at_the_limit() {
    // 4 MiB of nested `<a>`: rejected where depth 257 starts, at byte 768,
    // not at the end of the input (where it would be "unclosed").
    let huge = "<a>".repeat((4 << 20) / 3);
    let v = rejected(&XmlPolicy::default(), huge.as_bytes(), TOO_DEEP);
    assert_eq!(v.offset(), Some(256 * 3), "{v}");
    let v = rejected(&policy(|p| p.max_depth = 1000), huge.as_bytes(), TOO_DEEP);
    assert_eq!(v.offset(), Some(1000 * 3), "{v}");
    // 4 MiB of siblings: stopped at the element past the limit.
    let wide = format!("<r>{}", "<a/>".repeat(1 << 20));
    let v = rejected(
        &policy(|p| p.max_elements = 100),
        wide.as_bytes(),
        TOO_MANY_ELEMENTS,
    );
    assert_eq!(v.offset(), Some(3 + 99 * 4), "{v}");
}
