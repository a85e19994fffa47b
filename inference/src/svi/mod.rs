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

mod auto_steps;
mod custom;
mod fit;
mod guide;
mod low_rank;
mod optim;
mod progress;
mod steps;
mod subsample;
mod ziggurat;

pub use custom::{
    CustomGuide, ElboAt, GuideFit, GuideGradientMode, GuideMismatch, guide_elbo, svi_guide,
};
pub use fit::{SviError, SviFit, SviOptions, svi};
pub use guide::{AutoGuide, Guide};
pub use optim::{Method, Optimizer, Schedule};

use crate::draws::{Draws, not_random};
use doppl_runtime::handler::Layout;
use doppl_runtime::{Model, Scenario};
use rand::RngExt;
use rand::SeedableRng;
use rand::rngs::StdRng;

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
    /// observed and intervened sites left out), reproducible from `seed`, and how many draws
    /// were left out because the model is undefined there (a recoverable error such as a
    /// negative scale: the guide puts mass where the model has none, a sign to look at the
    /// model). A fatal model error is returned.
    pub fn guide_draws(
        &self,
        n: usize,
        seed: u64,
    ) -> Result<(Vec<M::Values>, usize), doppl_runtime::ModelError> {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut eps = vec![0.0; self.guide.noise_dim()];
        draws_at_points(&self.scenario, n, || {
            auto_steps::standard_normals(rng.random(), &mut eps);
            let mut z = vec![0.0; self.guide.dim()];
            self.guide.draw(&eps, &mut z);
            Ok(z)
        })
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
            auto_steps::standard_normals(rng.random(), &mut eps);
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

/// `n` typed draws at the unconstrained points `point()` gives (deterministic sites
/// recomputed, observed and intervened sites left out), and how many points were left out
/// because the model is undefined there (a recoverable error); a fatal error is returned.
fn draws_at_points<M: Model>(
    scenario: &Scenario<'_, M>,
    n: usize,
    mut point: impl FnMut() -> Result<Vec<f64>, doppl_runtime::ModelError>,
) -> Result<(Vec<M::Values>, usize), doppl_runtime::ModelError> {
    let not_random = not_random(scenario);
    let (mut draws, mut undefined) = (Vec::with_capacity(n), 0);
    for _ in 0..n {
        match point().and_then(|z| scenario.constrain(&z)) {
            Ok(trace) => {
                let mut values = M::values_of(&trace);
                M::clear_sites(&mut values, &not_random);
                draws.push(values);
            }
            Err(e) if e.is_recoverable() => undefined += 1,
            Err(e) => return Err(e),
        }
    }
    Ok((draws, undefined))
}

/// The fit's draws are [`SviOptions::draws`] draws from the guide, as one chain.
impl<'m, M: Model, Q> Draws<'m, M> for SviFit<'m, M, Q> {
    fn scenario(&self) -> &Scenario<'m, M> {
        &self.scenario
    }
    fn draws(&self) -> &[Vec<M::Values>] {
        &self.draws
    }
    fn chain_ids(&self) -> &[usize] {
        &[0]
    }
    fn layout(&self) -> &Layout {
        &self.layout
    }
    /// Draws of the fitted guide are independent.
    fn independent_draws(&self) -> bool {
        true
    }
    fn fit_warnings(&self) -> Vec<crate::Warning> {
        let (count, of) = (self.skipped, self.elbo.len());
        let skipped = (count > 0).then_some(crate::Warning::SkippedSteps { count, of });
        skipped.into_iter().collect()
    }
}
