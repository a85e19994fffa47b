//! The half-Cauchy distribution: |X| for X ~ Cauchy(0, scale).

use super::cauchy::standard_cauchy;
use super::common::{
    ElementDensity, ScalarFamily, check_non_negative, check_scale, ln_at, scalar_distribution,
};
use super::{DistError, IntoParam, Param, Support};
use crate::scalar::Scalar;
use crate::transform::Positive;
use rand::Rng;
use std::f64::consts::{LN_2, PI};

const FAMILY: &str = "HalfCauchy";

/// HalfCauchy(scale): density 2 / (π scale (1 + (x/scale)²)) for x ≥ 0.
///
/// ```
/// use doppl_runtime::dist::{Distribution, HalfCauchy};
/// let d = HalfCauchy::<f64>::new(1.0).unwrap();
/// assert!((d.log_prob(&0.0).unwrap() - (2.0 / std::f64::consts::PI).ln()).abs() < 1e-14);
/// assert!(d.log_prob(&-0.5).is_err());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct HalfCauchy<S: nalgebra::Scalar> {
    scale: Param<S>,
}

impl<S: Scalar> HalfCauchy<S> {
    /// HalfCauchy with `scale > 0`.
    pub fn new(scale: impl IntoParam<S>) -> Result<Self, DistError> {
        let scale = scale.into_param()?;
        check_scale(FAMILY, "scale", &scale)?;
        Ok(HalfCauchy { scale })
    }
}

/// Prepared: (1/scale, ln 2 − ln π − ln scale).
impl<S: Scalar> ElementDensity<S> for HalfCauchy<S> {
    type Prepared = (S, S);
    type Value = S;
    const FAMILY: &'static str = FAMILY;
    fn batch(&self) -> Option<usize> {
        self.scale.batch_len()
    }
    fn prepare(&self, i: usize) -> (S, S) {
        let norm = -ln_at(&self.scale, i) + (LN_2 - PI.ln());
        (self.scale.at(i).recip(), norm)
    }
    fn normalizer(&self, prep: &(S, S)) -> S {
        prep.1
    }
    fn kernel(&self, prep: &(S, S), v: &S) -> Result<S, DistError> {
        check_non_negative(FAMILY, v.re())?;
        let z = *v * prep.0;
        Ok(-(z * z).ln_1p())
    }
}

impl<S: Scalar> ScalarFamily<S> for HalfCauchy<S> {
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
        (self.scale.re_at(i) * standard_cauchy(rng)).abs()
    }
    fn forward(&self, u: S) -> (S, S) {
        Positive::forward(u)
    }
    fn inverse(&self, x: f64) -> f64 {
        Positive::inverse(x)
    }
}

scalar_distribution!(HalfCauchy, scale);
