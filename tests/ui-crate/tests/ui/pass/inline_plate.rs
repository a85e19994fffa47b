//! A plate written inline as the second argument (`sample!(.., plate!(k))`), as in the
//! DESIGN.md sketch, next to a declared one.
use doppl::prelude::*;

#[model]
fn linear(x: &DMatrix<f64>) {
    let units = plate!(x.nrows());
    let beta = sample!(Normal::new(0.0, 1.0), plate!(x.ncols()));
    let y = sample!(Normal::new(x * &beta, 1.0), units);
}

fn main() {
    let x = DMatrix::from_row_slice(2, 3, &[1.0, 0.0, 2.0, 0.5, 1.0, -1.0]);
    let model = Linear::new(&x);
    let mut rng = StdRng::seed_from_u64(2);
    let trace = model.scenario().sample_prior(&mut rng).unwrap();
    assert_eq!(trace.beta.len(), 3);
    assert_eq!(trace.y.len(), 2);
    let posterior = model.condition().y(trace.y.clone());
    assert_eq!(posterior.layout().unwrap().dim(), 3);
    let _ = model.intervene().beta(DVector::from_element(3, 0.0));
}
