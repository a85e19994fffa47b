//! Simultaneous confidence bands for the ECDF of uniform (fractional) ranks, after
//! Säilynoja, Bürkner & Vehtari (2022), "Graphical test for discrete uniformity and its
//! applications in goodness-of-fit evaluation and multiple sample comparison", Statistics
//! and Computing 32:32.
//!
//! At K equally spaced points zᵢ = i/K the ECDF count cᵢ of N uniform ranks is
//! Binomial(N, zᵢ), so a pointwise band at level γ is [qbinom(γ/2), qbinom(1 − γ/2)]. The
//! ECDF stays inside K − 1 such intervals at once with a probability well below 1 − γ; the
//! paper's adjustment lowers γ until the *whole* ECDF lies inside with probability 1 − α.
//! That probability is computed here exactly with the paper's recursion (their
//! "optimization" method), not by simulation: the increments of the counts between
//! consecutive points are binomial given the count so far, cᵢ − cᵢ₋₁ | cᵢ₋₁ ~
//! Binomial(N − cᵢ₋₁, 1/(K − i + 1)), so the joint probability of staying inside is a
//! forward pass over the allowed counts. γ is then found by a binary search; the result has no
//! Monte Carlo error and needs no seed.

use crate::sbc::SbcError;

/// The simultaneous 1 − α band of the ECDF of `samples` uniform ranks at the interior
/// points zᵢ = i/K, i = 1..K−1 (at z = 0 and z = 1 the ECDF is 0 and 1 for certain).
#[derive(Clone, Debug, PartialEq)]
pub struct EcdfBand {
    /// N, the number of ranks the band is for.
    pub samples: usize,
    /// The family-wise level asked for: the whole ECDF leaves the band with probability α.
    pub alpha: f64,
    /// The adjusted pointwise level γ ≤ α that achieves it.
    pub gamma: f64,
    /// The exact probability that N uniform ranks stay inside the band, ≥ 1 − α (above it by
    /// the discreteness of the counts).
    pub coverage: f64,
    /// The evaluation points zᵢ = i/K, i = 1..K−1.
    pub points: Vec<f64>,
    /// The smallest count cᵢ inside the band at each point.
    pub lower: Vec<usize>,
    /// The largest count cᵢ inside the band at each point.
    pub upper: Vec<usize>,
}

impl EcdfBand {
    /// The band for `samples` ranks evaluated at `intervals − 1` interior points i/K
    /// (K = `intervals` ≥ 2), at family-wise level `alpha` in (0, 1).
    ///
    /// ```
    /// use doppl_batch::EcdfBand;
    /// let band = EcdfBand::new(100, 20, 0.05).unwrap();
    /// // Pointwise intervals at level γ are narrower than 95% ones: γ is well below α...
    /// assert!(band.gamma < 0.05 / 2.0 && band.gamma > 0.05 / 19.0 / 2.0);
    /// // ...and the whole ECDF stays inside with probability at least 95%, by little.
    /// assert!(band.coverage >= 0.95 && band.coverage < 0.96, "{}", band.coverage);
    /// // At z = 1/2 the band holds the binomial's centre, 50 of 100.
    /// assert!(band.lower[9] < 50 && band.upper[9] > 50);
    /// ```
    pub fn new(samples: usize, intervals: usize, alpha: f64) -> Result<Self, SbcError> {
        if samples == 0 {
            return Err(SbcError::NoRanks);
        }
        if intervals < 2 {
            return Err(SbcError::TooFewPoints { intervals });
        }
        if !(alpha > 0.0 && alpha < 1.0) {
            return Err(SbcError::Alpha { alpha });
        }
        let tails = BinomialTails::new(samples, intervals);
        let gamma = tails.adjusted_gamma(alpha);
        let (lower, upper) = tails.bounds(gamma);
        Ok(EcdfBand {
            samples,
            alpha,
            gamma,
            coverage: tails.coverage(gamma),
            points: (1..intervals)
                .map(|i| i as f64 / intervals as f64)
                .collect(),
            lower,
            upper,
        })
    }

    /// The points (indices into [`EcdfBand::points`]) where `counts` lies outside the band.
    pub fn outside(&self, counts: &[usize]) -> Vec<usize> {
        counts
            .iter()
            .zip(self.lower.iter().zip(&self.upper))
            .enumerate()
            .filter(|(_, (c, (lo, hi)))| *c < *lo || *c > *hi)
            .map(|(i, _)| i)
            .collect()
    }

