//! [`GuideHandler`]: what a `#[guide]` body's `param!` and `sample!` statements call.

use super::local::GuideReadOff;
use super::param::{ParamBlock, ParamInit, ParamShape};
use super::{ParamConstraint, ParamProblem};
use crate::dist::{DistError, GuideShape, Reparameterized};
use crate::error::ModelError;
use crate::gradient::{LocalTangents, NoLocals};
use crate::plate::Plate;
use crate::scalar::Scalar;
use crate::subsample::{Batch, SubsampledPlate, checked_batch};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Distribution as _, StandardNormal};
use std::ops::Range;

/// The standard normal noises of one draw from a guide, kept so that the same draw can be
/// replayed with dual numbers (the pathwise gradient differentiates the draw at fixed noise).
#[derive(Debug)]
pub struct NoiseTape {
    values: Vec<f64>,
    cursor: usize,
    fresh: bool,
    rng: StdRng,
}

impl NoiseTape {
    /// A tape drawing from a stream seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        NoiseTape {
            values: Vec::new(),
            cursor: 0,
            fresh: false,
            rng: StdRng::seed_from_u64(seed),
        }
    }
    /// The next run draws new noises.
    pub fn draw_fresh(&mut self) {
        self.values.clear();
        (self.cursor, self.fresh) = (0, true);
    }
    /// The next run draws new noises, `len` of them drawn now: the same noises as drawn
    /// one at a time by the run, there before it starts (for a run in blocks, each
    /// reading its slice of them, on several threads).
    pub fn draw_fresh_ahead(&mut self, len: usize) {
        self.draw_fresh();
        let rng = &mut self.rng;
        let ahead = (0..len).map(|_| -> f64 { StandardNormal.sample(rng) });
        self.values.extend(ahead);
    }
    /// The next run replays the noises of the last fresh run.
    pub fn replay(&mut self) {
        (self.cursor, self.fresh) = (0, false);
    }
    /// The noises drawn so far, in order.
    pub fn values(&self) -> &[f64] {
        &self.values
    }
    /// The next replay reads the noises of `tape`'s last fresh run (a copy, for a replay
    /// on another thread), reusing this tape's buffer.
    pub fn replay_of(&mut self, tape: &NoiseTape) {
        self.values.clone_from(&tape.values);
        self.replay();
    }
    /// In a replay on a block of a plate's elements (`block` of `population`, one noise
    /// each): the block's noises among the whole plate's, which are all passed over.
    fn take_block(&mut self, block: Range<usize>, population: usize) -> Option<&[f64]> {
        let whole = self.cursor + population;
        if self.fresh || whole > self.values.len() || block.end > population {
            return None;
        }
        let start = self.cursor + block.start;
        self.cursor = whole;
        Some(&self.values[start..start + block.len()])
    }
    fn take(&mut self, n: usize) -> Option<&[f64]> {
        let end = self.cursor + n;
        if end > self.values.len() {
            if !self.fresh {
                return None;
            }
            let rng = &mut self.rng;
            let more = (self.values.len()..end).map(|_| -> f64 { StandardNormal.sample(rng) });
            self.values.extend(more);
        }
        let slice = &self.values[self.cursor..end];
        self.cursor = end;
        Some(slice)
    }
}

/// One site a guide drew: its name and its reals in order.
#[derive(Clone, Debug, PartialEq)]
pub struct GuideDraw<S> {
    /// The site.
    pub site: &'static str,
    /// The drawn values (constrained: the site's support).
    pub values: Vec<S>,
    /// The plate, for a draw per element.
    pub plate: Option<&'static str>,
}

/// Where the `param!`s come from: recorded with their initial values on the first run,
/// read from the flat vector afterwards.
enum Params<'a, S> {
    Recording {
        blocks: &'a mut Vec<ParamBlock>,
        init: &'a mut Vec<f64>,
    },
    Reading {
        blocks: &'a [ParamBlock],
        phi: &'a [S],
    },
}

/// The effect handler of a guide body: `param!` reads a variational parameter, `sample!`
/// draws a site by reparameterization and adds its `ln q`.
pub struct GuideHandler<'a, S> {
    params: Params<'a, S>,
    next_param: usize,
    noise: &'a mut NoiseTape,
    /// The sites drawn, in program order.
    pub draws: Vec<GuideDraw<S>>,
    /// `ln q` of the draws.
    pub log_q: S,
    /// Where the per-element derivatives of plated `ln q` terms go, in a plate-local replay.
    read_off: Option<GuideReadOff<'a>>,
    /// The elements of the subsampled plates this step sees (an SVI step on minibatches).
    batch: Option<&'a Batch>,
    /// The plates the body declared with `plate!(n, subsample = b)`, with `b`.
    pub subsampled: Vec<SubsampledPlate>,
    /// In a replay for the surrogate: the draws' weights, applied as each site is drawn.
    weights: Option<DrawWeights<'a, S>>,
}

