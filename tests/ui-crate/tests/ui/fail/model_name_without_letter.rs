use doppl::prelude::*;

// The generated types are named after the function: `_1` gives no usable name.
#[model]
fn _1() {
    let a = sample!(Normal::new(0.0, 1.0));
}

fn main() {}
