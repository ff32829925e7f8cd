//! Ratios against a baseline from runs alternated in one loop: criterion's
//! estimates come from runs minutes apart, and on a shared machine the
//! load moves in between. Each round times every candidate once (the
//! median of a few calls); the ratio is of the medians over rounds.

use std::time::Instant;

/// The median time in microseconds of `calls` calls of `f`.
fn median_us(calls: usize, f: &mut dyn FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..calls)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[calls / 2]
}

/// Median microseconds per call of each candidate over `rounds` rounds,
/// the candidates taking turns within each round.
pub fn alternated(rounds: usize, calls: usize, candidates: &mut [&mut dyn FnMut()]) -> Vec<f64> {
    let mut samples: Vec<Vec<f64>> = vec![Vec::with_capacity(rounds); candidates.len()];
    for _ in 0..rounds {
        for (f, times) in candidates.iter_mut().zip(&mut samples) {
            times.push(median_us(calls, *f));
        }
    }
    samples
        .into_iter()
        .map(|mut times| {
            times.sort_by(f64::total_cmp);
            times[times.len() / 2]
        })
        .collect()
}
