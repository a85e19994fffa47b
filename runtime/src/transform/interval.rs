//! ℝ → (lower, upper) through a scaled logistic function.

use super::UnitInterval;
use crate::scalar::Scalar;

/// x = lower + (upper − lower) σ(u), ln |J| = ln(upper − lower) + ln σ(u) + ln σ(−u).
///
/// The bounds may be parameters (duals), as for a `Uniform(low, high)` with latent bounds.
///
/// ```
/// use doppl_runtime::transform::Interval;
/// let t = Interval { lower: -1.0f64, upper: 3.0 };
/// let (x, log_jac) = t.forward(0.0);
/// assert_eq!(x, 1.0);
/// assert!((log_jac - (4.0f64 * 0.25).ln()).abs() < 1e-15);
/// assert!(t.inverse(1.0).abs() < 1e-15);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interval<S> {
    /// The (excluded) lower end.
    pub lower: S,
    /// The (excluded) upper end.
    pub upper: S,
}

impl<S: Scalar> Interval<S> {
    /// The value in (lower, upper) and ln |dx/du|.
    #[inline]
    pub fn forward(&self, u: S) -> (S, S) {
        let width = self.upper - self.lower;
        let (unit, log_jac_unit) = UnitInterval::forward(u);
        (self.lower + width * unit, width.ln() + log_jac_unit)
    }
}

impl Interval<f64> {
    /// logit((x − lower) / (upper − lower)).
    #[inline]
    pub fn inverse(&self, x: f64) -> f64 {
        UnitInterval::inverse((x - self.lower) / (self.upper - self.lower))
    }
}
