//! [`Feature`]: one input column of a layer, data (`f64`) or model values (`S`).

use crate::scalar::Scalar;
use crate::value::{Data, Extent, ShapeError, Vector};
use nalgebra::{DMatrix, DVector};

/// One input of a layer applied per element of a plate: a column of data, kept `f64` (a
/// weight times a data value costs one tangent pass, not a dual product), or a vector of
/// model values such as a per-unit latent.
///
/// A model body converts with `.into()`:
/// `net.forward(w.as_slice(), &[x.into(), (&z).into()])` for a data argument `x` and a
/// plated site `z`. A plated site whose value is `f64` whatever the scalar (an observed
/// Bernoulli treatment) goes in through [`Feature::observed`], which keeps its plate.
///
/// ```
/// use doppl_runtime::nn::Feature;
/// use doppl_runtime::value::{Data, Vector};
/// use nalgebra::dvector;
/// let x = dvector![1.0, 2.0];
/// let z = Vector::from(vec![0.5, -0.5]);
/// let features: [Feature<'_, f64>; 2] = [Data::new(&x).into(), (&z).into()];
/// assert_eq!(features[0].len(), 2);
/// assert_eq!(features[1].get(1), Some(-0.5));
/// ```
#[derive(Debug)]
pub enum Feature<'a, S: Scalar> {
    /// A data column, on no particular plate.
    Data(&'a [f64]),
    /// Plated values that are `f64` whatever the scalar (an observed site).
    Observed(&'a Vector<f64>),
    /// Model values.
    Values(&'a Vector<S>),
}

impl<S: Scalar> Clone for Feature<'_, S> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<S: Scalar> Copy for Feature<'_, S> {}

/// A column's elements as the layer kernel reads them.
pub(super) enum Column<'a, S> {
    /// `f64` values.
    Data(&'a [f64]),
    /// Values of the scalar type.
    Values(&'a [S]),
}

impl<'a, S: Scalar> Feature<'a, S> {
    /// A data column.
    ///
    /// ```
    /// use doppl_runtime::nn::Feature;
    /// let f = Feature::<f64>::data(&[1.0, 2.0, 3.0]);
    /// assert_eq!((f.len(), f.get(2), f.get(3)), (3, Some(3.0), None));
    /// ```
    pub fn data(values: &'a [f64]) -> Self {
        Feature::Data(values)
    }

    /// An `f64` vector that keeps its plate (and its error, if an operation failed).
    ///
    /// ```
    /// use doppl_runtime::nn::Feature;
    /// use doppl_runtime::scalar::Dual;
    /// use doppl_runtime::value::Vector;
    /// use doppl_runtime::Plate;
    /// let t = Vector::on_plate(nalgebra::dvector![0.0, 1.0], Plate::new("units", 2));
    /// let f = Feature::<Dual<4>>::observed(&t);
    /// assert_eq!((f.extent().plate, f.get(1).unwrap().re), (Some("units"), 1.0));
    /// ```
    pub fn observed(values: &'a Vector<f64>) -> Self {
        Feature::Observed(values)
    }

    /// The columns of a data matrix, one feature each (covariates in the columns).
    ///
    /// ```
    /// use doppl_runtime::nn::Feature;
    /// let x = nalgebra::dmatrix![1.0, 2.0; 3.0, 4.0; 5.0, 6.0];
    /// let columns: Vec<Feature<'_, f64>> = Feature::columns(&x).collect();
    /// assert_eq!(columns.len(), 2);
    /// assert_eq!((columns[1].len(), columns[1].get(2)), (3, Some(6.0)));
    /// ```
    pub fn columns(x: &'a DMatrix<f64>) -> impl ExactSizeIterator<Item = Self> + 'a {
        let (n, values) = (x.nrows(), x.as_slice());
        (0..x.ncols()).map(move |k| Feature::Data(&values[k * n..(k + 1) * n]))
    }

    /// The number of elements (0 for a failed vector).
    ///
    /// ```
    /// use doppl_runtime::nn::Feature;
    /// assert_eq!(Feature::<f64>::data(&[0.0; 4]).len(), 4);
    /// ```
    pub fn len(&self) -> usize {
        self.extent().len
    }

    /// Whether there are no elements.
    ///
    /// ```
    /// use doppl_runtime::nn::Feature;
    /// assert!(Feature::<f64>::data(&[]).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Element `i` as the scalar type, if there is one.
    ///
    /// ```
    /// use doppl_runtime::nn::Feature;
    /// use doppl_runtime::scalar::Dual;
    /// let d = Feature::<Dual<2>>::data(&[1.5]).get(0).unwrap();
    /// assert_eq!((d.re, d.eps), (1.5, [0.0, 0.0]));
    /// ```
    pub fn get(&self, i: usize) -> Option<S> {
        match self.column() {
            Column::Data(d) => d.get(i).map(|&x| S::from_f64(x)),
            Column::Values(v) => v.get(i).copied(),
        }
    }

    /// The length and the plate, if known.
    ///
    /// ```
    /// use doppl_runtime::nn::Feature;
    /// let e = Feature::<f64>::data(&[1.0, 2.0]).extent();
    /// assert_eq!((e.len, e.plate), (2, None));
    /// ```
    pub fn extent(&self) -> Extent {
        match self {
            Feature::Data(d) => Extent {
                len: d.len(),
                plate: None,
            },
            Feature::Observed(v) => extent_of(v),
            Feature::Values(v) => extent_of(v),
        }
    }

    /// Why the operation that produced the values failed, if it did.
    ///
    /// ```
    /// use doppl_runtime::nn::Feature;
    /// use doppl_runtime::value::Vector;
    /// let bad = Vector::from(vec![1.0]) + Vector::from(vec![1.0, 2.0]);
    /// assert!(Feature::from(&bad).shape_error().is_some());
    /// ```
    pub fn shape_error(&self) -> Option<ShapeError> {
        match self {
            Feature::Data(_) => None,
            Feature::Observed(v) => v.shape_error(),
            Feature::Values(v) => v.shape_error(),
        }
    }

    pub(super) fn column(&self) -> Column<'a, S> {
        match *self {
            Feature::Data(d) => Column::Data(d),
            Feature::Observed(v) => Column::Data(v.as_slice()),
            Feature::Values(v) => Column::Values(v.as_slice()),
        }
    }
}

fn extent_of<T: nalgebra::Scalar>(v: &Vector<T>) -> Extent {
    Extent {
        len: v.len(),
        plate: v.plate(),
    }
}

impl<'a, S: Scalar> From<Data<'a, DVector<f64>>> for Feature<'a, S> {
    fn from(x: Data<'a, DVector<f64>>) -> Self {
        Feature::Data(x.get().as_slice())
    }
}

impl<'a, S: Scalar> From<&'a DVector<f64>> for Feature<'a, S> {
    fn from(x: &'a DVector<f64>) -> Self {
        Feature::Data(x.as_slice())
    }
}

impl<'a, S: Scalar> From<&'a [f64]> for Feature<'a, S> {
    fn from(x: &'a [f64]) -> Self {
        Feature::Data(x)
    }
}

