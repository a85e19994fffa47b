use doppl::prelude::*;

#[model]
fn switch(n: usize) {
    let on = sample!(Bernoulli::new(0.5));
    let y = sample!(Normal::new(on, 1.0), plate!(n));
}

// A guide draws by reparameterization: a Bernoulli has no smooth draw.
#[guide(for = Switch, observed(y))]
fn switch_guide() {
    let p = param!(0.5, constraint = unit_interval);
    let on = sample!(Bernoulli::new(p));
}

fn main() {}
