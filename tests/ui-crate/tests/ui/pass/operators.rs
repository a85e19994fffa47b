//! Every operand form of the model language type-checks in a body generic over the scalar.
use doppl::prelude::*;

#[model]
fn forms(x: &DMatrix<f64>, d: &DVector<f64>, group: &[usize], scale: f64) {
    let units = plate!(x.nrows());
    let groups = plate!(3);
    let a = sample!(Normal::new(0.0, 1.0));
    let beta = sample!(Normal::new(0.0, 1.0), plate!(x.ncols()));
    let alpha = sample!(Normal::new(0.0, 1.0), groups);
    let flag = sample!(Bernoulli::new(0.5), units);
    let z = sample!(Normal::new(0.0, 1.0), units);
    let eta = a + x * &beta + a * d - d / a + d * &z + &z * d + &flag * a + scale * &z;
    let eta = (-eta + 1.0) * 2.0 - d + d * d + &z / (1.0 + z.exp()) + alpha.gather(group);
    let mu = deterministic!(eta.sigmoid().ln() + z.softplus() - z.log_sigmoid(), units);
    let scaled = deterministic!(a * d, units);
    let y = sample!(Normal::new(&mu, a.exp()), units);
    let w = sample!(Normal::new(d, 1.0), units);
    // `f64 * S` cannot be implemented for a type parameter `S`: a constant goes on the right.
    factor!(penalty, a * a * -0.5);
    factor!(per_unit, -&z * 0.1);
}

fn main() {
    let x = DMatrix::from_element(4, 2, 0.5);
    let d = DVector::from_element(4, 1.5);
    let model = Forms::new(&x, &d, &[0, 1, 2, 0], 2.0);
    let mut rng = StdRng::seed_from_u64(1);
    let trace = model.scenario().sample_prior(&mut rng).unwrap();
    assert_eq!(trace.mu.len(), 4);
    assert_eq!(trace.scaled[2], trace.a * 1.5);
}
