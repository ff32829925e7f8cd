//! Start-up: building a guard from the bundled Camunda policy, what
//! `input-guard check` pays once per process and a reload once per SIGHUP
//! (issue 16's goal: well under a millisecond). Beside it, its natural
//! baseline: reading the same TOML text with the `toml` crate alone, and
//! the policy loader without compiling the guard.

use criterion::{Criterion, criterion_group, criterion_main};
use input_guard::{Guard, Policy};
use std::hint::black_box;

fn startup(c: &mut Criterion) {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/policies/camunda.toml"
    ))
    .expect("policies/camunda.toml");
    let mut group = c.benchmark_group("startup");
    group.bench_function("toml parse only (baseline)", |b| {
        b.iter(|| toml::de::DeTable::parse(black_box(&text)).map(|t| t.into_inner().len()))
    });
    group.bench_function("Policy::from_toml", |b| {
        b.iter(|| Policy::from_toml(black_box(&text)).map(|p| p.routes.len()))
    });
    group.bench_function("Policy::from_toml + Guard::new", |b| {
        b.iter(|| {
            let policy = Policy::from_toml(black_box(&text)).expect("the bundled policy loads");
            Guard::new(policy).map(|g| g.policy().routes.len())
        })
    });
    group.finish();
    print_ratios(&text);
}

/// The median of `runs` timings of `f`, in microseconds.
fn median_us(runs: usize, mut f: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let start = std::time::Instant::now();
            f();
            start.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[runs / 2]
}

/// Ratios against the baseline, from the medians of runs alternated in
/// one loop (criterion's estimates above come from runs minutes apart on a
/// shared machine).
fn print_ratios(text: &str) {
    let (mut toml, mut guard) = (Vec::new(), Vec::new());
    for _ in 0..51 {
        toml.push(median_us(5, || {
            black_box(toml::de::DeTable::parse(black_box(text)).map(|t| t.into_inner().len())).ok();
        }));
        guard.push(median_us(5, || {
            let policy = Policy::from_toml(black_box(text)).expect("the bundled policy loads");
            black_box(Guard::new(policy).map(|g| g.policy().routes.len())).ok();
        }));
    }
    toml.sort_by(f64::total_cmp);
    guard.sort_by(f64::total_cmp);
    let (toml, guard) = (toml[25], guard[25]);
    println!(
        "startup ratios: toml parse {toml:.1} us, policy + guard {guard:.1} us = {:.1}x the parse",
        guard / toml
    );
}

criterion_group!(benches, startup);
criterion_main!(benches);
