use doppl::prelude::*;

#[model]
fn regression(x: &DVector<f64>) {
    let units = plate!(x.len());
    let b = sample!(Normal::new(0.0, 1.0));
    let y = sample!(Normal::new(x * b, 1.0), units);
}

// `beta` is not a site of the model, and neither is the observed `why`.
#[guide(for = Regression, observed(why))]
fn regression_guide() {
    let b = sample!(Normal::new(0.0, 1.0));
    let beta = sample!(Normal::new(0.0, 1.0));
}

fn main() {}
