use doppl::prelude::*;

#[model]
fn inline_no_size() {
    let mu = sample!(Normal::new(0.0, 1.0));
    let beta = sample!(Normal::new(0.0, 1.0), plate!());
}

fn main() {}
