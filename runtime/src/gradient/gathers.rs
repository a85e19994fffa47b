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

use crate::loan;
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
