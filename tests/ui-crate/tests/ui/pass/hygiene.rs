//! The generated code names nothing through the caller's scope: user items called `Result`,
//! `Ok`, `Vec`, `Option`, `Some`, `None`, `Clone`, `Default`, `Box`, `String` and modules
//! `core` / `std` do not break it.
#![allow(dead_code, non_camel_case_types)]

use doppl::prelude::*;

struct Result;
struct Ok;
struct Err;
struct Vec;
struct Option;
struct Some;
struct None;
struct Clone;
struct Default;
struct Debug;
struct Box;
struct String;

mod core {}
mod std {}

#[model]
fn hygienic(x: &DVector<f64>) {
    let units = plate!(x.len());
    let a = sample!(Normal::new(0.0, 1.0));
    let s = sample!(HalfNormal::new(1.0));
    let mu = deterministic!(a * x, units);
    let y = sample!(Normal::new(&mu, s), units);
}

fn main() {
    let x = DVector::from_vec(::std::vec![1.0, 2.0]);
    let model = Hygienic::new(&x);
    let mut rng = StdRng::seed_from_u64(1);
    let trace = model.scenario().sample_prior(&mut rng).unwrap();
    let posterior = model.condition().y(trace.y.clone()).intervene().a(1.0);
    assert_eq!(posterior.layout().unwrap().dim(), 1);
}
