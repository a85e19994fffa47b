//! The identity transform for real-valued supports.

use crate::scalar::Scalar;

/// ℝ → ℝ, x = u, ln |J| = 0.
///
/// ```
/// use doppl_runtime::transform::Identity;
/// assert_eq!(Identity::forward(1.5f64), (1.5, 0.0));
/// assert_eq!(Identity::inverse(1.5), 1.5);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Identity;

impl Identity {
    /// The value (unchanged) and ln |J| = 0.
    #[inline]
    pub fn forward<S: Scalar>(u: S) -> (S, S) {
        (u, S::zero())
    }
    /// The unconstrained coordinate of `x` (unchanged).
    #[inline]
    pub fn inverse(x: f64) -> f64 {
        x
    }
}
