//! [`Gradient`]: the log-density and its gradient at a point, plate-aware when it can be.

use super::blocks::PlateBlocks;
use super::gathers::Gathers;
use super::plan::LanePlan;
use super::projection::Projections;
use super::threads::BlockThreads;
use crate::error::ModelError;
use crate::handler::Layout;
use crate::model::Model;
use crate::scalar::Dual;
use crate::scenario::Scenario;
use crate::subsample::Batch;
use crate::value::Workspace;
use rand::{RngExt, SeedableRng};

/// The widest dual the engine compiles: one pass of up to 56 lanes. Few chunks that fit
/// snugly win (measured: 12 lanes for 12 parameters beat 16 by ~15%, one chunk of 52 for 51
/// parameters beat four of 16 by 2× and one of 64 by 1.5×; see BENCHMARKS.md).
const MAX_WIDTH: usize = 56;

/// Calls `$self.$pass::<W>($args)` for the smallest compiled width `W ≥ $needed`. A pass
/// streams vectors of `N` duals through memory, so unused lanes cost time in proportion
/// (10 lanes rather than 12 for the CEVAE model's 2 plate lanes and 8 globals: 210 → 220
/// steps/s, BENCHMARKS.md).
macro_rules! by_width {
    ($needed:expr, $self:ident . $pass:ident ( $($arg:expr),* )) => {
        match $needed {
            0..=4 => $self.$pass::<4>($($arg),*),
            5..=6 => $self.$pass::<6>($($arg),*),
            7..=8 => $self.$pass::<8>($($arg),*),
            9..=10 => $self.$pass::<10>($($arg),*),
            11..=12 => $self.$pass::<12>($($arg),*),
            13..=16 => $self.$pass::<16>($($arg),*),
            17..=24 => $self.$pass::<24>($($arg),*),
            25..=32 => $self.$pass::<32>($($arg),*),
            33..=40 => $self.$pass::<40>($($arg),*),
            41..=48 => $self.$pass::<48>($($arg),*),
            _ => $self.$pass::<MAX_WIDTH>($($arg),*),
        }
    };
}

/// How the engine differentiates a model.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum GradientMode {
    /// Every coordinate has its own lane (no local latents), in chunks.
    Chunked,
    /// The local latents of each plate share a lane per site ([`super::local`]).
    PlateLocal {
        /// The local latent sites.
        sites: Vec<&'static str>,
    },
    /// The model has local latents but mixes their elements across the plate: every
    /// coordinate gets its own lane (correct, O(N) times slower).
    DenseFallback {
        /// What was found.
        reason: String,
    },
}

/// The result of a plate-local evaluation: the value, or the local site found mixed.
enum PlateLocalPass {
    Done(f64),
    Mixed(&'static str),
}

/// The log-density of a scenario and its gradient on the unconstrained space.
///
/// Built once per scenario ([`Scenario::gradient`]); cheap to clone (one per chain).
#[derive(Debug)]
pub struct Gradient<'s, 'm, M: Model> {
    scenario: &'s Scenario<'m, M>,
    plan: LanePlan,
    dim: usize,
    mode: GradientMode,
    /// Plated sites found mixed across their plate, made global: (site, coordinates).
    mixed: Vec<(&'static str, usize)>,
    /// The buffers of the model's values and of the seeded globals, lent to each evaluation.
    workspace: Workspace,
    /// Products `X · β` projected on a local lane in the read-off pass.
    projections: Projections,
    /// The index vectors gathered in the read-off pass ([`super::gathers`]).
    gathers: Gathers,
    /// The elements of the subsampled plates an SVI step sees ([`crate::subsample`]).
    batch: Option<Batch>,
    /// The whole evaluation split into blocks of a large plate (module `blocks`).
    blocks: Option<Box<PlateBlocks<'s, 'm, M>>>,
}

impl<M: Model> Clone for Gradient<'_, '_, M> {
    fn clone(&self) -> Self {
        Gradient {
            scenario: self.scenario,
            plan: self.plan.clone(),
            dim: self.dim,
            mode: self.mode.clone(),
            mixed: self.mixed.clone(),
            workspace: Workspace::default(),
            projections: self.projections.clone(),
            gathers: Gathers::default(),
            batch: self.batch.clone(),
            blocks: self.blocks.clone(),
        }
    }
}

impl<'s, 'm, M: Model> Gradient<'s, 'm, M> {
    /// The engine for `scenario` with its `layout`: plate-local when the layout has local
    /// latents and the checks pass at a valid point (see the module docs), chunked otherwise.
    ///
    /// A plated site whose elements a term outside its plate reads (a coefficient vector in
    /// `X · β`, a group effect summed) is not local: it is made global and the check runs
    /// again, so that only the sites that really are element-local share lanes.
    pub fn new(scenario: &'s Scenario<'m, M>, layout: &Layout) -> Result<Self, ModelError> {
        Self::on_batch(scenario, layout, None)
    }

