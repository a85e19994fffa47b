//! Handler semantics on oracle models with hand-written log-densities: condition adds the
//! factor, intervene does not, downstream deterministic sites are recomputed, shifts,
//! conditioned + intervened sites, and prior predictive moments under `do`.

mod common;

use common::*;
use doppl::prelude::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

fn normal_lpdf(x: f64, mu: f64, sigma: f64) -> f64 {
    let z = (x - mu) / sigma;
    -0.5 * z * z - sigma.ln() - LN_SQRT_2PI
}

/// A two-site chain: z ~ N(0, 1), y ~ N(2z, 0.5); w = z + 1 deterministic.
#[model]
fn chain() {
    let z = sample!(Normal::new(0.0, 1.0));
    let w = deterministic!(z + 1.0);
    let y = sample!(Normal::new(w * 2.0, 0.5));
}

#[test]
fn condition_adds_the_observed_factor_and_intervene_does_not() {
    let model = Chain::new();
    let conditioned = model.condition().y(1.3);
    let parts = conditioned.log_density(&[0.4]).unwrap();
    assert!((parts.log_prior - normal_lpdf(0.4, 0.0, 1.0)).abs() < 1e-14);
    assert!((parts.log_likelihood - normal_lpdf(1.3, 2.8, 0.5)).abs() < 1e-14);
    assert_eq!(parts.log_jacobian, 0.0);

    // do(z = 0.4): z is no parameter any more and contributes no factor.
    let intervened = model.condition().y(1.3).intervene().z(0.4);
    assert_eq!(intervened.layout().unwrap().dim(), 0);
    let parts = intervened.log_density(&[]).unwrap();
    assert_eq!(parts.log_prior, 0.0);
    assert!((parts.log_likelihood - normal_lpdf(1.3, 2.8, 0.5)).abs() < 1e-14);
}

#[test]
fn deterministic_sites_are_recomputed_under_intervention() {
    let model = Chain::new();
    // A stored draw whose deterministic value is stale on purpose.
    let draw = ChainValues {
        z: Some(0.4),
        w: Some(100.0),
        ..Default::default()
    };
    let mut rng = StdRng::seed_from_u64(1);
    let trace = model.scenario().sample_given(&draw, &mut rng).unwrap();
    assert_eq!(trace.w, 1.4, "w recomputed from z, not read from the draw");
    let trace = model
        .intervene()
        .z(2.0)
        .sample_given(&draw, &mut rng)
        .unwrap();
    assert_eq!(trace.z, 2.0);
    assert_eq!(trace.w, 3.0, "w recomputed from the intervened z");
    // An intervention on the deterministic site itself replaces it downstream.
    let parts = model
        .condition()
        .y(1.0)
        .intervene()
        .w(0.0)
        .log_density(&[0.4])
        .unwrap();
    assert!((parts.log_likelihood - normal_lpdf(1.0, 0.0, 0.5)).abs() < 1e-14);
}

#[test]
fn shift_intervention_maps_the_natural_value() {
    let model = Chain::new();
    let natural = model
        .scenario()
        .sample_prior(&mut StdRng::seed_from_u64(7))
        .unwrap();
    let shifted = model
        .intervene()
        .z_shift(Shift::scale(5.0))
        .sample_prior(&mut StdRng::seed_from_u64(7))
        .unwrap();
    assert_eq!(shifted.z, 5.0 * natural.z);
    assert_eq!(shifted.w, 5.0 * natural.z + 1.0);
    // A shifted latent keeps its own factor at the natural value; downstream sees 5z.
    let parts = model
        .condition()
        .y(1.0)
        .intervene()
        .z_shift(Shift::scale(5.0))
        .log_density(&[0.2])
        .unwrap();
    assert!((parts.log_prior - normal_lpdf(0.2, 0.0, 1.0)).abs() < 1e-14);
    assert!((parts.log_likelihood - normal_lpdf(1.0, 2.0 * (1.0 + 1.0), 0.5)).abs() < 1e-14);
    // A general map is differentiated numerically: check against finite differences.
    let mapped = model
        .condition()
        .y(1.0)
        .intervene()
        .z_shift(Shift::map(|z| z * z * z));
    assert_gradient_matches(&mapped, &[0.7]);
}

