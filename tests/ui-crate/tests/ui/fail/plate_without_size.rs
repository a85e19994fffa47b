use doppl::prelude::*;

#[model]
fn no_size() {
    let units = plate!();
    let a = sample!(Normal::new(0.0, 1.0), units);
}

fn main() {}
