//! Stochastic variational inference: automatic guides fitted by gradient ascent on the ELBO.
//!
//! [`svi`] fits a guide ([`AutoGuide::Normal`], [`AutoGuide::MultivariateNormal`] or the
//! point mass [`AutoGuide::Delta`]) on the model's unconstrained space with reparameterized
//! gradients: each step draws `z = μ + A ε`, differentiates the model at `z` with the same
//! plate-aware engine NUTS uses (so a model with one latent per unit costs O(N · (G + 1)) per
//! step), and pulls the gradient back through `A`; the entropy is added in closed form.
//!
//! A worked example with a closed-form check is in the `doppl` crate's docs (section
//! "Variational inference"); the conjugate and fault tests are in `tests/svi.rs`.

mod fit;
mod guide;
mod optim;

pub use fit::{SviError, SviFit, SviOptions, svi};
pub use guide::{AutoGuide, Guide};
pub use optim::{Method, Optimizer, Schedule};

use doppl_runtime::Model;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, StandardNormal};

/// The ELBO split into its parts, each a Monte Carlo estimate over the guide's draws.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ElboParts {
    /// `E_q[ln p(observed | latents)]`.
    pub expected_log_likelihood: f64,
    /// `E_q[ln p(latents) + ln |det J|]` (the prior on the unconstrained space).
    pub expected_log_prior: f64,
    /// `H[q]`, in closed form.
    pub entropy: f64,
    /// How many draws the expectations average.
    pub draws: usize,
}

impl ElboParts {
    /// The ELBO.
    pub fn elbo(&self) -> f64 {
        self.expected_log_likelihood + self.expected_log_prior + self.entropy
    }
}

impl<M: Model> SviFit<'_, M> {
    /// `n` draws from the fitted guide as typed site values (deterministic sites recomputed,
    /// observed and intervened sites left out), reproducible from `seed`.
    pub fn draws(&self, n: usize, seed: u64) -> Result<Vec<M::Values>, doppl_runtime::ModelError> {
        let mut rng = StdRng::seed_from_u64(seed);
        let not_random: Vec<bool> = M::values_mask(&self.scenario.conditions)
            .iter()
            .zip(M::interventions_mask(&self.scenario.interventions))
            .map(|(observed, intervened)| *observed || intervened)
            .collect();
        let (mut eps, mut z) = (
            vec![0.0; self.guide.noise_dim()],
            vec![0.0; self.guide.dim()],
        );
        (0..n)
            .map(|_| {
                eps.iter_mut()
                    .for_each(|e| *e = StandardNormal.sample(&mut rng));
                self.guide.draw(&eps, &mut z);
                let mut values = M::values_of(&self.scenario.constrain(&z)?);
                M::clear_sites(&mut values, &not_random);
                Ok(values)
            })
            .collect()
    }

    /// The ELBO's parts estimated over `n` draws from the fitted guide (reproducible from
    /// `seed`).
    pub fn elbo_parts(&self, n: usize, seed: u64) -> Result<ElboParts, doppl_runtime::ModelError> {
        let mut rng = StdRng::seed_from_u64(seed);
        let (mut eps, mut z) = (
            vec![0.0; self.guide.noise_dim()],
            vec![0.0; self.guide.dim()],
        );
        let (mut likelihood, mut prior) = (0.0, 0.0);
        for _ in 0..n {
            eps.iter_mut()
                .for_each(|e| *e = StandardNormal.sample(&mut rng));
            self.guide.draw(&eps, &mut z);
            let parts = self.scenario.log_density(&z)?;
            likelihood += parts.log_likelihood / n as f64;
            prior += (parts.log_prior + parts.log_jacobian) / n as f64;
        }
        Ok(ElboParts {
            expected_log_likelihood: likelihood,
            expected_log_prior: prior,
            entropy: self.guide.entropy(),
            draws: n,
        })
    }
}
