//! Gradient-based metric adaptation (nutpie's diagonal and low-rank metrics) against Stan's
//! windowed variances, on Gaussians whose answer is known: the adapted metric, the sampling
//! efficiency per gradient (warm-up included), the step-size target, and warm starts.

mod support;

use doppl_inference::diagnostics::{ess_bulk, rhat};
use doppl_inference::nuts::Metric;
use doppl_inference::{
    FisherWindows, InitStrategy, LowRankOptions, MetricAdaptation, NutsOptions, SampleOutput,
    WarmupWindows, sample,
};
use nalgebra::{DMatrix, DVector};
use rand::SeedableRng;
use rand_distr::{Distribution, StandardNormal};
use std::convert::Infallible;
use support::Gaussian;

fn stan() -> MetricAdaptation {
    MetricAdaptation::Stan {
        dense: false,
        windows: WarmupWindows::default(),
    }
}

fn fisher() -> MetricAdaptation {
    MetricAdaptation::Fisher(FisherWindows::default())
}

fn low_rank() -> MetricAdaptation {
    MetricAdaptation::LowRank(LowRankOptions::default())
}

/// A covariance with standard deviations spread log-evenly over `[lo, hi]`, rotated by a
/// random orthogonal matrix when `rotated`.
fn covariance(dim: usize, (lo, hi): (f64, f64), rotated: bool) -> DMatrix<f64> {
    let sds = DVector::from_fn(dim, |i, _| lo * (hi / lo).powf(i as f64 / (dim - 1) as f64));
    let variances = DMatrix::from_diagonal(&sds.component_mul(&sds));
    if !rotated {
        return variances;
    }
    let mut rng = rand::rngs::StdRng::seed_from_u64(42);
    let raw: DMatrix<f64> = DMatrix::from_fn(dim, dim, |_, _| StandardNormal.sample(&mut rng));
    let q = raw.qr().q();
    &q * variances * q.transpose()
}

/// Minimum bulk ESS over coordinates per 1,000 gradients, warm-up included.
fn ess_per_1000_gradients(output: &SampleOutput<Infallible>, dim: usize) -> f64 {
    let figure = ess_per_1000_gradients_quiet(output, dim);
    eprintln!("ESS per 1,000 gradients: {figure:.2}");
    figure
}

fn ess_per_1000_gradients_quiet(output: &SampleOutput<Infallible>, dim: usize) -> f64 {
    let min_ess = (0..dim)
        .map(|i| ess_bulk(&output.parameter(i)))
        .fold(f64::INFINITY, f64::min);
    let gradients: u64 = output
        .successful()
        .map(|c| c.gradient_evals.warmup + c.gradient_evals.sampling)
        .sum();
    1000.0 * min_ess / gradients as f64
}

fn fit(
    density: &Gaussian,
    metric: MetricAdaptation,
    num_warmup: usize,
    seed: u64,
) -> SampleOutput<Infallible> {
    let options = NutsOptions {
        metric,
        num_warmup,
        seed,
        progress: false,
        ..NutsOptions::default()
    };
    let output = sample(density, &options).expect("fit");
    assert_eq!(output.errors().count(), 0);
    assert_eq!(output.num_divergent(), 0, "{:?}", output.advice());
    for i in 0..density.mean.len() {
        let r = rhat(&output.parameter(i));
        assert!(r < 1.01, "coordinate {i}: R-hat {r}");
    }
    output
}

#[test]
fn the_fisher_diagonal_learns_variances_across_eight_orders_of_magnitude() {
    let dim = 9;
    let cov = covariance(dim, (1e-2, 1e2), false);
    let density = Gaussian::with_covariance(vec![0.5; dim], &cov);
    let output = fit(&density, fisher(), 400, 3);
    for chain in output.successful() {
        let Metric::Diagonal(variances) = &chain.warmup.metric else {
            panic!("the Fisher adaptation gives a diagonal metric");
        };
        for (i, v) in variances.iter().enumerate() {
            let ratio = v / cov[(i, i)];
            assert!(
                (0.9..1.1).contains(&ratio),
                "coordinate {i}: {v} vs {}",
                cov[(i, i)]
            );
        }
        let accept: f64 =
            chain.stats.iter().map(|s| s.accept_stat).sum::<f64>() / chain.stats.len() as f64;
        assert!((0.75..0.85).contains(&accept), "mean accept stat {accept}");
    }
}

#[test]
fn a_short_fisher_warm_up_beats_stans_per_gradient_on_scattered_scales() {
    let dim = 20;
    let density = Gaussian::with_covariance(vec![0.0; dim], &covariance(dim, (1e-2, 1e2), false));
    let fisher = ess_per_1000_gradients(&fit(&density, fisher(), 400, 8), dim);
    let stan = ess_per_1000_gradients(&fit(&density, stan(), 1000, 8), dim);
    assert!(
        fisher > 1.5 * stan,
        "Fisher {fisher:.1} vs Stan {stan:.1} ESS per 1,000 gradients"
    );
}