impl<'a, S: Scalar> From<&'a Vector<S>> for Feature<'a, S> {
    fn from(v: &'a Vector<S>) -> Self {
        Feature::Values(v)
    }
}

/// The common length and plate of the columns: an error if one failed, if their lengths or
/// plates differ, or if there are none (the output length would be unknown).
pub(super) fn common_extent<S: Scalar>(columns: &[Feature<'_, S>]) -> Result<Extent, ShapeError> {
    let extent = |k: usize| {
        columns[k]
            .shape_error()
            .map_or(Ok(columns[k].extent()), Err)
    };
    if columns.is_empty() {
        return Err(ShapeError::TooFew {
            what: "features (a layer's outputs are as long as its features)",
            least: 1,
            found: 0,
        });
    }
    let mut common = extent(0)?;
    for k in 1..columns.len() {
        let next = extent(k)?;
        let plates_differ = matches!((common.plate, next.plate), (Some(p), Some(q)) if p != q);
        if next.len != common.len || plates_differ {
            return Err(ShapeError::Mismatch {
                op: "dense layer",
                left: common,
                right: next,
            });
        }
        common.plate = common.plate.or(next.plate);
    }
    Ok(common)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Plate;
    use crate::scalar::Dual;

    #[test]
    fn features_agree_on_length_and_plate_or_say_which_differ() {
        let x = nalgebra::dvector![1.0, 2.0, 3.0];
        let z = Vector::on_plate(
            DVector::from_element(3, Dual::<2>::constant(0.5)),
            Plate::new("units", 3),
        );
        let ok: [Feature<'_, Dual<2>>; 2] = [Data::new(&x).into(), (&z).into()];
        let e = common_extent(&ok[..]).unwrap();
        assert_eq!((e.len, e.plate), (3, Some("units")));
        let other = Vector::on_plate(
            DVector::from_element(3, Dual::<2>::constant(0.5)),
            Plate::new("groups", 3),
        );
        let bad: [Feature<'_, Dual<2>>; 2] = [(&z).into(), (&other).into()];
        let err = common_extent(&bad[..]).unwrap_err();
        assert!(
            matches!(
                err,
                ShapeError::Mismatch {
                    op: "dense layer",
                    ..
                }
            ),
            "{err}"
        );
        let short = [1.0, 2.0];
        let bad: [Feature<'_, Dual<2>>; 2] = [Feature::data(&short), (&z).into()];
        let ShapeError::Mismatch { left, right, .. } = common_extent(&bad[..]).unwrap_err() else {
            panic!("expected a mismatch");
        };
        assert_eq!((left.len, right.len, right.plate), (2, 3, Some("units")));
        let none: [Feature<'_, f64>; 0] = [];
        assert!(matches!(
            common_extent(&none[..]),
            Err(ShapeError::TooFew {
                least: 1,
                found: 0,
                ..
            })
        ));
    }

    #[test]
    fn a_failed_operand_reports_its_own_error() {
        let failed = Vector::from(vec![1.0]) + Vector::from(vec![1.0, 2.0]);
        let cause = failed.shape_error().unwrap();
        let data = [1.0];
        let features: [Feature<'_, f64>; 2] = [Feature::data(&data), Feature::observed(&failed)];
        assert_eq!(common_extent(&features[..]), Err(cause));
    }

    #[test]
    fn matrix_columns_are_the_column_major_slices() {
        let x = DMatrix::from_fn(4, 3, |i, j| (10 * i + j) as f64);
        let cols: Vec<Feature<'_, f64>> = Feature::columns(&x).collect();
        for (j, c) in cols.iter().enumerate() {
            assert_eq!(c.len(), 4);
            for i in 0..4 {
                assert_eq!(c.get(i), Some(x[(i, j)]));
            }
        }
        let empty = DMatrix::<f64>::zeros(0, 2);
        assert_eq!(
            Feature::<f64>::columns(&empty)
                .filter(|c| c.is_empty())
                .count(),
            2
        );
    }
}
