//! A custom guide's replay on blocks of its large plate, shared among threads: the guide's
//! side of the model's plate blocks ([`Gradient::in_blocks`]).
//!
//! The surrogate's replay streams a plate's vectors of duals as the model's gradient does
//! (an encoder's layers, the draws, their `ln q` terms: a third of a CEVAE step at
//! `N = 10,000`). A guide that declares its plate `plate!(n, subsample = b)` says which of
//! its data live on the plate, so a replay can run on a block of the plate's elements as
//! on an SVI batch ([`Batch::set_block`]): its draws there read the block's slice of the
//! step's recorded noise, their terms count once, and the terms off the plate (the globals'
//! draws, other plates) count in the first block only. Each block reads off into a buffer of
//! its thread's and keeps apart what it found: the derivatives of its own elements of the
//! plated parameters (no other block has those), and those of every other parameter (an
//! encoder's weights, which every block adds to); they are added in block order after all
//! blocks ran, so the result is the same to the bit for any number of threads.
//!
//! The blocked replay is compared with the whole one on its first step and dropped if they
//! differ.
//!
//! [`Gradient::in_blocks`]: doppl_runtime::gradient::Gradient::in_blocks

use super::blocked_passes::Globals;
use super::elbo::Placement;
use super::point::{PointParts, check_len, check_sites, place_draw};
use doppl_runtime::ModelError;
use doppl_runtime::gradient::{BLOCK_ELEMENTS, BlockThreads, ThreadChoice};
use doppl_runtime::guide::{
    Guide, GuideHandler, GuideProjections, GuideReadOff, NoiseTape, ParamBlock, PlatedLane,
};
use doppl_runtime::quiet_panic::model_quietly;
use doppl_runtime::scalar::Dual;
use doppl_runtime::subsample::{Batch, SubsampledPlate};
use doppl_runtime::value::Workspace;
use std::ops::Range;
use std::sync::Mutex;
use std::time::Instant;

/// What every block's replay reads: the guide, its parameters' layout, the step's noise
/// and the surrogate's weights.
pub(super) struct ReplayInputs<'r, G> {
    pub guide: &'r G,
    pub blocks: &'r [ParamBlock],
    pub noise: &'r NoiseTape,
    pub offsets: &'r [usize],
    pub w: &'r [f64],
}

/// What every block's `f64` draw reads.
pub(super) struct DrawInputs<'r, G> {
    pub guide: &'r G,
    pub blocks: &'r [ParamBlock],
    pub params: &'r [f64],
    pub noise: &'r NoiseTape,
    pub placements: &'r [Placement],
}

/// One replay's seeded parameters and, for the pass that reads off, the plated lanes and
/// the spare lanes a projected network's further outputs take.
pub(super) struct Pass<'p, const W: usize> {
    pub seeded: &'p [Dual<W>],
    pub read_off: Option<(&'p [PlatedLane], Range<usize>)>,
}

/// The blocks of one plate and the threads that run them.
pub(super) struct ReplayBlocks {
    plan: BlockPlan,
    workers: Vec<ReplayWorker>,
    pool: BlockThreads,
    threads: ThreadChoice,
    outputs: Vec<Mutex<BlockOutput>>,
    /// How the unplated parameters are differentiated, once found to give the whole
    /// replay's gradient (`None`: not yet).
    pub globals: Option<Globals>,
    /// The empty block's batch and replay (the terms off the plate alone).
    off_plate: BlockOutput,
    /// How many threads draw, and whether blocked draws were found equal to a whole one
    /// (`None`: not compared yet).
    draw_threads: ThreadChoice,
    draws_agree: Option<bool>,
}

/// How the plate and the parameters are split among the blocks.
struct BlockPlan {
    plate: SubsampledPlate,
    /// Elements per block; the last may be shorter.
    size: usize,
    /// The first coordinates of the plated parameters on the plate: a block's elements of
    /// them are its own.
    own: Vec<usize>,
    /// Every other coordinate, which any block may add to.
    shared: Vec<usize>,
}

impl BlockPlan {
    /// The elements of block `k`.
    fn elements(&self, k: usize) -> Range<usize> {
        let start = k * self.size;
        start..(start + self.size).min(self.plate.population)
    }
}

/// What one thread replays its blocks with.
struct ReplayWorker {
    noise: NoiseTape,
    workspace: Workspace,
    projections: GuideProjections,
    /// The read-off's target, as long as the parameters: zero outside a block's replay.
    scratch: Vec<f64>,
    /// Whether `noise` holds this evaluation's noise.
    noise_copied: bool,
}