    /// Evaluates in blocks of [`super::BLOCK_ELEMENTS`] elements of a large plate, each
    /// with the cache to itself, shared among up to `threads.most()` threads, where that gives
    /// the same gradient ([`Gradient::is_blocked`]; `layout` is this engine's). The blocks'
    /// results are added in block order after all have run, so the value and the gradient
    /// are the same to the bit whatever `threads` holds; how many threads are used is chosen by
    /// timing the first evaluations, which cannot change them.
    ///
    /// An SVI step asks for this; a sampler, whose chains already share the cores, and a
    /// model cheap per element (where copying each block's point costs more than the cache
    /// saves) run best whole (BENCHMARKS.md, plate blocks).
    pub fn in_blocks(&mut self, layout: &Layout, threads: &BlockThreads) {
        let whole_plate_local =
            self.batch.is_none() && matches!(self.mode, GradientMode::PlateLocal { .. });
        if whole_plate_local && self.blocks.is_none() {
            self.blocks = PlateBlocks::checked(self.scenario, layout, self).map(Box::new);
        }
        if let Some(blocks) = &mut self.blocks {
            blocks.set_threads(threads);
        }
    }

    /// Whether evaluations run in blocks of a plate's elements: the model declares one
    /// plate `plate!(n, subsample = b)` of at least two blocks' worth of elements (its
    /// data go through `subsample!`, so the body can run on a block), and a blocked
    /// gradient equals the whole one at a valid point. The blocks' sum is taken in element
    /// order, the same whatever runs it.
    pub fn is_blocked(&self) -> bool {
        self.blocks.is_some()
    }

    /// The engine of an SVI step on a batch: `layout` is the whole model's, the engine
    /// differentiates at points of its [`Layout::batch_layout`] with the subsampled plates
    /// on `batch`'s elements (changed from step to step with [`Gradient::batch_mut`]).
    pub fn batched(
        scenario: &'s Scenario<'m, M>,
        layout: &Layout,
        batch: Batch,
    ) -> Result<Self, ModelError> {
        Self::on_batch(scenario, &layout.batch_layout(), Some(batch))
    }

    /// The elements of the subsampled plates the next evaluations see.
    pub fn batch_mut(&mut self) -> Option<&mut Batch> {
        self.batch.as_mut()
    }

    fn on_batch(
        scenario: &'s Scenario<'m, M>,
        layout: &Layout,
        batch: Option<Batch>,
    ) -> Result<Self, ModelError> {
        let (mut global, mut gathered): (Vec<&'static str>, Vec<&'static str>) = Default::default();
        // Products are projected until the check finds a model they do not fit.
        let mut project = true;
        loop {
            let plan = LanePlan::new(layout, &global, &gathered);
            let mut engine = Self::dense(scenario, layout);
            engine.batch = batch.clone();
            engine.mixed = mixed_sites(layout, &global);
            if plan.local_lanes() == 0 {
                return Ok(engine);
            }
            if plan.local_lanes() >= MAX_WIDTH {
                engine.mode = GradientMode::DenseFallback {
                    reason: format!(
                        "the local latent sites need {} shared lanes, more than the {MAX_WIDTH} \
                         of one pass",
                        plan.local_lanes()
                    ),
                };
                return Ok(engine);
            }
            let sites = plan.plates().iter().flat_map(|p| p.sites.clone()).collect();
            engine.projections = Projections::new(match project {
                true => plan.projectable(),
                false => Vec::new(),
            });
            engine.plan = plan;
            engine.mode = GradientMode::PlateLocal { sites };
            // A site read across its plate is tried as gathered (read through an index),
            // and made global if that does not decode either.
            match engine.verify()? {
                Some(site) if gathered.contains(&site) => {
                    gathered.retain(|s| *s != site);
                    global.push(site);
                }
                Some(site) => gathered.push(site),
                None if project && matches!(engine.mode, GradientMode::DenseFallback { .. }) => {
                    project = false;
                }
                None => return Ok(engine),
            }
        }
    }

