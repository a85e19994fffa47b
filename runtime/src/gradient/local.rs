//! Reading per-element derivatives off tangent lanes shared by a plate's elements.
//!
//! A local latent (one value per element of a plate) influences only its own element's
//! terms, so all of its elements are seeded in one tangent lane. Summed over the plate that
//! lane would be meaningless; instead every plate sum hands each element's term to a
//! [`LocalTangents`] before adding it, which reads the lane off into that element's gradient
//! coordinate, and clears the lane of the finished sum.
//!
//! A local latent read by another plate through an index (a group effect `alpha[county[i]]`
//! in every house's term) is *gathered*: besides its lane, element `j` is seeded with `j` and
//! `j²` in two index lanes. A term that depends on one element `j` carries the three
//! derivatives `c`, `c·j`, `c·j²`, so `j` is read off the ratio and `c` scatter-added to
//! coordinate `j`; a term that mixes several elements fails the `j²` test and is reported.

use super::gathers::{self, GatheredRead, Gathers};
use super::hoisted::{Hoisted, OneGathered, OneLane, weighted};
use super::projection::{self, Projections};
use crate::model::Model;
use crate::scalar::Scalar;
use nalgebra::DMatrix;

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
    fn clear(&mut self, sum: &mut S);
    /// Whether any lane is read (false lets a family skip per-element work).
    fn is_active(&self) -> bool;
    /// The reads of this sum in a form a family's per-element loop keeps in registers, when
    /// they take one of the common forms ([`Hoisted`]): through `self`, every element
    /// reloads the lanes and the gradient's address, since a store into the gradient might
    /// alias them as far as the compiler knows. The caller still calls
    /// [`LocalTangents::clear`] on `self` with the finished sum.
    #[inline]
    fn hoisted(&mut self) -> Option<Hoisted<'_>> {
        None
    }
}

/// No lanes are shared: nothing is read.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoLocals;

impl<S: Scalar> LocalTangents<S> for NoLocals {
    #[inline]
    fn read(&mut self, _index: usize, _term: &S, _scale: f64) {}
    #[inline]
    fn clear(&mut self, _sum: &mut S) {}
    #[inline]
    fn is_active(&self) -> bool {
        false
    }
}

/// Another [`LocalTangents`] with every read weighted: the terms of a subsampled plate,
/// which count `population / batch` times ([`crate::subsample`]).
pub struct Weighted<'l, L> {
    inner: &'l mut L,
    weight: f64,
}

impl<'l, L> Weighted<'l, L> {
    /// Reads into `inner`, each read weighted by `weight`.
    pub fn new(inner: &'l mut L, weight: f64) -> Self {
        Weighted { inner, weight }
    }
}

impl<S: Scalar, L: LocalTangents<S>> LocalTangents<S> for Weighted<'_, L> {
    #[inline]
    fn read(&mut self, index: usize, term: &S, scale: f64) {
        self.inner.read(index, term, scale * self.weight);
    }
    #[inline]
    fn clear(&mut self, sum: &mut S) {
        self.inner.clear(sum);
    }
    #[inline]
    fn is_active(&self) -> bool {
        self.inner.is_active()
    }
    #[inline]
    fn hoisted(&mut self) -> Option<Hoisted<'_>> {
        let weight = self.weight;
        self.inner.hoisted().map(|h| weighted(h, weight))
    }
}

/// One local latent site's lanes: its elements are seeded in `lane`, and element `i`'s
/// derivative belongs to gradient coordinate `offset + i`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LocalLane {
    /// The tangent lane shared by the site's elements.
    pub lane: usize,
    /// The site's first unconstrained coordinate.
    pub offset: usize,
    /// The number of elements (the plate's size).
    pub len: usize,
    /// For a gathered site: the lanes seeded with the element's index `j` and with `j²`.
    pub index_lanes: Option<(usize, usize)>,
}

