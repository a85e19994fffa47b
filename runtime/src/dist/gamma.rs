//! The gamma distribution, parameterised by shape and rate.

use super::common::{
    ElementDensity, ScalarFamily, check_scale, check_strictly_positive, common_batch, draw_gamma,
    ln_at, ln_gamma_at, scalar_distribution,
};
use super::{DistError, IntoParam, Param, Support};
use crate::scalar::Scalar;
use crate::transform::Positive;
use rand::Rng;

const FAMILY: &str = "Gamma";

/// Gamma(shape α, rate β): density β^α x^(α−1) e^(−βx) / Γ(α) for x > 0 (mean α/β).
///
/// The rate parameterisation matches statrs and Stan; rand_distr's sampler takes the scale
/// 1/β, which this type converts.
///
/// ```
/// use doppl_runtime::dist::{Distribution, Gamma};
/// let d = Gamma::<f64>::new(2.0, 3.0).unwrap();
/// // 9 x e^{−3x} at x = 1
/// assert!((d.log_prob(&1.0).unwrap() - (9f64.ln() - 3.0)).abs() < 1e-13);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Gamma<S: nalgebra::Scalar> {
    shape: Param<S>,
    rate: Param<S>,
    batch: Option<usize>,
}

impl<S: Scalar> Gamma<S> {
    /// Gamma with `shape > 0` and `rate > 0`.
    pub fn new(shape: impl IntoParam<S>, rate: impl IntoParam<S>) -> Result<Self, DistError> {
        let (shape, rate) = (shape.into_param()?, rate.into_param()?);
        check_scale(FAMILY, "shape", &shape)?;
        check_scale(FAMILY, "rate", &rate)?;
        let batch = common_batch(&[shape.batch_len(), rate.batch_len()])?;
        Ok(Gamma { shape, rate, batch })
    }
}

/// Prepared: (α − 1, β, α ln β − ln Γ(α)).
impl<S: Scalar> ElementDensity<S> for Gamma<S> {
    type Prepared = (S, S, S);
    type Value = S;
    const FAMILY: &'static str = FAMILY;
    fn batch(&self) -> Option<usize> {
        self.batch
    }
    fn prepare(&self, i: usize) -> (S, S, S) {
        let shape = self.shape.at(i);
        let norm = shape * ln_at(&self.rate, i) - ln_gamma_at(&self.shape, i);
        (shape - 1.0, self.rate.at(i), norm)
    }
    fn normalizer(&self, prep: &(S, S, S)) -> S {
        prep.2
    }
    fn kernel(&self, prep: &(S, S, S), v: &S) -> Result<S, DistError> {
        check_strictly_positive(FAMILY, v.re())?;
        Ok(prep.0 * v.ln() - prep.1 * *v)
    }
}

impl<S: Scalar> ScalarFamily<S> for Gamma<S> {
    fn support(&self) -> Support {
        Support::Positive
    }
    fn check_value(&self, x: f64) -> Result<(), DistError> {
        check_strictly_positive(FAMILY, x)
    }
    fn draw<R: Rng + ?Sized>(&self, i: usize, rng: &mut R) -> f64 {
        draw_gamma(self.shape.re_at(i), 1.0 / self.rate.re_at(i), rng)
    }
    fn forward(&self, u: S) -> (S, S) {
        Positive::forward(u)
    }
    fn inverse(&self, x: f64) -> f64 {
        Positive::inverse(x)
    }
}

scalar_distribution!(Gamma, shape, rate);
