//! Plate blocks: the gradient over a large plate, evaluated on contiguous blocks of its
//! elements so that the vectors of duals each pass streams stay in the core's cache.
//!
//! A plate-local pass over `N` elements streams vectors of `N · (W + 1)` `f64`s (a `W`-lane
//! dual per element); at `N = 10,000` and 8 lanes that is 720 KB per vector, and a model
//! body holds several, so every pass goes out to the shared cache. The same code runs
//! 1.4–1.6× faster per element at `N = 1,000` (BENCHMARKS.md). A model whose plate is
//! declared `plate!(n, subsample = b)` already says which data live on the plate (they go
//! through `subsample!`), so its body can run on a block of elements as it runs on an SVI
//! batch: here each block has weight 1, the terms off the plate (the globals' priors,
//! other plates) count in the first block only ([`Batch::set_block`]), and the blocks'
//! values and gradients add up to the whole ones, block after block in a fixed order (the
//! draws do not depend on how the work is run).
//!
//! Blocks are used only where they were checked: the engine compares a blocked gradient
//! with the whole one at a valid point when it is built, and keeps the whole pass if they
//! differ (a body that reads a plate's data without `subsample!`, say).

use super::engine::{Gradient, GradientMode};
use crate::error::ModelError;
use crate::handler::Layout;
use crate::model::Model;
use crate::scenario::Scenario;
use crate::subsample::{Batch, SubsampledPlate};
use std::ops::Range;

/// Elements per block: 1,024 elements of 8-lane duals are 72 KB per vector, which a few
/// vectors of a model body share with the 2 MB of L2 a core has on the machines measured
/// (BENCHMARKS.md, plate blocks).
pub const BLOCK_ELEMENTS: usize = 1024;

/// A whole evaluation split into blocks of one subsampled plate.
#[derive(Debug)]
pub(super) struct PlateBlocks<'s, 'm, M: Model> {
    /// The whole layout (the points and gradients the caller sees).
    layout: Layout,
    plate: SubsampledPlate,
    /// Elements per block; the last block may be shorter.
    size: usize,
    /// The engine of a block of `size` elements, and of the shorter last block, if any.
    full: Gradient<'s, 'm, M>,
    last: Option<Gradient<'s, 'm, M>>,
    batch: Batch,
    /// Per coordinate of the current block's layout, its coordinate in the whole layout.
    coordinates: Vec<usize>,
    x: Vec<f64>,
    grad: Vec<f64>,
}

impl<M: Model> Clone for PlateBlocks<'_, '_, M> {
    fn clone(&self) -> Self {
        PlateBlocks {
            layout: self.layout.clone(),
            plate: self.plate,
            size: self.size,
            full: self.full.clone(),
            last: self.last.clone(),
            batch: self.batch.clone(),
            coordinates: Vec::new(),
            x: Vec::new(),
            grad: Vec::new(),
        }
    }
}

impl<'s, 'm, M: Model> PlateBlocks<'s, 'm, M> {
    /// Blocks for `whole` (the plate-local engine of `layout`), if the layout has exactly
    /// one plate declared with `subsample =`, at least two blocks' worth of elements, the
    /// block engines are plate-local too, and the blocked gradient equals the whole one at
    /// a valid point. `None` otherwise: the whole pass stays.
    pub fn checked(
        scenario: &'s Scenario<'m, M>,
        layout: &Layout,
        whole: &mut Gradient<'s, 'm, M>,
    ) -> Option<Self> {
        let [plate] = layout.subsampled[..] else {
            return None;
        };
        if plate.population < 2 * BLOCK_ELEMENTS {
            return None;
        }
        let blocks = plate.population.div_ceil(BLOCK_ELEMENTS);
        let size = plate.population.div_ceil(blocks);
        let last_size = plate.population - (blocks - 1) * size;
        let full = block_engine(scenario, layout, plate, size)?;
        let last = match last_size == size {
            true => None,
            false => Some(block_engine(scenario, layout, plate, last_size)?),
        };
        let mut blocks = PlateBlocks {
            layout: layout.clone(),
            plate,
            size,
            full,
            last,
            batch: Batch::new(),
            coordinates: Vec::new(),
            x: Vec::new(),
            grad: Vec::new(),
        };
        let point = whole.valid_point()?;
        blocks.agrees_with(whole, &point).then_some(blocks)
    }

    /// Whether the blocked value and gradient at `point` are the whole engine's, up to
    /// the rounding of summing in another order.
    fn agrees_with(&mut self, whole: &mut Gradient<'s, 'm, M>, point: &[f64]) -> bool {
        let (mut expected, mut found) = (vec![0.0; point.len()], vec![0.0; point.len()]);
        let (Ok(a), Ok(b)) = (
            whole.logp_grad(point, &mut expected),
            self.logp_grad(point, &mut found),
        ) else {
            return false;
        };
        let scale = expected.iter().fold(a.abs(), |m, g| m.max(g.abs()));
        let close = |x: f64, y: f64| (x - y).abs() <= 1e-9 * (1.0 + scale);
        close(a, b) && expected.iter().zip(&found).all(|(&x, &y)| close(x, y))
    }

    /// The log-density at `x` (whole layout), its gradient written into `grad`: the sum
    /// of the blocks' in element order.
    pub fn logp_grad(&mut self, x: &[f64], grad: &mut [f64]) -> Result<f64, ModelError> {
        grad.fill(0.0);
        let mut total = 0.0;
        for start in (0..self.plate.population).step_by(self.size) {
            let end = (start + self.size).min(self.plate.population);
            total += self.block(start..end, x, grad)?;
        }
        Ok(total)
    }

    /// The block of `elements`: its value, its gradient added into `grad`.
    fn block(
        &mut self,
        elements: Range<usize>,
        x: &[f64],
        grad: &mut [f64],
    ) -> Result<f64, ModelError> {
        self.batch.set_block(self.plate, elements.clone());
        (self.layout).batch_coordinates(&self.batch, &mut self.coordinates);
        self.x.clear();
        self.x.extend(self.coordinates.iter().map(|&i| x[i]));
        self.grad.resize(self.coordinates.len(), 0.0);
        let engine = match (elements.len() == self.size, self.last.as_mut()) {
            (false, Some(last)) => last,
            _ => &mut self.full,
        };
        if let Some(batch) = engine.batch_mut() {
            batch.clone_from(&self.batch);
        }
        let value = engine.logp_grad(&self.x, &mut self.grad)?;
        for (&i, &g) in self.coordinates.iter().zip(&self.grad) {
            grad[i] += g;
        }
        Ok(value)
    }
}

/// The plate-local engine of a block of `size` elements of `plate`, if it is one.
fn block_engine<'s, 'm, M: Model>(
    scenario: &'s Scenario<'m, M>,
    layout: &Layout,
    plate: SubsampledPlate,
    size: usize,
) -> Option<Gradient<'s, 'm, M>> {
    let mut block_layout = layout.clone();
    block_layout.subsampled[0].batch = size;
    let mut batch = Batch::new();
    batch.set_block(plate, 0..size);
    let engine = Gradient::batched(scenario, &block_layout, batch).ok()?;
    matches!(engine.mode(), GradientMode::PlateLocal { .. }).then_some(engine)
}