impl LocalLane {
    /// The site's elements seeded in its lanes: element `j` at unconstrained value `re` is
    /// `re` with 1 in the site's lane (and `j`, `j²` in the index lanes of a gathered site).
    /// The seed is built once and shifted per element.
    pub fn seeder<S: Scalar>(self) -> impl Fn(usize, f64) -> S {
        let unit = S::seeded(0.0, self.lane);
        move |j, re| {
            let mut seeded = unit + re;
            if let Some((index, square)) = self.index_lanes {
                let j = j as f64;
                seeded.set_tangent(index, j);
                seeded.set_tangent(square, j * j);
            }
            seeded
        }
    }
    /// Every lane the site is seeded in.
    pub fn all_lanes(&self) -> impl Iterator<Item = usize> {
        let (a, b) = self
            .index_lanes
            .map_or((None, None), |(a, b)| (Some(a), Some(b)));
        std::iter::once(self.lane).chain(a).chain(b)
    }
}

/// A local site that other plates read through an index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GatheredLane {
    /// The plate the site lives on.
    pub home: &'static str,
    /// The site.
    pub site: &'static str,
    /// Its lanes (`index_lanes` set).
    pub lane: LocalLane,
}

/// What the plate sums of one plate read: the plate's own local sites, and the gathered
/// sites of other plates.
#[derive(Clone, Copy, Debug)]
pub struct PlateReads<'a> {
    /// The plate.
    pub plate: &'a str,
    /// Its own local sites.
    pub home: &'a [LocalLane],
    /// Gathered sites (those living on `plate` itself are read as home sites).
    pub gathered: &'a [GatheredLane],
}

impl PlateReads<'_> {
    /// Whether nothing is read.
    pub fn is_empty(&self) -> bool {
        self.home.is_empty() && self.foreign().next().is_none()
    }
    fn foreign(&self) -> impl Iterator<Item = &GatheredLane> {
        self.gathered.iter().filter(move |g| g.home != self.plate)
    }
}

/// Where the engine finds a model's data matrices by argument number (every [`Model`],
/// through [`Model::data_matrix`]).
pub trait DataMatrices {
    /// Data argument `index`, if it is a matrix.
    fn matrix(&self, index: usize) -> Option<&DMatrix<f64>>;
}

impl<M: Model> DataMatrices for M {
    fn matrix(&self, index: usize) -> Option<&DMatrix<f64>> {
        self.data_matrix(index)
    }
}

/// Reads one plate's lanes into the gradient; a gathered read that does not decode to one
/// element is recorded in `mixed`.
pub struct ReadOff<'a> {
    reads: PlateReads<'a>,
    /// The common cases, read inline.
    fast: FastRead,
    /// Which of `reads.gathered` belong to other plates (bit `k` for entry `k`), computed
    /// once per plate sum instead of comparing plate names per element.
    foreign: u64,
    grad: &'a mut [f64],
    mixed: &'a mut Option<&'static str>,
    /// Projected products of this evaluation and where their matrices are
    /// ([`super::projection`]).
    projections: Option<(Projections, &'a dyn DataMatrices)>,
    /// For [`FastRead::OneGathered`]: this evaluation's gathers and which one holds the
    /// site's index vector, when exactly one does ([`super::gathers`]).
    gathers: Option<(Gathers, usize)>,
    /// The site of [`FastRead::OneGathered`], kept out of `fast` so that the enum the
    /// per-element loop matches on stays small.
    one_gathered: Option<GatheredRead>,
}

impl<'a> ReadOff<'a> {
    /// Reads `reads` into `grad`, recording an undecodable gathered read in `mixed`.
    pub fn new(
        reads: PlateReads<'a>,
        grad: &'a mut [f64],
        mixed: &'a mut Option<&'static str>,
    ) -> Self {
        let foreign = foreign_mask(&reads);
        let fast = match (reads.home, foreign) {
            ([lane], 0) => FastRead::OneHome(*lane),
            ([], 1) => match GatheredRead::of(&reads.gathered[0]) {
                Some(_) => FastRead::OneGathered,
                None => FastRead::General,
            },
            _ => FastRead::General,
        };
        let one_gathered = match fast {
            FastRead::OneGathered => GatheredRead::of(&reads.gathered[0]),
            _ => None,
        };
        let gathers = match one_gathered {
            Some(g) => gathers::take().and_then(|taken| {
                let record = taken.record_of(g.home, g.len);
                match record {
                    Some(k) => Some((taken, k)),
                    None => {
                        gathers::put_back(taken);
                        None
                    }
                }
            }),
            _ => None,
        };
        ReadOff {
            reads,
            fast,
            foreign,
            grad,
            mixed,
            projections: None,
            gathers,
            one_gathered,
        }
    }
    /// Also reads the lanes of the products projected in this evaluation, if any, whose
    /// matrices `matrices` finds.
    pub fn projecting(mut self, matrices: &'a dyn DataMatrices) -> Self {
        self.projections = projection::take().map(|mut p| {
            p.start_sum(self.reads.home);
            (p, matrices)
        });
        if self.projections.is_some() {
            self.fast = FastRead::General;
        }
        self
    }