    /// The reference engine: every coordinate its own lane, in chunks, whatever the model.
    pub fn dense(scenario: &'s Scenario<'m, M>, layout: &Layout) -> Self {
        Gradient {
            scenario,
            plan: LanePlan::default(),
            dim: layout.dim(),
            mode: GradientMode::Chunked,
            mixed: Vec::new(),
            workspace: Workspace::default(),
            projections: Projections::default(),
            gathers: Gathers::default(),
            batch: None,
            blocks: None,
        }
    }

    /// The log-density's parts at `x` (on this engine's batch, if any).
    fn parts_at<S: crate::scalar::Scalar>(
        &self,
        x: &[S],
    ) -> Result<crate::handler::LogDensityParts<S>, ModelError> {
        self.scenario.log_density_on(x, self.batch.as_ref())
    }

    /// How this engine differentiates.
    pub fn mode(&self) -> &GradientMode {
        &self.mode
    }

    /// What a user should know about the cost: the dense fallback and why, or plated sites
    /// read across their plate whose elements take more lanes than one pass holds (a sum of
    /// a per-unit latent over the units: correct, but every gradient re-runs the model once
    /// per 56 of its elements). `None` when neither happened.
    pub fn note(&self) -> Option<String> {
        if let GradientMode::DenseFallback { reason } = &self.mode {
            return Some(reason.clone());
        }
        let lanes: usize = self.mixed.iter().map(|(_, len)| len).sum();
        (lanes > MAX_WIDTH).then(|| {
            let sites: Vec<String> = self.mixed.iter().map(|(s, _)| format!("`{s}`")).collect();
            mixed_reason(
                &sites.join(", "),
                "a term reads its elements across the plate",
            )
        })
    }

    /// The number of unconstrained coordinates.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// The log-density at `x`; its gradient is written into `grad`.
    ///
    /// The model's values take their buffers from this engine's workspace: after the first
    /// call, a gradient allocates nothing ([`Workspace`]).
    pub fn logp_grad(&mut self, x: &[f64], grad: &mut [f64]) -> Result<f64, ModelError> {
        if let Some(blocks) = &mut self.blocks {
            check_lengths(self.dim, x, grad)?;
            return blocks.logp_grad(x, grad);
        }
        let mut workspace = std::mem::take(&mut self.workspace);
        let result = workspace.lend(|| self.logp_grad_in_workspace(x, grad));
        self.workspace = workspace;
        result
    }

    fn logp_grad_in_workspace(&mut self, x: &[f64], grad: &mut [f64]) -> Result<f64, ModelError> {
        check_lengths(self.dim, x, grad)?;
        if !matches!(self.mode, GradientMode::PlateLocal { .. }) {
            return self.chunked(x, grad);
        }
        match self.plate_local(x, grad)? {
            PlateLocalPass::Done(value) => Ok(value),
            PlateLocalPass::Mixed(site) => {
                self.mode = GradientMode::DenseFallback {
                    reason: mixed_reason(
                        &format!("`{site}`"),
                        "a term outside its plate depends on it",
                    ),
                };
                self.chunked(x, grad)
            }
        }
    }

    /// Every coordinate in its own lane, in chunks of up to [`MAX_WIDTH`].
    fn chunked(&mut self, x: &[f64], grad: &mut [f64]) -> Result<f64, ModelError> {
        let share = x.len().div_ceil(x.len().div_ceil(MAX_WIDTH).max(1));
        if share == 0 {
            return self.parts_at(x).map(|p| p.total());
        }
        by_width!(share, self.chunked_pass(x, grad))
    }

    fn chunked_pass<const W: usize>(
        &mut self,
        x: &[f64],
        grad: &mut [f64],
    ) -> Result<f64, ModelError> {
        let mut seeded = seeded_point::<W>(x);
        let value = self.chunked_passes(&mut seeded, grad);
        crate::value::recycle(seeded);
        value
    }

