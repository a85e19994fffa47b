//! NUTS on generated models with known posteriors: conjugate models (mean and sd within
//! 5 Monte Carlo standard errors), constrained priors sampled alone against their exact CDFs
//! (Kolmogorov–Smirnov, which catches Jacobian mistakes), and determinism across threads.

use doppl::inference::diagnostics::{ess_bulk, mcse_mean};
#[path = "common/adaptations.rs"]
mod adaptations;

use adaptations::metric_adaptations;
use doppl::inference::{LowRankOptions, WarmupWindows};
use doppl::prelude::*;
use statrs::distribution::{
    Beta as SBeta, ContinuousCDF, Exp, Gamma as SGamma, InverseGamma as SInvGamma,
    LogNormal as SLogNormal,
};

fn options(seed: u64) -> NutsOptions {
    NutsOptions {
        seed,
        ..Default::default()
    }
}

/// The default options with `metric`.
fn options_with(seed: u64, metric: &MetricAdaptation) -> NutsOptions {
    NutsOptions {
        metric: metric.clone(),
        ..options(seed)
    }
}

/// Asserts the posterior mean and sd of `chains` against exact values within 5 MCSE.
fn assert_moments(name: &str, chains: &[Vec<f64>], mean: f64, sd: f64) {
    let all: Vec<f64> = chains.iter().flatten().copied().collect();
    let n = all.len() as f64;
    let m = all.iter().sum::<f64>() / n;
    let var = all.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
    let mcse = mcse_mean(chains);
    assert!(
        (m - mean).abs() < 5.0 * mcse,
        "{name}: mean {m} vs {mean} (MCSE {mcse})"
    );
    // sd's standard error from the fourth central moment and the bulk ESS:
    // Var(s²) ≈ (μ₄ − σ⁴)/n_eff and d(s) = d(s²)/(2s).
    let mu4 = all.iter().map(|x| (x - m).powi(4)).sum::<f64>() / n;
    let se_sd = ((mu4 - var * var) / ess_bulk(chains)).sqrt() / (2.0 * var.sqrt());
    assert!(
        (var.sqrt() - sd).abs() < 5.0 * se_sd,
        "{name}: sd {} vs {sd} (se {se_sd})",
        var.sqrt()
    );
}

#[model]
fn normal_mean(n: usize, sigma: f64) {
    let obs = plate!(n);
    let mu = sample!(Normal::new(1.0, 2.0));
    let y = sample!(Normal::new(mu, sigma), obs);
}

#[test]
fn normal_normal_posterior() {
    for metric in &metric_adaptations() {
        let options = |seed| options_with(seed, metric);
        let y = DVector::from_vec(vec![2.3, 1.1, 3.4, 2.9, 0.7, 2.2]);
        let (s0, sigma) = (2.0f64, 1.5f64);
        let precision = 1.0 / s0.powi(2) + y.len() as f64 / sigma.powi(2);
        let mean = (1.0 / s0.powi(2) + y.sum() / sigma.powi(2)) / precision;
        let model = NormalMean::new(y.len(), sigma);
        let posterior = nuts(model.condition().y(y), &options(1)).unwrap();
        assert_moments(
            "mu",
            &posterior.site(|d| &d.mu),
            mean,
            precision.sqrt().recip(),
        );
    }
}

/// One latent mean per unit, known variances: zᵢ ~ N(μ, τ²), yᵢ ~ N(zᵢ, σ²).
#[model]
fn hierarchical_means(n: usize, tau: f64, sigma: f64) {
    let units = plate!(n);
    let mu = sample!(Normal::new(0.0, 2.0));
    let z = sample!(Normal::new(mu, tau), units);
    let y = sample!(Normal::new(z, sigma), units);
}

