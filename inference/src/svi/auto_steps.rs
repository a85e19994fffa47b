//! One ELBO estimate of an automatic guide: its noise and draw, the model's gradient at the
//! draw, the pull-back onto the guide's parameters and the entropy.

use super::guide::Guide;
use super::ziggurat::fill_standard_normals;
use crate::density::LogDensity;
use doppl_runtime::ModelError;
use rand::rngs::{StdRng, Xoshiro256PlusPlus};
use rand::{RngExt, SeedableRng};

/// Fills `eps` with standard normals from a stream seeded with `seed`.
///
/// The fit's own generator (`StdRng`, ChaCha12) gives one seed per draw, and
/// `Xoshiro256PlusPlus` (Blackman and Vigna 2021) gives the bits of the normals, drawn by
/// the ziggurat method ([`super::ziggurat`]): with `StdRng` and `rand_distr`'s sampler
/// 10,000 took 44–49 µs (BENCHMARKS.md), a tenth of a step of the confounder network at
/// N = 10,000.
pub(super) fn standard_normals(seed: u64, eps: &mut [f64]) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    fill_standard_normals(&mut rng, eps);
}

/// The buffers of the ELBO estimates, reused from step to step.
pub(super) struct AutoSteps {
    eps: Vec<f64>,
    z: Vec<f64>,
    g: Vec<f64>,
}

impl AutoSteps {
    /// Buffers for `guide` on a density of `dim` coordinates.
    pub fn new(guide: &Guide, dim: usize) -> Self {
        AutoSteps {
            eps: vec![0.0; guide.noise_dim()],
            z: vec![0.0; dim],
            g: vec![0.0; dim],
        }
    }

    /// The ELBO estimate over `particles` draws, its gradient written into `grad`; `None`
    /// when either is not finite.
    pub fn estimate<D: LogDensity<Error = ModelError>>(
        &mut self,
        density: &mut D,
        guide: &Guide,
        particles: usize,
        rng: &mut StdRng,
        grad: &mut [f64],
    ) -> Result<Option<f64>, ModelError> {
        grad.fill(0.0);
        let weight = 1.0 / particles as f64;
        let mut expected = 0.0;
        for _ in 0..particles {
            standard_normals(rng.random(), &mut self.eps);
            guide.draw(&self.eps, &mut self.z);
            expected += weight * density.logp_grad(&self.z, &mut self.g)?;
            guide.pull_back(&self.eps, &self.z, &self.g, weight, grad);
        }
        guide.add_entropy_gradient(grad);
        let value = expected + guide.entropy();
        // Without early exit, so that the check vectorizes.
        let finite = grad
            .iter()
            .fold(value.is_finite(), |ok, g| ok & g.is_finite());
        Ok(finite.then_some(value))
    }
}

#[cfg(test)]
mod tests {
    use super::standard_normals;

    /// The same seed gives the same noise; the noise has the standard normal's mean,
    /// variance and fourth moment within four standard errors; another seed gives another
    /// stream.
    #[test]
    fn the_noise_is_standard_normal_and_reproducible() {
        let n = 200_000;
        let (mut a, mut b, mut c) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        standard_normals(7, &mut a);
        standard_normals(7, &mut b);
        standard_normals(8, &mut c);
        assert_eq!(a, b);
        assert!(a.iter().zip(&c).filter(|(x, y)| x == y).count() < 10);
        let moment = |k: i32| a.iter().map(|e| e.powi(k)).sum::<f64>() / n as f64;
        let se = |variance: f64| 4.0 * (variance / n as f64).sqrt();
        // Var(ε) = 1, Var(ε²) = 2, Var(ε⁴) = 105 − 9 = 96.
        assert!(moment(1).abs() < se(1.0), "mean {}", moment(1));
        assert!((moment(2) - 1.0).abs() < se(2.0), "variance {}", moment(2));
        assert!((moment(4) - 3.0).abs() < se(96.0), "fourth {}", moment(4));
    }
}
