// A model with only a plate is degenerate but valid.
use doppl::prelude::*;

#[model]
fn nothing(n: usize) {
    let units = plate!(n);
}

fn main() {
    let model = Nothing::new(3);
    assert_eq!(model.scenario().layout().unwrap().dim(), 0);
}
