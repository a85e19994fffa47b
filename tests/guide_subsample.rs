//! Custom guides on minibatches (`LocalsBatched` of `tests/common`): a guide declaring the
//! model's subsampled plate sees each step's batch. Its gradient equals central differences
//! (zero outside the batch), its minibatch ELBO is unbiased for the whole one, a fit on
//! batches of 10% reaches the whole-batch fit, and a guide subsampling with another batch
//! size is a typed error.

mod common;

use common::{LocalsBatched, assert_matches_finite_differences};
use doppl::inference::svi::{
    GuideGradientMode, GuideMismatch, Optimizer, SviError, SviOptions, guide_elbo, svi_guide,
};
use doppl::prelude::*;

/// Mean-field, a location and a scale per unit, on the same batches as the model.
#[guide(for = LocalsBatched, observed(y))]
fn batched_guide(n: usize, batch: usize) {
    let units = plate!(n, subsample = batch);
    let mu_loc = param!(0.0);
    let mu_scale = param!(0.3, constraint = positive);
    let mu = sample!(Normal::new(mu_loc, mu_scale));
    let tau_loc = param!(0.0);
    let tau_scale = param!(0.2, constraint = positive);
    let tau = sample!(LogNormal::new(tau_loc, tau_scale));
    let beta_loc = param!(0.5);
    let beta_scale = param!(0.1, constraint = positive);
    let beta = sample!(Normal::new(beta_loc, beta_scale));
    let sigma_loc = param!(-0.5);
    let sigma_scale = param!(0.2, constraint = positive);
    let sigma = sample!(LogNormal::new(sigma_loc, sigma_scale));
    let z_loc = param!(0.1, units);
    let z_scale = param!(0.4, constraint = positive, units);
    let z = sample!(Normal::new(z_loc, z_scale), units);
}

/// A positive latent per unit: on a batch the model weights its Jacobian by n / b too.
#[model]
fn positive_locals(n: usize, batch: usize) {
    let units = plate!(n, subsample = batch);
    let mu = sample!(Normal::new(0.0, 1.0));
    let z = sample!(LogNormal::new(mu, 0.5), units);
    let y = sample!(Normal::new(z, 1.0), units);
}

#[guide(for = PositiveLocals, observed(y))]
fn positive_guide(n: usize, batch: usize) {
    let units = plate!(n, subsample = batch);
    let mu_loc = param!(0.2);
    let mu_scale = param!(0.3, constraint = positive);
    let mu = sample!(Normal::new(mu_loc, mu_scale));
    let z_loc = param!(0.5, units);
    let z_scale = param!(0.3, constraint = positive, units);
    let z = sample!(LogNormal::new(z_loc, z_scale), units);
}

/// Declares the subsampled plate but draws the per-unit site on a plate of its own.
#[guide(for = PositiveLocals, observed(y))]
fn off_plate_guide(n: usize, batch: usize) {
    let units = plate!(n, subsample = batch);
    let mu = sample!(Normal::new(0.0, 0.3));
    let z = sample!(LogNormal::new(0.5, 0.3), plate!(n));
}

fn data(n: usize) -> (DVector<f64>, DVector<f64>) {
    let x = DVector::from_fn(n, |i, _| (i as f64 * 0.61).sin());
    let y = DVector::from_fn(n, |i, _| 0.4 + 0.8 * x[i] + (i as f64 * 1.3).cos());
    (x, y)
}

#[test]
fn the_gradient_on_a_batch_matches_finite_differences_and_is_zero_off_the_batch() {
    let (n, b) = (20, 5);
    let (x, y) = data(n);
    let model = LocalsBatched::new(&x, b);
    let scenario = model.condition().y(y).build();
    let guide = BatchedGuide::new(n, b);
    let estimate = |p: Option<&[f64]>| guide_elbo(&scenario, &guide, p, 2, 7).unwrap();
    let n_params = estimate(None).params.len();
    assert_eq!(n_params, 8 + 2 * n);
    let at = assert_matches_finite_differences(estimate, 0..n_params);
    assert!(matches!(at.mode, GuideGradientMode::PlateLocal { .. }));
    let off_batch = at.gradient.iter().filter(|g| **g == 0.0).count();
    // The units outside the batch: a location and a scale each.
    assert_eq!(off_batch, 2 * (n - b));
}