    /// Everything but the one-home-lane case, out of line: one call site in the families'
    /// per-element loops (with two, the loops kept their registers on the stack).
    #[inline(never)]
    fn read_other<S: Scalar>(&mut self, index: usize, term: &S, scale: f64) {
        match self.fast {
            FastRead::OneGathered => self.read_one_gathered(index, term, scale),
            _ => self.read_general(index, term, scale),
        }
    }

    /// The one-gathered-site case, kept out of line so that the home-lane case inlines:
    /// checked against the element the registered index expects, decoded otherwise.
    #[inline(never)]
    fn read_one_gathered<S: Scalar>(&mut self, index: usize, term: &S, scale: f64) {
        if let Some(g) = self.one_gathered {
            let expected = self
                .gathers
                .as_ref()
                .and_then(|(gathers, k)| gathers.indices(*k).get(index).copied());
            g.read_expected(expected, self.grad, self.mixed, term, scale);
        }
    }

    /// Every lane but the single-home-lane fast path: several home lanes, gathered sites of
    /// other plates (decoded), projected products.
    #[inline(never)]
    fn read_general<S: Scalar>(&mut self, index: usize, term: &S, scale: f64) {
        for l in self.reads.home {
            // An index beyond the site is a length mismatch the family reports itself.
            if index < l.len {
                self.grad[l.offset + index] += scale * term.tangent(l.lane);
            }
        }
        if self.foreign != 0 {
            let gathered = self.reads.gathered.iter().enumerate();
            for (_, g) in gathered.filter(|(k, _)| self.foreign >> k & 1 == 1) {
                if let Some(g) = GatheredRead::of(g) {
                    g.read(self.grad, self.mixed, term, scale);
                }
            }
        }
        if let Some((p, _)) = &mut self.projections {
            p.read(index, term, scale);
        }
    }
}

impl Drop for ReadOff<'_> {
    fn drop(&mut self) {
        if let Some((p, _)) = self.projections.take() {
            projection::put_back(p);
        }
        if let Some((g, _)) = self.gathers.take() {
            gathers::put_back(g);
        }
    }
}

/// What a plate sum reads, when it is one of the common cases read inline.
#[derive(Clone, Copy, Debug)]
enum FastRead {
    /// One local site of the summed plate, nothing else.
    OneHome(LocalLane),
    /// One gathered site of another plate, nothing else.
    OneGathered,
    /// Anything else ([`ReadOff::read_general`]).
    General,
}

/// Bit `k` set when gathered entry `k` lives on another plate than the one summed.
fn foreign_mask(reads: &PlateReads<'_>) -> u64 {
    // Each gathered site takes three of a dual's at most 56 lanes, so there are at most 18.
    let foreign = reads.gathered.iter().enumerate();
    foreign
        .filter(|(_, g)| g.home != reads.plate)
        .fold(0, |mask, (k, _)| mask | 1 << k)
}

