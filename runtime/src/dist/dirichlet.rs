//! The Dirichlet distribution on the probability simplex.

use super::common::{draw_gamma, out_of_support, require_vector, vector_plate_sum};
use super::{DistError, Distribution, IntoParam, Support, check_batch};
use crate::scalar::Scalar;
use crate::transform::StickBreaking;
use nalgebra::DVector;
use rand::Rng;

const FAMILY: &str = "Dirichlet";

/// How far a value's entries may sum from 1 and still be on the simplex (rounded data).
const SIMPLEX_TOLERANCE: f64 = 1e-6;

/// Dirichlet(concentration α): density Γ(Σα) / Π Γ(αᵢ) · Π xᵢ^(αᵢ − 1) on the simplex
/// {x : xᵢ > 0, Σ xᵢ = 1} of dimension K = α.len() ≥ 2.
///
/// A value is one vector, so a Dirichlet is not batch-vectorized; a plate sums over a
/// vector of simplex values with ln Γ terms computed once. Latent values take K − 1
/// unconstrained reals through the stick-breaking transform.
///
/// ```
/// use doppl_runtime::dist::{Dirichlet, Distribution};
/// use nalgebra::dvector;
/// let d = Dirichlet::<f64>::new(dvector![1.0, 1.0, 1.0]).unwrap();
/// // uniform on the 2-simplex: density Γ(3) = 2
/// assert!((d.log_prob(&dvector![0.2, 0.3, 0.5]).unwrap() - 2f64.ln()).abs() < 1e-14);
/// assert!(d.log_prob(&dvector![0.2, 0.3, 0.6]).is_err());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Dirichlet<S: nalgebra::Scalar> {
    concentration: DVector<S>,
    /// ln Γ(Σα) − Σ ln Γ(αᵢ), computed once at construction.
    log_norm: S,
}

impl<S: Scalar> Dirichlet<S> {
    /// Dirichlet with a concentration vector of at least two entries, each finite and > 0.
    pub fn new(concentration: impl IntoParam<S>) -> Result<Self, DistError> {
        let concentration = require_vector(FAMILY, "concentration", concentration.into_param()?)?;
        if concentration.len() < 2 {
            return Err(DistError::Shape {
                expected: 2,
                found: concentration.len(),
            });
        }
        let bad = |a: &S| !(a.re() > 0.0 && a.re().is_finite());
        if let Some(i) = concentration.iter().position(bad) {
            return Err(DistError::InvalidParameter {
                family: FAMILY,
                param: "concentration",
                index: Some(i),
                value: concentration[i].re(),
                requirement: "finite and > 0",
            });
        }
        let total: S = concentration.iter().copied().sum();
        let log_norm = total.ln_gamma() - concentration.iter().map(|a| a.ln_gamma()).sum::<S>();
        Ok(Dirichlet {
            concentration,
            log_norm,
        })
    }

    /// K, the length of a value.
    pub fn dim(&self) -> usize {
        self.concentration.len()
    }

    fn check_simplex(&self, x: &[f64]) -> Result<(), DistError> {
        if x.len() != self.dim() {
            return Err(DistError::Shape {
                expected: self.dim(),
                found: x.len(),
            });
        }
        if let Some(&bad) = x.iter().find(|v| !(**v > 0.0 && v.is_finite())) {
            return Err(out_of_support(
                FAMILY,
                bad,
                Support::Simplex(x.len()).describe(),
            ));
        }
        let sum: f64 = x.iter().sum();
        if (sum - 1.0).abs() > SIMPLEX_TOLERANCE {
            return Err(out_of_support(
                FAMILY,
                sum,
                "a vector of positive numbers summing to 1 (the value shown is the sum)",
            ));
        }
        Ok(())
    }

    /// Σ (αᵢ − 1) ln xᵢ, after checking that `x` is on the simplex.
    fn kernel(&self, x: &DVector<S>) -> Result<S, DistError> {
        let plain: Vec<f64> = x.iter().map(|v| v.re()).collect();
        self.check_simplex(&plain)?;
        let mut acc = S::zero();
        for (a, v) in self.concentration.iter().zip(x.iter()) {
            acc += (*a - 1.0) * v.ln();
        }
        Ok(acc)
    }
}

impl<S: Scalar> Distribution<S> for Dirichlet<S> {
    type Value = DVector<S>;
    type Plain = DVector<f64>;
    const NAME: &'static str = FAMILY;

    fn support(&self) -> Support {
        Support::Simplex(self.dim())
    }
    fn batch_len(&self) -> Option<usize> {
        None
    }
    fn lift(v: &DVector<f64>) -> DVector<S> {
        v.map(S::from_f64)
    }
    fn lower(v: &DVector<S>) -> DVector<f64> {
        v.map(|x| x.re())
    }
    fn log_prob(&self, v: &DVector<S>) -> Result<S, DistError> {
        Ok(self.kernel(v)? + self.log_norm)
    }
    fn log_prob_plate_local<L: crate::gradient::LocalTangents<S>>(
        &self,
        vs: &DVector<DVector<S>>,
        _locals: &mut L,
    ) -> Result<S, DistError> {
        Ok(vector_plate_sum(vs, |v| self.kernel(v))? + self.log_norm * vs.len() as f64)
    }
    /// Independent Gamma(αᵢ, 1) draws, normalised.
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> DVector<f64> {
        let draws = self.concentration.map(|a| draw_gamma(a.re(), 1.0, rng));
        let total = draws.sum();
        draws / total
    }
    fn sample_plate<R: Rng + ?Sized>(
        &self,
        n: usize,
        rng: &mut R,
    ) -> Result<DVector<DVector<f64>>, DistError> {
        check_batch(None, n)?;
        Ok(DVector::from_fn(n, |_, _| self.sample(rng)))
    }
    fn unconstrained_dim(&self) -> usize {
        self.dim() - 1
    }
    fn from_unconstrained(&self, u: &[S]) -> (DVector<S>, S) {
        StickBreaking::forward(u)
    }
    fn to_unconstrained(&self, v: &DVector<f64>, out: &mut [f64]) -> Result<(), DistError> {
        self.check_simplex(v.as_slice())?;
        StickBreaking::inverse(v.as_slice(), out);
        Ok(())
    }
}
