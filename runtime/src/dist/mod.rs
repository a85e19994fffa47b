//! Probability distributions: one family per file, validating constructors, log-densities
//! generic over the [`Scalar`], vectorized plate sums, sampling and supports.

mod bernoulli;
mod beta;
mod binomial;
mod categorical;
mod cauchy;
mod common;
mod delta;
mod dirichlet;
mod error;
mod exponential;
mod flat;
mod gamma;
mod half_cauchy;
mod half_normal;
mod half_student_t;
mod inverse_gamma;
mod log_normal;
mod multivariate_normal;
mod noise;
mod normal;
mod param;
mod poisson;
mod reparameterized;
mod student_t;
mod support;
mod uniform;

pub use bernoulli::Bernoulli;
pub use beta::Beta;
pub use binomial::{Binomial, TotalCount};
pub use categorical::Categorical;
pub use cauchy::Cauchy;
pub use delta::Delta;
pub use dirichlet::Dirichlet;
pub use error::DistError;
pub use exponential::Exponential;
pub use flat::{Flat, HalfFlat};
pub use gamma::Gamma;
pub use half_cauchy::HalfCauchy;
pub use half_normal::HalfNormal;
pub use half_student_t::HalfStudentT;
pub use inverse_gamma::InverseGamma;
pub use log_normal::LogNormal;
pub use multivariate_normal::MultivariateNormal;
pub use noise::LocationScale;
pub use normal::Normal;
pub use param::{IntoParam, Param};
pub use poisson::Poisson;
pub use reparameterized::{GuideShape, Reparameterized};
pub use student_t::StudentT;
pub use support::Support;
pub use uniform::Uniform;

use crate::gradient::{LocalLane, LocalTangents, NoLocals};
use crate::scalar::Scalar;
use nalgebra::DVector;
use rand::Rng;
use std::fmt::Debug;

/// A distribution family evaluated at scalar type `S`.
///
/// `Value` is what the model body sees (a dual for a continuous site when differentiating,
/// always `f64`/`u64` for a discrete one); `Plain` is the same value with `f64` numbers, the
/// type that `condition`, `intervene` and traces use.
///
/// Families are generic over exactly one type parameter, the scalar (`Normal<S>`): the
/// `#[model]` macro spells a site's value type as `<Family<f64> as Distribution<f64>>::Plain`.
pub trait Distribution<S: Scalar>: Sized {
    /// The value as the model body sees it.
    type Value: Clone
        + Debug
        + PartialEq
        + crate::intervention::ShiftValue
        + crate::value::Unread
        + 'static;
    /// The value with `f64` numbers.
    type Plain: Clone + Debug + PartialEq + Send + Sync + 'static;

    /// The family's name, for error messages.
    const NAME: &'static str;

    /// Where the values live; decides the unconstraining transform of a latent site. A
    /// family with [`Support::Real`] and one unconstrained coordinate must unconstrain by
    /// the identity (ln |J| = 0): plated latents rely on it to skip the Jacobian.
    fn support(&self) -> Support;

    /// The length of the vectorized parameters, `None` if all are scalar.
    fn batch_len(&self) -> Option<usize>;

    /// A data value as a model value (a constant, no derivative parts).
    fn lift(v: &Self::Plain) -> Self::Value;

    /// The value part of a model value.
    fn lower(v: &Self::Value) -> Self::Plain;

    /// ln p(v) for one value; vectorized parameters are an error here
    /// ([`DistError::BatchedParameters`]).
    fn log_prob(&self, v: &Self::Value) -> Result<S, DistError>;

    /// Σᵢ ln p(vᵢ) over a plate, parameter `i` of vectorized parameters going with `vᵢ`.
    /// Parameter-only terms (ln σ, ln Γ(α) …) are computed once, not once per element.
    fn log_prob_plate(&self, vs: &DVector<Self::Value>) -> Result<S, DistError> {
        self.log_prob_plate_local(vs, &mut NoLocals)
    }

    /// [`Distribution::log_prob_plate`], showing each element's contribution to `locals`
    /// (and clearing their shared lanes from the sum) so that the derivative engine can read
    /// per-element derivatives of local latents ([`crate::gradient`]).
    ///
    /// A family that cannot split its sum per element shows nothing: the engine then finds
    /// the shared lanes in the sum and falls back to the dense path, correct either way.
    fn log_prob_plate_local<L: LocalTangents<S>>(
        &self,
        vs: &DVector<Self::Value>,
        locals: &mut L,
    ) -> Result<S, DistError>;