    /// The band as ECDF differences: (lower/N − zᵢ, upper/N − zᵢ) per point, as the ECDF
    /// difference plot shades it.
    pub fn difference_bounds(&self) -> (Vec<f64>, Vec<f64>) {
        let n = self.samples as f64;
        let diff = |counts: &[usize]| -> Vec<f64> {
            counts
                .iter()
                .zip(&self.points)
                .map(|(c, z)| *c as f64 / n - z)
                .collect()
        };
        (diff(&self.lower), diff(&self.upper))
    }
}

/// The binomial tables a band needs: the lower and upper tail probabilities of
/// Binomial(N, i/K) at every count (for the pointwise quantiles), and ln k! (for the
/// increments' probabilities in the recursion).
struct BinomialTails {
    samples: usize,
    intervals: usize,
    /// `cdf[i][k]` = P(X ≤ k), X ~ Binomial(N, (i+1)/K).
    cdf: Vec<Vec<f64>>,
    /// `sf[i][k]` = P(X ≥ k), summed from the top so that tiny upper tails keep their digits.
    sf: Vec<Vec<f64>>,
    ln_factorial: Vec<f64>,
}

impl BinomialTails {
    fn new(samples: usize, intervals: usize) -> Self {
        let ln_factorial: Vec<f64> = (0..=samples as u64)
            .map(statrs::function::factorial::ln_factorial)
            .collect();
        let mut tails = BinomialTails {
            samples,
            intervals,
            cdf: Vec::with_capacity(intervals - 1),
            sf: Vec::with_capacity(intervals - 1),
            ln_factorial,
        };
        for i in 1..intervals {
            let z = i as f64 / intervals as f64;
            let logs = (z.ln(), (-z).ln_1p());
            let pmf: Vec<f64> = (0..=samples).map(|k| tails.pmf(k, samples, logs)).collect();
            let cdf = pmf
                .iter()
                .scan(0.0, |acc, p| {
                    *acc += p;
                    Some(*acc)
                })
                .collect();
            let mut sf: Vec<f64> = pmf
                .iter()
                .rev()
                .scan(0.0, |acc, p| {
                    *acc += p;
                    Some(*acc)
                })
                .collect();
            sf.reverse();
            tails.cdf.push(cdf);
            tails.sf.push(sf);
        }
        tails
    }

    /// P(X = k) for X ~ Binomial(n, q), 0 < q < 1, given (ln q, ln(1 − q)); through logs so
    /// that n in the thousands neither overflows the coefficient nor underflows qᵏ.
    fn pmf(&self, k: usize, n: usize, (ln_q, ln_not_q): (f64, f64)) -> f64 {
        let f = &self.ln_factorial;
        (f[n] - f[k] - f[n - k] + k as f64 * ln_q + (n - k) as f64 * ln_not_q).exp()
    }

    /// The pointwise γ interval at every point: lower = the smallest k with P(X ≤ k) ≥ γ/2,
    /// upper = the largest k with P(X ≥ k) ≥ γ/2 (R's `qbinom(γ/2)` and `qbinom(1 − γ/2)`).
    fn bounds(&self, gamma: f64) -> (Vec<usize>, Vec<usize>) {
        let half = gamma / 2.0;
        let lower = self
            .cdf
            .iter()
            .map(|cdf| cdf.iter().position(|p| *p >= half).unwrap_or(self.samples))
            .collect();
        let upper = self
            .sf
            .iter()
            .map(|sf| sf.iter().rposition(|p| *p >= half).unwrap_or(0))
            .collect();
        (lower, upper)
    }

    /// The largest γ ≤ α whose intervals hold the whole ECDF with probability ≥ 1 − α.
    /// The intervals change only where γ/2 crosses a tail probability, and the coverage
    /// falls as γ grows, so the answer is one of those tail values (or α itself): a binary
    /// search over them, about 20 coverage passes instead of a bisection's 50 or more.
    fn adjusted_gamma(&self, alpha: f64) -> f64 {
        let mut candidates: Vec<f64> = self
            .cdf
            .iter()
            .chain(&self.sf)
            .flatten()
            .map(|p| 2.0 * p)
            .filter(|g| *g > 0.0 && *g < alpha)
            .chain([alpha])
            .collect();
        candidates.sort_by(f64::total_cmp);
        candidates.dedup();
        // Coverage is ≥ 1 − α for every candidate before `partition_point`, < after it.
        let first_short = candidates.partition_point(|g| self.coverage(*g) >= 1.0 - alpha);
        // Below the smallest candidate the intervals are the whole count range: coverage 1.
        first_short
            .checked_sub(1)
            .map_or(candidates[0] / 2.0, |i| candidates[i])
    }

