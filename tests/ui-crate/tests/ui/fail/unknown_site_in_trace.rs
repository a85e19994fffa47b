use doppl::prelude::*;

#[model]
fn regression(x: &DVector<f64>) {
    let units = plate!(x.len());
    let beta = sample!(Normal::new(0.0, 1.0));
    let y = sample!(Normal::new(beta * x, 1.0), units);
}

fn main() {
    let x = DVector::from_vec(vec![1.0, 2.0]);
    let model = Regression::new(&x);
    let mut rng = StdRng::seed_from_u64(1);
    let trace = model.scenario().sample_prior(&mut rng).unwrap();
    let _ = trace.bta;
}
