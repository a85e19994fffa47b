//! The outcome model: a linear outcome whose treatment effect varies with the first
//! covariate, `y ~ Normal(a + x·β + treat·(τ0 + τ1·x₁), σ)`.

use doppl::prelude::*;

/// The uplift model. `x` holds one row of covariates per unit and `x1` its first column
/// (the effect modifier), passed on its own because a model body reads whole arguments.
/// The treatment is a Bernoulli site so that it can be conditioned on the observed
/// assignment and intervened on (`do(treat = 1)`, `do(treat = 0)`); `mu` is recorded as a
/// deterministic site, the expected outcome that effects compare.
#[model]
pub fn uplift(x: &DMatrix<f64>, x1: &DVector<f64>) {
    let units = plate!(x.nrows());
    let p_treat = sample!(Beta::new(1.0, 1.0));
    let treat = sample!(Bernoulli::new(p_treat), units);
    let intercept = sample!(Normal::new(0.0, 5.0));
    let beta = sample!(Normal::new(0.0, 2.0), plate!(x.ncols()));
    let tau0 = sample!(Normal::new(0.0, 2.0));
    let tau1 = sample!(Normal::new(0.0, 2.0));
    let sigma = sample!(HalfNormal::new(2.0));
    let mu = deterministic!(intercept + x * &beta + &treat * (tau0 + tau1 * x1), units);
    let y = sample!(Normal::new(&mu, sigma), units);
}
