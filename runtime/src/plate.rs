//! [`Plate`]: a declared index set whose elements are conditionally independent.

use crate::error::ModelError;

/// A plate: `size` conditionally independent elements (NumPyro's `plate`).
///
/// A site sampled on a plate has one element per index and elementwise parameters. A plate
/// declared with `plate!(n, subsample = b)` runs, inside an SVI step, on a batch of `b` of
/// its `n` elements ([`crate::subsample`]): then `size` is the batch's size, `population`
/// stays `n`, and every log-density term on the plate is weighted by `n / b`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plate {
    /// The name the plate is bound to in the model.
    pub name: &'static str,
    /// The number of elements the body sees (a batch's size when subsampled).
    pub size: usize,
    /// The number of elements of the whole plate.
    pub population: usize,
}

impl Plate {
    /// A plate of `size` elements.
    pub fn new(name: &'static str, size: usize) -> Self {
        Plate {
            name,
            size,
            population: size,
        }
    }
    /// The plate seen through a batch of `batch` of its elements.
    pub(crate) fn batch_of(self, batch: usize) -> Self {
        Plate {
            size: batch,
            population: self.population,
            ..self
        }
    }
    /// Whether the body sees a batch of the plate's elements rather than all of them.
    pub fn is_subsampled(self) -> bool {
        self.size != self.population
    }
    /// The weight `population / size` of each element's log-density term (1 unless
    /// subsampled): the batch's sum estimates the whole plate's sum without bias.
    ///
    /// ```
    /// use doppl_runtime::Plate;
    /// assert_eq!(Plate::new("units", 40).weight(), 1.0);
    /// ```
    pub fn weight(self) -> f64 {
        if self.is_subsampled() && self.size > 0 {
            self.population as f64 / self.size as f64
        } else {
            1.0
        }
    }
    /// A [`ModelError::Shape`] naming `site` unless `len` is the plate's size.
    pub(crate) fn check_len(self, site: &'static str, len: usize) -> Result<(), ModelError> {
        if len == self.size {
            return Ok(());
        }
        Err(ModelError::Shape {
            site,
            plate: self.name,
            expected: self.size,
            found: len,
        })
    }
}

/// The shape of a site that is not on a plate: one value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Unplated;
