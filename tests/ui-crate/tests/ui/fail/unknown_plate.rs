use doppl::prelude::*;

#[model]
fn wrong_plate(x: &DVector<f64>) {
    let units = plate!(x.len());
    let a = sample!(Normal::new(0.0, 1.0), unit);
}

fn main() {}
