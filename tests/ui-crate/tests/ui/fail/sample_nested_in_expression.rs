use doppl::prelude::*;

#[model]
fn nested() {
    let a = sample!(Normal::new(0.0, 1.0));
    let b = 2.0 * sample!(Normal::new(a, 1.0));
}

fn main() {}
