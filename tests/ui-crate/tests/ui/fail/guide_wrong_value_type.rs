use doppl::prelude::*;

#[model]
fn local(n: usize) {
    let units = plate!(n);
    let z = sample!(Normal::new(0.0, 1.0), units);
    let y = sample!(Normal::new(z, 1.0), units);
}

// `z` is one value per unit in the model; the guide draws a single scalar.
#[guide(for = Local, observed(y))]
fn local_guide() {
    let loc = param!(0.0);
    let z = sample!(Normal::new(loc, 1.0));
}

fn main() {}
