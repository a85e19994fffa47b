//! Plate-aware derivatives: models with one latent per unit differentiate with the unit
//! latents in one shared tangent lane (O(N · (G + 1)) per gradient), match finite
//! differences and the dense chunked path, and fall back to the dense path, with the
//! reason, when the model mixes a local latent across its plate.

mod common;

use common::*;
use doppl::prelude::*;
use rand::RngExt;

/// A coefficient vector on its own plate (read by every unit through `x * beta`) beside a
/// local latent per unit.
#[model]
fn coefficients_and_locals(x: &DMatrix<f64>) {
    let units = plate!(x.nrows());
    let beta = sample!(Normal::new(0.0, 1.0), plate!(x.ncols()));
    let z = sample!(Normal::new(0.0, 1.0), units);
    let y = sample!(Normal::new(x * &beta + &z, 0.5), units);
}

/// The same with the coefficients also read through their sum: no longer only through the
/// product, so they cannot keep one lane.
#[model]
fn summed_coefficients_and_locals(x: &DMatrix<f64>) {
    let units = plate!(x.nrows());
    let beta = sample!(Normal::new(0.0, 1.0), plate!(x.ncols()));
    let z = sample!(Normal::new(0.0, 1.0), units);
    let y = sample!(Normal::new(x * &beta + beta.sum() + &z, 0.5), units);
}

/// A global site whose mean is the sum of a local latent over its plate.
#[model]
fn summed_locals(n: usize) {
    let units = plate!(n);
    let mu = sample!(Normal::new(0.0, 1.0));
    let z = sample!(Normal::new(mu, 1.0), units);
    let total = sample!(Normal::new(z.sum(), 1.0));
}

/// Each unit's outcome reads its neighbour's latent: no lane can see that.
#[model]
fn neighbour_locals(n: usize) {
    let units = plate!(n);
    let mu = sample!(Normal::new(0.0, 1.0));
    let z = sample!(Normal::new(mu, 1.0), units);
    let shifted = DVector::from_fn(n, |i, _| z[(i + 1) % n]);
    let y = sample!(Normal::new(shifted, 1.0), units);
}

/// Local latents of heavy-tailed, positive and flat families, with a shared and a per-unit
/// scale (`d`'s scale is the local `c`).
#[model]
fn assorted_locals(x: &DVector<f64>) {
    let units = plate!(x.len());
    let mu = sample!(Normal::new(0.0, 1.0));
    let s = sample!(HalfNormal::new(1.0));
    let a = sample!(Cauchy::new(x * mu, s), units);
    let b = sample!(StudentT::new(3.0, x * mu, s), units);
    let c = sample!(HalfCauchy::new(s), units);
    let d = sample!(LogNormal::new(mu, &c), units);
    let e = sample!(LogNormal::new(x * mu, s), units);
    let f = sample!(Flat::new(), units);
    let y = sample!(Normal::new(&a + &b + &c + &d + &e + &f, 1.0), units);
}

fn covariate(n: usize, seed: u64) -> DVector<f64> {
    let mut rng = StdRng::seed_from_u64(seed);
    DVector::from_fn(n, |_, _| rng.random_range(-1.5..1.5))
}

#[test]
fn normal_local_latents_share_a_lane_and_match_finite_differences() {
    let x = covariate(40, 1);
    let model = NormalLocals::new(&x);
    let mut rng = StdRng::seed_from_u64(2);
    let truth = model.scenario().sample_prior(&mut rng).unwrap();
    let posterior = model.condition().y(truth.y.clone());
    let dim = posterior.layout().unwrap().dim();
    assert_eq!(dim, 44);
    for seed in 0..3 {
        let mode = assert_gradient_matches(&posterior, &test_point(dim, seed));
        assert_eq!(mode, GradientMode::PlateLocal { sites: vec!["z"] });
    }
}

#[test]
fn lognormal_local_latents_with_a_bernoulli_logit_outcome() {
    let (c, x) = (covariate(30, 3), covariate(30, 4));
    let model = Confounder::new(&c, &x);
    let mut rng = StdRng::seed_from_u64(5);
    let truth = model.scenario().sample_prior(&mut rng).unwrap();
    let posterior = model.condition().y(truth.y.clone());
    let dim = posterior.layout().unwrap().dim();
    assert_eq!(dim, 37);
    for seed in 0..3 {
        let mode = assert_gradient_matches(&posterior, &test_point(dim, 10 + seed));
        assert_eq!(mode, GradientMode::PlateLocal { sites: vec!["z"] });
    }
}

