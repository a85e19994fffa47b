use doppl::prelude::*;

fn not_a_model() {
    let a = sample!(Normal::new(0.0, 1.0));
}

fn main() {
    not_a_model();
}
