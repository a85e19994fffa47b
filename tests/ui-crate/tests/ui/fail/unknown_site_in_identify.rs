use doppl::prelude::*;

#[model]
fn regression(x: &DVector<f64>) {
    let units = plate!(x.len());
    let b = sample!(Normal::new(0.0, 1.0));
    let t = sample!(Bernoulli::new(0.5), units);
    let y = sample!(Normal::new(&t * b + x, 1.0), units);
}

#[model]
fn other(n: usize) {
    let z = sample!(Normal::new(0.0, 1.0), plate!(n));
}

fn main() {
    let x = DVector::from_vec(vec![1.0, 2.0]);
    let model = Regression::new(&x);
    let scenario = model.condition().y(x.clone()).build();
    // A misspelt site: no such field.
    let _ = scenario.identify(Regression::SITE.treat, Regression::SITE.y);
    // Another model's site: not a site of this model.
    let _ = scenario.identify(Other::SITE.z, Regression::SITE.y);
}
