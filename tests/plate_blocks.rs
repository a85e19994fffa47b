//! Plate blocks: a model whose large plate is declared `plate!(n, subsample = b)` is
//! differentiated block by block (`doppl_runtime::gradient::BLOCK_ELEMENTS` elements at a
//! time) where that gives the whole gradient (the confounder network's shape: globals with
//! and without a Jacobian, a LogNormal local latent, a `factor!` on the plate); the terms
//! off the plate count once; a body that reads the plate's data without `subsample!` keeps
//! the whole pass.

mod common;

use common::{ConfounderBatched, ConfounderWhole};
use doppl::inference::svi::{AutoGuide, SviOptions, svi};
use doppl::prelude::*;
use doppl_runtime::gradient::{BLOCK_ELEMENTS, BlockThreads, Gradient};
use rand::RngExt;

/// The subsampled model, but `c` is read whole: a block of the plate cannot run it.
#[model]
fn network_reading_whole_data(c: &DVector<f64>, x: &DVector<f64>, batch: usize) {
    let units = plate!(c.len(), subsample = batch);
    let x = subsample!(x, units);
    let a0 = sample!(Normal::new(0.0, 1.0));
    let a_x = sample!(Normal::new(0.0, 1.0));
    let s_z = sample!(HalfNormal::new(1.0));
    let b0 = sample!(Normal::new(0.0, 1.0));
    let b_z = sample!(Normal::new(0.0, 1.0));
    let z = sample!(LogNormal::new(a0 + a_x * x, s_z), units);
    factor!(z_shrink, -0.1 * (&z * &z));
    let y = sample!(Bernoulli::logits(b0 + 0.5 * c + b_z * &z), units);
}

/// Two whole blocks and a shorter one: 3 blocks of 783, 783 and 782 elements.
const N: usize = 2 * BLOCK_ELEMENTS + 300;

fn data(seed: u64) -> (DVector<f64>, DVector<f64>, DVector<f64>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let c = DVector::from_fn(N, |_, _| rng.random_range(-1.0..1.0));
    let x = DVector::from_fn(N, |_, _| rng.random_range(-1.0..1.0));
    let y = DVector::from_fn(N, |_, _| f64::from(u8::from(rng.random_bool(0.4))));
    (c, x, y)
}

fn value_and_gradient<M: Model>(engine: &mut Gradient<'_, '_, M>, u: &[f64]) -> (f64, Vec<f64>) {
    let mut grad = vec![0.0; u.len()];
    let value = engine.logp_grad(u, &mut grad).unwrap();
    (value, grad)
}

/// Blocked against whole, to the rounding of summing in another order.
fn assert_same(found: (f64, Vec<f64>), expected: (f64, Vec<f64>)) {
    let scale = (expected.1.iter()).fold(expected.0.abs(), |m, g| m.max(g.abs()));
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-10 * scale;
    assert!(close(found.0, expected.0), "{} vs {}", found.0, expected.0);
    for (k, (a, b)) in found.1.iter().zip(&expected.1).enumerate() {
        assert!(close(*a, *b), "coordinate {k}: {a} vs {b}");
    }
}

#[test]
fn a_large_subsampled_plate_is_differentiated_in_blocks_with_the_whole_gradient() {
    let (c, x, y) = data(1);
    let (blocked, whole) = (
        ConfounderBatched::new(&c, &x, N),
        ConfounderWhole::new(&c, &x),
    );
    let (sb, sw) = (blocked.condition().y(y.clone()), whole.condition().y(y));
    let (mut eb, mut ew) = (sb.gradient().unwrap(), sw.gradient().unwrap());
    assert!(!eb.is_blocked(), "blocks are asked for");
    eb.in_blocks(&sb.layout().unwrap(), &BlockThreads::one());
    ew.in_blocks(&sw.layout().unwrap(), &BlockThreads::one());
    assert!(eb.is_blocked() && !ew.is_blocked());
    let mut rng = StdRng::seed_from_u64(2);
    for _ in 0..3 {
        let u: Vec<f64> = (0..eb.dim()).map(|_| rng.random_range(-1.5..1.5)).collect();
        let found = value_and_gradient(&mut eb, &u);
        // The blocks' sum counts the globals' priors and Jacobians once, as the whole does.
        let parts = sb.log_density(&u).unwrap().total();
        assert!(
            (found.0 - parts).abs() <= 1e-10 * parts.abs(),
            "{} vs {parts}",
            found.0
        );
        assert_same(found, value_and_gradient(&mut ew, &u));
    }
}

