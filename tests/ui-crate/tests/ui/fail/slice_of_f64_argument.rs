use doppl::prelude::*;

// A slice of numbers as a model argument: the macro says what to use instead, once,
// at the argument, rather than a cascade of trait errors in the body.
#[model]
fn regression(x: &[f64]) {
    let units = plate!(x.len());
    let b = sample!(Normal::new(0.0, 1.0));
    let y = sample!(Normal::new(b * x, 1.0), units);
}

fn main() {}
