//! Subsampled plates (`plate!(n, subsample = b)`, `subsample!(x, units)`): every run but an
//! SVI step sees the whole plate; a step's batch density, weighted by `n / b`, averages to
//! the whole density and gradient over a partition of the plate (exactly); the minibatch
//! ELBO is unbiased; a fit on batches of 10% recovers the full-batch fit's posterior means.

mod common;

use common::{ConfounderBatched, ConfounderWhole, LocalsBatched};
use doppl::inference::svi::{AutoGuide, Optimizer, Schedule, SviError, SviOptions, svi};
use doppl::prelude::*;
use doppl_runtime::gradient::{Gradient, GradientMode};
use doppl_runtime::subsample::{Batch, SubsampledPlate};
use rand::RngExt;

fn covariates(n: usize, seed: u64) -> (DVector<f64>, DVector<f64>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let c = DVector::from_fn(n, |_, _| rng.random_range(-1.0..1.0));
    let x = DVector::from_fn(n, |_, _| rng.random_range(-1.0..1.0));
    (c, x)
}

fn outcomes(n: usize, seed: u64) -> DVector<f64> {
    let mut rng = StdRng::seed_from_u64(seed);
    DVector::from_fn(n, |_, _| f64::from(u8::from(rng.random_bool(0.4))))
}

fn point(dim: usize, seed: u64) -> Vec<f64> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..dim).map(|_| rng.random_range(-1.0..1.0)).collect()
}

#[test]
fn runs_outside_an_svi_step_see_the_whole_plate() {
    let (c, x) = covariates(30, 1);
    let y = outcomes(30, 2);
    let batched = ConfounderBatched::new(&c, &x, 5);
    let whole = ConfounderWhole::new(&c, &x);
    let (sb, sw) = (
        batched.condition().y(y.clone()),
        whole.condition().y(y.clone()),
    );
    let layout = sb.layout().unwrap();
    assert_eq!(layout.dim(), 5 + 30);
    let expected = SubsampledPlate {
        plate: "units",
        population: 30,
        batch: 5,
    };
    assert_eq!(layout.subsampled, vec![expected]);
    let u = point(layout.dim(), 3);
    let (pb, pw) = (sb.log_density(&u).unwrap(), sw.log_density(&u).unwrap());
    assert_eq!(pb, pw);
    let (mut gb, mut gw) = (vec![0.0; u.len()], vec![0.0; u.len()]);
    let vb = sb.gradient().unwrap().logp_grad(&u, &mut gb).unwrap();
    let vw = sw.gradient().unwrap().logp_grad(&u, &mut gw).unwrap();
    assert_eq!((vb, gb), (vw, gw));
}

/// Over the batches of a partition of the plate, `n / b` times each batch's terms average
/// to the whole plate's terms: the mean batch density equals the whole density, and the
/// batch gradients, placed at their coordinates and averaged, equal the whole gradient.
#[test]
fn batches_of_a_partition_average_to_the_whole_density_and_gradient() {
    let (n, b) = (24, 6);
    let (c, x) = covariates(n, 4);
    let y = outcomes(n, 5);
    let model = ConfounderBatched::new(&c, &x, b);
    let scenario = model.condition().y(y);
    let layout = scenario.layout().unwrap();
    let u = point(layout.dim(), 6);
    let mut whole_grad = vec![0.0; u.len()];
    let whole = scenario
        .gradient()
        .unwrap()
        .logp_grad(&u, &mut whole_grad)
        .unwrap();
    let plate = layout.subsampled[0];
    // A shuffled partition: batches need not be contiguous.
    let order: Vec<usize> = (0..n).map(|i| (i * 7) % n).collect();
    let mut batch = Batch::new();
    batch.set(plate, order[..b].iter().copied());
    let mut engine = Gradient::batched(&scenario, &layout, batch).unwrap();
    assert!(matches!(engine.mode(), GradientMode::PlateLocal { .. }));
    let (mut mean, mut mean_grad) = (0.0, vec![0.0; u.len()]);
    let (mut coords, batches) = (Vec::new(), (n / b) as f64);
    for chunk in order.chunks(b) {
        let batch = engine.batch_mut().unwrap();
        batch.set(plate, chunk.iter().copied());
        layout.batch_coordinates(batch, &mut coords);
        let ub: Vec<f64> = coords.iter().map(|&k| u[k]).collect();
        let mut gb = vec![0.0; ub.len()];
        mean += engine.logp_grad(&ub, &mut gb).unwrap() / batches;
        for (g, &k) in gb.iter().zip(&coords) {
            mean_grad[k] += g / batches;
        }
    }
    assert!(
        (mean - whole).abs() <= 1e-10 * whole.abs(),
        "{mean} vs {whole}"
    );
    for (k, (a, w)) in mean_grad.iter().zip(&whole_grad).enumerate() {
        assert!(
            (a - w).abs() <= 1e-9 * (1.0 + w.abs()),
            "coordinate {k}: {a} vs {w}"
        );
    }
}

fn settling(steps: usize, seed: u64) -> SviOptions {
    let decay = (1e-2f64).powf(1.0 / steps as f64);
    SviOptions {
        steps,
        optimizer: Optimizer::adam(0.02).with_schedule(Schedule::Exponential { decay }),
        seed,
        progress: false,
        draws: 200,
        ..SviOptions::default()
    }
}

