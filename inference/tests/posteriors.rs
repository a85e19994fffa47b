//! NUTS recovers known Gaussian posteriors within Monte Carlo error.

mod support;

use doppl_inference::diagnostics::{ess_mean, rhat};
use doppl_inference::{MetricAdaptation, NutsOptions, SampleOutput, WarmupWindows, sample};
use std::convert::Infallible;
use support::Gaussian;

/// Checks each coordinate's mean and variance against the truth within 5 Monte Carlo
/// standard errors (from our own ESS), R-hat < 1.01 and zero divergences.
fn check(output: &SampleOutput<Infallible>, means: &[f64], sds: &[f64]) {
    assert_eq!(output.errors().count(), 0);
    assert_eq!(output.num_divergent(), 0, "advice: {:?}", output.advice());
    for (index, (&mean, &sd)) in means.iter().zip(sds).enumerate() {
        let chains = output.parameter(index);
        let r = rhat(&chains);
        assert!(r < 1.01, "coordinate {index}: rhat {r}");
        let (estimate, mcse) = mean_and_mcse(&chains);
        assert!(
            (estimate - mean).abs() < 5.0 * mcse,
            "coordinate {index}: mean {estimate} vs {mean} (mcse {mcse})"
        );
        // The variance as the mean of (x − μ)², with its own ESS.
        let squares: Vec<Vec<f64>> = chains
            .iter()
            .map(|c| c.iter().map(|x| (x - mean).powi(2)).collect())
            .collect();
        let (variance, mcse) = mean_and_mcse(&squares);
        assert!(
            (variance - sd * sd).abs() < 5.0 * mcse,
            "coordinate {index}: variance {variance} vs {} (mcse {mcse})",
            sd * sd
        );
    }
}

fn mean_and_mcse(chains: &[Vec<f64>]) -> (f64, f64) {
    let all: Vec<f64> = chains.iter().flatten().copied().collect();
    let n = all.len() as f64;
    let mean = all.iter().sum::<f64>() / n;
    let sd = (all.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    (mean, sd / ess_mean(chains).sqrt())
}

#[test]
fn standard_normal_1d() {
    let density = Gaussian::diagonal(vec![0.0], &[1.0]);
    let output = sample(&density, &NutsOptions::default()).unwrap();
    check(&output, &[0.0], &[1.0]);
    assert!(output.advice().is_empty(), "{:?}", output.advice());
}

#[test]
fn correlated_2d_gaussian_diagonal_and_dense() {
    let density = Gaussian::correlated_2d([1.0, -2.0], [1.0, 3.0], 0.9);
    let stan_dense = MetricAdaptation::Stan {
        dense: true,
        windows: WarmupWindows::default(),
    };
    let fisher = MetricAdaptation::Fisher(Default::default());
    for metric in [MetricAdaptation::default(), stan_dense, fisher] {
        let options = NutsOptions {
            metric,
            seed: 17,
            ..NutsOptions::default()
        };
        let output = sample(&density, &options).unwrap();
        check(&output, &[1.0, -2.0], &[1.0, 3.0]);
    }
}

#[test]
fn ten_dimensional_gaussian_with_very_different_scales() {
    let sds: Vec<f64> = (0..10).map(|i| 10f64.powf(i as f64 / 3.0 - 1.5)).collect();
    let means: Vec<f64> = (0..10).map(|i| i as f64 - 4.0).collect();
    let density = Gaussian::diagonal(means.clone(), &sds);
    let options = NutsOptions {
        metric: MetricAdaptation::Fisher(Default::default()),
        seed: 5,
        ..NutsOptions::default()
    };
    let output = sample(&density, &options).unwrap();
    check(&output, &means, &sds);
    // The adapted metric should have learned the scales.
    for chain in output.successful() {
        let doppl_inference::nuts::Metric::Diagonal(variances) = &chain.warmup.metric else {
            panic!("expected a diagonal metric");
        };
        for (v, sd) in variances.iter().zip(&sds) {
            let ratio = v / (sd * sd);
            assert!(
                (0.5..2.0).contains(&ratio),
                "metric {v} vs variance {}",
                sd * sd
            );
        }
    }
}
