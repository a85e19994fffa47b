//! Heap allocations per gradient, counted by a global allocator in this test binary (one
//! test, so no other test thread allocates meanwhile).
//!
//! The model-values issue's target is zero per gradient after the first; not reached yet
//! (BENCHMARKS.md). What holds already and is guarded here: the number of allocations per
//! gradient does not grow with the number of units (a handful of vectors per evaluation, none
//! per element or per chunk), and the Lalonde gradient stays within its current 7.

mod common;

use common::{Earnings, NormalLocals, lalonde_like, test_point};
use doppl::prelude::*;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: forwards to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller's contract is passed on to `System`.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations per gradient over 20 gradients after a first one.
fn per_gradient<M: Model>(scenario: &Scenario<'_, M>) -> u64 {
    let dim = scenario.layout().unwrap().dim();
    let u = test_point(dim, 1);
    let mut grad = vec![0.0; dim];
    let mut engine = scenario.gradient().unwrap();
    engine.logp_grad(&u, &mut grad).unwrap();
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    for _ in 0..20 {
        engine.logp_grad(&u, &mut grad).unwrap();
    }
    (ALLOCATIONS.load(Ordering::Relaxed) - before) / 20
}

#[test]
fn allocations_per_gradient_do_not_grow_with_the_units() {
    let counts: Vec<u64> = [200, 2_000, 20_000]
        .iter()
        .map(|&n| {
            let x = DVector::from_fn(n, |i, _| (i % 7) as f64 * 0.3 - 1.0);
            let model = NormalLocals::new(&x);
            let y = DVector::from_fn(n, |i, _| (i % 5) as f64 * 0.2);
            per_gradient(&model.condition().y(y))
        })
        .collect();
    assert!(counts.iter().all(|&c| c == counts[0]), "{counts:?}");
    assert!(counts[0] <= 3, "{counts:?}");
    let data = lalonde_like(614, 7, 1);
    let lalonde = Earnings::new(&data.x, &data.nodegree);
    let scenario = lalonde
        .condition()
        .treat(data.treat.clone())
        .y(data.y.clone());
    let count = per_gradient(&scenario);
    assert!(count <= 7, "Lalonde: {count} allocations per gradient");
}