/// NUTS with the unit latents in one shared tangent lane recovers the exact posterior: μ
/// marginally (yᵢ ~ N(μ, τ² + σ²)) and each zᵢ as the precision-weighted mix of yᵢ and μ.
#[test]
fn local_latents_in_a_shared_lane_give_the_exact_posterior() {
    for metric in &metric_adaptations() {
        let options = |seed| options_with(seed, metric);
        let y = DVector::from_vec(vec![1.2, -0.4, 2.5, 0.9, 1.7, 0.1, 3.0, 1.1]);
        let (s0, tau, sigma) = (2.0f64, 1.0f64, 0.8f64);
        let marginal = tau.powi(2) + sigma.powi(2);
        let precision = 1.0 / s0.powi(2) + y.len() as f64 / marginal;
        let mu_mean = y.sum() / marginal / precision;
        let model = HierarchicalMeans::new(y.len(), tau, sigma);
        let posterior = nuts(model.condition().y(y.clone()), &options(4)).unwrap();
        assert_eq!(
            posterior.gradient_mode,
            GradientMode::PlateLocal { sites: vec!["z"] }
        );
        let mu = posterior.site(|d| &d.mu);
        assert_moments("mu", &mu, mu_mean, precision.sqrt().recip());
        let w = tau.powi(2) / marginal;
        let conditional_var = tau.powi(2) * sigma.powi(2) / marginal;
        for i in [0, 2, 7] {
            let zi: Vec<Vec<f64>> = posterior
                .site(|d| &d.z)
                .iter()
                .map(|chain| chain.iter().map(|z| z[i]).collect())
                .collect();
            let mean = w * y[i] + (1.0 - w) * mu_mean;
            let var = conditional_var + (1.0 - w).powi(2) / precision;
            assert_moments(&format!("z[{i}]"), &zi, mean, var.sqrt());
        }
    }
}

#[model]
fn coin(trials: u64) {
    let p = sample!(Beta::new(2.0, 3.0));
    let heads = sample!(Binomial::new(trials, p));
}

#[test]
fn beta_binomial_posterior() {
    for metric in &metric_adaptations() {
        let options = |seed| options_with(seed, metric);
        let (a, b) = (2.0 + 7.0, 3.0 + 13.0);
        let model = Coin::new(20);
        let posterior = nuts(model.condition().heads(7), &options(2)).unwrap();
        let sd = (a * b / ((a + b).powi(2) * (a + b + 1.0))).sqrt();
        assert_moments("p", &posterior.site(|d| &d.p), a / (a + b), sd);
    }
}

#[model]
fn counts(n: usize) {
    let days = plate!(n);
    let rate = sample!(Gamma::new(3.0, 0.5));
    let k = sample!(Poisson::new(rate), days);
}

#[test]
fn gamma_poisson_posterior() {
    for metric in &metric_adaptations() {
        let options = |seed| options_with(seed, metric);
        let k = DVector::from_vec(vec![4u64, 7, 3, 5, 6, 2, 8]);
        let (shape, rate) = (3.0 + k.iter().sum::<u64>() as f64, 0.5 + k.len() as f64);
        let model = Counts::new(k.len());
        let posterior = nuts(model.condition().k(k), &options(3)).unwrap();
        assert_moments(
            "rate",
            &posterior.site(|d| &d.rate),
            shape / rate,
            shape.sqrt() / rate,
        );
    }
}

#[model]
fn regression(x: &DMatrix<f64>, sigma: f64) {
    let rows = plate!(x.nrows());
    let beta = sample!(Normal::new(0.0, 3.0), plate!(x.ncols()));
    let y = sample!(Normal::new(x * &beta, sigma), rows);
}

#[test]
fn linear_regression_with_known_variance() {
    check_linear_regression(MetricAdaptation::default());
}

#[test]
fn linear_regression_with_a_dense_metric() {
    check_linear_regression(MetricAdaptation::Stan {
        dense: true,
        windows: WarmupWindows::default(),
    });
}

#[test]
fn linear_regression_with_a_low_rank_metric() {
    check_linear_regression(MetricAdaptation::LowRank(LowRankOptions::default()));
}

fn check_linear_regression(metric: MetricAdaptation) {
    let x = DMatrix::from_row_slice(
        6,
        2,
        &[1.0, -1.0, 1.0, -0.5, 1.0, 0.0, 1.0, 0.4, 1.0, 1.1, 1.0, 1.5],
    );
    let y = DVector::from_vec(vec![-0.8, 0.1, 0.9, 1.2, 2.4, 2.6]);
    let sigma = 0.7;
    // Posterior N(m, V): V = (XᵀX/σ² + I/τ²)⁻¹, m = V Xᵀy/σ².
    let precision = x.tr_mul(&x) / (sigma * sigma) + DMatrix::identity(2, 2) / 9.0;
    let v = precision.try_inverse().unwrap();
    let m = &v * x.tr_mul(&y) / (sigma * sigma);
    let model = Regression::new(&x, sigma);
    let options = NutsOptions {
        metric,
        ..options(4)
    };
    let posterior = nuts(model.condition().y(y), &options).unwrap();
    let beta = posterior.site(|d| &d.beta);
    for j in 0..2 {
        let chains: Vec<Vec<f64>> = beta
            .iter()
            .map(|c| c.iter().map(|b| b[j]).collect())
            .collect();
        assert_moments(&format!("beta[{j}]"), &chains, m[j], v[(j, j)].sqrt());
    }
}

