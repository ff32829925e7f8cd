//! The JSON inspector on 1 MiB and 32 MiB Camunda-style start requests
//! (thousands of typed variables, a quarter of them `Object` values carrying
//! JSON), beside serde_json merely validating the same bytes (`IgnoredAny`).
//! At the end the bench prints the inspector's time over serde's per body
//! (the figure issue 16 sets at <= 1.0), from its own interleaved timing.
//!
//! `IgnoredAny` skips each carried value as one string, while the inspector
//! also decodes and parses it (about 40% of the JSON tokens in this body),
//! so three more baselines say where the cost is:
//!
//! * `serde_json_ignored_any_body_and_carried_baseline`: serde validating
//!   everything the inspector validates. The carried values are handed to
//!   it already decoded, outside the timing, so this favours serde.
//! * `serde_json_tree_plus_carried_baseline`: the same job done with
//!   serde_json (a tree of the body, then every carried value validated).
//! * `no_carried/*`: the same body with the `Object` variables typed
//!   `String`, so nothing is carried: the scanner and its checks against
//!   bare validation.

use criterion::{Criterion, Throughput, criterion_group};
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

/// The values of the `Object` variables whose format is JSON.
fn carried(tree: &serde_json::Value) -> impl Iterator<Item = &str> {
    tree.get("variables")
        .and_then(|v| v.as_object())
        .into_iter()
        .flat_map(|variables| variables.values())
        .filter(|variable| {
            variable
                .pointer("/valueInfo/serializationDataFormat")
                .and_then(|f| f.as_str())
                == Some("application/json")
        })
        .filter_map(|variable| variable.get("value").and_then(|v| v.as_str()))
}

/// What a guard built on serde_json would do for the same verdict's JSON
/// part: read the body into a tree, find the `Object` variables whose value
/// is JSON, and validate each carried value too.
fn serde_json_same_job(body: &[u8]) -> usize {
    let tree: serde_json::Value = serde_json::from_slice(body).expect("valid");
    let mut count = 0;
    for value in carried(&tree) {
        serde_json::from_str::<serde::de::IgnoredAny>(value).expect("valid");
        count += 1;
    }
    count
}

/// The carried JSON values of `body`, decoded: what serde gets for free in
/// the body-and-carried baseline.
fn carried_values(body: &[u8]) -> Vec<String> {
    let tree: serde_json::Value = serde_json::from_slice(body).expect("valid");
    carried(&tree).map(str::to_owned).collect()
}

fn bench(c: &mut Criterion) {
    let body = start_request(1 << 20);
    let guard = Guard::new(bench_policy()).expect("a valid policy");
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
    let carried = carried_values(body.as_bytes());
    eprintln!("json: {} carried values", carried.len());
    group.bench_function("serde_json_ignored_any_body_and_carried_baseline", |b| {
        b.iter(|| {
            serde_json::from_slice::<serde::de::IgnoredAny>(black_box(body.as_bytes()))
                .expect("valid");
            for value in &carried {
                serde_json::from_str::<serde::de::IgnoredAny>(black_box(value)).expect("valid");
            }
        })
    });
    group.bench_function("serde_json_tree_plus_carried_baseline", |b| {
        b.iter(|| serde_json_same_job(black_box(body.as_bytes())))
    });
    group.finish();

    let plain = without_carried(&body);
    json.inspect(plain.as_bytes(), None)
        .expect("the body without carried documents is benign");
    let mut group = c.benchmark_group("json_1mib_start_request/no_carried");
    group.throughput(Throughput::Bytes(plain.len() as u64));
    group.bench_function("input_guard_inspect", |b| {
        b.iter(|| json.inspect(black_box(plain.as_bytes()), None))
    });
    group.bench_function("serde_json_ignored_any_baseline", |b| {
        b.iter(|| serde_json::from_slice::<serde::de::IgnoredAny>(black_box(plain.as_bytes())))
    });
    group.finish();
}

/// The 32 MiB body: the same generator, so the `variables` object has some
/// 368,000 members (the duplicate-key index's worst realistic case). Few
/// samples: each iteration reads 32 MiB.
fn bench_large(c: &mut Criterion) {
    let body = start_request(32 << 20);
    let guard = Guard::new(bench_policy()).expect("a valid policy");
    let json = guard.json();
    json.inspect(body.as_bytes(), None)
        .expect("the benchmark body is benign");
    eprintln!("json: {} bytes", body.len());
    let plain = without_carried(&body);
    for (name, body) in [
        ("json_32mib_start_request", &body),
        ("json_32mib_start_request/no_carried", &plain),
    ] {
        let mut group = c.benchmark_group(name);
        group.sample_size(10);
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_function("input_guard_inspect", |b| {
            b.iter(|| json.inspect(black_box(body.as_bytes()), None))
        });
        group.bench_function("serde_json_ignored_any_baseline", |b| {
            b.iter(|| serde_json::from_slice::<serde::de::IgnoredAny>(black_box(body.as_bytes())))
        });
        group.finish();
    }
}

/// The classes the carried values name, and room for the 32 MiB body's
/// ~368,000 variables (the default allows 100,000 members per object).
fn bench_policy() -> Policy {
    Policy::from_toml(
        r#"[classes]
        allow = ["java.util.HashMap", "java.lang.String", "java.lang.Object"]
        [json]
        max_members = 1000000"#,
    )
    .expect("policy")
}