    /// [`Distribution::log_prob_plate_local`] of a local latent's values given by its
    /// unconstrained coordinates `u` and the lane they are seeded in ([`LocalLane::seeder`]):
    /// the values are `u` for a real support and `e^u` for a positive one (every positive
    /// support unconstrains by `ln`).
    ///
    /// A family can often score the coordinates more cheaply than the values: the
    /// log-normal's density is a function of ln v = u (no `ln` and no product of duals per
    /// element, and exact where `e^u` would round); the normal's with one location and one
    /// scale is a function of Σ dᵢ and Σ dᵢ² for dᵢ = uᵢ − μ, whose derivatives along the
    /// seeds are the same for every element (`f64` work per element instead of dual). `None`
    /// (the default): score the values.
    ///
    /// ```
    /// use doppl_runtime::dist::{Distribution, LogNormal};
    /// use doppl_runtime::gradient::{LocalLane, NoLocals};
    /// use nalgebra::DVector;
    /// let d = LogNormal::<f64>::new(0.5, 2.0).unwrap();
    /// let u = [0.3, -1.2, 2.5];
    /// let lane = LocalLane { lane: 0, offset: 0, len: 3, index_lanes: None };
    /// let of_coordinates = d.log_prob_plate_of_coordinates(&u, lane, &mut NoLocals);
    /// let values = DVector::from_iterator(3, u.iter().map(|u| u.exp()));
    /// let of_values = d.log_prob_plate(&values).unwrap();
    /// assert!((of_coordinates.unwrap().unwrap() - of_values).abs() < 1e-12);
    /// // −Σ uᵢ − Σ (uᵢ − 0.5)² / 8 − 3 (ln 2 + ln √2π)
    /// let closed_form: f64 = u.iter().map(|u| -u - (u - 0.5f64).powi(2) / 8.0).sum::<f64>()
    ///     - 3.0 * (2f64.ln() + 0.5 * (2.0 * std::f64::consts::PI).ln());
    /// assert!((of_values - closed_form).abs() < 1e-12);
    /// ```
    fn log_prob_plate_of_coordinates<L: LocalTangents<S>>(
        &self,
        u: &[f64],
        lane: LocalLane,
        locals: &mut L,
    ) -> Option<Result<S, DistError>> {
        let _ = (u, lane, locals);
        None
    }

    /// [`Distribution::log_prob_plate_local`] of observed values given with `f64` numbers.
    ///
    /// Families whose value is a real number override it to score the data against the
    /// parameters without lifting them into `S` (N values fewer to write and read per
    /// evaluation); the default lifts them into a buffer of the lent workspace.
    fn log_prob_plate_observed<L: LocalTangents<S>>(
        &self,
        vs: &DVector<Self::Plain>,
        locals: &mut L,
    ) -> Result<S, DistError>
    where
        Self::Value: nalgebra::Scalar,
    {
        let lifted = crate::value::collect(vs.len(), vs.iter().map(Self::lift));
        let lifted = crate::value::Vector::pooled(lifted);
        self.log_prob_plate_local(&lifted, locals)
    }

    /// ln p(v) of plate element `index` (element `index` of vectorized parameters): the
    /// pointwise log-likelihood behind leave-one-out cross-validation. Families without
    /// vectorized parameters score `v` with [`Distribution::log_prob`].
    fn log_prob_at(&self, index: usize, v: &Self::Value) -> Result<S, DistError> {
        let _ = index;
        self.log_prob(v)
    }

    /// Whether draws exist (false for improper priors, whose `sample` returns NaN).
    fn can_sample(&self) -> bool {
        true
    }

    /// One draw (parameters taken at their value parts).
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Self::Plain;

    /// `n` independent draws; element `i` uses parameter `i` of vectorized parameters.
    fn sample_plate<R: Rng + ?Sized>(
        &self,
        n: usize,
        rng: &mut R,
    ) -> Result<DVector<Self::Plain>, DistError>;

    /// The standard noise behind element `index`'s value `v`, for counterfactuals
    /// (abduction, see [`LocationScale`]); `None` for families whose value does not
    /// determine its noise (discrete ones).
    fn noise_of(&self, index: usize, v: &Self::Plain) -> Option<f64> {
        let _ = (index, v);
        None
    }

    /// The value of element `index` that noise `eps` gives: the inverse of
    /// [`Distribution::noise_of`] under these parameters.
    fn value_from_noise(&self, index: usize, eps: f64) -> Option<Self::Plain> {
        let _ = (index, eps);
        None
    }

    /// How many unconstrained reals one value takes (0 for discrete families).
    fn unconstrained_dim(&self) -> usize;

    /// Maps `u` (length [`Distribution::unconstrained_dim`]) to a value in the support,
    /// with ln |det J| of the map.
    // Named after the space it maps from, like Stan's `constrain`/`unconstrain` pair.
    #[allow(clippy::wrong_self_convention)]
    fn from_unconstrained(&self, u: &[S]) -> (Self::Value, S);

    /// The inverse map of [`Distribution::from_unconstrained`], written into `out`.
    fn to_unconstrained(&self, v: &Self::Plain, out: &mut [f64]) -> Result<(), DistError>;

    /// [`Distribution::from_unconstrained`] for plate element `index`, whose support may
    /// depend on element `index` of vectorized parameters (a Uniform with vector bounds).
    #[allow(clippy::wrong_self_convention)]
    fn from_unconstrained_at(&self, index: usize, u: &[S]) -> (Self::Value, S) {
        let _ = index;
        self.from_unconstrained(u)
    }

    /// [`Distribution::to_unconstrained`] for plate element `index`.
    fn to_unconstrained_at(
        &self,
        index: usize,
        v: &Self::Plain,
        out: &mut [f64],
    ) -> Result<(), DistError> {
        let _ = index;
        self.to_unconstrained(v, out)
    }
}

/// Checks that a vectorized parameter has the plate's length.
pub fn check_batch(batch: Option<usize>, n: usize) -> Result<(), DistError> {
    match batch {
        Some(m) if m != n => Err(DistError::Shape {
            expected: n,
            found: m,
        }),
        _ => Ok(()),
    }
}
