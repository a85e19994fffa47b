//! The continuous uniform distribution on [low, high].

use super::common::{
    ElementDensity, ScalarFamily, check_finite, common_batch, out_of_support, scalar_distribution,
};
use super::{DistError, IntoParam, Param, Support};
use crate::scalar::Scalar;
use crate::transform::Interval;
use rand::Rng;
use rand_distr::{Distribution as _, Open01};

const FAMILY: &str = "Uniform";

/// Uniform(low, high): density 1 / (high − low) on [low, high].
///
/// The bounds may be latent (duals); a latent value is unconstrained through the scaled
/// logistic map onto (low, high), whose Jacobian carries the derivative with respect to the
/// bounds. With vectorized bounds, [`Distribution::support`](super::Distribution::support)
/// and the transform use element 0 (a latent site draws one value).
///
/// ```
/// use doppl_runtime::dist::{Distribution, Uniform};
/// let d = Uniform::<f64>::new(-1.0, 3.0).unwrap();
/// assert!((d.log_prob(&0.0).unwrap() + 4f64.ln()).abs() < 1e-15);
/// assert!(d.log_prob(&3.5).is_err());
/// assert!(Uniform::<f64>::new(1.0, 1.0).is_err());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Uniform<S: nalgebra::Scalar> {
    low: Param<S>,
    high: Param<S>,
    batch: Option<usize>,
}

impl<S: Scalar> Uniform<S> {
    /// Uniform with finite bounds `low < high` (elementwise when vectorized).
    pub fn new(low: impl IntoParam<S>, high: impl IntoParam<S>) -> Result<Self, DistError> {
        let (low, high) = (low.into_param()?, high.into_param()?);
        check_finite(FAMILY, "low", &low)?;
        check_finite(FAMILY, "high", &high)?;
        let batch = common_batch(&[low.batch_len(), high.batch_len()])?;
        for i in 0..batch.unwrap_or(1) {
            if high.re_at(i) <= low.re_at(i) {
                return Err(DistError::InvalidParameter {
                    family: FAMILY,
                    param: "high",
                    index: batch.map(|_| i),
                    value: high.re_at(i),
                    requirement: "greater than `low`",
                });
            }
        }
        Ok(Uniform { low, high, batch })
    }
}

/// Prepared: (low, high as f64 for the support check, −ln(high − low)).
impl<S: Scalar> ElementDensity<S> for Uniform<S> {
    type Prepared = (f64, f64, S);
    type Value = S;
    const FAMILY: &'static str = FAMILY;
    fn batch(&self) -> Option<usize> {
        self.batch
    }
    fn prepare(&self, i: usize) -> (f64, f64, S) {
        let width = self.high.at(i) - self.low.at(i);
        (self.low.re_at(i), self.high.re_at(i), -width.ln())
    }
    fn normalizer(&self, prep: &(f64, f64, S)) -> S {
        prep.2
    }
    fn kernel(&self, prep: &(f64, f64, S), v: &S) -> Result<S, DistError> {
        let x = v.re();
        if x >= prep.0 && x <= prep.1 {
            Ok(S::zero())
        } else {
            Err(out_of_support(FAMILY, x, "a number in [low, high]"))
        }
    }
}

impl<S: Scalar> ScalarFamily<S> for Uniform<S> {
    fn support(&self) -> Support {
        Support::Interval(self.low.re_at(0), self.high.re_at(0))
    }
    fn check_value(&self, x: f64) -> Result<(), DistError> {
        self.kernel(&self.prepare(0), &S::from_f64(x)).map(|_| ())
    }
    fn draw<R: Rng + ?Sized>(&self, i: usize, rng: &mut R) -> f64 {
        let u: f64 = Open01.sample(rng);
        let (low, high) = (self.low.re_at(i), self.high.re_at(i));
        low + (high - low) * u
    }
    fn forward(&self, u: S) -> (S, S) {
        self.forward_at(0, u)
    }
    fn inverse(&self, x: f64) -> f64 {
        self.inverse_at(0, x)
    }
    fn forward_at(&self, i: usize, u: S) -> (S, S) {
        let interval = Interval {
            lower: self.low.at(i),
            upper: self.high.at(i),
        };
        interval.forward(u)
    }
    fn inverse_at(&self, i: usize, x: f64) -> f64 {
        let interval = Interval {
            lower: self.low.re_at(i),
            upper: self.high.re_at(i),
        };
        interval.inverse(x)
    }
    fn check_value_at(&self, i: usize, x: f64) -> Result<(), DistError> {
        self.kernel(&self.prepare(i), &S::from_f64(x)).map(|_| ())
    }
}

scalar_distribution!(Uniform, low, high);
