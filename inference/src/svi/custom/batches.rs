//! Custom guides on minibatches: a guide that declares the model's subsampled plate
//! (`plate!(n, subsample = b)`, the same `b`) sees the step's batch there, as the model does.
//!
//! Its plated `param!`s give the batch's elements (the block keeps one per unit of the whole
//! plate; the others do not move that step), its data restricted with `subsample!` give the
//! batch's rows, its draws on the plate are the batch's, and each of their `ln q` terms
//! counts `n / b` times, so the estimate of the ELBO stays unbiased, as in the model.

use super::GuideMismatch;
use super::elbo::Placement;
use crate::model_density::ModelDensity;
use doppl_runtime::Model;
use doppl_runtime::handler::Layout;
use doppl_runtime::subsample::{Batch, SubsampledPlate};
use rand::rngs::StdRng;

/// The batch of each step and the plates it covers.
#[derive(Debug)]
pub(super) struct Batching {
    plates: Vec<SubsampledPlate>,
    /// This step's batch.
    pub batch: Batch,
}

impl Batching {
    /// Draws the next step's batch.
    pub fn next(&mut self, rng: &mut StdRng) {
        crate::svi::subsample::draw_batch(&mut self.batch, &self.plates, Some(rng));
    }
}

/// A density whose batch can be set for the next evaluations.
pub(super) trait Batched {
    /// The batch, if the density runs on batches.
    fn batch_mut(&mut self) -> Option<&mut Batch>;
}

impl<M: Model> Batched for ModelDensity<'_, '_, M> {
    fn batch_mut(&mut self) -> Option<&mut Batch> {
        ModelDensity::batch_mut(self)
    }
}

/// The model's subsampled plates (`model`, batch smaller than the plate) against the
/// guide's: `None` when the guide subsamples none of them (it runs on whole plates), the
/// batching when it declares each with the same batch size; otherwise the plate and what
/// differs.
pub(super) fn batching(
    model: &[SubsampledPlate],
    guide: &[SubsampledPlate],
) -> Result<Option<Batching>, (&'static str, GuideMismatch)> {
    let of = |plates: &[SubsampledPlate], name: &str| {
        plates.iter().find(|p| p.plate == name).map(|p| p.batch)
    };
    // A batch of the whole plate is the whole plate, as `subsampled_plates` counts them.
    let guide: Vec<SubsampledPlate> = (guide.iter().filter(|p| p.batch < p.population))
        .copied()
        .collect();
    if guide.is_empty() {
        return Ok(None);
    }
    let names = model.iter().chain(&guide).map(|p| p.plate);
    for plate in names {
        let (m, g) = (of(model, plate), of(&guide, plate));
        if m != g {
            return Err((plate, GuideMismatch::Batch { model: m, guide: g }));
        }
    }
    let mut batch = Batch::new();
    crate::svi::subsample::draw_batch(&mut batch, model, None);
    Ok(Some(Batching {
        plates: model.to_vec(),
        batch,
    }))
}

/// `placements` (offsets and lengths in the whole layout) moved to the batch layout of
/// `layout`. A draw of another length than its site's block on the batch (a guide drawing a
/// site of the subsampled plate on a plate of its own) is a shape error on the first step.
pub(super) fn batch_placements(layout: &Layout, placements: &[Placement]) -> Vec<Placement> {
    let batch_layout = layout.batch_layout();
    (placements.iter())
        .map(|p| {
            let block = batch_layout.block(p.site);
            Placement {
                offset: block.map_or(p.offset, |b| b.offset),
                len: block.map_or(p.len, |b| b.len),
                ..p.clone()
            }
        })
        .collect()
}
