use doppl::prelude::*;

#[model]
fn annotated() {
    let mu = sample!(Normal::new(0.0, 1.0));
    let a: f64 = sample!(Normal::new(mu, 1.0));
}

fn main() {}
