//! The low-rank plus diagonal metric from stored draws and gradients (nutpie's estimate).
//!
//! After the Fisher diagonal `D` is factored out, the draws' scatter `Cₓ` and the gradients'
//! scatter `C_g` on the subspace the window spans determine the covariance along it: for a
//! Gaussian, `Cov x = Σ` and `Cov g = Σ⁻¹`, and the SPD matrix `S` with `S C_g S = Cₓ`
//! (the geometric mean of `Cₓ` and `C_g⁻¹`) is `Σ` itself. Directions where `S` differs
//! from the identity by more than a cutoff become the low-rank correction.

use nalgebra::{DMatrix, SymmetricEigen};

use crate::nuts::{LowRankMetric, Metric};
use crate::options::LowRankOptions;

/// Stored draws and gradients since the second-to-last window switch.
#[derive(Debug, Clone, Default)]
pub struct LowRankEstimator {
    draws: Vec<Vec<f64>>,
    gradients: Vec<Vec<f64>>,
    /// Index of the first draw since the last switch.
    background_start: usize,
}

impl LowRankEstimator {
    /// Stores a draw and the gradient of the log density at it.
    pub fn add(&mut self, draw: &[f64], gradient: &[f64]) {
        self.draws.push(draw.to_vec());
        self.gradients.push(gradient.to_vec());
    }

    /// Draws stored (the foreground).
    pub fn foreground_count(&self) -> usize {
        self.draws.len()
    }

    /// Draws since the last switch.
    pub fn background_count(&self) -> usize {
        self.draws.len() - self.background_start
    }

    /// Forgets the draws before the last switch.
    pub fn switch(&mut self) {
        self.draws.drain(..self.background_start);
        self.gradients.drain(..self.background_start);
        self.background_start = self.draws.len();
    }

    /// The metric estimated from the stored draws, or `None` with fewer than three draws or
    /// a non-finite result (then the old metric stays, as nuts-rs does since 2025).
    pub fn metric(&self, options: &LowRankOptions) -> Option<Metric> {
        if self.draws.len() < 3 {
            return None;
        }
        let draws = columns(&self.draws);
        let gradients = columns(&self.gradients);
        low_rank_metric(draws, gradients, options).map(Metric::LowRank)
    }
}

/// The points as the columns of a `d × n` matrix.
fn columns(points: &[Vec<f64>]) -> DMatrix<f64> {
    DMatrix::from_fn(points[0].len(), points.len(), |i, j| points[j][i])
}

/// Estimates the metric from `d × n` draws and gradients (columns are points).
pub fn low_rank_metric(
    mut draws: DMatrix<f64>,
    mut gradients: DMatrix<f64>,
    options: &LowRankOptions,
) -> Option<LowRankMetric> {
    let scale = center_and_scale(&mut draws, &mut gradients)?;
    // An orthonormal basis of the span of both point clouds (Householder QR: orthonormal
    // even when the columns are dependent; directions without data end with eigenvalue 1).
    let joined = DMatrix::from_fn(draws.nrows(), 2 * draws.ncols(), |i, j| {
        if j < draws.ncols() {
            draws[(i, j)]
        } else {
            gradients[(i, j - draws.ncols())]
        }
    });
    let basis = joined.qr().q();
    let scatter = |points: &DMatrix<f64>| {
        let projected = basis.tr_mul(points);
        let mut c = &projected * projected.transpose() / options.gamma;
        for i in 0..c.nrows() {
            c[(i, i)] += 1.0;
        }
        c
    };
    let covariance = spd_geometric_mean(&scatter(&draws), &scatter(&gradients))?;
    let eigen = SymmetricEigen::new(covariance);
    let kept: Vec<usize> = (0..eigen.eigenvalues.len())
        .filter(|&k| {
            let lambda = eigen.eigenvalues[k];
            lambda > options.cutoff || lambda < 1.0 / options.cutoff
        })
        .collect();
    let vectors = &basis * eigen.eigenvectors.select_columns(&kept);
    let values: Vec<f64> = kept.iter().map(|&k| eigen.eigenvalues[k]).collect();
    let finite = vectors.iter().chain(&values).all(|x| x.is_finite());
    (finite && values.iter().all(|&v| v > 0.0)).then_some(LowRankMetric {
        scale,
        vectors,
        values,
    })
}

/// Centres draws and gradients per coordinate and scales them by the Fisher diagonal
/// `σ = (Var x / Var g)^¼`: draws divided, gradients multiplied. Returns `σ`.
fn center_and_scale(draws: &mut DMatrix<f64>, gradients: &mut DMatrix<f64>) -> Option<Vec<f64>> {
    let mut scale = Vec::with_capacity(draws.nrows());
    for i in 0..draws.nrows() {
        let draw_spread = center_row(draws, i);
        let gradient_spread = center_row(gradients, i);
        let s = (draw_spread / gradient_spread).powf(0.25);
        if !(s.is_finite() && s > 0.0) {
            return None;
        }
        draws.row_mut(i).unscale_mut(s);
        gradients.row_mut(i).scale_mut(s);
        scale.push(s);
    }
    Some(scale)
}

