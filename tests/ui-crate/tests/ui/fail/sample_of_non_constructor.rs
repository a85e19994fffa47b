use doppl::prelude::*;

#[model]
fn non_constructor() {
    let mu = sample!(Normal::new(0.0, 1.0));
    let dist = Normal::new(mu, 1.0);
    let a = sample!(dist);
}

fn main() {}
