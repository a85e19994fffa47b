//! Welford estimators of the posterior (co)variance, regularized into an inverse metric.

use nalgebra::{DMatrix, DVector};

use crate::nuts::Metric;

/// Weight of the regularization prior, in pseudo-draws (Stan: 5).
const PRIOR_DRAWS: f64 = 5.0;
/// Scale the estimate shrinks towards (Stan: 1e-3 × identity).
const PRIOR_SCALE: f64 = 1e-3;

/// Running mean and (co)variance of warm-up draws within one slow window.
#[derive(Debug, Clone)]
pub struct MetricEstimator {
    count: usize,
    mean: DVector<f64>,
    /// Sum of squared deviations: the diagonal only, or the full matrix when dense.
    squares: Squares,
}

#[derive(Debug, Clone)]
enum Squares {
    Diagonal(DVector<f64>),
    Dense(DMatrix<f64>),
}

impl MetricEstimator {
    /// An empty estimator for `dim` coordinates.
    pub fn new(dim: usize, dense: bool) -> Self {
        MetricEstimator {
            count: 0,
            mean: DVector::zeros(dim),
            squares: if dense {
                Squares::Dense(DMatrix::zeros(dim, dim))
            } else {
                Squares::Diagonal(DVector::zeros(dim))
            },
        }
    }

    /// Adds one draw (Welford's update, stable for long windows).
    pub fn add(&mut self, draw: &[f64]) {
        self.count += 1;
        let x = DVector::from_column_slice(draw);
        let delta_before = &x - &self.mean;
        self.mean += &delta_before / self.count as f64;
        let delta_after = &x - &self.mean;
        match &mut self.squares {
            Squares::Diagonal(squares) => {
                squares.axpy(1.0, &delta_before.component_mul(&delta_after), 1.0)
            }
            Squares::Dense(squares) => squares.ger(1.0, &delta_after, &delta_before, 1.0),
        }
    }

    /// Number of draws added since the last reset.
    pub fn count(&self) -> usize {
        self.count
    }

    /// The regularized inverse metric `(n/(n+5)) Σ̂ + 1e-3 (5/(n+5)) I` (Stan's
    /// `var_adaptation` / `covar_adaptation`), or `None` if it is not usable (fewer than
    /// three draws, non-finite, or a dense estimate that is not positive definite).
    pub fn regularized_metric(&self) -> Option<Metric> {
        if self.count < 3 {
            return None;
        }
        let n = self.count as f64;
        let weight = n / (n + PRIOR_DRAWS);
        let shrinkage = PRIOR_SCALE * PRIOR_DRAWS / (n + PRIOR_DRAWS);
        match &self.squares {
            Squares::Diagonal(squares) => {
                let variances: Vec<f64> = squares
                    .iter()
                    .map(|s| weight * s / (n - 1.0) + shrinkage)
                    .collect();
                variances
                    .iter()
                    .all(|v| v.is_finite() && *v > 0.0)
                    .then_some(Metric::Diagonal(variances))
            }
            Squares::Dense(squares) => {
                let mut covariance = squares * (weight / (n - 1.0));
                // Symmetrize: the rank-one updates are symmetric only up to rounding.
                covariance = (&covariance + covariance.transpose()) * 0.5;
                for i in 0..covariance.nrows() {
                    covariance[(i, i)] += shrinkage;
                }
                if covariance.iter().any(|c| !c.is_finite()) {
                    return None;
                }
                Metric::dense(covariance)
            }
        }
    }

    /// Empties the estimator for the next window.
    pub fn reset(&mut self) {
        let dense = matches!(self.squares, Squares::Dense(_));
        *self = MetricEstimator::new(self.mean.len(), dense);
    }
}
