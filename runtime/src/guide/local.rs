//! Plate-local derivatives of a guide: one shared tangent lane per plated `param!`.
//!
//! A guide with a parameter per unit (`let z_loc = param!(0.0, units);`) has as many
//! parameters as units; a lane each would replay the guide once per 16 units, O(N²) per
//! step. But in a guide that treats units apart, element `i` of a plated parameter reaches
//! only element `i` of the plate's draws and of their `ln q` terms. So every element of a
//! plated block is seeded in the block's one lane, and each per-element term's tangent in
//! that lane is read off into the gradient of element `i` before the plate's sum (as the
//! model's engine does for local latents, [`crate::gradient`]); the lane is then cleared from
//! the sum. A guide that mixes units (a plated parameter summed into a global draw) leaves a
//! non-zero lane in the total; the caller detects that and differentiates densely instead.

use crate::gradient::projection::{self, Projections};
use crate::gradient::{DataMatrices, LocalLane, LocalTangents};
use crate::scalar::Scalar;
use crate::subsample::Batch;
use nalgebra::DMatrix;

/// A plated parameter block and the lane its elements share.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlatedLane {
    /// The plate the block lives on.
    pub plate: &'static str,
    /// The block's first coordinate in the flat parameter vector.
    pub offset: usize,
    /// Its number of elements (the plate's size).
    pub len: usize,
    /// The shared lane.
    pub lane: usize,
}

/// Where the read-off derivatives go: the gradient of the flat parameter vector, each read
/// multiplied by `factor` and by the sign its plate sum is read with
/// ([`GuideReadOff::on_plate`]: −1 for `ln q`, which the surrogate subtracts).
pub struct GuideReadOff<'a> {
    lanes: &'a [PlatedLane],
    grad: &'a mut [f64],
    factor: f64,
    /// On a minibatch step, element `i` of a subsampled plate is the block's element
    /// `indices[i]`.
    batch: Option<&'a Batch>,
}

impl<'a> GuideReadOff<'a> {
    /// Reads into `grad` for the blocks in `lanes`, scaled by `factor`; on a step that
    /// sees `batch`, a subsampled plate's element `i` is its block's element `indices[i]`.
    pub fn new(
        lanes: &'a [PlatedLane],
        grad: &'a mut [f64],
        factor: f64,
        batch: Option<&'a Batch>,
    ) -> Self {
        GuideReadOff {
            lanes,
            grad,
            factor,
            batch,
        }
    }

    /// The reader of plate `plate`'s terms, each counted `sign` times in the surrogate.
    pub fn on_plate(&mut self, plate: &'static str, sign: f64) -> PlateRead<'_, 'a> {
        // A projected network's lane is never a drawn plate's own: every product is read.
        let projections = projection::take().map(|mut p| {
            p.start_sum(&[]);
            p
        });
        // On a batch, element `i` of the plate's sum is the block's element `indices[i]`:
        // looked up once per sum, not per element.
        let indices = self.batch.and_then(|b| b.indices(plate));
        PlateRead {
            off: self,
            plate,
            sign,
            indices,
            projections,
        }
    }

    /// Reads `Σᵢ wᵢ zᵢ` for the draws `z` of plate `plate` and returns the sum with the
    /// plate's lanes cleared.
    pub fn weighted_draws<S: Scalar>(&mut self, plate: &'static str, z: &[S], w: &[f64]) -> S {
        let mut read = self.on_plate(plate, 1.0);
        let mut sum = S::zero();
        for (i, (zi, &wi)) in z.iter().zip(w).enumerate() {
            read.read(i, zi, wi);
            sum += *zi * wi;
        }
        read.clear(&mut sum);
        sum
    }
}

/// One plate sum's reads ([`GuideReadOff::on_plate`]).
pub struct PlateRead<'r, 'a> {
    off: &'r mut GuideReadOff<'a>,
    plate: &'static str,
    sign: f64,
    /// The batch's elements of the plate, if the step sees a batch of it.
    indices: Option<&'a [usize]>,
    /// The networks projected in this replay ([`GuideProjections`]), taken for this sum.
    projections: Option<Projections>,
}

