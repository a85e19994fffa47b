//! [`ModelDensity`]: a conditioned, intervened model seen by the sampler as a [`LogDensity`].

use crate::density::LogDensity;
use doppl_runtime::gradient::{BlockThreads, Gradient, GradientMode};
use doppl_runtime::handler::Layout;
use doppl_runtime::{Model, ModelError, Scenario};

/// The log posterior density of a [`Scenario`] on its unconstrained parameter space,
/// differentiated by the scenario's [`Gradient`] engine.
///
/// Its errors are the model's own [`ModelError`]s. Those that depend on the point (an invalid
/// parameter value, a non-finite density) are recoverable: the sampler counts a divergence.
/// A panic in the model body is caught and rejects the point too (as Stan treats an
/// exception in the model block); it is fatal at initialization. Errors of the model or data
/// (a shape mismatch) are fatal: the chain stops with the error, typed, in
/// [`crate::SampleError::Density`].
pub struct ModelDensity<'s, 'm, M: Model> {
    gradient: Gradient<'s, 'm, M>,
}

impl<M: Model> Clone for ModelDensity<'_, '_, M> {
    fn clone(&self) -> Self {
        ModelDensity {
            gradient: self.gradient.clone(),
        }
    }
}

impl<'s, 'm, M: Model> ModelDensity<'s, 'm, M> {
    /// The density of `scenario`; fails if its layout cannot be computed.
    pub fn new(scenario: &'s Scenario<'m, M>) -> Result<Self, ModelError> {
        Self::with_layout(scenario, &scenario.layout()?)
    }

    /// The density of `scenario` whose `layout` is already computed.
    pub fn with_layout(scenario: &'s Scenario<'m, M>, layout: &Layout) -> Result<Self, ModelError> {
        Ok(ModelDensity {
            gradient: Gradient::new(scenario, layout)?,
        })
    }

    /// The density of an SVI step on a batch of `scenario`'s subsampled plates
    /// ([`Gradient::batched`]): points are in `layout`'s batch layout.
    pub fn batched(
        scenario: &'s Scenario<'m, M>,
        layout: &Layout,
        batch: doppl_runtime::subsample::Batch,
    ) -> Result<Self, ModelError> {
        Ok(ModelDensity {
            gradient: Gradient::batched(scenario, layout, batch)?,
        })
    }

    /// The batch the next evaluations see (`None` unless built by
    /// [`ModelDensity::batched`]).
    pub fn batch_mut(&mut self) -> Option<&mut doppl_runtime::subsample::Batch> {
        self.gradient.batch_mut()
    }

    /// Evaluates a large subsampled plate in blocks on up to `threads.most()` threads where
    /// that gives the same gradient ([`Gradient::in_blocks`]; `layout` is the density's).
    pub fn in_blocks(&mut self, layout: &Layout, threads: &BlockThreads) {
        self.gradient.in_blocks(layout, threads);
    }

    /// How the gradient is computed (plate-local lanes, or the dense fallback and why).
    pub fn gradient_mode(&self) -> &GradientMode {
        self.gradient.mode()
    }

    /// What the sampler report should say about the gradient's cost ([`Gradient::note`]).
    pub fn gradient_note(&self) -> Option<String> {
        self.gradient.note()
    }
}

impl<M: Model> LogDensity for ModelDensity<'_, '_, M> {
    type Error = ModelError;

    fn dim(&self) -> usize {
        self.gradient.dim()
    }

    /// A panic in the model body comes back as [`ModelError::Panicked`]: the sampler rejects
    /// the point (a divergence with the panic's message as its cause).
    fn logp_grad(&mut self, x: &[f64], grad: &mut [f64]) -> Result<f64, ModelError> {
        doppl_runtime::quiet_panic::model_quietly(|| self.gradient.logp_grad(x, grad))
    }
}
