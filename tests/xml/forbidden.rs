//! The policy's forbidden elements and attributes, by namespace and name.

use super::*;

#[test]
fn forbidden_elements_and_attributes() {
    let forbidding = policy(|p| {
        p.forbid_elements = vec![
            xml_name(&format!("{{{BPMN_NS}}}scriptTask")),
            xml_name("script"),
        ];
        p.forbid_attributes = vec![
            attribute_rule(&format!("{{{CAMUNDA_NS}}}resource")),
            attribute_rule("scriptFormat"),
            attribute_rule(&format!("{{{BPMN_NS}}}conditionExpression@language")),
        ];
    });
    let defs = |body: &str| {
        format!(
            "<bpmn:definitions xmlns:bpmn=\"{BPMN_NS}\" xmlns:camunda=\"{CAMUNDA_NS}\"><bpmn:process id=\"p\">{body}</bpmn:process></bpmn:definitions>"
        )
    };
    let cases = [
        (
            "prefixed element",
            defs("<bpmn:scriptTask id=\"s\"/>"),
            FORBIDDEN_ELEMENT,
        ),
        (
            "element in the default namespace",
            format!(
                "<definitions xmlns=\"{BPMN_NS}\"><process><scriptTask/></process></definitions>"
            ),
            FORBIDDEN_ELEMENT,
        ),
        (
            "element with another prefix",
            format!("<b:scriptTask xmlns:b=\"{BPMN_NS}\"/>"),
            FORBIDDEN_ELEMENT,
        ),
        (
            "unqualified element",
            "<html><script>alert(1)</script></html>".into(),
            FORBIDDEN_ELEMENT,
        ),
        (
            "qualified attribute",
            defs("<bpmn:serviceTask camunda:resource=\"x.groovy\"/>"),
            FORBIDDEN_ATTRIBUTE,
        ),
        (
            "qualified attribute, another prefix",
            defs(&format!(
                "<bpmn:serviceTask xmlns:c=\"{CAMUNDA_NS}\" c:resource=\"x\"/>"
            )),
            FORBIDDEN_ATTRIBUTE,
        ),
        (
            "unqualified attribute",
            defs("<bpmn:userTask scriptFormat=\"groovy\"/>"),
            FORBIDDEN_ATTRIBUTE,
        ),
        (
            "unqualified attribute on the root",
            "<r scriptFormat=\"js\"/>".into(),
            FORBIDDEN_ATTRIBUTE,
        ),
        // Near misses.
        (
            "one local name, another namespace",
            "<r xmlns:x=\"urn:other\"><x:scriptTask/></r>".into(),
            OK,
        ),
        (
            "one local name, no namespace",
            "<process><scriptTask/></process>".into(),
            OK,
        ),
        (
            "script in a namespace",
            "<html xmlns=\"http://www.w3.org/1999/xhtml\"><script/></html>".into(),
            OK,
        ),
        (
            "attribute prefixed",
            defs("<bpmn:userTask camunda:scriptFormat=\"groovy\"/>"),
            OK,
        ),
        (
            "attribute unprefixed",
            defs("<bpmn:userTask resource=\"x\"/>"),
            OK,
        ),
        (
            "attribute in another namespace",
            "<r xmlns:x=\"urn:other\" x:resource=\"x\"/>".into(),
            OK,
        ),
        (
            "the names as text",
            defs("<bpmn:documentation>scriptTask scriptFormat</bpmn:documentation>"),
            OK,
        ),
        (
            "other BPMN",
            defs("<bpmn:serviceTask camunda:class=\"com.acme.Pay\"/><bpmn:task/>"),
            OK,
        ),
        (
            "scoped attribute on its element",
            defs(
                "<bpmn:sequenceFlow id=\"f\"><bpmn:conditionExpression language=\"groovy\">x</bpmn:conditionExpression></bpmn:sequenceFlow>",
            ),
            FORBIDDEN_ATTRIBUTE,
        ),
        (
            "scoped attribute on another element",
            "<book language=\"en\"><title language=\"de\">T</title></book>".into(),
            OK,
        ),
        (
            "scoped attribute on the same local name in another namespace",
            "<conditionExpression language=\"groovy\"/>".into(),
            OK,
        ),
    ];
    check(&forbidding, &cases);
    // Nothing is forbidden by default.
    let passing: Vec<_> = cases.iter().map(|(n, d, _)| (n, d, OK)).collect();
    check(&XmlPolicy::default(), &passing);
}
