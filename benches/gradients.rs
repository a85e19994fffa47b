//! Cost of the generated log-density and its forward-mode gradient against hand-written
//! analytic gradients, on the Lalonde-shaped model (N=614, 12 parameters) and a logistic
//! regression (N=10,000, 51 parameters). Figures go to BENCHMARKS.md.

#[path = "../tests/common/mod.rs"]
mod common;

use common::{
    Earnings, Logistic, NormalLocals, Radon, lalonde_analytic, lalonde_like, logistic_analytic,
    logistic_like, radon_like, test_point,
};
use criterion::{Criterion, criterion_group, criterion_main};
use doppl::prelude::*;
use doppl::runtime::value::Workspace;
use rand::RngExt;
use std::hint::black_box;

fn bench_lalonde(c: &mut Criterion) {
    let data = lalonde_like(614, 7, 1);
    let model = Earnings::new(&data.x, &data.nodegree);
    let posterior = model
        .condition()
        .treat(data.treat.clone())
        .y(data.y.clone());
    let u = test_point(12, 3);
    let mut grad = vec![0.0; 12];
    let mut group = c.benchmark_group("lalonde_n614_d12");
    group.bench_function("log_density_f64", |b| {
        let mut workspace = Workspace::default();
        b.iter(|| workspace.lend(|| posterior.log_density(black_box(&u)).unwrap().total()))
    });
    let mut engine = posterior.gradient().unwrap();
    group.bench_function("gradient_forward_mode", |b| {
        b.iter(|| engine.logp_grad(black_box(&u), &mut grad).unwrap())
    });
    group.bench_function("gradient_analytic_f64", |b| {
        b.iter(|| lalonde_analytic(&data, black_box(&u)))
    });
    let layout = posterior.layout().unwrap();
    let mut dense = Gradient::dense(&posterior, &layout);
    group.bench_function("gradient_dense_chunked", |b| {
        b.iter(|| dense.logp_grad(black_box(&u), &mut grad).unwrap())
    });
    group.finish();
}

/// One Normal latent per unit and four globals (zᵢ ~ N(μ, τ), yᵢ ~ N(zᵢ + xᵢβ, σ)): the
/// gradient with the unit latents in one shared lane, at N = 1,000 / 10,000 / 100,000, and
/// the dense chunked path (every latent its own lane) at N = 1,000 for comparison.
fn bench_local_latents(c: &mut Criterion) {
    let mut group = c.benchmark_group("local_latents");
    group.sample_size(20);
    for n in [1_000, 10_000, 100_000] {
        let mut rng = StdRng::seed_from_u64(n as u64);
        let x = DVector::from_fn(n, |_, _| rng.random_range(-1.5..1.5));
        let model = NormalLocals::new(&x);
        let truth = model.scenario().sample_prior(&mut rng).unwrap();
        let posterior = model.condition().y(truth.y.clone());
        let dim = n + 4;
        let u = test_point(dim, 4);
        let mut grad = vec![0.0; dim];
        group.bench_function(format!("n{n}/log_density_f64"), |b| {
            let mut workspace = Workspace::default();
            b.iter(|| workspace.lend(|| posterior.log_density(black_box(&u)).unwrap().total()))
        });
        let mut engine = posterior.gradient().unwrap();
        assert_eq!(
            engine.mode(),
            &GradientMode::PlateLocal { sites: vec!["z"] }
        );
        group.bench_function(format!("n{n}/gradient_plate_local"), |b| {
            b.iter(|| engine.logp_grad(black_box(&u), &mut grad).unwrap())
        });
        if n == 1_000 {
            let layout = posterior.layout().unwrap();
            let mut dense = Gradient::dense(&posterior, &layout);
            group.bench_function(format!("n{n}/gradient_dense_chunked"), |b| {
                b.iter(|| dense.logp_grad(black_box(&u), &mut grad).unwrap())
            });
        }
    }
    group.finish();
}

/// A radon-like varying intercept (919 houses, 85 counties through an index vector, 4
/// globals): the gathered group effect in three shared lanes against every coordinate in its
/// own lane.
fn bench_radon(c: &mut Criterion) {
    let (floor, county, y) = radon_like(919, 85, 3);
    let model = Radon::new(&floor, &county, 85);
    let posterior = model.condition().log_radon(y);
    let layout = posterior.layout().unwrap();
    let u = test_point(layout.dim(), 5);
    let mut grad = vec![0.0; layout.dim()];
    let mut group = c.benchmark_group("radon_n919_j85");
    group.bench_function("log_density_f64", |b| {
        let mut workspace = Workspace::default();
        b.iter(|| workspace.lend(|| posterior.log_density(black_box(&u)).unwrap().total()))
    });
    let mut engine = posterior.gradient().unwrap();
    assert_eq!(
        engine.mode(),
        &GradientMode::PlateLocal {
            sites: vec!["alpha"]
        }
    );
    group.bench_function("gradient_gathered", |b| {
        b.iter(|| engine.logp_grad(black_box(&u), &mut grad).unwrap())
    });
    let mut dense = Gradient::dense(&posterior, &layout);
    group.bench_function("gradient_dense_chunked", |b| {
        b.iter(|| dense.logp_grad(black_box(&u), &mut grad).unwrap())
    });
    group.finish();
}

fn bench_logistic(c: &mut Criterion) {
    let k = 50;
    let (x, y) = logistic_like(10_000, k, 5);
    let model = Logistic::new(&x);
    let posterior = model.condition().y(y.clone());
    let u = test_point(k + 1, 4);
    let mut grad = vec![0.0; k + 1];
    let mut group = c.benchmark_group("logistic_n10000_d51");
    group.sample_size(20);
    group.bench_function("log_density_f64", |b| {
        let mut workspace = Workspace::default();
        b.iter(|| workspace.lend(|| posterior.log_density(black_box(&u)).unwrap().total()))
    });
    let mut engine = posterior.gradient().unwrap();
    group.bench_function("gradient_forward_mode", |b| {
        b.iter(|| engine.logp_grad(black_box(&u), &mut grad).unwrap())
    });
    group.bench_function("gradient_analytic_f64", |b| {
        b.iter(|| logistic_analytic(&x, &y, black_box(&u), &mut grad))
    });
    group.finish();
}

criterion_group!(
    benches,
    bench_lalonde,
    bench_logistic,
    bench_local_latents,
    bench_radon
);
criterion_main!(benches);
