//! [`ModelDensity`]: a conditioned, intervened model seen by the sampler as a [`LogDensity`].

use crate::density::{LogDensity, LogpError};
use doppl_runtime::{Model, ModelError, Scenario};

/// The log posterior density of a [`Scenario`] on its unconstrained parameter space.
///
/// Errors that depend on the point (an invalid parameter value, a non-finite density) are
/// recoverable: the sampler counts a divergence. Errors of the model or data (a shape
/// mismatch, a discrete latent site) are fatal.
pub struct ModelDensity<'s, 'm, M: Model> {
    scenario: &'s Scenario<'m, M>,
    dim: usize,
}

impl<M: Model> Clone for ModelDensity<'_, '_, M> {
    fn clone(&self) -> Self {
        ModelDensity {
            scenario: self.scenario,
            dim: self.dim,
        }
    }
}

impl<'s, 'm, M: Model> ModelDensity<'s, 'm, M> {
    /// The density of `scenario`; fails if its layout cannot be computed.
    pub fn new(scenario: &'s Scenario<'m, M>) -> Result<Self, ModelError> {
        Ok(Self::with_dim(scenario, scenario.layout()?.dim()))
    }

    /// The density of `scenario` whose layout has `dim` coordinates (already computed).
    pub fn with_dim(scenario: &'s Scenario<'m, M>, dim: usize) -> Self {
        ModelDensity { scenario, dim }
    }
}

impl<M: Model> LogDensity for ModelDensity<'_, '_, M> {
    fn dim(&self) -> usize {
        self.dim
    }

    fn logp_grad(&mut self, x: &[f64], grad: &mut [f64]) -> Result<f64, LogpError> {
        self.scenario
            .log_density_grad(x, grad)
            .map_err(|e| match e.is_recoverable() {
                true => LogpError::Recoverable(e.to_string()),
                false => LogpError::Fatal(e.to_string()),
            })
    }
}
