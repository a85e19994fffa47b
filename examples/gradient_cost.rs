//! The cost of one log-density and one gradient of the local-latent and radon models of
//! `benches/gradients.rs`, as a plain program: for wall-clock ratios without criterion, and
//! for instruction counts, which do not depend on the machine's load, under callgrind.
//!
//! ```sh
//! cargo build --release --example gradient_cost
//! target/release/examples/gradient_cost 10000 gradient 3000   # or: density, ratio, and
//!                                                             # 1000, 100000, radon
//! valgrind --tool=callgrind target/release/examples/gradient_cost 10000 gradient 50
//! ```

#[path = "../tests/common/mod.rs"]
mod common;

use common::{NormalLocals, Radon, radon_like, test_point};
use doppl::prelude::*;
use doppl::runtime::value::Workspace;
use doppl::runtime::{Model, Scenario};
use rand::RngExt;
use std::hint::black_box;
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: gradient_cost <1000|10000|100000|radon> <density|gradient|ratio> <repeats>";
    let (Some(case), Some(what), Some(Ok(repeats))) = (
        args.get(1),
        args.get(2),
        args.get(3).map(|r| r.parse::<u32>()),
    ) else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    if !["density", "gradient", "ratio"].contains(&what.as_str()) {
        eprintln!("{usage}");
        std::process::exit(2);
    }
    if case == "radon" {
        let (floor, county, y) = radon_like(919, 85, 3);
        let model = Radon::new(&floor, &county, 85);
        let posterior = model.condition().log_radon(y);
        let dim = posterior.layout().map_or(0, |l| l.dim());
        return time(&posterior, &test_point(dim, 5), what, repeats);
    }
    let Ok(n) = case.parse::<usize>() else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    let mut rng = StdRng::seed_from_u64(n as u64);
    let x = DVector::from_fn(n, |_, _| rng.random_range(-1.5..1.5));
    let model = NormalLocals::new(&x);
    let truth = model.scenario().sample_prior(&mut rng);
    let posterior = model.condition().y(truth.expect("the prior samples").y);
    time(&posterior, &test_point(n + 4, 4), what, repeats);
}

/// Prints the mean time of `repeats` evaluations (after one untimed evaluation); for
/// `ratio`, twenty alternating blocks of `repeats` densities and `repeats` gradients and the
/// ratio of the fastest block of each (the minimum is the figure least moved by other
/// tenants of a shared machine).
fn time<M: Model>(posterior: &Scenario<'_, M>, u: &[f64], what: &str, repeats: u32) {
    let mut grad = vec![0.0; u.len()];
    let mut workspace = Workspace::default();
    let mut engine = posterior.gradient().expect("the model differentiates");
    let mut once = |gradient: bool| match gradient {
        true => engine
            .logp_grad(black_box(u), &mut grad)
            .unwrap_or(f64::NAN),
        false => workspace.lend(|| {
            posterior
                .log_density(black_box(u))
                .map_or(f64::NAN, |p| p.total())
        }),
    };
    let mut block = |gradient: bool| {
        let start = Instant::now();
        for _ in 0..repeats {
            black_box(once(gradient));
        }
        start.elapsed() / repeats.max(1)
    };
    if what == "ratio" {
        let (mut density, mut gradient) = (Duration::MAX, Duration::MAX);
        for _ in 0..20 {
            density = density.min(block(false));
            gradient = gradient.min(block(true));
        }
        let ratio = gradient.as_secs_f64() / density.as_secs_f64();
        println!("fastest blocks: density {density:?}, gradient {gradient:?}, ratio {ratio:.2}");
        return;
    }
    let gradient = what == "gradient";
    block(gradient);
    let each = block(gradient);
    println!("{what}: {each:?} per evaluation");
}
