//! How a custom guide's surrogate is differentiated: plated `param!`s in one shared lane
//! per block ([`doppl_runtime::guide::PlatedLane`]), the other parameters in chunks.
//!
//! A step then replays the guide `⌈G / (W − k)⌉` times for `G` unplated parameters and `k`
//! plated blocks, whatever the plate's size (`W` = 16 lanes when `G + k ≤ 16`, 56 (one
//! replay) when `32 < G + k ≤ 56`, else 32),
//! instead of once per `W` parameters (a guide with a location and a scale per unit replayed
//! N/8 times, O(N²) per step). A guide that mixes
//! a plated block's elements is differentiated densely instead, and says so once: a lane
//! that leaks out of its plate is seen in the surrogate's total, a term of element `i` that
//! reads element `j` by two directional derivatives checked against the read-off gradient on
//! the first step.

use super::batches::Batched;
use super::elbo::{FULL, GuideElbo, MEDIUM, NARROW, Placement, WIDE};
use crate::density::LogDensity;
use doppl_runtime::gradient::MIN_PROJECTED_LEN;
use doppl_runtime::guide::{Guide, GuideProjections, ParamBlock, PlatedLane};
use doppl_runtime::scalar::Dual;
use doppl_runtime::{Model, ModelError};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use std::ops::Range;

/// How the gradient of a custom guide's ELBO in its parameters is computed.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum GuideGradientMode {
    /// Every parameter has its own lane: one replay of 16, 32 or 56 lanes when they fit,
    /// else chunks of 32 (no plated `param!`s).
    Chunked,
    /// The elements of each plated `param!` share a lane; derivatives are read off per
    /// element.
    PlateLocal {
        /// The plated parameters.
        params: Vec<&'static str>,
    },
    /// The guide has plated parameters but mixes their elements (or has too many plated
    /// blocks for the lanes): every parameter gets its own lane (correct, O(N) slower).
    DenseFallback {
        /// What was found.
        reason: String,
    },
}

/// The lanes of a guide's replays.
#[derive(Clone, Debug)]
pub struct GuideLanes {
    /// The mode in use.
    pub mode: GuideGradientMode,
    plated: Vec<PlatedLane>,
    /// Where the blocks of weights on a plate of their own start in `plated`: networks
    /// reading them are projected on their lanes.
    projected_from: usize,
    pub(super) projections: GuideProjections,
    /// Blocks of weights kept out of the projections (a network that could not be
    /// projected read them, or something else did).
    global: Vec<&'static str>,
    /// The coordinates of the unplated parameters.
    globals: Vec<usize>,
    /// Lanes per replay: [`NARROW`], [`MEDIUM`], [`FULL`] or [`WIDE`].
    width: usize,
    /// Whether the read-off has been checked against directional derivatives.
    verified: bool,
}

impl GuideLanes {
    /// The lanes for parameter blocks `blocks`: [`NARROW`] or [`MEDIUM`] per replay when
    /// the plated blocks and the other parameters fit in that many, [`FULL`] when they fit
    /// in that many but not in [`WIDE`], else [`WIDE`]. A block shares a lane if it is on a
    /// plate the guide draws a site on (`placements`), or if it is a vector of at least
    /// [`MIN_PROJECTED_LEN`] weights on a plate of its own (`param!(init, plate!(k))`, an
    /// encoder's): a network reading it is projected on its lane ([`GuideProjections`]).
    pub fn of(blocks: &[ParamBlock], placements: &[Placement]) -> Self {
        Self::keeping_global(blocks, placements, Vec::new())
    }

