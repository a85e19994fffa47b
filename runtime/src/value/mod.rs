//! The values model bodies compute with, and their operators.
//!
//! `#[model]` binds the model's data arguments (`DVector<f64>`, `DMatrix<f64>`, index
//! vectors `Vec<usize>`) to [`Data`] views, and plated sites and plated deterministic values
//! are [`Vector`]s that know their plate. Operators are implemented on these crate-local
//! types, so that a body generic over the scalar `S` reads like the math:
//!
//! ```
//! use doppl_runtime::value::{Data, Vector};
//! use doppl_runtime::scalar::{Dual, Scalar};
//! use nalgebra::{dmatrix, dvector};
//!
//! // The Lalonde predictor, written once for any scalar type.
//! fn mu<S: Scalar>(
//!     x: Data<'_, nalgebra::DMatrix<f64>>,
//!     nodegree: Data<'_, nalgebra::DVector<f64>>,
//!     treat: &Vector<f64>,
//!     (intercept, beta_treat, beta_interact): (S, S, S),
//!     beta_cov: &Vector<S>,
//! ) -> Vector<S> {
//!     intercept + x * beta_cov + treat * (beta_treat + beta_interact * nodegree)
//! }
//!
//! let x = dmatrix![1.0, 0.0; 0.0, 1.0];
//! let nodegree = dvector![1.0, 0.0];
//! let treat = Vector::from(dvector![1.0, 0.0]);
//! let beta_cov = Vector::from(dvector![0.5, -0.5]);
//! let m = mu(Data::new(&x), Data::new(&nodegree), &treat, (1.0, 2.0, 3.0), &beta_cov);
//! assert_eq!(m.as_slice(), &[1.0 + 0.5 + 2.0 + 3.0, 1.0 - 0.5]);
//!
//! // The same body with a dual intercept carries its derivative: ∂μᵢ/∂intercept = 1.
//! let beta_cov = beta_cov.map(|&b| Dual::<1>::constant(b));
//! let one = |v| Dual::<1>::constant(v);
//! let m = mu(Data::new(&x), Data::new(&nodegree), &treat,
//!            (Dual::variable(1.0, 0), one(2.0), one(3.0)), &beta_cov);
//! assert_eq!(m[1].eps, [1.0]);
//! ```
//!
//! The forms: `Vector ∘ Vector`, `Vector ∘ scalar`, `scalar ∘ Vector`, `Vector ∘ Data`,
//! `Data ∘ Vector`, `Data ∘ scalar`, `scalar ∘ Data`, `Data ∘ Data` for `∘ ∈ {+, −, ·, /}`
//! elementwise, `X · β` for a data matrix, `-v`, and the elementwise functions on
//! [`Vector`] (`exp`, `ln`, `sigmoid`, `softplus`, `log_sigmoid` …). Nothing is broadcast:
//! operands of different lengths or plates give a vector carrying a [`ShapeError`], reported
//! with the site that reads it. A scalar times data (`beta * x`, `x * beta`) is a [`Scaled`]:
//! the products are computed by the operation that uses them (`z + beta * x` in one pass),
//! and it takes part in every operator form a [`Vector`] does; of the elementwise
//! functions it has `exp`, `ln`, `tanh`, `sigmoid`, `softplus` and `log_sigmoid` (others
//! through [`Scaled::into_vector`]).
//!
//! Why not nalgebra's types directly: nalgebra does not multiply an `f64` matrix by a vector
//! of duals, and coherence forbids adding `impl Mul<&DVector<S>> for &DMatrix<f64>` for a
//! generic `S` outside nalgebra.

mod data;
mod error;
mod logistic;
mod mix;
mod ops;
mod pool;
mod scalar_left;
mod scaled;
mod unread;
mod vector;

pub use data::Data;
pub use error::{Extent, ShapeError};
pub use mix::{Mix, MixOperand};
pub use pool::{MAX_FREE_PER_TYPE, Workspace};
pub(crate) use pool::{buffer, collect, recycle};
pub use scalar_left::ScalarVectorOps;
pub use scaled::Scaled;
pub use unread::Unread;
pub use vector::Vector;
