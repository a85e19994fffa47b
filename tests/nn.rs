//! Neural networks in model bodies (`doppl::nn`): a regression on a network's output with
//! the weights as one model site, and a network fed a per-unit latent (the CEVAE shape).
//! Their gradients match high-order finite differences and the dense path to 1e-8, the
//! per-unit latent keeps the plate-local engine, and after the first gradient a gradient
//! allocates nothing.

mod common;

use common::*;
use doppl::prelude::*;
use rand::RngExt;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// yᵢ ~ Normal(mlp(x0ᵢ, x1ᵢ), σ), the weights one site on a plate of their own.
#[model]
fn net_regression(x0: &DVector<f64>, x1: &DVector<f64>, net: &Mlp) {
    let units = plate!(x0.len());
    let w = sample!(Normal::new(0.0, 1.0), plate!(net.weights_len()));
    let sigma = sample!(HalfNormal::new(1.0));
    let mu = deterministic!(net.output(w.as_slice(), &[x0.into(), x1.into()]), units);
    let y = sample!(Normal::new(mu, sigma), units);
}

/// zᵢ ~ Normal(0, 1) per unit, yᵢ ~ Normal(mlp(xᵢ, zᵢ), σ).
#[model]
fn net_latent(x: &DVector<f64>, net: &Mlp) {
    let units = plate!(x.len());
    let w = sample!(Normal::new(0.0, 1.0), plate!(net.weights_len()));
    let sigma = sample!(HalfNormal::new(1.0));
    let z = sample!(Normal::new(0.0, 1.0), units);
    let y = sample!(
        Normal::new(net.output(w.as_slice(), &[x.into(), (&z).into()]), sigma),
        units
    );
}

/// CEVAE's outcome shape: two heads of one network over (xᵢ, zᵢ), chosen by the treatment.
#[model]
fn two_heads(x: &DVector<f64>, t: &DVector<f64>, net: &Mlp) {
    let units = plate!(x.len());
    let w = sample!(Normal::new(0.0, 1.0), plate!(net.weights_len()));
    let z = sample!(Normal::new(0.0, 1.0), units);
    let heads = net.apply(w.as_slice(), &[x.into(), (&z).into()]);
    let y = sample!(
        Normal::new(t * &heads[1] + (1.0 - t) * &heads[0], 0.5),
        units
    );
}

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

/// Counts the allocations of each thread, so that the tests of this binary may run in
/// parallel while one of them counts its own.
struct PerThread;

