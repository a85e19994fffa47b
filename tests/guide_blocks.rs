//! Guide replays in blocks: a custom guide that declares its large plate
//! `plate!(n, subsample = b)` and is fitted on whole plates draws and replays its surrogate
//! block by block (on the machine's threads), with the ELBO and gradient of the whole: per-unit
//! parameters (each block reads off its own units) and an encoder whose weights every block
//! adds to. A guide whose body reads the plate's data whole cannot run on a block and keeps
//! the whole replay. Fits are the same to the bit on one thread and on two.

mod common;

use common::{EncoderGuide, NormalLocals, PerUnitGuide, assert_matches_finite_differences};
use doppl::inference::svi::{ElboAt, GuideGradientMode, SviOptions, guide_elbo, svi_guide};
use doppl::prelude::*;
use doppl_runtime::gradient::BLOCK_ELEMENTS;
use doppl_runtime::guide::Guide;

/// [`PerUnitGuide`] with its plate declared subsampled (the whole of it per step).
#[guide(for = NormalLocals, observed(y))]
fn per_unit_in_blocks(n: usize) {
    let units = plate!(n, subsample = n);
    let mu_loc = param!(0.0);
    let mu_scale = param!(0.3, constraint = positive);
    let mu = sample!(Normal::new(mu_loc, mu_scale));
    let tau_loc = param!(0.0);
    let tau = sample!(LogNormal::new(tau_loc, 0.2));
    let beta_loc = param!(0.5);
    let beta = sample!(Normal::new(beta_loc, 0.1));
    let sigma_loc = param!(-0.5);
    let sigma_scale = param!(0.2, constraint = positive);
    let sigma = sample!(LogNormal::new(sigma_loc, sigma_scale));
    let z_loc = param!(0.1, units);
    let z_scale = param!(0.4, constraint = positive, units);
    let z = sample!(Normal::new(z_loc, z_scale), units);
}

/// [`EncoderGuide`] with its plate declared subsampled and its data restricted to it.
#[guide(for = NormalLocals, observed(y))]
fn encoder_in_blocks(x: &DVector<f64>, y: &DVector<f64>, encoder: &Mlp) {
    let units = plate!(x.len(), subsample = x.len());
    let x = subsample!(x, units);
    let y = subsample!(y, units);
    let w = param!(encoder.init_weights(3), plate!(encoder.weights_len()));
    let heads = encoder.apply(w.as_slice(), &[x.into(), y.into()]);
    let mu_loc = param!(0.0);
    let mu = sample!(Normal::new(mu_loc, 0.3));
    let tau = sample!(LogNormal::new(0.0, 0.2));
    let beta = sample!(Normal::new(0.5, 0.1));
    let sigma = sample!(LogNormal::new(-0.5, 0.2));
    let z = sample!(Normal::new(&heads[0], heads[1].softplus() + 0.05), units);
}

/// The same, but `y` read whole: the encoder's outputs do not fit a block.
#[guide(for = NormalLocals, observed(y))]
fn encoder_reading_whole_data(x: &DVector<f64>, y: &DVector<f64>, encoder: &Mlp) {
    let units = plate!(x.len(), subsample = x.len());
    let x = subsample!(x, units);
    let w = param!(encoder.init_weights(3), plate!(encoder.weights_len()));
    let heads = encoder.apply(w.as_slice(), &[x.into(), y.into()]);
    let mu_loc = param!(0.0);
    let mu = sample!(Normal::new(mu_loc, 0.3));
    let tau = sample!(LogNormal::new(0.0, 0.2));
    let beta = sample!(Normal::new(0.5, 0.1));
    let sigma = sample!(LogNormal::new(-0.5, 0.2));
    let z = sample!(Normal::new(&heads[0], heads[1].softplus() + 0.05), units);
}

/// Per-unit locations and one scale for all units: an unplated parameter that reaches
/// every term of the plate.
#[guide(for = NormalLocals, observed(y))]
fn shared_scale_in_blocks(n: usize) {
    let units = plate!(n, subsample = n);
    let z_scale = param!(0.4, constraint = positive);
    let mu = sample!(Normal::new(0.0, 0.3));
    let tau = sample!(LogNormal::new(0.0, 0.2));
    let beta = sample!(Normal::new(0.5, 0.1));
    let sigma = sample!(LogNormal::new(-0.5, 0.2));
    let z_loc = param!(0.1, units);
    let z = sample!(Normal::new(z_loc, z_scale), units);
}

/// Two whole blocks and a shorter one: 3 blocks of 783, 783 and 782 units.
const N: usize = 2 * BLOCK_ELEMENTS + 300;

fn data(n: usize) -> (DVector<f64>, DVector<f64>) {
    let x = DVector::from_fn(n, |i, _| (i as f64 * 0.61).sin());
    let y = DVector::from_fn(n, |i, _| 0.4 + 0.8 * x[i] + (i as f64 * 1.3).cos());
    (x, y)
}

/// The guide's parameters at a point away from their initial values.
fn point(len: usize) -> Vec<f64> {
    (0..len).map(|k| 0.2 * (k as f64).cos()).collect()
}

