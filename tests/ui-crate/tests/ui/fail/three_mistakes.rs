use doppl::prelude::*;

// Three independent mistakes, all reported in one build.
#[model]
fn three(x: &DVector<f64>) {
    let units = plate!(x.len());
    let a = sample!(Normal::new(0.0, 1.0), unit);
    let b = sample!(HalfNormal::new(1.0));
    let b = sample!(Normal::new(0.0, 1.0));
    let c = 1.0 + sample!(Normal::new(0.0, 1.0));
}

fn main() {}
