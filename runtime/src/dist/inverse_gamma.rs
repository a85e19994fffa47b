//! The inverse gamma distribution: 1/X for X ~ Gamma(shape, rate = scale).

use super::common::{
    ElementDensity, ScalarFamily, check_scale, check_strictly_positive, common_batch, draw_gamma,
    ln_at, ln_gamma_at, scalar_distribution,
};
use super::{DistError, IntoParam, Param, Support};
use crate::scalar::Scalar;
use crate::transform::Positive;
use rand::Rng;

const FAMILY: &str = "InverseGamma";

/// InverseGamma(shape α, scale β): density β^α x^(−α−1) e^(−β/x) / Γ(α) for x > 0
/// (mean β/(α − 1) for α > 1). statrs calls β the "rate" of this family.
///
/// ```
/// use doppl_runtime::dist::{Distribution, InverseGamma};
/// let d = InverseGamma::<f64>::new(2.0, 3.0).unwrap();
/// // 9 x^{−3} e^{−3/x} at x = 1
/// assert!((d.log_prob(&1.0).unwrap() - (9f64.ln() - 3.0)).abs() < 1e-13);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct InverseGamma<S: nalgebra::Scalar> {
    shape: Param<S>,
    scale: Param<S>,
    batch: Option<usize>,
}

impl<S: Scalar> InverseGamma<S> {
    /// InverseGamma with `shape > 0` and `scale > 0`.
    pub fn new(shape: impl IntoParam<S>, scale: impl IntoParam<S>) -> Result<Self, DistError> {
        let (shape, scale) = (shape.into_param()?, scale.into_param()?);
        check_scale(FAMILY, "shape", &shape)?;
        check_scale(FAMILY, "scale", &scale)?;
        let batch = common_batch(&[shape.batch_len(), scale.batch_len()])?;
        Ok(InverseGamma {
            shape,
            scale,
            batch,
        })
    }
}

/// Prepared: (α + 1, β, α ln β − ln Γ(α)).
impl<S: Scalar> ElementDensity<S> for InverseGamma<S> {
    type Prepared = (S, S, S);
    type Value = S;
    const FAMILY: &'static str = FAMILY;
    fn batch(&self) -> Option<usize> {
        self.batch
    }
    fn prepare(&self, i: usize) -> (S, S, S) {
        let shape = self.shape.at(i);
        let norm = shape * ln_at(&self.scale, i) - ln_gamma_at(&self.shape, i);
        (shape + 1.0, self.scale.at(i), norm)
    }
    fn normalizer(&self, prep: &(S, S, S)) -> S {
        prep.2
    }
    fn kernel(&self, prep: &(S, S, S), v: &S) -> Result<S, DistError> {
        check_strictly_positive(FAMILY, v.re())?;
        Ok(-(prep.0 * v.ln()) - prep.1 / *v)
    }
}

impl<S: Scalar> ScalarFamily<S> for InverseGamma<S> {
    fn support(&self) -> Support {
        Support::Positive
    }
    fn check_value(&self, x: f64) -> Result<(), DistError> {
        check_strictly_positive(FAMILY, x)
    }
    /// 1/G with G ~ Gamma(α, rate β), i.e. rand_distr's scale 1/β.
    fn draw<R: Rng + ?Sized>(&self, i: usize, rng: &mut R) -> f64 {
        1.0 / draw_gamma(self.shape.re_at(i), 1.0 / self.scale.re_at(i), rng)
    }
    fn forward(&self, u: S) -> (S, S) {
        Positive::forward(u)
    }
    fn inverse(&self, x: f64) -> f64 {
        Positive::inverse(x)
    }
}

scalar_distribution!(InverseGamma, shape, scale);
