//! The ELBO of a custom guide and its pathwise gradient in the guide's parameters.
//!
//! One draw: the guide runs in `f64` with fresh noise, giving the sites' values `z` and
//! `ln q(z)`; `z` is mapped to the model's unconstrained point `u`, where the model's
//! plate-aware engine gives `ln p_u(u)` and its gradient `g`. With `ln p(z) = ln p_u(u) −
//! ln|J(u)|`, the ELBO term is `ln p_u(u) − ln|J(u)| − ln q(z)`, and its gradient in the
//! parameters φ is that of the surrogate `Σᵢ wᵢ zᵢ(φ) − ln q(z(φ); φ)` with the constant
//! weights `wᵢ = ∂ ln p / ∂zᵢ = (gᵢ − ∂ln|J|/∂uᵢ) / (∂zᵢ/∂uᵢ)`: the guide is replayed on the
//! same noise with dual parameters, a chunk of lanes at a time.

use super::batches::{Batched, Batching};
use super::coords::Coordinate;
use super::lanes::GuideLanes;
use super::replay_blocks::{ReplayBlocks, ReplayInputs};
use crate::density::LogDensity;
use crate::svi::steps::ElboEstimator;
use doppl_runtime::gradient::{BLOCK_ELEMENTS, BlockThreads};
use doppl_runtime::guide::{Guide, GuideHandler, GuideReadOff, NoiseTape, ParamBlock, PlatedLane};
use doppl_runtime::quiet_panic::model_quietly;
use doppl_runtime::scalar::Dual;
use doppl_runtime::subsample::{Batch, SubsampledPlate};
use doppl_runtime::value::Workspace;
use doppl_runtime::{Model, ModelError};
use rand::RngExt;
use rand::rngs::StdRng;

/// Where one of the guide's draws goes in the model's unconstrained vector.
#[derive(Clone, Debug)]
pub(super) struct Placement {
    pub site: &'static str,
    pub offset: usize,
    pub coordinate: Coordinate,
    /// The plate the guide draws the site on, if any.
    pub plate: Option<&'static str>,
    /// The number of values the site takes in the layout the density sees.
    pub len: usize,
}

/// The estimator: the guide, its parameters, and the model's density.
pub(super) struct GuideElbo<'g, G, D> {
    pub guide: &'g G,
    pub blocks: Vec<ParamBlock>,
    pub params: Vec<f64>,
    pub placements: Vec<Placement>,
    /// The placements' offsets, for a replay's weights ([`GuideHandler::weighing_draws`]).
    offsets: Vec<usize>,
    pub density: D,
    pub(super) noise: NoiseTape,
    /// Buffers for the guide body's vectors, lent to each run (the encoder's intermediate
    /// vectors of N duals would otherwise be allocated and freed at every replay).
    pub(super) workspace: Workspace,
    /// Per unconstrained coordinate: u, the model's gradient, dz/du, d ln|J|/du; then the
    /// weights of the surrogate.
    pub(super) u: Vec<f64>,
    g: Vec<f64>,
    pub(super) dz_du: Vec<f64>,
    pub(super) dlog_jac: Vec<f64>,
    w: Vec<f64>,
    /// How the surrogate is differentiated: plated blocks in shared lanes, or a lane each.
    pub lanes: GuideLanes,
    /// The plate-local surrogate gradient of the current particle, before weighting.
    pub(super) local_grad: Vec<f64>,
    /// The step's batch, when the guide subsamples the model's plates.
    pub(super) batching: Option<Batching>,
    /// The number of noises a draw on whole plates takes, known from the guide's recording
    /// run (blocked draws need them drawn in advance).
    pub(super) noise_len: Option<usize>,
    /// The replays' blocks of a large plate, when the guide declares it subsampled and
    /// steps see it whole ([`GuideElbo::replay_in_blocks`]).
    pub(super) replay_blocks: Option<ReplayBlocks>,
}

