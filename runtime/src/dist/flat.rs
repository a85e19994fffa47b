//! Improper flat priors: [`Flat`] on the reals and [`HalfFlat`] on the positive reals.

use super::common::{
    ElementDensity, ScalarFamily, check_finite_value, check_strictly_positive, scalar_distribution,
};
use super::{DistError, Support};
use crate::scalar::Scalar;
use crate::transform::{Identity, Positive};
use rand::Rng;
use std::marker::PhantomData;

/// The improper uniform "distribution" on the reals: ln p(x) = 0 for every finite x.
///
/// It has no normalising constant, so it can only be a prior (the posterior must be proper)
/// and it cannot be sampled: [`Distribution::can_sample`](super::Distribution::can_sample) is
/// false, so simulating the site is a `NotSampleable` error (its raw `sample` returns NaN).
///
/// ```
/// use doppl_runtime::dist::{Distribution, Flat};
/// let d = Flat::<f64>::new().unwrap();
/// assert_eq!(d.log_prob(&1e6).unwrap(), 0.0);
/// assert!(d.log_prob(&f64::INFINITY).is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Flat<S> {
    scalar: PhantomData<S>,
}

/// The improper uniform "distribution" on (0, ∞): ln p(x) = 0 for x > 0. Latent values are
/// unconstrained through x = e^u. Like [`Flat`], it cannot be sampled.
///
/// ```
/// use doppl_runtime::dist::{Distribution, HalfFlat};
/// let d = HalfFlat::<f64>::new().unwrap();
/// assert_eq!(d.log_prob(&3.0).unwrap(), 0.0);
/// assert!(d.log_prob(&-3.0).is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Default)]
pub struct HalfFlat<S> {
    scalar: PhantomData<S>,
}

impl<S> Flat<S> {
    /// The flat prior. It has no parameters, so it never fails; it returns a `Result` like
    /// every constructor so that `sample!(Flat::new())` reads like any other site.
    pub fn new() -> Result<Self, DistError> {
        Ok(Flat {
            scalar: PhantomData,
        })
    }
}

impl<S> HalfFlat<S> {
    /// The flat prior on the positive reals (never fails; see [`Flat::new`]).
    pub fn new() -> Result<Self, DistError> {
        Ok(HalfFlat {
            scalar: PhantomData,
        })
    }
}

/// Both densities are constant: the kernel only checks the support.
macro_rules! flat_density {
    ($family:ident, $name:literal, $check:expr, $support:expr, $transform:ident) => {
        impl<S: Scalar> ElementDensity<S> for $family<S> {
            type Prepared = ();
            type Value = S;
            const FAMILY: &'static str = $name;
            fn batch(&self) -> Option<usize> {
                None
            }
            fn prepare(&self, _i: usize) {}
            fn normalizer(&self, _prep: &()) -> S {
                S::zero()
            }
            fn kernel(&self, _prep: &(), v: &S) -> Result<S, DistError> {
                $check(v.re())?;
                Ok(S::zero())
            }
        }

        impl<S: Scalar> ScalarFamily<S> for $family<S> {
            fn support(&self) -> Support {
                $support
            }
            fn check_value(&self, x: f64) -> Result<(), DistError> {
                $check(x)
            }
            fn draw<R: Rng + ?Sized>(&self, _i: usize, _rng: &mut R) -> f64 {
                f64::NAN
            }
            fn sampleable(&self) -> bool {
                false
            }
            fn forward(&self, u: S) -> (S, S) {
                $transform::forward(u)
            }
            fn inverse(&self, x: f64) -> f64 {
                $transform::inverse(x)
            }
        }

        scalar_distribution!($family);
    };
}

flat_density!(
    Flat,
    "Flat",
    |x| check_finite_value("Flat", x, Support::Real.describe()),
    Support::Real,
    Identity
);
flat_density!(
    HalfFlat,
    "HalfFlat",
    |x| check_strictly_positive("HalfFlat", x),
    Support::Positive,
    Positive
);