/// Blocked against whole, to the rounding of summing in another order.
fn assert_same(found: &ElboAt, expected: &ElboAt) {
    let scale = (expected.gradient.iter()).fold(expected.value.abs(), |m, g| m.max(g.abs()));
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-10 * scale;
    assert!(
        close(found.value, expected.value),
        "{} vs {}",
        found.value,
        expected.value
    );
    assert_eq!(found.gradient.len(), expected.gradient.len());
    for (k, (a, b)) in found.gradient.iter().zip(&expected.gradient).enumerate() {
        assert!(close(*a, *b), "parameter {k}: {a} vs {b}");
    }
}

#[test]
fn per_unit_parameters_are_read_off_block_by_block_with_the_whole_gradient() {
    let (x, y) = data(N);
    let model = NormalLocals::new(&x);
    let scenario = model.condition().y(y).build();
    let at = point(6 + 2 * N);
    let blocked = guide_elbo(&scenario, &PerUnitInBlocks::new(N), Some(&at), 2, 5).unwrap();
    let whole = guide_elbo(&scenario, &PerUnitGuide::new(N), Some(&at), 2, 5).unwrap();
    assert_eq!((blocked.replay_blocks, whole.replay_blocks), (3, 0));
    assert_eq!((blocked.draw_blocks, whole.draw_blocks), (3, 0));
    let plate_local = GuideGradientMode::PlateLocal {
        params: vec!["z_loc", "z_scale"],
    };
    assert_eq!((&blocked.mode, &whole.mode), (&plate_local, &plate_local));
    assert_same(&blocked, &whole);
    // Units in each block moved: the read-off reached every block.
    assert!(blocked.gradient[6..6 + N].iter().all(|&g| g != 0.0));
}

/// The ELBO at [`point`] of the encoder guide `blocked` (built from the data and the
/// encoder) and of [`EncoderGuide`] on whole plates.
fn encoder_twins<G: Guide<Model = NormalLocals>>(
    blocked: impl for<'a> Fn(&'a DVector<f64>, &'a DVector<f64>, &'a Mlp) -> G,
) -> (ElboAt, ElboAt) {
    let (x, y) = data(N);
    let model = NormalLocals::new(&x);
    let scenario = model.condition().y(y.clone()).build();
    let encoder = Mlp::new(&[2, 4, 2], Activation::Tanh, Activation::Identity).unwrap();
    let at = point(encoder.weights_len() + 1);
    let found = guide_elbo(&scenario, &blocked(&x, &y, &encoder), Some(&at), 2, 5).unwrap();
    let whole = EncoderGuide::new(&x, &y, &encoder);
    let whole = guide_elbo(&scenario, &whole, Some(&at), 2, 5).unwrap();
    (found, whole)
}

#[test]
fn an_encoders_weights_add_up_over_the_blocks_to_the_whole_gradient() {
    let (blocked, whole) = encoder_twins(EncoderInBlocks::new);
    assert_eq!((blocked.replay_blocks, whole.replay_blocks), (3, 0));
    assert_eq!((blocked.draw_blocks, whole.draw_blocks), (3, 0));
    assert_eq!(
        blocked.mode,
        GuideGradientMode::PlateLocal { params: vec!["w"] }
    );
    assert_same(&blocked, &whole);
}

#[test]
fn a_guide_reading_its_plates_data_whole_keeps_the_whole_replay() {
    let (found, whole) = encoder_twins(EncoderReadingWholeData::new);
    assert_eq!((found.replay_blocks, found.draw_blocks), (0, 0));
    assert_eq!(
        (found.value, &found.gradient),
        (whole.value, &whole.gradient)
    );
}

#[test]
fn a_scale_shared_by_the_units_is_differentiated_in_every_block() {
    let (x, y) = data(N);
    let model = NormalLocals::new(&x);
    let scenario = model.condition().y(y).build();
    let guide = SharedScaleInBlocks::new(N);
    let estimate = |p: Option<&[f64]>| guide_elbo(&scenario, &guide, p, 2, 5).unwrap();
    // The shared scale, units in each block (the last of the first, the second's first).
    let at = assert_matches_finite_differences(estimate, [0, 1, 783, 784, 1500, N].into_iter());
    assert_eq!((at.replay_blocks, at.draw_blocks), (3, 3));
}

#[test]
fn a_fit_replaying_in_blocks_is_the_same_on_one_thread_and_on_two() {
    let (x, y) = data(N);
    let model = NormalLocals::new(&x);
    let scenario = model.condition().y(y.clone()).build();
    let encoder = Mlp::new(&[2, 4, 2], Activation::Tanh, Activation::Identity).unwrap();
    let guide = EncoderInBlocks::new(&x, &y, &encoder);
    // Past the evaluations that time one thread against two (both are used there).
    let fit = |threads| {
        let options = SviOptions {
            steps: 40,
            threads: Some(threads),
            seed: 3,
            draws: 10,
            ..SviOptions::default()
        };
        svi_guide(scenario.clone(), &guide, &options).unwrap()
    };
    let (one, two) = (fit(1), fit(2));
    assert_eq!(one.guide.params, two.guide.params);
    assert_eq!(one.elbo, two.elbo);
}
