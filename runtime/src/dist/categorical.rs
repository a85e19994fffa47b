//! The categorical distribution over {0, …, K − 1}.

use super::common::{log_sum_exp, out_of_support, require_vector};
use super::{DistError, Distribution, IntoParam, Support, check_batch};
use crate::scalar::Scalar;
use nalgebra::DVector;
use rand::Rng;
use rand_distr::{Distribution as _, Open01};

const FAMILY: &str = "Categorical";

/// How far the probabilities may sum from 1 (they are then renormalised), so that rounded
/// data such as (0.333, 0.333, 0.334) is accepted.
const SUM_TOLERANCE: f64 = 1e-6;

/// Categorical(probs) or Categorical(logits) on the category indices {0, …, K − 1}.
///
/// The probabilities are one vector shared by every plate element: a Categorical is not
/// batch-vectorized ([`Distribution::batch_len`] is `None`). Values are `usize`.
///
/// ```
/// use doppl_runtime::dist::{Categorical, Distribution};
/// use nalgebra::dvector;
/// let d = Categorical::<f64>::new(dvector![0.2, 0.3, 0.5]).unwrap();
/// assert!((d.log_prob(&2).unwrap() - 0.5f64.ln()).abs() < 1e-15);
/// assert!(d.log_prob(&3).is_err());
/// let l = Categorical::<f64>::logits(dvector![0.0, 0.0]).unwrap();
/// assert!((l.log_prob(&1).unwrap() - 0.5f64.ln()).abs() < 1e-15);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Categorical<S: nalgebra::Scalar> {
    log_probs: DVector<S>,
}

impl<S: Scalar> Categorical<S> {
    /// Categorical with probabilities `probs` (a vector of numbers in [0, 1] summing to 1).
    pub fn new(probs: impl IntoParam<S>) -> Result<Self, DistError> {
        let probs = require_vector(FAMILY, "probs", probs.into_param()?)?;
        let invalid = |index, value, requirement| DistError::InvalidParameter {
            family: FAMILY,
            param: "probs",
            index,
            value,
            requirement,
        };
        if let Some(i) = probs.iter().position(|p| !(0.0..=1.0).contains(&p.re())) {
            return Err(invalid(Some(i), probs[i].re(), "in [0, 1]"));
        }
        let sum: S = probs.iter().copied().sum();
        if probs.is_empty() || (sum.re() - 1.0).abs() > SUM_TOLERANCE {
            return Err(invalid(None, sum.re(), "a vector summing to 1"));
        }
        let log_sum = sum.ln();
        Ok(Categorical {
            log_probs: probs.map(|p| p.ln() - log_sum),
        })
    }

    /// Categorical with unnormalised log-probabilities `logits` (finite).
    pub fn logits(logits: impl IntoParam<S>) -> Result<Self, DistError> {
        let logits = require_vector(FAMILY, "logits", logits.into_param()?)?;
        if let Some(i) = logits.iter().position(|l| !l.re().is_finite()) {
            return Err(DistError::InvalidParameter {
                family: FAMILY,
                param: "logits",
                index: Some(i),
                value: logits[i].re(),
                requirement: "finite",
            });
        }
        if logits.is_empty() {
            return Err(DistError::Shape {
                expected: 1,
                found: 0,
            });
        }
        let log_norm = log_sum_exp(&logits);
        Ok(Categorical {
            log_probs: logits.map(|l| l - log_norm),
        })
    }

    /// The number of categories.
    pub fn num_categories(&self) -> usize {
        self.log_probs.len()
    }

    fn check_category(&self, k: usize) -> Result<(), DistError> {
        if k < self.num_categories() {
            Ok(())
        } else {
            Err(out_of_support(
                FAMILY,
                k as f64,
                Support::Category(self.num_categories()).describe(),
            ))
        }
    }
}

impl<S: Scalar> Distribution<S> for Categorical<S> {
    type Value = usize;
    type Plain = usize;
    const NAME: &'static str = FAMILY;

    fn support(&self) -> Support {
        Support::Category(self.num_categories())
    }
    fn batch_len(&self) -> Option<usize> {
        None
    }
    fn lift(v: &usize) -> usize {
        *v
    }
    fn lower(v: &usize) -> usize {
        *v
    }
    fn log_prob(&self, k: &usize) -> Result<S, DistError> {
        self.check_category(*k)?;
        Ok(self.log_probs[*k])
    }
    crate::dist::common::observed_as_given!(usize);
    /// Counts per category, then Σ_k count_k ln p_k: K scalar operations, not n.
    fn log_prob_plate_local<L: crate::gradient::LocalTangents<S>>(
        &self,
        ks: &DVector<usize>,
        _locals: &mut L,
    ) -> Result<S, DistError> {
        let mut counts = vec![0usize; self.num_categories()];
        for (i, &k) in ks.iter().enumerate() {
            self.check_category(k).map_err(|e| e.at(i))?;
            counts[k] += 1;
        }
        let mut acc = S::zero();
        for (k, &count) in counts.iter().enumerate() {
            if count > 0 {
                acc += self.log_probs[k] * count as f64;
            }
        }
        Ok(acc)
    }
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> usize {
        let u: f64 = Open01.sample(rng);
        let mut cumulative = 0.0;
        for (k, lp) in self.log_probs.iter().enumerate() {
            cumulative += lp.re().exp();
            if u < cumulative {
                return k;
            }
        }
        // Rounding can leave the cumulative sum just below u: the last category with
        // positive probability takes the remainder.
        self.log_probs
            .iter()
            .rposition(|lp| lp.re() > f64::NEG_INFINITY)
            .unwrap_or(0)
    }
    fn sample_plate<R: Rng + ?Sized>(
        &self,
        n: usize,
        rng: &mut R,
    ) -> Result<DVector<usize>, DistError> {
        check_batch(None, n)?;
        Ok(DVector::from_fn(n, |_, _| self.sample(rng)))
    }
    fn unconstrained_dim(&self) -> usize {
        0
    }
    /// Discrete: never called by inference; returns (0, 0).
    fn from_unconstrained(&self, _u: &[S]) -> (usize, S) {
        (0, S::zero())
    }
    /// Discrete: checks the value, writes nothing.
    fn to_unconstrained(&self, k: &usize, _out: &mut [f64]) -> Result<(), DistError> {
        self.check_category(*k)
    }
}
