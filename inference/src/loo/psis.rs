//! Pareto-smoothed importance sampling (Vehtari, Simpson, Gelman, Yao & Gabry 2024, JMLR
//! 25(72)): the largest importance ratios are replaced by the expected order statistics of a
//! generalized Pareto distribution fitted to them, and the fit's shape k̂ says how reliable
//! the estimate is (k̂ > 0.7: not reliable).

/// Smoothed, normalized log-weights and the Pareto shape k̂ of one set of log-ratios.
pub(crate) struct Smoothed {
    /// ln wₛ, with Σ wₛ = 1.
    pub log_weights: Vec<f64>,
    /// The fitted shape of the tail (∞ when the tail is too short to fit).
    pub khat: f64,
}

/// The tail length for `draws` draws with relative efficiency `reff`: ⌈min(S/5, 3√(S/reff))⌉.
fn tail_length(draws: usize, reff: f64) -> usize {
    let s = draws as f64;
    (0.2 * s).min(3.0 * (s / reff).sqrt()).ceil() as usize
}

/// Smooths the log importance ratios `log_ratios` (for LOO: −ln p(yᵢ | θₛ)).
pub(crate) fn smooth(log_ratios: &[f64], reff: f64) -> Smoothed {
    let n = log_ratios.len();
    let top = log_ratios.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut lw: Vec<f64> = log_ratios.iter().map(|r| r - top).collect();
    let tail = tail_length(n, reff).min(n.saturating_sub(1));
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| lw[a].total_cmp(&lw[b]));
    // The cutoff is the largest ratio below the tail (never below the smallest positive f64).
    let cutoff = lw[order[n - tail - 1]].max(f64::MIN_POSITIVE.ln());
    let in_tail: Vec<usize> = order.iter().copied().filter(|&i| lw[i] > cutoff).collect();
    let khat = if in_tail.len() <= 4 {
        f64::INFINITY
    } else {
        let base = cutoff.exp();
        let excess: Vec<f64> = in_tail.iter().map(|&i| lw[i].exp() - base).collect();
        let (k, sigma) = fit_generalized_pareto(&excess);
        if k.is_finite() {
            let m = in_tail.len() as f64;
            for (rank, &i) in in_tail.iter().enumerate() {
                let p = (rank as f64 + 0.5) / m;
                lw[i] = (pareto_quantile(p, k, sigma) + base).ln().min(0.0);
            }
        }
        k
    };
    let norm = log_sum_exp(&lw);
    lw.iter_mut().for_each(|w| *w -= norm);
    Smoothed {
        log_weights: lw,
        khat,
    }
}

/// The generalized Pareto fit of Zhang & Stephens (2009, Technometrics 51(3)) to sorted
/// positive exceedances `x`, its shape shrunk towards 0.5 by a weak prior (10 pseudo
/// observations, Vehtari et al. 2024 appendix): (k̂, σ̂).
pub(crate) fn fit_generalized_pareto(x: &[f64]) -> (f64, f64) {
    let n = x.len();
    let nf = n as f64;
    let grid = 30 + (nf.sqrt() as usize);
    let quartile = x[((nf / 4.0 + 0.5) as usize).saturating_sub(1)];
    let largest = x[n - 1];
    // Candidate θ = −b values and the profile log-likelihood of each.
    let thetas: Vec<f64> = (1..=grid)
        .map(|j| {
            let b = 1.0 - (grid as f64 / (j as f64 - 0.5)).sqrt();
            b / (3.0 * quartile) + 1.0 / largest
        })
        .collect();
    let profile: Vec<f64> = thetas
        .iter()
        .map(|&t| {
            let k = x.iter().map(|v| (-t * v).ln_1p()).sum::<f64>() / nf;
            nf * ((-t / k).ln() - k - 1.0)
        })
        .collect();
    // Posterior weights of the candidates: wⱼ = 1 / Σₘ exp(ℓₘ − ℓⱼ).
    let weights: Vec<f64> = profile
        .iter()
        .map(|lj| 1.0 / profile.iter().map(|lm| (lm - lj).exp()).sum::<f64>())
        .collect();
    let kept: Vec<(f64, f64)> = thetas
        .iter()
        .zip(&weights)
        .filter(|(_, w)| **w >= 10.0 * f64::EPSILON)
        .map(|(t, w)| (*t, *w))
        .collect();
    let total: f64 = kept.iter().map(|(_, w)| w).sum();
    let theta = kept.iter().map(|(t, w)| t * w).sum::<f64>() / total;
    let k = x.iter().map(|v| (-theta * v).ln_1p()).sum::<f64>() / nf;
    let sigma = -k / theta;
    ((nf * k + 10.0 * 0.5) / (nf + 10.0), sigma)
}

/// The `p` quantile of a generalized Pareto with shape `k`, scale `sigma` and location 0.
fn pareto_quantile(p: f64, k: f64, sigma: f64) -> f64 {
    if k.abs() < f64::EPSILON {
        -sigma * (-p).ln_1p()
    } else {
        sigma * (-k * (-p).ln_1p()).exp_m1() / k
    }
}

/// ln Σ exp(xᵢ), stable.
pub(crate) fn log_sum_exp(x: &[f64]) -> f64 {
    let top = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !top.is_finite() {
        return top;
    }
    top + x.iter().map(|v| (v - top).exp()).sum::<f64>().ln()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;
    use rand_distr::{Distribution, Exp1};

    /// Exceedances of a GPD with shape 0 (exponential): k̂ near 0 (shrunk a little towards
    /// 0.5 by the prior's 10 pseudo-observations), σ̂ near the scale.
    #[test]
    fn the_fit_recovers_an_exponential_tail() {
        let mut rng = StdRng::seed_from_u64(1);
        let mut x: Vec<f64> = (0..2000)
            .map(|_| 2.0 * Distribution::<f64>::sample(&Exp1, &mut rng))
            .collect();
        x.sort_by(f64::total_cmp);
        let (k, sigma) = fit_generalized_pareto(&x);
        assert!(k.abs() < 0.05, "{k}");
        assert!((sigma / 2.0 - 1.0).abs() < 0.08, "{sigma}");
    }

    /// Pareto-tailed exceedances x = σ((1 − u)^(−k) − 1)/k with k = 0.5.
    #[test]
    fn the_fit_recovers_a_heavy_tail() {
        let mut rng = StdRng::seed_from_u64(2);
        let mut x: Vec<f64> = (0..4000)
            .map(|_| {
                let u: f64 = rand::RngExt::random(&mut rng);
                pareto_quantile(u, 0.5, 1.0)
            })
            .collect();
        x.sort_by(f64::total_cmp);
        let (k, sigma) = fit_generalized_pareto(&x);
        assert!((k - 0.5).abs() < 0.06, "{k}");
        assert!((sigma - 1.0).abs() < 0.1, "{sigma}");
    }

    #[test]
    fn weights_are_normalized_and_equal_ratios_stay_equal() {
        let s = smooth(&[0.3; 100], 1.0);
        assert!((log_sum_exp(&s.log_weights)).abs() < 1e-12);
        assert!(
            s.log_weights
                .iter()
                .all(|w| (w + 100f64.ln()).abs() < 1e-12)
        );
    }
}
