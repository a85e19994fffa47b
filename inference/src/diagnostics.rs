//! Convergence diagnostics: rank-normalized split R-hat, bulk/tail ESS and MCSE.
//!
//! Vehtari, Gelman, Simpson, Carpenter & Bürkner (2021), "Rank-normalization, folding, and
//! localization: An improved R-hat for assessing convergence of MCMC", Bayesian Analysis
//! 16(2). The details (splitting, rank offsets, Geyer's truncation) match ArviZ so that the
//! numbers agree with it.
//!
//! Every function takes one slice of draws per chain; chains must have equal lengths (longer
//! ones are truncated to the shortest). Non-finite draws or fewer than 4 draws give NaN.

use statrs::distribution::{Beta, ContinuousCDF, Normal};

/// Posterior summary of one scalar quantity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Mean over all draws.
    pub mean: f64,
    /// Standard deviation over all draws.
    pub sd: f64,
    /// Monte Carlo standard error of the mean.
    pub mcse_mean: f64,
    /// 5% quantile.
    pub q5: f64,
    /// Median.
    pub q50: f64,
    /// 95% quantile.
    pub q95: f64,
    /// Bulk effective sample size.
    pub ess_bulk: f64,
    /// Tail effective sample size.
    pub ess_tail: f64,
    /// Rank-normalized split R-hat.
    pub rhat: f64,
}

/// All diagnostics of one quantity at once.
pub fn summarize<C: AsRef<[f64]>>(chains: &[C]) -> Summary {
    let chains = equal_length(chains);
    let all = flatten(&chains);
    let mean = mean(&all);
    Summary {
        mean,
        sd: sample_variance(&all, mean).sqrt(),
        mcse_mean: mcse_mean(&chains),
        q5: quantile(&all, 0.05),
        q50: quantile(&all, 0.5),
        q95: quantile(&all, 0.95),
        ess_bulk: ess_bulk(&chains),
        ess_tail: ess_tail(&chains),
        rhat: rhat(&chains),
    }
}

/// Rank-normalized split R-hat: the larger of the bulk R-hat (on rank-normalized split
/// chains) and the tail R-hat (on rank-normalized split chains folded about the median).
pub fn rhat<C: AsRef<[f64]>>(chains: &[C]) -> f64 {
    let Some(split) = valid_split(chains) else {
        return f64::NAN;
    };
    let bulk = basic_rhat(&z_scale(&split));
    let median = quantile(&flatten(&split), 0.5);
    let folded: Vec<Vec<f64>> = split
        .iter()
        .map(|chain| chain.iter().map(|x| (x - median).abs()).collect())
        .collect();
    let tail = basic_rhat(&z_scale(&folded));
    bulk.max(tail)
}

/// Bulk effective sample size: ESS of the rank-normalized split chains.
pub fn ess_bulk<C: AsRef<[f64]>>(chains: &[C]) -> f64 {
    valid_split(chains).map_or(f64::NAN, |split| ess(&z_scale(&split)))
}

/// Tail effective sample size: the smaller ESS of the 5% and 95% quantile indicators.
pub fn ess_tail<C: AsRef<[f64]>>(chains: &[C]) -> f64 {
    ess_quantile(chains, 0.05).min(ess_quantile(chains, 0.95))
}

/// ESS for the mean: ESS of the split chains as they are.
pub fn ess_mean<C: AsRef<[f64]>>(chains: &[C]) -> f64 {
    valid_split(chains).map_or(f64::NAN, |split| ess(&split))
}

/// ESS for the `prob` quantile: ESS of the split indicator chains `x ≤ q̂`.
pub fn ess_quantile<C: AsRef<[f64]>>(chains: &[C], prob: f64) -> f64 {
    let Some(split) = valid_split(chains) else {
        return f64::NAN;
    };
    let threshold = quantile(&flatten(&equal_length(chains)), prob);
    let indicators: Vec<Vec<f64>> = split
        .iter()
        .map(|chain| {
            chain
                .iter()
                .map(|&x| f64::from(u8::from(x <= threshold)))
                .collect()
        })
        .collect();
    ess(&indicators)
}

/// Monte Carlo standard error of the mean: `sd / √ESS_mean`.
pub fn mcse_mean<C: AsRef<[f64]>>(chains: &[C]) -> f64 {
    let all = flatten(&equal_length(chains));
    sample_variance(&all, mean(&all)).sqrt() / ess_mean(chains).sqrt()
}

