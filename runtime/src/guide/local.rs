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

use crate::gradient::LocalTangents;
use crate::scalar::Scalar;
use crate::subsample::Batch;

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
        PlateRead {
            off: self,
            plate,
            sign,
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
        let indices = self.off.batch.and_then(|b| b.indices(plate));
        let element = indices.map_or(Some(index), |i| i.get(index).copied());
        for l in lanes.iter().filter(|l| l.plate == plate) {
            // An index beyond the block is a length mismatch the family reports itself.
            if let Some(e) = element.filter(|&e| e < l.len) {
                self.off.grad[l.offset + e] += factor * term.tangent(l.lane);
            }
        }
    }
    fn clear(&mut self, sum: &mut S) {
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
