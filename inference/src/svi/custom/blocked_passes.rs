//! The surrogate's passes of a guide replayed in blocks ([`super::replay_blocks`]).
//!
//! Two ways, the first that gives the whole replay's gradient on the first step is kept:
//! - *Globals off the plate.* Most guides' unplated parameters (a location and a scale per
//!   global site) reach no term of the plate. Then the pass over the blocks seeds only the
//!   plated lanes, at [`PLATE_LANES`] lanes instead of the lanes' full width (the CEVAE
//!   guide: 8 lanes instead of 20, where each lane costs time on every unit), and the
//!   unplated parameters are differentiated by replays on an empty block (the terms off the
//!   plate only), which cost next to nothing.
//! - *Globals on the plate* (a scale shared by the units' draws): every pass of
//!   [`GuideElbo::whole_passes`] runs over the blocks.
//!
//! If neither agrees with the whole passes, the blocks are dropped.

use super::batches::Batched;
use super::elbo::{FULL, GuideElbo, MEDIUM, NARROW, WIDE};
use super::lanes::seed;
use super::replay_blocks::{Pass, ReplayBlocks};
use crate::density::LogDensity;
use doppl_runtime::guide::{Guide, PlatedLane};
use doppl_runtime::{Model, ModelError};

/// Lanes of the pass over the blocks when the unplated parameters stay off the plate: the
/// plated blocks' and spare ones for a projected network's further outputs.
const PLATE_LANES: usize = 8;

/// Where a guide's unplated parameters are differentiated, in blocks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Globals {
    /// On an empty block: they reach no term of the plate.
    OffPlate,
    /// In every pass over the blocks.
    OnPlate,
}