impl<'g, M: Model, G: Guide<Model = M>, D: LogDensity<Error = ModelError> + Batched>
    GuideElbo<'g, G, D>
{
    pub fn new(
        guide: &'g G,
        (blocks, params): (Vec<ParamBlock>, Vec<f64>),
        placements: Vec<Placement>,
        density: D,
    ) -> Self {
        let dim = density.dim();
        GuideElbo {
            guide,
            lanes: GuideLanes::of(&blocks, &placements),
            offsets: offsets_of(&placements),
            placements,
            density,
            noise: NoiseTape::new(0),
            workspace: Workspace::default(),
            u: vec![0.0; dim],
            g: vec![0.0; dim],
            dz_du: vec![0.0; dim],
            dlog_jac: vec![0.0; dim],
            w: vec![0.0; dim],
            local_grad: vec![0.0; params.len()],
            blocks,
            params,
            batching: None,
            noise_len: None,
            replay_blocks: None,
        }
    }

    /// Replays the guide in blocks of the one plate of `plates` (those it declares with
    /// `plate!(n, subsample = b)`) that it draws on and that has at least two blocks'
    /// worth of elements, on up to `threads.most()` threads, when steps see whole plates and the
    /// replays share lanes ([`super::replay_blocks`]). Nothing otherwise.
    pub fn replay_in_blocks(&mut self, plates: &[SubsampledPlate], threads: &BlockThreads) {
        let drawn = |p: &&SubsampledPlate| self.placements.iter().any(|d| d.plate == Some(p.plate));
        let large: Vec<_> = (plates.iter().filter(drawn))
            .filter(|p| p.population >= 2 * BLOCK_ELEMENTS)
            .collect();
        let ([plate], None, true) = (&large[..], &self.batching, self.lanes.is_plate_local())
        else {
            return;
        };
        let plate = **plate;
        let (plated, projections) = self.lanes.plated_and_projections();
        self.replay_blocks =
            ReplayBlocks::new(plate, self.params.len(), plated, projections, threads);
    }

    /// What a blocked replay reads.
    pub(super) fn replay_inputs(&self) -> ReplayInputs<'_, G> {
        ReplayInputs {
            guide: self.guide,
            blocks: &self.blocks,
            noise: &self.noise,
            offsets: &self.offsets,
            w: &self.w,
        }
    }

    /// Steps on minibatches: each estimate draws a batch of the subsampled plates, which
    /// the model and the guide both see; `placements` are the draws' places in the batch
    /// layout (the density must run on batches: [`ModelDensity::batched`]).
    ///
    /// [`ModelDensity::batched`]: crate::model_density::ModelDensity::batched
    pub fn on_batches(mut self, batching: Batching, placements: Vec<Placement>) -> Self {
        self.batching = Some(batching);
        self.offsets = offsets_of(&placements);
        self.placements = placements;
        self
    }

    /// The next draws use fresh noise from a stream seeded with `seed`.
    pub fn reseed(&mut self, seed: u64) {
        self.noise = NoiseTape::new(seed);
    }

    /// The unconstrained point of the last draw.
    pub fn point(&self) -> &[f64] {
        &self.u
    }

    /// One particle: its ELBO term, and `weight ×` its gradient added into `grad`.
    fn particle(&mut self, weight: f64, grad: &mut [f64]) -> Result<f64, ModelError> {
        let (log_q, log_jac) = self.draw()?;
        let log_p = self.density.logp_grad(&self.u, &mut self.g)?;
        for j in 0..self.w.len() {
            self.w[j] = (self.g[j] - self.dlog_jac[j]) / self.dz_du[j];
        }
        if self.lanes.is_plate_local() && self.plate_local_surrogate()? {
            for (g, l) in grad.iter_mut().zip(&self.local_grad) {
                *g += weight * l;
            }
        } else if self.params.len() <= NARROW {
            self.surrogate_chunk::<NARROW>(0, weight, grad)?;
        } else if self.params.len() > WIDE && self.params.len() <= FULL {
            self.surrogate_chunk::<FULL>(0, weight, grad)?;
        } else {
            for start in (0..self.params.len()).step_by(WIDE) {
                self.surrogate_chunk::<WIDE>(start, weight, grad)?;
            }
        }
        Ok(log_p - log_jac - log_q)
    }

    /// The surrogate's derivatives in parameters `start..start + W`.
    fn surrogate_chunk<const W: usize>(
        &mut self,
        start: usize,
        weight: f64,
        grad: &mut [f64],
    ) -> Result<(), ModelError> {
        let end = (start + W).min(self.params.len());
        let seeded: Vec<Dual<W>> = (self.params.iter().enumerate())
            .map(|(k, &p)| match k >= start && k < end {
                true => Dual::variable(p, k - start),
                false => Dual::constant(p),
            })
            .collect();
        let surrogate = self.replay().surrogate(&seeded, None)?;
        for (k, d) in grad[start..end].iter_mut().enumerate() {
            *d += weight * surrogate.eps[k];
        }
        Ok(())
    }

    /// The borrowed parts a replay of the guide needs.
    pub(super) fn replay(&mut self) -> Replay<'_, 'g, G> {
        Replay {
            guide: self.guide,
            blocks: &self.blocks,
            noise: &mut self.noise,
            workspace: &mut self.workspace,
            offsets: &self.offsets,
            w: &self.w,
            batch: self.batching.as_ref().map(|b| &b.batch),
        }
    }
}