#[test]
fn a_body_reading_the_plates_data_whole_keeps_the_whole_pass() {
    let (c, x, y) = data(3);
    let reading = NetworkReadingWholeData::new(&c, &x, N);
    let whole = ConfounderWhole::new(&c, &x);
    let (sr, sw) = (reading.condition().y(y.clone()), whole.condition().y(y));
    let (mut er, mut ew) = (sr.gradient().unwrap(), sw.gradient().unwrap());
    er.in_blocks(&sr.layout().unwrap(), &BlockThreads::one());
    assert!(!er.is_blocked());
    let mut rng = StdRng::seed_from_u64(4);
    let u: Vec<f64> = (0..er.dim()).map(|_| rng.random_range(-1.5..1.5)).collect();
    assert_same(
        value_and_gradient(&mut er, &u),
        value_and_gradient(&mut ew, &u),
    );
}

#[test]
fn a_plate_smaller_than_two_blocks_runs_whole() {
    let (c, x, y) = data(5);
    let n = 2 * BLOCK_ELEMENTS - 1;
    let (c, x, y) = (
        c.rows(0, n).into_owned(),
        x.rows(0, n).into_owned(),
        y.rows(0, n).into_owned(),
    );
    let model = ConfounderBatched::new(&c, &x, n);
    let scenario = model.condition().y(y);
    let mut engine = scenario.gradient().unwrap();
    engine.in_blocks(&scenario.layout().unwrap(), &BlockThreads::new(2));
    assert!(!engine.is_blocked());
}

#[test]
fn the_blocked_gradient_is_the_same_to_the_bit_on_any_number_of_threads() {
    let (c, x, y) = data(6);
    let model = ConfounderBatched::new(&c, &x, N);
    let scenario = model.condition().y(y);
    let layout = scenario.layout().unwrap();
    let mut rng = StdRng::seed_from_u64(7);
    let u: Vec<f64> = (0..layout.dim())
        .map(|_| rng.random_range(-1.5..1.5))
        .collect();
    let mut one: Option<(f64, Vec<f64>)> = None;
    for threads in [1, 2, 3, 8] {
        let mut engine = scenario.gradient().unwrap();
        engine.in_blocks(&layout, &BlockThreads::new(threads));
        assert!(engine.is_blocked());
        // Past the first evaluations, timed alternately on one thread and on all.
        for _ in 0..40 {
            let (value, grad) = value_and_gradient(&mut engine, &u);
            let (v1, g1) = one.get_or_insert_with(|| (value, grad.clone()));
            assert_eq!(value.to_bits(), v1.to_bits(), "{threads} threads");
            assert!(
                grad.iter()
                    .zip(g1.iter())
                    .all(|(a, b)| a.to_bits() == b.to_bits())
            );
        }
    }
}

#[test]
fn an_svi_fit_is_the_same_to_the_bit_on_any_number_of_threads() {
    let (c, x, y) = data(8);
    let model = ConfounderBatched::new(&c, &x, N);
    let fit = |threads| {
        let options = SviOptions {
            steps: 40,
            draws: 10,
            progress: false,
            threads: Some(threads),
            ..SviOptions::default()
        };
        svi(model.condition().y(y.clone()), AutoGuide::Normal, &options).unwrap()
    };
    let (one, two) = (fit(1), fit(2));
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&one.elbo), bits(&two.elbo));
    assert_eq!(bits(&one.guide.params), bits(&two.guide.params));
}
