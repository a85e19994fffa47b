//! Custom guides (`#[guide]`) against closed forms: the conjugate normal posterior, a
//! per-unit local latent whose mean-field optimum is known exactly, a positive site drawn
//! from a LogNormal against AutoNormal's identical family, point estimates by Delta (the
//! posterior mode; the marginal MAP beside normals per unit); the pathwise ELBO gradient
//! against finite differences; scenario mismatches as typed errors; determinism.

mod common;

use common::assert_matches_finite_differences;
use doppl::inference::svi::{
    AutoGuide, GuideMismatch, Optimizer, Schedule, SviError, SviOptions, guide_elbo, svi, svi_guide,
};
use doppl::prelude::*;

/// y ~ N(mu, 1), mu ~ N(0, 1).
#[model]
fn normal_mean(n: usize) {
    let mu = sample!(Normal::new(0.0, 1.0));
    let y = sample!(Normal::new(mu, 1.0), plate!(n));
}

#[guide(for = NormalMean, observed(y))]
fn normal_mean_guide() {
    let mu_loc = param!(0.0);
    let mu_scale = param!(0.5, constraint = positive);
    let mu = sample!(Normal::new(mu_loc, mu_scale));
}

/// A per-unit latent: z_i ~ N(mu, 1), y_i ~ N(z_i, 1), mu ~ N(0, 10).
#[model]
fn local_means(n: usize) {
    let units = plate!(n);
    let mu = sample!(Normal::new(0.0, 10.0));
    let z = sample!(Normal::new(mu, 1.0), units);
    let y = sample!(Normal::new(z, 1.0), units);
}

#[guide(for = LocalMeans, observed(y))]
fn local_means_guide(n: usize) {
    let units = plate!(n);
    let mu_loc = param!(0.0);
    let mu_scale = param!(0.1, constraint = positive);
    let mu = sample!(Normal::new(mu_loc, mu_scale));
    let z_loc = param!(0.0, units);
    let z_scale = param!(0.1, constraint = positive, units);
    let z = sample!(Normal::new(z_loc, z_scale), units);
}

/// A Poisson rate with a Gamma prior: a positive latent.
#[model]
fn rate(n: usize) {
    let lambda = sample!(Gamma::new(2.0, 1.0));
    let k = sample!(Poisson::new(lambda), plate!(n));
}

#[guide(for = Rate, observed(k))]
fn rate_guide() {
    let loc = param!(0.0);
    let scale = param!(0.1, constraint = positive);
    let lambda = sample!(LogNormal::new(loc, scale));
}

fn data(n: usize) -> DVector<f64> {
    DVector::from_fn(n, |i, _| ((i * 7) % 5) as f64 * 0.6 - 0.4)
}

/// Settles the parameters at the end: the rate decays 1,000-fold over the run.
fn settling(steps: usize, seed: u64) -> SviOptions {
    let decay = (1e-3f64).powf(1.0 / steps as f64);
    SviOptions {
        steps,
        optimizer: Optimizer::adam(0.02).with_schedule(Schedule::Exponential { decay }),
        seed,
        progress: false,
        ..SviOptions::default()
    }
}

#[test]
fn a_custom_normal_guide_recovers_the_conjugate_normal_posterior() {
    let y = data(20);
    let (mean, sd) = (y.sum() / 21.0, (1.0f64 / 21.0).sqrt());
    let model = NormalMean::new(20);
    let guide = NormalMeanGuide::new();
    let fit = svi_guide(model.condition().y(y), &guide, &settling(4_000, 1)).unwrap();
    let (m, s) = (
        fit.param("mu_loc").unwrap()[0],
        fit.param("mu_scale").unwrap()[0],
    );
    assert!(
        (m - mean).abs() < 0.03 && (s - sd).abs() < 0.03,
        "{m} {s} vs {mean} {sd}"
    );
    assert_eq!(fit.skipped, 0);
    // The fit's draws are the guide's: their mean and sd within 4 MCSE of the guide's.
    let draws: Vec<f64> = fit.site(|v| &v.mu).concat();
    let n = draws.len() as f64;
    let draw_mean = draws.iter().sum::<f64>() / n;
    assert!(
        (draw_mean - m).abs() < 4.0 * s / n.sqrt(),
        "{draw_mean} vs {m}"
    );
}

