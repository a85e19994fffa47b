//! The ELBO of an automatic guide on minibatches: plates declared with
//! `plate!(n, subsample = b)` run on a random batch of `b` elements per step
//! ([`doppl_runtime::subsample`]).
//!
//! Each step draws, for every subsampled plate, `b` distinct elements uniformly (sorted, so
//! the model reads its data in order), and differentiates the model on the batch: globals
//! as usual, the batch's local latents at their coordinates of the whole layout, every term
//! on the plate weighted by `n / b`. The guide must factorize over the plate's elements
//! (mean-field normal or point mass), so that the batch's local variational parameters are
//! the only ones the step moves; the entropy is estimated the same way (`n / b` times the
//! batch's terms), which keeps the whole estimate unbiased (Hoffman et al. 2013, "Stochastic
//! Variational Inference", JMLR 14; NumPyro's `plate(subsample_size=..)`).

use super::auto_steps::standard_normals;
use super::guide::{AutoGuide, Guide};
use super::steps::ElboEstimator;
use crate::density::LogDensity;
use crate::model_density::ModelDensity;
use doppl_runtime::handler::Layout;
use doppl_runtime::subsample::{Batch, SubsampledPlate};
use doppl_runtime::{Model, ModelError, Scenario};
use rand::RngExt;
use rand::rngs::StdRng;

/// The subsampled plates of `layout` whose batch is smaller than the plate.
pub(super) fn subsampled_plates(layout: &Layout) -> Vec<SubsampledPlate> {
    let smaller = layout.subsampled.iter().filter(|p| p.batch < p.population);
    smaller.copied().collect()
}

/// Whether `kind` factorizes over a plate's elements, so that a batch moves only its own
/// local variational parameters.
pub(super) fn supports_subsampling(kind: AutoGuide) -> bool {
    matches!(kind, AutoGuide::Normal | AutoGuide::Delta)
}

/// A batch of every plate in `plates`, drawn from `rng` (the first `b` elements when
/// `rng` is `None`: the batch the engine is checked on).
pub(super) fn draw_batch(batch: &mut Batch, plates: &[SubsampledPlate], rng: Option<&mut StdRng>) {
    match rng {
        Some(rng) => {
            for &p in plates {
                let mut chosen = rand::seq::index::sample(rng, p.population, p.batch).into_vec();
                chosen.sort_unstable();
                batch.set(p, chosen);
            }
        }
        None => plates.iter().for_each(|&p| batch.set(p, 0..p.batch)),
    }
}

/// The minibatch ELBO of a mean-field normal or point-mass guide.
pub(super) struct SubsampledElbo<'s, 'm, M: Model> {
    density: ModelDensity<'s, 'm, M>,
    layout: Layout,
    plates: Vec<SubsampledPlate>,
    pub(super) guide: Guide,
    /// The whole layout's coordinate of each batch coordinate, this step.
    coords: Vec<usize>,
    /// The weight of each batch coordinate's entropy term (`n / b` on a subsampled plate).
    weights: Vec<f64>,
    eps: Vec<f64>,
    z: Vec<f64>,
    g: Vec<f64>,
}

impl<'s, 'm, M: Model> SubsampledElbo<'s, 'm, M> {
    /// The estimator of `guide` (on the whole `layout`) for `scenario`'s subsampled `plates`.
    pub(super) fn new(
        scenario: &'s Scenario<'m, M>,
        layout: &Layout,
        plates: Vec<SubsampledPlate>,
        guide: Guide,
    ) -> Result<Self, ModelError> {
        let mut batch = Batch::new();
        draw_batch(&mut batch, &plates, None);
        let density = ModelDensity::batched(scenario, layout, batch)?;
        let batch_layout = layout.batch_layout();
        let weights = batch_layout
            .blocks
            .iter()
            .flat_map(|b| std::iter::repeat_n(b.plate.map_or(1.0, |p| p.weight()), b.len))
            .collect();
        let dim = batch_layout.dim();
        Ok(SubsampledElbo {
            density,
            layout: layout.clone(),
            plates,
            guide,
            coords: Vec::with_capacity(dim),
            weights,
            eps: vec![0.0; dim],
            z: vec![0.0; dim],
            g: vec![0.0; dim],
        })
    }

    /// Draws this step's batch and maps its coordinates onto the whole layout.
    fn next_batch(&mut self, rng: &mut StdRng) {
        let batch = self.density.batch_mut().expect("a batched density");
        draw_batch(batch, &self.plates, Some(rng));
        self.layout.batch_coordinates(batch, &mut self.coords);
    }
}

impl<M: Model> ElboEstimator for SubsampledElbo<'_, '_, M> {
    fn params_mut(&mut self) -> &mut [f64] {
        &mut self.guide.params
    }

    fn estimate(
        &mut self,
        particles: usize,
        rng: &mut StdRng,
        grad: &mut [f64],
    ) -> Result<Option<f64>, ModelError> {
        self.next_batch(rng);
        grad.fill(0.0);
        let dim = self.guide.dim();
        let normal = self.guide.kind() == AutoGuide::Normal;
        let weight = 1.0 / particles as f64;
        let mut expected = 0.0;
        for _ in 0..particles {
            if normal {
                standard_normals(rng.random(), &mut self.eps);
            }
            for (k, &c) in self.coords.iter().enumerate() {
                let mu = self.guide.params[c];
                self.z[k] = match normal {
                    true => mu + self.guide.params[dim + c].exp() * self.eps[k],
                    false => mu,
                };
            }
            expected += weight * self.density.logp_grad(&self.z, &mut self.g)?;
            for (k, &c) in self.coords.iter().enumerate() {
                grad[c] += weight * self.g[k];
                if normal {
                    let sigma = self.guide.params[dim + c].exp();
                    grad[dim + c] += weight * self.g[k] * self.eps[k] * sigma;
                }
            }
        }
        let entropy = if normal { self.entropy(grad) } else { 0.0 };
        let value = expected + entropy;
        let finite = value.is_finite() && grad.iter().all(|g| g.is_finite());
        Ok(finite.then_some(value))
    }
}

impl<M: Model> SubsampledElbo<'_, '_, M> {
    /// The batch's estimate of the mean-field entropy, its gradient added into `grad`.
    fn entropy(&self, grad: &mut [f64]) -> f64 {
        let dim = self.guide.dim();
        let per_coordinate = 0.5 * (1.0 + (2.0 * std::f64::consts::PI).ln());
        let mut entropy = 0.0;
        for (&c, &w) in self.coords.iter().zip(&self.weights) {
            entropy += w * (self.guide.params[dim + c] + per_coordinate);
            grad[dim + c] += w;
        }
        entropy
    }
}