#[test]
fn conditioned_and_intervened_site_keeps_its_factor_and_passes_the_intervened_value() {
    // Single-world intervention: z observed at 0.4 (factor at 0.4), downstream sees 1.5.
    let model = Chain::new();
    let swig = model.condition().z(0.4).y(1.0).intervene().z(1.5);
    assert_eq!(swig.layout().unwrap().dim(), 0);
    let parts = swig.log_density(&[]).unwrap();
    let expected = normal_lpdf(0.4, 0.0, 1.0) + normal_lpdf(1.0, 2.0 * 2.5, 0.5);
    assert!((parts.log_likelihood - expected).abs() < 1e-14);
    let trace = swig.sample_prior(&mut StdRng::seed_from_u64(0)).unwrap();
    assert_eq!((trace.z, trace.w), (1.5, 2.5));
}

#[test]
fn what_if_log_density_matches_the_hand_written_one() {
    let model = WhatIf::new(10);
    let truth = model
        .intervene()
        .b_a(1.5)
        .b_b(0.7)
        .b_c(0.3)
        .sigma(0.2)
        .b0(0.0)
        .sample_prior(&mut StdRng::seed_from_u64(2))
        .unwrap();
    let posterior = model
        .condition()
        .a(truth.a.clone())
        .b(truth.b.clone())
        .c(truth.c.clone())
        .y(truth.y.clone());
    let u = [0.1, -0.2, 0.3, 0.4, -0.5];
    let sigma = u[4].exp();
    let prior: f64 = u[..4]
        .iter()
        .map(|&v| normal_lpdf(v, 0.0, 1.0))
        .sum::<f64>()
        + (normal_lpdf(sigma, 0.0, 1.0) + 2f64.ln());
    let mut lik = 0.0;
    for i in 0..10 {
        lik += normal_lpdf(truth.a[i], 0.0, 1.0)
            + normal_lpdf(truth.b[i], 0.0, 1.0)
            + normal_lpdf(truth.c[i], 0.0, 1.0);
        let mu = u[0] + u[1] * truth.a[i] + u[2] * truth.b[i] + u[3] * truth.c[i];
        lik += normal_lpdf(truth.y[i], mu, sigma);
    }
    let parts = posterior.log_density(&u).unwrap();
    assert!(
        (parts.log_prior - prior).abs() < 1e-12,
        "{} vs {prior}",
        parts.log_prior
    );
    assert!((parts.log_jacobian - u[4]).abs() < 1e-14);
    assert!(
        (parts.log_likelihood - lik).abs() < 1e-10,
        "{} vs {lik}",
        parts.log_likelihood
    );
}

