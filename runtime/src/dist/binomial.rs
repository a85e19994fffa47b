//! The binomial distribution: successes in `total_count` independent trials.

use super::common::{check_finite, check_param, out_of_support, reject_batched, sample_each};
use super::{DistError, Distribution, IntoParam, Param, Support, check_batch};
use crate::scalar::Scalar;
use nalgebra::DVector;
use rand::Rng;
use rand_distr::Distribution as _;
use statrs::function::factorial::ln_binomial;

const FAMILY: &str = "Binomial";

/// Binomial(total_count n, probs p) on {0, …, n}: C(n, k) p^k (1 − p)^(n − k).
///
/// Also constructed from logits with [`Binomial::logits`]. Values are `u64`; k > n is
/// outside the support. The trial count is plain data (`u64`), the same for every element.
///
/// ```
/// use doppl_runtime::dist::{Binomial, Distribution};
/// let d = Binomial::<f64>::new(4, 0.5).unwrap();
/// assert!((d.log_prob(&2).unwrap() - (6.0f64 / 16.0).ln()).abs() < 1e-14);
/// assert!(d.log_prob(&5).is_err());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Binomial<S> {
    total_count: u64,
    probs: Param<S>,
    from_logits: bool,
}

impl<S: Scalar> Binomial<S> {
    /// Binomial with `total_count` trials and success probability `probs` in [0, 1].
    pub fn new(total_count: u64, probs: impl IntoParam<S>) -> Result<Self, DistError> {
        let probs = probs.into_param()?;
        check_param(FAMILY, "probs", &probs, "in [0, 1]", |p| {
            (0.0..=1.0).contains(&p)
        })?;
        Ok(Binomial {
            total_count,
            probs,
            from_logits: false,
        })
    }

    /// Binomial with `total_count` trials and success log-odds `logits` (finite).
    pub fn logits(total_count: u64, logits: impl IntoParam<S>) -> Result<Self, DistError> {
        let logits = logits.into_param()?;
        check_finite(FAMILY, "logits", &logits)?;
        Ok(Binomial {
            total_count,
            probs: logits,
            from_logits: true,
        })
    }

    /// (ln p, ln(1 − p)) of element `i`, through log-sigmoids for the logits form.
    fn log_probs(&self, i: usize) -> (S, S) {
        let x = self.probs.at(i);
        if self.from_logits {
            (x.log_sigmoid(), (-x).log_sigmoid())
        } else {
            (x.ln(), (-x).ln_1p())
        }
    }

    fn prob_re(&self, i: usize) -> f64 {
        let x = self.probs.re_at(i);
        if self.from_logits {
            crate::scalar::sigmoid_f64(x)
        } else {
            x
        }
    }

    fn check_count(&self, k: u64) -> Result<(), DistError> {
        if k <= self.total_count {
            Ok(())
        } else {
            Err(out_of_support(
                FAMILY,
                k as f64,
                Support::BoundedCount(self.total_count).describe(),
            ))
        }
    }

    /// `successes ln p + failures ln(1 − p)`, a zero count contributing exactly 0 (so that
    /// p = 0 or 1 does not produce 0 · (−∞)).
    fn weighted(&self, successes: f64, failures: f64, i: usize) -> S {
        let (log_p, log_q) = self.log_probs(i);
        let mut acc = S::zero();
        if successes > 0.0 {
            acc += log_p * successes;
        }
        if failures > 0.0 {
            acc += log_q * failures;
        }
        acc
    }
}

impl<S: Scalar> Distribution<S> for Binomial<S> {
    type Value = u64;
    type Plain = u64;
    const NAME: &'static str = FAMILY;

    fn support(&self) -> Support {
        Support::BoundedCount(self.total_count)
    }
    fn batch_len(&self) -> Option<usize> {
        self.probs.batch_len()
    }
    fn lift(v: &u64) -> u64 {
        *v
    }
    fn lower(v: &u64) -> u64 {
        *v
    }
    fn log_prob(&self, k: &u64) -> Result<S, DistError> {
        reject_batched(FAMILY, self.batch_len())?;
        self.check_count(*k)?;
        let n = self.total_count;
        let lp = self.weighted(*k as f64, (n - k) as f64, 0);
        Ok(lp + ln_binomial(n, *k))
    }
    /// With a scalar probability only Σk and Σ ln C(n, k) are needed, both plain `f64`.
    fn log_prob_plate_local<L: crate::gradient::LocalTangents<S>>(
        &self,
        ks: &DVector<u64>,
        locals: &mut L,
    ) -> Result<S, DistError> {
        check_batch(self.batch_len(), ks.len())?;
        let n = self.total_count;
        let mut log_choose = 0.0;
        for (i, k) in ks.iter().enumerate() {
            self.check_count(*k).map_err(|e| e.at(i))?;
            log_choose += ln_binomial(n, *k);
        }
        if self.batch_len().is_none() {
            let successes: f64 = ks.iter().map(|&k| k as f64).sum();
            let failures = (n as f64) * ks.len() as f64 - successes;
            return Ok(self.weighted(successes, failures, 0) + log_choose);
        }
        let mut acc = S::zero();
        for (i, k) in ks.iter().enumerate() {
            let term = self.weighted(*k as f64, (n - k) as f64, i);
            locals.read(i, &term, 1.0);
            acc += term;
        }
        locals.clear(&mut acc);
        Ok(acc + log_choose)
    }
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        draw(self.total_count, self.prob_re(0), rng)
    }
    fn sample_plate<R: Rng + ?Sized>(
        &self,
        n: usize,
        rng: &mut R,
    ) -> Result<DVector<u64>, DistError> {
        sample_each(self.batch_len(), n, rng, |i, rng| {
            draw(self.total_count, self.prob_re(i), rng)
        })
    }
    fn unconstrained_dim(&self) -> usize {
        0
    }
    /// Discrete: never called by inference; returns (0, 0).
    fn from_unconstrained(&self, _u: &[S]) -> (u64, S) {
        (0, S::zero())
    }
    /// Discrete: checks the value, writes nothing.
    fn to_unconstrained(&self, k: &u64, _out: &mut [f64]) -> Result<(), DistError> {
        self.check_count(*k)
    }
}

/// A binomial draw; `p` was validated, so rand_distr cannot refuse it.
fn draw<R: Rng + ?Sized>(n: u64, p: f64, rng: &mut R) -> u64 {
    rand_distr::Binomial::new(n, p).map_or(0, |d| d.sample(rng))
}
