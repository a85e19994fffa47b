//! ℝ → (0, ∞) through the exponential.

use crate::scalar::Scalar;

/// x = e^u, ln |J| = u.
///
/// ```
/// use doppl_runtime::transform::Positive;
/// let (x, log_jac) = Positive::forward(0.5f64);
/// assert!((x - 0.5f64.exp()).abs() < 1e-15 && log_jac == 0.5);
/// assert!((Positive::inverse(x) - 0.5).abs() < 1e-15);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Positive;

impl Positive {
    /// e^u and ln |dx/du| = u.
    #[inline]
    pub fn forward<S: Scalar>(u: S) -> (S, S) {
        (u.exp(), u)
    }
    /// ln x (NaN for x < 0, −∞ for x = 0).
    #[inline]
    pub fn inverse(x: f64) -> f64 {
        x.ln()
    }
}
