//! Custom guides on minibatches (`LocalsBatched` of `tests/common`): a guide declaring the
//! model's subsampled plate sees each step's batch. Its gradient equals central differences
//! (zero outside the batch), its minibatch ELBO is unbiased for the whole one, a fit on
//! batches of 10% reaches the whole-batch fit, and a guide subsampling with another batch
//! size is a typed error.

mod common;

use common::{LocalsBatched, LocalsBatchedLatents, assert_matches_finite_differences};
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

/// At fixed parameters, the mean of minibatch estimates over many steps equals the mean
/// of whole-plate estimates, within four combined Monte Carlo standard errors.
#[test]
fn the_minibatch_elbo_is_unbiased() {
    let n = 16;
    let (x, y) = data(n);
    let mean_and_se = |b: usize| {
        let model = LocalsBatched::new(&x, b);
        let scenario = model.condition().y(y.clone()).build();
        let guide = BatchedGuide::new(n, b);
        let values: Vec<f64> = (0..3_000)
            .map(|seed| guide_elbo(&scenario, &guide, None, 1, seed).unwrap().value)
            .collect();
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / values.len() as f64;
        (mean, (var / values.len() as f64).sqrt())
    };
    let (whole, se_whole) = mean_and_se(n);
    let (batched, se_batched) = mean_and_se(4);
    let se = (se_whole.powi(2) + se_batched.powi(2)).sqrt();
    assert!(
        (whole - batched).abs() < 4.0 * se,
        "whole {whole} ± {se_whole}, batches of 4: {batched} ± {se_batched}"
    );
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
