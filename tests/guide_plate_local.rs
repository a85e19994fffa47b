//! A custom guide with parameters per unit is differentiated with one shared lane per plated
//! `param!` (a step replays the guide a fixed number of times, whatever N), and the
//! gradient equals central finite differences; a guide that mixes its units is caught (by a
//! lane leaking into a global draw, or by the directional check) and differentiated with a
//! lane per parameter, still exactly.

mod common;

use common::{NormalLocals, PerUnitGuide, assert_matches_finite_differences};
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