/// Local latents with a known observation noise: the unit effects and their scale are
/// identified from one observation per unit.
#[model]
fn known_noise_batched(x: &DVector<f64>, batch: usize) {
    let units = plate!(x.len(), subsample = batch);
    let x = subsample!(x, units);
    let mu = sample!(Normal::new(0.0, 2.0));
    let tau = sample!(HalfNormal::new(1.0));
    let beta = sample!(Normal::new(0.0, 1.0));
    let z = sample!(Normal::new(mu, tau), units);
    let y = sample!(Normal::new(&z + beta * x, 0.2), units);
}

fn simulated_locals(n: usize, seed: u64) -> (DVector<f64>, DVector<f64>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let x = DVector::from_fn(n, |_, _| rng.random_range(-1.0..1.0));
    let y = DVector::from_fn(n, |i, _| {
        let z = 0.5 + 0.8 * rng.random_range(-1.0..1.0);
        z + 1.2 * x[i] + 0.35 * rng.random_range(-1.0..1.0)
    });
    (x, y)
}

/// The per-step ELBO estimates of a fit whose parameters do not move (a rate of 1e-12)
/// average to the whole ELBO at those parameters, within Monte Carlo error.
#[test]
fn the_minibatch_elbo_is_unbiased() {
    let (x, y) = simulated_locals(200, 7);
    let steps = 4_000;
    let frozen = SviOptions {
        steps,
        optimizer: Optimizer::sgd(1e-12, 0.0),
        init_scale: 0.3,
        seed: 8,
        progress: false,
        draws: 10,
        ..SviOptions::default()
    };
    let batched = LocalsBatched::new(&x, 20);
    let fit = svi(batched.condition().y(y.clone()), AutoGuide::Normal, &frozen).unwrap();
    assert_eq!(fit.skipped, 0);
    let (sub_mean, sub_se) = mean_and_se(&fit.elbo);
    // The whole ELBO at the same guide, one draw per estimate.
    let whole: Vec<f64> = (0..1_000)
        .map(|seed| fit.elbo_parts(1, seed).unwrap().elbo())
        .collect();
    let (whole_mean, whole_se) = mean_and_se(&whole);
    let se = (sub_se.powi(2) + whole_se.powi(2)).sqrt();
    assert!(
        (sub_mean - whole_mean).abs() < 4.0 * se,
        "minibatch {sub_mean} ± {sub_se} vs whole {whole_mean} ± {whole_se}"
    );
}

fn mean_and_se(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|e| (e - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// Batches of 10% of the units reach the full-batch fit's means: globals within a quarter
/// of their posterior sd, local latents on average within a quarter of theirs.
#[test]
fn batches_of_ten_percent_recover_the_full_batch_means() {
    let n = 400;
    let (x, y) = simulated_locals(n, 9);
    let (whole, tenth) = (
        KnownNoiseBatched::new(&x, n),
        KnownNoiseBatched::new(&x, n / 10),
    );
    let full = svi(
        whole.condition().y(y.clone()),
        AutoGuide::Normal,
        &settling(6_000, 10),
    )
    .unwrap();
    let sub = svi(
        tenth.condition().y(y.clone()),
        AutoGuide::Normal,
        &settling(20_000, 11),
    )
    .unwrap();
    let (mf, ms) = (full.guide.location(), sub.guide.location());
    let sd: Vec<f64> = full
        .guide
        .covariance()
        .diagonal()
        .map(f64::sqrt)
        .iter()
        .copied()
        .collect();
    for k in 0..3 {
        let site = full.layout.site_of(k).unwrap();
        assert!(
            (mf[k] - ms[k]).abs() < 0.25 * sd[k],
            "{site}: full batch {} vs 10% batches {} (sd {})",
            mf[k],
            ms[k],
            sd[k]
        );
    }
    let local_gap: f64 = (3..3 + n)
        .map(|k| (mf[k] - ms[k]).abs() / sd[k])
        .sum::<f64>()
        / n as f64;
    assert!(local_gap < 0.25, "mean local gap {local_gap} sd");
}

#[test]
fn guides_that_couple_the_units_and_empty_batches_are_typed_errors() {
    let (x, y) = simulated_locals(40, 12);
    let options = SviOptions {
        steps: 10,
        progress: false,
        ..SviOptions::default()
    };
    let model = LocalsBatched::new(&x, 8);
    let full_rank = svi(
        model.condition().y(y.clone()),
        AutoGuide::MultivariateNormal,
        &options,
    );
    match full_rank {
        Err(SviError::Options(why)) => assert!(why.contains("units"), "{why}"),
        other => panic!("expected an options error, got {other:?}"),
    }
    let empty = LocalsBatched::new(&x, 0);
    match svi(empty.condition().y(y.clone()), AutoGuide::Normal, &options) {
        Err(SviError::Model(ModelError::EmptySubsample { plate: "units" })) => {}
        other => panic!("expected an empty-batch error, got {other:?}"),
    }
}

/// Data on the plate with the wrong number of rows name the data binding and the plate.
#[test]
fn data_of_another_length_than_the_plate_is_a_typed_error() {
    #[model]
    fn two_lengths(c: &DVector<f64>, x: &DVector<f64>) {
        let units = plate!(c.len(), subsample = 4);
        let x = subsample!(x, units);
        let mu = sample!(Normal::new(0.0, 1.0));
        let y = sample!(Normal::new(mu + x, 1.0), units);
    }
    let (c, x) = (DVector::zeros(10), DVector::zeros(9));
    let model = TwoLengths::new(&c, &x);
    let scenario = model.condition().y(DVector::zeros(10));
    match scenario.layout() {
        Err(ModelError::Shape {
            site: "x",
            plate: "units",
            expected: 10,
            found: 9,
        }) => {}
        other => panic!("expected a shape error naming x, got {other:?}"),
    }
}