#[test]
fn low_rank_beats_the_diagonal_on_a_rotated_ill_conditioned_gaussian() {
    let dim = 50;
    // Condition number 1e4 (standard deviations 0.01 … 1), rotated off the axes.
    let density = Gaussian::with_covariance(vec![1.0; dim], &covariance(dim, (1e-2, 1.0), true));
    let diagonal = ess_per_1000_gradients(&fit(&density, fisher(), 800, 4), dim);
    let corrected = ess_per_1000_gradients(&fit(&density, low_rank(), 800, 4), dim);
    assert!(
        corrected > 5.0 * diagonal,
        "low-rank {corrected:.2} vs diagonal {diagonal:.2} ESS per 1,000 gradients"
    );
}

#[test]
fn low_rank_does_not_lose_on_an_axis_aligned_gaussian() {
    let dim = 20;
    let density = Gaussian::with_covariance(vec![0.0; dim], &covariance(dim, (1e-1, 1e1), false));
    let diagonal = ess_per_1000_gradients(&fit(&density, fisher(), 800, 6), dim);
    let output = fit(&density, low_rank(), 800, 6);
    for chain in output.successful() {
        let Metric::LowRank(metric) = &chain.warmup.metric else {
            panic!("a low-rank metric expected");
        };
        eprintln!("{} directions: {:?}", metric.values.len(), metric.values);
    }
    let corrected = ess_per_1000_gradients(&output, dim);
    assert!(
        corrected > 0.7 * diagonal,
        "low-rank {corrected:.1} vs diagonal {diagonal:.1} ESS per 1,000 gradients"
    );
}

#[test]
fn a_zero_gradient_at_the_start_gives_a_finite_metric() {
    let dim = 3;
    let density = Gaussian::with_covariance(vec![0.0; dim], &covariance(dim, (0.1, 10.0), false));
    for metric in [fisher(), low_rank()] {
        let options = NutsOptions {
            metric,
            num_warmup: 300,
            seed: 1,
            init: InitStrategy::Fixed(vec![0.0; dim]),
            progress: false,
            ..NutsOptions::default()
        };
        let output = sample(&density, &options).expect("fit");
        for chain in output.successful() {
            assert!(
                chain
                    .warmup
                    .metric
                    .diagonal()
                    .iter()
                    .all(|v| v.is_finite() && *v > 0.0)
            );
            assert!(chain.warmup.step_size.is_finite());
        }
        assert_eq!(output.num_divergent(), 0);
    }
}

#[test]
fn a_warm_started_refit_needs_a_fraction_of_the_warm_up_gradients() {
    let dim = 20;
    let cov = covariance(dim, (1e-2, 1e2), false);
    let first = Gaussian::with_covariance(vec![0.0; dim], &cov);
    let cold = fit(&first, fisher(), 1000, 2);
    // New data: the posterior moved a little; the metric still fits.
    let second = Gaussian::with_covariance(vec![0.1; dim], &cov);
    let options = NutsOptions {
        num_warmup: 100,
        seed: 3,
        progress: false,
        warm_start: Some(doppl_inference::WarmStart {
            chains: cold.successful().map(|c| c.warmup.clone()).collect(),
        }),
        ..NutsOptions::default()
    };
    let warm = sample(&second, &options).expect("refit");
    assert_eq!(warm.num_divergent(), 0);
    let warmup_gradients =
        |o: &SampleOutput<Infallible>| o.successful().map(|c| c.gradient_evals.warmup).sum::<u64>();
    assert!(
        5 * warmup_gradients(&warm) < warmup_gradients(&cold),
        "warm {} vs cold {} warm-up gradients",
        warmup_gradients(&warm),
        warmup_gradients(&cold)
    );
    let warm_ess = ess_per_1000_gradients(&warm, dim);
    let cold_ess = ess_per_1000_gradients(&cold, dim);
    assert!(
        warm_ess > cold_ess,
        "warm {warm_ess:.1} vs cold {cold_ess:.1}"
    );
    for i in 0..dim {
        let chains = warm.parameter(i);
        let all: Vec<f64> = chains.iter().flatten().copied().collect();
        let mean = all.iter().sum::<f64>() / all.len() as f64;
        let sd = cov[(i, i)].sqrt();
        let mcse = sd / ess_bulk(&chains).sqrt();
        assert!(
            (mean - 0.1).abs() < 5.0 * mcse,
            "coordinate {i}: mean {mean}"
        );
    }
}

#[test]
fn above_max_dim_the_low_rank_adaptation_keeps_a_diagonal() {
    let dim = 4;
    let density = Gaussian::with_covariance(vec![0.0; dim], &covariance(dim, (0.5, 2.0), true));
    let options = NutsOptions {
        metric: MetricAdaptation::LowRank(LowRankOptions {
            max_dim: 3,
            ..LowRankOptions::default()
        }),
        num_warmup: 200,
        num_draws: 100,
        progress: false,
        ..NutsOptions::default()
    };
    let output = sample(&density, &options).expect("fit");
    for chain in output.successful() {
        assert!(matches!(chain.warmup.metric, Metric::Diagonal(_)));
    }
    let low_rank = sample(
        &density,
        &NutsOptions {
            metric: low_rank(),
            ..options
        },
    )
    .expect("fit");
    for chain in low_rank.successful() {
        assert!(matches!(chain.warmup.metric, Metric::LowRank(_)));
    }
}
