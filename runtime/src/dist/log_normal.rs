//! The log-normal distribution: e^X for X ~ Normal(loc, scale²).

use super::common::{
    ElementDensity, LN_SQRT_2PI, ScalarFamily, check_finite, check_scale, check_strictly_positive,
    common_batch, ln_at, scalar_distribution,
};
use super::{DistError, IntoParam, Param, Support};
use crate::scalar::Scalar;
use crate::transform::Positive;
use rand::Rng;
use rand_distr::{Distribution as _, StandardNormal};

const FAMILY: &str = "LogNormal";

/// LogNormal(loc, scale): ln x ~ Normal(loc, scale²), for x > 0.
///
/// ```
/// use doppl_runtime::dist::{Distribution, LogNormal};
/// let d = LogNormal::<f64>::new(0.0, 1.0).unwrap();
/// // at x = 1: −ln √2π
/// assert!((d.log_prob(&1.0).unwrap() + 0.5 * (2.0 * std::f64::consts::PI).ln()).abs() < 1e-14);
/// assert!(d.log_prob(&0.0).is_err());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct LogNormal<S: nalgebra::Scalar> {
    loc: Param<S>,
    scale: Param<S>,
    batch: Option<usize>,
    /// (1/scale², −ln scale − ln √2π) when the scale is one number: computed once here, not
    /// per element (a per-unit location with a shared scale would take a `ln` per unit).
    shared_scale: Option<(S, S)>,
}

impl<S: Scalar> LogNormal<S> {
    /// LogNormal with the location and scale (> 0) of the underlying normal.
    pub fn new(loc: impl IntoParam<S>, scale: impl IntoParam<S>) -> Result<Self, DistError> {
        let (loc, scale) = (loc.into_param()?, scale.into_param()?);
        check_finite(FAMILY, "loc", &loc)?;
        check_scale(FAMILY, "scale", &scale)?;
        let batch = common_batch(&[loc.batch_len(), scale.batch_len()])?;
        let shared_scale = scale.batch_len().is_none().then(|| scale_terms(&scale, 0));
        Ok(LogNormal {
            loc,
            scale,
            batch,
            shared_scale,
        })
    }
}

/// Prepared: (loc, 1/scale², −ln scale − ln √2π).
impl<S: Scalar> ElementDensity<S> for LogNormal<S> {
    type Prepared = (S, S, S);
    type Value = S;
    const FAMILY: &'static str = FAMILY;
    fn batch(&self) -> Option<usize> {
        self.batch
    }
    fn prepare(&self, i: usize) -> (S, S, S) {
        match &self.shared_scale {
            Some((inv_var, norm)) => (self.loc.at(i), *inv_var, *norm),
            None => {
                let (inv_var, norm) = scale_terms(&self.scale, i);
                (self.loc.at(i), inv_var, norm)
            }
        }
    }
    fn normalizer(&self, prep: &(S, S, S)) -> S {
        prep.2
    }
    fn kernel(&self, prep: &(S, S, S), v: &S) -> Result<S, DistError> {
        kernel(prep.0, prep.1, v)
    }
    fn shared_normalizer(&self) -> Option<S> {
        self.shared_scale.map(|(_, norm)| norm)
    }
    #[inline]
    fn kernel_at(&self, i: usize, v: &S) -> Result<S, DistError> {
        match &self.shared_scale {
            Some((inv_var, _)) => kernel(self.loc.at(i), *inv_var, v),
            None => self.kernel(&self.prepare(i), v),
        }
    }
}

/// −ln v − (ln v − μ)² / (2σ²) given `inv_var` = 1/σ²; `OutOfSupport` for v ≤ 0.
#[inline]
fn kernel<S: Scalar>(loc: S, inv_var: S, v: &S) -> Result<S, DistError> {
    check_strictly_positive(FAMILY, v.re())?;
    let log_v = v.ln();
    let d = log_v - loc;
    Ok(-log_v - d * d * inv_var * 0.5)
}

/// (1/scale², −ln scale − ln √2π) of element `i`.
fn scale_terms<S: Scalar>(scale: &Param<S>, i: usize) -> (S, S) {
    (scale.at(i).powi(2).recip(), -ln_at(scale, i) - LN_SQRT_2PI)
}

impl<S: Scalar> ScalarFamily<S> for LogNormal<S> {
    fn support(&self) -> Support {
        Support::Positive
    }
    fn check_value(&self, x: f64) -> Result<(), DistError> {
        check_strictly_positive(FAMILY, x)
    }
    fn location_scale(&self, i: usize) -> Option<super::LocationScale> {
        let mut map = super::LocationScale::linear(self.loc.re_at(i), self.scale.re_at(i));
        map.log = true;
        Some(map)
    }
    fn draw<R: Rng + ?Sized>(&self, i: usize, rng: &mut R) -> f64 {
        let z: f64 = StandardNormal.sample(rng);
        (self.loc.re_at(i) + self.scale.re_at(i) * z).exp()
    }
    fn forward(&self, u: S) -> (S, S) {
        Positive::forward(u)
    }
    fn inverse(&self, x: f64) -> f64 {
        Positive::inverse(x)
    }
}

scalar_distribution!(LogNormal, loc, scale);

/// exp(loc + scale · ε).
impl<S: Scalar> super::Reparameterized<S> for LogNormal<S> {
    #[inline]
    fn rsample_at(&self, index: usize, eps: f64) -> S {
        (self.loc.at(index) + self.scale.at(index) * eps).exp()
    }
}
