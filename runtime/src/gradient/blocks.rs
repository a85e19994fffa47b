//! Plate blocks: the gradient over a large plate, evaluated on contiguous blocks of its
//! elements so that the vectors of duals each pass streams stay in the core's cache.
//!
//! A plate-local pass over `N` elements streams vectors of `N · (W + 1)` `f64`s (a `W`-lane
//! dual per element); at `N = 10,000` and 8 lanes that is 720 KB per vector, and a model
//! body holds several, so every pass goes out to the shared cache. The same code ran
//! 1.3–1.6× faster per element at `N = 1,000` (BENCHMARKS.md). A model whose plate is
//! declared `plate!(n, subsample = b)` already says which data live on the plate (they go
//! through `subsample!`), so its body can run on a block of elements as it runs on an SVI
//! batch: here each block has weight 1, the terms off the plate (the globals' priors,
//! other plates) count in the first block only ([`Batch::set_block`]), and the blocks'
//! values and gradients add up to the whole ones.
//!
//! Blocks are independent work: [`Gradient::in_blocks`] shares them among the caller's
//! thread and the workers of a [`BlockThreads`] (each with its own engines and buffers;
//! never a process-wide pool), as many as the first evaluations' timings say pay. Each
//! block's value and gradient are kept apart and added in block order after all have run,
//! so the result is the same to the bit whatever the number of threads.
//!
//! Blocks are used only where they were checked: the engine compares a blocked gradient
//! with the whole one at a valid point when it is built, and keeps the whole pass if they
//! differ (a body that reads a plate's data without `subsample!`, say).

use super::engine::{Gradient, GradientMode};
use super::threads::{BlockThreads, ThreadChoice};
use crate::error::ModelError;
use crate::handler::Layout;
use crate::model::Model;
use crate::scenario::Scenario;
use crate::subsample::{Batch, SubsampledPlate};
use std::ops::Range;
use std::sync::Mutex;
use std::time::Instant;

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
    /// One set of block engines per thread.
    workers: Vec<BlockWorker<'s, 'm, M>>,
    /// The threads the workers run on, and how many of them run: chosen by timing.
    pool: BlockThreads,
    threads: ThreadChoice,
    /// Each block's value and gradient, added up in block order (a lock each, taken by
    /// the one thread that runs the block).
    outputs: Vec<Mutex<BlockOutput>>,
}

/// The engines one thread runs its blocks with.
#[derive(Debug)]
struct BlockWorker<'s, 'm, M: Model> {
    /// The engine of a block of `size` elements, and of the shorter last block, if any.
    full: Gradient<'s, 'm, M>,
    last: Option<Gradient<'s, 'm, M>>,
}

/// One block's point, value and gradient, in its batch layout, and where they go.
#[derive(Debug)]
struct BlockOutput {
    /// The block's elements as a batch, and per coordinate of its layout the coordinate
    /// in the whole layout: the same at every evaluation, set at the first.
    batch: Option<Batch>,
    coordinates: Vec<usize>,
    x: Vec<f64>,
    grad: Vec<f64>,
    value: f64,
    /// Whether the block's evaluation failed, until the reduction takes it.
    result: Result<(), ModelError>,
}

impl Default for BlockOutput {
    fn default() -> Self {
        BlockOutput {
            batch: None,
            coordinates: Vec::new(),
            x: Vec::new(),
            grad: Vec::new(),
            value: 0.0,
            result: Ok(()),
        }
    }
}

impl<M: Model> Clone for BlockWorker<'_, '_, M> {
    fn clone(&self) -> Self {
        BlockWorker {
            full: self.full.clone(),
            last: self.last.clone(),
        }
    }
}