/// Monte Carlo standard error of the `prob` quantile: half the width of the ±1 sd interval of
/// the order statistics implied by a Beta posterior of the quantile's rank (Vehtari et al.
/// 2021, §4.4).
pub fn mcse_quantile<C: AsRef<[f64]>>(chains: &[C], prob: f64) -> f64 {
    let ess = ess_quantile(chains, prob);
    let mut sorted = flatten(&equal_length(chains));
    if ess.is_nan() || sorted.is_empty() {
        return f64::NAN;
    }
    sorted.sort_by(f64::total_cmp);
    let Ok(rank_posterior) = Beta::new(ess * prob + 1.0, ess * (1.0 - prob) + 1.0) else {
        return f64::NAN;
    };
    // Φ(−1) and Φ(1): a ±1 standard deviation interval.
    let size = sorted.len() as f64;
    let lower = rank_posterior.inverse_cdf(0.158_655_3) * size - 1.0;
    let upper = rank_posterior.inverse_cdf(0.841_344_7) * size - 1.0;
    let lower = sorted[lower.max(0.0).floor() as usize];
    let upper = sorted[upper.min(size - 1.0).ceil() as usize];
    (upper - lower) / 2.0
}

/// Quantile with linear interpolation between order statistics (NumPy's default).
pub fn quantile(values: &[f64], prob: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let position = (sorted.len() - 1) as f64 * prob;
    let below = position.floor() as usize;
    let above = (below + 1).min(sorted.len() - 1);
    sorted[below] + (position - below as f64) * (sorted[above] - sorted[below])
}

/// Classic (Gelman–Rubin) R-hat of chains taken as they are.
pub fn basic_rhat(chains: &[Vec<f64>]) -> f64 {
    let n = chains.first().map_or(0, Vec::len) as f64;
    if chains.len() < 2 || n < 2.0 {
        return f64::NAN;
    }
    let means: Vec<f64> = chains.iter().map(|chain| mean(chain)).collect();
    let within = chains
        .iter()
        .zip(&means)
        .map(|(chain, &m)| sample_variance(chain, m))
        .sum::<f64>()
        / chains.len() as f64;
    let between = n * sample_variance(&means, mean(&means));
    ((between / within + n - 1.0) / n).sqrt()
}

/// Effective sample size of chains taken as they are, with Geyer's initial monotone sequence
/// on the multi-chain autocorrelation estimate (Stan Reference Manual, "Effective sample
/// size"). Autocovariances are computed directly, lag by lag, only as far as needed.
pub fn ess(chains: &[Vec<f64>]) -> f64 {
    let num_chains = chains.len();
    let n = chains.first().map_or(0, Vec::len);
    if num_chains == 0 || n < 4 || chains.iter().flatten().any(|x| !x.is_finite()) {
        return f64::NAN;
    }
    let total = (num_chains * n) as f64;
    let (min, max) = chains
        .iter()
        .flatten()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        });
    // A constant quantity is known exactly; ArviZ reports the draw count.
    if max - min < 1e-15 {
        return total;
    }
    let autocorrelation = Autocorrelation::new(chains);
    let rho_hat = geyer_monotone_sequence(&autocorrelation, n);
    let tau = (-1.0 + 2.0 * rho_hat.truncated_sum + rho_hat.tail).max(1.0 / total.log10());
    total / tau
}

/// Centered chains and the pieces of the combined autocorrelation `ρ̂_t`.
struct Autocorrelation {
    centered: Vec<Vec<f64>>,
    mean_variance: f64,
    variance_plus: f64,
}

impl Autocorrelation {
    fn new(chains: &[Vec<f64>]) -> Self {
        let n = chains[0].len() as f64;
        let means: Vec<f64> = chains.iter().map(|chain| mean(chain)).collect();
        let centered: Vec<Vec<f64>> = chains
            .iter()
            .zip(&means)
            .map(|(chain, m)| chain.iter().map(|x| x - m).collect())
            .collect();
        let mut this = Autocorrelation {
            centered,
            mean_variance: 0.0,
            variance_plus: 0.0,
        };
        this.mean_variance = this.mean_autocovariance(0) * n / (n - 1.0);
        this.variance_plus = this.mean_variance * (n - 1.0) / n;
        if chains.len() > 1 {
            this.variance_plus += sample_variance(&means, mean(&means));
        }
        this
    }

    /// Biased (divide-by-n) autocovariance at `lag`, averaged over chains.
    fn mean_autocovariance(&self, lag: usize) -> f64 {
        let n = self.centered[0].len();
        let sum: f64 = self
            .centered
            .iter()
            .map(|c| {
                c[..n - lag]
                    .iter()
                    .zip(&c[lag..])
                    .map(|(a, b)| a * b)
                    .sum::<f64>()
            })
            .sum();
        sum / (n as f64 * self.centered.len() as f64)
    }

