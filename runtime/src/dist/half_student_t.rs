//! The half-Student-t distribution: |X| for X ~ StudentT(df, 0, scale).

use super::common::{
    ElementDensity, ScalarFamily, check_non_negative, check_scale, common_batch, ln_at,
    scalar_distribution,
};
use super::student_t::{Prepared, standard_t};
use super::{DistError, IntoParam, Param, Support};
use crate::scalar::Scalar;
use crate::transform::Positive;
use rand::Rng;
use std::f64::consts::LN_2;

const FAMILY: &str = "HalfStudentT";

/// HalfStudentT(df, scale): density 2 · StudentT(x | ν, 0, σ) for x ≥ 0, that is
/// 2 Γ((ν+1)/2) / (Γ(ν/2) √(νπ) σ) · (1 + (x/σ)² / ν)^−(ν+1)/2.
///
/// A weakly informative prior for scales: ν = 1 is the [`HalfCauchy`](super::HalfCauchy),
/// ν → ∞ the [`HalfNormal`](super::HalfNormal). Latent values are unconstrained through
/// x = e^u. Draws are |σ t| for a standard t draw t.
///
/// ```
/// use doppl_runtime::dist::{Distribution, HalfStudentT};
/// use std::f64::consts::PI;
/// let d = HalfStudentT::<f64>::new(1.0, 2.0).unwrap(); // ν = 1: a half-Cauchy
/// let lp = d.log_prob(&2.0).unwrap();
/// assert!((lp - (1.0 / (2.0 * PI)).ln()).abs() < 1e-12); // 2 / (π σ (1 + 1))
/// assert!(d.log_prob(&-0.5).is_err());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct HalfStudentT<S: nalgebra::Scalar> {
    df: Param<S>,
    scale: Param<S>,
    batch: Option<usize>,
}

impl<S: Scalar> HalfStudentT<S> {
    /// HalfStudentT with degrees of freedom `df > 0` and `scale > 0` (constants, scalars or
    /// one per plate element).
    pub fn new(df: impl IntoParam<S>, scale: impl IntoParam<S>) -> Result<Self, DistError> {
        let (df, scale) = (df.into_param()?, scale.into_param()?);
        check_scale(FAMILY, "df", &df)?;
        check_scale(FAMILY, "scale", &scale)?;
        let batch = common_batch(&[df.batch_len(), scale.batch_len()])?;
        Ok(HalfStudentT { df, scale, batch })
    }
}

/// Prepared: the Student-t quantities at location 0, ln 2 added to the normaliser.
impl<S: Scalar> ElementDensity<S> for HalfStudentT<S> {
    type Prepared = Prepared<S>;
    type Value = S;
    const FAMILY: &'static str = FAMILY;
    fn batch(&self) -> Option<usize> {
        self.batch
    }
    fn prepare(&self, i: usize) -> Prepared<S> {
        let (df, scale) = (self.df.at(i), self.scale.at(i));
        let mut prep = Prepared::new(df, S::zero(), scale, ln_at(&self.scale, i));
        prep.norm = prep.norm + LN_2;
        prep
    }
    fn normalizer(&self, prep: &Prepared<S>) -> S {
        prep.norm
    }
    fn kernel(&self, prep: &Prepared<S>, v: &S) -> Result<S, DistError> {
        check_non_negative(FAMILY, v.re())?;
        Ok(prep.kernel(*v))
    }
}

impl<S: Scalar> ScalarFamily<S> for HalfStudentT<S> {
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
        (self.scale.re_at(i) * standard_t(self.df.re_at(i), rng)).abs()
    }
    fn forward(&self, u: S) -> (S, S) {
        Positive::forward(u)
    }
    fn inverse(&self, x: f64) -> f64 {
        Positive::inverse(x)
    }
}

scalar_distribution!(HalfStudentT, df, scale);