// SAFETY: forwards to the system allocator unchanged; only counts (a const thread-local
// `Cell` without destructor, which never allocates).
unsafe impl GlobalAlloc for PerThread {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: the caller's contract is passed on to `System`.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: PerThread = PerThread;

fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

fn covariate(n: usize, seed: u64) -> DVector<f64> {
    let mut rng = StdRng::seed_from_u64(seed);
    DVector::from_fn(n, |_, _| rng.random_range(-1.5..1.5))
}

/// Fourth-order central differences, [f(x−2h) − 8f(x−h) + 8f(x+h) − f(x+2h)] / 12h: error
/// O(h⁴) + O(ε/h), about 1e-11 relative here.
fn five_point_gradient<M: Model>(scenario: &Scenario<'_, M>, x: &[f64]) -> Vec<f64> {
    let f = |i: usize, step: f64| {
        let mut p = x.to_vec();
        p[i] += step;
        scenario.log_density(&p).unwrap().total()
    };
    (0..x.len())
        .map(|i| {
            let h = 1e-3 * (1.0 + x[i].abs());
            (f(i, -2.0 * h) - 8.0 * f(i, -h) + 8.0 * f(i, h) - f(i, 2.0 * h)) / (12.0 * h)
        })
        .collect()
}

/// The engine's gradient against the dense path and high-order finite differences, both to
/// 1e-8 relative (plus the shared checks of `assert_gradient_matches`); returns the mode.
fn assert_tight_gradient<M: Model>(scenario: &Scenario<'_, M>, x: &[f64]) -> GradientMode {
    let mode = assert_gradient_matches(scenario, x);
    let mut engine = scenario.gradient().unwrap();
    let mut grad = vec![0.0; x.len()];
    engine.logp_grad(x, &mut grad).unwrap();
    let mut dense = vec![0.0; x.len()];
    let layout = scenario.layout().unwrap();
    Gradient::dense(scenario, &layout)
        .logp_grad(x, &mut dense)
        .unwrap();
    let fd = five_point_gradient(scenario, x);
    for (i, ((g, d), f)) in grad.iter().zip(&dense).zip(&fd).enumerate() {
        assert!(
            (g - d).abs() <= 1e-8 * (1.0 + d.abs()),
            "{i}: {g} vs dense {d}"
        );
        assert!(
            (g - f).abs() <= 1e-8 * (1.0 + f.abs()),
            "{i}: {g} vs fd {f}"
        );
    }
    mode
}

/// Allocations per gradient over 10 gradients after a first one (which does allocate: the
/// counter counts).
fn allocations_per_gradient<M: Model>(scenario: &Scenario<'_, M>, x: &[f64]) -> u64 {
    let before = allocations();
    let mut engine = scenario.gradient().unwrap();
    let mut grad = vec![0.0; x.len()];
    engine.logp_grad(x, &mut grad).unwrap();
    assert!(allocations() > before, "the counter saw no allocation");
    let before = allocations();
    for _ in 0..10 {
        engine.logp_grad(x, &mut grad).unwrap();
    }
    (allocations() - before) / 10
}

#[test]
fn a_regression_on_a_network_matches_finite_differences_and_the_dense_path() {
    let (x0, x1) = (covariate(40, 1), covariate(40, 2));
    let net = Mlp::new(&[2, 4, 1], Activation::Tanh, Activation::Identity).unwrap();
    assert_eq!(net.weights_len(), 17);
    let model = NetRegression::new(&x0, &x1, &net);
    let mut rng = StdRng::seed_from_u64(3);
    let truth = model.scenario().sample_prior(&mut rng).unwrap();
    // The deterministic site is the network of the sampled weights, unit by unit.
    let w = truth.w.as_slice();
    for i in [0, 17, 39] {
        let row = net.forward_row(w, &[x0[i], x1[i]]).unwrap();
        assert!((truth.mu[i] - row[0]).abs() <= 1e-14 * (1.0 + row[0].abs()));
    }
    let posterior = model.condition().y(truth.y.clone());
    let dim = posterior.layout().unwrap().dim();
    assert_eq!(dim, 18);
    for seed in 0..3 {
        // The weights reach every unit, but through a single-output network: projected,
        // one lane for all 17 (`Σᵢ gᵢ ∂μᵢ/∂w` by a backward pass per unit).
        let mode = assert_tight_gradient(&posterior, &test_point(dim, 10 + seed));
        assert_eq!(mode, GradientMode::PlateLocal { sites: vec!["w"] });
    }
    assert_eq!(allocations_per_gradient(&posterior, &test_point(dim, 4)), 0);
}

#[test]
fn a_per_unit_latent_through_a_network_stays_plate_local() {
    let x = covariate(30, 5);
    let net = Mlp::new(&[2, 3, 1], Activation::Tanh, Activation::Identity).unwrap();
    let model = NetLatent::new(&x, &net);
    let mut rng = StdRng::seed_from_u64(6);
    let truth = model.scenario().sample_prior(&mut rng).unwrap();
    let posterior = model.condition().y(truth.y.clone());
    let dim = posterior.layout().unwrap().dim();
    assert_eq!(dim, 13 + 1 + 30);
    for seed in 0..3 {
        let mode = assert_tight_gradient(&posterior, &test_point(dim, 20 + seed));
        assert_eq!(mode, GradientMode::PlateLocal { sites: vec!["z"] });
    }
    assert_eq!(allocations_per_gradient(&posterior, &test_point(dim, 7)), 0);
}

/// The CEVAE model's shape: a per-unit latent into a single-output network whose 21
/// weights are projected; an observed treatment chosen by the network's logit.
#[model]
fn latent_into_projected_net(x: &DVector<f64>, net: &Mlp) {
    let units = plate!(x.len());
    let z = sample!(Normal::new(0.0, 1.0), units);
    let w = sample!(Normal::new(0.0, 1.0), plate!(net.weights_len()));
    let logit = net.output(w.as_slice(), &[(&z).into(), x.into()]);
    let t = sample!(Bernoulli::logits(&logit), units);
    let y = sample!(Normal::new(&z + &t * 0.5, 0.7), units);
}

/// The same weights also read outside the network: their lane would leak, so they are
/// made global and the gradient stays exact.
#[model]
fn weights_read_twice(x: &DVector<f64>, net: &Mlp) {
    let units = plate!(x.len());
    let w = sample!(Normal::new(0.0, 1.0), plate!(net.weights_len()));
    let y = sample!(
        Normal::new(net.output(w.as_slice(), &[x.into()]) + w.sum() * 0.1, 1.0),
        units
    );
}

#[test]
fn a_single_output_network_is_projected_on_its_weights_lane() {
    let x = covariate(70, 15);
    let net = Mlp::new(&[2, 5, 1], Activation::Tanh, Activation::Identity).unwrap();
    assert_eq!(net.weights_len(), 21);
    let model = LatentIntoProjectedNet::new(&x, &net);
    let mut rng = StdRng::seed_from_u64(16);
    let truth = model.scenario().sample_prior(&mut rng).unwrap();
    let posterior = model.condition().t(truth.t.clone()).y(truth.y.clone());
    let dim = posterior.layout().unwrap().dim();
    assert_eq!(dim, 70 + 21);
    for seed in 0..3 {
        let mode = assert_tight_gradient(&posterior, &test_point(dim, 40 + seed));
        assert_eq!(
            mode,
            GradientMode::PlateLocal {
                sites: vec!["z", "w"]
            }
        );
    }
    assert_eq!(allocations_per_gradient(&posterior, &test_point(dim, 8)), 0);
    // Read outside the network, the weights fall back to a lane each.
    let net = Mlp::new(&[1, 6, 1], Activation::Sigmoid, Activation::Identity).unwrap();
    let model = WeightsReadTwice::new(&x, &net);
    let posterior = model.condition().y(covariate(70, 17));
    let mode = assert_tight_gradient(&posterior, &test_point(19, 18));
    assert_eq!(mode, GradientMode::Chunked);
}

#[test]
fn every_activation_keeps_the_latent_local_and_the_gradient_exact() {
    let x = covariate(12, 8);
    for hidden in [Activation::Softplus, Activation::Sigmoid, Activation::Relu] {
        let net = Mlp::new(&[2, 3, 1], hidden, Activation::Identity).unwrap();
        let model = NetLatent::new(&x, &net);
        let posterior = model.condition().y(covariate(12, 9));
        let mode = assert_tight_gradient(&posterior, &test_point(26, 30));
        assert_eq!(
            mode,
            GradientMode::PlateLocal { sites: vec!["z"] },
            "{hidden:?}"
        );
    }
}

#[test]
fn a_two_headed_outcome_network_is_projected_with_a_lane_per_head() {
    let x = covariate(25, 11);
    let t = DVector::from_fn(25, |i, _| (i % 2) as f64);
    let net = Mlp::new(&[2, 4, 2], Activation::Softplus, Activation::Identity).unwrap();
    let model = TwoHeads::new(&x, &t, &net);
    let posterior = model.condition().y(covariate(25, 12));
    let dim = posterior.layout().unwrap().dim();
    assert_eq!(dim, 4 * 3 + 2 * 5 + 25);
    // The 22 weights share one lane; the second head's derivative is read on a lane no
    // coordinate is seeded in.
    let mode = assert_tight_gradient(&posterior, &test_point(dim, 13));
    assert_eq!(
        mode,
        GradientMode::PlateLocal {
            sites: vec!["w", "z"]
        }
    );
    assert_eq!(
        allocations_per_gradient(&posterior, &test_point(dim, 14)),
        0
    );
}

#[test]
fn features_of_different_lengths_are_a_typed_error_naming_the_site() {
    let (x0, x1) = (covariate(5, 1), covariate(4, 2));
    let net = Mlp::new(&[2, 2, 1], Activation::Tanh, Activation::Identity).unwrap();
    let model = NetRegression::new(&x0, &x1, &net);
    let err = model.condition().y(covariate(5, 3)).layout().unwrap_err();
    let ModelError::Value { site, source } = &err else {
        panic!("expected a value error, got {err:?}");
    };
    assert_eq!(*site, "mu");
    let ShapeError::Mismatch { op, left, right } = source else {
        panic!("expected a mismatch, got {source:?}");
    };
    assert_eq!((*op, left.len, right.len), ("dense layer", 5, 4));
}
