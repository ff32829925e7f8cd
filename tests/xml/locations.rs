//! A violation names the element path and the byte offset where it
//! happened.

use super::*;

#[test]
fn violations_name_the_element_path_and_offset() {
    let defaults = XmlPolicy::default();
    let camunda = camunda();

    let script = bpmn_with("<bpmn:scriptTask id=\"s\" scriptFormat=\"groovy\"/>");
    let scripttask = at(&script, "<bpmn:scriptTask");
    rejected_at(
        &camunda,
        &script,
        FORBIDDEN_ELEMENT,
        "/definitions/process/scriptTask",
        scripttask,
    );

    let resource =
        bpmn_with("<bpmn:serviceTask id=\"x\" camunda:resource=\"deployment://a.groovy\"/>");
    rejected_at(
        &camunda,
        &resource,
        FORBIDDEN_ATTRIBUTE,
        "/definitions/process/serviceTask/@camunda:resource",
        at(&resource, "camunda:resource"),
    );

    let pom = POM.replace("https://maven.apache.org", "file:///etc");
    rejected_at(
        &defaults,
        &pom,
        SCHEMA,
        "/project/@xsi:schemaLocation",
        at(&pom, "xsi:schemaLocation"),
    );

    rejected_at(
        &defaults,
        "<?xml version=\"1.0\"?>\n<!DOCTYPE r><r/>",
        DOCTYPE,
        "/",
        22,
    );
    rejected_at(&defaults, "<r><a>x<!DOCTYPE r></a></r>", DOCTYPE, "/r/a", 7);

    let text = "<r><a>text &xxe;</a></r>";
    rejected_at(&defaults, text, ENTITY, "/r/a", at(text, "&xxe;"));
    let attribute = "<r><a id=\"1\" title=\"x &xxe;\"/></r>";
    rejected_at(
        &defaults,
        attribute,
        ENTITY,
        "/r/a/@title",
        at(attribute, "&xxe;"),
    );

    let xinclude = format!("<r xmlns:xi=\"{XI}\"><a><xi:include href=\"x\"/></a></r>");
    rejected_at(
        &defaults,
        &xinclude,
        XINCLUDE,
        "/r/a/include",
        at(&xinclude, "<xi:include"),
    );

    rejected_at(&defaults, "<a><b></a>", MALFORMED, "/a/b", 6);
    rejected_at(&defaults, "<a><b>", MALFORMED, "/a/b", 6);
    rejected_at(&defaults, "<a/><b/>", MALFORMED, "/", 4);
    rejected_at(&defaults, "<a>\0</a>", MALFORMED, "/", 3);
    let v = rejected(&defaults, b"<a>ok\xFF</a>", MALFORMED);
    assert_eq!(v.offset(), Some(5), "{v}");

    // Offsets count the UTF-8 byte order mark...
    rejected_at(&defaults, "\u{FEFF}<r>&x;</r>", ENTITY, "/r", 6);
    // ...and are in the UTF-8 transcoding for UTF-16 (without its BOM).
    let doc16 = format!("{DECL16}<r><é>&x;</é></r>");
    for (le, bom) in [(true, true), (false, true), (true, false), (false, false)] {
        let v = rejected(&defaults, &utf16(&doc16, le, bom), ENTITY);
        let expected = ("/r/é", Some(at(&doc16, "&x;")));
        assert_eq!(
            (v.location(), v.offset()),
            expected,
            "le={le} bom={bom}: {v}"
        );
    }
}
