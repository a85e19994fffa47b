use doppl::prelude::*;

#[model]
fn empty_sample() {
    let mu = sample!(Normal::new(0.0, 1.0));
    let a = sample!();
}

fn main() {}
