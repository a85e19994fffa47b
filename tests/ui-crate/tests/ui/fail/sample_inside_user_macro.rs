use doppl::prelude::*;

// A user macro that wraps `sample!`: #[model] reads its body before macros expand, so the
// wrapped `sample!` is never seen as a site.
macro_rules! standard_normal {
    () => {
        sample!(Normal::new(0.0, 1.0))
    };
}

#[model]
fn wrapped(n: usize) {
    let b = standard_normal!();
    let y = sample!(Normal::new(b, 1.0), plate!(n));
}

fn main() {}
