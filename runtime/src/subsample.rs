//! Subsampled plates: a step of stochastic variational inference sees a batch of a plate's
//! elements, with each element's log-density term weighted by `population / batch`.
//!
//! A model declares `let units = plate!(n, subsample = 256);` and restricts the data that
//! live on the plate with `let x = subsample!(x, units);` (Pyro's `subsample`, NumPyro's
//! `x[idx]`). Only an SVI step hands the body a batch ([`Batch`], given to
//! [`crate::handler::LogJoint::with_batch`]); every other run (NUTS, predictive, effects,
//! layout) sees the whole plate and the whole data, so a subsampled model is the same model
//! everywhere else. Inside a batch:
//! - latent sites on the plate take the batch's coordinates (the engine gathers them),
//! - observed and intervened values on the plate are gathered by the batch's indices,
//! - every term on the plate (prior, Jacobian, likelihood, `factor!`) is weighted by
//!   `n / b`, so the batch's log-density is an unbiased estimate of the whole one.

use crate::error::ModelError;
use crate::plate::Plate;
use crate::value::Data;
use nalgebra::{DMatrix, DVector};

/// A plate declared with `subsample = batch`, as a layout run records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SubsampledPlate {
    /// The plate.
    pub plate: &'static str,
    /// Its number of elements.
    pub population: usize,
    /// The batch size the model asks for (at most `population`).
    pub batch: usize,
}

/// The elements of each subsampled plate that one step sees.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Batch {
    plates: Vec<(SubsampledPlate, Vec<usize>)>,
    /// How the terms are weighted: as a random batch, or as one block of a whole pass.
    weighting: Weighting,
}

/// How a [`Batch`] weights the body's log-density terms.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Weighting {
    /// A random batch: each term on a subsampled plate counts `population / batch` times,
    /// every other term once.
    #[default]
    Subsample,
    /// One of the contiguous blocks a whole evaluation is split into
    /// ([`Batch::set_block`]): the block's terms count once, the terms outside the
    /// batch's plates only in the block that starts at element 0.
    Block {
        /// Whether this block starts at element 0.
        first: bool,
    },
}

