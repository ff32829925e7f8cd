//! The XML inspector on 1 MiB and 32 MiB BPMN-like documents, beside a bare
//! quick-xml read of the same bytes (every event, no checks): the ratio of
//! the two is what the guard costs over merely tokenising.
//!
//! After criterion's groups, an own interleaved timing loop prints that
//! ratio per size (inspector time / quick-xml time, medians of alternated
//! rounds), so one run gives the figure issue 16 asks for.
//!
//! `XML_BENCH_PROFILE=inspect|quick XML_BENCH_SIZE=<bytes>` runs one side a
//! few times and exits, for valgrind (callgrind, cachegrind) instruction
//! counts that do not depend on what else the machine is doing;
//! `XML_BENCH_PROFILE=write` prints the document instead.

use criterion::{Criterion, Throughput, criterion_group};
use input_guard::inspect::xml::XmlInspector;
use input_guard::policy::XmlPolicy;
use quick_xml::Reader;
use quick_xml::events::Event;
use std::hint::black_box;
use std::time::{Duration, Instant};

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

/// The criterion group for one document size.
fn group(c: &mut Criterion, name: &str, doc: &str, samples: usize) {
    let inspector = XmlInspector::new(XmlPolicy::default());
    inspector
        .inspect(doc.as_bytes(), None)
        .expect("the benchmark document is benign");
    eprintln!("{name}: {} bytes, {} events", doc.len(), bare_read(doc));

    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Bytes(doc.len() as u64));
    group.sample_size(samples);
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
        b.iter(|| bare_read(black_box(doc)))
    });
    group.finish();
}

fn bench(c: &mut Criterion) {
    group(c, "xml_1mib_bpmn", &bpmn(1 << 20), 100);
    // Ten samples of about 30 ms each per function keep the large size to
    // a few seconds.
    group(c, "xml_32mib_bpmn", &bpmn(32 << 20), 10);
}

/// The median of `samples` (sorted in place).
fn median(samples: &mut [Duration]) -> Duration {
    samples.sort_unstable();
    samples[samples.len() / 2]
}

/// Inspector time over quick-xml time on `doc`, against quick-xml given
/// the bytes (a UTF-8 check plus the read, like for like with the
/// inspector, which is handed bytes) and given the `&str`. The three run in
/// rotated order each round for about `budget`, so that drift in the
/// machine's speed hits all alike; the figures are medians of the rounds,
/// and the ratios of the fastest rounds too: on a shared machine other
/// work only ever adds time, so the fastest round is the least disturbed.
fn ratio(name: &str, doc: &str, budget: Duration) {
    let inspector = XmlInspector::new(XmlPolicy::default());
    let bytes = doc.as_bytes();
    let contestants: [&dyn Fn() -> usize; 3] = [
        &|| usize::from(inspector.inspect(black_box(bytes), None).is_ok()),
        &|| bare_read(std::str::from_utf8(black_box(bytes)).unwrap()),
        &|| bare_read(black_box(doc)),
    ];
    let mut times: [Vec<Duration>; 3] = Default::default();
    // Warm up caches and the allocator.
    for run in contestants {
        black_box(run());
    }
    let started = Instant::now();
    let mut round = 0;
    while round < 5 || (started.elapsed() < budget && round < 1000) {
        for k in 0..3 {
            let which = (round + k) % 3;
            let t = Instant::now();
            black_box(contestants[which]());
            times[which].push(t.elapsed());
        }
        round += 1;
    }
    let fastest: [Duration; 3] = std::array::from_fn(|k| times[k].iter().copied().min().unwrap());
    let [ours, bytes_read, str_read] = times.map(|mut t| median(&mut t));
    let mb_s = |d: Duration| doc.len() as f64 / d.as_secs_f64() / 1e6;
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let over = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
    println!(
        "{name}: inspector {:.3} ms ({:.0} MB/s); quick-xml from bytes {:.3} ms ({:.0} MB/s), \
         from &str {:.3} ms; ratio {:.3} against bytes, {:.3} against &str \
         (medians of {round} rounds; fastest rounds: {:.3}, {:.3})",
        ms(ours),
        mb_s(ours),
        ms(bytes_read),
        mb_s(bytes_read),
        ms(str_read),
        over(ours, bytes_read),
        over(ours, str_read),
        over(fastest[0], fastest[1]),
        over(fastest[0], fastest[2]),
    );
}

fn ratios() {
    println!("\nratio inspector / bare quick-xml read:");
    ratio("xml_1mib_bpmn", &bpmn(1 << 20), Duration::from_secs(3));
    ratio("xml_32mib_bpmn", &bpmn(32 << 20), Duration::from_secs(6));
}

/// One side only, a few times, for valgrind: see the module documentation.
fn profile(side: &str) {
    let size = std::env::var("XML_BENCH_SIZE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1 << 20);
    let doc = bpmn(size);
    if side == "write" {
        // The document itself, for `input-guard check` (peak RSS).
        print!("{doc}");
        return;
    }
    let inspector = XmlInspector::new(XmlPolicy::default());
    for _ in 0..3 {
        black_box(measured(side, &inspector, black_box(doc.as_bytes())));
    }
}

/// The part of [`profile`] worth counting, out of line so that
/// `valgrind --tool=callgrind --toggle-collect=xml::measured` counts it
/// alone, without building the document.
#[inline(never)]
fn measured(side: &str, inspector: &XmlInspector, bytes: &[u8]) -> usize {
    match side {
        "inspect" => {
            assert!(inspector.inspect(bytes, None).is_ok());
            1
        }
        "quick" => bare_read(std::str::from_utf8(bytes).unwrap()),
        other => panic!("XML_BENCH_PROFILE={other}: inspect or quick"),
    }
}

criterion_group!(benches, bench);

fn main() {
    if let Ok(side) = std::env::var("XML_BENCH_PROFILE") {
        return profile(&side);
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
    // Only when benchmarking (`cargo bench`), not under `cargo test`.
    if std::env::args().any(|a| a == "--bench") {
        ratios();
    }
}
