use doppl::prelude::*;

#[model]
fn not_subsampled(x: &DVector<f64>) {
    let units = plate!(x.len());
    let x = subsample!(x, units);
    let mu = sample!(Normal::new(0.0, 1.0));
    let y = sample!(Normal::new(mu + x, 1.0), units);
}

fn main() {}
