use doppl::prelude::*;

#[model]
fn counts(exposure: &DVector<f64>) {
    let units = plate!(exposure.len());
    let rate = sample!(Gamma::new(2.0, 1.0));
    let n = sample!(Poisson::new(rate * exposure), units);
}

fn main() {
    let exposure = DVector::from_vec(vec![1.0, 2.0]);
    let model = Counts::new(&exposure);
    // A Poisson site counts: it takes a `DVector<u64>`.
    let observed: DVector<f64> = DVector::from_vec(vec![3.0, 1.0]);
    let _ = model.condition().n(observed);
}
