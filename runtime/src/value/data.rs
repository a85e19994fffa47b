//! [`Data`]: a model argument as the body sees it, `f64` underneath, never converted to duals.

use std::ops::Deref;

/// A borrowed model argument: a data vector (`Data<'_, DVector<f64>>`), a data matrix
/// (`Data<'_, DMatrix<f64>>`) or an index vector (`Data<'_, Vec<usize>>`).
///
/// `#[model]` binds arguments of these types to `Data` views, so that arithmetic with
/// parameters is written with operators (`x * beta`, `beta * nodegree`) and data used as a
/// distribution parameter needs no conversion. It derefs to the argument for reading
/// (`x.nrows()`, `nodegree[3]`).
///
/// ```
/// use doppl_runtime::value::{Data, Vector};
/// use nalgebra::{dmatrix, dvector};
/// let x = dmatrix![1.0, 2.0; 3.0, 4.0];
/// let beta = Vector::from(dvector![1.0, -1.0]);
/// let eta = Data::new(&x) * &beta + 0.5;
/// assert_eq!(eta.as_slice(), &[-0.5, -0.5]);
/// ```
#[derive(Debug)]
pub struct Data<'a, T: ?Sized> {
    value: &'a T,
    /// Which of the model's data arguments this is (set by `#[model]`), so that the
    /// derivative engine can find a data matrix again after a product
    /// ([`crate::gradient`]'s projected products).
    argument: Option<usize>,
}

impl<T: ?Sized> Clone for Data<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: ?Sized> Copy for Data<'_, T> {}

impl<'a, T: ?Sized> Data<'a, T> {
    /// A view of `value`.
    pub fn new(value: &'a T) -> Self {
        Data {
            value,
            argument: None,
        }
    }
    /// A view of the model's data argument number `index` (what
    /// [`crate::Model::data_matrix`] returns for a matrix). Generated code only: a wrong
    /// index is caught by the engine's gradient check, never read as another matrix's data.
    #[doc(hidden)]
    pub fn argument(value: &'a T, index: usize) -> Self {
        Data {
            value,
            argument: Some(index),
        }
    }
    /// The argument itself.
    pub fn get(self) -> &'a T {
        self.value
    }
    /// Which model argument this is, if `#[model]` made the view.
    pub(crate) fn argument_index(self) -> Option<usize> {
        self.argument
    }
}

impl<T: ?Sized> Deref for Data<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.value
    }
}
