//! XInclude is refused by namespace, whatever the prefix.

use super::*;

#[test]
fn xinclude_is_rejected_whatever_the_prefix() {
    let cases = [
        ("xi prefix", format!("<r xmlns:xi=\"{XI}\"><xi:include href=\"file:///etc/passwd\" parse=\"text\"/></r>")),
        ("another prefix", format!("<r xmlns:inc=\"{XI}\"><inc:include href=\"x\"/></r>")),
        ("default namespace", format!("<r><include xmlns=\"{XI}\" href=\"x\"/></r>")),
        ("default namespace of the root", format!("<r xmlns=\"{XI}\"/>")),
        ("declared on the element", format!("<r><xi:include xmlns:xi=\"{XI}\" href=\"x\"/></r>")),
        ("as the root", format!("<xi:include xmlns:xi=\"{XI}\" href=\"file:///etc/passwd\"/>")),
        ("declared far above", format!("<r xmlns:xi=\"{XI}\"><a><b><c><xi:include href=\"x\"/></c></b></a></r>")),
        ("fallback", format!("<r xmlns:xi=\"{XI}\"><xi:fallback/></r>")),
        ("prefix rebound to XInclude", format!("<r xmlns:p=\"urn:ok\"><p:a><p:b xmlns:p=\"{XI}\"/></p:a></r>")),
        ("2003 namespace", "<r xmlns:xi=\"http://www.w3.org/2003/XInclude\"><xi:include href=\"x\"/></r>".into()),
        (
            "URI with a character reference",
            "<r xmlns:x=\"&#104;ttp://www.w3.org/2001/XInclude\"><x:include href=\"x\"/></r>".into(),
        ),
        (
            "URI of character references",
            "<r xmlns:x=\"&#x68;&#x74;&#x74;&#x70;&#x3A;//www.w3.org/2001/XInclude\"><x:include href=\"x\"/></r>"
                .into(),
        ),
        (
            "default namespace with a reference",
            "<r><include xmlns=\"http://www.w3.org/2001/XInclud&#101;\" href=\"x\"/></r>".into(),
        ),
    ];
    let cases: Vec<_> = cases.iter().map(|(n, d)| (n, d, XINCLUDE)).collect();
    check(&XmlPolicy::default(), &cases);
}

#[test]
fn xinclude_near_misses_pass() {
    check(
        &XmlPolicy::default(),
        &[
            (
                "include in another namespace",
                "<r xmlns:x=\"urn:example\"><x:include href=\"x\"/></r>".into(),
                OK,
            ),
            (
                "include in no namespace",
                "<r><include href=\"x\"/></r>".into(),
                OK,
            ),
            (
                "xi bound elsewhere",
                "<r><xi:include xmlns:xi=\"urn:not-xinclude\" href=\"x\"/></r>".into(),
                OK,
            ),
            (
                "xi rebound below",
                format!(
                    "<r xmlns:xi=\"{XI}\"><a xmlns:xi=\"urn:other\"><xi:include href=\"x\"/></a></r>"
                ),
                OK,
            ),
            (
                "declared, not used",
                format!("<r xmlns:xi=\"{XI}\"><include href=\"x\"/></r>"),
                OK,
            ),
            (
                "default namespace undeclared below",
                format!("<a xmlns=\"{XI}-not\"><b xmlns=\"\"><include/></b></a>"),
                OK,
            ),
            (
                "a longer URI",
                format!("<r xmlns:xi=\"{XI}/\"><xi:include href=\"x\"/></r>"),
                OK,
            ),
            ("the URI as text", format!("<r>{XI}</r>"), OK),
            // Decision: XInclude processors (Xerces' XIncludeHandler) act on
            // `include` and `fallback` elements only; an attribute in the
            // XInclude namespace means nothing to them, and the inspector
            // judges elements only, so it passes.
            (
                "attribute in the XInclude namespace",
                format!("<r xmlns:xi=\"{XI}\" xi:href=\"file:///etc/passwd\"/>"),
                OK,
            ),
        ],
    );
}