impl Batch {
    /// No plate subsampled.
    pub fn new() -> Self {
        Batch::default()
    }
    /// Sets the elements of `plate` this step sees (replacing earlier ones), reusing the
    /// buffer.
    pub fn set(&mut self, plate: SubsampledPlate, indices: impl IntoIterator<Item = usize>) {
        let at = self.plates.iter().position(|(p, _)| p.plate == plate.plate);
        let (entry, buffer) = match at {
            Some(k) => {
                let (entry, buffer) = &mut self.plates[k];
                (entry, buffer)
            }
            None => {
                self.plates.push((plate, Vec::new()));
                let (entry, buffer) = self.plates.last_mut().expect("just pushed");
                (entry, buffer)
            }
        };
        *entry = plate;
        buffer.clear();
        buffer.extend(indices);
        // A batch set this way is a random batch, whatever it was before.
        self.weighting = Weighting::Subsample;
    }
    /// Sets the batch to the contiguous elements `elements` of `plate`, one block of an
    /// evaluation of the whole plate split into blocks so that its vectors stay in cache
    /// ([`crate::gradient`]): the block's terms are not weighted, and the terms outside the
    /// plate (the globals' priors, other plates) count in the block starting at 0 only, so
    /// that the blocks' sum is the whole log-density.
    ///
    /// ```
    /// use doppl_runtime::subsample::{Batch, SubsampledPlate};
    /// let units = SubsampledPlate { plate: "units", population: 10, batch: 10 };
    /// let mut batch = Batch::new();
    /// batch.set_block(units, 4..8);
    /// assert_eq!(batch.indices("units"), Some(&[4, 5, 6, 7][..]));
    /// assert_eq!(batch.term_weight(Some("units")), 1.0);
    /// assert_eq!(batch.term_weight(None), 0.0);
    /// batch.set_block(units, 0..4);
    /// assert_eq!(batch.term_weight(None), 1.0);
    /// // `set` makes it a random batch again: its terms weighted by 10 / 2.
    /// batch.set(units, [8, 9]);
    /// assert_eq!((batch.term_weight(Some("units")), batch.term_weight(None)), (5.0, 1.0));
    /// ```
    pub fn set_block(&mut self, plate: SubsampledPlate, elements: std::ops::Range<usize>) {
        let first = elements.start == 0;
        self.set(plate, elements);
        self.weighting = Weighting::Block { first };
    }
    /// The weight of a log-density term on `plate` (`None`: on no plate): `population /
    /// batch` on a randomly subsampled plate, 1 elsewhere; in a block
    /// ([`Batch::set_block`]), 1 on the block's plate and, off it, 1 in the first block and
    /// 0 in the others.
    pub fn term_weight(&self, plate: Option<&str>) -> f64 {
        match (self.weighting, plate) {
            (Weighting::Subsample, Some(plate)) => self.weight(plate),
            (Weighting::Subsample, None) => 1.0,
            (Weighting::Block { first }, plate) => {
                let on_block = plate.is_some_and(|p| self.indices(p).is_some());
                if on_block || first { 1.0 } else { 0.0 }
            }
        }
    }
    /// Whether this is a block of a whole evaluation ([`Batch::set_block`]).
    pub fn is_block(&self) -> bool {
        self.weighting != Weighting::Subsample
    }
    /// The elements of `plate` a block ([`Batch::set_block`]) covers and the plate's
    /// population; `None` on a random batch or for another plate.
    ///
    /// ```
    /// use doppl_runtime::subsample::{Batch, SubsampledPlate};
    /// let units = SubsampledPlate { plate: "units", population: 10, batch: 10 };
    /// let mut batch = Batch::new();
    /// batch.set_block(units, 4..8);
    /// assert_eq!(batch.block("units"), Some((4..8, 10)));
    /// assert_eq!(batch.block("other"), None);
    /// // No element: a run of the terms off the plate (the first block's).
    /// batch.set_block(units, 0..0);
    /// assert_eq!((batch.block("units"), batch.term_weight(None)), (Some((0..0, 10)), 1.0));
    /// batch.set(units, [4, 5]);
    /// assert_eq!(batch.block("units"), None);
    /// ```
    pub fn block(&self, plate: &str) -> Option<(std::ops::Range<usize>, usize)> {
        if self.weighting == Weighting::Subsample {
            return None;
        }
        let (p, indices) = self.plates.iter().find(|(p, _)| p.plate == plate)?;
        // An empty block (the terms off the plate alone) starts at 0.
        let start = indices.first().copied().unwrap_or(0);
        Some((start..start + indices.len(), p.population))
    }
    /// The elements of `plate` this step sees, if it is subsampled.
    pub fn indices(&self, plate: &str) -> Option<&[usize]> {
        let entry = self.plates.iter().find(|(p, _)| p.plate == plate);
        entry.map(|(_, indices)| indices.as_slice())
    }
    /// The weight of a term on `plate`: `population / batch` when subsampled, else 1.
    pub fn weight(&self, plate: &str) -> f64 {
        let entry = self.plates.iter().find(|(p, _)| p.plate == plate);
        match entry {
            Some((p, indices)) if !indices.is_empty() => p.population as f64 / indices.len() as f64,
            _ => 1.0,
        }
    }
    /// `plate` as the body sees it in this batch; an error if an index is out of range.
    pub(crate) fn plate(&self, plate: Plate) -> Result<Plate, ModelError> {
        let Some(indices) = self.indices(plate.name) else {
            return Ok(plate);
        };
        match indices.iter().find(|&&i| i >= plate.population) {
            Some(&i) => Err(ModelError::Shape {
                site: plate.name,
                plate: plate.name,
                expected: plate.population,
                found: i + 1,
            }),
            None => Ok(plate.batch_of(indices.len())),
        }
    }
}

