use doppl::prelude::*;

// A site's value moved into a distribution cannot be recorded in the trace afterwards:
// pass site vectors by reference (`Normal::new(&mu, sigma)`).
#[model]
fn moved(x: &DVector<f64>) {
    let units = plate!(x.len());
    let b = sample!(Normal::new(0.0, 1.0));
    let mu = deterministic!(b * x, units);
    let y = sample!(Normal::new(mu, 1.0), units);
}

fn main() {}
