use doppl::prelude::*;

#[model]
fn inline(x: &DVector<f64>) {
    let mu = sample!(Normal::new(0.0, 1.0));
    let y = sample!(Normal::new(mu + x, 1.0), plate!(x.len(), subsample = 32));
}

fn main() {}
