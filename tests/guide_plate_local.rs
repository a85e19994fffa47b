//! A custom guide with parameters per unit is differentiated with one shared lane per plated
//! `param!` (a step replays the guide a fixed number of times, whatever N), and the
//! gradient equals central finite differences; a guide that mixes its units is caught (by a
//! lane leaking into a global draw, or by the directional check) and differentiated with a
//! lane per parameter, still exactly.

mod common;

use common::{EncoderGuide, NormalLocals, PerUnitGuide, assert_matches_finite_differences};
use doppl::inference::svi::{ElboAt, GuideGradientMode, guide_elbo};
use doppl::prelude::*;

/// The global mean's location is the first unit's: a plated lane leaks into a global draw.
#[guide(for = NormalLocals, observed(y))]
fn leaking_guide(n: usize) {
    let units = plate!(n);
    let z_loc = param!(0.1, units);
    let mu = sample!(Normal::new(z_loc[0], 0.3));
    let tau = sample!(LogNormal::new(0.0, 0.2));
    let beta = sample!(Normal::new(0.5, 0.1));
    let sigma = sample!(LogNormal::new(-0.5, 0.2));
    let z_scale = param!(0.4, constraint = positive, units);
    let z = sample!(Normal::new(z_loc, z_scale), units);
}

/// Every unit's location is measured from the first unit's: element 0 reaches every term of
/// the plate, which the lane alone cannot tell; the directional check does.
#[guide(for = NormalLocals, observed(y))]
fn shifted_guide(n: usize) {
    let units = plate!(n);
    let mu = sample!(Normal::new(0.0, 0.3));
    let tau = sample!(LogNormal::new(0.0, 0.2));
    let beta = sample!(Normal::new(0.5, 0.1));
    let sigma = sample!(LogNormal::new(-0.5, 0.2));
    let z_loc = param!(0.1, units);
    let z_scale = param!(0.4, constraint = positive, units);
    let z = sample!(Normal::new(&z_loc - z_loc[0] * 0.5, z_scale), units);
}

/// The same encoder, its first weight also the global mean's location: the weights' lane
/// reaches a global draw, so they cannot be projected.
#[guide(for = NormalLocals, observed(y))]
fn encoder_weight_read_twice(x: &DVector<f64>, y: &DVector<f64>, encoder: &Mlp) {
    let units = plate!(x.len());
    let w = param!(encoder.init_weights(3), plate!(encoder.weights_len()));
    let heads = encoder.apply(w.as_slice(), &[x.into(), y.into()]);
    let mu = sample!(Normal::new(w[0], 0.3));
    let tau = sample!(LogNormal::new(0.0, 0.2));
    let beta = sample!(Normal::new(0.5, 0.1));
    let sigma = sample!(LogNormal::new(-0.5, 0.2));
    let z = sample!(Normal::new(&heads[0], heads[1].softplus() + 0.05), units);
}

fn data(n: usize) -> (DVector<f64>, DVector<f64>) {
    let x = DVector::from_fn(n, |i, _| (i as f64 * 0.61).sin());
    let y = DVector::from_fn(n, |i, _| 0.4 + 0.8 * x[i] + (i as f64 * 1.3).cos());
    (x, y)
}

#[test]
fn a_per_unit_guide_shares_lanes_and_matches_finite_differences() {
    let n = 30;
    let (x, y) = data(n);
    let model = NormalLocals::new(&x);
    let scenario = model.condition().y(y).build();
    let guide = PerUnitGuide::new(n);
    let estimate = |p: Option<&[f64]>| guide_elbo(&scenario, &guide, p, 2, 11).unwrap();
    let at = assert_matches_finite_differences(estimate, 0..6 + 2 * n);
    assert_eq!(
        at.mode,
        GuideGradientMode::PlateLocal {
            params: vec!["z_loc", "z_scale"]
        }
    );
}

#[test]
fn a_guide_that_mixes_its_units_is_differentiated_densely_and_exactly() {
    let n = 12;
    let (x, y) = data(n);
    let model = NormalLocals::new(&x);
    let scenario = model.condition().y(y).build();
    let reason = |at: &ElboAt| match &at.mode {
        GuideGradientMode::DenseFallback { reason } => reason.clone(),
        other => panic!("expected the dense fallback, got {other:?}"),
    };

    let leaking = LeakingGuide::new(n);
    let estimate = |p: Option<&[f64]>| guide_elbo(&scenario, &leaking, p, 2, 11).unwrap();
    let at = assert_matches_finite_differences(estimate, 0..2 * n);
    let why = reason(&at);
    assert!(why.contains("`z_loc` is mixed across its plate"), "{why}");

    let shifted = ShiftedGuide::new(n);
    let estimate = |p: Option<&[f64]>| guide_elbo(&scenario, &shifted, p, 2, 11).unwrap();
    let at = assert_matches_finite_differences(estimate, 0..2 * n);
    let why = reason(&at);
    assert!(why.contains("reaches other elements' terms"), "{why}");
}

#[test]
fn an_encoders_weights_share_one_lane_and_match_finite_differences() {
    let n = 40;
    let (x, y) = data(n);
    let model = NormalLocals::new(&x);
    let scenario = model.condition().y(y.clone()).build();
    let encoder = Mlp::new(&[2, 4, 2], Activation::Tanh, Activation::Identity).unwrap();
    assert_eq!(encoder.weights_len(), 22);
    let guide = EncoderGuide::new(&x, &y, &encoder);
    let estimate = |p: Option<&[f64]>| guide_elbo(&scenario, &guide, p, 2, 11).unwrap();
    // The encoder's 22 weights and the global mean's location.
    let at = assert_matches_finite_differences(estimate, 0..23);
    assert_eq!(at.mode, GuideGradientMode::PlateLocal { params: vec!["w"] });
    // Read outside the network too, the weights get a lane each, and the gradient stays
    // exact.
    let guide = EncoderWeightReadTwice::new(&x, &y, &encoder);
    let estimate = |p: Option<&[f64]>| guide_elbo(&scenario, &guide, p, 2, 11).unwrap();
    let at = assert_matches_finite_differences(estimate, 0..22);
    assert_eq!(at.mode, GuideGradientMode::Chunked);
}
