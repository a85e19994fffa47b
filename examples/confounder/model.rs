//! The confounder network of the SVI issue, exactly as NumPyro's version: C → Z, C → Y,
//! X → Z, Z → Y with Z a LogNormal latent per unit and a Bernoulli-logit outcome. SVI steps
//! run on random batches of `batch` units (all of them when `batch` is the number of units);
//! the predictions after the fit see every unit.

use doppl::prelude::*;

#[model]
pub fn confounder_network(x: &DVector<f64>, batch: usize) {
    let units = plate!(x.len(), subsample = batch);
    let x = subsample!(x, units);
    let beta_cz = sample!(Normal::new(0.0, 1.0));
    let beta_cy = sample!(Normal::new(0.0, 1.0));
    let beta_xz = sample!(Normal::new(0.0, 1.0));
    let beta_zy = sample!(Normal::new(0.0, 1.0));
    let beta_z = sample!(Normal::new(0.0, 1.0));
    let beta_y = sample!(Normal::new(0.0, 1.0));
    let sigma = sample!(Exponential::new(1.0));
    let c = sample!(Exponential::new(1.0), units);
    let z = sample!(
        LogNormal::new(&c * beta_cz + beta_xz * x + beta_z, sigma),
        units
    );
    let logit_y = deterministic!(&c * beta_cy + &z * beta_zy + beta_y, units);
    let y = sample!(Bernoulli::logits(logit_y), units);
}