    fn chunked_passes<const W: usize>(
        &self,
        seeded: &mut [Dual<W>],
        grad: &mut [f64],
    ) -> Result<f64, ModelError> {
        let x_len = seeded.len();
        let mut value = 0.0;
        for start in (0..x_len).step_by(W) {
            let end = (start + W).min(x_len);
            for (lane, d) in seeded[start..end].iter_mut().enumerate() {
                d.eps[lane] = 1.0;
            }
            let total = self.parts_at(seeded)?.total();
            grad[start..end].copy_from_slice(&total.eps[..end - start]);
            value = total.re;
            for d in &mut seeded[start..end] {
                d.eps = [0.0; W];
            }
        }
        Ok(value)
    }

    /// Local latents in shared lanes `0..K`, globals in chunks after them.
    fn plate_local(&mut self, x: &[f64], grad: &mut [f64]) -> Result<PlateLocalPass, ModelError> {
        let k = self.plan.local_lanes();
        let globals = self.plan.globals().len();
        let passes = globals.div_ceil(MAX_WIDTH - k).max(1);
        by_width!(k + globals.div_ceil(passes), self.plate_local_pass(x, grad))
    }

    fn plate_local_pass<const W: usize>(
        &mut self,
        x: &[f64],
        grad: &mut [f64],
    ) -> Result<PlateLocalPass, ModelError> {
        let globals = self.plan.globals();
        let mut seeded = crate::value::collect(
            globals.len(),
            globals.iter().map(|&i| Dual::<W>::constant(x[i])),
        );
        let mut projections = std::mem::take(&mut self.projections);
        let mut gathers = std::mem::take(&mut self.gathers);
        let pass = match self.plan.has_gathered() {
            true => {
                gathers.lend(|| self.plate_local_passes(x, &mut seeded, grad, &mut projections))
            }
            false => self.plate_local_passes(x, &mut seeded, grad, &mut projections),
        };
        (self.projections, self.gathers) = (projections, gathers);
        crate::value::recycle(seeded);
        pass
    }

    /// The read-off pass: local latents seeded from `x` as the model reaches them, the first
    /// chunk of globals in `globals` (their coordinates, seeded here); then, when there are
    /// more globals than one pass holds, a chunked pass for each further chunk.
    fn plate_local_passes<const W: usize>(
        &self,
        x: &[f64],
        globals: &mut [Dual<W>],
        grad: &mut [f64],
        projections: &mut Projections,
    ) -> Result<PlateLocalPass, ModelError> {
        let k = self.plan.local_lanes();
        self.clear_local_gradient(grad);
        let chunk = (W - k).max(1).min(globals.len());
        for (j, g) in globals[..chunk].iter_mut().enumerate() {
            g.eps[k + j] = 1.0;
        }
        // The lanes past the seeded ones hold the extra outputs of a projected network.
        projections.set_spare(k + chunk..W);
        let (total, mixed) = projections.lend(|| {
            let batch = self.batch.as_ref();
            self.scenario
                .log_density_read_off(x, globals, &self.plan, grad, batch)
        })?;
        projections.flush_networks(grad);
        if let Some(site) = mixed {
            return Ok(PlateLocalPass::Mixed(site));
        }
        if let Some(lane) = (0..k).find(|&l| total.eps[l] != 0.0 && total.eps[l].is_finite()) {
            return Ok(PlateLocalPass::Mixed(
                self.plan.site_of_lane(lane).unwrap_or("?"),
            ));
        }
        let coordinates = self.plan.globals();
        for (j, &i) in coordinates[..chunk].iter().enumerate() {
            grad[i] = total.eps[k + j];
        }
        if coordinates.len() > chunk {
            self.later_global_passes::<W>(x, grad, chunk)?;
        }
        Ok(PlateLocalPass::Done(total.re))
    }

    /// The derivatives along the globals from the `done`-th on, `W` lanes per pass, the
    /// local latents constant.
    fn later_global_passes<const W: usize>(
        &self,
        x: &[f64],
        grad: &mut [f64],
        done: usize,
    ) -> Result<(), ModelError> {
        let mut seeded = seeded_point::<W>(x);
        let coordinates = self.plan.globals();
        let result = coordinates[done..].chunks(W).try_for_each(|block| {
            for (j, &i) in block.iter().enumerate() {
                seeded[i].eps[j] = 1.0;
            }
            let total = self.parts_at(&seeded)?.total();
            for (j, &i) in block.iter().enumerate() {
                grad[i] = total.eps[j];
                seeded[i].eps[j] = 0.0;
            }
            Ok(())
        });
        crate::value::recycle(seeded);
        result
    }

