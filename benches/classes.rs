//! Class checks: 1,000 patterns (600 classes, 250 `pkg.*`, 150 `pkg.**`)
//! plus the gadget list, over 100,000 names of which about one in nine is
//! allowed. The baseline is globset, the matcher a user would reach for,
//! given the same patterns (dots as separators) and the same names.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use globset::{GlobBuilder, GlobSetBuilder};
use input_guard::classes::{ClassFilter, ClassPattern};
use std::hint::black_box;

#[path = "common/ratio.rs"]
mod ratio;

/// A small deterministic generator, so every run sees the same names.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

const VENDORS: &[&str] = &[
    "acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "tyrell",
];
const MODULES: &[&str] = &[
    "model", "order", "billing", "customer", "shipping", "ledger", "audit", "crm",
];
const LEAVES: &[&str] = &[
    "Order", "Invoice", "Customer", "Address", "LineItem", "Payment", "Refund", "Quote",
];

fn package(rng: &mut Lcg) -> String {
    format!(
        "com.{}.{}.v{}",
        VENDORS[rng.next(VENDORS.len() as u64) as usize],
        MODULES[rng.next(MODULES.len() as u64) as usize],
        rng.next(40)
    )
}

fn patterns(rng: &mut Lcg) -> Vec<String> {
    let mut out = Vec::with_capacity(1000);
    for i in 0..600 {
        out.push(format!("{}.{}{i}", package(rng), LEAVES[i % LEAVES.len()]));
    }
    for _ in 0..250 {
        out.push(format!("{}.*", package(rng)));
    }
    for _ in 0..150 {
        out.push(format!(
            "org.{}.p{}.**",
            VENDORS[rng.next(8) as usize],
            rng.next(100)
        ));
    }
    out
}

fn names(rng: &mut Lcg) -> Vec<String> {
    (0..100_000)
        .map(|i| match rng.next(10) {
            0..=5 => format!(
                "{}.{}{}",
                package(rng),
                LEAVES[i % LEAVES.len()],
                rng.next(700)
            ),
            6 | 7 => format!(
                "org.{}.p{}.sub.Thing{i}",
                VENDORS[rng.next(8) as usize],
                rng.next(400)
            ),
            8 => format!("{}.{}$Inner", package(rng), LEAVES[i % LEAVES.len()]),
            _ => [
                "java.util.HashMap",
                "com.sun.rowset.JdbcRowSetImpl",
                "java.lang.Runtime",
            ][i % 3]
                .to_string(),
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let mut rng = Lcg(0x5eed);
    let patterns = patterns(&mut rng);
    let names = names(&mut rng);

    let parsed: Vec<ClassPattern> = patterns.iter().map(|p| p.parse().unwrap()).collect();
    let filter = ClassFilter::new(parsed, []);
    let allowed = names
        .iter()
        .filter(|n| filter.check_class(n).is_allowed())
        .count();
    eprintln!("classes: {allowed} of {} names allowed", names.len());

    // globset sees the same rules: `a.b.*` -> `a/b/*`, `a.b.**` -> `a/b/**`.
    let mut builder = GlobSetBuilder::new();
    for p in &patterns {
        let glob = p.replace('.', "/");
        builder.add(
            GlobBuilder::new(&glob)
                .literal_separator(true)
                .build()
                .unwrap(),
        );
    }
    let globs = builder.build().unwrap();
    let slashed: Vec<String> = names.iter().map(|n| n.replace('.', "/")).collect();

    let mut group = c.benchmark_group("classes");
    group.throughput(Throughput::Elements(names.len() as u64));
    group.bench_function("input_guard_check_class", |b| {
        b.iter(|| {
            names
                .iter()
                .filter(|n| filter.check_class(black_box(n)).is_allowed())
                .count()
        })
    });
    group.bench_function("input_guard_check_type_name", |b| {
        b.iter(|| {
            names
                .iter()
                .filter(|n| filter.check(black_box(n)).is_allowed())
                .count()
        })
    });
    group.bench_function("globset_is_match_baseline", |b| {
        b.iter(|| {
            slashed
                .iter()
                .filter(|n| globs.is_match(black_box(n.as_str())))
                .count()
        })
    });
    group.finish();
    let times = ratio::alternated(
        31,
        5,
        &mut [
            &mut || {
                black_box(
                    names
                        .iter()
                        .filter(|n| filter.check_class(n).is_allowed())
                        .count(),
                );
            },
            &mut || {
                black_box(
                    names
                        .iter()
                        .filter(|n| filter.check(n).is_allowed())
                        .count(),
                );
            },
            &mut || {
                black_box(
                    slashed
                        .iter()
                        .filter(|n| globs.is_match(n.as_str()))
                        .count(),
                );
            },
        ],
    );
    println!(
        "classes ratios: check_class {:.2}x, check (type names) {:.2}x globset's time on the same names",
        times[0] / times[2],
        times[1] / times[2]
    );

    let generic = "java.util.HashMap<java.lang.String, java.util.List<com.acme.model.v1.Order1>>";
    let filter = ClassFilter::new(
        ["java.util.*", "java.lang.String", "com.acme.model.v1.*"].map(|p| p.parse().unwrap()),
        [],
    );
    assert!(filter.check(generic).is_allowed());
    c.bench_function("classes/generic_type_name", |b| {
        b.iter(|| filter.check(black_box(generic)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