impl<S: Scalar> LocalTangents<S> for ReadOff<'_> {
    // Inlined into every family's per-element loop: the one-home-lane case is a load, a
    // multiply and an add, where a call cost ~35 instructions per element (callgrind).
    #[inline(always)]
    fn read(&mut self, index: usize, term: &S, scale: f64) {
        match self.fast {
            FastRead::OneHome(l) => {
                if index < l.len {
                    self.grad[l.offset + index] += scale * term.tangent(l.lane);
                }
            }
            _ => self.read_other(index, term, scale),
        }
    }
    #[inline]
    fn clear(&mut self, sum: &mut S) {
        if let Some((p, matrices)) = &mut self.projections {
            p.finish_sum(*matrices, self.grad, sum);
        }
        let home = self.reads.home.iter();
        for lane in home
            .chain(self.reads.foreign().map(|g| &g.lane))
            .flat_map(|l| l.all_lanes())
        {
            sum.clear_tangent(lane);
        }
    }
    #[inline]
    fn is_active(&self) -> bool {
        !self.reads.is_empty() || self.projections.is_some()
    }
    #[inline]
    fn hoisted(&mut self) -> Option<Hoisted<'_>> {
        match (self.fast, self.one_gathered, &self.gathers) {
            (FastRead::OneHome(l), _, _) => {
                let end = (l.offset + l.len).min(self.grad.len());
                let block = &mut self.grad[l.offset.min(end)..end];
                Some(Hoisted::Home(OneLane::new(l.lane, 1.0, block)))
            }
            (FastRead::OneGathered, Some(site), Some((gathers, k))) => {
                let indices = gathers.indices(*k);
                let one = OneGathered::new(site, indices, self.grad, self.mixed);
                Some(Hoisted::Gathered(one))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::scalar::Dual;

    /// One home lane `lane` of `len` elements from coordinate `offset`, without index lanes.
    pub(crate) fn home_lane(lane: usize, offset: usize, len: usize) -> [LocalLane; 1] {
        let index_lanes = None;
        [LocalLane {
            lane,
            offset,
            len,
            index_lanes,
        }]
    }

    /// The reads of plate `units` with `home` as its only lanes.
    pub(crate) fn units_reads(home: &[LocalLane]) -> PlateReads<'_> {
        let gathered = &[];
        PlateReads {
            plate: "units",
            home,
            gathered,
        }
    }

    #[test]
    fn read_off_scatters_each_element_and_clears_the_sum() {
        let lanes = home_lane(1, 2, 3);
        let reads = units_reads(&lanes);
        let (mut grad, mut mixed) = (vec![0.0; 5], None);
        let mut sum = Dual::<2>::constant(0.0);
        {
            let mut r = ReadOff::new(reads, &mut grad, &mut mixed);
            for i in 0..3 {
                let mut t = Dual::<2>::constant(i as f64);
                t.eps = [0.5, 1.0 + i as f64];
                r.read(i, &t, 2.0);
                sum += t;
            }
            LocalTangents::<Dual<2>>::clear(&mut r, &mut sum);
        }
        assert_eq!(grad, vec![0.0, 0.0, 2.0, 4.0, 6.0]);
        assert_eq!(sum.eps, [1.5, 0.0]);
        assert_eq!(sum.re, 3.0);
    }

    #[test]
    fn gathered_reads_decode_the_element_or_report_mixing() {
        let gathered = [GatheredLane {
            home: "groups",
            site: "alpha",
            lane: LocalLane {
                lane: 0,
                offset: 1,
                len: 4,
                index_lanes: Some((1, 2)),
            },
        }];
        let reads = PlateReads {
            plate: "units",
            home: &[],
            gathered: &gathered,
        };
        let (mut grad, mut mixed) = (vec![0.0; 5], None);
        let mut r = ReadOff::new(reads, &mut grad, &mut mixed);
        // A term depending on alpha[3] with derivative 0.5: lanes (0.5, 0.5·3, 0.5·9).
        let mut t = Dual::<3>::constant(1.0);
        t.eps = [0.5, 1.5, 4.5];
        r.read(0, &t, 2.0);
        // alpha[1] + alpha[2] (derivatives 1 and 1): lanes (2, 3, 5) fail the j² test.
        t.eps = [2.0, 3.0, 5.0];
        r.read(1, &t, 1.0);
        drop(r);
        assert_eq!(grad, vec![0.0, 0.0, 0.0, 0.0, 1.0]);
        assert_eq!(mixed, Some("alpha"));
    }
}
