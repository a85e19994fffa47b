//! Diagnostics against known values: iid and AR(1) chains, shifted chains, and ArviZ.

use doppl_inference::diagnostics::{
    ess_bulk, ess_mean, ess_tail, mcse_mean, mcse_quantile, rhat, summarize,
};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, StandardNormal};

/// `num_chains` AR(1) chains `x_t = ρ x_{t−1} + √(1−ρ²) ε_t` started at stationarity.
fn ar1_chains(num_chains: usize, n: usize, rho: f64, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = StdRng::seed_from_u64(seed);
    let scale = (1.0 - rho * rho).sqrt();
    (0..num_chains)
        .map(|_| {
            let mut x: f64 = StandardNormal.sample(&mut rng);
            (0..n)
                .map(|_| {
                    let eps: f64 = StandardNormal.sample(&mut rng);
                    x = rho * x + scale * eps;
                    x
                })
                .collect()
        })
        .collect()
}

#[test]
fn iid_normal_draws_have_ess_near_n_and_rhat_near_one() {
    let chains = ar1_chains(4, 1000, 0.0, 11);
    let n: f64 = 4000.0;
    // τ̂ = −1 + 2 Σ ρ̂_t over a few lags; each ρ̂_t has sd ≈ 1/√n, so with ~4 lags the
    // relative error of the ESS is about 2·√(4/n) ≈ 0.06: allow four times that.
    let tolerance = 4.0 * 2.0 * (4.0 / n).sqrt();
    for ess in [ess_bulk(&chains), ess_tail(&chains), ess_mean(&chains)] {
        assert!((ess / n - 1.0).abs() < tolerance, "ess {ess} vs n {n}");
    }
    let rhat = rhat(&chains);
    assert!(rhat < 1.01 && rhat > 0.99, "rhat {rhat}");
}

#[test]
fn ar1_chain_ess_matches_theory() {
    for (rho, seed) in [(0.5, 3), (0.9, 4)] {
        let chains = ar1_chains(4, 10_000, rho, seed);
        let n: f64 = 40_000.0;
        let expected = n * (1.0 - rho) / (1.0 + rho);
        let ess = ess_mean(&chains);
        // Bartlett: var ρ̂_t ≈ (1+ρ²)/((1−ρ²) n); summed over the ~2/(1−ρ) lags Geyer keeps
        // (correlated, so count them linearly) this gives the relative sd used below.
        let lags = 2.0 / (1.0 - rho);
        let relative_sd = 2.0 * lags * ((1.0 + rho * rho) / ((1.0 - rho * rho) * n)).sqrt()
            / ((1.0 + rho) / (1.0 - rho));
        assert!(
            (ess / expected - 1.0).abs() < 4.0 * relative_sd,
            "rho {rho}: ess {ess}, expected {expected}, tolerance {}",
            4.0 * relative_sd
        );
        let bulk = ess_bulk(&chains);
        assert!(
            (bulk / expected - 1.0).abs() < 4.0 * relative_sd,
            "bulk {bulk}"
        );
    }
}

#[test]
fn shifted_chains_have_large_rhat() {
    let mut chains = ar1_chains(4, 1000, 0.0, 5);
    for x in &mut chains[3] {
        *x += 1.0;
    }
    assert!(rhat(&chains) > 1.1);
    // A scale difference alone is caught by the folded (tail) R-hat.
    let mut chains = ar1_chains(4, 1000, 0.0, 6);
    for x in &mut chains[0] {
        *x *= 4.0;
    }
    assert!(rhat(&chains) > 1.1);
}

#[test]
fn a_trend_within_one_chain_is_caught_by_splitting() {
    let chains: Vec<Vec<f64>> = ar1_chains(1, 2000, 0.0, 7)
        .into_iter()
        .map(|chain| {
            let len = chain.len() as f64;
            chain
                .iter()
                .enumerate()
                .map(|(i, x)| x + 3.0 * i as f64 / len)
                .collect()
        })
        .collect();
    assert!(rhat(&chains) > 1.1);
}

/// Bit-exact port of the xorshift64 stream in `support/arviz_reference.py`.
fn xorshift_uniforms(seed: u64, count: usize) -> Vec<f64> {
    let mut state = seed;
    (0..count)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        })
        .collect()
}

/// The chains of `support/arviz_reference.py`.
fn reference_chains(num_draws: usize, rho: f64, offset: f64, rounding: bool) -> Vec<Vec<f64>> {
    (0..4)
        .map(|c| {
            let u = xorshift_uniforms(0x9E37_79B9_7F4A_7C15 + c as u64, num_draws);
            let mut y = 0.0;
            u.iter()
                .map(|u| {
                    y = rho * y + (u - 0.5) + offset * c as f64;
                    if rounding { (y * 4.0).round() / 4.0 } else { y }
                })
                .collect()
        })
        .collect()
}

fn assert_close(name: &str, ours: f64, arviz: f64) {
    assert!(
        (ours - arviz).abs() <= 1e-9 * arviz.abs().max(1.0),
        "{name}: ours {ours:.17} vs ArviZ {arviz:.17}"
    );
}

#[test]
fn matches_arviz_on_smooth_draws() {
    let chains = reference_chains(301, 0.6, 0.01, false);
    let total: f64 = chains.iter().flatten().sum();
    assert!(
        (total - 22.804467161873085).abs() < 1e-9,
        "draws differ from Python: {total}"
    );
    assert_close("rhat", rhat(&chains), 1.01221336340165);
    assert_close("ess_bulk", ess_bulk(&chains), 367.60088905440136);
    assert_close("ess_tail", ess_tail(&chains), 427.26456069444237);
    assert_close("ess_mean", ess_mean(&chains), 371.7358214688453);
    assert_close("mcse_mean", mcse_mean(&chains), 0.017614692337659017);
    assert_close(
        "mcse_q05",
        mcse_quantile(&chains, 0.05),
        0.026939874832496602,
    );
}

#[test]
fn matches_arviz_on_tied_draws() {
    let chains = reference_chains(300, 0.3, 0.1, true);
    let total: f64 = chains.iter().flatten().sum();
    assert_eq!(total, 242.0, "draws differ from Python");
    assert_close("rhat", rhat(&chains), 1.1641233244260831);
    assert_close("ess_bulk", ess_bulk(&chains), 17.92152205326031);
    assert_close("ess_tail", ess_tail(&chains), 39.38398793815734);
    assert_close("ess_mean", ess_mean(&chains), 18.238372819573755);
    assert_close("mcse_mean", mcse_mean(&chains), 0.08109788395210867);
    assert_close("mcse_q05", mcse_quantile(&chains, 0.05), 0.125);
}

#[test]
fn degenerate_inputs_do_not_panic() {
    let constant = vec![vec![1.0; 10]; 2];
    assert_eq!(ess_bulk(&constant), 20.0);
    let short = vec![vec![1.0, 2.0, 3.0]];
    assert!(rhat(&short).is_nan());
    let with_nan = vec![vec![1.0, f64::NAN, 3.0, 4.0, 5.0]];
    assert!(ess_tail(&with_nan).is_nan());
    let summary = summarize(&ar1_chains(2, 100, 0.0, 1));
    assert!(summary.q5 < summary.q50 && summary.q50 < summary.q95);
}
