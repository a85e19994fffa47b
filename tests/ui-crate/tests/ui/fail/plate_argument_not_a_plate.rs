use doppl::prelude::*;

#[model]
fn not_a_plate(n: usize) {
    let mu = sample!(Normal::new(0.0, 1.0));
    let beta = sample!(Normal::new(0.0, 1.0), n + 1);
}

fn main() {}
