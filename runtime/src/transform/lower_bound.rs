//! ℝ → (lower, ∞) through a shifted exponential.

use crate::scalar::Scalar;

/// x = lower + e^u, ln |J| = u. The bound may itself be a parameter (a dual).
///
/// ```
/// use doppl_runtime::transform::LowerBound;
/// let t = LowerBound { lower: 2.0f64 };
/// let (x, log_jac) = t.forward(0.0);
/// assert_eq!((x, log_jac), (3.0, 0.0));
/// assert_eq!(LowerBound { lower: 2.0 }.inverse(3.0), 0.0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LowerBound<S> {
    /// The (excluded) lower end of the support.
    pub lower: S,
}

impl<S: Scalar> LowerBound<S> {
    /// lower + e^u and ln |dx/du| = u.
    #[inline]
    pub fn forward(&self, u: S) -> (S, S) {
        (self.lower + u.exp(), u)
    }
}

impl LowerBound<f64> {
    /// ln(x − lower).
    #[inline]
    pub fn inverse(&self, x: f64) -> f64 {
        (x - self.lower).ln()
    }
}
