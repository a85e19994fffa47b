//! SVI on the confounder network (`Confounder` in `tests/common/local_models.rs`: seven
//! globals, a LogNormal latent per unit, a Bernoulli-logit outcome) with AutoNormal, Adam(0.01)
//! and one particle, the setting of NumPyro's figures in the SVI issue: optimization steps
//! per second at N = 100 and N = 10,000, and the cost of one ELBO gradient against one f64
//! log-density. Figures go to BENCHMARKS.md.

#[path = "../tests/common/mod.rs"]
mod common;

use common::{Confounder, NormalLocals, PerUnitGuide, test_point};
use criterion::{Criterion, criterion_group, criterion_main};
use doppl::inference::svi::{AutoGuide, GuideGradientMode, SviOptions, guide_elbo, svi, svi_guide};
use doppl::prelude::*;
use doppl::runtime::value::Workspace;
use rand::RngExt;
use std::hint::black_box;

const STEPS: usize = 200;

fn bench_confounder(c: &mut Criterion) {
    let mut group = c.benchmark_group("svi_confounder");
    group.sample_size(10);
    for n in [100, 10_000] {
        let mut rng = StdRng::seed_from_u64(n as u64);
        let c_data = DVector::from_fn(n, |_, _| rng.random_range(0.0..2.0));
        let x = DVector::from_fn(n, |_, _| f64::from(rng.random_range(0..3u8)));
        let model = Confounder::new(&c_data, &x);
        let truth = model.scenario().sample_prior(&mut rng).unwrap();
        let scenario = model.condition().y(truth.y.clone());
        let options = SviOptions {
            steps: STEPS,
            ..SviOptions::default()
        };
        group.bench_function(format!("n{n}/{STEPS}_steps"), |b| {
            b.iter(|| svi(black_box(scenario.clone()), AutoGuide::Normal, &options).unwrap())
        });
        let dim = scenario.layout().unwrap().dim();
        let u = test_point(dim, 3);
        let mut grad = vec![0.0; dim];
        let mut engine = scenario.gradient().unwrap();
        group.bench_function(format!("n{n}/gradient"), |b| {
            b.iter(|| engine.logp_grad(black_box(&u), &mut grad).unwrap())
        });
        let mut workspace = Workspace::default();
        group.bench_function(format!("n{n}/log_density_f64"), |b| {
            b.iter(|| workspace.lend(|| scenario.log_density(black_box(&u)).unwrap().total()))
        });
    }
    group.finish();
}

/// A hand-written mean-field guide with a location and a scale per unit
/// (`PerUnitGuide` for `NormalLocals`, 2N + 6 parameters), 200 steps of Adam(0.01). The
/// plated parameters share two lanes, so a step replays the guide twice (a draw and one
/// dual replay); with a lane per parameter it was 1 + ⌈(2N + 6) / 16⌉ replays.
fn bench_per_unit_guide(c: &mut Criterion) {
    let mut group = c.benchmark_group("svi_per_unit_guide");
    group.sample_size(10);
    for n in [1_000, 10_000] {
        let mut rng = StdRng::seed_from_u64(n as u64);
        let x = DVector::from_fn(n, |_, _| rng.random_range(-1.5..1.5));
        let model = NormalLocals::new(&x);
        let truth = model.scenario().sample_prior(&mut rng).unwrap();
        let scenario = model.condition().y(truth.y.clone()).build();
        let guide = PerUnitGuide::new(n);
        let at = guide_elbo(&scenario, &guide, None, 1, 0).unwrap();
        assert!(matches!(at.mode, GuideGradientMode::PlateLocal { .. }));
        let options = SviOptions {
            steps: STEPS,
            ..SviOptions::default()
        };
        group.bench_function(format!("n{n}/{STEPS}_steps"), |b| {
            b.iter(|| svi_guide(black_box(scenario.clone()), &guide, &options).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, bench_confounder, bench_per_unit_guide);
criterion_main!(benches);
