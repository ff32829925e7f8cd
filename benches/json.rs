//! The JSON inspector on a 1 MiB Camunda-style start request (thousands of
//! typed variables, a quarter of them `Object` values carrying JSON), beside
//! serde_json merely validating the same bytes (`IgnoredAny`). The inspector
//! does strictly more: it also parses every carried JSON value and checks
//! every class name, so a ratio at or under 1.0 means the checks are free.
//! A second baseline does the same job with serde_json (a tree of the body,
//! then every carried value validated), for a like-for-like ratio.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use input_guard::{Guard, Policy};
use std::hint::black_box;

fn start_request(target: usize) -> String {
    let mut body = String::from(
        "{\"businessKey\":\"order-4711\",\"withVariablesInReturn\":false,\"variables\":{",
    );
    let mut i = 0;
    while body.len() < target {
        if i > 0 {
            body.push(',');
        }
        match i % 4 {
            0 => body.push_str(&format!(
                concat!(
                    "\"order{i}\":{{\"value\":\"{{\\\"id\\\":{i},\\\"customer\\\":\\\"Ada Lovelace\\\",",
                    "\\\"items\\\":[{{\\\"sku\\\":\\\"A-{i}\\\",\\\"qty\\\":2,\\\"price\\\":19.99}},",
                    "{{\\\"sku\\\":\\\"B-{i}\\\",\\\"qty\\\":1,\\\"price\\\":5.5}}],\\\"express\\\":true}}\",",
                    "\"type\":\"Object\",\"valueInfo\":{{\"objectTypeName\":",
                    "\"java.util.HashMap<java.lang.String,java.lang.Object>\",",
                    "\"serializationDataFormat\":\"application/json\"}}}}"
                ),
                i = i
            )),
            1 => body.push_str(&format!(
                "\"amount{i}\":{{\"value\":{}.25,\"type\":\"Double\"}}",
                i * 3
            )),
            2 => body.push_str(&format!(
                "\"note{i}\":{{\"value\":\"Customer asked for delivery before noon; call first. Ref #{i}\",\"type\":\"String\",\"valueInfo\":{{\"transient\":false}}}}"
            )),
            _ => body.push_str(&format!(
                "\"approved{i}\":{{\"value\":{},\"type\":\"Boolean\"}}",
                i % 2 == 0
            )),
        }
        i += 1;
    }
    body.push_str("}}");
    body
}

/// What a guard built on serde_json would do for the same verdict's JSON
/// part: read the body into a tree, find the `Object` variables whose value
/// is JSON, and validate each carried value too.
fn serde_json_same_job(body: &[u8]) -> usize {
    let tree: serde_json::Value = serde_json::from_slice(body).expect("valid");
    let mut carried = 0;
    if let Some(variables) = tree.get("variables").and_then(|v| v.as_object()) {
        for variable in variables.values() {
            let json = variable
                .pointer("/valueInfo/serializationDataFormat")
                .and_then(|f| f.as_str())
                == Some("application/json");
            if let (true, Some(value)) = (json, variable.get("value").and_then(|v| v.as_str())) {
                serde_json::from_str::<serde::de::IgnoredAny>(value).expect("valid");
                carried += 1;
            }
        }
    }
    carried
}

fn bench(c: &mut Criterion) {
    let body = start_request(1 << 20);
    let policy = Policy::from_toml(
        r#"[classes]
        allow = ["java.util.HashMap", "java.lang.String", "java.lang.Object"]"#,
    )
    .expect("policy");
    let guard = Guard::new(policy);
    let json = guard.json();
    json.inspect(body.as_bytes(), None)
        .expect("the benchmark body is benign");
    serde_json::from_slice::<serde::de::IgnoredAny>(body.as_bytes()).expect("valid JSON");
    eprintln!("json: {} bytes", body.len());

    let mut group = c.benchmark_group("json_1mib_start_request");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("input_guard_inspect", |b| {
        b.iter(|| json.inspect(black_box(body.as_bytes()), None))
    });
    group.bench_function("serde_json_ignored_any_baseline", |b| {
        b.iter(|| serde_json::from_slice::<serde::de::IgnoredAny>(black_box(body.as_bytes())))
    });
    group.bench_function("serde_json_tree_plus_carried_baseline", |b| {
        b.iter(|| serde_json_same_job(black_box(body.as_bytes())))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
