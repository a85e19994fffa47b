//! [`Plate`]: a declared index set whose elements are conditionally independent.

use crate::error::ModelError;

/// A plate: `size` conditionally independent elements (NumPyro's `plate`).
///
/// A site sampled on a plate has one element per index and elementwise parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plate {
    /// The name the plate is bound to in the model.
    pub name: &'static str,
    /// The number of elements.
    pub size: usize,
}

impl Plate {
    /// A plate of `size` elements.
    pub fn new(name: &'static str, size: usize) -> Self {
        Plate { name, size }
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
