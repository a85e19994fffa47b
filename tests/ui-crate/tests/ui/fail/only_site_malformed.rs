use doppl::prelude::*;

// The only site is malformed: exactly one error, on `sample!()`.
#[model]
fn only_site() {
    let a = sample!();
}

fn main() {}
