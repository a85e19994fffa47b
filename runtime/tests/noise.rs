//! Abduction per family: the noise a value implies is the standard draw that produced it
//! (so a counterfactual replays the very noise of the simulation), `value_from_noise` inverts
//! `noise_of`, and discrete families have none.

use doppl_runtime::dist::{
    Bernoulli, Cauchy, Distribution, Exponential, HalfCauchy, HalfNormal, HalfStudentT, LogNormal,
    Normal, Poisson, StudentT,
};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Distribution as _, Exp1, StandardNormal};

/// `noise_of(sample)` with the standard draw the same stream gives.
fn check_noise_of_draws<D: Distribution<f64, Plain = f64>>(
    d: &D,
    standard: impl Fn(&mut StdRng) -> f64,
) {
    for seed in 0..20 {
        let x = d.sample(&mut StdRng::seed_from_u64(seed));
        let eps = standard(&mut StdRng::seed_from_u64(seed));
        let found = d.noise_of(0, &x).unwrap();
        assert!((found - eps).abs() < 1e-12, "{}: {found} vs {eps}", D::NAME);
        let back = d.value_from_noise(0, found).unwrap();
        assert!(
            (back - x).abs() < 1e-12 * x.abs().max(1.0),
            "{}: {back} vs {x}",
            D::NAME
        );
    }
}

#[test]
fn the_noise_of_a_draw_is_the_standard_draw_behind_it() {
    let z = |rng: &mut StdRng| StandardNormal.sample(rng);
    check_noise_of_draws(&Normal::new(2.0, 3.0).unwrap(), z);
    check_noise_of_draws(&LogNormal::new(-1.0, 0.5).unwrap(), z);
    check_noise_of_draws(&HalfNormal::new(2.0).unwrap(), |rng: &mut StdRng| {
        f64::abs(StandardNormal.sample(rng))
    });
    check_noise_of_draws(&Exponential::new(4.0).unwrap(), |rng: &mut StdRng| {
        Exp1.sample(rng)
    });
}

#[test]
fn from_noise_inverts_noise_of_for_every_location_scale_family() {
    for x in [0.25, 1.0, 3.5] {
        check_round_trip(&StudentT::new(3.0, 1.0, 2.0).unwrap(), x);
        check_round_trip(&Cauchy::new(-1.0, 0.5).unwrap(), x);
        check_round_trip(&HalfCauchy::new(2.0).unwrap(), x);
        check_round_trip(&HalfStudentT::new(4.0, 3.0).unwrap(), x);
    }
    // The scale families: noise x / scale.
    let half = HalfStudentT::<f64>::new(4.0, 3.0).unwrap();
    assert!((half.noise_of(0, &1.5).unwrap() - 0.5).abs() < 1e-15);
    let t = StudentT::<f64>::new(3.0, 1.0, 2.0).unwrap();
    assert!((t.noise_of(0, &4.0).unwrap() - 1.5).abs() < 1e-15);
}

fn check_round_trip<D: Distribution<f64, Plain = f64>>(d: &D, x: f64) {
    let eps = d.noise_of(0, &x).unwrap();
    let back = d.value_from_noise(0, eps).unwrap();
    assert!((back - x).abs() < 1e-12, "{}: {back} vs {x}", D::NAME);
}

#[test]
fn discrete_families_have_no_noise_to_abduct() {
    assert_eq!(Bernoulli::<f64>::new(0.3).unwrap().noise_of(0, &1.0), None);
    assert_eq!(Poisson::<f64>::new(2.0).unwrap().noise_of(0, &3), None);
    assert_eq!(
        Bernoulli::<f64>::new(0.3).unwrap().value_from_noise(0, 0.1),
        None
    );
}
