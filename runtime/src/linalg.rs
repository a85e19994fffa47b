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
        // Column-major: one axpy per column keeps the data access contiguous.
        for (j, b) in beta.iter().enumerate() {
            for (o, &xij) in out.iter_mut().zip(self.column(j).iter()) {
                *o = o.add_scaled(xij, *b);
            }
        }
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
        self.map(|v| s * v)
    }
    fn mul_elem<S: Scalar>(&self, w: &DVector<S>) -> DVector<S> {
        assert_eq!(
            self.len(),
            w.len(),
            "elementwise product of vectors of lengths {} and {}",
            self.len(),
            w.len()
        );
        self.zip_map(w, |a, b| b * a)
    }
    fn lift<S: Scalar>(&self) -> DVector<S> {
        self.map(S::from_f64)
    }
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
            Param::Const(k) => self.map(|v| v + k),
            Param::Scalar(p) => self.map(|v| v + p),
            Param::Vector(w) => self + w,
        }
    }
    fn exp(&self) -> DVector<S> {
        self.map(Scalar::exp)
    }
    fn sigmoid(&self) -> DVector<S> {
        self.map(Scalar::sigmoid)
    }
    fn softplus(&self) -> DVector<S> {
        self.map(Scalar::softplus)
    }
}
