use doppl::prelude::*;

#[model]
fn regression(x: &DVector<f64>) {
    let units = plate!(x.len());
    let slope = sample!(Normal::new(0.0, 1.0));
    let y = sample!(Normal::new(slope * x, 1.0), units);
}

fn main() {
    let x = DVector::from_vec(vec![1.0, 2.0]);
    let model = Regression::new(&x);
    // `y` has one value per unit: it takes a `DVector<f64>`, not an `f64`.
    let _ = model.condition().y(3.0);
}
