//! The Lalonde outcome model of DESIGN.md §3: linear earnings with a treatment × nodegree
//! interaction; the treatment itself is a Bernoulli site so that it can be conditioned on the
//! observed assignment or intervened on.

use doppl::prelude::*;

#[model]
pub fn earnings(x: &DMatrix<f64>, nodegree: &DVector<f64>) {
    let units = plate!(x.nrows());
    let p_treat = sample!(Beta::new(1.0, 1.0));
    let treat = sample!(Bernoulli::new(p_treat), units);
    let intercept = sample!(Normal::new(0.0, 5.0));
    let beta_treat = sample!(Normal::new(0.0, 2.0));
    let beta_interact = sample!(Normal::new(0.0, 2.0));
    let beta_cov = sample!(Normal::new(0.0, 1.0), plate!(x.ncols()));
    let sigma = sample!(HalfNormal::new(5.0));
    let mu_earnings = deterministic!(
        intercept + x * &beta_cov + &treat * (beta_treat + beta_interact * nodegree),
        units
    );
    let y = sample!(Normal::new(mu_earnings, sigma), units);
}
