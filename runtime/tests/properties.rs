//! Property tests: whatever numbers reach a distribution (finite, infinite, NaN, zero,
//! negative, huge; vectors of any length), constructors and log-densities never panic and
//! never return NaN or +∞: a value or a typed error. Fixed seed, so a run is reproducible.

use doppl_runtime::dist::{
    Bernoulli, Beta, Binomial, Categorical, Cauchy, Delta, Dirichlet, DistError, Distribution,
    Exponential, Gamma, HalfCauchy, HalfNormal, HalfStudentT, InverseGamma, LogNormal,
    MultivariateNormal, Normal, Poisson, StudentT, Uniform,
};
use nalgebra::{DMatrix, DVector};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use rand::SeedableRng;
use rand::rngs::StdRng;

fn config() -> Config {
    Config {
        cases: 512,
        rng_seed: RngSeed::Fixed(7),
        failure_persistence: None,
        ..Config::default()
    }
}

/// Any number a user might pass, the awkward ones often.
fn number() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(0.0),
        Just(-0.0),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(f64::MAX),
        Just(f64::MIN_POSITIVE),
        Just(1e-300),
        -10.0..10.0f64,
        any::<f64>(),
    ]
}

/// A log-density result is a number that is not NaN or +∞, or a typed error.
fn check_log_prob(what: &str, result: Result<f64, DistError>) -> Result<(), TestCaseError> {
    if let Ok(v) = result {
        prop_assert!(!v.is_nan() && v != f64::INFINITY, "{what}: {v}");
    }
    Ok(())
}

/// Scores `x` and the plate `xs`, and draws once, if the family was built.
fn exercise<D>(
    what: &str,
    built: Result<D, DistError>,
    x: f64,
    xs: &[f64],
) -> Result<(), TestCaseError>
where
    D: Distribution<f64, Value = f64, Plain = f64>,
{
    let Ok(d) = built else { return Ok(()) };
    check_log_prob(what, d.log_prob(&x))?;
    check_log_prob(what, d.log_prob_plate(&DVector::from_column_slice(xs)))?;
    if d.batch_len().is_none() {
        let _ = d.sample(&mut StdRng::seed_from_u64(1));
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn continuous_families_never_panic_or_return_nan(
        a in number(), b in number(), c in number(), x in number(),
        xs in prop::collection::vec(number(), 0..6),
    ) {
        exercise("Normal", Normal::new(a, b), x, &xs)?;
        exercise("LogNormal", LogNormal::new(a, b), x, &xs)?;
        exercise("StudentT", StudentT::new(a, b, c), x, &xs)?;
        exercise("Cauchy", Cauchy::new(a, b), x, &xs)?;
        exercise("HalfNormal", HalfNormal::new(a), x, &xs)?;
        exercise("HalfCauchy", HalfCauchy::new(a), x, &xs)?;
        exercise("HalfStudentT", HalfStudentT::new(a, b), x, &xs)?;
        exercise("Exponential", Exponential::new(a), x, &xs)?;
        exercise("Gamma", Gamma::new(a, b), x, &xs)?;
        exercise("InverseGamma", InverseGamma::new(a, b), x, &xs)?;
        exercise("Beta", Beta::new(a, b), x, &xs)?;
        exercise("Uniform", Uniform::new(a, b), x, &xs)?;
        exercise("Delta", Delta::new(a), x, &xs)?;
    }

    #[test]
    fn delta_scores_its_point_zero_and_refuses_every_other_value(
        a in number(), x in number(), k in 0usize..5,
    ) {
        let Ok(d) = Delta::<f64>::new(a) else {
            prop_assert!(!a.is_finite(), "Delta refused the finite point {a}");
            return Ok(());
        };
        prop_assert!(a.is_finite(), "Delta accepted the point {a}");
        prop_assert_eq!(d.log_prob(&a).unwrap(), 0.0);
        prop_assert_eq!(d.log_prob_plate(&DVector::from_element(k, a)).unwrap(), 0.0);
        prop_assert_eq!(d.sample(&mut StdRng::seed_from_u64(3)), a);
        if x != a {
            let single = d.log_prob(&x);
            prop_assert!(matches!(single, Err(DistError::OutOfSupport { .. })), "{single:?}");
            let mut plate = DVector::from_element(k + 1, a);
            plate[k] = x;
            let refused = d.log_prob_plate(&plate);
            prop_assert!(
                matches!(refused, Err(DistError::OutOfSupport { index: Some(i), .. }) if i == k),
                "{refused:?}"
            );
        }
    }

    #[test]
    fn vector_parameters_of_any_length_are_checked_against_the_plate(
        locs in prop::collection::vec(number(), 0..5),
        scale in number(),
        xs in prop::collection::vec(number(), 0..5),
    ) {
        let built = Normal::new(DVector::from_vec(locs), scale);
        if let Ok(d) = built {
            check_log_prob("Normal plate", d.log_prob_plate(&DVector::from_vec(xs)))?;
        }
    }

    #[test]
    fn discrete_families_never_panic(
        p in number(), rate in number(), n in 0u64..50, k in 0u64..60,
        weights in prop::collection::vec(number(), 0..5), category in 0usize..6,
    ) {
        if let Ok(d) = Bernoulli::<f64>::new(p) {
            check_log_prob("Bernoulli", d.log_prob(&(k as f64 % 2.0)))?;
        }
        if let Ok(d) = Bernoulli::<f64>::logits(p) {
            check_log_prob("Bernoulli logits", d.log_prob(&1.0))?;
        }
        if let Ok(d) = Binomial::<f64>::new(n, p) {
            check_log_prob("Binomial", d.log_prob(&k))?;
        }
        if let Ok(d) = Poisson::<f64>::new(rate) {
            check_log_prob("Poisson", d.log_prob(&k))?;
            let _ = d.sample(&mut StdRng::seed_from_u64(2));
        }
        if let Ok(d) = Categorical::<f64>::new(DVector::from_vec(weights)) {
            check_log_prob("Categorical", d.log_prob(&category))?;
        }
    }

    #[test]
    fn multivariate_families_never_panic(
        alpha in prop::collection::vec(number(), 0..4),
        x in prop::collection::vec(number(), 0..4),
        cov in prop::collection::vec(number(), 0..9),
    ) {
        if let Ok(d) = Dirichlet::<f64>::new(DVector::from_vec(alpha.clone())) {
            check_log_prob("Dirichlet", d.log_prob(&DVector::from_vec(x.clone())))?;
        }
        let dim = (cov.len() as f64).sqrt() as usize;
        let matrix = DMatrix::from_column_slice(dim, dim, &cov[..dim * dim]);
        let mean = DVector::from_vec(alpha);
        if let Ok(d) = MultivariateNormal::<f64>::new(mean, matrix) {
            check_log_prob("MultivariateNormal", d.log_prob(&DVector::from_vec(x)))?;
        }
    }
}
