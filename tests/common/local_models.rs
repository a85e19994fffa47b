//! Models with one latent per unit, shared by the gradient tests and benchmarks.

use doppl::prelude::*;

/// Normal local latents: zᵢ ~ Normal(μ, τ), yᵢ ~ Normal(zᵢ + xᵢ β, σ).
#[model]
pub fn normal_locals(x: &DVector<f64>) {
    let units = plate!(x.len());
    let mu = sample!(Normal::new(0.0, 2.0));
    let tau = sample!(HalfNormal::new(1.0));
    let beta = sample!(Normal::new(0.0, 1.0));
    let sigma = sample!(HalfNormal::new(1.0));
    let z = sample!(Normal::new(mu, tau), units);
    let y = sample!(Normal::new(&z + beta * x, sigma), units);
}

/// The confounder network's shape: C → Z, X → Z, C → Y, Z → Y with a LogNormal local latent
/// Z per unit and a Bernoulli-logit outcome.
#[model]
pub fn confounder(c: &DVector<f64>, x: &DVector<f64>) {
    let units = plate!(c.len());
    let a0 = sample!(Normal::new(0.0, 1.0));
    let a_c = sample!(Normal::new(0.0, 1.0));
    let a_x = sample!(Normal::new(0.0, 1.0));
    let s_z = sample!(HalfNormal::new(1.0));
    let b0 = sample!(Normal::new(0.0, 1.0));
    let b_c = sample!(Normal::new(0.0, 1.0));
    let b_z = sample!(Normal::new(0.0, 1.0));
    let z = sample!(LogNormal::new(a0 + a_c * c + a_x * x, s_z), units);
    let y = sample!(Bernoulli::logits(b0 + b_c * c + b_z * &z), units);
}
