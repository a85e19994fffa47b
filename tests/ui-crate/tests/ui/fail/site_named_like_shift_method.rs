use doppl::prelude::*;

// Sites `a` and `a_shift`: the intervention builder's `a_shift(Shift)` collides with the
// method of site `a_shift`.
#[model]
fn shifted() {
    let a = sample!(Normal::new(0.0, 1.0));
    let a_shift = sample!(Normal::new(a, 1.0));
}

fn main() {}
