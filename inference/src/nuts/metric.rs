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
    /// Low-rank plus diagonal: `M⁻¹ = D (I + U (Λ − I) Uᵀ) D` with `D = diag(scale)` and
    /// orthonormal columns `U` (nutpie's metric, Seyboldt, Carlson & Carpenter 2026). Every
    /// product costs O(d k) for `k` corrected directions.
    LowRank(LowRankMetric),
}

/// The parts of a [`Metric::LowRank`].
#[derive(Debug, Clone, PartialEq)]
pub struct LowRankMetric {
    /// Diagonal scales `σ` (standard deviations, the square roots of the Fisher diagonal).
    pub scale: Vec<f64>,
    /// Orthonormal corrected directions, `d × k`, in the scaled coordinates.
    pub vectors: DMatrix<f64>,
    /// Variance along each direction relative to the diagonal (`Λ`, all positive).
    pub values: Vec<f64>,
}

impl LowRankMetric {
    /// `out ← x + U (f(Λ) ⊙ (Uᵀ x))`: the correction shared by velocity and momentum.
    fn correct(&self, x: &mut [f64], f: impl Fn(f64) -> f64) {
        for (k, &lambda) in self.values.iter().enumerate() {
            let column = self.vectors.column(k);
            let along: f64 = column.iter().zip(x.iter()).map(|(u, x)| u * x).sum();
            let weight = f(lambda) * along;
            for (x, u) in x.iter_mut().zip(column.iter()) {
                *x += weight * u;
            }
        }
    }
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
            Metric::LowRank(low_rank) => low_rank.scale.len(),
        }
    }

    /// The diagonal of `M⁻¹`: each coordinate's variance under the metric.
    pub fn diagonal(&self) -> Vec<f64> {
        match self {
            Metric::Diagonal(variances) => variances.clone(),
            Metric::Dense { inverse, .. } => inverse.diagonal().iter().copied().collect(),
            Metric::LowRank(low_rank) => (0..low_rank.scale.len())
                .map(|i| {
                    let row = low_rank.vectors.row(i);
                    let correction: f64 = row
                        .iter()
                        .zip(&low_rank.values)
                        .map(|(u, lambda)| (lambda - 1.0) * u * u)
                        .sum();
                    low_rank.scale[i].powi(2) * (1.0 + correction)
                })
                .collect(),
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
            Metric::LowRank(low_rank) => {
                for ((v, p), s) in velocity.iter_mut().zip(momentum).zip(&low_rank.scale) {
                    *v = s * p;
                }
                low_rank.correct(velocity, |lambda| lambda - 1.0);
                for (v, s) in velocity.iter_mut().zip(&low_rank.scale) {
                    *v *= s;
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
            // p = D⁻¹ (ξ + U (Λ^-½ − I) Uᵀ ξ) has covariance D⁻¹ (I + U (Λ⁻¹ − I) Uᵀ) D⁻¹ = M.
            Metric::LowRank(low_rank) => {
                low_rank.correct(momentum, |lambda| lambda.powf(-0.5) - 1.0);
                for (p, s) in momentum.iter_mut().zip(&low_rank.scale) {
                    *p /= s;
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
