//! The exponential distribution.

use super::common::{
    ElementDensity, ScalarFamily, check_non_negative, check_positive, ln_at, scalar_distribution,
};
use super::{DistError, IntoParam, Param, Support};
use crate::gradient::LocalTangents;
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
    /// With one rate and no derivative to read off per element: `n ln λ − λ Σ vᵢ`, the
    /// values summed four at a time and checked through their minimum and sum. Observed data
    /// against a constant rate (an exogenous covariate's model) is then a pass of additions
    /// over the `f64` data instead of a fallible term per element.
    fn own_plate_sum<V, L: LocalTangents<S>>(
        &self,
        vs: &[V],
        locals: &mut L,
        value: &impl Fn(&V) -> S,
    ) -> Option<Result<S, DistError>> {
        if self.rate.batch_len().is_some() || locals.is_active() {
            return None;
        }
        let (mut sums, mut lowest) = ([S::zero(); 4], f64::INFINITY);
        let mut add = |sum: &mut S, v: &V| {
            let v = value(v);
            lowest = lowest.min(v.re());
            *sum += v;
        };
        let quads = vs.chunks_exact(4);
        for (sum, v) in sums.iter_mut().zip(quads.remainder()) {
            add(sum, v);
        }
        for quad in quads {
            let [s0, s1, s2, s3] = &mut sums;
            add(s0, &quad[0]);
            add(s1, &quad[1]);
            add(s2, &quad[2]);
            add(s3, &quad[3]);
        }
        let total = (sums[0] + sums[1]) + (sums[2] + sums[3]);
        // A negative value shows in the minimum, an infinite or NaN one in the sum.
        if !(lowest >= 0.0 && total.re().is_finite()) {
            let outside = vs.iter().map(|v| check_non_negative(FAMILY, value(v).re()));
            if let Some((i, e)) = outside.enumerate().find_map(|(i, r)| Some((i, r.err()?))) {
                return Some(Err(e.at(i)));
            }
        }
        let (rate, ln_rate) = self.prepare(0);
        Some(Ok(ln_rate * vs.len() as f64 - total * rate))
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
        let data = DVector::from_vec(vec![0.5, 1.25, 3.0, 0.0, 2.5, 0.125, 7.0]);
        let n = data.len() as f64;
        let (rate, total): (f64, f64) = (1.5, data.sum());
        let exact = n * rate.ln() - rate * total;
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
        assert!((sum.eps[1] - (n / rate - total)).abs() < 1e-14, "{sum:?}");
        let bad = DVector::from_vec(vec![0.5, 1.0, 2.0, 3.0, 4.0, -1.0, f64::INFINITY]);
        for dist in [constant, latent] {
            let error = dist
                .log_prob_plate_observed(&bad, &mut NoLocals)
                .unwrap_err();
            assert!(
                matches!(error, DistError::OutOfSupport { index: Some(5), .. }),
                "{error:?}"
            );
        }
    }
}
