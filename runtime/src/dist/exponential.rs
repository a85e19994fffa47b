//! The exponential distribution.

use super::common::{
    ElementDensity, ScalarFamily, check_non_negative, check_positive, ln_at, scalar_distribution,
};
use super::{DistError, IntoParam, Param, Support};
use crate::scalar::Scalar;
use crate::transform::Positive;
use rand::Rng;
use rand_distr::{Distribution as _, Exp1};

const FAMILY: &str = "Exponential";

/// Exponential(rate): density rate · e^(−rate x) for x ≥ 0 (mean 1/rate).
///
/// ```
/// use doppl_runtime::dist::{Distribution, Exponential};
/// let d = Exponential::<f64>::new(2.0).unwrap();
/// assert!((d.log_prob(&1.5).unwrap() - (2f64.ln() - 3.0)).abs() < 1e-14);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Exponential<S: nalgebra::Scalar> {
    rate: Param<S>,
}

impl<S: Scalar> Exponential<S> {
    /// Exponential with `rate > 0`.
    pub fn new(rate: impl IntoParam<S>) -> Result<Self, DistError> {
        let rate = rate.into_param()?;
        check_positive(FAMILY, "rate", &rate)?;
        Ok(Exponential { rate })
    }
}

/// Prepared: (rate, ln rate).
impl<S: Scalar> ElementDensity<S> for Exponential<S> {
    type Prepared = (S, S);
    type Value = S;
    const FAMILY: &'static str = FAMILY;
    fn batch(&self) -> Option<usize> {
        self.rate.batch_len()
    }
    fn prepare(&self, i: usize) -> (S, S) {
        (self.rate.at(i), ln_at(&self.rate, i))
    }
    fn normalizer(&self, prep: &(S, S)) -> S {
        prep.1
    }
    fn kernel(&self, prep: &(S, S), v: &S) -> Result<S, DistError> {
        check_non_negative(FAMILY, v.re())?;
        Ok(-(*v * prep.0))
    }
}

impl<S: Scalar> ScalarFamily<S> for Exponential<S> {
    fn support(&self) -> Support {
        Support::Positive
    }
    fn check_value(&self, x: f64) -> Result<(), DistError> {
        check_non_negative(FAMILY, x)
    }
    fn location_scale(&self, i: usize) -> Option<super::LocationScale> {
        Some(super::LocationScale::linear(
            0.0,
            self.rate.re_at(i).recip(),
        ))
    }
    fn draw<R: Rng + ?Sized>(&self, i: usize, rng: &mut R) -> f64 {
        let e: f64 = Exp1.sample(rng);
        e / self.rate.re_at(i)
    }
    fn forward(&self, u: S) -> (S, S) {
        Positive::forward(u)
    }
    fn inverse(&self, x: f64) -> f64 {
        Positive::inverse(x)
    }
}

scalar_distribution!(Exponential, rate);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::Distribution;
    use crate::gradient::NoLocals;
    use crate::scalar::Dual;
    use nalgebra::DVector;

    /// Observed data against a constant rate is scored over `f64` (the constant path) and
    /// against a latent rate in duals; both give `Σ (ln λ − λ xᵢ)`, the latent one with the
    /// derivative `Σ (1/λ − xᵢ)` in its lane, and a value outside the support names its
    /// element on both paths.
    #[test]
    fn observed_data_against_constant_and_latent_rates() {
        let data = DVector::from_vec(vec![0.5, 1.25, 3.0, 0.0]);
        let (rate, total): (f64, f64) = (1.5, data.sum());
        let exact = 4.0 * rate.ln() - rate * total;
        let constant = Exponential::<Dual<2>>::new(rate).unwrap();
        let sum = constant
            .log_prob_plate_observed(&data, &mut NoLocals)
            .unwrap();
        assert!((sum.re - exact).abs() < 1e-14, "{sum:?} vs {exact}");
        assert_eq!(sum.eps, [0.0; 2]);
        let latent = Exponential::new(Dual::<2>::variable(rate, 1)).unwrap();
        let sum = latent
            .log_prob_plate_observed(&data, &mut NoLocals)
            .unwrap();
        assert!((sum.re - exact).abs() < 1e-14);
        assert!((sum.eps[1] - (4.0 / rate - total)).abs() < 1e-14, "{sum:?}");
        let bad = DVector::from_vec(vec![0.5, -1.0]);
        for dist in [constant, latent] {
            let error = dist
                .log_prob_plate_observed(&bad, &mut NoLocals)
                .unwrap_err();
            assert!(
                matches!(error, DistError::OutOfSupport { index: Some(1), .. }),
                "{error:?}"
            );
        }
    }
}
