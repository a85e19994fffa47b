//! Heap allocations of steady-state NUTS, counted by a global allocator in this test binary
//! (one test, so no other test thread allocates meanwhile).
//!
//! Two single-chain fits differ only in their number of post-warm-up draws. Their warm-ups
//! are identical (same seed and schedule), so the difference in allocations is what the extra
//! transitions cost. The draw storage is allocated once per fit (`num_draws` rows up front),
//! and the gradient engine allocates nothing after its first gradient, so a sampler that
//! reuses its buffers allocates nothing per transition; the only allowed growth is its buffer
//! pool reaching a new high-water mark when a tree is deeper than every earlier one.

mod common;

use common::{Earnings, Logistic, lalonde_like, logistic_like};
use doppl::inference::{LogDensity, ModelDensity, NutsOptions, run_chain};

#[path = "common/counting.rs"]
mod counting;

use counting::{Counting, allocations};

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Post-warm-up draws of the shorter and the longer fit.
const DRAWS: (usize, usize) = (200, 600);

/// Allocations and post-warm-up gradient evaluations of one chain with `num_draws` draws.
fn fit<D: LogDensity + Clone>(density: &D, max_depth: usize, num_draws: usize) -> (u64, u64) {
    // A fresh density per fit, so that both fits start with an engine that never ran.
    let mut density = density.clone();
    let options = NutsOptions {
        num_warmup: 300,
        num_draws,
        num_chains: 1,
        num_threads: Some(1),
        max_depth,
        seed: 11,
        progress: false,
        ..Default::default()
    };
    let before = allocations();
    let output = run_chain(&mut density, &options, 0).unwrap();
    let allocations = allocations() - before;
    (allocations, output.gradient_evals.sampling)
}

/// Most buffers the chain's pool can ever allocate for trees of at most `max_depth`
/// doublings: what is alive at once, and the doublings of its free list.
///
/// Alive at once: the trajectory's two ends (4 buffers each), two edges (2 each), momentum
/// sum and selected point (17); during the last doubling one pending subtree of 9 buffers
/// per level below it, and at a merge both halves, their momentum sum and one scratch sum
/// (`9 · max_depth + 2`): `9 · max_depth + 19` buffers in all. The free list's `Vec` grows
/// by doubling, about `log2` of that many times (7 for depth 10); 40 covers the constant part
/// and those with room to spare.
fn pool_ceiling(max_depth: usize) -> u64 {
    (9 * max_depth + 40) as u64
}

/// Asserts that the extra draws of the longer fit allocate no more than the pool's ceiling.
///
/// They can only raise the pool's high-water mark (in practice warm-up has reached it and the
/// figure is 0). The ceiling is well below the number of extra transitions, so even one
/// allocation per transition fails, let alone one per leapfrog step.
fn assert_no_allocation_per_transition<D: LogDensity + Clone>(name: &str, density: &D) {
    let max_depth = 10;
    let (short, short_gradients) = fit(density, max_depth, DRAWS.0);
    let (long, long_gradients) = fit(density, max_depth, DRAWS.1);
    let extra = long.saturating_sub(short);
    let transitions = (DRAWS.1 - DRAWS.0) as u64;
    let gradients = long_gradients - short_gradients;
    eprintln!(
        "{name}: {extra} extra allocations over {transitions} transitions and {gradients} \
         gradients ({:.2} per transition, {:.3} per gradient)",
        extra as f64 / transitions as f64,
        extra as f64 / gradients as f64,
    );
    assert!(pool_ceiling(max_depth) < transitions);
    assert!(
        extra <= pool_ceiling(max_depth),
        "{name}: {extra} allocations for {transitions} extra transitions"
    );
}

#[test]
fn steady_state_nuts_allocates_nothing_per_transition() {
    let data = lalonde_like(614, 7, 1);
    let lalonde = Earnings::new(&data.x, &data.nodegree);
    let scenario = lalonde
        .condition()
        .treat(data.treat.clone())
        .y(data.y.clone());
    assert_no_allocation_per_transition("Lalonde", &ModelDensity::new(&scenario).unwrap());
    let (x, y) = logistic_like(2_000, 50, 5);
    let logistic = Logistic::new(&x);
    let scenario = logistic.condition().y(y);
    assert_no_allocation_per_transition("logistic", &ModelDensity::new(&scenario).unwrap());
}