    /// [`GuideLanes::of`] with the blocks named in `global` given a lane per element.
    fn keeping_global(
        blocks: &[ParamBlock],
        placements: &[Placement],
        global: Vec<&'static str>,
    ) -> Self {
        let drawn = |plate: &str| placements.iter().any(|p| p.plate == Some(plate));
        let local = |b: &ParamBlock| b.plate.filter(|p| drawn(p));
        let own = |b: &ParamBlock| {
            let weights = b.len >= MIN_PROJECTED_LEN && !global.contains(&b.name);
            b.plate.filter(|p| !drawn(p) && weights)
        };
        let shared = (blocks.iter().filter_map(|b| Some((b, local(b)?))))
            .chain(blocks.iter().filter_map(|b| Some((b, own(b)?))));
        let plated: Vec<PlatedLane> = shared
            .enumerate()
            .map(|(lane, (b, plate))| PlatedLane {
                plate,
                offset: b.offset,
                len: b.len,
                lane,
            })
            .collect();
        let projected_from = blocks.iter().filter(|b| local(b).is_some()).count();
        let unshared = |b: &&ParamBlock| local(b).is_none() && own(b).is_none();
        let globals: Vec<usize> = (blocks.iter().filter(unshared))
            .flat_map(|b| b.offset..b.offset + b.len)
            .collect();
        let width = match globals.len() + plated.len() {
            n if n <= NARROW => NARROW,
            n if n <= MEDIUM => MEDIUM,
            n if n > WIDE && n <= FULL => FULL,
            _ => WIDE,
        };
        let names = || (blocks.iter().filter(|b| local(b).or(own(b)).is_some())).map(|b| b.name);
        let mode = match plated.len() {
            0 => GuideGradientMode::Chunked,
            k if k < width => GuideGradientMode::PlateLocal {
                params: names().collect(),
            },
            k => GuideGradientMode::DenseFallback {
                reason: format!("{k} plated parameters need more than the {width} lanes"),
            },
        };
        GuideLanes {
            mode,
            projections: GuideProjections::new(&plated[projected_from..]),
            plated,
            projected_from,
            global,
            globals,
            width,
            verified: false,
        }
    }

    /// The plated blocks' lanes, and the networks that may be projected.
    pub(super) fn plated_and_projections(&self) -> (&[PlatedLane], &GuideProjections) {
        (&self.plated, &self.projections)
    }

    /// Lanes per replay.
    pub(super) fn width(&self) -> usize {
        self.width
    }

    /// Whether replays share lanes.
    pub fn is_plate_local(&self) -> bool {
        matches!(self.mode, GuideGradientMode::PlateLocal { .. })
    }

    /// Gives up the shared lanes for the rest of the fit, saying why once.
    fn fall_back(&mut self, guide: &'static str, reason: String) {
        log::warn!(
            target: "doppl::svi",
            "guide `{guide}`: {reason}; every parameter gets its own lane from now on \
             (correct, slower)"
        );
        self.mode = GuideGradientMode::DenseFallback { reason };
    }
}

/// The dual parameters of one replay: the plated blocks in their lanes (when `plated`),
/// the unplated coordinates `globals` in lanes `first`, `first + 1`, …; the rest constant.
pub(super) fn seed<const W: usize>(
    params: &[f64],
    plated: &[PlatedLane],
    globals: &[usize],
    first: usize,
) -> Vec<Dual<W>> {
    let mut seeded: Vec<Dual<W>> = params.iter().map(|&p| Dual::constant(p)).collect();
    for l in plated {
        for d in &mut seeded[l.offset..l.offset + l.len] {
            d.eps[l.lane] = 1.0;
        }
    }
    for (j, &i) in globals.iter().enumerate() {
        seeded[i].eps[first + j] = 1.0;
    }
    seeded
}