    /// The probability that the ECDF counts of N uniform ranks lie inside the pointwise γ
    /// intervals at every point at once (the module docs' recursion).
    fn coverage(&self, gamma: f64) -> f64 {
        let (lower, upper) = self.bounds(gamma);
        // `mass[j]`: P(c at the previous point = j and inside so far); starts as c₀ = 0.
        let mut mass = vec![0.0; self.samples + 1];
        mass[0] = 1.0;
        let (mut from, mut to) = (0, 0);
        for (i, (&lo, &hi)) in lower.iter().zip(&upper).enumerate() {
            if lo > hi {
                return 0.0;
            }
            // A uniform above the previous point falls below this one with this probability.
            let q = 1.0 / (self.intervals - i) as f64;
            let logs = (q.ln(), (-q).ln_1p());
            let mut next = vec![0.0; self.samples + 1];
            for (k, slot) in next.iter_mut().enumerate().take(hi + 1).skip(lo) {
                *slot = (from..=to.min(k))
                    .map(|j| mass[j] * self.pmf(k - j, self.samples - j, logs))
                    .sum();
            }
            mass = next;
            (from, to) = (lo, hi);
        }
        mass[from..=to].iter().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One point (K = 2) is a plain binomial interval: no adjustment is needed, γ = α, and
    /// the coverage is the binomial mass inside [qbinom(α/2), qbinom(1 − α/2)].
    #[test]
    fn one_point_is_the_pointwise_interval() {
        let band = EcdfBand::new(10, 2, 0.05).unwrap();
        assert_eq!(band.gamma, 0.05);
        // Binomial(10, ½): P(X ≤ 1) = 11/1024 < 0.025 ≤ P(X ≤ 2) = 56/1024.
        assert_eq!((band.lower[0], band.upper[0]), (2, 8));
        let inside: f64 = (2..=8u64)
            .map(|k| statrs::function::factorial::binomial(10, k) / 1024.0)
            .sum();
        assert!((band.coverage - inside).abs() < 1e-12);
    }

    /// Two points, N = 2: the recursion against the joint probability enumerated by hand.
    /// With z = 1/3, 2/3 the pair (c₁, c₂) has P = Σ over the 9 equally likely cells.
    #[test]
    fn recursion_matches_enumeration() {
        let tails = BinomialTails::new(2, 3);
        // γ so wide that every count is allowed: probability 1.
        assert!((tails.coverage(1e-9) - 1.0).abs() < 1e-12);
        // Cells: each uniform lands in third 0, 1 or 2; c₁ = #third 0, c₂ = #thirds 0–1.
        let mut inside = 0.0;
        let (lower, upper) = tails.bounds(0.5);
        for a in 0..3 {
            for b in 0..3 {
                let c1 = usize::from(a == 0) + usize::from(b == 0);
                let c2 = usize::from(a <= 1) + usize::from(b <= 1);
                if (lower[0]..=upper[0]).contains(&c1) && (lower[1]..=upper[1]).contains(&c2) {
                    inside += 1.0 / 9.0;
                }
            }
        }
        assert!((tails.coverage(0.5) - inside).abs() < 1e-12, "{inside}");
    }

    #[test]
    fn bad_arguments_are_errors() {
        assert!(matches!(EcdfBand::new(0, 10, 0.05), Err(SbcError::NoRanks)));
        assert!(matches!(
            EcdfBand::new(10, 1, 0.05),
            Err(SbcError::TooFewPoints { intervals: 1 })
        ));
        assert!(matches!(
            EcdfBand::new(10, 5, 1.5),
            Err(SbcError::Alpha { .. })
        ));
        assert!(matches!(
            EcdfBand::new(10, 5, f64::NAN),
            Err(SbcError::Alpha { .. })
        ));
    }
}
