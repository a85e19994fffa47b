//! Small neural-network building blocks for CEVAE-style models: dense layers, activations
//! and multilayer perceptrons, generic over the scalar.
//!
//! - [`Activation`]: identity, tanh, ReLU, softplus, sigmoid, on a scalar or a [`Vector`](crate::value::Vector).
//! - [`Dense`]: one fully connected layer; [`Mlp`]: a stack of them reading one flat weight
//!   vector (layout in [`Dense`]). `forward` returns a `Result`; in a model body, where an
//!   error travels in the values as through operators and is reported by the site that
//!   reads it, use [`Mlp::output`] (one output) or [`Mlp::apply`] (several heads).
//! - [`Feature`]: a layer's input column, data (`f64`, never converted to duals) or model
//!   values; [`Outputs`]: one plate vector per output unit.
//!
//! Weights are values of the body's scalar type — a model site
//! (`sample!(Normal::new(0.0, 1.0), plate!(net.weights_len()))`) or a guide's `param!` —
//! read as scalars, and the network is applied elementwise over the features' plate: the
//! outputs live on that plate, and each element depends only on the same element of the
//! features. A per-unit latent fed through a network therefore stays local to its unit, and
//! the derivative engine keeps its one shared lane ([`crate::gradient`]). The weights
//! themselves need not take a lane each: when a model's network reads weights
//! that are one plated site, the engine gives the outputs that site's one lane and forms the
//! weights' gradient by a backward pass per element, `Σᵢ gᵢ ∂outᵢ/∂w` (a *projected*
//! network, as for `X · β`). Buffers come from
//! the evaluation's workspace ([`crate::value::Workspace`]) as those of operators do.
//!
//! ```
//! use doppl_runtime::nn::{Activation, Feature, Mlp};
//! use doppl_runtime::scalar::Dual;
//! use doppl_runtime::value::Vector;
//! use doppl_runtime::Plate;
//!
//! // y = 2·tanh(x + z) − 1 for data x and a per-unit latent z.
//! let net = Mlp::new(&[2, 1, 1], Activation::Tanh, Activation::Identity).unwrap();
//! let w = [1.0, 1.0, 0.0, 2.0, -1.0].map(Dual::<1>::constant);
//! let x = [0.5, -0.5];
//! // Both elements of z share lane 0, as in the derivative engine.
//! let z = Vector::on_plate(
//!     nalgebra::dvector![Dual::variable(0.25, 0), Dual::variable(0.0, 0)],
//!     Plate::new("units", 2),
//! );
//! let y = net.output(&w, &[Feature::data(&x), (&z).into()]);
//! assert_eq!(y.plate(), Some("units"));
//! let t = 0.75f64.tanh();
//! assert!((y[0].re - (2.0 * t - 1.0)).abs() < 1e-15);
//! // ∂y₀/∂z₀ = 2 (1 − tanh²(x₀ + z₀)), read off element 0's own lane.
//! assert!((y[0].eps[0] - 2.0 * (1.0 - t * t)).abs() < 1e-15);
//! ```

mod activation;
mod dense;
mod feature;
mod mlp;
mod outputs;
#[cfg(test)]
mod tests;
pub(crate) mod unitwise;

pub use activation::Activation;
pub use dense::Dense;
pub use feature::Feature;
pub use mlp::Mlp;
pub use outputs::Outputs;