impl<M: Model, G: Guide<Model = M>, D: LogDensity<Error = ModelError> + Batched>
    GuideElbo<'_, G, D>
{
    /// [`GuideElbo::whole_passes`] in blocks; on the first step whose whole passes are
    /// finite, each way of [`Globals`] is compared with them and the first that agrees is
    /// kept (the blocks are dropped if none does).
    pub(super) fn blocked_passes(
        &mut self,
        plated: &[PlatedLane],
        globals: &[usize],
    ) -> Result<Option<usize>, ModelError> {
        let mut blocks = self.replay_blocks.take().expect("called with blocks");
        if let Some(way) = blocks.globals {
            let result = self.passes_in_blocks(&mut blocks, way, plated, globals);
            self.replay_blocks = Some(blocks);
            return result;
        }
        let whole = self.whole_passes(plated, globals);
        if !matches!(whole, Ok(None)) || self.local_grad.iter().any(|g| !g.is_finite()) {
            // Compared on a later step.
            self.replay_blocks = Some(blocks);
            return whole;
        }
        let expected = self.local_grad.clone();
        // The plated blocks and a network's spare lanes in one narrow replay, or not.
        let off_plate_fits = plated.len() + 2 <= NARROW;
        let ways = [Globals::OffPlate, Globals::OnPlate];
        for way in ways
            .into_iter()
            .filter(|&w| off_plate_fits || w == Globals::OnPlate)
        {
            let found = self.passes_in_blocks(&mut blocks, way, plated, globals);
            if matches!(found, Ok(None)) && close(&self.local_grad, &expected) {
                blocks.globals = Some(way);
                self.replay_blocks = Some(blocks);
                return Ok(None);
            }
        }
        log::debug!(
            target: "doppl::svi",
            "guide `{}`: its replay in blocks differs from the whole replay; replaying whole \
             plates",
            G::NAME
        );
        self.local_grad = expected;
        whole
    }

    /// The passes in blocks, `way`: the surrogate's gradient into `local_grad`; the lane of
    /// a plated block found outside its plate's sums, if any.
    fn passes_in_blocks(
        &mut self,
        blocks: &mut ReplayBlocks,
        way: Globals,
        plated: &[PlatedLane],
        globals: &[usize],
    ) -> Result<Option<usize>, ModelError> {
        self.local_grad.fill(0.0);
        let k = plated.len();
        match way {
            Globals::OffPlate if k + 2 <= PLATE_LANES => {
                self.off_plate_passes::<PLATE_LANES>(blocks, plated, globals)
            }
            Globals::OffPlate => self.off_plate_passes::<NARROW>(blocks, plated, globals),
            Globals::OnPlate => match self.lanes.width() {
                NARROW => self.on_plate_passes::<NARROW>(blocks, plated, globals),
                MEDIUM => self.on_plate_passes::<MEDIUM>(blocks, plated, globals),
                FULL => self.on_plate_passes::<FULL>(blocks, plated, globals),
                _ => self.on_plate_passes::<WIDE>(blocks, plated, globals),
            },
        }
    }

    /// [`Globals::OffPlate`]: the plated lanes over the blocks in `W` lanes (at least two
    /// more than the plated blocks: a network's spare ones), the unplated
    /// parameters [`NARROW`] at a time on an empty block.
    fn off_plate_passes<const W: usize>(
        &mut self,
        blocks: &mut ReplayBlocks,
        plated: &[PlatedLane],
        globals: &[usize],
    ) -> Result<Option<usize>, ModelError> {
        if let Some(leaked) = self.read_off_in_blocks::<W>(blocks, plated, &[])? {
            return Ok(Some(leaked));
        }
        for chunk in globals.chunks(NARROW) {
            let seeded = seed::<NARROW>(&self.params, &[], chunk, 0);
            let total = blocks.off_plate(&self.replay_inputs(), &seeded)?;
            for (j, &i) in chunk.iter().enumerate() {
                self.local_grad[i] += total.eps[j];
            }
        }
        Ok(None)
    }

    /// [`Globals::OnPlate`]: [`GuideElbo::whole_passes`]' passes, each over the blocks.
    fn on_plate_passes<const W: usize>(
        &mut self,
        blocks: &mut ReplayBlocks,
        plated: &[PlatedLane],
        globals: &[usize],
    ) -> Result<Option<usize>, ModelError> {
        let k = plated.len();
        let mut chunks = globals.chunks(W - k);
        let first = chunks.next().unwrap_or(&[]);
        if let Some(leaked) = self.read_off_in_blocks::<W>(blocks, plated, first)? {
            return Ok(Some(leaked));
        }
        for chunk in chunks {
            let seeded = seed::<W>(&self.params, &[], chunk, k);
            let pass = Pass {
                seeded: &seeded,
                read_off: None,
            };
            let total = blocks.surrogate(&self.replay_inputs(), &pass, &mut [])?;
            for (j, &i) in chunk.iter().enumerate() {
                self.local_grad[i] += total.eps[k + j];
            }
        }
        Ok(None)
    }

    /// The pass over the blocks that reads off the plated lanes, with the unplated
    /// parameters `first` seeded after them: into `local_grad`; a leaked plated lane, if any.
    fn read_off_in_blocks<const W: usize>(
        &mut self,
        blocks: &mut ReplayBlocks,
        plated: &[PlatedLane],
        first: &[usize],
    ) -> Result<Option<usize>, ModelError> {
        let k = plated.len();
        let seeded = seed::<W>(&self.params, plated, first, k);
        let pass = Pass {
            seeded: &seeded,
            // The lanes past the seeded ones take a projected network's further outputs.
            read_off: Some((plated, k + first.len()..W)),
        };
        let mut local = std::mem::take(&mut self.local_grad);
        let total = blocks.surrogate(&self.replay_inputs(), &pass, &mut local);
        self.local_grad = local;
        let total = total?;
        if (0..k).any(|l| !total.eps[l].is_finite()) {
            // A non-finite derivative: the step is skipped, not differentiated again.
            self.local_grad.fill(f64::NAN);
            return Ok(None);
        }
        if let Some(leaked) = (0..k).find(|&l| total.eps[l] != 0.0) {
            return Ok(Some(leaked));
        }
        for (j, &i) in first.iter().enumerate() {
            self.local_grad[i] += total.eps[k + j];
        }
        Ok(None)
    }
}

/// Whether a blocked gradient is the whole one up to the rounding of summing in another
/// order.
fn close(found: &[f64], expected: &[f64]) -> bool {
    let scale = expected.iter().fold(0.0_f64, |m, x| m.max(x.abs()));
    (found.iter().zip(expected)).all(|(a, b)| (a - b).abs() <= 1e-9 * (1.0 + scale))
}