/// Mean-field on a Gaussian target: the optimum has the exact means and the inverse
/// diagonal of the joint precision as variances (prec(mu) = 1/100 + n, prec(z_i) = 2).
#[test]
fn a_guide_with_one_parameter_per_unit_finds_the_mean_field_optimum() {
    let n = 10;
    let y = DVector::from_fn(n, |i, _| (i as f64 * 0.37).sin() * 2.0 + 1.0);
    let mu_mean = (y.sum() / 2.0) / (0.01 + n as f64 / 2.0);
    let model = LocalMeans::new(n);
    let guide = LocalMeansGuide::new(n);
    let fit = svi_guide(model.condition().y(y.clone()), &guide, &settling(6_000, 3)).unwrap();
    let check = |name: &str, found: f64, exact: f64| {
        assert!((found - exact).abs() < 0.03, "{name}: {found} vs {exact}");
    };
    check("mu loc", fit.param("mu_loc").unwrap()[0], mu_mean);
    check(
        "mu scale",
        fit.param("mu_scale").unwrap()[0],
        (0.01 + n as f64).powf(-0.5),
    );
    let (z_loc, z_scale) = (fit.param("z_loc").unwrap(), fit.param("z_scale").unwrap());
    for i in 0..n {
        check("z loc", z_loc[i], (mu_mean + y[i]) / 2.0);
        check("z scale", z_scale[i], 0.5f64.sqrt());
    }
}

/// A point estimate of the Poisson rate: the ELBO of a Delta guide is ln p(k, λ), so the fit
/// lands on the posterior mode Gamma(2 + Σk, 1 + n) has on λ's own scale, (1 + Σk) / (1 + n).
#[guide(for = Rate, observed(k))]
fn rate_point_guide() {
    let rate = param!(1.0, constraint = positive);
    let lambda = sample!(Delta::new(rate));
}

#[test]
fn a_delta_guide_finds_the_posterior_mode() {
    let k = DVector::from_fn(12, |i, _| ((i * 5) % 7) as u64);
    let mode = (1.0 + k.sum() as f64) / 13.0;
    let (model, guide) = (Rate::new(12), RatePointGuide::new());
    let fit = svi_guide(model.condition().k(k.clone()), &guide, &settling(3_000, 4)).unwrap();
    let rate = fit.param("rate").unwrap()[0];
    assert!((rate - mode).abs() < 1e-3, "{rate} vs the mode {mode}");
    // Every draw is the point, and with no entropy the ELBO is the log joint there (on λ's
    // own scale: the unconstrained density less its log-Jacobian ln λ).
    let draws = fit.site(|d| &d.lambda).concat();
    assert!(
        draws.iter().all(|&l| (l - rate).abs() <= 1e-14 * rate),
        "{draws:?}"
    );
    let scenario = model.condition().k(k);
    let joint = scenario.log_density(&[rate.ln()]).unwrap().total() - rate.ln();
    let last = *fit.elbo.last().unwrap();
    assert!((last - joint).abs() < 1e-4, "ELBO {last} vs ln p {joint}");
}

/// A Delta for the global beside normals per unit: given mu the units' posteriors are
/// independent normals, so the optimum is exact inference for z and the marginal MAP of mu,
/// (Σy / 2) / (1/100 + n/2), with z_i ~ N((mu + y_i) / 2, 1/2).
#[guide(for = LocalMeans, observed(y))]
fn local_means_point_guide(n: usize) {
    let units = plate!(n);
    let mu_point = param!(0.0);
    let mu = sample!(Delta::new(mu_point));
    let z_loc = param!(0.0, units);
    let z_scale = param!(0.1, constraint = positive, units);
    let z = sample!(Normal::new(z_loc, z_scale), units);
}

#[test]
fn a_delta_beside_normals_per_unit_reaches_the_marginal_map() {
    let n = 10;
    let y = DVector::from_fn(n, |i, _| (i as f64 * 0.37).sin() * 2.0 + 1.0);
    let mu_map = (y.sum() / 2.0) / (0.01 + n as f64 / 2.0);
    let (model, guide) = (LocalMeans::new(n), LocalMeansPointGuide::new(n));
    let fit = svi_guide(model.condition().y(y.clone()), &guide, &settling(6_000, 3)).unwrap();
    let mu = fit.param("mu_point").unwrap()[0];
    assert!((mu - mu_map).abs() < 0.03, "{mu} vs {mu_map}");
    let (z_loc, z_scale) = (fit.param("z_loc").unwrap(), fit.param("z_scale").unwrap());
    for i in 0..n {
        assert!((z_loc[i] - (mu_map + y[i]) / 2.0).abs() < 0.03, "z loc {i}");
        assert!((z_scale[i] - 0.5f64.sqrt()).abs() < 0.03, "z scale {i}");
    }
}

/// A point mass is not a density NUTS or SVI can explore: as a model's latent it is refused.
#[model]
fn point_prior() {
    let w = sample!(Delta::new(1.0));
    let y = sample!(Normal::new(w, 1.0));
}

#[test]
fn a_delta_latent_in_a_model_is_a_typed_error() {
    let model = PointPrior::new();
    let scenario = model.condition().y(0.5);
    match scenario.layout() {
        Err(ModelError::DiscreteLatent { site, family }) => {
            assert_eq!((site, family), ("w", "Delta"));
        }
        other => panic!("expected DiscreteLatent, got {other:?}"),
    }
    let observed = model.condition().w(1.0).y(0.5);
    let lp = observed.log_density(&[]).unwrap().total();
    let expected = -0.5 * 0.25 - 0.5 * (2.0 * std::f64::consts::PI).ln();
    assert!((lp - expected).abs() < 1e-12);
}

