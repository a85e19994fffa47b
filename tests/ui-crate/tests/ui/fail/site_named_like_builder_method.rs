use doppl::prelude::*;

// A site named `build` collides with the builders' own `build()` method.
#[model]
fn reserved() {
    let build = sample!(Normal::new(0.0, 1.0));
}

fn main() {
    let model = Reserved::new();
    let _ = model.condition().build(1.0);
}
