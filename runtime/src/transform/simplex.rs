//! ℝ^(K−1) → the K-simplex through Stan's stick-breaking construction.

use crate::scalar::Scalar;
use nalgebra::DVector;

/// Stick-breaking: for k = 1, …, K − 1, break off the fraction
/// z_k = σ(u_k − ln(K − k)) of the stick that remains; the last entry takes what is left.
///
/// The offset −ln(K − k) makes u = 0 map to the uniform simplex point (1/K, …, 1/K), as in
/// Stan, so samplers start in the middle. The map from u to the first K − 1 coordinates is
/// triangular, so ln |det J| = Σ_k [ln z_k + ln(1 − z_k) + ln(stick left before k)].
/// Everything is accumulated in log space (`log_sigmoid`), so tiny entries do not underflow
/// the Jacobian to −∞.
///
/// ```
/// use doppl_runtime::transform::StickBreaking;
/// let (x, _) = StickBreaking::forward(&[0.0f64, 0.0, 0.0]);
/// assert!(x.iter().all(|&p| (p - 0.25).abs() < 1e-15));
/// let mut u = [1.0; 3];
/// StickBreaking::inverse(x.as_slice(), &mut u);
/// assert!(u.iter().all(|v| v.abs() < 1e-12));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StickBreaking;

impl StickBreaking {
    /// The simplex point of dimension `u.len() + 1` and ln |det J| of u ↦ its first K − 1
    /// coordinates.
    pub fn forward<S: Scalar>(u: &[S]) -> (DVector<S>, S) {
        let k_total = u.len() + 1;
        let mut out = DVector::from_element(k_total, S::zero());
        let mut log_stick = S::zero();
        let mut log_jac = S::zero();
        for (k, &uk) in u.iter().enumerate() {
            let t = uk - ((k_total - 1 - k) as f64).ln();
            let log_z = t.log_sigmoid();
            let log_one_minus_z = (-t).log_sigmoid();
            log_jac += log_stick + log_z + log_one_minus_z;
            out[k] = (log_stick + log_z).exp();
            log_stick += log_one_minus_z;
        }
        out[k_total - 1] = log_stick.exp();
        (out, log_jac)
    }

    /// The unconstrained coordinates of the simplex point `x` (length K), written into
    /// `out` (length K − 1).
    pub fn inverse(x: &[f64], out: &mut [f64]) {
        let k_total = x.len();
        // Suffix sums Σ_{j ≥ k} x_j are the stick left before step k. Summing from the end,
        // rather than computing 1 − Σ_{j < k} x_j, keeps the precision of small tails.
        let mut remaining = vec![0.0; k_total + 1];
        for k in (0..k_total).rev() {
            remaining[k] = remaining[k + 1] + x[k];
        }
        for (k, slot) in out.iter_mut().enumerate().take(k_total.saturating_sub(1)) {
            let z = x[k] / remaining[k];
            *slot = z.ln() - (-z).ln_1p() + ((k_total - 1 - k) as f64).ln();
        }
    }
}
