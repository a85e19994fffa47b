//! Mixed linear algebra between `f64` data and parameter vectors, so model code never
//! converts data to duals and products skip the zero tangent parts of data.

use crate::dist::{IntoParam, Param};
use crate::scalar::Scalar;
use nalgebra::{DMatrix, DVector};

/// Operations of a data matrix on parameter vectors.
pub trait DataMatrix {
    /// X · β for data X and parameters β.
    ///
    /// ```
    /// use doppl_runtime::linalg::DataMatrix;
    /// use nalgebra::{dmatrix, dvector};
    /// let x = dmatrix![1.0, 2.0; 3.0, 4.0];
    /// assert_eq!(x.mul_params(&dvector![1.0, -1.0]), dvector![-1.0, -1.0]);
    /// ```
    fn mul_params<S: Scalar>(&self, beta: &DVector<S>) -> DVector<S>;
}

impl DataMatrix for DMatrix<f64> {
    fn mul_params<S: Scalar>(&self, beta: &DVector<S>) -> DVector<S> {
        assert_eq!(
            self.ncols(),
            beta.len(),
            "X has {} columns but β has {} entries",
            self.ncols(),
            beta.len()
        );
        let mut out = DVector::from_element(self.nrows(), S::zero());
        S::add_data_matvec(out.as_mut_slice(), self.as_slice(), beta.as_slice());
        out
    }
}

/// Operations of a data vector with parameters.
pub trait DataVector {
    /// s · v for a parameter scalar s.
    fn scale_by<S: Scalar>(&self, s: S) -> DVector<S>;
    /// v ⊙ w elementwise for a parameter vector w.
    fn mul_elem<S: Scalar>(&self, w: &DVector<S>) -> DVector<S>;
    /// The data as constants of scalar type `S`.
    fn lift<S: Scalar>(&self) -> DVector<S>;
}

impl DataVector for DVector<f64> {
    fn scale_by<S: Scalar>(&self, s: S) -> DVector<S> {
        map_slice(self, |&v| s * v)
    }
    fn mul_elem<S: Scalar>(&self, w: &DVector<S>) -> DVector<S> {
        assert_eq!(
            self.len(),
            w.len(),
            "elementwise product of vectors of lengths {} and {}",
            self.len(),
            w.len()
        );
        zip_slices(self, w, |a, b| b * a)
    }
    fn lift<S: Scalar>(&self) -> DVector<S> {
        map_slice(self, |&v| S::from_f64(v))
    }
}

/// `f` of every element. Goes through the contiguous slice: nalgebra's `map` walks a
/// strided index per element and does not vectorize.
#[inline]
fn map_slice<A: nalgebra::Scalar, B: nalgebra::Scalar>(
    v: &DVector<A>,
    f: impl FnMut(&A) -> B,
) -> DVector<B> {
    DVector::from_vec(v.as_slice().iter().map(f).collect())
}

/// `f` of every pair of elements of two vectors of equal length.
#[inline]
fn zip_slices<A: nalgebra::Scalar, B: nalgebra::Scalar, C: nalgebra::Scalar>(
    a: &DVector<A>,
    b: &DVector<B>,
    mut f: impl FnMut(A, B) -> C,
) -> DVector<C> {
    let pairs = a.as_slice().iter().zip(b.as_slice());
    DVector::from_vec(pairs.map(|(x, y)| f(x.clone(), y.clone())).collect())
}

/// Elementwise functions of parameter vectors.
pub trait ParamVector<S: Scalar> {
    /// v + c for a constant, a scalar parameter or (elementwise) a vector.
    fn plus(&self, c: impl IntoParam<S>) -> DVector<S>;
    /// e^v elementwise.
    fn exp(&self) -> DVector<S>;
    /// The logistic function elementwise.
    fn sigmoid(&self) -> DVector<S>;
    /// ln(1 + e^v) elementwise.
    fn softplus(&self) -> DVector<S>;
}

impl<S: Scalar> ParamVector<S> for DVector<S> {
    fn plus(&self, c: impl IntoParam<S>) -> DVector<S> {
        match c.into_param() {
            Param::Const(k) => map_slice(self, |v| *v + k),
            Param::Scalar(p) => map_slice(self, |v| *v + p),
            Param::Vector(mut w) => {
                assert_eq!(
                    self.len(),
                    w.len(),
                    "sum of vectors of lengths {} and {}",
                    self.len(),
                    w.len()
                );
                // Reuse the owned operand's buffer instead of allocating a third vector.
                for (wi, v) in w.as_mut_slice().iter_mut().zip(self.as_slice()) {
                    *wi = *v + *wi;
                }
                w
            }
        }
    }
    fn exp(&self) -> DVector<S> {
        map_slice(self, |v| v.exp())
    }
    fn sigmoid(&self) -> DVector<S> {
        map_slice(self, |v| v.sigmoid())
    }
    fn softplus(&self) -> DVector<S> {
        map_slice(self, |v| v.softplus())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scalar::{Dual, MATVEC_BLOCK};

    /// The dual kernel (value parts apart, tangents only where seeded) against the plain
    /// per-element definition, over unseeded, one-lane and dense coefficients and a row
    /// count that leaves a partial block.
    #[test]
    fn dual_mul_params_matches_the_elementwise_definition() {
        let (n, k) = (2 * MATVEC_BLOCK + 37, 4);
        let x = DMatrix::from_fn(n, k, |i, j| ((i * 7 + j * 3) % 11) as f64 - 5.0);
        let mut beta = DVector::from_fn(k, |j, _| Dual::<3>::constant(0.5 - j as f64));
        beta[1].eps[2] = 1.0;
        beta[2].eps = [0.25, -1.0, 2.0];
        let out = x.mul_params(&beta);
        for i in 0..n {
            let mut expected = Dual::<3>::constant(0.0);
            for j in 0..k {
                expected += beta[j] * x[(i, j)];
            }
            assert_eq!(out[i].re, expected.re, "row {i}");
            assert_eq!(out[i].eps, expected.eps, "row {i}");
        }
    }

    #[test]
    fn plus_adds_constants_scalars_and_vectors() {
        let v = DVector::from_vec(vec![1.0, 2.0]);
        assert_eq!(v.plus(1.0), DVector::from_vec(vec![2.0, 3.0]));
        assert_eq!(v.plus(&v), DVector::from_vec(vec![2.0, 4.0]));
        let s = Dual::<1>::variable(3.0, 0);
        let w = DataVector::lift::<Dual<1>>(&v).plus(s);
        assert_eq!((w[1].re, w[1].eps), (5.0, [1.0]));
    }
}
