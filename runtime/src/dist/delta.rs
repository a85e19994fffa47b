//! The point mass: all probability on one value.

use super::common::{
    ElementDensity, ScalarFamily, check_finite, out_of_support, scalar_distribution,
};
use super::{DistError, IntoParam, Param, Support};
use crate::scalar::Scalar;
use crate::transform::Identity;
use rand::Rng;

const FAMILY: &str = "Delta";

/// Delta(value): the point mass at `value`, with log-density 0 there.
///
/// What a `#[guide]` draws for a site it point-estimates (`let w_point = param!(0.0);` then
/// `let w = sample!(Delta::new(w_point));`): the ELBO of that site is `ln p(x, v)` at the
/// parameter `v` (no entropy term), so SVI finds its maximum a posteriori value on the
/// site's own (constrained) scale while the guide's other sites stay distributions, as
/// NumPyro's `dist.Delta` in a guide. (`AutoGuide::Delta` maximizes on the unconstrained
/// scale, Jacobian included: the two agree for real sites only. For a Gamma(a, b) posterior
/// of a positive rate, this finds the mode (a − 1)/b, `AutoGuide::Delta` a/b.)
///
/// Observed, it is the indicator of its value. As a latent site of a model it has no density
/// for NUTS or SVI to explore and is refused like a discrete latent
/// ([`ModelError::DiscreteLatent`](crate::error::ModelError::DiscreteLatent)); an
/// intervention must set it to its own value unless the scenario is unchecked, and it has
/// no noise to abduce for a counterfactual (a `deterministic!` site is the model-side way
/// to write a point mass).
///
/// ```
/// use doppl_runtime::dist::{Delta, Distribution, Reparameterized};
/// let d = Delta::<f64>::new(1.5).unwrap();
/// assert_eq!(d.log_prob(&1.5).unwrap(), 0.0);
/// assert!(d.log_prob(&1.25).is_err());
/// // Every noise draws the point itself.
/// assert_eq!(d.rsample_at(0, -0.7), 1.5);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Delta<S: nalgebra::Scalar> {
    value: Param<S>,
}

impl<S: Scalar> Delta<S> {
    /// The point mass at a finite `value` (a constant, a scalar or one per plate element).
    pub fn new(value: impl IntoParam<S>) -> Result<Self, DistError> {
        let value = value.into_param()?;
        check_finite(FAMILY, "value", &value)?;
        Ok(Delta { value })
    }

    /// `Ok` when `x` is element `i`'s point, the support error otherwise.
    fn check_point(&self, i: usize, x: f64) -> Result<(), DistError> {
        if x == self.value.re_at(i) {
            Ok(())
        } else {
            Err(out_of_support(FAMILY, x, Support::Point.describe()))
        }
    }
}

/// Prepared: element `i`'s point (the density is 0 there, undefined elsewhere).
impl<S: Scalar> ElementDensity<S> for Delta<S> {
    type Prepared = f64;
    type Value = S;
    const FAMILY: &'static str = FAMILY;
    fn batch(&self) -> Option<usize> {
        self.value.batch_len()
    }
    fn prepare(&self, i: usize) -> f64 {
        self.value.re_at(i)
    }
    fn normalizer(&self, _prep: &f64) -> S {
        S::zero()
    }
    fn kernel(&self, point: &f64, v: &S) -> Result<S, DistError> {
        if v.re() == *point {
            Ok(S::zero())
        } else {
            Err(out_of_support(FAMILY, v.re(), Support::Point.describe()))
        }
    }
}

impl<S: Scalar> ScalarFamily<S> for Delta<S> {
    fn support(&self) -> Support {
        Support::Point
    }
    fn check_value(&self, x: f64) -> Result<(), DistError> {
        self.check_point(0, x)
    }
    fn check_value_at(&self, i: usize, x: f64) -> Result<(), DistError> {
        self.check_point(i, x)
    }
    fn draw<R: Rng + ?Sized>(&self, i: usize, _rng: &mut R) -> f64 {
        self.value.re_at(i)
    }
    // Never reached for a latent (a point mass is refused as one); the identity keeps
    // observed and intervened values where they are.
    fn forward(&self, u: S) -> (S, S) {
        Identity::forward(u)
    }
    fn inverse(&self, x: f64) -> f64 {
        Identity::inverse(x)
    }
}

scalar_distribution!(Delta, value);

/// The point itself, whatever the noise: its derivative is the parameter's.
impl<S: Scalar> super::Reparameterized<S> for Delta<S> {
    #[inline]
    fn rsample_at(&self, index: usize, _eps: f64) -> S {
        self.value.at(index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::{Distribution, Reparameterized};
    use crate::scalar::Dual;
    use nalgebra::DVector;

    #[test]
    fn point_masses_per_element_and_their_errors() {
        let d = Delta::<f64>::new(DVector::from_vec(vec![1.0, -2.0])).unwrap();
        assert_eq!(d.log_prob_at(1, &-2.0).unwrap(), 0.0);
        assert!(d.log_prob_at(0, &-2.0).is_err());
        assert!(Delta::<f64>::new(f64::NAN).is_err());
        assert_eq!(Distribution::<f64>::support(&d), Support::Point);
        assert!(!Support::Point.is_continuous());
    }

    /// The draw carries the parameter's tangent; the density has none.
    #[test]
    fn the_draw_differentiates_like_its_parameter() {
        let v = Dual::<2>::variable(0.75, 1);
        let d = Delta::new(v).unwrap();
        let z = d.rsample_at(0, 3.0);
        assert_eq!((z.re, z.eps), (0.75, [0.0, 1.0]));
        let lp = d.log_prob(&z).unwrap();
        assert_eq!((lp.re, lp.eps), (0.0, [0.0, 0.0]));
    }
}
