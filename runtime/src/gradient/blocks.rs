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
//! Blocks are independent work: [`Gradient::in_blocks`] shares them among scoped
//! threads of the caller's own (each with its own engines and buffers; no pool outside the
//! engine), as many as the first evaluations' timings say pay. Each block's value and
//! gradient are kept apart and added in block order after all have run, so the result is
//! the same to the bit whatever the number of threads.
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
use std::panic::resume_unwind;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

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
    /// How many of the workers run: chosen by timing the first evaluations.
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
            threads: ThreadChoice::new(1),
            outputs: empty_outputs(blocks),
        };
        let point = whole.valid_point()?;
        blocks.agrees_with(whole, &point).then_some(blocks)
    }

    /// Runs the blocks on up to `threads` threads (at least one; at most one per block).
    pub fn set_threads(&mut self, threads: usize) {
        let threads = threads.clamp(1, self.outputs.len());
        let first = self.workers[0].clone();
        self.workers.resize_with(threads, || first.clone());
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
    /// The workers take the next block from a shared counter, so a thread the system
    /// starts late (measured: up to 270 µs on a 2-vCPU virtual machine, longer than the
    /// caller's whole share) costs nothing: the caller takes its blocks. Which thread ran a
    /// block does not change its result.
    fn run_blocks(&mut self, x: &[f64], threads: usize) -> Result<(), ModelError> {
        let (layout, plate, size) = (&self.layout, self.plate, self.size);
        let run = |worker: &mut BlockWorker<'s, 'm, M>, k: usize, output: &mut BlockOutput| {
            let start = k * size;
            let elements = start..(start + size).min(plate.population);
            let whole_block = elements.len() == size;
            output.result = worker.run(layout, (plate, elements, whole_block), x, output);
        };
        share_blocks(&mut self.workers[..threads], &self.outputs, run);
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

/// Runs `run(worker, k, output)` for every block `k` and its `outputs[k]`, each worker on a
/// thread of its own (the first on the caller's, the others scoped to this call), each
/// taking the next block from a shared counter: a thread the system starts late leaves its
/// blocks to the others. A panic in a block goes on in the caller, as without threads.
pub fn share_blocks<W: Send, O: Send>(
    workers: &mut [W],
    outputs: &[Mutex<O>],
    run: impl Fn(&mut W, usize, &mut O) + Sync,
) {
    let next = AtomicUsize::new(0);
    let work = |worker: &mut W| loop {
        let k = next.fetch_add(1, Ordering::Relaxed);
        let Some(output) = outputs.get(k) else {
            return;
        };
        let mut output = output.lock().unwrap_or_else(|e| e.into_inner());
        run(worker, k, &mut output);
    };
    let Some((mine, others)) = workers.split_first_mut() else {
        return;
    };
    std::thread::scope(|scope| {
        let others: Vec<_> = (others.iter_mut())
            .map(|worker| scope.spawn(|| work(worker)))
            .collect();
        work(mine);
        for other in others {
            other.join().unwrap_or_else(|panic| resume_unwind(panic));
        }
    });
}

/// How many threads run the blocks: one and all of them alternately for a few
/// evaluations, then whichever was faster, timed again every 512 evaluations. Threads start late on a busy or virtual machine (tens to hundreds of µs),
/// which a cheap gradient does not pay back; each count is judged by the median of its
/// timed evaluations, which a late thread start inflates if it is the rule and another
/// process taking a core for a moment does not. The choice cannot change a result (blocks
/// are added in block order whoever ran them).
#[derive(Clone, Debug)]
pub struct ThreadChoice {
    most: usize,
    /// Evaluations timed in this round, and their times with one thread and with `most`.
    timed: usize,
    one: Vec<Duration>,
    all: Vec<Duration>,
    chosen: Option<usize>,
    /// Evaluations since the choice.
    since: usize,
}

/// Evaluations timed with each thread count before choosing (after one of each untimed
/// in the first round, which fills the workers' buffers).
const TIMED_EACH: usize = 8;

/// Evaluations after which the choice is timed again: the machine's load changes during a
/// long fit. At most `TIMED_EACH` of every `RECHOOSE_AFTER` run with the slower count.
const RECHOOSE_AFTER: usize = 512;

impl ThreadChoice {
    /// Up to `most` threads (one: no choice to make).
    pub fn new(most: usize) -> Self {
        ThreadChoice {
            most,
            timed: 0,
            one: Vec::with_capacity(TIMED_EACH),
            all: Vec::with_capacity(TIMED_EACH),
            chosen: (most == 1).then_some(1),
            since: 0,
        }
    }
    /// The threads of the next evaluation.
    pub fn next(&self) -> usize {
        match self.chosen {
            Some(threads) => threads,
            None if self.timed.is_multiple_of(2) => 1,
            None => self.most,
        }
    }
    /// Records an evaluation with `threads` that took `took`.
    pub fn record(&mut self, threads: usize, took: Duration) {
        if self.chosen.is_some() {
            self.since += 1;
            if self.since == RECHOOSE_AFTER && self.most > 1 {
                // A new round, without the untimed pair: the buffers are there.
                (self.chosen, self.timed, self.since) = (None, 2, 0);
                self.one.clear();
                self.all.clear();
            }
            return;
        }
        if self.timed >= 2 {
            let times = if threads == 1 {
                &mut self.one
            } else {
                &mut self.all
            };
            times.push(took);
        }
        self.timed += 1;
        if self.timed == 2 * (TIMED_EACH + 1) {
            let faster = median(&mut self.all) < median(&mut self.one);
            self.chosen = Some(if faster { self.most } else { 1 });
        }
    }
}

/// The median of `times` (the lower of the middle two).
fn median(times: &mut [Duration]) -> Duration {
    times.sort_unstable();
    let middle = times.len().saturating_sub(1) / 2;
    times.get(middle).copied().unwrap_or(Duration::MAX)
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

#[cfg(test)]
mod tests {
    use super::ThreadChoice;
    use std::time::Duration;

    /// Feeds `choice` evaluations taking `one` on one thread and `all` on all, after a
    /// first pair that took the opposite (it fills buffers and is not counted).
    fn settle(mut choice: ThreadChoice, one: u64, all: u64) -> ThreadChoice {
        let ms = Duration::from_millis;
        choice.record(1, ms(all));
        choice.record(choice.most, ms(one));
        while choice.chosen.is_none() {
            let threads = choice.next();
            choice.record(threads, ms(if threads == 1 { one } else { all }));
        }
        choice
    }

    #[test]
    fn the_faster_thread_count_is_kept_after_the_timed_evaluations() {
        assert_eq!(settle(ThreadChoice::new(2), 10, 6).next(), 2);
        assert_eq!(settle(ThreadChoice::new(2), 6, 10).next(), 1);
        let settled = settle(ThreadChoice::new(4), 10, 6);
        assert_eq!(
            (settled.next(), settled.timed),
            (4, 2 * (super::TIMED_EACH + 1))
        );
        assert_eq!(ThreadChoice::new(1).next(), 1);
    }

    #[test]
    fn the_choice_is_timed_again_after_a_while_and_can_change() {
        let mut choice = settle(ThreadChoice::new(2), 10, 6);
        for _ in 0..super::RECHOOSE_AFTER - 1 {
            choice.record(2, Duration::from_millis(6));
        }
        assert_eq!(choice.next(), 2);
        choice.record(2, Duration::from_millis(6));
        // The load changed: two threads now take longer, one spike aside.
        let ms = Duration::from_millis;
        let mut spiked = false;
        while choice.chosen.is_none() {
            let threads = choice.next();
            let took = match threads {
                1 if !spiked => {
                    spiked = true;
                    ms(100)
                }
                1 => ms(10),
                _ => ms(14),
            };
            choice.record(threads, took);
        }
        assert_eq!(choice.next(), 1);
    }

    #[test]
    fn a_thread_that_starts_late_as_a_rule_counts_against_it() {
        // Two threads are faster once started, but start late two evaluations in three.
        let ms = Duration::from_millis;
        let mut choice = ThreadChoice::new(2);
        let mut runs = 0;
        while choice.chosen.is_none() {
            let threads = choice.next();
            let took = match threads {
                1 => ms(10),
                _ => {
                    runs += 1;
                    if runs % 3 == 0 { ms(7) } else { ms(20) }
                }
            };
            choice.record(threads, took);
        }
        assert_eq!(choice.next(), 1);
    }
}
