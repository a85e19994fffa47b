//! The Cauchy distribution.

use super::common::{
    ElementDensity, ScalarFamily, check_finite, check_finite_value, check_scale, common_batch,
    ln_at, scalar_distribution,
};
use super::{DistError, IntoParam, Param, Support};
use crate::scalar::Scalar;
use crate::transform::Identity;
use rand::Rng;
use rand_distr::{Distribution as _, Open01};
use std::f64::consts::PI;

const FAMILY: &str = "Cauchy";

/// Cauchy(loc, scale): density 1 / (π scale (1 + ((x − loc)/scale)²)). It has no mean.
///
/// ```
/// use doppl_runtime::dist::{Cauchy, Distribution};
/// let d = Cauchy::<f64>::new(1.0, 2.0).unwrap();
/// let lp = d.log_prob(&3.0).unwrap();
/// assert!((lp + (std::f64::consts::PI * 2.0 * 2.0).ln()).abs() < 1e-14);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Cauchy<S: nalgebra::Scalar> {
    loc: Param<S>,
    scale: Param<S>,
    batch: Option<usize>,
    /// (1/scale, −ln π − ln scale) when the scale is one number: computed once here rather
    /// than per element of a per-unit location.
    shared_scale: Option<(S, S)>,
}

impl<S: Scalar> Cauchy<S> {
    /// Cauchy with location `loc` and `scale > 0`.
    pub fn new(loc: impl IntoParam<S>, scale: impl IntoParam<S>) -> Result<Self, DistError> {
        let (loc, scale) = (loc.into_param()?, scale.into_param()?);
        check_finite(FAMILY, "loc", &loc)?;
        check_scale(FAMILY, "scale", &scale)?;
        let batch = common_batch(&[loc.batch_len(), scale.batch_len()])?;
        let shared_scale = scale.batch_len().is_none().then(|| scale_terms(&scale, 0));
        Ok(Cauchy {
            loc,
            scale,
            batch,
            shared_scale,
        })
    }
}

/// (1/scale, −ln π − ln scale) of element `i`.
fn scale_terms<S: Scalar>(scale: &Param<S>, i: usize) -> (S, S) {
    (scale.at(i).recip(), -ln_at(scale, i) - PI.ln())
}

/// Prepared: (loc, 1/scale, −ln π − ln scale).
impl<S: Scalar> ElementDensity<S> for Cauchy<S> {
    type Prepared = (S, S, S);
    type Value = S;
    const FAMILY: &'static str = FAMILY;
    fn batch(&self) -> Option<usize> {
        self.batch
    }
    fn prepare(&self, i: usize) -> (S, S, S) {
        match &self.shared_scale {
            Some((inv_scale, norm)) => (self.loc.at(i), *inv_scale, *norm),
            None => {
                let (inv_scale, norm) = scale_terms(&self.scale, i);
                (self.loc.at(i), inv_scale, norm)
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
            Some((inv_scale, _)) => kernel(self.loc.at(i), *inv_scale, v),
            None => self.kernel(&self.prepare(i), v),
        }
    }
}

/// −ln(1 + ((v − μ)/σ)²) given `inv_scale` = 1/σ; `OutOfSupport` for a non-finite v.
#[inline]
fn kernel<S: Scalar>(loc: S, inv_scale: S, v: &S) -> Result<S, DistError> {
    check_finite_value(FAMILY, v.re(), Support::Real.describe())?;
    let z = (*v - loc) * inv_scale;
    Ok(-(z * z).ln_1p())
}

/// A standard Cauchy draw by inversion: tan(π (U − ½)).
pub(crate) fn standard_cauchy<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    let u: f64 = Open01.sample(rng);
    (PI * (u - 0.5)).tan()
}

impl<S: Scalar> ScalarFamily<S> for Cauchy<S> {
    fn support(&self) -> Support {
        Support::Real
    }
    fn check_value(&self, x: f64) -> Result<(), DistError> {
        check_finite_value(FAMILY, x, Support::Real.describe())
    }
    fn location_scale(&self, i: usize) -> Option<super::LocationScale> {
        Some(super::LocationScale::linear(
            self.loc.re_at(i),
            self.scale.re_at(i),
        ))
    }
    fn draw<R: Rng + ?Sized>(&self, i: usize, rng: &mut R) -> f64 {
        self.loc.re_at(i) + self.scale.re_at(i) * standard_cauchy(rng)
    }
    fn forward(&self, u: S) -> (S, S) {
        Identity::forward(u)
    }
    fn inverse(&self, x: f64) -> f64 {
        Identity::inverse(x)
    }
}

scalar_distribution!(Cauchy, loc, scale);