/// A LogNormal guide for a positive site is AutoNormal's family on ln λ: both fits reach
/// the same optimum.
#[test]
fn a_log_normal_guide_for_a_positive_site_agrees_with_auto_normal() {
    let k = DVector::from_fn(12, |i, _| ((i * 5) % 7) as u64);
    let model = Rate::new(12);
    let guide = RateGuide::new();
    let custom = svi_guide(model.condition().k(k.clone()), &guide, &settling(4_000, 5)).unwrap();
    let auto = svi(
        model.condition().k(k),
        AutoGuide::Normal,
        &settling(4_000, 6),
    )
    .unwrap();
    let (loc, scale) = (
        custom.param("loc").unwrap()[0],
        custom.param("scale").unwrap()[0],
    );
    let (auto_loc, auto_scale) = (
        auto.guide.location()[0],
        auto.guide.covariance()[(0, 0)].sqrt(),
    );
    assert!((loc - auto_loc).abs() < 0.02, "{loc} vs {auto_loc}");
    assert!((scale - auto_scale).abs() < 0.02, "{scale} vs {auto_scale}");
}

/// At fixed noise the estimate is a smooth function of the parameters, and the pathwise
/// gradient is its derivative.
#[test]
fn the_pathwise_gradient_matches_finite_differences() {
    let n = 6;
    let y = DVector::from_fn(n, |i, _| i as f64 * 0.5 - 1.0);
    let model = LocalMeans::new(n);
    let scenario = model.condition().y(y).build();
    let guide = LocalMeansGuide::new(n);
    let estimate = |p: Option<&[f64]>| guide_elbo(&scenario, &guide, p, 2, 11).unwrap();
    let n_params = estimate(None).params.len();
    assert_matches_finite_differences(estimate, 0..n_params);
}

#[test]
fn a_guide_that_does_not_fit_the_scenario_is_a_typed_error_naming_the_site() {
    let model = NormalMean::new(5);
    let guide = NormalMeanGuide::new();
    // y is declared observed but left latent.
    match svi_guide(model.condition(), &guide, &settling(10, 1)) {
        Err(SviError::Guide {
            site: "y",
            problem: GuideMismatch::NotDrawn,
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
    // mu is drawn by the guide but conditioned.
    let scenario = model.condition().y(data(5)).mu(0.5);
    match svi_guide(scenario, &guide, &settling(10, 1)) {
        Err(SviError::Guide {
            site: "mu",
            problem: GuideMismatch::NotLatent,
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
    // A guide on a plate of another size.
    let model = LocalMeans::new(4);
    let small = LocalMeansGuide::new(3);
    match svi_guide(model.condition().y(data(4)), &small, &settling(10, 1)) {
        Err(SviError::Guide {
            site: "z",
            problem:
                GuideMismatch::Length {
                    expected: 4,
                    found: 3,
                },
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_same_seed_gives_the_same_fit() {
    let model = LocalMeans::new(5);
    let guide = LocalMeansGuide::new(5);
    let fit = |seed| {
        svi_guide(model.condition().y(data(5)), &guide, &settling(200, seed))
            .unwrap()
            .guide
            .params
    };
    assert_eq!(fit(9), fit(9));
    assert_ne!(fit(9), fit(10));
}

/// A guide that draws a positive site from a Normal far below zero: every draw is outside
/// the model's support, every step is skipped, and the error names the site.
#[guide(for = Rate, observed(k))]
fn negative_rate_guide() {
    let loc = param!(-5.0);
    let lambda = sample!(Normal::new(loc, 0.1));
}

#[test]
fn a_guide_drawing_outside_the_support_skips_steps_and_names_the_site() {
    let k = DVector::from_fn(4, |i, _| i as u64);
    let model = Rate::new(4);
    let guide = NegativeRateGuide::new();
    match svi_guide(model.condition().k(k), &guide, &settling(20, 1)) {
        Err(SviError::AllStepsSkipped {
            steps: 20,
            last: Some(error),
        }) => assert_eq!(error.site(), Some("lambda"), "{error}"),
        other => panic!("{other:?}"),
    }
}

/// A guide whose body panics for some draws: those steps are skipped like a model's panic,
/// and the fit goes on; nothing unwinds into the caller.
#[guide(for = NormalMean, observed(y))]
fn panicking_guide() {
    let mu_loc = param!(0.0);
    let mu = sample!(Normal::new(mu_loc, 1.0));
    if mu > 1.5 {
        panic!("the guide refuses large draws");
    }
}

#[test]
fn a_panic_in_the_guide_skips_the_step() {
    let model = NormalMean::new(5);
    let guide = PanickingGuide::new();
    let fit = svi_guide(model.condition().y(data(5)), &guide, &settling(400, 2)).unwrap();
    assert!(
        fit.skipped > 0 && fit.skipped < 400,
        "{} skipped",
        fit.skipped
    );
    assert_eq!(fit.elbo.iter().filter(|e| e.is_nan()).count(), fit.skipped);
}