#[test]
fn cauchy_student_t_positive_and_flat_local_latents_match_the_dense_path() {
    let x = covariate(12, 8);
    let model = AssortedLocals::new(&x);
    let posterior = model.condition().y(covariate(12, 9));
    let dim = posterior.layout().unwrap().dim();
    assert_eq!(dim, 2 + 6 * 12);
    for seed in 0..3 {
        let mode = assert_gradient_matches(&posterior, &test_point(dim, 20 + seed));
        assert_eq!(
            mode,
            GradientMode::PlateLocal {
                sites: vec!["a", "b", "c", "d", "e", "f"]
            }
        );
    }
}

#[test]
fn several_local_sites_on_one_plate_get_a_lane_each() {
    // what_if with only y observed: a, b, c are local latents of `units`.
    let model = WhatIf::new(25);
    let mut rng = StdRng::seed_from_u64(6);
    let truth = model.scenario().sample_prior(&mut rng).unwrap();
    let posterior = model.condition().y(truth.y.clone());
    let dim = posterior.layout().unwrap().dim();
    let mode = assert_gradient_matches(&posterior, &test_point(dim, 7));
    assert_eq!(
        mode,
        GradientMode::PlateLocal {
            sites: vec!["a", "b", "c"]
        }
    );
}

#[test]
fn a_coefficient_vector_read_through_a_data_matrix_keeps_one_lane() {
    let mut rng = StdRng::seed_from_u64(11);
    let x = DMatrix::from_fn(20, 16, |_, _| rng.random_range(-0.3..0.3));
    let model = CoefficientsAndLocals::new(&x);
    let posterior = model.condition().y(covariate(20, 12));
    let mode = assert_gradient_matches(&posterior, &test_point(36, 13));
    assert_eq!(
        mode,
        GradientMode::PlateLocal {
            sites: vec!["beta", "z"]
        }
    );
}

#[test]
fn a_coefficient_vector_read_across_the_plate_becomes_global() {
    let mut rng = StdRng::seed_from_u64(11);
    let x = DMatrix::from_fn(20, 3, |_, _| rng.random_range(-1.0..1.0));
    let model = SummedCoefficientsAndLocals::new(&x);
    let posterior = model.condition().y(covariate(20, 12));
    let mode = assert_gradient_matches(&posterior, &test_point(23, 13));
    assert_eq!(mode, GradientMode::PlateLocal { sites: vec!["z"] });
}

/// More globals (70 coefficients made global) than one pass holds beside the shared lane:
/// the read-off pass takes the first chunk and further passes the rest.
#[test]
fn more_globals_than_one_pass_holds_beside_local_latents() {
    let mut rng = StdRng::seed_from_u64(14);
    let x = DMatrix::from_fn(25, 70, |_, _| rng.random_range(-0.2..0.2));
    let model = SummedCoefficientsAndLocals::new(&x);
    let posterior = model.condition().y(covariate(25, 15));
    for seed in 0..2 {
        let mode = assert_gradient_matches(&posterior, &test_point(95, 16 + seed));
        assert_eq!(mode, GradientMode::PlateLocal { sites: vec!["z"] });
    }
}

#[test]
fn a_sum_over_the_plate_falls_back_to_the_dense_path() {
    // 60 elements of z: more than one chunk of lanes, so the cost is worth a note.
    let model = SummedLocals::new(60);
    let posterior = model.condition().total(3.0);
    let mode = assert_gradient_matches(&posterior, &test_point(61, 8));
    assert_eq!(mode, GradientMode::Chunked);
    let note = posterior
        .gradient()
        .unwrap()
        .note()
        .expect("a note on the dense path");
    assert!(note.contains("local latent `z` is mixed"), "{note}");
    // A handful of mixed elements fit in one pass: nothing to report.
    let small = SummedLocals::new(12);
    assert_eq!(
        small.condition().total(3.0).gradient().unwrap().note(),
        None
    );
}

#[test]
fn a_neighbour_read_is_caught_by_the_directional_check() {
    let model = NeighbourLocals::new(10);
    let posterior = model.condition().y(covariate(10, 9));
    let mode = assert_gradient_matches(&posterior, &test_point(11, 10));
    let GradientMode::DenseFallback { reason } = mode else {
        panic!("expected the dense fallback, got {mode:?}");
    };
    assert!(reason.contains("directional derivative"), "{reason}");
}

#[test]
fn the_sampler_report_says_when_the_dense_path_is_used() {
    let model = SummedLocals::new(60);
    let options = NutsOptions {
        num_chains: 1,
        num_warmup: 100,
        num_draws: 50,
        seed: 1,
        ..NutsOptions::default()
    };
    let fit = nuts(model.condition().total(1.0), &options).unwrap();
    let report = fit.sampler_report();
    assert!(report.contains("dense path"), "{report}");
    let fine = NormalLocals::new(&covariate(8, 1));
    let y = DVector::from_element(8, 0.5);
    let fit = nuts(fine.condition().y(y), &options).unwrap();
    assert!(!fit.sampler_report().contains("dense path"));
}

