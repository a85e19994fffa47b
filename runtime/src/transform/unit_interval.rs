//! ℝ → (0, 1) through the logistic function.

use crate::scalar::Scalar;

/// x = σ(u) = 1 / (1 + e^−u), ln |J| = ln σ(u) + ln σ(−u).
///
/// The log-Jacobian is computed with `log_sigmoid` on both sides rather than as
/// ln(x(1 − x)), which would round to −∞ once x is within machine epsilon of 0 or 1.
///
/// ```
/// use doppl_runtime::transform::UnitInterval;
/// let (x, log_jac) = UnitInterval::forward(0.0f64);
/// assert_eq!(x, 0.5);
/// assert!((log_jac - 0.25f64.ln()).abs() < 1e-15);
/// assert!((UnitInterval::inverse(0.5)).abs() < 1e-15);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct UnitInterval;

impl UnitInterval {
    /// σ(u) and ln |dx/du|.
    #[inline]
    pub fn forward<S: Scalar>(u: S) -> (S, S) {
        (u.sigmoid(), u.log_sigmoid() + (-u).log_sigmoid())
    }
    /// logit(x) = ln x − ln(1 − x).
    #[inline]
    pub fn inverse(x: f64) -> f64 {
        x.ln() - (-x).ln_1p()
    }
}
