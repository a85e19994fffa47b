use doppl::prelude::*;

#[model]
fn clash(n: usize) {
    let units = plate!(n);
    let units = sample!(Normal::new(0.0, 1.0));
}

fn main() {}
