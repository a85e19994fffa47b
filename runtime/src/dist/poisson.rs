//! The Poisson distribution on the counts {0, 1, 2, …}.

use super::common::{check_finite, check_positive, ln_at, reject_batched, sample_each};
use super::{DistError, Distribution, IntoParam, Param, Support, check_batch};
use crate::scalar::Scalar;
use nalgebra::DVector;
use rand::Rng;
use rand_distr::Distribution as _;
use statrs::function::factorial::ln_factorial;

const FAMILY: &str = "Poisson";

/// Poisson(rate λ): λ^k e^(−λ) / k! for k = 0, 1, 2, … (values are `u64`, so negative counts
/// cannot be represented).
///
/// Also constructed from the log rate η = ln λ with [`Poisson::log_rate`] (Stan's
/// `poisson_log`), the natural output of a linear predictor.
///
/// ```
/// use doppl_runtime::dist::{Distribution, Poisson};
/// let d = Poisson::<f64>::new(2.0).unwrap();
/// assert!((d.log_prob(&3).unwrap() - (8.0f64 / 6.0).ln() + 2.0).abs() < 1e-14);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Poisson<S: nalgebra::Scalar> {
    param: PoissonParam<S>,
}

/// How the rate was given.
#[derive(Clone, Debug, PartialEq)]
enum PoissonParam<S: nalgebra::Scalar> {
    Rate(Param<S>),
    LogRate(Param<S>),
}

impl<S: Scalar> Poisson<S> {
    /// Poisson with `rate > 0`.
    pub fn new(rate: impl IntoParam<S>) -> Result<Self, DistError> {
        let rate = rate.into_param()?;
        check_positive(FAMILY, "rate", &rate)?;
        Ok(Poisson {
            param: PoissonParam::Rate(rate),
        })
    }

    /// Poisson with log rate `eta` = ln λ (finite): ln p(k) = k η − e^η − ln k!.
    ///
    /// The density is computed from η itself, never from ln(e^η): η = −1000 (a rate that
    /// underflows to 0) gives k η − ln k!, and the value and its derivative k − e^η are finite
    /// whenever e^η is (η below ≈ 709.78). Beyond that the true log-density is below −1.8e308
    /// for every `u64` count, and −∞ is returned.
    ///
    /// ```
    /// use doppl_runtime::dist::{Distribution, Poisson};
    /// let d = Poisson::<f64>::log_rate(2f64.ln()).unwrap();
    /// assert!((d.log_prob(&3).unwrap() - (8.0f64 / 6.0).ln() + 2.0).abs() < 1e-14);
    /// let tiny = Poisson::<f64>::log_rate(-1000.0).unwrap();
    /// assert!((tiny.log_prob(&2).unwrap() + 2000.0 + 2f64.ln()).abs() < 1e-12);
    /// ```
    pub fn log_rate(eta: impl IntoParam<S>) -> Result<Self, DistError> {
        let eta = eta.into_param()?;
        check_finite(FAMILY, "log_rate", &eta)?;
        Ok(Poisson {
            param: PoissonParam::LogRate(eta),
        })
    }

    fn raw(&self) -> &Param<S> {
        match &self.param {
            PoissonParam::Rate(p) | PoissonParam::LogRate(p) => p,
        }
    }

    /// `total ln λ − n λ`: the parameter terms of `n` counts summing to `total` at
    /// element `i`'s parameter (k ln λ − λ for one count).
    fn rate_terms(&self, i: usize, total: f64, n: f64) -> S {
        match &self.param {
            PoissonParam::Rate(rate) => ln_at(rate, i) * total - rate.at(i) * n,
            PoissonParam::LogRate(eta) => {
                let eta = eta.at(i);
                eta * total - eta.exp() * n
            }
        }
    }

    /// The rate of element `i` as `f64`.
    fn rate_re(&self, i: usize) -> f64 {
        match &self.param {
            PoissonParam::Rate(rate) => rate.re_at(i),
            PoissonParam::LogRate(eta) => eta.re_at(i).exp(),
        }
    }
}

impl<S: Scalar> Distribution<S> for Poisson<S> {
    type Value = u64;
    type Plain = u64;
    const NAME: &'static str = FAMILY;

    fn support(&self) -> Support {
        Support::Count
    }
    fn batch_len(&self) -> Option<usize> {
        self.raw().batch_len()
    }
    fn lift(v: &u64) -> u64 {
        *v
    }
    fn lower(v: &u64) -> u64 {
        *v
    }
    fn log_prob(&self, k: &u64) -> Result<S, DistError> {
        reject_batched(FAMILY, self.batch_len())?;
        Ok(self.rate_terms(0, *k as f64, 1.0) - ln_factorial(*k))
    }
    fn log_prob_at(&self, index: usize, k: &u64) -> Result<S, DistError> {
        Ok(self.rate_terms(index, *k as f64, 1.0) - ln_factorial(*k))
    }
    crate::dist::common::observed_as_given!(u64);
    /// With a scalar rate: (Σk) ln λ − nλ − Σ ln k! (or (Σk) η − n e^η − Σ ln k!), the sums
    /// in plain `f64`.
    fn log_prob_plate_local<L: crate::gradient::LocalTangents<S>>(
        &self,
        ks: &DVector<u64>,
        locals: &mut L,
    ) -> Result<S, DistError> {
        let n = ks.len();
        check_batch(self.batch_len(), n)?;
        let log_factorials: f64 = ks.iter().map(|&k| ln_factorial(k)).sum();
        if self.batch_len().is_none() {
            let total: f64 = ks.iter().map(|&k| k as f64).sum();
            return Ok(self.rate_terms(0, total, n as f64) - log_factorials);
        }
        let mut acc = S::zero();
        for (i, &k) in ks.iter().enumerate() {
            let term = self.rate_terms(i, k as f64, 1.0);
            locals.read(i, &term, 1.0);
            acc += term;
        }
        locals.clear(&mut acc);
        Ok(acc - log_factorials)
    }
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        draw(self.rate_re(0), rng)
    }
    fn sample_plate<R: Rng + ?Sized>(
        &self,
        n: usize,
        rng: &mut R,
    ) -> Result<DVector<u64>, DistError> {
        sample_each(self.batch_len(), n, rng, |i, rng| {
            draw(self.rate_re(i), rng)
        })
    }
    fn unconstrained_dim(&self) -> usize {
        0
    }
    /// Discrete: never called by inference; returns (0, 0).
    fn from_unconstrained(&self, _u: &[S]) -> (u64, S) {
        (0, S::zero())
    }
    /// Discrete: every `u64` is in the support; writes nothing.
    fn to_unconstrained(&self, _k: &u64, _out: &mut [f64]) -> Result<(), DistError> {
        Ok(())
    }
}

/// A Poisson draw. rand_distr returns it as `f64`; rates beyond its range (≈1.8e19) give 0
/// rather than a panic, and so does a rate that underflowed to 0 (η = ln λ below ≈ −745).
fn draw<R: Rng + ?Sized>(rate: f64, rng: &mut R) -> u64 {
    rand_distr::Poisson::new(rate).map_or(0, |d| d.sample(rng) as u64)
}
