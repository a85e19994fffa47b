use doppl::prelude::*;

// `doppl::sample!` is recognized as a site like `sample!`.
#[model]
fn qualified() {
    let mu = sample!(Normal::new(0.0, 1.0));
    let a = doppl::sample!(Normal::new(mu, 1.0));
}

fn main() {}