/// Checks a `plate!(n, subsample = batch)` request: a batch of at least one element.
pub fn checked_batch(plate: Plate, batch: usize) -> Result<SubsampledPlate, ModelError> {
    if batch == 0 {
        return Err(ModelError::EmptySubsample { plate: plate.name });
    }
    Ok(SubsampledPlate {
        plate: plate.name,
        population: plate.population,
        batch: batch.min(plate.population),
    })
}

/// Data that live on a plate, one row or element per plate element, and can be restricted
/// to a batch of them.
#[diagnostic::on_unimplemented(
    message = "`subsample!` cannot restrict a `{Self}`",
    note = "data on a plate are a `DVector<f64>`, a `DMatrix<f64>` (one row per element) or a `Vec<usize>`"
)]
pub trait Subsample: Sized {
    /// The number of plate elements the data cover.
    fn elements(&self) -> usize;
    /// The data of elements `indices`, in that order.
    fn gather(&self, indices: &[usize]) -> Self;
}

impl Subsample for DVector<f64> {
    fn elements(&self) -> usize {
        self.len()
    }
    fn gather(&self, indices: &[usize]) -> Self {
        match contiguous(indices) {
            Some(rows) => DVector::from_column_slice(&self.as_slice()[rows]),
            None => DVector::from_iterator(indices.len(), indices.iter().map(|&i| self[i])),
        }
    }
}

impl Subsample for DMatrix<f64> {
    fn elements(&self) -> usize {
        self.nrows()
    }
    fn gather(&self, indices: &[usize]) -> Self {
        let Some(rows) = contiguous(indices) else {
            return DMatrix::from_fn(indices.len(), self.ncols(), |r, c| self[(indices[r], c)]);
        };
        // Column-major: each column's rows are one slice.
        let (n, len) = (self.nrows(), rows.len());
        let mut block = DMatrix::zeros(len, self.ncols());
        for (c, column) in block.as_mut_slice().chunks_mut(len.max(1)).enumerate() {
            let start = c * n + rows.start;
            column.copy_from_slice(&self.as_slice()[start..start + len]);
        }
        block
    }
}

impl Subsample for Vec<usize> {
    fn elements(&self) -> usize {
        self.len()
    }
    fn gather(&self, indices: &[usize]) -> Self {
        match contiguous(indices) {
            Some(rows) => self[rows].to_vec(),
            None => indices.iter().map(|&i| self[i]).collect(),
        }
    }
}

/// The range `indices` covers when they are consecutive (a block of a plate,
/// [`Batch::set_block`]): their data are then copied as one slice, not gathered one by one.
fn contiguous(indices: &[usize]) -> Option<std::ops::Range<usize>> {
    let start = *indices.first()?;
    // Without early exit: a block's indices are all consecutive, so every one is compared
    // anyway, and a loop without a branch per index took 8 instructions per index, not 12
    // (checked at every evaluation of every block).
    let consecutive = (indices.iter().zip(start..)).fold(true, |ok, (&i, k)| ok & (i == k));
    consecutive.then(|| start..start + indices.len())
}

/// What `let x = subsample!(x, units);` keeps: the data themselves when the plate is not
/// subsampled in this run, else the batch's copy.
#[derive(Debug)]
pub enum Subsampled<'a, T> {
    /// The whole data (every run but an SVI step).
    Whole(Data<'a, T>),
    /// The rows of this step's batch.
    Batch(T),
}

