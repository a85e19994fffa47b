//! The index vectors of one evaluation's gathers, so that a gathered read-off checks the
//! element it expects instead of decoding it.
//!
//! A term that depends on element `j` of a gathered site carries the derivatives `c`, `c·j`
//! and `c·j²` ([`super::local`]); decoding `j` from them takes a division, a rounding and
//! two range checks per element of every plate sum that reads the site, the largest part
//! of a varying-intercept model's gradient. The gather that built the per-unit values
//! (`alpha.gather(county)`) knows `j = county[i]`, so while the engine lends a [`Gathers`]
//! it registers a copy of its index vector (into a buffer kept across evaluations), and
//! the plate sum over the units checks `c·j` and `c·j²` against the expected `j`: two
//! multiplications and two comparisons.
//!
//! Nothing rests on the registration being the one a term used: a term whose derivatives
//! do not fit the registered index (it mixes elements, or came through another index
//! vector) is decoded as before, which finds its element or reports the mixing.

use super::local::GatheredLane;
use crate::loan;
use crate::scalar::Scalar;
use std::cell::RefCell;

/// One gather: the plate of the vector read through the index, its length, the index.
#[derive(Debug, Default)]
struct Record {
    plate: &'static str,
    source_len: usize,
    indices: Vec<usize>,
}

/// The gathers registered in the current evaluation.
#[derive(Debug, Default)]
pub(crate) struct Gathers {
    /// Registered gathers; those past `count` are kept for their buffers.
    records: Vec<Record>,
    count: usize,
}

thread_local! {
    static LENT: RefCell<Option<Gathers>> = const { RefCell::new(None) };
}

/// Registrations do not carry over to a clone (one per chain).
impl Clone for Gathers {
    fn clone(&self) -> Self {
        Gathers::default()
    }
}

impl Gathers {
    /// Runs `f` with gathers registered on this thread; registrations start afresh.
    pub(crate) fn lend<R>(&mut self, f: impl FnOnce() -> R) -> R {
        self.count = 0;
        loan::lend(&LENT, self, f)
    }

    fn register(&mut self, plate: &'static str, source_len: usize, indices: &[usize]) {
        if self.count == self.records.len() {
            self.records.push(Record::default());
        }
        let record = &mut self.records[self.count];
        (record.plate, record.source_len) = (plate, source_len);
        record.indices.clear();
        record.indices.extend_from_slice(indices);
        self.count += 1;
    }

    /// Which registration holds the index vector of the site on `plate` with `len`
    /// elements, if exactly one gather of such a vector was registered (two would leave it
    /// open which one a term used).
    pub(crate) fn record_of(&self, plate: &str, len: usize) -> Option<usize> {
        let mut found = self.records[..self.count]
            .iter()
            .enumerate()
            .filter(|(_, r)| r.plate == plate && r.source_len == len);
        let (first, _) = found.next()?;
        found.next().is_none().then_some(first)
    }

    /// The index vector of registration `record` (from [`Gathers::record_of`]).
    pub(crate) fn indices(&self, record: usize) -> &[usize] {
        &self.records[record].indices
    }
}

/// Registers a gather of a vector on `plate` of `source_len` elements through `indices`,
/// when the engine lent its registry (a read-off evaluation); nothing otherwise.
pub(crate) fn register(plate: Option<&'static str>, source_len: usize, indices: &[usize]) {
    if let Some(plate) = plate {
        loan::with_lent(&LENT, |g| {
            g.register(plate, source_len, indices);
            Some(())
        });
    }
}

/// The lent registry, taken for the duration of one plate sum (`None` when none is lent or
/// nothing is registered); give it back with [`put_back`].
pub(crate) fn take() -> Option<Gathers> {
    loan::with_lent(&LENT, |g| (g.count > 0).then(|| std::mem::take(g)))
}

/// Returns a registry taken with [`take`].
pub(crate) fn put_back(gathers: Gathers) {
    let mut gathers = Some(gathers);
    loan::with_lent(&LENT, |g| {
        *g = gathers.take()?;
        Some(())
    });
}

/// A gathered site's lanes with what decoding a term needs computed once per plate sum.
#[derive(Clone, Copy, Debug)]
pub(crate) struct GatheredRead {
    pub(crate) home: &'static str,
    site: &'static str,
    pub(crate) len: usize,
    pub(crate) lane: usize,
    index_lane: usize,
    square_lane: usize,
    pub(crate) offset: usize,
    /// `len − 0.5`: a decoded index must round below the site's length.
    upper: f64,
}