impl Drop for PlateRead<'_, '_> {
    fn drop(&mut self) {
        if let Some(p) = self.projections.take() {
            projection::put_back(p);
        }
    }
}

/// Networks of a guide whose weights are one `param!` block seeded in one lane (an encoder's
/// weights, on a plate of their own): while lent to a replay, such a network's outputs are
/// projected on that lane ([`crate::gradient`]'s projected products), each plate sum of the
/// guide reads their per-element derivatives, and the block's gradient comes from a backward
/// pass per element, so the weights need not take a lane each.
#[derive(Clone, Debug, Default)]
pub struct GuideProjections(Projections);

impl GuideProjections {
    /// Networks reading the blocks in `blocks` (each seeded in its lane) may be projected.
    pub fn new(blocks: &[PlatedLane]) -> Self {
        let lanes = blocks.iter().map(|b| LocalLane {
            lane: b.lane,
            offset: b.offset,
            len: b.len,
            index_lanes: None,
        });
        GuideProjections(Projections::new(lanes.collect()))
    }

    /// Runs `f` (a replay) with the networks projected; the further outputs of a network
    /// read their derivatives on the lanes `spare`, which no parameter is seeded in.
    pub fn lend<R>(&mut self, spare: std::ops::Range<usize>, f: impl FnOnce() -> R) -> R {
        self.0.set_spare(spare);
        self.0.lend(f)
    }

    /// After a replay: adds the weights' gradient of the networks its sums read into `grad`
    /// (one backward pass per network, whatever the number of sums).
    pub fn flush(&mut self, grad: &mut [f64]) {
        self.0.flush_networks(grad);
    }
}

/// A guide's networks read no data matrices.
struct NoMatrices;

impl DataMatrices for NoMatrices {
    fn matrix(&self, _index: usize) -> Option<&DMatrix<f64>> {
        None
    }
}

impl PlateRead<'_, '_> {
    fn blocks(&self) -> impl Iterator<Item = PlatedLane> + '_ {
        let plate = self.plate;
        self.off
            .lanes
            .iter()
            .copied()
            .filter(move |l| l.plate == plate)
    }
}

impl<S: Scalar> LocalTangents<S> for PlateRead<'_, '_> {
    #[inline]
    fn read(&mut self, index: usize, term: &S, scale: f64) {
        let factor = self.off.factor * self.sign * scale;
        let (plate, lanes) = (self.plate, self.off.lanes);
        let element = (self.indices).map_or(Some(index), |i| i.get(index).copied());
        for l in lanes.iter().filter(|l| l.plate == plate) {
            // An index beyond the block is a length mismatch the family reports itself.
            if let Some(e) = element.filter(|&e| e < l.len) {
                self.off.grad[l.offset + e] += factor * term.tangent(l.lane);
            }
        }
        if let Some(p) = &mut self.projections {
            p.read(index, term, factor);
        }
    }
    fn clear(&mut self, sum: &mut S) {
        if let Some(p) = &mut self.projections {
            p.finish_sum(&NoMatrices, self.off.grad, sum);
        }
        for l in self.blocks() {
            sum.clear_tangent(l.lane);
        }
    }
    fn is_active(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scalar::Dual;

    #[test]
    fn each_element_reads_its_own_lane_and_the_sum_keeps_only_globals() {
        let lanes = [
            PlatedLane {
                plate: "units",
                offset: 1,
                len: 2,
                lane: 0,
            },
            PlatedLane {
                plate: "other",
                offset: 3,
                len: 2,
                lane: 1,
            },
        ];
        let mut grad = vec![0.0; 5];
        let mut off = GuideReadOff::new(&lanes, &mut grad, 0.5, None);
        // z_i = 3 loc_i + 2 g (lane 2 global), weights 1 and 4.
        let z = [Dual::<3> {
            re: 1.0,
            eps: [3.0, 7.0, 2.0],
        }; 2];
        let sum = off.weighted_draws("units", &z, &[1.0, 4.0]);
        assert_eq!(grad, [0.0, 0.5 * 3.0, 0.5 * 12.0, 0.0, 0.0]);
        // The other plate's lane is not this plate's to clear: it stays as a leak.
        assert_eq!((sum.re, sum.eps), (5.0, [0.0, 35.0, 10.0]));
    }
}