    /// Combined autocorrelation estimate `ρ̂_t` (Vehtari et al. 2021, eq. 10).
    fn rho(&self, lag: usize) -> f64 {
        1.0 - (self.mean_variance - self.mean_autocovariance(lag)) / self.variance_plus
    }
}

/// The summed autocorrelations that enter `τ = −1 + 2 Σ_{t≤T} ρ̂_t + ρ̂_{T+1}`.
struct TruncatedAutocorrelation {
    truncated_sum: f64,
    tail: f64,
}

/// Geyer's initial positive sequence (pairs `ρ̂_{2k} + ρ̂_{2k+1}` summed while positive),
/// made monotone, as ArviZ does it.
fn geyer_monotone_sequence(
    autocorrelation: &Autocorrelation,
    n: usize,
) -> TruncatedAutocorrelation {
    let mut rho_hat = vec![0.0; n];
    let mut even = 1.0;
    let mut odd = autocorrelation.rho(1);
    rho_hat[0] = even;
    rho_hat[1] = odd;
    let mut t = 1;
    while t < n - 3 && even + odd > 0.0 {
        even = autocorrelation.rho(t + 1);
        odd = autocorrelation.rho(t + 2);
        if even + odd >= 0.0 {
            rho_hat[t + 1] = even;
            rho_hat[t + 2] = odd;
        }
        t += 2;
    }
    // Last index of the positive sequence; −1 when not even the first pair was positive.
    let max_t = t as isize - 2;
    let after = (max_t + 1) as usize;
    if even > 0.0 {
        rho_hat[after] = even;
    }
    let mut t = 1;
    while (t as isize) <= max_t - 2 {
        let pair_before = rho_hat[t - 1] + rho_hat[t];
        if rho_hat[t + 1] + rho_hat[t + 2] > pair_before {
            rho_hat[t + 1] = pair_before / 2.0;
            rho_hat[t + 2] = rho_hat[t + 1];
        }
        t += 2;
    }
    TruncatedAutocorrelation {
        truncated_sum: rho_hat[..after].iter().sum(),
        tail: rho_hat.get(after).copied().unwrap_or(0.0),
    }
}

/// Replaces each value by the normal quantile of its fractional rank (average rank for
/// ties), `Φ⁻¹((r − 3/8) / (S + 1/4))`, keeping the chain layout (Blom's offsets).
pub fn z_scale(chains: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let all = flatten(chains);
    let ranks = average_ranks(&all);
    let size = all.len() as f64;
    let normal = Normal::standard();
    let mut z = ranks
        .into_iter()
        .map(|rank| normal.inverse_cdf((rank - 0.375) / (size + 0.25)));
    chains
        .iter()
        .map(|chain| z.by_ref().take(chain.len()).collect())
        .collect()
}

/// 1-based ranks with ties given their average rank.
fn average_ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && values[order[end]] == values[order[start]] {
            end += 1;
        }
        // Positions start..end hold ranks start+1 ..= end; their average:
        let average = (start + 1 + end) as f64 / 2.0;
        for &index in &order[start..end] {
            ranks[index] = average;
        }
        start = end;
    }
    ranks
}

/// Splits each chain into its first and last halves (dropping the middle draw of an odd
/// length), so that R-hat also sees trends within a chain.
pub fn split_chains(chains: &[Vec<f64>]) -> Vec<Vec<f64>> {
    chains
        .iter()
        .flat_map(|chain| {
            let half = chain.len() / 2;
            [chain[..half].to_vec(), chain[chain.len() - half..].to_vec()]
        })
        .collect()
}

/// Split chains if the input is usable (≥ 4 draws per chain, all finite), else `None`.
fn valid_split<C: AsRef<[f64]>>(chains: &[C]) -> Option<Vec<Vec<f64>>> {
    let chains = equal_length(chains);
    let usable = !chains.is_empty()
        && chains[0].len() >= 4
        && chains.iter().flatten().all(|x| x.is_finite());
    usable.then(|| split_chains(&chains))
}

/// Copies the chains, truncated to the shortest one.
fn equal_length<C: AsRef<[f64]>>(chains: &[C]) -> Vec<Vec<f64>> {
    let len = chains.iter().map(|c| c.as_ref().len()).min().unwrap_or(0);
    chains.iter().map(|c| c.as_ref()[..len].to_vec()).collect()
}

fn flatten(chains: &[Vec<f64>]) -> Vec<f64> {
    chains.iter().flatten().copied().collect()
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

/// Variance with the `n − 1` denominator.
fn sample_variance(values: &[f64], mean: f64) -> f64 {
    values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (values.len() as f64 - 1.0)
}
