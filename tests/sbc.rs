//! Simulation-based calibration (Talts et al. 2018, arXiv:1804.06788): draw parameters from
//! the prior, simulate data, fit, and rank the true value among the posterior draws. With a
//! correct sampler and correct log-density the ranks are uniform; a wrong Jacobian, a biased
//! sampler or a mis-specified intervention shows up as a skewed or U-shaped histogram.

#[path = "common/adaptations.rs"]
mod adaptations;
mod common;

use adaptations::metric_adaptations;
use common::WhatIf;
use doppl::prelude::*;

const REPLICATIONS: usize = 200;
const BINS: usize = 10;
/// χ² with 9 degrees of freedom exceeds this with probability 0.001.
const CHI2_CRITICAL_9DF: f64 = 27.877;

/// Ranks of the true value among `draws` (thinned by 2 to reduce autocorrelation), as bins.
fn rank_bin(truth: f64, draws: &[f64]) -> usize {
    let thinned: Vec<f64> = draws.iter().step_by(2).copied().collect();
    let rank = thinned.iter().filter(|d| **d < truth).count();
    rank * BINS / (thinned.len() + 1)
}

fn assert_uniform(name: &str, bins: &[usize]) {
    let expected = REPLICATIONS as f64 / BINS as f64;
    let chi2: f64 = bins
        .iter()
        .map(|&k| (k as f64 - expected).powi(2) / expected)
        .sum();
    assert!(
        chi2 < CHI2_CRITICAL_9DF,
        "{name}: rank histogram {bins:?} is not uniform (χ² = {chi2:.1})"
    );
}

fn options(seed: u64, metric: &MetricAdaptation) -> NutsOptions {
    NutsOptions {
        metric: metric.clone(),
        num_warmup: 200,
        num_draws: 200,
        num_chains: 1,
        seed,
        progress: false,
        ..Default::default()
    }
}

#[model]
fn location_scale(n: usize) {
    let obs = plate!(n);
    let mu = sample!(Normal::new(0.0, 1.0));
    let sigma = sample!(HalfNormal::new(1.0));
    let y = sample!(Normal::new(mu, sigma), obs);
}

#[test]
fn location_scale_ranks_are_uniform() {
    for metric in &metric_adaptations() {
        let model = LocationScale::new(8);
        let (mut mu_bins, mut sigma_bins) = ([0; BINS], [0; BINS]);
        for rep in 0..REPLICATIONS {
            let truth = model
                .scenario()
                .sample_prior(&mut StdRng::seed_from_u64(rep as u64))
                .unwrap();
            let posterior = nuts(
                model.condition().y(truth.y.clone()),
                &options(rep as u64, metric),
            )
            .unwrap();
            mu_bins[rank_bin(truth.mu, &posterior.site(|d| &d.mu)[0])] += 1;
            sigma_bins[rank_bin(truth.sigma, &posterior.site(|d| &d.sigma)[0])] += 1;
        }
        assert_uniform(&format!("{metric:?}: mu"), &mu_bins);
        assert_uniform(&format!("{metric:?}: sigma"), &sigma_bins);
    }
}

#[test]
fn intervened_model_ranks_are_uniform() {
    for metric in &metric_adaptations() {
        // do(b_b = 0.7, sigma = 0.5) on the parameters: the remaining latents b0, b_a, b_c keep
        // their priors and must be calibrated given a, b, c, y.
        let model = WhatIf::new(6);
        let (mut b_a_bins, mut b0_bins) = ([0; BINS], [0; BINS]);
        for rep in 0..REPLICATIONS {
            let intervened = || model.intervene().b_b(0.7).sigma(0.5);
            let truth = intervened()
                .sample_prior(&mut StdRng::seed_from_u64(1000 + rep as u64))
                .unwrap();
            let observed = intervened()
                .condition()
                .a(truth.a.clone())
                .b(truth.b.clone())
                .c(truth.c.clone())
                .y(truth.y.clone());
            let posterior = nuts(observed, &options(rep as u64, metric)).unwrap();
            b_a_bins[rank_bin(truth.b_a, &posterior.site(|d| &d.b_a)[0])] += 1;
            b0_bins[rank_bin(truth.b0, &posterior.site(|d| &d.b0)[0])] += 1;
        }
        assert_uniform(&format!("{metric:?}: b_a"), &b_a_bins);
        assert_uniform(&format!("{metric:?}: b0"), &b0_bins);
    }
}
