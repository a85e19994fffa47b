//! Heap allocations per gradient, counted by a global allocator in this test binary (one
//! test, so no other test thread allocates meanwhile): after the first gradient, none. The
//! model's vectors take their buffers from the engine's workspace
//! ([`doppl::runtime::value::Workspace`]).

mod common;

use common::{
    Earnings, Logistic, NormalLocals, Radon, lalonde_like, logistic_like, radon_like, test_point,
};
use doppl::prelude::*;
use doppl::runtime::value::Workspace;

#[path = "common/counting.rs"]
mod counting;

use counting::{Counting, allocations};

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations per gradient over 20 gradients after a first one, and per f64 log-density
/// evaluation in a lent workspace after a first one.
fn per_evaluation<M: Model>(scenario: &Scenario<'_, M>) -> (u64, u64) {
    let dim = scenario.layout().unwrap().dim();
    let u = test_point(dim, 1);
    let mut grad = vec![0.0; dim];
    let mut engine = scenario.gradient().unwrap();
    engine.logp_grad(&u, &mut grad).unwrap();
    let before = allocations();
    for _ in 0..20 {
        engine.logp_grad(&u, &mut grad).unwrap();
    }
    let gradients = (allocations() - before) / 20;
    let mut workspace = Workspace::default();
    let density = |w: &mut Workspace| w.lend(|| scenario.log_density(&u).unwrap().total());
    density(&mut workspace);
    let before = allocations();
    for _ in 0..20 {
        density(&mut workspace);
    }
    let densities = (allocations() - before) / 20;
    (gradients, densities)
}

#[test]
fn a_gradient_allocates_nothing_after_the_first() {
    for n in [200, 20_000] {
        let x = DVector::from_fn(n, |i, _| (i % 7) as f64 * 0.3 - 1.0);
        let model = NormalLocals::new(&x);
        let y = DVector::from_fn(n, |i, _| (i % 5) as f64 * 0.2);
        let counts = per_evaluation(&model.condition().y(y));
        assert_eq!(counts, (0, 0), "local latents, N = {n}");
    }
    let data = lalonde_like(614, 7, 1);
    let lalonde = Earnings::new(&data.x, &data.nodegree);
    let scenario = lalonde
        .condition()
        .treat(data.treat.clone())
        .y(data.y.clone());
    assert_eq!(per_evaluation(&scenario), (0, 0), "Lalonde");
    let (x, y) = logistic_like(2_000, 50, 5);
    let logistic = Logistic::new(&x);
    assert_eq!(
        per_evaluation(&logistic.condition().y(y)),
        (0, 0),
        "logistic"
    );
    let (floor, county, y) = radon_like(919, 85, 3);
    let radon = Radon::new(&floor, &county, 85);
    assert_eq!(
        per_evaluation(&radon.condition().log_radon(y)),
        (0, 0),
        "radon"
    );
}
