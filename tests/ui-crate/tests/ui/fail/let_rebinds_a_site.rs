use doppl::prelude::*;

// A plain `let` re-binding a site's name would make the trace record the later value.
#[model]
fn rebind() {
    let sigma = sample!(HalfNormal::new(1.0));
    let sigma = sigma * 2.0;
    let y = sample!(Normal::new(0.0, sigma));
}

fn main() {}
