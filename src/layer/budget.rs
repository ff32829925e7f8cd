//! A process-wide bound on the request bodies the layer holds in memory.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// How many body bytes all the layers sharing it may hold at once.
///
/// The layer buffers each body up to its route's limit to judge it whole,
/// so memory grows with the number of concurrent uploads times the limit:
/// a few hundred uploads on a 50 MiB route would exhaust a machine. With a
/// budget ([`GuardLayerBuilder::buffer_budget`](super::GuardLayerBuilder::buffer_budget)),
/// a body is buffered only while it fits: its declared `Content-Length` is
/// reserved before a byte is read, a body of unknown length reserves as it
/// grows, and what does not fit is answered 503 `overloaded` (with
/// `Retry-After`) instead; in report mode it streams on uninspected, as a
/// body over its limit does, and the event is recorded. A body keeps its
/// bytes reserved until the inner service drops it, that is until it was
/// sent on.
///
/// Clones share one budget: give the same budget to every layer of a
/// process (a reloaded policy's layer too) so the bound is the process's.
///
/// ```
/// use input_guard::layer::BufferBudget;
///
/// let budget = BufferBudget::new(512 * 1024 * 1024);
/// assert_eq!(budget.limit(), 512 * 1024 * 1024);
/// assert_eq!(budget.in_use(), 0);
/// ```
#[derive(Debug, Clone)]
pub struct BufferBudget {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    limit: usize,
    used: AtomicUsize,
}

impl BufferBudget {
    /// A budget of `limit` bytes.
    pub fn new(limit: usize) -> Self {
        BufferBudget {
            shared: Arc::new(Shared {
                limit,
                used: AtomicUsize::new(0),
            }),
        }
    }

    /// The bound, in bytes.
    pub fn limit(&self) -> usize {
        self.shared.limit
    }

    /// Bytes reserved by bodies being read or not yet sent on.
    pub fn in_use(&self) -> usize {
        self.shared.used.load(Ordering::Relaxed)
    }

    /// Reserves `bytes`, if they fit.
    pub(crate) fn reserve(&self, bytes: usize) -> Option<Reservation> {
        let mut reservation = Reservation {
            budget: self.clone(),
            bytes: 0,
        };
        reservation.grow_to(bytes).then_some(reservation)
    }
}

/// Bytes of a [`BufferBudget`] held by one body, given back when dropped.
#[derive(Debug)]
pub(crate) struct Reservation {
    budget: BufferBudget,
    bytes: usize,
}

impl Reservation {
    /// Holds `total` bytes in all (never fewer than now); `false`, holding
    /// what it held, when the rest does not fit.
    pub(crate) fn grow_to(&mut self, total: usize) -> bool {
        let more = total.saturating_sub(self.bytes);
        if more == 0 {
            return true;
        }
        let shared = &self.budget.shared;
        // A compare-and-swap loop, so that two bodies can never both take
        // the last bytes: the bound holds exactly, not on average.
        let grown = shared
            .used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                used.checked_add(more).filter(|&sum| sum <= shared.limit)
            });
        if grown.is_ok() {
            self.bytes = total;
        }
        grown.is_ok()
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        self.budget
            .shared
            .used
            .fetch_sub(self.bytes, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    // Unwraps here are test failures, not request paths.
    use super::*;

    #[test]
    fn reservations_fit_exactly_and_are_given_back() {
        let budget = BufferBudget::new(100);
        let mut a = budget.reserve(60).unwrap();
        // The near miss: 40 more fit exactly, 41 do not.
        assert!(budget.reserve(41).is_none());
        let b = budget.reserve(40).unwrap();
        assert_eq!(budget.in_use(), 100);
        // Growing past the bound fails and keeps what was held.
        assert!(!a.grow_to(61));
        assert_eq!(budget.in_use(), 100);
        drop(b);
        assert!(a.grow_to(90));
        assert!(a.grow_to(10), "never shrinks");
        assert_eq!(budget.in_use(), 90);
        drop(a);
        assert_eq!(budget.in_use(), 0);
        assert!(budget.reserve(usize::MAX).is_none());
        assert_eq!(budget.in_use(), 0);
    }

    #[test]
    fn concurrent_reservations_never_exceed_the_bound() {
        let budget = BufferBudget::new(1000);
        let peak = Arc::new(AtomicUsize::new(0));
        std::thread::scope(|scope| {
            for _ in 0..4 {
                let budget = budget.clone();
                let peak = peak.clone();
                scope.spawn(move || {
                    for i in 0..10_000usize {
                        if let Some(mut r) = budget.reserve(100 + i % 300) {
                            r.grow_to(300 + i % 500);
                            peak.fetch_max(budget.in_use(), Ordering::Relaxed);
                        }
                    }
                });
            }
        });
        assert!(peak.load(Ordering::Relaxed) <= 1000);
        assert_eq!(budget.in_use(), 0);
    }
}
