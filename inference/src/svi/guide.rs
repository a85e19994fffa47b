//! Automatic guides: variational families on a model's unconstrained parameter space.
//!
//! Each is a location-scale family `z = μ + A ε` with `ε ~ N(0, I)` (reparameterized, so the
//! ELBO's gradient is the model's gradient at `z` pulled back through `A`), or a point mass.
//! Scales are stored on the log scale so that every variational parameter is unconstrained.

use super::low_rank;
use doppl_runtime::scalar::{EXP_BLOCK, exp_each};
use nalgebra::DMatrix;

/// Which automatic guide to fit (the names of Pyro's and NumPyro's `autoguide`s).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AutoGuide {
    /// Mean-field normal: independent `N(μᵢ, σᵢ²)` per coordinate.
    Normal,
    /// Full-rank normal `N(μ, L Lᵀ)` with a lower-triangular Cholesky factor `L`.
    MultivariateNormal,
    /// Low-rank-plus-diagonal normal `N(μ, W Wᵀ + diag(σ²))` with `W` of `rank` columns:
    /// correlations at O(dim · rank) parameters (entropy by the matrix determinant lemma).
    LowRankMultivariateNormal {
        /// The number of columns of `W`.
        rank: usize,
    },
    /// A point mass: the fit is the MAP estimate on the unconstrained space.
    Delta,
}

/// A guide's variational parameters: the location, then the scale parameters
/// (mean-field: `ln σᵢ`; full rank: `L` row by row, its diagonal as `ln Lᵢᵢ`; low rank: `W`
/// row by row, then `ln σᵢ`).
#[derive(Clone, Debug, PartialEq)]
pub struct Guide {
    kind: AutoGuide,
    dim: usize,
    /// The variational parameters, optimized directly.
    pub params: Vec<f64>,
}

/// Index of `L[i][j]` (`j ≤ i`) in the packed rows after the location.
fn packed(i: usize, j: usize) -> usize {
    i * (i + 1) / 2 + j
}

impl Guide {
    /// The guide of `kind` on `dim` coordinates, centred on `location` with every scale
    /// `init_scale` (NumPyro's `init_scale = 0.1`).
    pub fn new(kind: AutoGuide, location: &[f64], init_scale: f64) -> Self {
        let dim = location.len();
        let mut params = location.to_vec();
        match kind {
            AutoGuide::Normal => params.extend(std::iter::repeat_n(init_scale.ln(), dim)),
            AutoGuide::MultivariateNormal => {
                for i in 0..dim {
                    params.extend((0..=i).map(|j| if j == i { init_scale.ln() } else { 0.0 }));
                }
            }
            AutoGuide::LowRankMultivariateNormal { rank } => {
                // W starts at zero: the guide starts as the mean-field one.
                params.extend(std::iter::repeat_n(0.0, dim * rank));
                params.extend(std::iter::repeat_n(init_scale.ln(), dim));
            }
            AutoGuide::Delta => {}
        }
        Guide { kind, dim, params }
    }

    /// The family.
    pub fn kind(&self) -> AutoGuide {
        self.kind
    }
    /// The number of unconstrained coordinates it covers.
    pub fn dim(&self) -> usize {
        self.dim
    }
    /// The location `μ`.
    pub fn location(&self) -> &[f64] {
        &self.params[..self.dim]
    }
    /// How many standard normals one draw takes (0 for a point mass).
    pub fn noise_dim(&self) -> usize {
        match self.kind {
            AutoGuide::Delta => 0,
            AutoGuide::LowRankMultivariateNormal { rank } => rank + self.dim,
            _ => self.dim,
        }
    }

    fn scale_params(&self) -> &[f64] {
        &self.params[self.dim..]
    }

