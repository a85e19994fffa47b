//! [`Reparameterized`]: families whose draws are a differentiable function of standard
//! normal noise, so that a guide can draw them and pass gradients through the draw.

use super::{DistError, Distribution, check_batch};
use crate::gradient::LocalTangents;
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

    /// `ln q` of the plate of draws that [`Reparameterized::rsample_at`] made from `noise`
    /// (element `i` from `noise[i]`), each element's term shown to `locals`, when the family
    /// has it in closed form in the noise; `None` to score the draws with the family's
    /// density. A location–scale draw `μ + σε` standardizes to `ε` itself whatever the
    /// parameters, so `ln q = ln φ(ε) − ln σ` has the density's value and derivatives
    /// without dividing and squaring the dual draws.
    fn log_prob_of_draws<L: LocalTangents<S>>(&self, noise: &[f64], locals: &mut L) -> Option<S> {
        let _ = (noise, locals);
        None
    }
}

/// `Σᵢ termᵢ` for `termᵢ = term(i, noise[i])`, each term read by `locals` before the sum
/// and the sum's shared lanes cleared after it.
pub(crate) fn sum_draw_terms<S: Scalar, L: LocalTangents<S>>(
    noise: &[f64],
    locals: &mut L,
    term: impl Fn(usize, f64) -> S,
) -> S {
    let mut sum = S::zero();
    for (i, &eps) in noise.iter().enumerate() {
        let t = term(i, eps);
        locals.read(i, &t, 1.0);
        sum += t;
    }
    locals.clear(&mut sum);
    sum
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::Normal;
    use crate::guide::{GuideReadOff, PlatedLane};
    use crate::scalar::Dual;
    use crate::shape::Shape;

    /// Element `i`'s location and log-scale seeded in lane 0 (shared, read off), a global
    /// shift of the log-scale in lane 1.
    fn amortized_normal(n: usize) -> Normal<Dual<2>> {
        let loc = (0..n).map(|i| Dual {
            re: 0.3 * i as f64 - 1.0,
            eps: [1.0, 0.0],
        });
        let scale = (0..n).map(|i| {
            let log_scale = Dual {
                re: 0.2 * i as f64 - 0.5,
                eps: [1.0, 1.0],
            };
            log_scale.exp()
        });
        let plate = Plate::new("units", n);
        let loc = Vector::on_plate(DVector::from_iterator(n, loc), plate);
        let scale = Vector::on_plate(DVector::from_iterator(n, scale), plate);
        Normal::new(loc, scale).unwrap()
    }

    #[test]
    fn a_normal_draws_closed_form_log_q_equals_its_density_at_the_draws() {
        let n = 7;
        let d = amortized_normal(n);
        let plate = Plate::new("units", n);
        let noise: Vec<f64> = (0..n).map(|i| (i as f64 * 1.7).sin() * 2.0).collect();
        let lanes = [PlatedLane {
            plate: "units",
            offset: 0,
            len: n,
            lane: 0,
        }];
        let (mut closed_grad, mut density_grad) = (vec![0.0; n], vec![0.0; n]);
        let closed = {
            let mut off = GuideReadOff::new(&lanes, &mut closed_grad, 1.0, None);
            d.log_prob_of_draws(&noise, &mut off.on_plate("units", -1.0))
                .unwrap()
        };
        let density = {
            let draws = GuideShape::draw(plate, &d, &noise).unwrap();
            let mut off = GuideReadOff::new(&lanes, &mut density_grad, 1.0, None);
            Shape::log_prob(plate, &d, &draws, &mut off.on_plate("units", -1.0)).unwrap()
        };
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-13 * (1.0 + b.abs());
        assert!(close(closed.re, density.re), "{closed:?} vs {density:?}");
        // Lane 0 is read off and cleared; the global lane is d/dshift Σ −ln σᵢ = −n.
        assert_eq!(closed.eps[0], 0.0);
        assert!(close(closed.eps[1], -(n as f64)), "{:?}", closed.eps);
        assert!(close(closed.eps[1], density.eps[1]));
        for (i, (a, b)) in closed_grad.iter().zip(&density_grad).enumerate() {
            // Read with sign −1: the term's derivative in the log-scale is −1.
            assert!(close(*a, 1.0) && close(*a, *b), "element {i}: {a} vs {b}");
        }
        // A shared scale keeps the family's sum of squares.
        let shared = Normal::<Dual<2>>::new(0.0, 2.0).unwrap();
        let none = shared.log_prob_of_draws(&noise, &mut crate::gradient::NoLocals);
        assert!(none.is_none());
    }
}