/// One block's batch and what its replay found.
#[derive(Default)]
struct BlockOutput {
    batch: Batch,
    /// The derivatives of the block's elements of each own block, one after the other.
    own: Vec<f64>,
    /// Those of the shared coordinates.
    shared: Vec<f64>,
    /// The surrogate's value and tangents.
    total: Vec<f64>,
    /// A draw's coordinates in the point (runs of them), their `u`, `∂z/∂u` and
    /// `∂ln|J|/∂u`, and its `ln q` and `ln|J|`.
    runs: Vec<Range<usize>>,
    u: Vec<f64>,
    dz_du: Vec<f64>,
    dlog_jac: Vec<f64>,
    log_q: f64,
    log_jac: f64,
    error: Option<ModelError>,
}

impl ReplayBlocks {
    /// Blocks of `plate` (at least two blocks' worth of elements; `None` otherwise) for a
    /// guide of `params` parameters whose plated blocks are `plated`, on up to
    /// `pool.most()` of `pool`'s threads, with networks projected as `projections` says.
    pub fn new(
        plate: SubsampledPlate,
        params: usize,
        plated: &[PlatedLane],
        projections: &GuideProjections,
        pool: &BlockThreads,
    ) -> Option<Self> {
        if plate.population < 2 * BLOCK_ELEMENTS {
            return None;
        }
        let blocks = plate.population.div_ceil(BLOCK_ELEMENTS);
        let size = plate.population.div_ceil(blocks);
        let own: Vec<usize> = (plated.iter())
            .filter(|l| l.plate == plate.plate && l.len == plate.population)
            .map(|l| l.offset)
            .collect();
        let is_own = |c: usize| own.iter().any(|&o| (o..o + plate.population).contains(&c));
        let shared = (0..params).filter(|&c| !is_own(c)).collect();
        let threads = pool.most().clamp(1, blocks);
        let workers = (0..threads)
            .map(|_| ReplayWorker {
                noise: NoiseTape::new(0),
                workspace: Workspace::default(),
                projections: projections.clone(),
                scratch: vec![0.0; params],
                noise_copied: false,
            })
            .collect();
        Some(ReplayBlocks {
            plan: BlockPlan {
                plate,
                size,
                own,
                shared,
            },
            workers,
            pool: pool.clone(),
            threads: ThreadChoice::new(threads),
            outputs: (0..blocks).map(|_| Mutex::default()).collect(),
            globals: None,
            off_plate: BlockOutput::default(),
            draw_threads: ThreadChoice::new(threads),
            draws_agree: None,
        })
    }

    /// The number of blocks.
    pub fn len(&self) -> usize {
        self.outputs.len()
    }

    /// Whether draws run in blocks (not found to differ from whole draws).
    pub fn draws_in_blocks(&self) -> bool {
        self.draws_agree != Some(false)
    }

    /// Whether blocked draws have been compared with a whole one.
    pub fn draws_checked(&self) -> bool {
        self.draws_agree.is_some()
    }

    /// Records whether blocked draws agreed with a whole one.
    pub fn checked_draws(&mut self, agree: bool) {
        self.draws_agree = Some(agree);
    }

    /// The guide's `f64` draw in blocks, on the noise drawn ahead in `inputs`: the point's
    /// parts written into `point`, `(ln q, ln|J|)` summed in block order.
    pub fn draw<G: Guide>(
        &mut self,
        inputs: &DrawInputs<'_, G>,
        point: PointParts<'_>,
    ) -> Result<(f64, f64), ModelError> {
        let threads = self.draw_threads.next();
        let started = Instant::now();
        self.forget_noise();
        let plan = &self.plan;
        let run = |worker: &mut ReplayWorker, k: usize, output: &mut BlockOutput| {
            worker.take_noise(inputs.noise);
            set_block(plan, k, output);
            output.error = worker.draw(inputs, plan, k, output).err();
        };
        (self.pool).share(&mut self.workers[..threads], &self.outputs, run);
        self.draw_threads.record(threads, started.elapsed());
        let (mut log_q, mut log_jac) = (0.0, 0.0);
        for block in &mut self.outputs {
            let block = block.get_mut().unwrap_or_else(|e| e.into_inner());
            if let Some(error) = block.error.take() {
                return Err(error);
            }
            (log_q, log_jac) = (log_q + block.log_q, log_jac + block.log_jac);
            let mut at = 0;
            for run in &block.runs {
                let from = at..at + run.len();
                point.u[run.clone()].copy_from_slice(&block.u[from.clone()]);
                point.dz_du[run.clone()].copy_from_slice(&block.dz_du[from.clone()]);
                point.dlog_jac[run.clone()].copy_from_slice(&block.dlog_jac[from]);
                at += run.len();
            }
        }
        Ok((log_q, log_jac))
    }

