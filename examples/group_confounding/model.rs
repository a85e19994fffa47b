//! Five models of units in groups whose group-level mean of x also moves the outcome:
//! complete pooling, fixed effects (a free intercept per group), random intercepts, the
//! Mundlak device (random intercepts whose mean follows the group mean of x), and a latent
//! version of it (the group mean is a latent variable that x measures).

use doppl::prelude::*;

/// One intercept for everyone: the group confounding goes into the slope.
#[model]
pub fn pooled(x: &DVector<f64>) {
    let units = plate!(x.len());
    let a = sample!(Normal::new(0.0, 5.0));
    let b = sample!(Normal::new(0.0, 5.0));
    let sigma = sample!(HalfNormal::new(5.0));
    let y = sample!(Normal::new(a + b * x, sigma), units);
}

/// An intercept per group with a wide fixed prior (no pooling): the within-group effect.
#[model]
pub fn fixed_effects(x: &DVector<f64>, group: &[usize], groups: usize) {
    let units = plate!(x.len());
    let alpha = sample!(Normal::new(0.0, 10.0), plate!(groups));
    let b = sample!(Normal::new(0.0, 5.0));
    let sigma = sample!(HalfNormal::new(5.0));
    let y = sample!(Normal::new(alpha.gather(group) + b * x, sigma), units);
}

/// Random intercepts around a common mean: partial pooling, still confounded.
#[model]
pub fn random_intercepts(x: &DVector<f64>, group: &[usize], groups: usize) {
    let units = plate!(x.len());
    let mu = sample!(Normal::new(0.0, 5.0));
    let tau = sample!(HalfNormal::new(2.0));
    let alpha = sample!(Normal::new(mu, tau), plate!(groups));
    let b = sample!(Normal::new(0.0, 5.0));
    let sigma = sample!(HalfNormal::new(5.0));
    let y = sample!(Normal::new(alpha.gather(group) + b * x, sigma), units);
}

/// Mundlak: the random intercepts' mean moves with the group mean of x (`x_bar`, one per
/// group), which absorbs the confounding.
#[model]
pub fn mundlak(x: &DVector<f64>, x_bar: &DVector<f64>, group: &[usize]) {
    let units = plate!(x.len());
    let mu = sample!(Normal::new(0.0, 5.0));
    let c = sample!(Normal::new(0.0, 5.0));
    let tau = sample!(HalfNormal::new(2.0));
    let alpha = sample!(Normal::new(mu + c * x_bar, tau), plate!(x_bar.len()));
    let b = sample!(Normal::new(0.0, 5.0));
    let sigma = sample!(HalfNormal::new(5.0));
    let y = sample!(Normal::new(alpha.gather(group) + b * x, sigma), units);
}

/// The latent Mundlak model: each group's mean of x is a latent `z` that x measures, and
/// the intercepts follow it.
#[model]
pub fn mundlak_latent(group: &[usize], groups: usize) {
    let units = plate!(group.len());
    let z = sample!(Normal::new(0.0, 2.0), plate!(groups));
    let x_sd = sample!(HalfNormal::new(2.0));
    let x = sample!(Normal::new(z.gather(group), x_sd), units);
    let mu = sample!(Normal::new(0.0, 5.0));
    let c = sample!(Normal::new(0.0, 5.0));
    let tau = sample!(HalfNormal::new(2.0));
    let alpha = sample!(Normal::new(mu + c * &z, tau), plate!(groups));
    let b = sample!(Normal::new(0.0, 5.0));
    let sigma = sample!(HalfNormal::new(5.0));
    let y = sample!(Normal::new(alpha.gather(group) + b * &x, sigma), units);
}
