//! Constraint transforms: bijections from the reals onto a support, with ln |det J|.
//!
//! Every forward map is generic over [`Scalar`](crate::scalar::Scalar) (so gradients flow
//! through it) and returns the constrained value together with ln |det J| of the map; every
//! inverse works on plain `f64` values, as it is only used to initialise samplers and to
//! write conditioned values into unconstrained space.

mod interval;
mod lower_bound;
mod positive;
mod real;
mod simplex;
mod unit_interval;

pub use interval::Interval;
pub use lower_bound::LowerBound;
pub use positive::Positive;
pub use real::Identity;
pub use simplex::StickBreaking;
pub use unit_interval::UnitInterval;