    /// A new evaluation: each worker copies its noise again.
    fn forget_noise(&mut self) {
        for worker in &mut self.workers {
            worker.noise_copied = false;
        }
    }

    /// The projected networks changed (a block of weights left the projections): the
    /// lanes change, and how the blocks give the whole gradient is found again.
    pub fn reset_projections(&mut self, projections: &GuideProjections) {
        for worker in &mut self.workers {
            worker.projections = projections.clone();
        }
        self.globals = None;
    }

    /// The surrogate of a replay on no element of the plate (the terms off it alone), at
    /// `seeded`, on the caller's thread.
    pub fn off_plate<G: Guide, const W: usize>(
        &mut self,
        inputs: &ReplayInputs<'_, G>,
        seeded: &[Dual<W>],
    ) -> Result<Dual<W>, ModelError> {
        let plate = self.plan.plate;
        let empty = &mut self.off_plate;
        if empty.batch.indices(plate.plate).is_none() {
            empty.batch.set_block(plate, 0..0);
        }
        let worker = &mut self.workers[0];
        worker.take_noise(inputs.noise);
        let pass = Pass {
            seeded,
            read_off: None,
        };
        worker.replay(inputs, &pass, empty)?;
        let mut total = Dual::<W>::constant(empty.total[0]);
        total.eps.copy_from_slice(&empty.total[1..]);
        Ok(total)
    }

    /// The surrogate of `pass` summed over the blocks, its read-off (if any) added into
    /// `grad`, all in block order.
    pub fn surrogate<G: Guide, const W: usize>(
        &mut self,
        inputs: &ReplayInputs<'_, G>,
        pass: &Pass<'_, W>,
        grad: &mut [f64],
    ) -> Result<Dual<W>, ModelError> {
        let threads = self.threads.next();
        let started = Instant::now();
        self.run_blocks(inputs, pass, threads);
        self.threads.record(threads, started.elapsed());
        let mut total = Dual::<W>::constant(0.0);
        for (k, block) in self.outputs.iter_mut().enumerate() {
            let block = block.get_mut().unwrap_or_else(|e| e.into_inner());
            if let Some(error) = block.error.take() {
                return Err(error);
            }
            total.re += block.total[0];
            for (e, t) in total.eps.iter_mut().zip(&block.total[1..]) {
                *e += t;
            }
            if pass.read_off.is_none() {
                continue;
            }
            let elements = self.plan.elements(k);
            for (j, &o) in self.plan.own.iter().enumerate() {
                let own = &block.own[j * elements.len()..(j + 1) * elements.len()];
                let target = &mut grad[o + elements.start..o + elements.end];
                target.iter_mut().zip(own).for_each(|(g, d)| *g += d);
            }
            for (&c, d) in self.plan.shared.iter().zip(&block.shared) {
                grad[c] += d;
            }
        }
        Ok(total)
    }

    /// Every block replayed on up to `threads` threads ([`BlockThreads::share`]).
    fn run_blocks<G: Guide, const W: usize>(
        &mut self,
        inputs: &ReplayInputs<'_, G>,
        pass: &Pass<'_, W>,
        threads: usize,
    ) {
        self.forget_noise();
        let plan = &self.plan;
        let run = |worker: &mut ReplayWorker, k: usize, output: &mut BlockOutput| {
            worker.take_noise(inputs.noise);
            set_block(plan, k, output);
            let error = worker.replay(inputs, pass, output).err();
            worker.take_read_off(plan, k, output);
            output.error = error;
        };
        (self.pool).share(&mut self.workers[..threads], &self.outputs, run);
    }
}

/// Makes `output`'s batch block `k` (once: it stays).
fn set_block(plan: &BlockPlan, k: usize, output: &mut BlockOutput) {
    if output.batch.indices(plan.plate.plate).is_none() {
        output.batch.set_block(plan.plate, plan.elements(k));
    }
}