    /// Zeroes the gradient entries of the local latents: their read-offs add into them.
    fn clear_local_gradient(&self, grad: &mut [f64]) {
        for l in self.plan.plates().iter().flat_map(|p| &p.lanes) {
            grad[l.offset..l.offset + l.len].fill(0.0);
        }
    }

    /// Checks the plate-local gradient at a valid point against directional derivatives
    /// along random directions (one forward pass each): returns the local site whose lane
    /// leaks out of its plate, if one does, and falls back to the dense path if the
    /// directional derivatives disagree.
    fn verify(&mut self) -> Result<Option<&'static str>, ModelError> {
        let Some(point) = self.valid_point() else {
            return Ok(None);
        };
        let mut grad = vec![0.0; self.dim];
        if let PlateLocalPass::Mixed(site) = self.plate_local(&point, &mut grad)? {
            return Ok(Some(site));
        }
        let mut rng = rand::rngs::StdRng::seed_from_u64(0x6772_6164);
        for _ in 0..2 {
            let v: Vec<f64> = (0..self.dim).map(|_| rng.random_range(-1.0..1.0)).collect();
            let seeded: Vec<Dual<1>> = point
                .iter()
                .zip(&v)
                .map(|(&p, &vi)| Dual { re: p, eps: [vi] })
                .collect();
            let along = self.parts_at(&seeded)?.total().eps[0];
            let dot: f64 = grad.iter().zip(&v).map(|(g, vi)| g * vi).sum();
            let scale: f64 = grad.iter().zip(&v).map(|(g, vi)| (g * vi).abs()).sum();
            if (along - dot).abs() > 1e-7 * (scale + along.abs()) + 1e-12 {
                self.mode = GradientMode::DenseFallback {
                    reason: format!(
                        "the plate-local gradient disagrees with a directional derivative \
                         ({dot} vs {along}): an element's terms depend on other elements of a \
                         local latent ({})",
                        self.plan
                            .plates()
                            .iter()
                            .flat_map(|p| p.sites.iter().copied())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                return Ok(None);
            }
        }
        Ok(None)
    }

    /// A point where the log-density is finite: a seeded uniform(−2, 2) point (so that the
    /// check does not sit on a symmetric zero), else the origin.
    pub(super) fn valid_point(&self) -> Option<Vec<f64>> {
        let ok = |x: &Vec<f64>| self.parts_at(x).is_ok_and(|p| p.total().is_finite());
        (0..100u64)
            .map(|seed| {
                let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
                (0..self.dim).map(|_| rng.random_range(-2.0..2.0)).collect()
            })
            .chain(std::iter::once(vec![0.0; self.dim]))
            .find(ok)
    }
}

/// A [`ModelError::ParameterLength`] unless the point and the gradient have `dim` entries.
fn check_lengths(dim: usize, x: &[f64], grad: &[f64]) -> Result<(), ModelError> {
    match [x.len(), grad.len()]
        .into_iter()
        .find(|&found| found != dim)
    {
        Some(found) => Err(ModelError::ParameterLength {
            expected: dim,
            found,
        }),
        None => Ok(()),
    }
}

/// The sizes of the plated sites made global.
fn mixed_sites(layout: &Layout, global: &[&'static str]) -> Vec<(&'static str, usize)> {
    let len = |s: &str| layout.block(s).map_or(0, |b| b.len);
    global.iter().map(|&s| (s, len(s))).collect()
}

fn mixed_reason(sites: &str, what: &str) -> String {
    format!(
        "local latent {sites} is mixed across its plate ({what}); its elements get a lane \
         each (the dense path, O(N) times slower than one shared lane)"
    )
}

/// `x` as constants of width `W`, in a buffer from the lent workspace.
fn seeded_point<const W: usize>(x: &[f64]) -> Vec<Dual<W>> {
    crate::value::collect(x.len(), x.iter().map(|&v| Dual::constant(v)))
}
