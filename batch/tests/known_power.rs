//! The power of a Bayesian decision in a case with a closed form: a Normal mean with known
//! sd, whose posterior is conjugate, so each simulated data set's decision is computed
//! exactly instead of by NUTS.
//!
//! Model: y₁..yₙ ~ N(μ, σ²), σ known, prior μ ~ N(0, τ²). The posterior is N(m, s²) with
//! precision 1/s² = 1/τ² + n/σ² and mean m = c·ȳ, c = (n/σ²)·s². Its 94% HDI is m ± z·s,
//! z = Φ⁻¹(0.97) (a Normal's HDI is its central interval), and the HDI + ROPE rule decides
//! "positive" when the HDI lies above the ROPE (−r, r): m − z·s > r, i.e. ȳ > t with
//! t = (r + z·s)/c. Under the truth μ₀, ȳ ~ N(μ₀, σ²/n), so the power is
//! P(ȳ > t) = 1 − Φ((t − μ₀)·√n/σ). s and c depend on n only, not on the data.

use doppl_batch::{Layout, Study, power_by};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, Normal};
use statrs::distribution::{ContinuousCDF, Normal as NormalDist};

const SIGMA: f64 = 1.0;
const TAU: f64 = 1.0;
const TRUE_MEAN: f64 = 0.3;
const ROPE: f64 = 0.1;
const HDI_MASS: f64 = 0.94;

fn standard() -> NormalDist {
    NormalDist::new(0.0, 1.0).expect("a standard Normal")
}

/// (s, c, t) of the module docs for n observations.
fn posterior_terms(n: u64) -> (f64, f64, f64) {
    let n = n as f64;
    let s = (1.0 / TAU.powi(2) + n / SIGMA.powi(2)).powf(-0.5);
    let c = n / SIGMA.powi(2) * s * s;
    let z = standard().inverse_cdf(0.5 + HDI_MASS / 2.0);
    (s, c, (ROPE + z * s) / c)
}

/// The closed-form power at n.
fn analytic_power(n: u64) -> f64 {
    let (_, _, t) = posterior_terms(n);
    1.0 - standard().cdf((t - TRUE_MEAN) * (n as f64).sqrt() / SIGMA)
}

/// One simulated data set and its decision from the exact posterior.
fn decide(n: u64, seed: u64) -> Result<bool, String> {
    let mut rng = StdRng::seed_from_u64(seed);
    let truth = Normal::new(TRUE_MEAN, SIGMA).map_err(|e| e.to_string())?;
    let ybar = (0..n).map(|_| truth.sample(&mut rng)).sum::<f64>() / n as f64;
    let (s, c, _) = posterior_terms(n);
    let z = standard().inverse_cdf(0.5 + HDI_MASS / 2.0);
    Ok(c * ybar - z * s > ROPE)
}

#[test]
fn decision_power_matches_the_closed_form_within_3_mcse() {
    let sizes = [25u64, 50, 200];
    let keys: Vec<(u64, u64)> = sizes
        .iter()
        .flat_map(|&n| (0..2_000).map(move |sim| (n, sim)))
        .collect();
    let study = Study::new(keys, 12, |&(n, _): &(u64, u64), seed| decide(n, seed)).progress(false);
    let rows = study.run(&Layout::Threads(2)).unwrap().unwrap();
    let power = power_by(&rows, |k| k.0, |positive: &bool| *positive);
    for n in sizes {
        let (estimate, exact) = (&power[&n], analytic_power(n));
        assert_eq!((estimate.completed, estimate.failures), (2_000, 0));
        assert!(
            (estimate.power - exact).abs() < 3.0 * estimate.mcse,
            "n = {n}: simulated {:.4} ± {:.4}, closed form {exact:.4}",
            estimate.power,
            estimate.mcse
        );
    }
    // The three sizes span the interesting range of the curve.
    assert!(analytic_power(25) < 0.2 && analytic_power(200) > 0.7);
}
