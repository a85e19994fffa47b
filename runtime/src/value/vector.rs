//! [`Vector`]: one value per element of a plate, knowing its plate.

use super::data::Data;
use super::error::{Extent, ShapeError};
use super::pool;
use crate::plate::Plate;
use crate::scalar::Scalar;
use nalgebra::DVector;
use std::ops::Deref;

/// Values on a plate: a plated site's value, a plated deterministic value, the result of
/// arithmetic on them. Reads like a `DVector<T>` (it derefs to one: `v.len()`, `v[i]`,
/// `v.iter()`, `v.sum()`).
///
/// A vector knows the plate it lives on (when it came from a plated site) so that combining
/// values of different plates or lengths is found. Operators cannot return `Result`: a
/// failed operation yields an empty vector carrying its [`ShapeError`], which becomes a typed
/// error naming the site at the first site that reads it.
///
/// ```
/// use doppl_runtime::value::Vector;
/// use nalgebra::dvector;
/// let a = Vector::from(dvector![1.0, 2.0]);
/// let b = 2.0 * &a + 1.0;
/// assert_eq!(b.as_slice(), &[3.0, 5.0]);
/// let bad = &a + Vector::from(dvector![1.0, 2.0, 3.0]);
/// assert!(bad.shape_error().is_some());
/// ```
#[derive(Debug)]
pub struct Vector<T: nalgebra::Scalar> {
    pub(super) values: DVector<T>,
    pub(super) plate: Option<&'static str>,
    pub(super) error: Option<ShapeError>,
    /// Whether every element is `f64` data lifted into `T` (an observed site's value): its
    /// derivative part is zero, so a product with a scalar multiplies by the value alone.
    pub(super) lifted: bool,
}

impl<T: nalgebra::Scalar> Vector<T> {
    /// Values that live on `plate`.
    pub fn on_plate(values: DVector<T>, plate: Plate) -> Self {
        Vector {
            values,
            plate: Some(plate.name),
            error: None,
            lifted: false,
        }
    }
    /// The failed result of an operation.
    pub fn failed(error: ShapeError) -> Self {
        Vector {
            values: DVector::from_vec(Vec::new()),
            plate: None,
            error: Some(error),
            lifted: false,
        }
    }
    /// The plate the values live on, if known.
    pub fn plate(&self) -> Option<&'static str> {
        self.plate
    }
    /// Why an operation that produced this vector failed, if it did.
    pub fn shape_error(&self) -> Option<ShapeError> {
        self.error
    }
    /// The values as a `DVector`.
    pub fn into_dvector(mut self) -> DVector<T> {
        std::mem::replace(&mut self.values, DVector::from_vec(Vec::new()))
    }
    /// The values' buffer, to be written over by an operation (see [`pool`]).
    pub(super) fn into_buffer(self) -> Vec<T> {
        self.into_dvector().data.into()
    }
    /// Values in a buffer from the lent workspace ([`pool`]), with no plate.
    pub(crate) fn pooled(values: Vec<T>) -> Self {
        Vector::from(DVector::from_vec(values))
    }
    /// Values in a buffer from the lent workspace, on `plate` if known (results computed
    /// elementwise from operands on that plate).
    pub(crate) fn pooled_on(values: Vec<T>, plate: Option<&'static str>) -> Self {
        Vector::pooled(values).with_plate(plate)
    }
    /// The same values placed on `plate`; an error if the length or a known plate differs.
    pub fn placed(mut self, plate: Plate) -> Result<Self, ShapeError> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let fits = self.values.len() == plate.size && self.plate.is_none_or(|p| p == plate.name);
        if !fits {
            return Err(ShapeError::Mismatch {
                op: "placing on a plate",
                left: self.extent(),
                right: Extent {
                    len: plate.size,
                    plate: Some(plate.name),
                },
            });
        }
        self.plate = Some(plate.name);
        Ok(self)
    }
    /// The same values marked as data lifted into `T` (every derivative part zero).
    pub(crate) fn lifted_data(mut self) -> Self {
        self.lifted = true;
        self
    }
    /// The same values with `plate` as their plate.
    pub(super) fn with_plate(mut self, plate: Option<&'static str>) -> Self {
        self.plate = plate;
        self
    }
    pub(crate) fn extent(&self) -> Extent {
        Extent {
            len: self.values.len(),
            plate: self.plate,
        }
    }
    /// `f` of every element, on the same plate.
    pub fn map<U: nalgebra::Scalar>(&self, f: impl FnMut(&T) -> U) -> Vector<U> {
        let values = self.values.as_slice().iter().map(f);
        Vector {
            values: DVector::from_vec(pool::collect(self.values.len(), values)),
            plate: self.plate,
            error: self.error,
            lifted: false,
        }
    }
}

