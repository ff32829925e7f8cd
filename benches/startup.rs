//! Start-up: building a guard from the bundled Camunda policy, what
//! `input-guard check` pays once per process and a reload once per SIGHUP
//! (issue 16's goal: well under a millisecond). Beside it, its natural
//! baseline: reading the same TOML text with the `toml` crate alone, and
//! the policy loader without compiling the guard.
//!
//! Those run warm: what a process builds once (the gadget list's patterns,
//! the built-in route table) is built by the first iteration. The first
//! build in a fresh process, as `check` pays it, is timed apart: the bench
//! runs itself again with `STARTUP_BENCH_COLD` set, once per sample, and
//! each child times one load and build.

use criterion::{Criterion, criterion_group};
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
    let mut cold: Vec<f64> = (0..21).filter_map(|_| cold_in_child()).collect();
    cold.sort_by(f64::total_cmp);
    if let (Some(fastest), Some(median)) = (cold.first(), cold.get(cold.len() / 2)) {
        println!(
            "startup cold (first build in a fresh process, {} processes): median {median:.1} us, fastest {fastest:.1} us",
            cold.len()
        );
    }
}

/// One cold load and build, timed in a child process: microseconds.
fn cold_in_child() -> Option<f64> {
    let out = std::process::Command::new(std::env::current_exe().ok()?)
        .env("STARTUP_BENCH_COLD", "1")
        .output()
        .ok()?;
    String::from_utf8(out.stdout).ok()?.trim().parse().ok()
}

/// The child's side of [`cold_in_child`]: read the policy file, load it and
/// build the guard, once, and print the microseconds it took.
fn cold_once() {
    let started = std::time::Instant::now();
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/policies/camunda.toml"
    ))
    .expect("policies/camunda.toml");
    let policy = Policy::from_toml(&text).expect("the bundled policy loads");
    let guard = Guard::new(policy).expect("the bundled policy builds");
    let elapsed = started.elapsed();
    black_box(guard);
    println!("{:.1}", elapsed.as_secs_f64() * 1e6);
}

criterion_group!(benches, startup);

fn main() {
    if std::env::var_os("STARTUP_BENCH_COLD").is_some() {
        cold_once();
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