    /// `z = μ + A ε`.
    pub fn draw(&self, eps: &[f64], z: &mut [f64]) {
        z.copy_from_slice(self.location());
        let s = self.scale_params();
        match self.kind {
            AutoGuide::Normal => {
                // σ = e^w a block at a time: the vectorized exponential, not a call each.
                let mut sigma = [0.0; EXP_BLOCK];
                let chunks = (z.chunks_mut(EXP_BLOCK), eps.chunks(EXP_BLOCK));
                let blocks = chunks.0.zip(chunks.1).zip(s.chunks(EXP_BLOCK));
                for ((z, eps), w) in blocks {
                    let sigma = &mut sigma[..w.len()];
                    exp_each(w, sigma);
                    for ((zi, e), si) in z.iter_mut().zip(eps).zip(sigma.iter()) {
                        *zi += si * e;
                    }
                }
            }
            AutoGuide::MultivariateNormal => {
                for (i, zi) in z.iter_mut().enumerate() {
                    let row = &s[packed(i, 0)..=packed(i, i)];
                    let off: f64 = row[..i].iter().zip(eps).map(|(l, e)| l * e).sum();
                    *zi += off + row[i].exp() * eps[i];
                }
            }
            AutoGuide::LowRankMultivariateNormal { rank } => {
                low_rank::draw(self.dim, rank, s, eps, z);
            }
            AutoGuide::Delta => {}
        }
    }

    /// The entropy of the guide, in closed form (0 for a point mass).
    pub fn entropy(&self) -> f64 {
        let constant = 0.5 * self.dim as f64 * (1.0 + (2.0 * std::f64::consts::PI).ln());
        let s = self.scale_params();
        match self.kind {
            AutoGuide::Normal => s.iter().sum::<f64>() + constant,
            AutoGuide::MultivariateNormal => {
                (0..self.dim).map(|i| s[packed(i, i)]).sum::<f64>() + constant
            }
            AutoGuide::LowRankMultivariateNormal { rank } => low_rank::entropy(self.dim, rank, s),
            AutoGuide::Delta => 0.0,
        }
    }

    /// Adds `weight · ∂ log p(z(φ)) / ∂φ` into `grad` given `g = ∇ log p` at `z = draw(eps)`.
    ///
    /// The mean-field scales' derivative `gᵢ εᵢ σᵢ` is taken as `gᵢ (zᵢ − μᵢ)`: the draw has
    /// already computed `σᵢ εᵢ`, and one `exp` per coordinate and particle is saved.
    pub fn pull_back(&self, eps: &[f64], z: &[f64], g: &[f64], weight: f64, grad: &mut [f64]) {
        let (location, scale) = grad.split_at_mut(self.dim);
        location
            .iter_mut()
            .zip(g)
            .for_each(|(d, gi)| *d += weight * gi);
        let s = self.scale_params();
        match self.kind {
            AutoGuide::Normal => {
                let location = &self.params[..self.dim];
                for (((d, zi), mu), gi) in scale.iter_mut().zip(z).zip(location).zip(g) {
                    *d += weight * gi * (zi - mu);
                }
            }
            AutoGuide::MultivariateNormal => {
                for i in 0..self.dim {
                    for j in 0..i {
                        scale[packed(i, j)] += weight * g[i] * eps[j];
                    }
                    let k = packed(i, i);
                    scale[k] += weight * g[i] * eps[i] * s[k].exp();
                }
            }
            AutoGuide::LowRankMultivariateNormal { rank } => {
                low_rank::pull_back(self.dim, rank, s, eps, g, weight, scale);
            }
            AutoGuide::Delta => {}
        }
    }

    /// Adds `∂ entropy / ∂φ` into `grad`.
    pub fn add_entropy_gradient(&self, grad: &mut [f64]) {
        let s = &self.params[self.dim..];
        let scale = &mut grad[self.dim..];
        match self.kind {
            AutoGuide::LowRankMultivariateNormal { rank } => {
                low_rank::add_entropy_gradient(self.dim, rank, s, scale)
            }
            AutoGuide::Normal => scale.iter_mut().for_each(|d| *d += 1.0),
            AutoGuide::MultivariateNormal => (0..self.dim).for_each(|i| scale[packed(i, i)] += 1.0),
            AutoGuide::Delta => {}
        }
    }

