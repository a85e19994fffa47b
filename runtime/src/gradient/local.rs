//! Reading per-element derivatives off a tangent lane shared by a plate's elements.
//!
//! A local latent (one value per element of a plate) influences only its own element's
//! terms, so all of its elements are seeded in one tangent lane. Summed over the plate that
//! lane would be meaningless; instead every plate sum hands each element's term to a
//! [`LocalTangents`] before adding it, which reads the lane off into that element's gradient
//! coordinate, and clears the lane of the finished sum.

use crate::scalar::Scalar;

/// Where plate-local derivatives go while a plate sum is computed.
///
/// Families call [`LocalTangents::read`] with each element's contribution to a plate sum and
/// [`LocalTangents::clear`] on the finished sum. [`NoLocals`] does nothing (every evaluation
/// in `f64`, and forward mode without shared lanes).
pub trait LocalTangents<S: Scalar> {
    /// Element `index` adds `scale · f(term)` to the plate sum, where the caller has already
    /// applied the chain rule: the element's own derivative is `scale` times the tangent of
    /// `term` (pass the term itself and `scale = 1` when it is the whole contribution).
    fn read(&mut self, index: usize, term: &S, scale: f64);
    /// Zeroes the shared lanes of a finished plate sum: their derivatives were read off.
    fn clear(&self, sum: &mut S);
    /// Whether any lane is read (false lets a family skip per-element work).
    fn is_active(&self) -> bool;
}

/// No lanes are shared: nothing is read.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoLocals;

impl<S: Scalar> LocalTangents<S> for NoLocals {
    #[inline]
    fn read(&mut self, _index: usize, _term: &S, _scale: f64) {}
    #[inline]
    fn clear(&self, _sum: &mut S) {}
    #[inline]
    fn is_active(&self) -> bool {
        false
    }
}

/// One local latent site's lane: its elements are seeded in `lane`, and element `i`'s
/// derivative belongs to gradient coordinate `offset + i`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LocalLane {
    /// The tangent lane shared by the site's elements.
    pub lane: usize,
    /// The site's first unconstrained coordinate.
    pub offset: usize,
    /// The number of elements (the plate's size).
    pub len: usize,
}

/// Reads the lanes of one plate's local latents into the gradient.
pub struct ReadOff<'a> {
    lanes: &'a [LocalLane],
    grad: &'a mut [f64],
}

impl<'a> ReadOff<'a> {
    /// Reads `lanes` into `grad`.
    pub fn new(lanes: &'a [LocalLane], grad: &'a mut [f64]) -> Self {
        ReadOff { lanes, grad }
    }
}

impl<S: Scalar> LocalTangents<S> for ReadOff<'_> {
    #[inline]
    fn read(&mut self, index: usize, term: &S, scale: f64) {
        for l in self.lanes {
            // An index beyond the site is a length mismatch the family reports itself.
            if index < l.len {
                self.grad[l.offset + index] += scale * term.tangent(l.lane);
            }
        }
    }
    #[inline]
    fn clear(&self, sum: &mut S) {
        for l in self.lanes {
            sum.clear_tangent(l.lane);
        }
    }
    #[inline]
    fn is_active(&self) -> bool {
        !self.lanes.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scalar::Dual;

    #[test]
    fn read_off_scatters_each_element_and_clears_the_sum() {
        let lanes = [LocalLane {
            lane: 1,
            offset: 2,
            len: 3,
        }];
        let mut grad = vec![0.0; 5];
        let mut sum = Dual::<2>::constant(0.0);
        {
            let mut r = ReadOff::new(&lanes, &mut grad);
            for i in 0..3 {
                let mut t = Dual::<2>::constant(i as f64);
                t.eps = [0.5, 1.0 + i as f64];
                r.read(i, &t, 2.0);
                sum += t;
            }
            LocalTangents::<Dual<2>>::clear(&r, &mut sum);
        }
        assert_eq!(grad, vec![0.0, 0.0, 2.0, 4.0, 6.0]);
        assert_eq!(sum.eps, [1.5, 0.0]);
        assert_eq!(sum.re, 3.0);
    }
}