impl<M: Model> Clone for PlateBlocks<'_, '_, M> {
    fn clone(&self) -> Self {
        PlateBlocks {
            layout: self.layout.clone(),
            plate: self.plate,
            size: self.size,
            workers: self.workers.clone(),
            pool: self.pool.clone(),
            threads: self.threads.clone(),
            outputs: empty_outputs(self.outputs.len()),
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
        let worker = BlockWorker { full, last };
        let mut blocks = PlateBlocks {
            layout: layout.clone(),
            plate,
            size,
            workers: vec![worker],
            pool: BlockThreads::one(),
            threads: ThreadChoice::new(1),
            outputs: empty_outputs(blocks),
        };
        let point = whole.valid_point()?;
        blocks.agrees_with(whole, &point).then_some(blocks)
    }

    /// Runs the blocks on up to `pool.most()` of `pool`'s threads (at most one per block).
    pub fn set_threads(&mut self, pool: &BlockThreads) {
        let threads = pool.most().clamp(1, self.outputs.len());
        let first = self.workers[0].clone();
        self.workers.resize_with(threads, || first.clone());
        self.pool = pool.clone();
        self.threads = ThreadChoice::new(threads);
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

    /// The log-density at `x` (whole layout), its gradient written into `grad`: the
    /// blocks' values and gradients added in block order.
    pub fn logp_grad(&mut self, x: &[f64], grad: &mut [f64]) -> Result<f64, ModelError> {
        let threads = self.threads.next();
        let started = Instant::now();
        let run = self.run_blocks(x, threads);
        self.threads.record(threads, started.elapsed());
        run?;
        grad.fill(0.0);
        let mut total = 0.0;
        for block in &mut self.outputs {
            let block = block.get_mut().unwrap_or_else(|e| e.into_inner());
            total += block.value;
            for (&i, &g) in block.coordinates.iter().zip(&block.grad) {
                grad[i] += g;
            }
        }
        Ok(total)
    }

    /// Every block evaluated at `x`; the error of the first block that failed, if any.
    ///
    /// The workers take the next block from a shared counter, so a worker that wakes late
    /// (tens of µs from sleep on a 2-vCPU virtual machine; a thread started per pass took
    /// up to 270 µs) costs only its share: the caller takes its blocks. Which thread ran a
    /// block does not change its result.
    fn run_blocks(&mut self, x: &[f64], threads: usize) -> Result<(), ModelError> {
        let (layout, plate, size) = (&self.layout, self.plate, self.size);
        let run = |worker: &mut BlockWorker<'s, 'm, M>, k: usize, output: &mut BlockOutput| {
            let start = k * size;
            let elements = start..(start + size).min(plate.population);
            let whole_block = elements.len() == size;
            output.result = worker.run(layout, (plate, elements, whole_block), x, output);
        };
        (self.pool).share(&mut self.workers[..threads], &self.outputs, run);
        (self.outputs.iter_mut()).try_for_each(|o| {
            let o = o.get_mut().unwrap_or_else(|e| e.into_inner());
            std::mem::replace(&mut o.result, Ok(()))
        })
    }
}

impl<M: Model> BlockWorker<'_, '_, M> {
    /// The block of `elements` of `plate` at `x` (`whole_block`: of the full size, else
    /// the shorter last one): its point, value and gradient into `output`.
    fn run(
        &mut self,
        layout: &Layout,
        (plate, elements, whole_block): (SubsampledPlate, Range<usize>, bool),
        x: &[f64],
        output: &mut BlockOutput,
    ) -> Result<(), ModelError> {
        let batch = output.batch.get_or_insert_with(|| {
            let mut batch = Batch::new();
            batch.set_block(plate, elements);
            layout.batch_coordinates(&batch, &mut output.coordinates);
            batch
        });
        output.x.clear();
        output.x.extend(output.coordinates.iter().map(|&i| x[i]));
        output.grad.resize(output.coordinates.len(), 0.0);
        let engine = match (whole_block, self.last.as_mut()) {
            (false, Some(last)) => last,
            _ => &mut self.full,
        };
        if let Some(engine_batch) = engine.batch_mut() {
            engine_batch.clone_from(batch);
        }
        output.value = engine.logp_grad(&output.x, &mut output.grad)?;
        Ok(())
    }
}

/// One empty output per block.
fn empty_outputs(blocks: usize) -> Vec<Mutex<BlockOutput>> {
    (0..blocks).map(|_| Mutex::default()).collect()
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
