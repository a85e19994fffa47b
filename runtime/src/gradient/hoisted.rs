//! Plate sums whose reads are hoisted out of the reader: a family's per-element loop run
//! with the lane and the gradient block as locals.
//!
//! A [`ReadOff`](super::ReadOff) holds its lanes and the gradient behind `&mut self`; a
//! store into the gradient might alias them as far as the compiler knows, so a loop reading
//! through it reloads them for every element (measured: a third of the Normal plate sum's
//! instructions). In the common cases (one home lane; one gathered site read through its
//! registered index vector) the reader lends them out as a [`Hoisted`] value, and
//! [`run_hoisted`] runs the family's loop with it: the normal-locals gradient at N = 10,000
//! went from 82–86 to 78 µs, the radon-like one from 13.9–16.2 to 11.4 µs (BENCHMARKS.md,
//! fifteenth session).

use super::gathers::GatheredRead;
use super::local::LocalTangents;
use crate::dist::DistError;
use crate::scalar::Scalar;

/// The reads of one plate sum in one of two common forms, borrowed out of the reader that
/// holds them so that a family's loop keeps them in registers ([`LocalTangents::hoisted`]).
pub enum Hoisted<'g> {
    /// One home lane into one gradient block.
    Home(OneLane<'g>),
    /// One gathered site, read through the index vector registered for it.
    Gathered(OneGathered<'g>),
}

/// A family's per-element loop over a plate, generic over the reader so that it can run
/// with a [`Hoisted`] one ([`run_hoisted`]).
pub trait PlateLoop<S: Scalar> {
    /// Runs the loop, reading each element's term into `locals`: the sum, its lanes not
    /// yet cleared.
    fn run<L: LocalTangents<S>>(&self, locals: &mut L) -> Result<S, DistError>;
}

/// Runs `body` with `locals` in hoisted form when it has one (each form its own copy of
/// the loop: one loop matching the form per element was measured 12% slower), then clears
/// the finished sum's lanes through `locals`.
#[inline]
pub fn run_hoisted<S: Scalar, L: LocalTangents<S>, P: PlateLoop<S>>(
    locals: &mut L,
    body: &P,
) -> Result<S, DistError> {
    let mut sum = match locals.hoisted() {
        Some(Hoisted::Home(mut one)) => body.run(&mut one),
        Some(Hoisted::Gathered(mut one)) => body.run(&mut one),
        None => body.run(locals),
    }?;
    locals.clear(&mut sum);
    Ok(sum)
}

/// Every read of a plate sum going to one lane and one gradient block: element `i`'s
/// derivative, times `weight`, is added to `block[i]`.
pub struct OneLane<'g> {
    lane: usize,
    weight: f64,
    block: &'g mut [f64],
}

impl<'g> OneLane<'g> {
    /// Reads lane `lane` into `block`, each read times `weight`.
    pub fn new(lane: usize, weight: f64, block: &'g mut [f64]) -> Self {
        OneLane {
            lane,
            weight,
            block,
        }
    }
}

impl<S: Scalar> LocalTangents<S> for OneLane<'_> {
    #[inline(always)]
    fn read(&mut self, index: usize, term: &S, scale: f64) {
        // An index beyond the block is a length mismatch the family reports itself.
        if let Some(g) = self.block.get_mut(index) {
            *g += self.weight * scale * term.tangent(self.lane);
        }
    }
    #[inline]
    fn clear(&mut self, _sum: &mut S) {
        // The reader it was borrowed from clears the sum.
    }
    #[inline]
    fn is_active(&self) -> bool {
        true
    }
}

/// Every read of a plate sum going to one gathered site: element `i` depends on the
/// site's element `indices[i]` (checked on the tangent; decoded when the check fails).
pub struct OneGathered<'g> {
    site: GatheredRead,
    indices: &'g [usize],
    weight: f64,
    grad: &'g mut [f64],
    mixed: &'g mut Option<&'static str>,
}