/// What one replay of the guide on the recorded noise borrows.
pub(super) struct Replay<'r, 'g, G> {
    guide: &'g G,
    blocks: &'r [ParamBlock],
    noise: &'r mut NoiseTape,
    workspace: &'r mut Workspace,
    offsets: &'r [usize],
    w: &'r [f64],
    batch: Option<&'r Batch>,
}

/// Where each placed draw starts in the model's unconstrained layout.
fn offsets_of(placements: &[Placement]) -> Vec<usize> {
    placements.iter().map(|p| p.offset).collect()
}

impl<G: Guide> Replay<'_, '_, G> {
    /// The surrogate `Σᵢ wᵢ zᵢ − ln q` at the dual parameters `seeded`, on the noise of the
    /// last fresh draw. With `read_off` (the plated blocks' lanes and where their derivatives
    /// go), each plated draw's terms are read off per element and its plate's lanes cleared
    /// from the result ([`doppl_runtime::guide::PlatedLane`]).
    pub fn surrogate<const W: usize>(
        self,
        seeded: &[Dual<W>],
        read_off: Option<(&[PlatedLane], &mut [f64])>,
    ) -> Result<Dual<W>, ModelError> {
        self.noise.replay();
        let mut h = match read_off {
            Some((lanes, grad)) => {
                let off = GuideReadOff::new(lanes, grad, 1.0, self.batch);
                GuideHandler::reading_plate_local(self.blocks, seeded, self.noise, off)
            }
            None => GuideHandler::reading(self.blocks, seeded, self.noise),
        };
        h = h.weighing_draws(self.w, self.offsets);
        if let Some(batch) = self.batch {
            h = h.with_batch(batch);
        }
        let guide = self.guide;
        self.workspace
            .lend(|| model_quietly(|| guide.run(&mut h)))?;
        Ok(-h.log_q + h.weighted_draws())
    }
}

/// Lanes per replay of a guide with few parameters.
pub(super) const NARROW: usize = 16;
/// Lanes per plate-local replay of a guide with 17 to 20 lanes to seed: the CEVAE guide's
/// 19 (two plated blocks, one projected encoder, 16 other parameters). A replay streams
/// vectors of `N` duals through memory, so unused lanes cost time in proportion: the CEVAE
/// step ran 175 steps/s with 32 lanes, 203 with 24 and 217 with 20, where instruction counts
/// moved by 2% (BENCHMARKS.md).
pub(super) const MEDIUM: usize = 20;
/// Lanes per replay of a guide with 21 to 32 parameters to seed, or more than [`FULL`]. A replay's
/// cost is a part that does not depend on the lanes (the values, the transcendental
/// functions, a network's `f64` pass) and a part proportional to them; on the CEVAE
/// example's guide (95 parameters) 32 lanes took 15% fewer instructions than 16 and 5% fewer
/// than 48 (BENCHMARKS.md).
pub(super) const WIDE: usize = 32;
/// Lanes of the single replay of a guide with more than [`WIDE`] and at most `FULL`
/// parameters to seed: one replay of 56 lanes cost 15% fewer instructions than two of 32 on
/// the CEVAE example's guide (2 plated blocks and 53 other parameters; BENCHMARKS.md).
pub(super) const FULL: usize = 56;

impl<M: Model, G: Guide<Model = M>, D: LogDensity<Error = ModelError> + Batched> ElboEstimator
    for GuideElbo<'_, G, D>
{
    fn params_mut(&mut self) -> &mut [f64] {
        &mut self.params
    }
    fn estimate(
        &mut self,
        particles: usize,
        rng: &mut StdRng,
        grad: &mut [f64],
    ) -> Result<Option<f64>, ModelError> {
        grad.fill(0.0);
        if let Some(b) = &mut self.batching {
            b.next(rng);
            // `on_batches` is given a batched density: the model sees the guide's batch.
            if let Some(density_batch) = self.density.batch_mut() {
                density_batch.clone_from(&b.batch);
            }
        }
        self.reseed(rng.random());
        let weight = 1.0 / particles as f64;
        let mut value = 0.0;
        for _ in 0..particles {
            value += weight * self.particle(weight, grad)?;
        }
        let finite = value.is_finite() && grad.iter().all(|g| g.is_finite());
        Ok(finite.then_some(value))
    }
}
