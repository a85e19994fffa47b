use doppl::prelude::*;

#[model]
fn plain(x: &DVector<f64>, w: &Vec<f64>) {
    let units = plate!(x.len(), subsample = 8);
    let w = subsample!(w, units);
    let mu = sample!(Normal::new(0.0, 1.0));
    let y = sample!(Normal::new(mu + x, 1.0), units);
}

fn main() {}
