//! Bad input returns typed errors that name the site, the index and the value; never a panic.

mod common;

use doppl::inference::ErrorChain;
use doppl::prelude::*;
use doppl::runtime::dist::DistError;
use doppl::runtime::value::Extent;

#[model]
fn counts(n: usize) {
    let units = plate!(n);
    let rate = sample!(Gamma::new(2.0, 1.0));
    let k = sample!(Poisson::new(rate), units);
    let p = sample!(Beta::new(2.0, 2.0));
    let coin = sample!(Bernoulli::new(p), units);
    let scale = sample!(HalfNormal::new(1.0), units);
}

#[model]
fn bad_prior(s: f64) {
    let x = sample!(Normal::new(0.0, s));
}

#[test]
fn non_finite_observed_data_names_site_index_and_value() {
    let model = common::WhatIf::new(3);
    let y = DVector::from_vec(vec![0.0, f64::NAN, 1.0]);
    let err = model.condition().y(y).log_density(&[0.0; 14]).unwrap_err();
    match &err {
        ModelError::Distribution {
            site: "y",
            source:
                DistError::OutOfSupport {
                    index: Some(1),
                    value,
                    ..
                },
        } => {
            assert!(value.is_nan())
        }
        other => panic!("unexpected error {other:?}"),
    }
    // The message names the site; its source (the distribution's error) the index and value.
    assert!(err.to_string().contains("`y`"), "{err}");
    let msg = ErrorChain(&err).to_string();
    assert!(
        msg.contains("`y`") && msg.contains("[1]") && msg.contains("NaN"),
        "{msg}"
    );
}

#[test]
fn shape_mismatch_between_a_conditioned_value_and_its_plate() {
    let model = common::WhatIf::new(3);
    let err = model.condition().y(DVector::zeros(4)).layout().unwrap_err();
    assert_eq!(
        err,
        ModelError::Shape {
            site: "y",
            plate: "units",
            expected: 3,
            found: 4
        }
    );
    assert!(err.to_string().contains("expected 3 values"));
    let err = model
        .intervene()
        .a(DVector::zeros(2))
        .sample_prior(&mut StdRng::seed_from_u64(0))
        .unwrap_err();
    assert_eq!(
        err,
        ModelError::Shape {
            site: "a",
            plate: "units",
            expected: 3,
            found: 2
        }
    );
}

#[test]
fn observed_values_outside_the_support() {
    let model = Counts::new(2);
    let base = |coin: Vec<f64>| {
        model
            .condition()
            .k(DVector::from_vec(vec![1, 2]))
            .coin(DVector::from_vec(coin))
    };
    // Bernoulli 2.
    let err = base(vec![1.0, 2.0])
        .scale(DVector::from_vec(vec![1.0, 1.0]))
        .log_density(&[0.0, 0.0]);
    assert!(
        matches!(
            err,
            Err(ModelError::Distribution {
                site: "coin",
                source: DistError::OutOfSupport {
                    index: Some(1),
                    value: 2.0,
                    ..
                }
            })
        ),
        "{err:?}"
    );
    // A negative HalfNormal observation.
    let err = base(vec![0.0, 1.0])
        .scale(DVector::from_vec(vec![1.0, -0.5]))
        .log_density(&[0.0, 0.0]);
    assert!(
        matches!(
            err,
            Err(ModelError::Distribution {
                site: "scale",
                source: DistError::OutOfSupport {
                    index: Some(1),
                    value: -0.5,
                    ..
                }
            })
        ),
        "{err:?}"
    );
}

#[test]
fn a_discrete_latent_site_is_an_error_for_gradient_inference() {
    let model = Counts::new(2);
    let err = model
        .condition()
        .coin(DVector::from_vec(vec![0.0, 1.0]))
        .layout()
        .unwrap_err();
    assert_eq!(
        err,
        ModelError::DiscreteLatent {
            site: "k",
            family: "Poisson"
        }
    );
}

