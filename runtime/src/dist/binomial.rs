//! The binomial distribution: successes in `total_count` independent trials, the count
//! the same for every element or one per plate element.

use super::common::{
    check_finite, check_param, common_batch, out_of_support, reject_batched, sample_each,
};
use super::{DistError, Distribution, IntoParam, Param, Support, check_batch};
use crate::scalar::Scalar;
use nalgebra::DVector;
use rand::Rng;
use rand_distr::Distribution as _;
use statrs::function::factorial::ln_binomial;

const FAMILY: &str = "Binomial";

/// The number of trials of a [`Binomial`]: one count for every element, or one count per
/// plate element (trial counts that differ between observations).
///
/// Converted with `From` from a `u64` (so `Binomial::new(10, p)` reads as before), a
/// `Vec<u64>`, a `&[u64]`, a `DVector<u64>` or a `&DVector<u64>` (a model's data argument).
/// A per-element count vector must have the plate's length ([`DistError::Shape`] otherwise).
///
/// ```
/// use doppl_runtime::dist::{Binomial, Distribution, TotalCount};
/// use nalgebra::DVector;
/// assert_eq!(TotalCount::from(vec![2, 4]).at(1), 4);
/// let d = Binomial::<f64>::new(vec![2, 4], 0.5).unwrap();
/// let lp = d.log_prob_plate(&DVector::from_vec(vec![1u64, 4])).unwrap();
/// // C(2, 1) / 2² · C(4, 4) / 2⁴
/// assert!((lp - (0.5f64 / 16.0).ln()).abs() < 1e-14);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum TotalCount {
    /// The same number of trials for every element.
    One(u64),
    /// Element `i` has `counts[i]` trials.
    PerElement(DVector<u64>),
}

impl TotalCount {
    /// The trial count of element `i` (the one count when it is not per element).
    ///
    /// # Panics
    ///
    /// If the counts are per element and `i` is not below their number.
    #[inline]
    pub fn at(&self, i: usize) -> u64 {
        match self {
            TotalCount::One(n) => *n,
            TotalCount::PerElement(ns) => ns[i],
        }
    }

    /// The number of per-element counts, `None` for one count.
    pub fn batch_len(&self) -> Option<usize> {
        match self {
            TotalCount::One(_) => None,
            TotalCount::PerElement(ns) => Some(ns.len()),
        }
    }

    /// The largest trial count (0 for an empty vector).
    fn max(&self) -> u64 {
        match self {
            TotalCount::One(n) => *n,
            TotalCount::PerElement(ns) => ns.iter().copied().max().unwrap_or(0),
        }
    }
}

impl From<u64> for TotalCount {
    fn from(n: u64) -> Self {
        TotalCount::One(n)
    }
}

impl From<DVector<u64>> for TotalCount {
    fn from(ns: DVector<u64>) -> Self {
        TotalCount::PerElement(ns)
    }
}

impl From<&DVector<u64>> for TotalCount {
    fn from(ns: &DVector<u64>) -> Self {
        TotalCount::PerElement(ns.clone())
    }
}

impl From<Vec<u64>> for TotalCount {
    fn from(ns: Vec<u64>) -> Self {
        TotalCount::PerElement(DVector::from_vec(ns))
    }
}

impl From<&[u64]> for TotalCount {
    fn from(ns: &[u64]) -> Self {
        TotalCount::PerElement(DVector::from_column_slice(ns))
    }
}

/// Binomial(total_count n, probs p) on {0, …, n}: C(n, k) p^k (1 − p)^(n − k).
///
/// Also constructed from logits with [`Binomial::logits`]. Values are `u64`; k > n is
/// outside the support. The trial count is plain data: one `u64` for every element, or one
/// per plate element ([`TotalCount`]), element `i` then having nᵢ trials.
///
/// ```
/// use doppl_runtime::dist::{Binomial, Distribution};
/// let d = Binomial::<f64>::new(4, 0.5).unwrap();
/// assert!((d.log_prob(&2).unwrap() - (6.0f64 / 16.0).ln()).abs() < 1e-14);
/// assert!(d.log_prob(&5).is_err());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Binomial<S: nalgebra::Scalar> {
    total_count: TotalCount,
    probs: Param<S>,
    from_logits: bool,
    batch: Option<usize>,
}

impl<S: Scalar> Binomial<S> {
    /// Binomial with `total_count` trials (one count, or one per plate element) and success
    /// probability `probs` in [0, 1].
    pub fn new(
        total_count: impl Into<TotalCount>,
        probs: impl IntoParam<S>,
    ) -> Result<Self, DistError> {
        let probs = probs.into_param()?;
        check_param(FAMILY, "probs", &probs, "in [0, 1]", |p| {
            (0.0..=1.0).contains(&p)
        })?;
        Self::build(total_count.into(), probs, false)
    }

