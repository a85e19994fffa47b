use doppl::prelude::*;

// Counts (`u64`) do not take part in arithmetic with real values: convert them first.
#[model]
fn two_plates(x: &DVector<f64>) {
    let units = plate!(x.len());
    let n = sample!(Poisson::new(2.0), units);
    let z = sample!(Normal::new(0.0, 1.0), units);
    let mu = deterministic!(&z + &n, units);
}

fn main() {}