impl ReplayWorker {
    /// Copies the evaluation's noise, once per evaluation (not per block).
    fn take_noise(&mut self, noise: &NoiseTape) {
        if !self.noise_copied {
            self.noise.replay_of(noise);
            self.noise_copied = true;
        }
    }

    /// Block `k`'s `f64` draw into `output`: its own elements of the plate's sites, and in
    /// the first block the other sites.
    fn draw<G: Guide>(
        &mut self,
        inputs: &DrawInputs<'_, G>,
        plan: &BlockPlan,
        k: usize,
        output: &mut BlockOutput,
    ) -> Result<(), ModelError> {
        self.noise.replay();
        let mut h = GuideHandler::reading(inputs.blocks, inputs.params, &mut self.noise)
            .with_batch(&output.batch);
        let guide = inputs.guide;
        self.workspace
            .lend(|| model_quietly(|| guide.run(&mut h)))?;
        check_sites(&h.draws, inputs.placements)?;
        (output.log_q, output.log_jac) = (h.log_q, 0.0);
        output.runs.clear();
        for part in [&mut output.u, &mut output.dz_du, &mut output.dlog_jac] {
            part.clear();
        }
        let (elements, population) = (plan.elements(k), plan.plate.population);
        for (draw, place) in h.draws.iter().zip(inputs.placements) {
            let on_block = draw.plate == Some(plan.plate.plate);
            let per_element = place.len / population;
            let (first, expected) = match on_block {
                true => (elements.start * per_element, elements.len() * per_element),
                // The other sites' values are the same in every block: the first places them.
                false if k == 0 => (0, place.len),
                false => continue,
            };
            check_len(draw, place, expected)?;
            let start = output.u.len();
            let len = draw.values.len();
            for part in [&mut output.u, &mut output.dz_du, &mut output.dlog_jac] {
                part.resize(start + len, 0.0);
            }
            let parts = PointParts {
                u: &mut output.u[start..],
                dz_du: &mut output.dz_du[start..],
                dlog_jac: &mut output.dlog_jac[start..],
            };
            output.log_jac += place_draw(&draw.values, place, (first, 1.0), parts)?;
            let coordinate = place.offset + first;
            output.runs.push(coordinate..coordinate + len);
        }
        Ok(())
    }

    /// The replay of `pass` on `output`'s block: its surrogate into `output.total`, its
    /// read-off into the scratch buffer.
    fn replay<G: Guide, const W: usize>(
        &mut self,
        inputs: &ReplayInputs<'_, G>,
        pass: &Pass<'_, W>,
        output: &mut BlockOutput,
    ) -> Result<(), ModelError> {
        let ReplayWorker {
            noise,
            workspace,
            projections,
            scratch,
            ..
        } = self;
        noise.replay();
        let batch = &output.batch;
        let (guide, blocks, seeded) = (inputs.guide, inputs.blocks, pass.seeded);
        let (total, result) = match &pass.read_off {
            Some((lanes, spare)) => {
                let off = GuideReadOff::new(lanes, scratch, 1.0, Some(batch));
                let mut h = GuideHandler::reading_plate_local(blocks, seeded, noise, off)
                    .weighing_draws(inputs.w, inputs.offsets)
                    .with_batch(batch);
                let result = projections.lend(spare.clone(), || {
                    workspace.lend(|| model_quietly(|| guide.run(&mut h)))
                });
                let total = -h.log_q + h.weighted_draws();
                drop(h);
                projections.flush(scratch);
                (total, result)
            }
            None => {
                let mut h = GuideHandler::reading(blocks, seeded, noise)
                    .weighing_draws(inputs.w, inputs.offsets)
                    .with_batch(batch);
                let result = workspace.lend(|| model_quietly(|| guide.run(&mut h)));
                (-h.log_q + h.weighted_draws(), result)
            }
        };
        result?;
        output.total.clear();
        output.total.push(total.re);
        output.total.extend_from_slice(&total.eps);
        Ok(())
    }

    /// Moves block `k`'s read-off from the scratch buffer into `output`, leaving the
    /// buffer zero.
    fn take_read_off(&mut self, plan: &BlockPlan, k: usize, output: &mut BlockOutput) {
        let elements = plan.elements(k);
        output.own.clear();
        for &o in &plan.own {
            let own = &mut self.scratch[o + elements.start..o + elements.end];
            output.own.extend_from_slice(own);
            own.fill(0.0);
        }
        output.shared.clear();
        for &c in &plan.shared {
            output.shared.push(std::mem::take(&mut self.scratch[c]));
        }
    }
}