#[test]
fn invalid_constant_hyper_parameter() {
    let model = BadPrior::new(-1.0);
    let err = model
        .scenario()
        .sample_prior(&mut StdRng::seed_from_u64(0))
        .unwrap_err();
    match &err {
        ModelError::Distribution {
            site: "x",
            source:
                DistError::InvalidParameter {
                    param: "scale",
                    value,
                    ..
                },
        } => {
            assert_eq!(*value, -1.0)
        }
        other => panic!("unexpected error {other:?}"),
    }
    let msg = ErrorChain(&err).to_string();
    assert!(msg.contains("site `x`") && msg.contains("must be"), "{msg}");
}

#[test]
fn wrong_parameter_vector_length() {
    let model = common::WhatIf::new(3);
    let err = model
        .condition()
        .y(DVector::zeros(3))
        .log_density(&[0.0; 3])
        .unwrap_err();
    assert!(matches!(err, ModelError::ParameterLength { .. }), "{err:?}");
    let mut grad = vec![0.0; 20];
    let scenario = model.condition().y(DVector::zeros(3)).build();
    let err = scenario
        .gradient()
        .unwrap()
        .logp_grad(&[0.0; 20], &mut grad)
        .unwrap_err();
    assert!(
        matches!(
            err,
            ModelError::ParameterLength {
                expected: 14,
                found: 20
            }
        ),
        "{err:?}"
    );
}

#[model]
fn two_vectors(x: &DVector<f64>, w: &DVector<f64>) {
    let units = plate!(x.len());
    let b = sample!(Normal::new(0.0, 1.0));
    let mu = deterministic!(w * (b * x), units);
}

#[test]
fn inconsistent_data_arguments_are_an_error_not_a_panic() {
    let model = TwoVectors::new(&DVector::zeros(3), &DVector::zeros(4));
    let err = model
        .scenario()
        .sample_prior(&mut StdRng::seed_from_u64(0))
        .unwrap_err();
    let ModelError::Value { site, source } = &err else {
        panic!("expected a typed value error, got {err:?}");
    };
    assert_eq!(*site, "mu");
    assert!(
        matches!(source, ShapeError::Mismatch { op: "*", left, right }
            if left.len == 4 && right.len == 3),
        "{source:?}"
    );
    let printed = doppl::inference::ErrorChain(&err).to_string();
    assert!(
        printed.starts_with(
            "site `mu`: its value cannot be computed from the model's operands: `*` of 4 values \
             and 3 values"
        ),
        "{printed}"
    );
}

#[test]
fn bad_data_fails_the_fit_with_its_type_before_sampling() {
    let model = common::WhatIf::new(3);
    let y = DVector::from_vec(vec![0.0, f64::INFINITY, 1.0]);
    let err = nuts(model.condition().y(y), &NutsOptions::default()).unwrap_err();
    match err {
        doppl::inference::FitError::Model(ModelError::Distribution {
            site: "y",
            source: DistError::OutOfSupport { index: Some(1), .. },
        }) => {}
        other => panic!("expected the data error, got {other:?}"),
    }
}

#[test]
fn simulating_an_improper_prior_is_an_error() {
    #[model]
    fn flat_prior() {
        let m = sample!(Flat::new());
        let y = sample!(Normal::new(m, 1.0));
    }
    let model = FlatPrior::new();
    let err = model
        .scenario()
        .sample_prior(&mut StdRng::seed_from_u64(0))
        .unwrap_err();
    assert_eq!(
        err,
        ModelError::Distribution {
            site: "m",
            source: DistError::NotSampleable { family: "Flat" }
        }
    );
    // Intervening on it makes the model simulable.
    let trace = model
        .intervene()
        .m(2.0)
        .sample_prior(&mut StdRng::seed_from_u64(0))
        .unwrap();
    assert_eq!(trace.m, 2.0);
}

/// Two plates of the same size: adding their vectors is a mistake the length cannot show.
#[model]
fn two_plates(n: usize) {
    let units = plate!(n);
    let groups = plate!(n);
    let u = sample!(Normal::new(0.0, 1.0), units);
    let v = sample!(Normal::new(0.0, 1.0), groups);
    let mu = deterministic!(&u + &v, units);
}

