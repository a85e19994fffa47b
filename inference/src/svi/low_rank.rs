//! The low-rank-plus-diagonal normal `N(μ, W Wᵀ + diag(σ²))` of
//! [`super::AutoGuide::LowRankMultivariateNormal`].
//!
//! Its scale parameters are `W` (`dim × rank`, row by row) then `ln σ`. A draw takes
//! `rank + dim` standard normals: `z = μ + W ε₁ + σ ⊙ ε₂`. The entropy and its gradient use
//! the matrix determinant lemma and Woodbury's identity with `K = I + Wᵀ D⁻¹ W` (`rank ×
//! rank`, `D = diag(σ²)`), so they cost O(dim · rank²), never a `dim × dim` matrix.

use nalgebra::{DMatrix, DVector};

/// The factor `W` and the diagonal variances `d = σ²` of the scale parameters `s`.
fn parts(dim: usize, rank: usize, s: &[f64]) -> (DMatrix<f64>, DVector<f64>) {
    let w = DMatrix::from_row_slice(dim, rank, &s[..dim * rank]);
    let d = DVector::from_iterator(dim, s[dim * rank..].iter().map(|r| (2.0 * r).exp()));
    (w, d)
}

/// `A = D⁻¹ W` and `K⁻¹` with `ln det K`.
fn woodbury(w: &DMatrix<f64>, d: &DVector<f64>) -> (DMatrix<f64>, DMatrix<f64>, f64) {
    let a = DMatrix::from_fn(w.nrows(), w.ncols(), |i, k| w[(i, k)] / d[i]);
    let k = DMatrix::identity(w.ncols(), w.ncols()) + w.transpose() * &a;
    // K is symmetric positive definite (identity plus a Gram matrix).
    let chol = k.cholesky().expect("I + WᵀD⁻¹W is positive definite");
    let log_det = 2.0 * chol.l().diagonal().iter().map(|x| x.ln()).sum::<f64>();
    (a, chol.inverse(), log_det)
}

/// `z = μ + W ε₁ + σ ⊙ ε₂` added to `z` (which holds `μ`); `eps = [ε₁; ε₂]`.
pub(super) fn draw(dim: usize, rank: usize, s: &[f64], eps: &[f64], z: &mut [f64]) {
    let (e1, e2) = eps.split_at(rank);
    for (i, zi) in z.iter_mut().enumerate() {
        let row = &s[i * rank..(i + 1) * rank];
        let factor: f64 = row.iter().zip(e1).map(|(w, e)| w * e).sum();
        *zi += factor + s[dim * rank + i].exp() * e2[i];
    }
}

/// `½ ln det(2πe Σ)`.
pub(super) fn entropy(dim: usize, rank: usize, s: &[f64]) -> f64 {
    let (w, d) = parts(dim, rank, s);
    let (_, _, log_det_k) = woodbury(&w, &d);
    let log_det = d.iter().map(|x| x.ln()).sum::<f64>() + log_det_k;
    0.5 * (dim as f64 * (1.0 + (2.0 * std::f64::consts::PI).ln()) + log_det)
}

/// Adds `weight · ∂ log p(z) / ∂(W, ln σ)` into `grad` given `g = ∇ log p` at the draw.
pub(super) fn pull_back(
    dim: usize,
    rank: usize,
    s: &[f64],
    eps: &[f64],
    g: &[f64],
    weight: f64,
    grad: &mut [f64],
) {
    let (e1, e2) = eps.split_at(rank);
    for i in 0..dim {
        for (k, e) in e1.iter().enumerate() {
            grad[i * rank + k] += weight * g[i] * e;
        }
        let j = dim * rank + i;
        grad[j] += weight * g[i] * e2[i] * s[j].exp();
    }
}

/// Adds the entropy's gradient: `Σ⁻¹ W = A K⁻¹` for `W`, `(Σ⁻¹)ᵢᵢ dᵢ` for `ln σᵢ`.
pub(super) fn add_entropy_gradient(dim: usize, rank: usize, s: &[f64], grad: &mut [f64]) {
    let (w, d) = parts(dim, rank, s);
    let (a, k_inv, _) = woodbury(&w, &d);
    let ak = &a * &k_inv;
    for i in 0..dim {
        for k in 0..rank {
            grad[i * rank + k] += ak[(i, k)];
        }
        // (Σ⁻¹)ᵢᵢ = 1/dᵢ − (A K⁻¹ Aᵀ)ᵢᵢ.
        let correction: f64 = (0..rank).map(|k| ak[(i, k)] * a[(i, k)]).sum();
        grad[dim * rank + i] += (1.0 / d[i] - correction) * d[i];
    }
}

/// `W Wᵀ + diag(σ²)`.
pub(super) fn covariance(dim: usize, rank: usize, s: &[f64]) -> DMatrix<f64> {
    let (w, d) = parts(dim, rank, s);
    &w * w.transpose() + DMatrix::from_diagonal(&d)
}
