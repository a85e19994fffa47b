//! doppl: typed Bayesian causal models in Rust.
//!
//! A `#[model]` function becomes a typed model: a struct holding its data, a trace with one
//! field per site, checked `condition()` / `intervene()` builders and a log-joint generic over
//! the scalar type, differentiated in forward mode.
//!
//! ```
//! use doppl::prelude::*;
//!
//! #[model]
//! fn regression(x: &DVector<f64>) {
//!     let units = plate!(x.len());
//!     let slope = sample!(Normal::new(0.0, 1.0));
//!     let sigma = sample!(HalfNormal::new(1.0));
//!     let mu = deterministic!(x.scale_by(slope), units);
//!     let y = sample!(Normal::new(&mu, sigma), units);
//! }
//!
//! let x = DVector::from_vec(vec![1.0, 2.0, 3.0]);
//! let model = Regression::new(&x);
//! // do(slope = 2), then simulate: mu is recomputed from the intervened slope.
//! let mut rng = StdRng::seed_from_u64(1);
//! let trace = model.intervene().slope(2.0).sample_prior(&mut rng).unwrap();
//! assert_eq!(trace.mu, DVector::from_vec(vec![2.0, 4.0, 6.0]));
//! // Condition on y: two latent parameters (slope, log sigma) remain.
//! let posterior = model.condition().y(trace.y.clone());
//! assert_eq!(posterior.layout().unwrap().dim(), 2);
//! ```
//!
//! ## The model language
//! - `let units = plate!(n);` declares a plate of `n` conditionally independent elements.
//! - `let name = sample!(Family::new(..));` a random site with one value;
//!   `sample!(Family::new(..), units)` one value per plate element (vector parameters are
//!   elementwise). The site's name is the binding.
//! - `let name = deterministic!(expr);` (a scalar) or `deterministic!(expr, units)` (a vector)
//!   records a value computed from other sites.
//! - Everything else is ordinary Rust. Inside the body the scalar type is `S` (`f64` or a
//!   dual number); data stays `f64`. Use [`prelude::DataMatrix::mul_params`],
//!   [`prelude::DataVector::scale_by`] and friends to combine data with parameters, and pass
//!   a site vector to a distribution by reference (`Normal::new(&mu, sigma)`). A data vector
//!   used directly as a parameter is lifted to constants of type `S` with
//!   [`prelude::DataVector::lift`] (`Normal::new(&theta, sigma.lift())`): Rust cannot accept
//!   both `&DVector<S>` and `&DVector<f64>` there, since the two coincide when `S` is `f64`.

#![warn(missing_docs)]

pub use doppl_inference as inference;
pub use doppl_macros::model;
pub use doppl_runtime as runtime;

/// Everything a model file needs.
pub mod prelude {
    pub use crate::{deterministic, plate, sample};
    pub use doppl_inference::{
        Estimate, NutsOptions, Posterior, nuts, posterior_predictive, posterior_predictive_map,
        prior_predictive, treatment_effects,
    };
    pub use doppl_macros::model;
    pub use doppl_runtime::dist::*;
    pub use doppl_runtime::gradient::{Gradient, GradientMode};
    pub use doppl_runtime::linalg::{DataMatrix, DataVector, ParamVector};
    pub use doppl_runtime::scalar::Scalar;
    pub use doppl_runtime::{Intervention, Model, ModelError, Plate, Scenario, Shift};
    pub use nalgebra::{DMatrix, DVector};
    pub use rand::SeedableRng;
    pub use rand::rngs::StdRng;
}

/// Declares a plate inside a `#[model]` function: `let units = plate!(n);`.
///
/// Outside `#[model]` it is a compile error.
#[macro_export]
macro_rules! plate {
    ($($t:tt)*) => {
        ::core::compile_error!(
            "`plate!` can only be used as `let name = plate!(size);` inside a #[model] function"
        )
    };
}

/// Declares a random site inside a `#[model]` function: `let y = sample!(Normal::new(mu, 1.0));`.
///
/// Outside `#[model]` it is a compile error.
#[macro_export]
macro_rules! sample {
    ($($t:tt)*) => {
        ::core::compile_error!(
            "`sample!` can only be used as `let name = sample!(..);` inside a #[model] function"
        )
    };
}

/// Declares a deterministic site inside a `#[model]` function: `let mu = deterministic!(a + b);`.
///
/// Outside `#[model]` it is a compile error.
#[macro_export]
macro_rules! deterministic {
    ($($t:tt)*) => {
        ::core::compile_error!("`deterministic!` can only be used as `let name = deterministic!(..);` inside a #[model] function")
    };
}

/// What generated code names; not a stable API.
#[doc(hidden)]
pub mod __private {
    pub use doppl_runtime::dist::Distribution;
    pub use doppl_runtime::flatten::Flatten;
    pub use doppl_runtime::generated::{ConditionOnDeterministicSite, site_distribution};
    pub use doppl_runtime::handler::Handler;
    pub use doppl_runtime::model::{Model, Site, SiteInfo, SiteKind};
    pub use doppl_runtime::scalar::Scalar;
    pub use doppl_runtime::shape::Shape;
    pub use doppl_runtime::{Intervention, ModelError, Plate, Scenario, Shift, Unplated};
    pub use nalgebra::DVector;
}
