//! The A/B example: with uninformative priors each rate's posterior is the exact Beta
//! (Kolmogorov–Smirnov at the effective sample size) and the lift matches a Monte Carlo of
//! the exact Betas within Monte Carlo error; CUPED narrows the effect's posterior by the
//! factor the pre/post correlation predicts (within 10%); the JSON carries its keys.

#[allow(dead_code)]
#[path = "../examples/ab_test/analysis.rs"]
mod analysis;
#[path = "../examples/ab_test/model.rs"]
mod model;

use analysis::{Args, analyze, simulate_conversions};
use doppl::prelude::*;
use model::BetaRates;
use rand_distr::{Beta as BetaDraw, Distribution as _};
use statrs::distribution::{Beta as BetaDist, ContinuousCDF};

/// Kolmogorov–Smirnov distance between draws and a CDF.
fn ks(draws: &[f64], cdf: impl Fn(f64) -> f64) -> f64 {
    let mut sorted = draws.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len() as f64;
    sorted
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let f = cdf(x);
            (f - i as f64 / n).abs().max(((i + 1) as f64 / n - f).abs())
        })
        .fold(0.0, f64::max)
}

fn quantile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

#[test]
fn uninformative_rates_match_the_exact_beta_posteriors() {
    let n = 500;
    let (k_c, k_t) = simulate_conversions(n, 3);
    let model = BetaRates::new(n, n);
    let scenario = model
        .condition()
        .conversions_control(k_c)
        .conversions_treated(k_t);
    let options = NutsOptions {
        seed: 3,
        ..Default::default()
    };
    let fit = nuts(scenario, &options).unwrap();
    let summary = fit.summary();
    for (site, k) in [("cr_control", k_c), ("cr_treated", k_t)] {
        let draws: Vec<f64> = match site {
            "cr_control" => fit.site(|d| &d.cr_control).concat(),
            _ => fit.site(|d| &d.cr_treated).concat(),
        };
        let exact = BetaDist::new(1.0 + k as f64, 1.0 + (n - k) as f64).unwrap();
        let ess = summary.row(site).unwrap().ess_bulk;
        // α = 0.001 critical value of the KS distance at the ESS.
        let critical = 1.95 / ess.sqrt();
        let d = ks(&draws, |x| exact.cdf(x));
        assert!(d < critical, "{site}: KS {d} ≥ {critical} (ESS {ess})");
    }
    // The lift against 400,000 draws of the exact Betas.
    let mut rng = StdRng::seed_from_u64(8);
    let (bc, bt) = (
        BetaDraw::new(1.0 + k_c as f64, 1.0 + (n - k_c) as f64).unwrap(),
        BetaDraw::new(1.0 + k_t as f64, 1.0 + (n - k_t) as f64).unwrap(),
    );
    let mut exact: Vec<f64> = (0..400_000)
        .map(|_| bt.sample(&mut rng) / bc.sample(&mut rng) - 1.0)
        .collect();
    exact.sort_by(f64::total_cmp);
    let mut lift: Vec<f64> = fit.site(|d| &d.relative_lift).concat();
    lift.sort_by(f64::total_cmp);
    let ess = summary
        .row("cr_treated")
        .unwrap()
        .ess_bulk
        .min(summary.row("cr_control").unwrap().ess_bulk);
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let sd = {
        let m = mean(&exact);
        (exact.iter().map(|v| (v - m).powi(2)).sum::<f64>() / exact.len() as f64).sqrt()
    };
    assert!((mean(&lift) - mean(&exact)).abs() < 4.0 * sd / ess.sqrt());
    for p in [0.05, 0.5, 0.95] {
        // A quantile's MCSE for a near-normal law: sd · √(p(1 − p)/ESS) / φ(Φ⁻¹(p)).
        let z: f64 = statrs::distribution::Normal::standard().inverse_cdf(p);
        let phi = (-z * z / 2.0).exp() / (2.0 * std::f64::consts::PI).sqrt();
        let mcse = sd * (p * (1.0 - p) / ess).sqrt() / phi;
        let (ours, theirs) = (quantile(&lift, p), quantile(&exact, p));
        assert!(
            (ours - theirs).abs() < 4.0 * mcse,
            "q{p}: {ours} vs {theirs}"
        );
    }
}

#[test]
fn the_example_decides_and_cuped_narrows_the_effect_as_predicted() {
    let args = Args {
        n: 20_000,
        seed: 1,
        json: None,
    };
    let report = analyze(&args).unwrap();
    let ratio = report.cuped_sd_ratio / report.predicted_sd_ratio;
    assert!(
        (ratio - 1.0).abs() < 0.1,
        "{} vs {}",
        report.cuped_sd_ratio,
        report.predicted_sd_ratio
    );
    assert!(report.cuped_sd_ratio < 0.6);
    let e = &report.cuped_effect;
    assert!((e.mean - analysis::CUPED_EFFECT).abs() < 4.0 * e.sd);
    let (lift, decision) = &report.lift;
    assert!((lift.mean - analysis::TRUE_LIFT).abs() < 4.0 * lift.sd);
    assert!(decision.hdi.0 < lift.mean && lift.mean < decision.hdi.1);
    let json = report.json();
    for key in ["mean", "lo", "hi", "hdi_lo", "hdi_hi"] {
        assert!(json["lift"][key].is_f64(), "lift.{key}");
    }
    assert!(json["p_lift_positive"].is_f64() && json["decision"].is_string());
    assert_eq!(json["truth"]["lift"], analysis::TRUE_LIFT);
    assert_eq!(json["cuped_sd_ratio"], report.cuped_sd_ratio);
}
