//! The A/B test models: conversion rates per arm with the relative lift as a derived
//! quantity (uninformative Beta(1, 1) rates) or as the parameter with the prior (a lift of a
//! few percent at most is what experiments find), and the CUPED regression of the outcome on
//! the treatment and the centered pre-period outcome next to the plain one.

use doppl::prelude::*;

/// Two independent Beta(1, 1) rates; the lift cr_t / cr_c − 1 is derived.
#[model]
pub fn beta_rates(n_control: u64, n_treated: u64) {
    let cr_control = sample!(Beta::new(1.0, 1.0));
    let cr_treated = sample!(Beta::new(1.0, 1.0));
    let relative_lift = deterministic!(cr_treated / cr_control - 1.0);
    let conversions_control = sample!(Binomial::new(n_control, cr_control));
    let conversions_treated = sample!(Binomial::new(n_treated, cr_treated));
}

/// The prior on the lift itself: relative_lift ~ Normal(0, 0.1), cr_t = cr_c · (1 + lift).
#[model]
pub fn lift_prior(n_control: u64, n_treated: u64) {
    let cr_control = sample!(Beta::new(1.0, 1.0));
    let relative_lift = sample!(Normal::new(0.0, 0.1));
    let cr_treated = deterministic!(cr_control * (relative_lift + 1.0));
    let conversions_control = sample!(Binomial::new(n_control, cr_control));
    let conversions_treated = sample!(Binomial::new(n_treated, cr_treated));
}

/// Post-period outcome on treatment alone.
#[model]
pub fn plain(treatment: &DVector<f64>) {
    let units = plate!(treatment.len());
    let alpha = sample!(Normal::new(0.0, 10.0));
    let effect = sample!(Normal::new(0.0, 10.0));
    let sigma = sample!(HalfNormal::new(10.0));
    let y_post = sample!(Normal::new(alpha + effect * treatment, sigma), units);
}

/// CUPED: the centered pre-period outcome as a covariate, its slope theta learned.
#[model]
pub fn cuped(treatment: &DVector<f64>, pre_centered: &DVector<f64>) {
    let units = plate!(treatment.len());
    let alpha = sample!(Normal::new(0.0, 10.0));
    let effect = sample!(Normal::new(0.0, 10.0));
    let theta = sample!(Normal::new(0.0, 10.0));
    let sigma = sample!(HalfNormal::new(10.0));
    let mu = alpha + effect * treatment + theta * pre_centered;
    let y_post = sample!(Normal::new(mu, sigma), units);
}