impl<'a, T: Subsample> Subsampled<'a, T> {
    /// `data` restricted to `plate`'s batch `indices` (none: the whole data); an error naming
    /// `name` if the data do not have one element per plate element.
    pub fn new(
        name: &'static str,
        data: Data<'a, T>,
        plate: Plate,
        indices: Option<&[usize]>,
    ) -> Result<Self, ModelError> {
        let found = data.elements();
        if found != plate.population {
            return Err(ModelError::Shape {
                site: name,
                plate: plate.name,
                expected: plate.population,
                found,
            });
        }
        Ok(match indices {
            Some(indices) if plate.is_subsampled() => Subsampled::Batch(data.gather(indices)),
            _ => Subsampled::Whole(data),
        })
    }
    /// The view the body computes with.
    pub fn view(&self) -> Data<'_, T> {
        match self {
            Subsampled::Whole(data) => *data,
            Subsampled::Batch(rows) => Data::new(rows),
        }
    }
}

/// A known value of a site on `plate` (observed or intervened, one entry per element of the
/// whole plate) restricted to the batch `indices`; an error naming `site` if it has not one
/// entry per element.
pub fn gather_elements<T: Clone>(
    site: &'static str,
    plate: Plate,
    elements: &[T],
    indices: &[usize],
) -> Result<Vec<T>, ModelError> {
    if elements.len() != plate.population {
        return Err(ModelError::Shape {
            site,
            plate: plate.name,
            expected: plate.population,
            found: elements.len(),
        });
    }
    Ok(match contiguous(indices) {
        Some(rows) => elements[rows].to_vec(),
        None => indices.iter().map(|&i| elements[i].clone()).collect(),
    })
}

/// A site's known value (one entry per element of the whole plate) as the batch sees it:
/// `None` when the site's plate is not subsampled in this run (use the value as it is).
pub(crate) fn batch_value<S, D, P>(
    site: &'static str,
    shape: P,
    value: &P::Plain,
    indices: Option<&[usize]>,
) -> Result<Option<P::Plain>, ModelError>
where
    S: crate::scalar::Scalar,
    D: crate::dist::Distribution<S>,
    P: crate::shape::Shape<S, D>,
{
    let (Some(plate), Some(indices)) = (shape.plate().filter(|p| p.is_subsampled()), indices)
    else {
        return Ok(None);
    };
    let elements = gather_elements(site, plate, P::elements(value), indices)?;
    Ok(shape.assemble(elements))
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::dmatrix;

    #[test]
    fn data_are_gathered_by_row_and_weights_are_population_over_batch() {
        let x = dmatrix![1.0, 2.0; 3.0, 4.0; 5.0, 6.0];
        let plate = Plate::new("units", 3);
        let mut batch = Batch::new();
        let request = checked_batch(plate, 2).unwrap();
        batch.set(request, [2, 0]);
        let seen = batch.plate(plate).unwrap();
        assert_eq!((seen.size, seen.population, seen.weight()), (2, 3, 1.5));
        assert_eq!(batch.weight("units"), 1.5);
        let kept = Subsampled::new("x", Data::new(&x), seen, batch.indices("units")).unwrap();
        assert_eq!(*kept.view(), dmatrix![5.0, 6.0; 1.0, 2.0]);
        // Not subsampled in this run: the data themselves.
        let whole = Subsampled::new("x", Data::new(&x), plate, None).unwrap();
        assert!(matches!(whole, Subsampled::Whole(_)));
    }

    #[test]
    fn mismatched_data_empty_batches_and_stray_indices_are_typed_errors() {
        let plate = Plate::new("units", 3);
        let short = DVector::from_vec(vec![1.0, 2.0]);
        let e = Subsampled::new("w", Data::new(&short), plate, None).unwrap_err();
        assert!(matches!(
            e,
            ModelError::Shape {
                site: "w",
                expected: 3,
                found: 2,
                ..
            }
        ));
        assert!(matches!(
            checked_batch(plate, 0),
            Err(ModelError::EmptySubsample { plate: "units" })
        ));
        let mut batch = Batch::new();
        batch.set(checked_batch(plate, 2).unwrap(), [0, 7]);
        assert!(batch.plate(plate).is_err());
        let e = gather_elements("y", plate, &[1.0, 2.0], &[0]).unwrap_err();
        assert!(matches!(e, ModelError::Shape { site: "y", .. }));
    }
}
