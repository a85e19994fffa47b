//! The half-normal distribution: |X| for X ~ Normal(0, scale²).

use super::common::{
    ElementDensity, LN_SQRT_2PI, ScalarFamily, check_non_negative, check_scale, ln_at,
    scalar_distribution,
};
use super::{DistError, IntoParam, Param, Support};
use crate::scalar::Scalar;
use crate::transform::Positive;
use rand::Rng;
use rand_distr::{Distribution as _, StandardNormal};

const FAMILY: &str = "HalfNormal";

/// HalfNormal(scale): density 2 exp(−x² / 2scale²) / (scale √2π) for x ≥ 0.
///
/// Latent values are unconstrained through x = e^u.
///
/// ```
/// use doppl_runtime::dist::{Distribution, HalfNormal};
/// let d = HalfNormal::<f64>::new(2.0).unwrap();
/// let lp = d.log_prob(&2.0).unwrap();
/// let expected = 2f64.ln() - 2f64.ln() - 0.5 * (2.0 * std::f64::consts::PI).ln() - 0.5;
/// assert!((lp - expected).abs() < 1e-14);
/// assert!(d.log_prob(&-1.0).is_err());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct HalfNormal<S: nalgebra::Scalar> {
    scale: Param<S>,
}

impl<S: Scalar> HalfNormal<S> {
    /// HalfNormal with `scale > 0` (a constant, a scalar or one per plate element).
    pub fn new(scale: impl IntoParam<S>) -> Result<Self, DistError> {
        let scale = scale.into_param()?;
        check_scale(FAMILY, "scale", &scale)?;
        Ok(HalfNormal { scale })
    }
}

/// Prepared: (1/scale², ln 2 − ln scale − ln √2π).
impl<S: Scalar> ElementDensity<S> for HalfNormal<S> {
    type Prepared = (S, S);
    type Value = S;
    const FAMILY: &'static str = FAMILY;
    fn batch(&self) -> Option<usize> {
        self.scale.batch_len()
    }
    fn prepare(&self, i: usize) -> (S, S) {
        let inv_var = self.scale.at(i).powi(2).recip();
        let norm = -ln_at(&self.scale, i) + (std::f64::consts::LN_2 - LN_SQRT_2PI);
        (inv_var, norm)
    }
    fn normalizer(&self, prep: &(S, S)) -> S {
        prep.1
    }
    fn kernel(&self, prep: &(S, S), v: &S) -> Result<S, DistError> {
        check_non_negative(FAMILY, v.re())?;
        Ok(-(*v * *v * prep.0) * 0.5)
    }
}

impl<S: Scalar> ScalarFamily<S> for HalfNormal<S> {
    fn support(&self) -> Support {
        Support::Positive
    }
    fn check_value(&self, x: f64) -> Result<(), DistError> {
        check_non_negative(FAMILY, x)
    }
    // The value is |scale · ε|: the noise's sign is lost, its magnitude is what replays.
    fn location_scale(&self, i: usize) -> Option<super::LocationScale> {
        Some(super::LocationScale::linear(0.0, self.scale.re_at(i)))
    }
    fn draw<R: Rng + ?Sized>(&self, i: usize, rng: &mut R) -> f64 {
        let z: f64 = StandardNormal.sample(rng);
        (self.scale.re_at(i) * z).abs()
    }
    fn forward(&self, u: S) -> (S, S) {
        Positive::forward(u)
    }
    fn inverse(&self, x: f64) -> f64 {
        Positive::inverse(x)
    }
}

scalar_distribution!(HalfNormal, scale);

/// scale · |ε| (|ε| is half-normal, so the draw has the right law and is linear in the scale).
impl<S: Scalar> super::Reparameterized<S> for HalfNormal<S> {
    #[inline]
    fn rsample_at(&self, index: usize, eps: f64) -> S {
        self.scale.at(index) * eps.abs()
    }
}
