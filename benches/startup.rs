//! Start-up: building a guard from the bundled Camunda policy, what
//! `input-guard check` pays once per process and a reload once per SIGHUP
//! (issue 16's goal: well under a millisecond). Beside it, its natural
//! baseline: reading the same TOML text with the `toml` crate alone, and
//! the policy loader without compiling the guard.

use criterion::{Criterion, criterion_group, criterion_main};
use input_guard::{Guard, Policy};
use std::hint::black_box;

#[path = "common/ratio.rs"]
mod ratio;

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

/// The build beside the baseline, as a ratio.
fn print_ratios(text: &str) {
    let times = ratio::alternated(
        51,
        5,
        &mut [
            &mut || {
                black_box(toml::de::DeTable::parse(black_box(text)).map(|t| t.into_inner().len()))
                    .ok();
            },
            &mut || {
                let policy = Policy::from_toml(black_box(text)).expect("the bundled policy loads");
                black_box(Guard::new(policy).map(|g| g.policy().routes.len())).ok();
            },
        ],
    );
    let (toml, guard) = (times[0], times[1]);
    println!(
        "startup ratios: toml parse {toml:.1} us, policy + guard {guard:.1} us = {:.1}x the parse",
        guard / toml
    );
}

criterion_group!(benches, startup);
criterion_main!(benches);
