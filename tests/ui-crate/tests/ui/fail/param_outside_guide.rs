use doppl::prelude::*;

#[model]
fn coin(n: usize) {
    let p_init = param!(0.5);
    let p = sample!(Beta::new(1.0, 1.0));
    let y = sample!(Bernoulli::new(p), plate!(n));
}

fn main() {
    let loose = param!(1.0);
}
