use doppl::prelude::*;

struct H;
impl H {
    const SCALE: f64 = 2.0;
}

#[model]
fn uses_h() {
    let a = sample!(Normal::new(0.0, H::SCALE));
}

fn main() {}
