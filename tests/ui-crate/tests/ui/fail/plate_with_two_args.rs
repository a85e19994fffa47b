use doppl::prelude::*;

#[model]
fn two_sizes(n: usize) {
    let units = plate!(n, 2);
    let a = sample!(Normal::new(0.0, 1.0), units);
}

fn main() {}