/// A copy's buffer comes from the lent workspace, if any.
impl<T: nalgebra::Scalar> Clone for Vector<T> {
    fn clone(&self) -> Self {
        let values = self.values.as_slice().iter().cloned();
        Vector {
            values: DVector::from_vec(pool::collect(self.values.len(), values)),
            plate: self.plate,
            error: self.error,
            lifted: self.lifted,
        }
    }
}

/// The buffer goes back to the lent workspace, if any.
impl<T: nalgebra::Scalar> Drop for Vector<T> {
    fn drop(&mut self) {
        let values = std::mem::replace(&mut self.values, DVector::from_vec(Vec::new()));
        pool::recycle::<T>(values.data.into());
    }
}

impl<T: nalgebra::Scalar> Deref for Vector<T> {
    type Target = DVector<T>;
    fn deref(&self) -> &DVector<T> {
        &self.values
    }
}

impl<T: nalgebra::Scalar> From<DVector<T>> for Vector<T> {
    fn from(values: DVector<T>) -> Self {
        Vector {
            values,
            plate: None,
            error: None,
            lifted: false,
        }
    }
}

impl<T: nalgebra::Scalar> From<Vec<T>> for Vector<T> {
    fn from(values: Vec<T>) -> Self {
        DVector::from_vec(values).into()
    }
}

impl<T: nalgebra::Scalar> From<Vector<T>> for DVector<T> {
    fn from(v: Vector<T>) -> Self {
        v.into_dvector()
    }
}

/// Vectors compare by their values (the plate is where they live, not what they are).
impl<T: nalgebra::Scalar> PartialEq for Vector<T> {
    fn eq(&self, other: &Self) -> bool {
        self.values == other.values && self.error == other.error
    }
}

impl<T: nalgebra::Scalar> PartialEq<DVector<T>> for Vector<T> {
    fn eq(&self, other: &DVector<T>) -> bool {
        self.error.is_none() && &self.values == other
    }
}

/// Elementwise functions a model needs, each a new vector on the same plate.
impl<S: Scalar> Vector<S> {
    /// eˣ elementwise.
    pub fn exp(&self) -> Self {
        self.map(|x| x.exp())
    }
    /// ln x elementwise.
    pub fn ln(&self) -> Self {
        self.map(|x| x.ln())
    }
    /// ln(1 + x) elementwise.
    pub fn ln_1p(&self) -> Self {
        self.map(|x| x.ln_1p())
    }
    /// √x elementwise.
    pub fn sqrt(&self) -> Self {
        self.map(|x| x.sqrt())
    }
    /// x² elementwise.
    pub fn square(&self) -> Self {
        self.map(|x| x.square())
    }
    /// |x| elementwise.
    pub fn abs(&self) -> Self {
        self.map(|x| x.abs())
    }
    /// tanh x elementwise.
    pub fn tanh(&self) -> Self {
        self.map(|x| x.tanh())
    }
    /// Σᵢ xᵢ yᵢ with a data vector. Mixes the plate's elements: a model that feeds it into
    /// a term outside the plate is differentiated on the dense path ([`crate::gradient`]).
    pub fn dot_data(&self, y: Data<'_, DVector<f64>>) -> S {
        let pairs = self.values.as_slice().iter().zip(y.as_slice());
        pairs.fold(S::zero(), |acc, (x, &yi)| acc.add_scaled(yi, *x))
    }
    /// `self[index[i]]` for every position `i` of an index vector (`alpha.gather(county)`):
    /// a group-level vector read through one group index per unit. An index past the end
    /// gives a vector carrying [`ShapeError::IndexOutOfRange`].
    pub fn gather(&self, index: Data<'_, Vec<usize>>) -> Self {
        if let Some(e) = self.error {
            return Self::failed(e);
        }
        let len = self.values.len();
        if let Some((position, &i)) = index.iter().enumerate().find(|(_, i)| **i >= len) {
            return Self::failed(ShapeError::IndexOutOfRange {
                position,
                index: i,
                len,
            });
        }
        // A read-off evaluation checks each unit's element against this index instead of
        // decoding it from the tangent (`crate::gradient::gathers`).
        crate::gradient::gathers::register(self.plate, len, &index);
        Vector::pooled(pool::collect(
            index.len(),
            index.iter().map(|&i| self.values[i]),
        ))
    }
}