macro_rules! prior_alone {
    ($model:ident, $Model:ident, $dist:expr) => {
        #[model]
        fn $model() {
            let v = sample!($dist);
        }
    };
}
prior_alone!(half_normal_prior, HalfNormalPrior, HalfNormal::new(2.0));
prior_alone!(gamma_prior, GammaPrior, Gamma::new(2.0, 3.0));
prior_alone!(beta_prior, BetaPrior, Beta::new(2.0, 5.0));
prior_alone!(log_normal_prior, LogNormalPrior, LogNormal::new(0.5, 0.8));
prior_alone!(exponential_prior, ExponentialPrior, Exponential::new(1.5));
prior_alone!(
    inverse_gamma_prior,
    InverseGammaPrior,
    InverseGamma::new(3.0, 2.0)
);
prior_alone!(uniform_prior, UniformPrior, Uniform::new(-1.0, 3.0));

/// The Kolmogorov–Smirnov distance of `chains` to `cdf`, and its 0.1% critical value for the
/// effective sample size (autocorrelated draws carry less information than their number).
fn ks(chains: &[Vec<f64>], cdf: impl Fn(f64) -> f64) -> (f64, f64) {
    let mut all: Vec<f64> = chains.iter().flatten().copied().collect();
    all.sort_by(f64::total_cmp);
    let n = all.len() as f64;
    let d = all
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let f = cdf(x);
            (f - i as f64 / n).abs().max(((i + 1) as f64 / n - f).abs())
        })
        .fold(0.0, f64::max);
    (d, 1.95 / ess_bulk(chains).min(n).sqrt())
}