/// The same body with the `Object` variables typed `String`: nothing is
/// carried.
fn without_carried(body: &str) -> String {
    body.replace("\"type\":\"Object\"", "\"type\":\"String\"")
}

/// The inspector's time over serde_json `IgnoredAny`'s on each body, from
/// rounds that alternate the two (so both see the same machine state) and
/// keep each one's fastest: noise only ever adds time. Printed after
/// criterion's groups, as the one figure to compare with the issue's goal.
fn ratios() {
    let guard = Guard::new(bench_policy()).expect("a valid policy");
    let json = guard.json();
    let mut lines = Vec::new();
    for (size, rounds) in [(1usize << 20, 200), (32 << 20, 12)] {
        let body = start_request(size);
        let plain = without_carried(&body);
        for (variant, body) in [("", &body), (" no_carried", &plain)] {
            let bytes = body.as_bytes();
            let (mut guard_best, mut serde_best) = (f64::MAX, f64::MAX);
            for _ in 0..rounds {
                let start = std::time::Instant::now();
                json.inspect(black_box(bytes), None).expect("benign");
                guard_best = guard_best.min(start.elapsed().as_secs_f64());
                let start = std::time::Instant::now();
                serde_json::from_slice::<serde::de::IgnoredAny>(black_box(bytes)).expect("valid");
                serde_best = serde_best.min(start.elapsed().as_secs_f64());
            }
            let gbps = |secs: f64| bytes.len() as f64 / secs / 1e9;
            lines.push(format!(
                "{:>3} MiB{variant:<11}: input-guard {:.3} ms ({:.2} GB/s), serde_json IgnoredAny {:.3} ms ({:.2} GB/s), ratio {:.2}",
                size >> 20,
                guard_best * 1e3,
                gbps(guard_best),
                serde_best * 1e3,
                gbps(serde_best),
                guard_best / serde_best
            ));
        }
    }
    eprintln!(
        "\njson ratios (inspector time / serde_json IgnoredAny time, best of alternated rounds):"
    );
    for line in lines {
        eprintln!("  {line}");
    }
}

criterion_group!(benches, bench, bench_large);

/// `JSON_BENCH_PROFILE=<MiB>[,no_carried][,serde][,<runs>]`: the inspector
/// (or with `serde`, serde_json `IgnoredAny`) alone on one body, for a
/// profiler (`perf record`, `valgrind --tool=callgrind`), with nothing else
/// in the samples but the body's generation.
fn profile(spec: &str) {
    let mut parts = spec.split(',');
    let mib: usize = parts.next().and_then(|p| p.parse().ok()).unwrap_or(32);
    let (mut plain, mut serde) = (false, false);
    let mut runs = 10;
    for part in parts {
        match part.parse() {
            Ok(n) => runs = n,
            Err(_) => {
                plain |= part == "no_carried";
                serde |= part == "serde";
            }
        }
    }
    let guard = Guard::new(bench_policy()).expect("a valid policy");
    let json = guard.json();
    let mut body = start_request(mib << 20);
    if plain {
        body = without_carried(&body);
    }
    let start = std::time::Instant::now();
    for _ in 0..runs {
        if serde {
            serde_json::from_slice::<serde::de::IgnoredAny>(black_box(body.as_bytes()))
                .expect("valid");
        } else {
            json.inspect(black_box(body.as_bytes()), None)
                .expect("benign");
        }
    }
    eprintln!("{runs} runs: {:?} each", start.elapsed() / runs);
}

/// Helpers for `scripts/bench-json-check` (whole processes):
/// `JSON_BENCH_WRITE=<MiB>[,no_carried]:<path>` writes the body of that size
/// to `path`; `JSON_BENCH_SERDE_FILE=<path>` reads `path` and validates it
/// with serde_json `IgnoredAny`, once: the baseline process beside
/// `input-guard check --body <path>`. Either exits without benchmarking.
fn helper() -> bool {
    if let Some(spec) = std::env::var_os("JSON_BENCH_WRITE") {
        let spec = spec.to_string_lossy();
        let (size, path) = spec.split_once(':').expect("<MiB>[,no_carried]:<path>");
        let mib: usize = size
            .split(',')
            .next()
            .and_then(|m| m.parse().ok())
            .expect("MiB");
        let mut body = start_request(mib << 20);
        if size.ends_with(",no_carried") {
            body = without_carried(&body);
        }
        std::fs::write(path, body).expect("written");
        return true;
    }
    if let Some(path) = std::env::var_os("JSON_BENCH_SERDE_FILE") {
        let bytes = std::fs::read(path).expect("readable");
        serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).expect("valid JSON");
        return true;
    }
    false
}

fn main() {
    if helper() {
        return;
    }
    if let Some(spec) = std::env::var_os("JSON_BENCH_PROFILE") {
        profile(&spec.to_string_lossy());
        return;
    }
    // `JSON_BENCH_RATIOS_ONLY=1` skips criterion: a quick before/after.
    if std::env::var_os("JSON_BENCH_RATIOS_ONLY").is_none() {
        benches();
        Criterion::default().configure_from_args().final_summary();
    }
    ratios();
}
