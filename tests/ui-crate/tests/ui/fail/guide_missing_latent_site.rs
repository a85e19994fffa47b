use doppl::prelude::*;

#[model]
fn regression(x: &DVector<f64>) {
    let units = plate!(x.len());
    let b = sample!(Normal::new(0.0, 1.0));
    let sigma = sample!(HalfNormal::new(1.0));
    let y = sample!(Normal::new(x * b, sigma), units);
}

// Forgets `sigma`: Pyro and NumPyro would silently fall back to the prior.
#[guide(for = Regression, observed(y))]
fn regression_guide() {
    let b_loc = param!(0.0);
    let b = sample!(Normal::new(b_loc, 1.0));
}

fn main() {}