    /// Binomial with `total_count` trials (one count, or one per plate element) and success
    /// log-odds `logits` (finite).
    pub fn logits(
        total_count: impl Into<TotalCount>,
        logits: impl IntoParam<S>,
    ) -> Result<Self, DistError> {
        let logits = logits.into_param()?;
        check_finite(FAMILY, "logits", &logits)?;
        Self::build(total_count.into(), logits, true)
    }

    /// Checks that per-element counts and vectorized probabilities have one length.
    fn build(
        total_count: TotalCount,
        probs: Param<S>,
        from_logits: bool,
    ) -> Result<Self, DistError> {
        let batch = common_batch(&[total_count.batch_len(), probs.batch_len()])?;
        Ok(Binomial {
            total_count,
            probs,
            from_logits,
            batch,
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

    /// `Ok` for k ≤ nᵢ, `OutOfSupport` (without index) otherwise.
    fn check_count(&self, k: u64, i: usize) -> Result<(), DistError> {
        if k <= self.total_count.at(i) {
            Ok(())
        } else {
            Err(out_of_support(
                FAMILY,
                k as f64,
                Support::BoundedCount(self.total_count.at(i)).describe(),
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

    /// {0, …, n}; with per-element counts, n is the largest of them.
    fn support(&self) -> Support {
        Support::BoundedCount(self.total_count.max())
    }
    fn batch_len(&self) -> Option<usize> {
        self.batch
    }
    fn lift(v: &u64) -> u64 {
        *v
    }
    fn lower(v: &u64) -> u64 {
        *v
    }
    fn log_prob(&self, k: &u64) -> Result<S, DistError> {
        reject_batched(FAMILY, self.batch_len())?;
        self.check_count(*k, 0)?;
        let n = self.total_count.at(0);
        let lp = self.weighted(*k as f64, (n - k) as f64, 0);
        Ok(lp + ln_binomial(n, *k))
    }
    fn log_prob_at(&self, index: usize, k: &u64) -> Result<S, DistError> {
        self.check_count(*k, index).map_err(|e| e.at(index))?;
        let n = self.total_count.at(index);
        Ok(self.weighted(*k as f64, (n - k) as f64, index) + ln_binomial(n, *k))
    }
    crate::dist::common::observed_as_given!(u64);
    /// With a scalar probability only Σk, Σ(nᵢ − kᵢ) and Σ ln C(nᵢ, kᵢ) are needed, all plain
    /// `f64` (whether or not the trial counts differ per element).
    fn log_prob_plate_local<L: crate::gradient::LocalTangents<S>>(
        &self,
        ks: &DVector<u64>,
        locals: &mut L,
    ) -> Result<S, DistError> {
        check_batch(self.batch_len(), ks.len())?;
        let (mut log_choose, mut successes, mut failures) = (0.0, 0.0, 0.0);
        for (i, &k) in ks.iter().enumerate() {
            self.check_count(k, i).map_err(|e| e.at(i))?;
            let n = self.total_count.at(i);
            log_choose += ln_binomial(n, k);
            successes += k as f64;
            failures += (n - k) as f64;
        }
        if self.probs.batch_len().is_none() {
            return Ok(self.weighted(successes, failures, 0) + log_choose);
        }
        let mut acc = S::zero();
        for (i, &k) in ks.iter().enumerate() {
            let term = self.weighted(k as f64, (self.total_count.at(i) - k) as f64, i);
            locals.read(i, &term, 1.0);
            acc += term;
        }
        locals.clear(&mut acc);
        Ok(acc + log_choose)
    }
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        draw(self.total_count.at(0), self.prob_re(0), rng)
    }
    fn sample_plate<R: Rng + ?Sized>(
        &self,
        n: usize,
        rng: &mut R,
    ) -> Result<DVector<u64>, DistError> {
        sample_each(self.batch_len(), n, rng, |i, rng| {
            draw(self.total_count.at(i), self.prob_re(i), rng)
        })
    }
    fn unconstrained_dim(&self) -> usize {
        0
    }
    /// Discrete: never called by inference; returns (0, 0).
    fn from_unconstrained(&self, _u: &[S]) -> (u64, S) {
        (0, S::zero())
    }
    /// Discrete: checks the value (against element 0's trial count), writes nothing.
    fn to_unconstrained(&self, k: &u64, out: &mut [f64]) -> Result<(), DistError> {
        self.to_unconstrained_at(0, k, out)
    }
    /// Discrete: checks the value against element `index`'s trial count, writes nothing.
    fn to_unconstrained_at(
        &self,
        index: usize,
        k: &u64,
        _out: &mut [f64],
    ) -> Result<(), DistError> {
        if let Some(len) = self.batch.filter(|&len| index >= len) {
            return Err(DistError::Shape {
                expected: index + 1,
                found: len,
            });
        }
        self.check_count(*k, index)
    }
}

/// A binomial draw; `p` was validated, so rand_distr cannot refuse it.
fn draw<R: Rng + ?Sized>(n: u64, p: f64, rng: &mut R) -> u64 {
    rand_distr::Binomial::new(n, p).map_or(0, |d| d.sample(rng))
}