/// Each unit reads two group entries: no single element to scatter to.
#[model]
fn two_groups_per_unit(own: &[usize], other: &[usize], groups: usize) {
    let units = plate!(own.len());
    let group = plate!(groups);
    let alpha = sample!(Normal::new(0.0, 1.0), group);
    let y = sample!(
        Normal::new(alpha.gather(own) + alpha.gather(other), 1.0),
        units
    );
}

#[test]
fn a_group_effect_read_through_an_index_shares_lanes_and_scatters() {
    let (floor, county, y) = radon_like(120, 9, 14);
    let model = Radon::new(&floor, &county, 9);
    let posterior = model.condition().log_radon(y);
    let dim = posterior.layout().unwrap().dim();
    assert_eq!(dim, 13);
    for seed in 0..3 {
        let mode = assert_gradient_matches(&posterior, &test_point(dim, 20 + seed));
        assert_eq!(
            mode,
            GradientMode::PlateLocal {
                sites: vec!["alpha"]
            }
        );
    }
}

/// Each unit reads one group entry, through an index and then a permutation of the units:
/// the registered index (`own`) is not the element a unit's term depends on.
#[model]
fn permuted_groups(own: &[usize], perm: &[usize], groups: usize) {
    let units = plate!(own.len());
    let group = plate!(groups);
    let alpha = sample!(Normal::new(0.0, 1.0), group);
    let y = sample!(Normal::new(alpha.gather(own).gather(perm), 1.0), units);
}

#[test]
fn a_gather_permuted_after_the_index_is_decoded_not_read_through_the_index() {
    let own: Vec<usize> = (0..40).map(|i| (i * 7 + i / 3) % 6).collect();
    let perm: Vec<usize> = (0..40).map(|i| (i * 17 + 5) % 40).collect();
    assert!(own.iter().zip(&perm).any(|(&j, &p)| own[p] != j));
    let model = PermutedGroups::new(&own, &perm, 6);
    let posterior = model.condition().y(covariate(40, 18));
    let mode = assert_gradient_matches(&posterior, &test_point(6, 19));
    assert_eq!(
        mode,
        GradientMode::PlateLocal {
            sites: vec!["alpha"]
        }
    );
}

/// Each unit reads its group's scale through an index: a positive group site (its values
/// `e^u`, each unit's term read off through the index lanes).
#[model]
fn group_scales(own: &[usize], groups: usize) {
    let units = plate!(own.len());
    let group = plate!(groups);
    let scale = sample!(HalfNormal::new(1.0), group);
    let y = sample!(Normal::new(0.0, scale.gather(own)), units);
}

#[test]
fn a_positive_group_site_read_through_an_index_shares_lanes_and_scatters() {
    let own: Vec<usize> = (0..45).map(|i| (i * 5 + i / 4) % 7).collect();
    let model = GroupScales::new(&own, 7);
    let posterior = model.condition().y(covariate(45, 21));
    for seed in 0..3 {
        let mode = assert_gradient_matches(&posterior, &test_point(7, 22 + seed));
        assert_eq!(
            mode,
            GradientMode::PlateLocal {
                sites: vec!["scale"]
            }
        );
    }
}

#[test]
fn two_group_entries_per_unit_make_the_group_effect_global() {
    let own: Vec<usize> = (0..30).map(|i| i % 5).collect();
    let other: Vec<usize> = (0..30).map(|i| (i * 3 + 1) % 5).collect();
    let model = TwoGroupsPerUnit::new(&own, &other, 5);
    let posterior = model.condition().y(covariate(30, 15));
    let mode = assert_gradient_matches(&posterior, &test_point(5, 16));
    assert_eq!(mode, GradientMode::Chunked);
}

#[test]
fn an_index_out_of_range_is_a_typed_error_naming_the_site() {
    let (floor, mut county, y) = radon_like(20, 4, 17);
    county[6] = 4;
    let model = Radon::new(&floor, &county, 4);
    let err = model.condition().log_radon(y).layout().unwrap_err();
    let ModelError::Distribution { site, source } = &err else {
        panic!("expected a distribution error, got {err:?}");
    };
    assert_eq!(*site, "log_radon");
    assert_eq!(
        *source,
        DistError::Operand(ShapeError::IndexOutOfRange {
            position: 6,
            index: 4,
            len: 4
        })
    );
}