    /// The covariance `A Aᵀ` of the guide on the unconstrained space (zero for a point
    /// mass).
    pub fn covariance(&self) -> DMatrix<f64> {
        let s = self.scale_params();
        if let AutoGuide::LowRankMultivariateNormal { rank } = self.kind {
            return low_rank::covariance(self.dim, rank, s);
        }
        let a = DMatrix::from_fn(self.dim, self.dim, |i, j| match self.kind {
            AutoGuide::Normal if i == j => s[i].exp(),
            AutoGuide::MultivariateNormal if j < i => s[packed(i, j)],
            AutoGuide::MultivariateNormal if j == i => s[packed(i, i)].exp(),
            _ => 0.0,
        });
        &a * a.transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Central differences of `φ ↦ f(draw_φ(ε))` against `pull_back` for f(z) = Σ cᵢ zᵢ²,
    /// and of the entropy against its gradient.
    #[test]
    fn pull_back_and_entropy_gradient_match_finite_differences() {
        let noise = [0.3, -1.2, 0.7, 0.5, -0.4];
        let c = [1.0, -0.5, 2.0];
        let f = |g: &Guide, eps: &[f64]| {
            let mut z = [0.0; 3];
            g.draw(eps, &mut z);
            z.iter().zip(&c).map(|(zi, ci)| ci * zi * zi).sum::<f64>() + g.entropy()
        };
        for kind in [
            AutoGuide::Normal,
            AutoGuide::MultivariateNormal,
            AutoGuide::LowRankMultivariateNormal { rank: 2 },
            AutoGuide::Delta,
        ] {
            let mut guide = Guide::new(kind, &[0.5, -0.2, 1.0], 0.7);
            for (k, p) in guide.params.iter_mut().enumerate() {
                *p += 0.1 * k as f64;
            }
            let eps = &noise[..guide.noise_dim()];
            let mut z = [0.0; 3];
            guide.draw(eps, &mut z);
            let g: Vec<f64> = z.iter().zip(&c).map(|(zi, ci)| 2.0 * ci * zi).collect();
            let mut grad = vec![0.0; guide.params.len()];
            guide.pull_back(eps, &z, &g, 1.0, &mut grad);
            guide.add_entropy_gradient(&mut grad);
            for (k, &analytic) in grad.iter().enumerate() {
                let (mut up, mut down) = (guide.clone(), guide.clone());
                up.params[k] += 1e-6;
                down.params[k] -= 1e-6;
                let fd = (f(&up, eps) - f(&down, eps)) / 2e-6;
                assert!(
                    (fd - analytic).abs() < 1e-6,
                    "{kind:?} parameter {k}: {fd} vs {analytic}"
                );
            }
        }
    }

    /// The low-rank entropy against ½ ln det(2πe Σ) of its covariance computed densely.
    #[test]
    fn low_rank_entropy_matches_the_dense_determinant() {
        let mut guide = Guide::new(
            AutoGuide::LowRankMultivariateNormal { rank: 2 },
            &[0.0; 4],
            0.5,
        );
        for (k, p) in guide.params.iter_mut().enumerate().skip(4) {
            *p = 0.3 * (k as f64).sin();
        }
        let det = guide.covariance().determinant();
        let dense = 0.5 * (4.0 * (1.0 + (2.0 * std::f64::consts::PI).ln()) + det.ln());
        assert!(
            (guide.entropy() - dense).abs() < 1e-12,
            "{} vs {dense}",
            guide.entropy()
        );
    }

    #[test]
    fn covariance_and_entropy_of_a_full_rank_guide() {
        let mut guide = Guide::new(AutoGuide::MultivariateNormal, &[0.0, 0.0], 1.0);
        // L = [[2, 0], [1, 3]]: covariance [[4, 2], [2, 10]], entropy ln 6 + ln 2πe.
        guide.params[2] = 2f64.ln();
        guide.params[3] = 1.0;
        guide.params[4] = 3f64.ln();
        let cov = guide.covariance();
        for (found, exact) in [(cov[(0, 0)], 4.0), (cov[(0, 1)], 2.0), (cov[(1, 1)], 10.0)] {
            assert!((found - exact).abs() < 1e-12, "{cov}");
        }
        let expected = 6f64.ln() + (1.0 + (2.0 * std::f64::consts::PI).ln());
        assert!((guide.entropy() - expected).abs() < 1e-12);
    }
}