#[test]
fn constrained_priors_sampled_alone_match_their_exact_distributions() {
    for metric in &metric_adaptations() {
        let options = |seed| options_with(seed, metric);
        let half_normal = |x: f64| statrs::function::erf::erf(x / (2.0 * 2f64.sqrt()));
        type Case = (&'static str, Vec<Vec<f64>>, Box<dyn Fn(f64) -> f64>);
        let cases: Vec<Case> = vec![
            (
                "HalfNormal",
                nuts(HalfNormalPrior::new().scenario(), &options(5))
                    .unwrap()
                    .site(|d| &d.v),
                Box::new(half_normal),
            ),
            (
                "Gamma",
                nuts(GammaPrior::new().scenario(), &options(6))
                    .unwrap()
                    .site(|d| &d.v),
                {
                    let g = SGamma::new(2.0, 3.0).unwrap();
                    Box::new(move |x| g.cdf(x))
                },
            ),
            (
                "Beta",
                nuts(BetaPrior::new().scenario(), &options(7))
                    .unwrap()
                    .site(|d| &d.v),
                {
                    let b = SBeta::new(2.0, 5.0).unwrap();
                    Box::new(move |x| b.cdf(x))
                },
            ),
            (
                "LogNormal",
                nuts(LogNormalPrior::new().scenario(), &options(8))
                    .unwrap()
                    .site(|d| &d.v),
                {
                    let l = SLogNormal::new(0.5, 0.8).unwrap();
                    Box::new(move |x| l.cdf(x))
                },
            ),
            (
                "Exponential",
                nuts(ExponentialPrior::new().scenario(), &options(9))
                    .unwrap()
                    .site(|d| &d.v),
                {
                    let e = Exp::new(1.5).unwrap();
                    Box::new(move |x| e.cdf(x))
                },
            ),
            (
                "InverseGamma",
                nuts(InverseGammaPrior::new().scenario(), &options(10))
                    .unwrap()
                    .site(|d| &d.v),
                {
                    let g = SInvGamma::new(3.0, 2.0).unwrap();
                    Box::new(move |x| g.cdf(x))
                },
            ),
            (
                "Uniform",
                nuts(UniformPrior::new().scenario(), &options(11))
                    .unwrap()
                    .site(|d| &d.v),
                Box::new(|x: f64| (x + 1.0) / 4.0),
            ),
        ];
        for (name, chains, cdf) in cases {
            let (d, critical) = ks(&chains, cdf);
            assert!(d < critical, "{name}: KS distance {d} ≥ {critical}");
        }
    }
}

#[test]
fn draws_do_not_depend_on_the_number_of_threads() {
    let x = DMatrix::from_row_slice(3, 2, &[1.0, 0.2, 1.0, -0.3, 1.0, 0.9]);
    let model = Regression::new(&x, 0.5);
    let fit = |threads, seed| {
        let options = NutsOptions {
            num_threads: Some(threads),
            num_warmup: 200,
            num_draws: 100,
            seed,
            ..Default::default()
        };
        nuts(
            model.condition().y(DVector::from_vec(vec![0.1, 0.4, 1.2])),
            &options,
        )
        .unwrap()
        .site(|d| &d.beta)
    };
    let one = fit(1, 9);
    assert_eq!(one, fit(2, 9));
    assert_eq!(one, fit(4, 9));
    assert_ne!(one, fit(1, 10));
}

#[test]
fn initialization_failure_names_the_site() {
    // An observation that no parameter value makes finite: log(0) for every rate.
    #[model]
    fn impossible() {
        let rate = sample!(Exponential::new(1.0));
        let zero = sample!(Exponential::new(rate));
        let y = sample!(Normal::new(zero * 1e308 * 1e308, 1.0));
    }
    let err = nuts(Impossible::new().condition().y(0.0), &options(1)).unwrap_err();
    let err = doppl::inference::ErrorChain(&err).to_string();
    println!("{err}");
    assert!(
        err.contains('`') && (err.contains("site `y`") || err.contains("`y`")),
        "{err}"
    );
}

#[test]
fn a_model_invalid_at_zero_still_gets_a_layout_and_initializes() {
    // scale = b² is 0 (invalid) at the unconstrained origin, valid elsewhere.
    #[model]
    fn squared_scale() {
        let b = sample!(Normal::new(0.0, 1.0));
        let y = sample!(Normal::new(0.0, b * b));
    }
    let model = SquaredScale::new();
    let scenario = model.condition().y(0.3).build();
    assert_eq!(scenario.layout().unwrap().dim(), 1);
    let options = NutsOptions {
        num_warmup: 200,
        num_draws: 200,
        ..options(3)
    };
    let posterior = nuts(scenario, &options).unwrap();
    assert!(posterior.site(|d| &d.b).iter().flatten().all(|b| *b != 0.0));
}

#[test]
fn uniform_with_vector_bounds_on_a_plate() {
    // Each element has its own interval: the transform must use element i's bounds.
    #[model]
    fn boxes(low: &DVector<f64>, high: &DVector<f64>) {
        let units = plate!(low.len());
        let v = sample!(Uniform::new(low, high), units);
    }
    let (low, high) = (
        DVector::from_vec(vec![0.0, 10.0]),
        DVector::from_vec(vec![1.0, 11.0]),
    );
    let model = Boxes::new(&low, &high);
    let posterior = nuts(model.scenario(), &options(12)).unwrap();
    let draws = posterior.site(|d| &d.v);
    for (i, (lo, hi)) in [(0.0, 1.0), (10.0, 11.0)].into_iter().enumerate() {
        let chains: Vec<Vec<f64>> = draws
            .iter()
            .map(|c| c.iter().map(|v| v[i]).collect())
            .collect();
        assert!(chains.iter().flatten().all(|x| *x > lo && *x < hi));
        assert_moments(
            &format!("v[{i}]"),
            &chains,
            (lo + hi) / 2.0,
            (1.0f64 / 12.0).sqrt(),
        );
    }
    // Starting values on the boundary of an open support have no unconstrained coordinate.
    let draw = BoxesValues {
        v: Some(DVector::from_vec(vec![0.5, 11.0])),
    };
    assert!(model.scenario().unconstrain(&draw).is_err());
}