impl<'g> OneGathered<'g> {
    /// Reads `site` for element `i` at `indices[i]` into `grad` (the whole gradient),
    /// recording a term that depends on several of its elements in `mixed`.
    pub(super) fn new(
        site: GatheredRead,
        indices: &'g [usize],
        grad: &'g mut [f64],
        mixed: &'g mut Option<&'static str>,
    ) -> Self {
        OneGathered {
            site,
            indices,
            weight: 1.0,
            grad,
            mixed,
        }
    }
}

impl<S: Scalar> LocalTangents<S> for OneGathered<'_> {
    #[inline]
    fn clear(&mut self, _sum: &mut S) {
        // The reader it was borrowed from clears the sum.
    }
    #[inline]
    fn is_active(&self) -> bool {
        true
    }
    #[inline(always)]
    fn read(&mut self, index: usize, term: &S, scale: f64) {
        let expected = self.indices.get(index).copied();
        let scale = self.weight * scale;
        (self.site).read_expected(expected, self.grad, self.mixed, term, scale);
    }
}

/// A hoisted reader with every read weighted by `weight` as well.
pub(super) fn weighted(hoisted: Hoisted<'_>, weight: f64) -> Hoisted<'_> {
    match hoisted {
        Hoisted::Home(mut one) => {
            one.weight *= weight;
            Hoisted::Home(one)
        }
        Hoisted::Gathered(mut one) => {
            one.weight *= weight;
            Hoisted::Gathered(one)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradient::local::tests::{home_lane, units_reads};
    use crate::gradient::{ReadOff, Weighted};
    use crate::scalar::Dual;

    /// Σᵢ termᵢ, each read with scale 2.
    struct Terms<'a>(&'a [Dual<2>]);

    impl PlateLoop<Dual<2>> for Terms<'_> {
        fn run<L: LocalTangents<Dual<2>>>(&self, locals: &mut L) -> Result<Dual<2>, DistError> {
            let mut sum = Dual::constant(0.0);
            for (i, t) in self.0.iter().enumerate() {
                locals.read(i, t, 2.0);
                sum += *t;
            }
            Ok(sum)
        }
    }

    /// The same reader without its hoisted form.
    struct Plain<'r, L>(&'r mut L);

    impl<L: LocalTangents<Dual<2>>> LocalTangents<Dual<2>> for Plain<'_, L> {
        fn read(&mut self, index: usize, term: &Dual<2>, scale: f64) {
            self.0.read(index, term, scale);
        }
        fn clear(&mut self, sum: &mut Dual<2>) {
            self.0.clear(sum);
        }
        fn is_active(&self) -> bool {
            self.0.is_active()
        }
    }

    /// Runs `Terms` through a weighted read-off of lane 1 into coordinates 2..6, hoisted or
    /// not; returns the gradient and the cleared sum.
    fn read(hoist: bool, terms: &[Dual<2>]) -> (Vec<f64>, Dual<2>) {
        let lanes = home_lane(1, 2, 4);
        let reads = units_reads(&lanes);
        let (mut grad, mut mixed) = (vec![0.0; 6], None);
        let mut read_off = ReadOff::new(reads, &mut grad, &mut mixed);
        let mut weighted = Weighted::new(&mut read_off, 3.0);
        let sum = match hoist {
            true => run_hoisted(&mut weighted, &Terms(terms)),
            false => run_hoisted(&mut Plain(&mut weighted), &Terms(terms)),
        };
        let sum = sum.expect("the terms sum");
        drop(read_off);
        (grad, sum)
    }

    #[test]
    fn a_hoisted_home_lane_reads_and_weighs_as_the_reader_it_came_from() {
        let terms: Vec<Dual<2>> = (0..4)
            .map(|i| {
                let mut t = Dual::constant(i as f64);
                t.eps = [0.5, 1.0 + i as f64];
                t
            })
            .collect();
        let (hoisted, sum) = read(true, &terms);
        // Element i's lane-1 tangent (1 + i), times the read's scale 2 and the weight 3.
        assert_eq!(hoisted, vec![0.0, 0.0, 6.0, 12.0, 18.0, 24.0]);
        assert_eq!(read(false, &terms), (hoisted, sum));
        assert_eq!((sum.re, sum.eps), (6.0, [2.0, 0.0]));
    }
}