/// The weights `w` of a replay's surrogate `Σ wᵢ zᵢ`: the `k`-th draw's reals are weighted
/// by `w[offsets[k]..]` and summed as they are drawn, so that a plate's draws of `N` duals
/// need not be copied and kept until the body has run.
struct DrawWeights<'a, S> {
    w: &'a [f64],
    offsets: &'a [usize],
    sum: S,
}

/// Where a draw's reals are, for its weights: its plate, the elements of the plate a
/// block replay draws, and how often its terms count (0: not in this block).
struct Placed {
    plate: Option<&'static str>,
    block: Option<Range<usize>>,
    weight: f64,
}

impl<S: Scalar> DrawWeights<'_, S> {
    /// Adds draw `k`'s weighted reals; `None` if the body drew more sites, or more values,
    /// than the layout the weights were made for.
    fn weigh(
        &mut self,
        k: usize,
        reals: &[S],
        at: Placed,
        read_off: Option<&mut GuideReadOff<'_>>,
    ) -> Option<()> {
        let mut offset = *self.offsets.get(k)?;
        if let Some(block) = at.block {
            // The block's reals among the whole plate's (the weights are the whole's; an
            // empty block has none).
            offset += block.start * reals.len().checked_div(block.len()).unwrap_or(0);
        }
        let w = self.w.get(offset..offset + reals.len())?;
        if at.weight == 0.0 {
            // A term off the block's plate, counted in the first block only.
            return Some(());
        }
        self.sum += match (read_off, at.plate) {
            (Some(off), Some(plate)) => off.weighted_draws(plate, reals, w),
            _ => (reals.iter().zip(w)).fold(S::zero(), |sum, (z, &wi)| sum.add_scaled(wi, *z)),
        };
        Some(())
    }
}

impl<'a, S: Scalar> GuideHandler<'a, S> {
    /// A run that records the `param!`s (their blocks and unconstrained initial values).
    pub fn recording(
        blocks: &'a mut Vec<ParamBlock>,
        init: &'a mut Vec<f64>,
        noise: &'a mut NoiseTape,
    ) -> Self {
        blocks.clear();
        init.clear();
        Self::with(Params::Recording { blocks, init }, noise)
    }
    /// A run at the unconstrained variational parameters `phi`, laid out as `blocks`.
    pub fn reading(blocks: &'a [ParamBlock], phi: &'a [S], noise: &'a mut NoiseTape) -> Self {
        Self::with(Params::Reading { blocks, phi }, noise)
    }
    /// A replay at `phi` whose plated blocks share lanes (see [`GuideReadOff`](super::GuideReadOff)): each plated
    /// draw's `ln q` terms are read off into `read_off` and cleared from [`Self::log_q`].
    pub fn reading_plate_local(
        blocks: &'a [ParamBlock],
        phi: &'a [S],
        noise: &'a mut NoiseTape,
        read_off: GuideReadOff<'a>,
    ) -> Self {
        let mut h = Self::with(Params::Reading { blocks, phi }, noise);
        h.read_off = Some(read_off);
        h
    }
    fn with(params: Params<'a, S>, noise: &'a mut NoiseTape) -> Self {
        GuideHandler {
            params,
            next_param: 0,
            noise,
            draws: Vec::new(),
            log_q: S::zero(),
            read_off: None,
            batch: None,
            subsampled: Vec::new(),
            weights: None,
        }
    }

    /// A replay for the surrogate `Σ wᵢ zᵢ − ln q`: the `k`-th site's reals are weighted by
    /// `w[offsets[k]..]` and summed as they are drawn ([`Self::weighted_draws`]); the
    /// [`Self::draws`] keep the sites and plates but not the values.
    pub fn weighing_draws(mut self, w: &'a [f64], offsets: &'a [usize]) -> Self {
        self.weights = Some(DrawWeights {
            w,
            offsets,
            sum: S::zero(),
        });
        self
    }

    /// `Σ wᵢ zᵢ` over the draws so far of a replay made by [`Self::weighing_draws`] (zero
    /// otherwise), each plated draw's terms read off per element when the replay reads off.
    pub fn weighted_draws(&self) -> S {
        self.weights.as_ref().map_or(S::zero(), |w| w.sum)
    }

    /// The run sees `batch`'s elements of the plates the body subsamples.
    pub fn with_batch(mut self, batch: &'a Batch) -> Self {
        self.batch = Some(batch);
        self
    }

    /// `plate!(n, subsample = b)`: the plate as this run sees it (the step's batch, or the
    /// whole plate outside a minibatch step).
    pub fn subsample(&mut self, plate: Plate, batch: usize) -> Result<Plate, ModelError> {
        self.subsampled.push(checked_batch(plate, batch)?);
        match self.batch {
            Some(b) => b.plate(plate),
            None => Ok(plate),
        }
    }

    /// The elements of `plate` this run sees, if it runs on a batch of them.
    pub fn batch(&self, plate: &str) -> Option<&[usize]> {
        self.batch.and_then(|b| b.indices(plate))
    }

