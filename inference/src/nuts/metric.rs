//! Euclidean metrics (mass matrices): kinetic energy, velocity and momentum sampling.

use nalgebra::DMatrix;
use rand::{Rng, RngExt};
use rand_distr::StandardNormal;

/// The inverse metric `M⁻¹` of a Euclidean kinetic energy `K(p) = ½ pᵀ M⁻¹ p`.
///
/// Warm-up sets `M⁻¹` to an estimate of the posterior (co)variance, which makes the
/// posterior look like a standard normal to the integrator.
#[derive(Debug, Clone, PartialEq)]
pub enum Metric {
    /// Diagonal inverse metric: one variance per coordinate.
    Diagonal(Vec<f64>),
    /// Dense inverse metric with its lower Cholesky factor `L` (`M⁻¹ = L Lᵀ`), cached because
    /// momentum sampling needs it every transition.
    Dense {
        /// The inverse metric `M⁻¹` (an estimated covariance).
        inverse: DMatrix<f64>,
        /// Lower Cholesky factor of `inverse`.
        cholesky_lower: DMatrix<f64>,
    },
}

impl Metric {
    /// The identity metric of dimension `dim`.
    pub fn unit_diagonal(dim: usize) -> Self {
        Metric::Diagonal(vec![1.0; dim])
    }

    /// The identity metric stored densely.
    pub fn unit_dense(dim: usize) -> Self {
        let identity = DMatrix::identity(dim, dim);
        Metric::Dense {
            inverse: identity.clone(),
            cholesky_lower: identity,
        }
    }

    /// A dense metric from an inverse metric; `None` unless it is symmetric positive definite.
    pub fn dense(inverse: DMatrix<f64>) -> Option<Self> {
        let cholesky = inverse.clone().cholesky()?;
        Some(Metric::Dense {
            inverse,
            cholesky_lower: cholesky.l(),
        })
    }

    /// Number of coordinates.
    pub fn dim(&self) -> usize {
        match self {
            Metric::Diagonal(variances) => variances.len(),
            Metric::Dense { inverse, .. } => inverse.nrows(),
        }
    }

    /// Writes the velocity `dq/dt = M⁻¹ p` (Stan's "sharp" momentum) into `velocity`.
    pub fn velocity(&self, momentum: &[f64], velocity: &mut [f64]) {
        match self {
            Metric::Diagonal(variances) => {
                for ((v, p), var) in velocity.iter_mut().zip(momentum).zip(variances) {
                    *v = var * p;
                }
            }
            Metric::Dense { inverse, .. } => {
                for (i, v) in velocity.iter_mut().enumerate() {
                    *v = inverse
                        .row(i)
                        .iter()
                        .zip(momentum)
                        .map(|(a, p)| a * p)
                        .sum();
                }
            }
        }
    }

    /// Kinetic energy `½ pᵀ M⁻¹ p` given the momentum and its velocity.
    pub fn kinetic_energy(momentum: &[f64], velocity: &[f64]) -> f64 {
        0.5 * dot(momentum, velocity)
    }

    /// Draws a momentum `p ~ N(0, M)` into `momentum`.
    pub fn sample_momentum<R: Rng + ?Sized>(&self, rng: &mut R, momentum: &mut [f64]) {
        for p in momentum.iter_mut() {
            *p = rng.sample(StandardNormal);
        }
        match self {
            Metric::Diagonal(variances) => {
                for (p, var) in momentum.iter_mut().zip(variances) {
                    *p /= var.sqrt();
                }
            }
            // p = L⁻ᵀ z has covariance L⁻ᵀ L⁻¹ = (L Lᵀ)⁻¹ = M: back-substitution with Lᵀ.
            Metric::Dense { cholesky_lower, .. } => {
                let n = momentum.len();
                for i in (0..n).rev() {
                    let tail: f64 = ((i + 1)..n)
                        .map(|j| cholesky_lower[(j, i)] * momentum[j])
                        .sum();
                    momentum[i] = (momentum[i] - tail) / cholesky_lower[(i, i)];
                }
            }
        }
    }
}

/// Dot product of two equally long slices.
pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}