impl GatheredRead {
    /// The read of `g`, if it has index lanes.
    pub(crate) fn of(g: &GatheredLane) -> Option<Self> {
        let (index_lane, square_lane) = g.lane.index_lanes?;
        Some(GatheredRead {
            home: g.home,
            site: g.site,
            len: g.lane.len,
            lane: g.lane.lane,
            index_lane,
            square_lane,
            offset: g.lane.offset,
            upper: g.lane.len as f64 - 0.5,
        })
    }

    /// Whether the term depends on element `j` alone: its derivatives along the index
    /// lanes are `c·j` and `c·j²` (the tolerance of [`decode`], without its division).
    #[inline(always)]
    pub(crate) fn fits<S: Scalar>(&self, j: usize, term: &S) -> bool {
        let c = term.tangent(self.lane);
        let (cj, cjj) = (
            term.tangent(self.index_lane),
            term.tangent(self.square_lane),
        );
        // Through i64: one conversion instruction where an unsigned one takes five to seven
        // (`j` is below the site's length).
        let jf = j as i64 as f64;
        let tolerance = 1e-6 * c.abs();
        j < self.len
            && (cj - c * jf).abs() <= tolerance * (1.0 + jf)
            && (cjj - c * jf * jf).abs() <= tolerance * (1.0 + jf * jf)
    }

    /// Scatter-adds a term's derivative to element `expected` (what the registered index
    /// says this term reads) when the tangent confirms it; otherwise as [`Self::read`].
    #[inline(always)]
    pub(crate) fn read_expected<S: Scalar>(
        &self,
        expected: Option<usize>,
        grad: &mut [f64],
        mixed: &mut Option<&'static str>,
        term: &S,
        scale: f64,
    ) {
        match expected {
            Some(j) if self.fits(j, term) => {
                grad[self.offset + j] += scale * term.tangent(self.lane)
            }
            _ => self.read(grad, mixed, term, scale),
        }
    }

    /// Scatter-adds a term's derivative along the site to the element it depends on, or
    /// records the site in `mixed` when the term depends on several.
    #[inline(always)]
    pub(crate) fn read<S: Scalar>(
        &self,
        grad: &mut [f64],
        mixed: &mut Option<&'static str>,
        term: &S,
        scale: f64,
    ) {
        let c = term.tangent(self.lane);
        let (cj, cjj) = (
            term.tangent(self.index_lane),
            term.tangent(self.square_lane),
        );
        match decode(c, cj, cjj, self.upper) {
            Ok(Some(j)) => grad[self.offset + j] += scale * c,
            Ok(None) => {}
            Err(()) => *mixed = mixed.or(Some(self.site)),
        }
    }
}

/// The element a gathered term depends on, from its derivatives `c`, `c·j`, `c·j²` along the
/// value and index lanes: `Ok(None)` when it depends on none, `Err` when not on exactly one.
#[inline]
fn decode(c: f64, cj: f64, cjj: f64, upper: f64) -> Result<Option<usize>, ()> {
    if c == 0.0 {
        return if cj == 0.0 && cjj == 0.0 {
            Ok(None)
        } else {
            Err(())
        };
    }
    let inv_c = c.recip();
    let r = cj * inv_c;
    // Rounded by a cast, not `f64::round`: baseline x86-64 has no rounding instruction and
    // `round` is a library call, once per element of every gathered plate sum.
    if !(r > -0.5 && r < upper) {
        return Err(());
    }
    // Through i64: x86-64 converts signed integers to and from f64 in one instruction each,
    // unsigned ones in five to seven (r > −0.5 was checked, so the index is not negative).
    let index = (r + 0.5) as i64;
    let j = index as f64;
    let index = index as usize;
    let fits =
        (r - j).abs() <= 1e-6 * (1.0 + j) && (cjj * inv_c - j * j).abs() <= 1e-6 * (1.0 + j * j);
    if fits { Ok(Some(index)) } else { Err(()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_registered_gather_of_a_site_is_found_and_two_are_ambiguous() {
        let mut gathers = Gathers::default();
        let found = gathers.lend(|| {
            register(Some("groups"), 3, &[2, 0, 1, 2]);
            register(None, 3, &[0, 0]);
            let taken = take().expect("a gather was registered");
            let found = taken
                .record_of("groups", 3)
                .map(|k| taken.indices(k).to_vec());
            let other_length = taken.record_of("groups", 4).is_some();
            put_back(taken);
            (found, other_length)
        });
        assert_eq!(found, (Some(vec![2, 0, 1, 2]), false));
        let ambiguous = gathers.lend(|| {
            register(Some("groups"), 3, &[0]);
            register(Some("groups"), 3, &[1]);
            let taken = take().expect("gathers were registered");
            let found = taken.record_of("groups", 3).is_some();
            put_back(taken);
            found
        });
        assert!(!ambiguous, "two gathers of one site leave the index open");
        assert!(take().is_none(), "nothing is lent outside `lend`");
    }
}