/// The mean and its standard error of 3,000 ELBO estimates, one per noise seed.
fn mean_and_se(estimate: impl Fn(u64) -> f64) -> (f64, f64) {
    let values: Vec<f64> = (0..3_000).map(estimate).collect();
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / values.len() as f64;
    (mean, (var / values.len() as f64).sqrt())
}

fn assert_unbiased((whole, se_whole): (f64, f64), (batched, se_batched): (f64, f64)) {
    let se = (se_whole.powi(2) + se_batched.powi(2)).sqrt();
    assert!(
        (whole - batched).abs() < 4.0 * se,
        "whole {whole} ± {se_whole}, batches: {batched} ± {se_batched}"
    );
}

/// At fixed parameters, the mean of minibatch estimates over many steps equals the mean
/// of whole-plate estimates, within four combined Monte Carlo standard errors: with real
/// local latents, and with positive ones, whose Jacobian the batch weights as well.
#[test]
fn the_minibatch_elbo_is_unbiased() {
    let n = 16;
    let (x, y) = data(n);
    let locals = |b: usize| {
        let model = LocalsBatched::new(&x, b);
        let scenario = model.condition().y(y.clone()).build();
        let guide = BatchedGuide::new(n, b);
        mean_and_se(|seed| guide_elbo(&scenario, &guide, None, 1, seed).unwrap().value)
    };
    assert_unbiased(locals(n), locals(4));
    let positive = |b: usize| {
        let model = PositiveLocals::new(n, b);
        let scenario = model.condition().y(y.clone()).build();
        let guide = PositiveGuide::new(n, b);
        mean_and_se(|seed| guide_elbo(&scenario, &guide, None, 1, seed).unwrap().value)
    };
    assert_unbiased(positive(n), positive(4));
}

#[test]
fn batches_of_a_tenth_reach_the_whole_batch_fit() {
    let n = 200;
    let (x, y) = data(n);
    let fit = |b: usize, steps: usize| {
        let model = LocalsBatched::new(&x, b);
        let options = SviOptions {
            steps,
            optimizer: Optimizer::adam(0.02),
            seed: 5,
            draws: 10,
            ..SviOptions::default()
        };
        let guide = BatchedGuide::new(n, b);
        let fit = svi_guide(model.condition().y(y.clone()), &guide, &options).unwrap();
        let get = |name: &str| fit.param(name).unwrap();
        (get("mu_loc")[0], get("beta_loc")[0], get("beta_scale")[0])
    };
    let (mu, beta, beta_sd) = fit(n, 3_000);
    let (mu_b, beta_b, _) = fit(20, 12_000);
    assert!(
        (beta - beta_b).abs() < 0.25 * beta_sd.max(0.05),
        "beta: whole {beta} (sd {beta_sd}), batches {beta_b}"
    );
    assert!((mu - mu_b).abs() < 0.1, "mu: whole {mu}, batches {mu_b}");
}

#[test]
fn a_guide_subsampling_with_another_batch_size_is_a_typed_error() {
    let n = 10;
    let (x, y) = data(n);
    let model = LocalsBatched::new(&x, 5);
    let guide = BatchedGuide::new(n, 4);
    match svi_guide(model.condition().y(y), &guide, &SviOptions::default()) {
        Err(SviError::Guide {
            site: "units",
            problem:
                GuideMismatch::Batch {
                    model: Some(5),
                    guide: Some(4),
                },
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_guide_drawing_a_subsampled_site_on_another_plate_is_a_shape_error() {
    let n = 10;
    let model = PositiveLocals::new(n, 5);
    let guide = OffPlateGuide::new(n, 5);
    let y = data(n).1;
    match svi_guide(model.condition().y(y), &guide, &SviOptions::default()) {
        Err(SviError::Model(ModelError::Shape {
            site: "z",
            expected: 5,
            found: 10,
            ..
        })) => {}
        other => panic!("{other:?}"),
    }
}
