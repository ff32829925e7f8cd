//! The XML inspector on a 1 MiB BPMN-like document, beside a bare quick-xml
//! read of the same bytes (every event, no checks): the ratio of the two is
//! what the guard costs over merely tokenising.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use input_guard::inspect::xml::XmlInspector;
use input_guard::policy::XmlPolicy;
use quick_xml::Reader;
use quick_xml::events::Event;
use std::hint::black_box;

/// A Camunda-Modeler-style BPMN file: processes of tasks, gateways and
/// flows with camunda: attributes, extension elements, and a diagram with a
/// shape per node and a waypoint list per flow.
fn bpmn(target: usize) -> String {
    let mut doc = String::from(concat!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
        "<bpmn:definitions xmlns:bpmn=\"http://www.omg.org/spec/BPMN/20100524/MODEL\" ",
        "xmlns:bpmndi=\"http://www.omg.org/spec/BPMN/20100524/DI\" ",
        "xmlns:dc=\"http://www.omg.org/spec/DD/20100524/DC\" ",
        "xmlns:di=\"http://www.omg.org/spec/DD/20100524/DI\" ",
        "xmlns:camunda=\"http://camunda.org/schema/1.0/bpmn\" ",
        "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" ",
        "id=\"Definitions_1\" targetNamespace=\"http://bpmn.io/schema/bpmn\" ",
        "exporter=\"Camunda Modeler\" exporterVersion=\"5.20.0\">\n",
    ));
    let mut p = 0;
    while doc.len() < target {
        doc.push_str(&format!(
            "  <bpmn:process id=\"Process_{p}\" name=\"Order &amp; billing {p}\" isExecutable=\"true\" camunda:historyTimeToLive=\"P30D\">\n"
        ));
        doc.push_str(&format!(
            "    <bpmn:startEvent id=\"Start_{p}\" name=\"Order received\"><bpmn:outgoing>Flow_{p}_0</bpmn:outgoing></bpmn:startEvent>\n"
        ));
        for t in 0..20 {
            doc.push_str(&format!(
                concat!(
                    "    <bpmn:serviceTask id=\"Task_{p}_{t}\" name=\"Step {t} &lt;auto&gt;\" camunda:asyncBefore=\"true\" ",
                    "camunda:delegateExpression=\"${{stepDelegate}}\">\n",
                    "      <bpmn:extensionElements><camunda:inputOutput>",
                    "<camunda:inputParameter name=\"step\">{t}</camunda:inputParameter>",
                    "</camunda:inputOutput></bpmn:extensionElements>\n",
                    "      <bpmn:incoming>Flow_{p}_{t}</bpmn:incoming><bpmn:outgoing>Flow_{p}_{n}</bpmn:outgoing>\n",
                    "    </bpmn:serviceTask>\n",
                    "    <bpmn:sequenceFlow id=\"Flow_{p}_{t}\" sourceRef=\"Task_{p}_{t}\" targetRef=\"Task_{p}_{n}\">",
                    "<bpmn:conditionExpression xsi:type=\"bpmn:tFormalExpression\">${{amount &gt; {t}}}</bpmn:conditionExpression>",
                    "</bpmn:sequenceFlow>\n",
                ),
                p = p,
                t = t,
                n = t + 1
            ));
        }
        doc.push_str("  </bpmn:process>\n");
        doc.push_str(&format!(
            "  <bpmndi:BPMNDiagram id=\"Diagram_{p}\"><bpmndi:BPMNPlane id=\"Plane_{p}\" bpmnElement=\"Process_{p}\">\n"
        ));
        for t in 0..20 {
            doc.push_str(&format!(
                concat!(
                    "    <bpmndi:BPMNShape id=\"Shape_{p}_{t}\" bpmnElement=\"Task_{p}_{t}\"><dc:Bounds x=\"{x}\" y=\"80\" width=\"100\" height=\"80\" /></bpmndi:BPMNShape>\n",
                    "    <bpmndi:BPMNEdge id=\"Edge_{p}_{t}\" bpmnElement=\"Flow_{p}_{t}\"><di:waypoint x=\"{x}\" y=\"120\" /><di:waypoint x=\"{x2}\" y=\"120\" /></bpmndi:BPMNEdge>\n",
                ),
                p = p,
                t = t,
                x = t * 150,
                x2 = t * 150 + 50
            ));
        }
        doc.push_str("  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>\n");
        p += 1;
    }
    doc.push_str("</bpmn:definitions>\n");
    doc
}

fn bare_read(doc: &str) -> usize {
    let mut reader = Reader::from_str(doc);
    let mut events = 0;
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => return events,
            Ok(_) => events += 1,
            Err(e) => panic!("{e}"),
        }
    }
}

fn bench(c: &mut Criterion) {
    let doc = bpmn(1 << 20);
    let inspector = XmlInspector::new(XmlPolicy::default());
    inspector
        .inspect(doc.as_bytes(), None)
        .expect("the benchmark document is benign");
    eprintln!("xml: {} bytes, {} events", doc.len(), bare_read(&doc));

    let mut group = c.benchmark_group("xml_1mib_bpmn");
    group.throughput(Throughput::Bytes(doc.len() as u64));
    group.bench_function("input_guard_inspect", |b| {
        b.iter(|| inspector.inspect(black_box(doc.as_bytes()), None))
    });
    // quick-xml reads `&str`: from bytes off the wire that is a UTF-8 check
    // plus the read, which is the like-for-like baseline for the guard.
    group.bench_function("quick_xml_bare_read_bytes_baseline", |b| {
        b.iter(|| bare_read(std::str::from_utf8(black_box(doc.as_bytes())).unwrap()))
    });
    // The read alone, from text already known to be UTF-8.
    group.bench_function("quick_xml_bare_read_str_baseline", |b| {
        b.iter(|| bare_read(black_box(&doc)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
