//! PyMC's do-operator tutorial model: y = b0 + b_a·a + b_b·b + b_c·c + noise, with
//! standard-normal a, b, c on a plate of units.

use doppl::prelude::*;

#[model]
pub fn what_if(n: usize) {
    let units = plate!(n);
    let b0 = sample!(Normal::new(0.0, 1.0));
    let b_a = sample!(Normal::new(0.0, 1.0));
    let b_b = sample!(Normal::new(0.0, 1.0));
    let b_c = sample!(Normal::new(0.0, 1.0));
    let sigma = sample!(HalfNormal::new(1.0));
    let a = sample!(Normal::new(0.0, 1.0), units);
    let b = sample!(Normal::new(0.0, 1.0), units);
    let c = sample!(Normal::new(0.0, 1.0), units);
    let mu = deterministic!(b0 + b_a * &a + b_b * &b + b_c * &c, units);
    let y = sample!(Normal::new(mu, sigma), units);
}