#[test]
fn vectors_of_two_plates_do_not_combine() {
    let err = TwoPlates::new(3)
        .scenario()
        .sample_prior(&mut StdRng::seed_from_u64(0))
        .unwrap_err();
    let expected = ModelError::Value {
        site: "mu",
        source: ShapeError::Mismatch {
            op: "+",
            left: Extent {
                len: 3,
                plate: Some("units"),
            },
            right: Extent {
                len: 3,
                plate: Some("groups"),
            },
        },
    };
    assert_eq!(err, expected);
}

#[test]
fn covariates_with_the_wrong_shape_name_the_site() {
    // 613 rows of covariates (the plate of units) but 614 nodegree entries.
    let data = common::lalonde_like(614, 7, 3);
    let short = data.x.rows(0, 613).into_owned();
    let model = common::Earnings::new(&short, &data.nodegree);
    let err = model
        .scenario()
        .sample_prior(&mut StdRng::seed_from_u64(0))
        .unwrap_err();
    let ModelError::Value { site, source } = &err else {
        panic!("expected a value error, got {err:?}");
    };
    assert_eq!(*site, "mu_earnings");
    assert!(
        matches!(source, ShapeError::Mismatch { left, right, .. } if left.len == 613 && right.len == 614),
        "{source:?}"
    );
    // Six coefficients given for seven covariates: the intervened value does not fit.
    let data = common::lalonde_like(50, 7, 4);
    let model = common::Earnings::new(&data.x, &data.nodegree);
    let err = model
        .intervene()
        .beta_cov(DVector::zeros(6))
        .sample_prior(&mut StdRng::seed_from_u64(0))
        .unwrap_err();
    assert!(
        matches!(
            &err,
            ModelError::Shape {
                site: "beta_cov",
                expected: 7,
                found: 6,
                ..
            }
        ),
        "{err:?}"
    );
    // beta_cov's plate is written inline: the message quotes it as written.
    assert_eq!(
        err.to_string().lines().next().unwrap_or_default(),
        "site `beta_cov`: expected 7 values (plate `plate!(x.ncols()) of beta_cov`), found 6; \
         give one value per plate element"
    );
}

/// sigma feeds only a deterministic site, so nothing downstream would reject a negative
/// value: the do() value itself is checked against sigma's support.
#[model]
fn scaled(n: usize) {
    let sigma = sample!(HalfNormal::new(1.0));
    let mu = sample!(Normal::new(0.0, 1.0));
    let spread = deterministic!(mu * sigma);
}

#[test]
fn an_intervention_outside_the_support_is_a_typed_error_unless_unchecked() {
    let model = Scaled::new(3);
    let mut rng = StdRng::seed_from_u64(1);
    let error = model
        .intervene()
        .sigma(-1.0)
        .sample_prior(&mut rng)
        .unwrap_err();
    assert!(
        matches!(
            error,
            ModelError::InterventionOutOfSupport { site: "sigma", .. }
        ),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("Scenario::unchecked()"),
        "{error}"
    );
    let trace = model
        .intervene()
        .sigma(-1.0)
        .build()
        .unchecked()
        .sample_prior(&mut rng)
        .unwrap();
    assert_eq!(trace.sigma, -1.0);
    assert_eq!(trace.spread, -trace.mu);
    // Inside the support nothing changes.
    assert!(model.intervene().sigma(2.0).sample_prior(&mut rng).is_ok());
}

#[test]
fn a_site_given_twice_is_an_error_not_a_silent_replacement() {
    let model = Scaled::new(3);
    let twice = model.intervene().sigma(1.0).sigma(2.0).build();
    let error = twice
        .sample_prior(&mut StdRng::seed_from_u64(2))
        .unwrap_err();
    assert_eq!(
        error,
        ModelError::RepeatedSite {
            site: "sigma",
            how: "intervened on"
        }
    );
    assert!(error.to_string().contains("twice"), "{error}");
    let conditioned = model.condition().mu(0.5).mu(0.7).build();
    assert!(matches!(
        conditioned.layout(),
        Err(ModelError::RepeatedSite {
            site: "mu",
            how: "conditioned"
        })
    ));
    // Conditioning one site and intervening on another is fine.
    assert!(
        model
            .condition()
            .mu(0.5)
            .intervene()
            .sigma(1.0)
            .build()
            .layout()
            .is_ok()
    );
}
