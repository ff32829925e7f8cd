//! Benign documents as real tools write them, which must pass the default
//! and the bundled Camunda policy; the Camunda policy's refusal of scripts.

use super::*;

/// A process as Camunda Modeler saves it; `<!--EXTRA-->` marks where tests
/// splice in more elements.
pub(crate) const BPMN: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
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

pub(crate) const POM: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
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

/// The Camunda Modeler process with `extra` spliced into the process.
pub(crate) fn bpmn_with(extra: &str) -> String {
    BPMN.replace("<!--EXTRA-->", extra)
}

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

#[test]
fn benign_corpus_passes_the_default_and_the_camunda_policy() {
    let corpus = corpus();
    let cases: Vec<_> = corpus
        .iter()
        .map(|(name, doc)| case(name, doc.clone(), OK))
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