    /// The read-off of a plate-local replay, for the caller's own plate sums.
    pub fn read_off(&mut self) -> Option<&mut GuideReadOff<'a>> {
        self.read_off.as_mut()
    }

    /// `let name = param!(init, constraint = c, plate);`
    pub fn param<P: ParamShape<S>>(
        &mut self,
        name: &'static str,
        init: impl Into<ParamInit>,
        constraint: ParamConstraint,
        shape: P,
    ) -> Result<P::Value, ModelError> {
        let len = shape.size();
        let fail = |problem| ModelError::GuideParam {
            param: name,
            problem: Box::new(problem),
        };
        let k = self.next_param;
        self.next_param += 1;
        match &mut self.params {
            Params::Recording { blocks, init: all } => {
                let init = init.into();
                let values = init.values(len).ok_or_else(|| {
                    fail(ParamProblem::Length {
                        expected: len,
                        found: init.given_len(),
                    })
                })?;
                let offset = all.len();
                for (index, &value) in values.iter().enumerate() {
                    let u = constraint.unconstrain(value).ok_or_else(|| {
                        fail(ParamProblem::OutsideConstraint {
                            index,
                            value,
                            constraint,
                        })
                    })?;
                    all.push(u);
                }
                blocks.push(ParamBlock {
                    name,
                    offset,
                    len,
                    constraint,
                    plate: shape.plate(),
                });
                Ok(shape.build(values.into_iter().map(S::from_f64)))
            }
            Params::Reading { blocks, phi } => {
                let whole = shape.population();
                let block = blocks.get(k).filter(|b| b.name == name && b.len == whole);
                let block = block.ok_or_else(|| fail(ParamProblem::Changed))?;
                let reals = &phi[block.offset..block.offset + whole];
                let constrained = |&u: &S| constraint.constrain(u);
                // On a batch, the batch's elements of the plate's parameters.
                match (shape.plate(), self.batch) {
                    (Some(plate), Some(batch)) if len < whole => {
                        let indices = batch.indices(plate).unwrap_or_default();
                        Ok(shape.build(indices.iter().map(|&i| constrained(&reals[i]))))
                    }
                    _ => Ok(shape.build(reals.iter().map(constrained))),
                }
            }
        }
    }

    /// `let site = sample!(dist, plate);`: a draw by reparameterization.
    pub fn sample<D: Reparameterized<S>, P: GuideShape<S, D>>(
        &mut self,
        site: &'static str,
        dist: Result<D, DistError>,
        shape: P,
    ) -> Result<P::Value, ModelError> {
        let at_site = |e| ModelError::at_site(site, e);
        let d = dist.map_err(at_site)?;
        let plate = GuideShape::<S, D>::plate(shape);
        let block = plate.and_then(|p| self.batch?.block(p));
        // A plate's draw takes one noise per element.
        let noise = match block.clone() {
            Some((block, population)) if shape.noise_len() == block.len() => {
                self.noise.take_block(block, population)
            }
            Some(_) => None,
            None => self.noise.take(shape.noise_len()),
        };
        let noise = noise.ok_or_else(|| changed_guide(site))?;
        let value = shape.draw(&d, noise).map_err(at_site)?;
        // The batch's terms count population / batch times: an unbiased estimate of ln q.
        // In a block of a whole replay, the block's terms count once and the others in the
        // first block only ([`Batch::term_weight`]).
        let weight = match self.batch {
            Some(b) if b.is_block() => b.term_weight(plate),
            _ => GuideShape::<S, D>::weight(shape),
        };
        let log_q = match (&mut self.read_off, plate) {
            (Some(off), Some(plate)) => {
                plate_log_q(shape, &d, &value, noise, &mut off.on_plate(plate, -weight))
            }
            (_, Some(_)) => plate_log_q(shape, &d, &value, noise, &mut NoLocals),
            _ => shape.log_prob(&d, &value, &mut NoLocals),
        };
        self.log_q += log_q.map_err(at_site)? * weight;
        let reals = P::reals(&value);
        let values = match &mut self.weights {
            Some(weights) => {
                let k = self.draws.len();
                let at = Placed {
                    plate,
                    block: block.map(|(b, _)| b),
                    weight,
                };
                weights
                    .weigh(k, reals, at, self.read_off.as_mut())
                    .ok_or_else(|| changed_guide(site))?;
                Vec::new()
            }
            None => reals.to_vec(),
        };
        self.draws.push(GuideDraw {
            site,
            values,
            plate,
        });
        Ok(value)
    }
}

/// The error of a guide body that drew other sites, or other shapes, than in its first run.
pub fn changed_guide(site: &'static str) -> ModelError {
    ModelError::GuideParam {
        param: site,
        problem: Box::new(ParamProblem::Changed),
    }
}

/// ln q of a plate's draws: in closed form in the noise when the family has one, else its
/// density at the drawn values; each element's term shown to `locals`.
fn plate_log_q<S: Scalar, D: Reparameterized<S>, P: GuideShape<S, D>, L: LocalTangents<S>>(
    shape: P,
    d: &D,
    value: &P::Value,
    noise: &[f64],
    locals: &mut L,
) -> Result<S, DistError> {
    match d.log_prob_of_draws(noise, locals) {
        Some(closed_form) => Ok(closed_form),
        None => shape.log_prob(d, value, locals),
    }
}
