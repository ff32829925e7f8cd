//! The XML bodies of the suite.

use super::*;
use common::text::utf16;

pub(crate) fn xml_documents() -> Vec<(String, String)> {
    const BPMN: &str = "http://www.omg.org/spec/BPMN/20100524/MODEL";
    const CAMUNDA: &str = "http://camunda.org/schema/1.0/bpmn";
    let model = |inner: &str| {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><definitions xmlns="{BPMN}" xmlns:camunda="{CAMUNDA}" id="d" targetNamespace="http://acme.com"><process id="p" isExecutable="true">{inner}</process></definitions>"#
        )
    };
    let mut out = vec![
        ("plain model".to_owned(), model(r#"<startEvent id="s"/><userTask id="t" name="Approve &amp; sign"/>"#)),
        ("script task".to_owned(), model(r#"<scriptTask id="s" scriptFormat="groovy"><script>println 1</script></scriptTask>"#)),
        ("camunda:script".to_owned(), model(r#"<serviceTask id="s"><extensionElements><camunda:executionListener event="start"><camunda:script scriptFormat="groovy">1</camunda:script></camunda:executionListener></extensionElements></serviceTask>"#)),
        ("camunda:resource".to_owned(), model(r#"<serviceTask id="s" camunda:resource="deployment://x.groovy"/>"#)),
        ("condition language".to_owned(), model(r#"<sequenceFlow id="f" sourceRef="a" targetRef="b"><conditionExpression language="groovy">1</conditionExpression></sequenceFlow>"#)),
        ("script in a prefixed namespace".to_owned(), format!(r#"<bpmn:definitions xmlns:bpmn="{BPMN}"><bpmn:process id="p"><bpmn:scriptTask id="s" scriptFormat="js"/></bpmn:process></bpmn:definitions>"#)),
        ("script task, no namespace".to_owned(), "<definitions><process><scriptTask scriptFormat=\"js\"/></process></definitions>".to_owned()),
        ("internal DOCTYPE".to_owned(), "<?xml version=\"1.0\"?><!DOCTYPE d [<!ELEMENT d ANY>]><d/>".to_owned()),
        ("internal entity".to_owned(), "<!DOCTYPE d [<!ENTITY e \"x\">]><d>&e;</d>".to_owned()),
        ("external entity".to_owned(), "<!DOCTYPE d [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><d>&e;</d>".to_owned()),
        ("external entity, unused".to_owned(), "<!DOCTYPE d [<!ENTITY e SYSTEM \"http://evil.example/x\">]><d/>".to_owned()),
        ("external DTD".to_owned(), "<!DOCTYPE d SYSTEM \"http://evil.example/d.dtd\"><d/>".to_owned()),
        ("public DTD".to_owned(), "<!DOCTYPE d PUBLIC \"-//X//EN\" \"http://evil.example/d.dtd\"><d/>".to_owned()),
        ("parameter entity".to_owned(), "<!DOCTYPE d [<!ENTITY % p SYSTEM \"http://evil.example/p.dtd\"> %p;]><d/>".to_owned()),
        ("entity in attribute".to_owned(), "<!DOCTYPE d [<!ENTITY e \"x\">]><d a=\"&e;\"/>".to_owned()),
        ("billion laughs".to_owned(), "<!DOCTYPE d [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;\">]><d>&c;</d>".to_owned()),
        ("xinclude".to_owned(), "<d xmlns:xi=\"http://www.w3.org/2001/XInclude\"><xi:include href=\"file:///etc/passwd\" parse=\"text\"/></d>".to_owned()),
        ("xinclude 2003".to_owned(), "<d xmlns:xi=\"http://www.w3.org/2003/XInclude\"><xi:include href=\"x\"/></d>".to_owned()),
        ("xslt".to_owned(), "<xsl:stylesheet version=\"1.0\" xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\"><xsl:template match=\"/\"/></xsl:stylesheet>".to_owned()),
        ("stylesheet PI absolute".to_owned(), "<?xml-stylesheet type=\"text/xsl\" href=\"http://evil.example/s.xsl\"?><d/>".to_owned()),
        ("stylesheet PI relative".to_owned(), "<?xml-stylesheet type=\"text/xsl\" href=\"s.xsl\"?><d/>".to_owned()),
        ("other PI".to_owned(), "<?acme x?><d/>".to_owned()),
        ("comment and CDATA".to_owned(), "<!-- c --><d><![CDATA[<x>&e;]]></d>".to_owned()),
        ("character references".to_owned(), "<d a=\"&#60;&#x3E;\">&lt;&amp;&#233;</d>".to_owned()),
        ("undeclared prefix".to_owned(), "<a:d/>".to_owned()),
        ("malformed".to_owned(), "<d><e></d>".to_owned()),
        ("xml 1.1".to_owned(), "<?xml version=\"1.1\"?><d/>".to_owned()),
    ];
    for (how, loc) in [
        (
            "public http",
            format!("{BPMN} http://www.omg.org/spec/BPMN/20100501/BPMN20.xsd"),
        ),
        ("bare file name", format!("{BPMN} BPMN20.xsd")),
        ("file url", format!("{BPMN} file:///etc/passwd")),
        ("loopback", format!("{BPMN} http://127.0.0.1:8080/x.xsd")),
        (
            "link-local",
            format!("{BPMN} http://169.254.169.254/latest"),
        ),
        ("jar url", format!("{BPMN} jar:file:///x.jar!/a.xsd")),
    ] {
        out.push((
            format!("xsi:schemaLocation {how}"),
            format!(r#"<definitions xmlns="{BPMN}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="{loc}"/>"#),
        ));
        let single = loc.split_whitespace().nth(1).unwrap().to_owned();
        out.push((
            format!("xsi:noNamespaceSchemaLocation {how}"),
            format!(r#"<d xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="{single}"/>"#),
        ));
        for element in ["import", "include", "redefine", "override"] {
            out.push((
                format!("xs:{element} schemaLocation {how}"),
                format!(r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:{element} namespace="urn:x" schemaLocation="{single}"/></xs:schema>"#),
            ));
        }
    }
    out
}

fn xml_case(cases: &mut Vec<Case>, label: String, ct: &str, body: Vec<u8>) {
    cases.push(Case {
        kind: Kind::Xml,
        label,
        method: "POST",
        uri: MESSAGE,
        content_type: ct.to_owned(),
        body,
    });
}

/// A document with `encoding` declared (or none), text `é€`, encoded by
/// `encoder`.
pub(crate) fn encoded_documents() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let doc = |decl: Option<&str>, text: &str| match decl {
        Some(enc) => {
            format!("<?xml version=\"1.0\" encoding=\"{enc}\"?><d a=\"{text}\">{text}</d>")
        }
        None => format!("<d a=\"{text}\">{text}</d>"),
    };
    let decls: [Option<&str>; 9] = [
        None,
        Some("UTF-8"),
        Some("utf-8"),
        Some("UTF-16"),
        Some("UTF-16LE"),
        Some("ISO-8859-1"),
        Some("latin1"),
        Some("windows-1252"),
        Some("US-ASCII"),
    ];
    for decl in decls {
        let label = decl.unwrap_or("no declaration");
        // UTF-8, with and without BOM.
        let text = doc(decl, "caf\u{e9} \u{20ac}");
        out.push((
            format!("utf-8 bytes, declared {label}"),
            text.clone().into_bytes(),
        ));
        out.push((
            format!("utf-8 bytes with BOM, declared {label}"),
            [b"\xef\xbb\xbf".as_slice(), text.as_bytes()].concat(),
        ));
        for (name, be, bom) in [
            ("utf-16le", false, false),
            ("utf-16be", true, false),
            ("utf-16le bom", false, true),
            ("utf-16be bom", true, true),
        ] {
            out.push((
                format!("{name} bytes, declared {label}"),
                utf16(&text, !be, bom),
            ));
        }
        // Single-byte encodings: é is 0xE9 in both; € is 0x80 in
        // windows-1252 only.
        let latin = doc(decl, "caf\u{e9}");
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&latin);
        out.push((
            format!("latin-1 bytes, declared {label}"),
            bytes.into_owned(),
        ));
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&text);
        out.push((
            format!("windows-1252 bytes, declared {label}"),
            bytes.into_owned(),
        ));
        let ascii = doc(decl, "cafe");
        out.push((format!("ascii bytes, declared {label}"), ascii.into_bytes()));
    }
    out
}

pub(crate) fn xml_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    let ct = "application/xml";
    let src = sources("tests/xml");
    for lit in raw_literals(&src) {
        if lit.trim_start().starts_with('<') && !lit.contains("{{") {
            xml_case(&mut cases, "tests/xml literal".into(), ct, lit.into_bytes());
        }
    }
    for (name, body) in folder("fuzz/seeds/xml") {
        xml_case(&mut cases, format!("fuzz/seeds/xml/{name}"), ct, body);
    }
    for (name, body) in folder("tests/engine/corpus") {
        if !name.ends_with(".json") && !name.ends_with(".form") {
            xml_case(&mut cases, format!("corpus/{name}"), ct, body);
        }
    }
    for (how, doc) in xml_documents() {
        xml_case(&mut cases, how.clone(), ct, doc.clone().into_bytes());
        xml_case(
            &mut cases,
            format!("{how} (text/xml)"),
            "text/xml",
            doc.into_bytes(),
        );
    }
    for (how, body) in encoded_documents() {
        for charset in [
            "",
            "; charset=UTF-8",
            "; charset=utf-16",
            "; charset=ISO-8859-1",
            "; charset=windows-1252",
        ] {
            xml_case(
                &mut cases,
                format!("{how}, content type{charset}"),
                &format!("{ct}{charset}"),
                body.clone(),
            );
        }
    }
    cases
}