/// Subtracts row `i`'s mean; returns its sum of squared deviations.
fn center_row(points: &mut DMatrix<f64>, i: usize) -> f64 {
    let mean = points.row(i).mean();
    let mut row = points.row_mut(i);
    row.add_scalar_mut(-mean);
    row.norm_squared()
}

/// The SPD `S` with `S b S = a`: `b^-½ (b^½ a b^½)^½ b^-½`.
fn spd_geometric_mean(a: &DMatrix<f64>, b: &DMatrix<f64>) -> Option<DMatrix<f64>> {
    let b_half = spd_power(b, 0.5)?;
    let b_inverse_half = spd_power(b, -0.5)?;
    let inner = spd_power(&(&b_half * a * &b_half), 0.5)?;
    Some(&b_inverse_half * inner * &b_inverse_half)
}

/// `m^p` of a symmetric positive definite matrix, by its eigendecomposition.
fn spd_power(m: &DMatrix<f64>, p: f64) -> Option<DMatrix<f64>> {
    let symmetric = (m + m.transpose()) * 0.5;
    let eigen = SymmetricEigen::new(symmetric);
    if eigen
        .eigenvalues
        .iter()
        .any(|&e| !(e > 0.0 && e.is_finite()))
    {
        return None;
    }
    let powered = eigen.eigenvalues.map(|e| e.powf(p));
    let v = &eigen.eigenvectors;
    Some(v * DMatrix::from_diagonal(&powered) * v.transpose())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_distr::{Distribution, StandardNormal};

    /// A dense covariance with condition number 100, rotated off the axes.
    fn covariance(d: usize) -> DMatrix<f64> {
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        let raw: DMatrix<f64> = DMatrix::from_fn(d, d, |_, _| StandardNormal.sample(&mut rng));
        let q = raw.qr().q();
        let spectrum = DMatrix::from_diagonal(&nalgebra::DVector::from_fn(d, |i, _| {
            10f64.powf(2.0 * i as f64 / (d - 1) as f64 - 1.0)
        }));
        &q * spectrum * q.transpose()
    }

    /// The inverse metric as a dense matrix.
    fn inverse_metric(metric: &LowRankMetric) -> DMatrix<f64> {
        let d = metric.scale.len();
        let u = &metric.vectors;
        let shift = DMatrix::from_diagonal(&nalgebra::DVector::from_iterator(
            metric.values.len(),
            metric.values.iter().map(|l| l - 1.0),
        ));
        let inner = DMatrix::identity(d, d) + u * shift * u.transpose();
        let scale = DMatrix::from_diagonal(&nalgebra::DVector::from_column_slice(&metric.scale));
        &scale * inner * &scale
    }

    #[test]
    fn enough_exact_gaussian_gradients_recover_the_covariance_within_the_cutoff() {
        let d = 6;
        let sigma = covariance(d);
        let precision = sigma.clone().try_inverse().unwrap();
        let mut rng = rand::rngs::StdRng::seed_from_u64(9);
        let draws: DMatrix<f64> =
            DMatrix::from_fn(d, 2 * d, |_, _| StandardNormal.sample(&mut rng));
        let gradients = -(&precision * &draws);
        let options = LowRankOptions::default();
        let metric = low_rank_metric(draws, gradients, &options).expect("estimate");
        // M Σ has eigenvalues in [1/c, c] (up to γ): the residual stretch is below the cutoff.
        let m = inverse_metric(&metric).try_inverse().unwrap();
        let root = spd_power(&sigma, 0.5).unwrap();
        let product = &root * m * &root;
        for e in SymmetricEigen::new(product).eigenvalues.iter() {
            assert!(*e > 1.0 / 2.0 - 1e-3 && *e < 2.0 + 1e-3, "eigenvalue {e}");
        }
        assert!(!metric.values.is_empty());
    }

    #[test]
    fn the_geometric_mean_solves_its_equation() {
        let a = covariance(4);
        let b = covariance(4).try_inverse().unwrap() * 3.0;
        let s = spd_geometric_mean(&a, &b).unwrap();
        assert!((&s * &b * &s - &a).norm() < 1e-9 * a.norm());
    }

    #[test]
    fn a_switch_keeps_the_draws_since_the_previous_switch() {
        let mut estimator = LowRankEstimator::default();
        estimator.add(&[1.0], &[1.0]);
        estimator.switch();
        estimator.add(&[2.0], &[1.0]);
        estimator.switch();
        assert_eq!(estimator.foreground_count(), 1);
        assert_eq!(estimator.background_count(), 0);
    }
}