#[test]
fn prior_predictive_under_do_on_parameters_has_the_closed_form_moments() {
    // do(b_a=1.5, b_b=0.7, b_c=0.3, sigma=0.2, b0=0): y_i ~ N(0, 1.5² + 0.7² + 0.3² + 0.2²).
    let model = WhatIf::new(2000);
    let scenario = model
        .intervene()
        .b_a(1.5)
        .b_b(0.7)
        .b_c(0.3)
        .sigma(0.2)
        .b0(0.0);
    let mut rng = StdRng::seed_from_u64(42);
    let mut ys = Vec::new();
    for _ in 0..10 {
        ys.extend(scenario.sample_prior(&mut rng).unwrap().y.iter().copied());
    }
    let n = ys.len() as f64;
    let mean = ys.iter().sum::<f64>() / n;
    let var = ys.iter().map(|y| (y - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let true_var = 1.5f64.powi(2) + 0.7f64.powi(2) + 0.3f64.powi(2) + 0.2f64.powi(2);
    // Standard errors of the mean and of the variance of n normal draws: sqrt(v/n), v·sqrt(2/n).
    assert!(mean.abs() < 5.0 * (true_var / n).sqrt(), "mean {mean}");
    assert!(
        (var - true_var).abs() < 5.0 * true_var * (2.0 / n).sqrt(),
        "variance {var} vs {true_var}"
    );
    // do(b = 0) removes b's contribution: Var = 1.5² + 0.3² + 0.2².
    let without_b = model
        .intervene()
        .b_a(1.5)
        .b_b(0.7)
        .b_c(0.3)
        .sigma(0.2)
        .b0(0.0)
        .b(DVector::zeros(2000));
    let y = without_b.sample_prior(&mut rng).unwrap().y;
    let var_b0 = y.iter().map(|v| v * v).sum::<f64>() / 2000.0;
    let expected = 1.5f64.powi(2) + 0.3f64.powi(2) + 0.2f64.powi(2);
    assert!(
        (var_b0 - expected).abs() < 5.0 * expected * (2.0f64 / 2000.0).sqrt(),
        "{var_b0} vs {expected}"
    );
}

#[test]
fn the_graph_shows_parents_and_cuts_intervened_edges() {
    let model = Chain::new();
    let dot = model.scenario().dot();
    assert!(dot.contains("\"z\" -> \"w\""));
    assert!(dot.contains("\"w\" -> \"y\""), "{dot}");
    assert!(
        !dot.contains("\"z\" -> \"y\""),
        "y reads z only through the site w: {dot}"
    );
    let dot = model.intervene().w(1.0).dot();
    assert!(!dot.contains("\"z\" -> \"w\""));
    assert!(dot.contains("do(w)"));
}

/// `value`, counting the calls: how often a deterministic site's expression runs.
fn counted<T>(calls: &AtomicUsize, value: T) -> T {
    calls.fetch_add(1, Ordering::Relaxed);
    value
}

/// Deterministic sites that nothing after them reads, one scalar and one plated.
#[model]
fn trailing(x: &DVector<f64>, calls: &Arc<AtomicUsize>) {
    let units = plate!(x.len());
    let z = sample!(Normal::new(0.0, 1.0));
    let y = sample!(Normal::new(z * 2.0, 0.5));
    let doubled = deterministic!(counted(calls, z * 2.0));
    let scaled = deterministic!(counted(calls, z * x), units);
}

#[test]
fn deterministic_sites_nothing_reads_are_computed_for_traces_only() {
    let calls = Arc::new(AtomicUsize::new(0));
    let x = DVector::from_vec(vec![1.0, -2.0, 0.5]);
    let model = Trailing::new(&x, &calls);
    let scenario = model.condition().y(1.3);
    // Finding the layout runs the body once, keeping every value.
    let mut gradient = scenario.gradient().unwrap();
    let after_layout = calls.load(Ordering::Relaxed);
    let expected = normal_lpdf(0.4, 0.0, 1.0) + normal_lpdf(1.3, 0.8, 0.5);
    for _ in 0..3 {
        let parts = scenario.log_density(&[0.4]).unwrap();
        assert!((parts.log_prior + parts.log_likelihood - expected).abs() < 1e-14);
        let mut g = [0.0];
        let logp = gradient.logp_grad(&[0.4], &mut g).unwrap();
        assert!((logp - expected).abs() < 1e-14);
        // d/dz: −z + 2 (y − 2z) / σ².
        assert!(
            (g[0] - (-0.4 + 2.0 * (1.3 - 0.8) / 0.25)).abs() < 1e-13,
            "{}",
            g[0]
        );
    }
    let skipped = calls.load(Ordering::Relaxed) - after_layout;
    assert_eq!(skipped, 0, "the log-density path skips them");
    let (_, trace) = scenario.log_density_at(&[0.4]).unwrap();
    let counted = calls.load(Ordering::Relaxed) - after_layout;
    assert_eq!(counted, 2, "a trace computes both");
    assert!((trace.doubled - 0.8).abs() < 1e-15);
    assert_eq!(trace.scaled.as_slice(), &[0.4, -0.8, 0.2]);
}
