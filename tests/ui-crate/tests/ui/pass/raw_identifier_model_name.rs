use doppl::prelude::*;

// A raw identifier as the model's name: the model is `Loop`.
#[model]
fn r#loop() {
    let a = sample!(Normal::new(0.0, 1.0));
}

fn main() {
    assert_eq!(Loop::new().scenario().layout().unwrap().dim(), 1);
}
