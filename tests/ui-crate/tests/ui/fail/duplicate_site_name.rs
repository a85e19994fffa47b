use doppl::prelude::*;

#[model]
fn twice() {
    let a = sample!(Normal::new(0.0, 1.0));
    let a = sample!(Normal::new(a, 1.0));
}

fn main() {}
