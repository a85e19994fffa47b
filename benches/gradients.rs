//! Cost of the generated log-density and its forward-mode gradient against hand-written
//! analytic gradients, on the Lalonde-shaped model (N=614, 12 parameters) and a logistic
//! regression (N=10,000, 51 parameters). Figures go to BENCHMARKS.md.

#[path = "../tests/common/mod.rs"]
mod common;

use common::{
    Earnings, NormalLocals, Radon, lalonde_analytic, lalonde_like, radon_like, test_point,
};
use criterion::{Criterion, criterion_group, criterion_main};
use doppl::prelude::*;
use rand::RngExt;
use std::hint::black_box;

#[model]
fn logistic(x: &DMatrix<f64>) {
    let units = plate!(x.nrows());
    let alpha = sample!(Normal::new(0.0, 2.0));
    let beta = sample!(Normal::new(0.0, 1.0), plate!(x.ncols()));
    let eta = alpha + x * &beta;
    let y = sample!(Bernoulli::logits(eta), units);
}

/// The logistic regression's log posterior and gradient by hand, in f64.
fn logistic_analytic(x: &DMatrix<f64>, y: &DVector<f64>, u: &[f64], grad: &mut [f64]) -> f64 {
    let (n, k) = (x.nrows(), x.ncols());
    let beta = DVector::from_column_slice(&u[1..]);
    let eta = x * &beta;
    let mut lp = -0.5 * (u[0] / 2.0).powi(2) - 0.5 * beta.norm_squared();
    let mut g_eta = DVector::zeros(n);
    for i in 0..n {
        let e = eta[i] + u[0];
        let p = 1.0 / (1.0 + (-e).exp());
        lp += if y[i] > 0.5 {
            -(-e).exp().ln_1p()
        } else {
            -e.exp().ln_1p()
        };
        g_eta[i] = y[i] - p;
    }
    grad[0] = g_eta.sum() - u[0] / 4.0;
    let g_beta = x.tr_mul(&g_eta);
    for j in 0..k {
        grad[1 + j] = g_beta[j] - beta[j];
    }
    lp
}

/// The state `doppl::inference::sample` puts glibc's malloc in before sampling (one large
/// block freed raises its trim threshold), so that the figures are those a fit sees rather
/// than those of a process that returns its heap to the OS after every evaluation.
fn prime_allocator() {
    let block: Vec<u8> = Vec::with_capacity(16 << 20);
    drop(black_box(block));
}

fn bench_lalonde(c: &mut Criterion) {
    prime_allocator();
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
        b.iter(|| posterior.log_density(black_box(&u)).unwrap().total())
    });
    let mut engine = posterior.gradient().unwrap();
    group.bench_function("gradient_forward_mode", |b| {
        b.iter(|| engine.logp_grad(black_box(&u), &mut grad).unwrap())
    });
    group.bench_function("gradient_analytic_f64", |b| {
        b.iter(|| lalonde_analytic(&data, black_box(&u)))
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
            b.iter(|| posterior.log_density(black_box(&u)).unwrap().total())
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
        b.iter(|| posterior.log_density(black_box(&u)).unwrap().total())
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
    let (n, k) = (10_000, 50);
    let mut rng = StdRng::seed_from_u64(5);
    let x = DMatrix::from_fn(n, k, |_, _| rng.random_range(-1.0..1.0) * 0.3);
    let y = DVector::from_fn(n, |i, _| {
        if x.row(i).sum() + rng.random_range(-1.0..1.0) > 0.0 {
            1.0
        } else {
            0.0
        }
    });
    let model = Logistic::new(&x);
    let posterior = model.condition().y(y.clone());
    let u = test_point(k + 1, 4);
    let mut grad = vec![0.0; k + 1];
    let mut group = c.benchmark_group("logistic_n10000_d51");
    group.sample_size(20);
    group.bench_function("log_density_f64", |b| {
        b.iter(|| posterior.log_density(black_box(&u)).unwrap().total())
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
