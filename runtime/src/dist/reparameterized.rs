//! [`Reparameterized`]: families whose draws are a differentiable function of standard
//! normal noise, so that a guide can draw them and pass gradients through the draw.

use super::{DistError, Distribution, check_batch};
use crate::plate::{Plate, Unplated};
use crate::scalar::Scalar;
use crate::shape::Shape;
use crate::value::Vector;
use nalgebra::DVector;

/// A family whose value is `g(params, ε)` for one standard normal `ε` per element, with
/// `g` differentiable in the parameters: the pathwise (reparameterization) gradient of
/// Kingma & Welling (2014) flows through a draw. What a `#[guide]` may `sample!`.
///
/// ```
/// use doppl_runtime::dist::{LogNormal, Normal, Reparameterized};
/// let normal = Normal::<f64>::new(1.0, 2.0).unwrap();
/// assert_eq!(normal.rsample_at(0, 0.5), 2.0);
/// let log_normal = LogNormal::<f64>::new(0.0, 1.0).unwrap();
/// assert!((log_normal.rsample_at(0, 1.0) - 1f64.exp()).abs() < 1e-15);
/// ```
#[diagnostic::on_unimplemented(
    message = "a guide cannot draw `{Self}` by reparameterization",
    label = "a guide's `sample!` needs a family whose draw is a smooth function of its parameters",
    note = "guides draw Normal, LogNormal, HalfNormal and Delta (a point estimate) sites; discrete sites cannot be latent in SVI"
)]
pub trait Reparameterized<S: Scalar>: Distribution<S, Value = S> {
    /// Element `index`'s value for standard normal noise `eps` (element `index` of
    /// vectorized parameters).
    fn rsample_at(&self, index: usize, eps: f64) -> S;
}

/// The shapes a guide draws in: one value, or one per plate element.
pub trait GuideShape<S: Scalar, D: Reparameterized<S>>: Shape<S, D> {
    /// How many noises a draw takes.
    fn noise_len(self) -> usize;
    /// The draw for `noise` (of length [`GuideShape::noise_len`]).
    fn draw(self, d: &D, noise: &[f64]) -> Result<Self::Value, DistError>;
    /// The drawn reals, in order.
    fn reals(v: &Self::Value) -> &[S];
    /// The plate, for a draw per element.
    fn plate(self) -> Option<&'static str>;
    /// The weight of each drawn element's `ln q` term (`population / batch` on a batch).
    fn weight(self) -> f64;
}

impl<S: Scalar, D: Reparameterized<S>> GuideShape<S, D> for Unplated {
    fn noise_len(self) -> usize {
        1
    }
    fn draw(self, d: &D, noise: &[f64]) -> Result<S, DistError> {
        if let Some(len) = d.batch_len() {
            return Err(DistError::BatchedParameters {
                family: D::NAME,
                len,
            });
        }
        Ok(d.rsample_at(0, noise[0]))
    }
    fn reals(v: &S) -> &[S] {
        std::slice::from_ref(v)
    }
    fn plate(self) -> Option<&'static str> {
        None
    }
    fn weight(self) -> f64 {
        1.0
    }
}

impl<S: Scalar, D: Reparameterized<S>> GuideShape<S, D> for Plate {
    fn noise_len(self) -> usize {
        self.size
    }
    fn draw(self, d: &D, noise: &[f64]) -> Result<Vector<S>, DistError> {
        check_batch(d.batch_len(), self.size)?;
        let draws = (0..self.size).map(|i| d.rsample_at(i, noise[i]));
        let values = DVector::from_vec(crate::value::collect(self.size, draws));
        Ok(Vector::on_plate(values, self))
    }
    fn reals(v: &Vector<S>) -> &[S] {
        v.as_slice()
    }
    fn plate(self) -> Option<&'static str> {
        Some(self.name)
    }
    fn weight(self) -> f64 {
        Plate::weight(self)
    }
}