impl<M: Model, G: Guide<Model = M>, D: LogDensity<Error = ModelError> + Batched>
    GuideElbo<'_, G, D>
{
    /// The surrogate's gradient into `local_grad` with plated blocks in shared lanes. False
    /// (and dense from now on) when the guide turns out to mix a plate's elements.
    pub(super) fn plate_local_surrogate(&mut self) -> Result<bool, ModelError> {
        let globals = std::mem::take(&mut self.lanes.globals);
        let plated = std::mem::take(&mut self.lanes.plated);
        let result = match self.replay_blocks.is_some() {
            true => self.blocked_passes(&plated, &globals),
            false => self.whole_passes(&plated, &globals),
        };
        (self.lanes.globals, self.lanes.plated) = (globals, plated);
        let leaked = match result? {
            None => return self.verify_once(),
            Some(lane) => lane,
        };
        let param = self.lanes.plated[leaked].offset;
        let name = (self.blocks.iter().find(|b| b.offset == param)).map_or("?", |b| b.name);
        if leaked >= self.lanes.projected_from {
            // Weights no projected network took in: a lane each from now on (this step
            // densely), as before projections.
            let mut global = std::mem::take(&mut self.lanes.global);
            global.push(name);
            self.lanes = GuideLanes::keeping_global(&self.blocks, &self.placements, global);
            if let Some(blocks) = &mut self.replay_blocks {
                blocks.reset_projections(&self.lanes.projections);
            }
            return Ok(false);
        }
        let reason = format!("plated parameter `{name}` is mixed across its plate");
        self.lanes.fall_back(G::NAME, reason);
        Ok(false)
    }

    /// The passes of [`Self::plate_local_surrogate`] on whole plates, at the lanes' width.
    pub(super) fn whole_passes(
        &mut self,
        plated: &[PlatedLane],
        globals: &[usize],
    ) -> Result<Option<usize>, ModelError> {
        match self.lanes.width {
            NARROW => self.plate_local_passes::<NARROW>(plated, globals),
            MEDIUM => self.plate_local_passes::<MEDIUM>(plated, globals),
            FULL => self.plate_local_passes::<FULL>(plated, globals),
            _ => self.plate_local_passes::<WIDE>(plated, globals),
        }
    }

    /// The passes of [`Self::plate_local_surrogate`]: the plated lanes in the first, with
    /// the first chunk of unplated parameters; the rest of them after. Returns the lane of a
    /// plated block found outside its plate's sums.
    fn plate_local_passes<const W: usize>(
        &mut self,
        plated: &[PlatedLane],
        globals: &[usize],
    ) -> Result<Option<usize>, ModelError> {
        self.local_grad.fill(0.0);
        let k = plated.len();
        let chunk = W - k;
        // One pass at least, for the plated lanes of a guide without unplated parameters.
        let blocks = globals
            .chunks(chunk)
            .chain(globals.is_empty().then_some(&[][..]));
        for (pass, block) in blocks.enumerate() {
            let first = pass == 0;
            let seeded = seed::<W>(&self.params, if first { plated } else { &[] }, block, k);
            let total = if first {
                // The lanes past the seeded ones take a projected network's further outputs.
                let total = self.whole_read_off_pass(&seeded, plated, k + block.len()..W)?;
                if (0..k).any(|l| !total.eps[l].is_finite()) {
                    // A non-finite derivative: the step is skipped, not differentiated again.
                    self.local_grad.fill(f64::NAN);
                    return Ok(None);
                }
                let leaked = (0..k).find(|&l| total.eps[l] != 0.0);
                if leaked.is_some() {
                    return Ok(leaked);
                }
                total
            } else {
                self.replay().surrogate(&seeded, None)?
            };
            for (j, &i) in block.iter().enumerate() {
                self.local_grad[i] += total.eps[k + j];
            }
        }
        Ok(None)
    }

    /// The replay that reads off the plated lanes into `local_grad` (zero before); a
    /// projected network's further outputs on `spare`.
    fn whole_read_off_pass<const W: usize>(
        &mut self,
        seeded: &[Dual<W>],
        plated: &[PlatedLane],
        spare: Range<usize>,
    ) -> Result<Dual<W>, ModelError> {
        // The read-off writes into `local_grad` while the replay borrows the rest.
        let mut local = std::mem::take(&mut self.local_grad);
        let mut projections = std::mem::take(&mut self.lanes.projections);
        let total = projections.lend(spare, || {
            self.replay().surrogate(seeded, Some((plated, &mut local)))
        });
        projections.flush(&mut local);
        self.lanes.projections = projections;
        self.local_grad = local;
        total
    }

    /// On the first plate-local step: the read-off gradient against two directional
    /// derivatives of the surrogate along random directions (one replay each, every
    /// parameter seeded in lane 0). A disagreement means a plated term reads another
    /// element of its block: dense from then on.
    fn verify_once(&mut self) -> Result<bool, ModelError> {
        if self.lanes.verified {
            return Ok(true);
        }
        if self.local_grad.iter().any(|g| !g.is_finite()) {
            // Checked on the first step whose gradient is finite.
            return Ok(true);
        }
        let mut rng = StdRng::seed_from_u64(0x6775_6964_6521);
        for _ in 0..2 {
            let v: Vec<f64> = (0..self.params.len())
                .map(|_| rng.random_range(-1.0..1.0))
                .collect();
            let seeded: Vec<Dual<NARROW>> = (self.params.iter().zip(&v))
                .map(|(&p, &vi)| {
                    let mut d = Dual::constant(p);
                    d.eps[0] = vi;
                    d
                })
                .collect();
            let directional = self.replay().surrogate(&seeded, None)?.eps[0];
            let terms = self.local_grad.iter().zip(&v).map(|(g, vi)| g * vi);
            let (read_off, size) = terms.fold((0.0, 0.0), |(s, a), t| (s + t, a + t.abs()));
            let tolerance = 1e-7 * (1.0 + size + directional.abs());
            // Not `>`: a NaN on either side must fail the check.
            let agree = (directional - read_off).abs() <= tolerance;
            if !agree {
                let reason = format!(
                    "a plated parameter's element reaches other elements' terms (directional \
                     derivative {directional:.6e}, read off {read_off:.6e})"
                );
                self.lanes.fall_back(G::NAME, reason);
                return Ok(false);
            }
        }
        self.lanes.verified = true;
        Ok(true)
    }
}
