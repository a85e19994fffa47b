//! The beta distribution on (0, 1).

use super::common::{
    ElementDensity, ScalarFamily, check_scale, common_batch, ln_gamma_at, out_of_support,
    scalar_distribution,
};
use super::{DistError, IntoParam, Param, Support};
use crate::scalar::Scalar;
use crate::transform::UnitInterval;
use rand::Rng;
use rand_distr::Distribution as _;

const FAMILY: &str = "Beta";

/// Beta(a, b): density x^(a−1) (1 − x)^(b−1) / B(a, b) for 0 < x < 1.
///
/// Latent values are unconstrained through the logistic function.
///
/// ```
/// use doppl_runtime::dist::{Beta, Distribution};
/// let d = Beta::<f64>::new(2.0, 3.0).unwrap();
/// // 12 x (1 − x)² at x = 0.5
/// assert!((d.log_prob(&0.5).unwrap() - 1.5f64.ln()).abs() < 1e-13);
/// assert!(d.log_prob(&1.0).is_err());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Beta<S: nalgebra::Scalar> {
    a: Param<S>,
    b: Param<S>,
    batch: Option<usize>,
}

impl<S: Scalar> Beta<S> {
    /// Beta with concentrations `a > 0` and `b > 0`.
    pub fn new(a: impl IntoParam<S>, b: impl IntoParam<S>) -> Result<Self, DistError> {
        let (a, b) = (a.into_param()?, b.into_param()?);
        check_scale(FAMILY, "a", &a)?;
        check_scale(FAMILY, "b", &b)?;
        let batch = common_batch(&[a.batch_len(), b.batch_len()])?;
        Ok(Beta { a, b, batch })
    }
}

fn check_open_unit(x: f64) -> Result<(), DistError> {
    if x > 0.0 && x < 1.0 {
        Ok(())
    } else {
        Err(out_of_support(FAMILY, x, Support::UnitInterval.describe()))
    }
}

/// Prepared: (a − 1, b − 1, ln Γ(a + b) − ln Γ(a) − ln Γ(b)).
impl<S: Scalar> ElementDensity<S> for Beta<S> {
    type Prepared = (S, S, S);
    type Value = S;
    const FAMILY: &'static str = FAMILY;
    fn batch(&self) -> Option<usize> {
        self.batch
    }
    fn prepare(&self, i: usize) -> (S, S, S) {
        let (a, b) = (self.a.at(i), self.b.at(i));
        let norm = (a + b).ln_gamma() - ln_gamma_at(&self.a, i) - ln_gamma_at(&self.b, i);
        (a - 1.0, b - 1.0, norm)
    }
    fn normalizer(&self, prep: &(S, S, S)) -> S {
        prep.2
    }
    fn kernel(&self, prep: &(S, S, S), v: &S) -> Result<S, DistError> {
        check_open_unit(v.re())?;
        Ok(prep.0 * v.ln() + prep.1 * (-*v).ln_1p())
    }
}

impl<S: Scalar> ScalarFamily<S> for Beta<S> {
    fn support(&self) -> Support {
        Support::UnitInterval
    }
    fn check_value(&self, x: f64) -> Result<(), DistError> {
        check_open_unit(x)
    }
    fn draw<R: Rng + ?Sized>(&self, i: usize, rng: &mut R) -> f64 {
        rand_distr::Beta::new(self.a.re_at(i), self.b.re_at(i)).map_or(f64::NAN, |d| d.sample(rng))
    }
    fn forward(&self, u: S) -> (S, S) {
        UnitInterval::forward(u)
    }
    fn inverse(&self, x: f64) -> f64 {
        UnitInterval::inverse(x)
    }
}

scalar_distribution!(Beta, a, b);
