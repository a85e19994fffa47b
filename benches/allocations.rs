//! Heap allocations per gradient evaluation, counted by a global allocator in this bench
//! binary: a load-independent figure beside the timings of `benches/gradients.rs`. Not a
//! criterion benchmark. Run with `cargo bench --bench allocations`.
//!
//! After the first gradient, none: the model's vectors take their buffers from the engine's
//! workspace (`doppl::runtime::value::Workspace`). The test `tests/allocations.rs` asserts it;
//! this program reports the figures per model, with the engine's mode.

#[path = "../tests/common/mod.rs"]
mod common;

use common::{
    Earnings, Logistic, NormalLocals, Radon, lalonde_like, logistic_like, radon_like, test_point,
};
use doppl::prelude::*;
use rand::RngExt;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);

// SAFETY: forwards to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(layout.size() as u64, Ordering::Relaxed);
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

/// Allocations and bytes per gradient over `reps` gradients after a first one.
fn per_gradient<M: Model>(name: &str, scenario: &Scenario<'_, M>, reps: u64) {
    let dim = scenario.layout().unwrap().dim();
    let u = test_point(dim, 1);
    let mut grad = vec![0.0; dim];
    let mut engine = scenario.gradient().unwrap();
    engine.logp_grad(&u, &mut grad).unwrap();
    let (a0, b0) = (
        ALLOCATIONS.load(Ordering::Relaxed),
        BYTES.load(Ordering::Relaxed),
    );
    for _ in 0..reps {
        engine.logp_grad(&u, &mut grad).unwrap();
    }
    let a = (ALLOCATIONS.load(Ordering::Relaxed) - a0) as f64 / reps as f64;
    let b = (BYTES.load(Ordering::Relaxed) - b0) as f64 / reps as f64;
    println!(
        "{name:<32} D = {dim:>6}  {:?}: {a:>6.1} allocations, {:>9.0} bytes per gradient",
        engine.mode(),
        b
    );
}

fn main() {
    let data = lalonde_like(614, 7, 1);
    let lalonde = Earnings::new(&data.x, &data.nodegree);
    per_gradient(
        "Lalonde N=614",
        &lalonde
            .condition()
            .treat(data.treat.clone())
            .y(data.y.clone()),
        200,
    );
    let (x, y) = logistic_like(10_000, 50, 5);
    let logistic = Logistic::new(&x);
    per_gradient("logistic N=10,000 D=51", &logistic.condition().y(y), 50);
    for n in [1_000, 10_000] {
        let mut rng = StdRng::seed_from_u64(n as u64);
        let x = DVector::from_fn(n, |_, _| rng.random_range(-1.5..1.5));
        let model = NormalLocals::new(&x);
        let truth = model.scenario().sample_prior(&mut rng).unwrap();
        per_gradient(
            &format!("local latents N={n}"),
            &model.condition().y(truth.y),
            50,
        );
    }
    let (floor, county, y) = radon_like(919, 85, 3);
    let radon = Radon::new(&floor, &county, 85);
    per_gradient("radon N=919 J=85", &radon.condition().log_radon(y), 200);
}
