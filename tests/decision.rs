//! HDI, ROPE and the decision rule against closed forms: the HDI of Normal and Gamma draws
//! matches the exact shortest interval within Monte Carlo error, a bimodal mixture gives the
//! shortest single interval (around one mode), ROPE probabilities match the CDF, and
//! impossible requests are typed errors.

use doppl::inference::decision::{DecisionError, Verdict, decide, hdi, rope_probability};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, Gamma, Normal};
use statrs::distribution::{Continuous, ContinuousCDF, Gamma as GammaDist};

const N: usize = 40_000;

fn draws<D: Distribution<f64>>(d: D, seed: u64) -> Vec<f64> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..N).map(|_| d.sample(&mut rng)).collect()
}

/// The standard error of an interval end at density f: √(p(1 − p)/n) / f, with p the tail
/// beyond it.
fn end_se(tail: f64, density: f64) -> f64 {
    (tail * (1.0 - tail) / N as f64).sqrt() / density
}

#[test]
fn normal_hdi_is_the_central_interval() {
    let z = draws(Normal::new(0.0, 1.0).unwrap(), 1);
    let (lo, hi) = hdi(&z, 0.94).unwrap();
    let exact: f64 = 1.880_793_608_151_251; // Φ⁻¹(0.97)
    let se = end_se(
        0.03,
        (-exact * exact / 2.0).exp() / (2.0 * std::f64::consts::PI).sqrt(),
    );
    assert!(
        (lo + exact).abs() < 4.0 * se && (hi - exact).abs() < 4.0 * se,
        "[{lo}, {hi}]"
    );
}

/// The exact 90% HDI of Gamma(2, 1): the a < mode < b with F(b) − F(a) = 0.9 and f(a) = f(b).
fn gamma_hdi() -> (f64, f64) {
    let g = GammaDist::new(2.0, 1.0).unwrap();
    // For each a below the mode, b above it with f(b) = f(a); then solve the mass for a.
    let partner = |a: f64| {
        let (mut lo, mut hi) = (1.0, 50.0);
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if g.pdf(mid) > g.pdf(a) {
                lo = mid
            } else {
                hi = mid
            }
        }
        0.5 * (lo + hi)
    };
    let (mut lo, mut hi) = (1e-9, 1.0);
    for _ in 0..200 {
        let a = 0.5 * (lo + hi);
        if g.cdf(partner(a)) - g.cdf(a) > 0.9 {
            lo = a
        } else {
            hi = a
        }
    }
    let a = 0.5 * (lo + hi);
    (a, partner(a))
}

#[test]
fn gamma_hdi_matches_the_shortest_interval() {
    let x = draws(Gamma::new(2.0, 1.0).unwrap(), 2);
    let (lo, hi) = hdi(&x, 0.9).unwrap();
    let (a, b) = gamma_hdi();
    let g = GammaDist::new(2.0, 1.0).unwrap();
    assert!(
        (lo - a).abs() < 4.0 * end_se(g.cdf(a), g.pdf(a)),
        "{lo} vs {a}"
    );
    assert!(
        (hi - b).abs() < 4.0 * end_se(1.0 - g.cdf(b), g.pdf(b)),
        "{hi} vs {b}"
    );
    // Shorter than the equal-tailed interval of a skewed law.
    assert!(hi - lo < g.inverse_cdf(0.95) - g.inverse_cdf(0.05));
}

#[test]
fn a_bimodal_mixture_gives_the_shortest_single_interval() {
    let mut rng = StdRng::seed_from_u64(3);
    let mode = Normal::new(0.0, 0.5).unwrap();
    let x: Vec<f64> = (0..N)
        .map(|i| mode.sample(&mut rng) + if i % 2 == 0 { -3.0 } else { 3.0 })
        .collect();
    // 40% of the mass: the central 80% of one mode, 2 · 1.2816 · 0.5 wide, around ±3.
    let (lo, hi) = hdi(&x, 0.4).unwrap();
    let width = 2.0 * 1.281_551_565_545 * 0.5;
    assert!((hi - lo - width).abs() < 0.05, "[{lo}, {hi}]");
    assert!(((lo + hi) / 2.0).abs() > 2.9, "[{lo}, {hi}]");
}

#[test]
fn rope_probabilities_and_the_decision_rule() {
    let z = draws(Normal::new(0.3, 0.1).unwrap(), 4);
    let p = rope_probability(&z, -0.1, 0.1).unwrap();
    let exact = statrs::distribution::Normal::new(0.3, 0.1)
        .unwrap()
        .cdf(0.1);
    assert!(
        (p - exact).abs() < 4.0 * (exact * (1.0 - exact) / N as f64).sqrt(),
        "{p}"
    );
    let d = decide(&z, (-0.1, 0.1), 0.94).unwrap();
    assert_eq!(d.verdict, Verdict::Positive);
    assert!(d.loss_if_adopted < 1e-3 && d.loss_if_rejected > 0.29);
    let wide = decide(&z, (-0.5, 0.5), 0.94).unwrap();
    assert_eq!(wide.verdict, Verdict::Equivalent);
    let edge = decide(&z, (-0.1, 0.25), 0.94).unwrap();
    assert_eq!(edge.verdict, Verdict::Undecided);
}

#[test]
fn impossible_requests_are_typed_errors() {
    let z = draws(Normal::new(0.0, 1.0).unwrap(), 5);
    assert_eq!(hdi(&z, 1.0), Err(DecisionError::Mass { mass: 1.0 }));
    assert_eq!(hdi(&z, 0.0), Err(DecisionError::Mass { mass: 0.0 }));
    assert!(matches!(hdi(&[1.0], 0.5), Err(DecisionError::Draws { .. })));
    assert!(matches!(
        hdi(&[1.0, f64::NAN], 0.5),
        Err(DecisionError::Draws { .. })
    ));
    assert_eq!(
        rope_probability(&z, 1.0, -1.0),
        Err(DecisionError::Rope { lo: 1.0, hi: -1.0 })
    );
}
