use doppl::prelude::*;

// A site's value may be moved into a distribution (no copy on the log-density path); the
// trace still records it.
#[model]
fn moved(x: &DVector<f64>) {
    let units = plate!(x.len());
    let b = sample!(Normal::new(0.0, 1.0));
    let mu = deterministic!(b * x, units);
    let y = sample!(Normal::new(mu, 1.0), units);
}

fn main() {
    let x = DVector::from_vec(vec![1.0, 2.0]);
    let model = Moved::new(&x);
    let mut rng = StdRng::seed_from_u64(1);
    let trace = model.scenario().sample_prior(&mut rng).unwrap();
    assert_eq!(trace.mu[1], trace.b * 2.0);
    assert_eq!(trace.y.len(), 2);
}
